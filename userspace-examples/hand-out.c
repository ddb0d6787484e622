// SPDX-License-Identifier: GPL-2.0
/*
 * hand-out - hand a cartridge out through the mail slot, the flow an
 * operator-facing program follows with autoch:
 *
 *   hand-out [-p device] [-t seconds] element
 *
 * 1. Open the changer for writing: opening and locking the mail slot
 *    changes what every host and the operator see, so the driver wants a
 *    writer's descriptor (or CAP_SYS_ADMIN), as for PREVENT MEDIUM REMOVAL.
 * 2. Reserve the cartridge's element and an empty import/export element
 *    (SIOC_RESERVE), so that no other program of this host moves either
 *    while the operator is on the way. The reservations end with the
 *    file, whatever happens to this program.
 * 3. Move the cartridge into the mail slot (SIOC_MOVE_MEDIUM).
 * 4. Open the slot for the operator (AUTOCH_OPEN_CLOSE_IE, AUTOCH_IE_OPEN).
 *    EOPNOTSUPP: the changer has no such command; the operator opens the
 *    slot at the front panel instead, and the rest is the same.
 * 5. Wait with poll() until an event (AUTOCH_GET_EVENTS: the changer's
 *    28/01 or 28/00 unit attention when the operator has used the slot)
 *    is followed by an empty slot, or until the time runs out.
 * 6. Close and lock the slot again (AUTOCH_IE_CLOSE) and release.
 *
 * Exit status 0 when the operator took the cartridge, 1 on a failure, 2
 * when the time ran out (the cartridge is still in the slot, which is
 * closed again).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/autochanger.h>

static const char *progname = "hand-out";
static int fd = -1;

static int element_full(int address, int *full)
{
	struct element_status es;

	memset(&es, 0, sizeof(es));
	es.element = address;
	if (ioctl(fd, SIOC_ELEMENT_STATUS, &es) < 0)
		return -1;
	*full = es.full;
	return 0;
}

static int reserve(int address, unsigned long request)
{
	struct reservation_parms rp;

	memset(&rp, 0, sizeof(rp));
	rp.element = address;
	return ioctl(fd, request, &rp);
}

static int mail_slot(int address, int action)
{
	struct autoch_open_close_ie oc;

	memset(&oc, 0, sizeof(oc));
	oc.element = address;
	oc.action = action;
	return ioctl(fd, AUTOCH_OPEN_CLOSE_IE, &oc);
}

static void fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", progname, what, strerror(errno));
	exit(1);
}

/* Wait until the slot is empty after an event; 0, or -1 when time ran out. */
static int wait_taken(int slot, int seconds)
{
	time_t end = time(NULL) + seconds;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct autoch_events ev;
	int full = 1, left;

	while ((left = (int)(end - time(NULL))) > 0) {
		if (poll(&p, 1, left * 1000) < 0) {
			if (errno == EINTR)
				continue;
			fail("poll");
		}
		if (p.revents & (POLLHUP | POLLERR)) {
			errno = ENXIO;
			fail("the changer went away");
		}
		if (!(p.revents & POLLIN))
			continue;
		if (ioctl(fd, AUTOCH_GET_EVENTS, &ev) < 0)
			fail("AUTOCH_GET_EVENTS");
		if (element_full(slot, &full) < 0)
			fail("SIOC_ELEMENT_STATUS of the mail slot");
		if (!full)
			return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	const char *device = "/dev/autoch0";
	struct element_addresses ea;
	struct move_medium_parms mp;
	int source, slot = -1, seconds = 600, full, i, c, ret;
	char *end;

	while ((c = getopt(argc, argv, "p:t:")) != -1) {
		switch (c) {
		case 'p':
			device = optarg;
			break;
		case 't':
			seconds = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc || seconds < 1)
		goto usage;
	source = strtol(argv[optind], &end, 0);
	if (*end || source < 0 || source > 0xffff)
		goto usage;

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fail(device);
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		fail("SIOC_ELEMENT_ADDRESSES");
	if (!ea.num_import_exports) {
		fprintf(stderr, "%s: the changer has no mail slot\n", progname);
		return 1;
	}
	if (reserve(source, SIOC_RESERVE) < 0)
		fail("SIOC_RESERVE of the cartridge's element");
	for (i = 0; i < ea.num_import_exports && slot < 0; i++) {
		if (element_full(ea.first_import_export + i, &full) < 0)
			fail("SIOC_ELEMENT_STATUS");
		/* another program may hold it: try the next one */
		if (!full && !reserve(ea.first_import_export + i, SIOC_RESERVE))
			slot = ea.first_import_export + i;
	}
	if (slot < 0) {
		fprintf(stderr, "%s: no empty mail slot is free\n", progname);
		return 1;
	}

	memset(&mp, 0, sizeof(mp));
	mp.transport = ea.first_transport;
	mp.source = source;
	mp.destination = slot;
	if (ioctl(fd, SIOC_MOVE_MEDIUM, &mp) < 0)
		fail("SIOC_MOVE_MEDIUM to the mail slot");

	if (mail_slot(slot, AUTOCH_IE_OPEN) < 0) {
		if (errno != EOPNOTSUPP)
			fail("AUTOCH_OPEN_CLOSE_IE (open)");
		printf("open mail slot %d at the front panel\n", slot);
	}
	printf("take the cartridge from mail slot %d\n", slot);
	fflush(stdout);

	ret = wait_taken(slot, seconds) ? 2 : 0;
	if (mail_slot(slot, AUTOCH_IE_CLOSE) < 0 && errno != EOPNOTSUPP)
		fail("AUTOCH_OPEN_CLOSE_IE (close)");
	if (ret)
		fprintf(stderr, "%s: not taken within %d s; the slot is closed\n",
			progname, seconds);
	reserve(slot, SIOC_RELEASE);
	reserve(source, SIOC_RELEASE);
	close(fd);
	return ret;

usage:
	fprintf(stderr, "usage: %s [-p device] [-t seconds] element\n", progname);
	return 1;
}
