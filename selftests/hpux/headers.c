/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Build-only check: the HP-UX include directory as mtx's HP-UX port and
 * other HP-UX SCSI programs include it, compiled as C89, C99 and C++98
 * with -pedantic -Werror (selftests/Makefile). Old C, so no // comments
 * and no static_assert: a negative array size fails the build instead.
 */
#include <sys/types.h>
#include <sys/wsio.h>
#include <sys/spinlock.h>
#include <sys/scsi.h>
#include <sys/scsi_ctl.h>
#include <sys/mtio.h>
#include <stddef.h>
#include <string.h>

#define HPUX_CHECK(name, cond) typedef char hpux_check_##name[(cond) ? 1 : -1]

HPUX_CHECK(inquiry_data, sizeof(union inquiry_data) == 128);
HPUX_CHECK(inquiry, sizeof(struct inquiry) == 128);
HPUX_CHECK(inquiry_2, sizeof(struct inquiry_2) == 128);
HPUX_CHECK(sense_data, sizeof(union sense_data) == 131);
HPUX_CHECK(sense_2_aligned, sizeof(struct sense_2_aligned) == 131);
HPUX_CHECK(xsense_aligned, sizeof(struct xsense_aligned) == 128);
HPUX_CHECK(vendor_id, offsetof(struct inquiry_2, vendor_id) == 8);
HPUX_CHECK(add_sense_bytes,
	   offsetof(struct sense_2_aligned, add_sense_bytes) == 18);
HPUX_CHECK(misc_bytes, offsetof(struct xsense_aligned, misc_bytes) == 22);
HPUX_CHECK(sctl_io_data, offsetof(struct sctl_io, data) == 24);
HPUX_CHECK(sctl_io_sense, offsetof(struct sctl_io, sense) ==
	   offsetof(struct sctl_io, cdb_status) + 4);

/* An HP-UX changer check, as HP-UX programs write it. */
int hpux_is_changer(int fd)
{
	struct inquiry_2 inq;

	if (ioctl(fd, SIOC_INQUIRY, &inq) < 0)
		return -1;
	return inq.dev_type == SCSI_AUTOCHANGER;
}

/* A TEST UNIT READY through SIOC_IO, and its sense key. */
int hpux_test_unit_ready(int fd)
{
	struct sctl_io sctl;
	union sense_data sd;

	memset(&sctl, 0, sizeof(sctl));
	sctl.cdb_length = 6;
	sctl.max_msecs = 10000;
	if (ioctl(fd, SIOC_IO, &sctl) < 0)
		return -1;
	if (sctl.cdb_status == S_GOOD)
		return 0;
	if (sctl.cdb_status != S_CHECK_CONDITION)
		return -1;
	memcpy(&sd, sctl.sense, sizeof(sd));
	if (sd.r_sense2a.key == S_UNIT_ATTENTION ||
	    sd.r_sense1a.sense_key == S_NOT_READY)
		return 1;
	return ioctl(fd, SIOC_XSENSE, &sd) < 0 ? -1 : sd.r_sense2a.code;
}
