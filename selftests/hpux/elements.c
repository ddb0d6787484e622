// SPDX-License-Identifier: GPL-2.0
/*
 * hpux-elements DEVICE: every drive and slot of the changer as the
 * driver's SIOC_ELEMENT_STATUS reports it, one SIOC_ELEMENT_STATUS per
 * element (no range call, no cache bypass), numbered as mtx status
 * numbers them, so that selftests/hpux/guest-mtx.sh can set the driver's
 * view beside mtx's through sg:
 *
 *   drive N Full|Empty [BARCODE]    drives from 0
 *   slot N Full|Empty [BARCODE]     storage from 1, then import/export
 *
 * BARCODE is the primary volume tag as mtx prints it: up to the first
 * byte that is not printable ASCII, trailing blanks dropped. An HP-UX
 * style program: <sys/scsi.h>, built with -I include/hpux alone.
 * Exit 0, or 1 with a message when a call fails.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/scsi.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TAG_LEN	32	/* SMC volume identifier, before its sequence number */

static int show(int fd, const char *kind, int num, int address)
{
	struct element_status es;
	char tag[TAG_LEN + 1];
	int i;

	memset(&es, 0, sizeof(es));
	es.element = address;
	if (ioctl(fd, SIOC_ELEMENT_STATUS, &es) < 0) {
		fprintf(stderr, "hpux-elements: SIOC_ELEMENT_STATUS %d: %s\n",
			address, strerror(errno));
		return -1;
	}
	for (i = 0; i < TAG_LEN; i++) {
		unsigned char c = es.pri_vol_tag[i];

		if (c < 32 || c > 127)
			break;
		tag[i] = c;
	}
	while (i > 0 && tag[i - 1] == ' ')
		i--;
	tag[i] = '\0';
	printf("%s %d %s%s%s\n", kind, num, es.full ? "Full" : "Empty",
	       i ? " " : "", tag);
	return 0;
}

int main(int argc, char **argv)
{
	struct element_addresses ea;
	int fd, i, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: hpux-elements DEVICE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0) {
		fprintf(stderr, "hpux-elements: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	for (i = 0; i < ea.num_data_transfers && !rc; i++)
		rc = show(fd, "drive", i, ea.first_data_transfer + i);
	for (i = 0; i < ea.num_storages && !rc; i++)
		rc = show(fd, "slot", i + 1, ea.first_storage + i);
	for (i = 0; i < ea.num_import_exports && !rc; i++)
		rc = show(fd, "slot", ea.num_storages + i + 1,
			  ea.first_import_export + i);
	close(fd);
	return rc ? 1 : 0;
}
