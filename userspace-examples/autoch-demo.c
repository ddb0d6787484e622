// SPDX-License-Identifier: GPL-2.0
/*
 * autoch-demo - list a media changer's contents and move one cartridge.
 *
 * Usage: autoch-demo [-l] [/dev/autochN]
 *
 * A porting example. This is the code an HP-UX program driving a changer
 * through autochanger(7) contains, and it builds on Linux unchanged:
 * -I<autoch>/include/hpux makes <sys/scsi.h> the autoch interface. Like
 * the HP-UX tools it opens the changer read-only; moving media needs no
 * more.
 *
 * It prints the element map, the inventory, moves the cartridge in the
 * first full storage slot to the first empty one, and prints the
 * inventory again. The cartridge is not moved back. With -l it only
 * lists: the element map and the inventory.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/scsi.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "waiting.h"

#define DEFAULT_DEVICE	"/dev/autoch0"
#define BARCODE_LEN	32	/* a volume tag: 32 characters, then 4 bytes */

static const char *device = DEFAULT_DEVICE;

/* Print "autoch-demo: <what>: <errno text>" and exit. */
static void fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "autoch-demo: %s: ", device);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

/* Print "autoch-demo: <what>" and exit, for errors that are not errno. */
static void fail_plain(const char *msg)
{
	fprintf(stderr, "autoch-demo: %s: %s\n", device, msg);
	exit(1);
}

static void get_status(int fd, int address, struct element_status *es)
{
	memset(es, 0, sizeof(*es));
	es->element = address;
	wait_begin();
	if (ioctl(fd, SIOC_ELEMENT_STATUS, es) < 0)
		fail("SIOC_ELEMENT_STATUS %d", address);
	wait_end();
}

/* The barcode of the primary volume tag, trailing spaces removed. */
static void get_barcode(const struct element_status *es,
			char barcode[BARCODE_LEN + 1])
{
	int len;

	memcpy(barcode, es->pri_vol_tag, BARCODE_LEN);
	barcode[BARCODE_LEN] = '\0';
	len = strlen(barcode);
	while (len > 0 && barcode[len - 1] == ' ')
		barcode[--len] = '\0';
}

static void print_map(const struct element_addresses *ea)
{
	printf("Element map of %s:\n", device);
	printf("  %-14s first %5d  count %3d\n", "transport",
	       ea->first_transport, ea->num_transports);
	printf("  %-14s first %5d  count %3d\n", "storage",
	       ea->first_storage, ea->num_storages);
	printf("  %-14s first %5d  count %3d\n", "import/export",
	       ea->first_import_export, ea->num_import_exports);
	printf("  %-14s first %5d  count %3d\n", "data transfer",
	       ea->first_data_transfer, ea->num_data_transfers);
}

static void print_elements(int fd, const char *type, int first, int count)
{
	char barcode[BARCODE_LEN + 1];
	struct element_status es;
	int address;

	for (address = first; address < first + count; address++) {
		get_status(fd, address, &es);
		get_barcode(&es, barcode);
		printf("  %-14s %5d  %s", type, address,
		       es.full ? "FULL " : "EMPTY");
		if (es.full && barcode[0])
			printf("  %s", barcode);
		printf("\n");
	}
}

static void print_inventory(int fd, const struct element_addresses *ea)
{
	printf("Inventory:\n");
	print_elements(fd, "transport", ea->first_transport,
		       ea->num_transports);
	print_elements(fd, "storage", ea->first_storage, ea->num_storages);
	print_elements(fd, "import/export", ea->first_import_export,
		       ea->num_import_exports);
	print_elements(fd, "data transfer", ea->first_data_transfer,
		       ea->num_data_transfers);
}

/* The first storage slot that is full (want_full) or empty; -1 if none. */
static int find_storage(int fd, const struct element_addresses *ea,
			int want_full)
{
	struct element_status es;
	int address;

	for (address = ea->first_storage;
	     address < ea->first_storage + ea->num_storages; address++) {
		get_status(fd, address, &es);
		if (es.full == want_full)
			return address;
	}
	return -1;
}

int main(int argc, char **argv)
{
	char barcode[BARCODE_LEN + 1];
	struct element_addresses ea;
	struct element_status es;
	struct move_medium_parms mp;
	int fd, src, dst, list_only = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: autoch-demo [-l] [/dev/autochN]\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		list_only = 1;
		argc--;
		argv++;
	}
	if (argc > 2) {
		fprintf(stderr, "usage: autoch-demo [-l] [/dev/autochN]\n");
		return 2;
	}
	if (argc == 2)
		device = argv[1];

	fd = open(device, O_RDONLY);
	if (fd < 0)
		fail("open");
	/* a call that takes long says so on stderr */
	waiting_start("autoch-demo", fd);
	wait_begin();
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		fail("SIOC_ELEMENT_ADDRESSES");
	wait_end();
	print_map(&ea);
	printf("\n");
	print_inventory(fd, &ea);
	if (list_only) {
		close(fd);
		return 0;
	}
	printf("\n");

	if (ea.num_transports == 0)
		fail_plain("the changer has no transport element");
	src = find_storage(fd, &ea, 1);
	dst = find_storage(fd, &ea, 0);
	if (src < 0)
		fail_plain("no full storage slot to move from");
	if (dst < 0)
		fail_plain("no empty storage slot to move to");

	get_status(fd, src, &es);
	get_barcode(&es, barcode);

	memset(&mp, 0, sizeof(mp));
	mp.transport = ea.first_transport;
	mp.source = src;
	mp.destination = dst;
	mp.invert = 0;
	wait_begin();
	if (ioctl(fd, SIOC_MOVE_MEDIUM, &mp) < 0)
		fail("SIOC_MOVE_MEDIUM %d -> %d", src, dst);
	wait_end();
	printf("moved %s from %d to %d\n\n",
	       barcode[0] ? barcode : "(no barcode)", src, dst);

	print_inventory(fd, &ea);
	close(fd);
	return 0;
}
