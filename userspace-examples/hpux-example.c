// SPDX-License-Identifier: GPL-2.0
/*
 * hpux-example - the drives of a media changer, the way HP-UX's
 * autochanger(7) example finds them: SIOC_ELEMENT_ADDRESSES for the
 * range of data transfer elements, then SIOC_ELEMENT_STATUS for each
 * drive, keeping its SCSI bus address and LUN when the changer reports
 * them.
 *
 * Usage: hpux-example [device]     (default /dev/rchgr/autoch0)
 *
 * Written as an HP-UX program is: it includes <sys/scsi.h> and nothing
 * Linux-specific, and builds on Linux with -I<autoch>/include/hpux alone.
 * /dev/rchgr/autochN is HP-UX's persistent name; on Linux the udev rules
 * of autoch (udev/60-autoch.rules) create it as a link to /dev/autochN.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/scsi.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_DRIVES	256

struct drive {
	int element;
	int full;
	int addr_valid;
	int bus_address;
	int lun;
};

static struct drive drive[MAX_DRIVES];

int main(int argc, char *argv[])
{
	const char *device = argc > 1 ? argv[1] : "/dev/rchgr/autoch0";
	struct element_addresses el_addrs;
	struct element_status el_stat;
	int fd, i, n, last_drive_el;

	fd = open(device, O_RDONLY);
	if (fd < 0) {
		perror(device);
		return 1;
	}
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &el_addrs) != 0) {
		perror("ioctl: SIOC_ELEMENT_ADDRESSES");
		return 1;
	}
	last_drive_el = el_addrs.first_data_transfer +
			el_addrs.num_data_transfers - 1;

	n = 0;
	for (i = el_addrs.first_data_transfer;
	     i <= last_drive_el && n < MAX_DRIVES; i++, n++) {
		memset(&el_stat, 0, sizeof(el_stat));
		el_stat.element = i;
		if (ioctl(fd, SIOC_ELEMENT_STATUS, &el_stat) != 0) {
			perror("ioctl: SIOC_ELEMENT_STATUS");
			return 1;
		}
		/*
		 * el_stat.access and el_stat.except say whether the rest
		 * can be trusted; the bus address is valid only when the
		 * drive is on the changer's bus and id_valid is set.
		 */
		drive[n].element = i;
		drive[n].full = el_stat.full;
		if (!el_stat.not_bus && el_stat.id_valid) {
			drive[n].addr_valid = 1;
			drive[n].bus_address = el_stat.bus_address;
			drive[n].lun = el_stat.lu_valid ? el_stat.lun : 0;
		}
	}
	close(fd);

	printf("%d drive(s), elements %d-%d\n", n,
	       el_addrs.first_data_transfer, last_drive_el);
	for (i = 0; i < n; i++) {
		printf("drive %d: element %d %s", i + 1, drive[i].element,
		       drive[i].full ? "FULL" : "EMPTY");
		if (drive[i].addr_valid)
			printf(" bus address %d lun %d", drive[i].bus_address,
			       drive[i].lun);
		else
			printf(" bus address unknown");
		printf("\n");
	}
	return 0;
}
