// SPDX-License-Identifier: GPL-2.0
/*
 * SIOC_IO from a 32-bit program (built with i686-linux-gnu-gcc -static,
 * or gcc -m32 -static, and run on the 64-bit guest kernel): struct
 * sctl_io is 372 bytes there, with a 4-byte data pointer, and the driver
 * must read and fill that layout. HP-UX's declaration from include/hpux
 * alone. TAP; exit 0 when every check
 * passed, 4 (skip) without a changer.
 *
 * Usage: sioc_io32 [/dev/autochN]
 */
#include <sys/types.h>
#include <sys/scsi.h>
#include <sys/scsi_ctl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int n, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++n, what);
	failed |= !ok;
}

int main(int argc, char **argv)
{
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	const char *dev = argc > 1 ? argv[1] : "/dev/autoch0";
	unsigned char buf[128], hpux[128];
	struct element_addresses ea;
	struct sctl_io io;
	int fd, src;

	fd = open(dev, O_RDONLY);
	if (fd < 0) {
		printf("1..0 # SKIP %s: %s\n", dev, strerror(errno));
		return 4;
	}
	check(sizeof(io) == 372 && sizeof(void *) == 4,
	      "a 32-bit program: struct sctl_io is 372 bytes");

	memset(&io, 0, sizeof(io));
	memset(buf, 0xa5, sizeof(buf));
	memcpy(io.cdb, inquiry, sizeof(inquiry));
	io.cdb_length = sizeof(inquiry);
	io.flags = SCTL_READ;
	io.data = buf;
	io.data_length = 96;
	io.max_msecs = 60000;
	check(ioctl(fd, SIOC_IO, &io) == 0, "SIOC_IO INQUIRY returns 0");
	check(io.cdb_status == S_GOOD && io.data_xfer >= 36 &&
	      io.data_xfer <= 96 && io.sense_xfer == 0,
	      "cdb_status GOOD, data_xfer 36..96, no sense");
	check(ioctl(fd, SIOC_INQUIRY, hpux) == 0 && !memcmp(buf, hpux, 36) &&
	      buf[96] == 0xa5, "the data is SIOC_INQUIRY's, nothing past 96 bytes");

	/* MOVE MEDIUM from the last storage element to itself: an error */
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) == 0) {
		src = ea.first_storage + ea.num_storages - 1;
		memset(&io, 0, sizeof(io));
		io.cdb[0] = 0xa5;
		io.cdb[2] = ea.first_transport >> 8;
		io.cdb[3] = ea.first_transport & 0xff;
		io.cdb[4] = src >> 8;
		io.cdb[5] = src & 0xff;
		io.cdb[6] = src >> 8;
		io.cdb[7] = src & 0xff;
		io.cdb_length = 12;
		io.max_msecs = 60000;
		check(ioctl(fd, SIOC_IO, &io) == 0 &&
		      io.cdb_status == S_CHECK_CONDITION &&
		      io.sense_status == S_GOOD && io.sense_xfer >= 14 &&
		      (io.sense[2] & 0xf) == S_ILLEGAL_REQUEST,
		      "a refused MOVE MEDIUM: CHECK CONDITION, ILLEGAL REQUEST in sense");
	}
	memset(&io, 0, sizeof(io));
	io.cdb_length = 5;
	check(ioctl(fd, SIOC_IO, &io) < 0 && errno == EINVAL,
	      "cdb_length 5: EINVAL");
	close(fd);
	printf("1..%d\n", n);
	return failed;
}
