/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * HP-UX porting shim: SIOC_IO, HP-UX's SCSI pass-through (sioc_io(7)),
 * with HP-UX's struct sctl_io. The structure holds a user pointer, so it
 * is kept out of <linux/autochanger.h>; the driver knows the 64-bit and
 * the 32-bit layout. Documentation/porting.rst says what SIOC_IO allows.
 */
#ifndef _AUTOCH_HPUX_SYS_SCSI_CTL_H
#define _AUTOCH_HPUX_SYS_SCSI_CTL_H

#include <linux/ioctl.h>

/* flags: in */
#define SCTL_READ		0x1	/* data-in phase when data_length != 0 */
#define SCTL_INIT_WDTR		0x2	/* parallel SCSI hints: no meaning here */
#define SCTL_INIT_SDTR		0x4
#define SCTL_NO_ATN		0x8

/* cdb_status: out, the SCSI status byte or one of these */
#define SCTL_INVALID_REQUEST	0x100
#define SCTL_SELECT_TIMEOUT	0x200
#define SCTL_INCOMPLETE		0x400

/**
 * struct sctl_io - SIOC_IO argument (HP-UX)
 * @flags: in: SCTL_READ for a data-in phase
 * @cdb_length: in: 6 to 16
 * @cdb: in: the command descriptor block
 * @data: in: the data buffer
 * @data_length: in: its length; 0: no data phase
 * @max_msecs: in: timeout in milliseconds; 0: the driver's longest
 * @data_xfer: out: bytes transferred (status GOOD or CHECK CONDITION)
 * @cdb_status: out: SCSI status byte, or SCTL_INVALID_REQUEST,
 *	SCTL_SELECT_TIMEOUT, SCTL_INCOMPLETE
 * @sense: out: sense data of a CHECK CONDITION
 * @sense_status: out: status of the automatic REQUEST SENSE
 * @sense_xfer: out: valid bytes in @sense
 * @reserved: zero
 */
struct sctl_io {
	unsigned int flags;
	unsigned int cdb_length;
	unsigned char cdb[16];
	void *data;
	unsigned int data_length;
	unsigned int max_msecs;
	unsigned int data_xfer;
	unsigned int cdb_status;
	unsigned char sense[256];
	unsigned int sense_status;
	unsigned int sense_xfer;
	unsigned int reserved[16];
};

#define SIOC_IO			_IOWR('S', 22, struct sctl_io)

#endif /* _AUTOCH_HPUX_SYS_SCSI_CTL_H */
