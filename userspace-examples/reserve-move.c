// SPDX-License-Identifier: GPL-2.0
/*
 * reserve-move - reserve two elements, move a cartridge between them,
 * release them: how an HP-UX backup job keeps other jobs away from the
 * elements it works on (autochanger(7), SIOC_RESERVE).
 *
 * Usage: reserve-move [-p device] SOURCE DESTINATION [IDENTIFICATION]
 *
 * SOURCE and DESTINATION are element addresses. While the two are
 * reserved, another process's move that names one of them fails with
 * EBUSY. Closing the descriptor would release them too, so a job that
 * dies never leaves them reserved. Builds with -I<autoch>/include/hpux.
 */
#include <sys/ioctl.h>
#include <sys/scsi.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *device = "/dev/autoch0";

static int reserve(int fd, unsigned long request, int element, int id)
{
	struct reservation_parms rp;

	memset(&rp, 0, sizeof(rp));
	rp.element = element;
	rp.identification = id;
	rp.all_elements = 0;
	if (ioctl(fd, request, &rp) < 0) {
		fprintf(stderr, "reserve-move: %s %d: %s\n",
			request == SIOC_RESERVE ? "reserve" : "release",
			element, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct element_addresses ea;
	struct move_medium_parms mp;
	int fd, src, dst, id = 1, ret = 1;

	if (argc > 2 && !strcmp(argv[1], "-p")) {
		device = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: reserve-move [-p device] SOURCE DESTINATION [ID]\n");
		return 2;
	}
	src = atoi(argv[1]);
	dst = atoi(argv[2]);
	if (argc == 4)
		id = atoi(argv[3]);

	fd = open(device, O_RDONLY);
	if (fd < 0 || ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0) {
		fprintf(stderr, "reserve-move: %s: %s\n", device, strerror(errno));
		return 1;
	}

	if (reserve(fd, SIOC_RESERVE, src, id))
		goto out;
	if (reserve(fd, SIOC_RESERVE, dst, id))
		goto release_src;
	printf("reserved %d and %d under identification %d\n", src, dst, id);

	memset(&mp, 0, sizeof(mp));
	mp.transport = ea.first_transport;
	mp.source = src;
	mp.destination = dst;
	if (ioctl(fd, SIOC_MOVE_MEDIUM, &mp) < 0) {
		fprintf(stderr, "reserve-move: move %d -> %d: %s\n", src, dst,
			strerror(errno));
	} else {
		printf("moved %d -> %d\n", src, dst);
		ret = 0;
	}

	if (reserve(fd, SIOC_RELEASE, dst, id))
		ret = 1;
release_src:
	if (reserve(fd, SIOC_RELEASE, src, id))
		ret = 1;
	else if (!ret)
		printf("released %d and %d\n", src, dst);
out:
	close(fd);
	return ret;
}
