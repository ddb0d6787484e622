// SPDX-License-Identifier: GPL-2.0
/*
 * autoch-inventory - a changer's contents, with barcodes, drive serial
 * numbers and the tape device of each drive.
 *
 * Usage: autoch-inventory [-j] [-s sysfs] [/dev/autochN]
 *
 *   -j        JSON instead of a table
 *   -s DIR    sysfs mount point (default /sys; for tests)
 *
 * The device defaults to $LIBRARY, else /dev/autoch0.
 *
 * A Linux program (it includes <linux/autochanger.h>): it reads the
 * status of whole element ranges with AUTOCH_ELEMENT_STATUS_RANGE (one
 * SIOC_ELEMENT_STATUS per element on a driver without it), asks each
 * drive element for the identifier of its drive with AUTOCH_DRIVE_ID, and
 * the drive's Linux devices with AUTOCH_DRIVE_DEVICES: the driver matches
 * the identifier with the VPD pages of every SCSI device and names the
 * drive's /dev/nstN, /dev/sgN and SCSI address. With a driver that has no
 * AUTOCH_DRIVE_DEVICES it does the matching itself: the /dev/nstN whose
 * unit serial number (VPD page 80h, sysfs vpd_pg80) or device
 * identification (VPD page 83h, vpd_pg83) is that identifier. This is
 * what LTFS users otherwise do by hand with udevadm, lsscsi and tapeinfo.
 */
#include <sys/ioctl.h>
#include <linux/autochanger.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ID_MAX		64
#define SERIAL_MAX	(2 * ID_MAX + 1)
#define TAPE_MAX	(sizeof("/dev/") + 256)	/* /dev/ and a file name */
#define VPD_MAX		1024

struct etype {
	const char *name;	/* table */
	const char *json;	/* JSON */
	int first, count;
};

struct drive_info {
	int have_id;
	struct autoch_drive_id id;
	char serial[SERIAL_MAX];
	char tape[TAPE_MAX];
	char sg[TAPE_MAX];
	char scsi[64];		/* H:C:T:L */
};

/* A tape drive seen in sysfs, with its VPD pages 80h and 83h. */
struct tape {
	char name[TAPE_MAX];
	unsigned char pg80[VPD_MAX], pg83[VPD_MAX];
	size_t pg80_len, pg83_len;
	struct tape *next;
};

static const char *device;
static const char *sysfs = "/sys";
static int fd;
static int id_unsupported;	/* the driver has no AUTOCH_DRIVE_ID */
static int devices_unsupported;	/* ... no AUTOCH_DRIVE_DEVICES */

static void fail(const char *what)
{
	fprintf(stderr, "autoch-inventory: %s: %s: %s\n", device, what,
		strerror(errno));
	exit(1);
}

/* Copy @len bytes to a C string without leading and trailing blanks. */
static void trim_copy(char *dst, const void *src, size_t len)
{
	const char *s = src;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\0'))
		len--;
	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void barcode_of(const struct element_status *es, char *out)
{
	/* the first 32 bytes of the volume tag; all zero when none */
	trim_copy(out, es->pri_vol_tag, 32);
}

static void read_range(int first, int count, struct element_status *es)
{
	struct autoch_status_range r;
	int i;

	memset(es, 0, count * sizeof(*es));
	memset(&r, 0, sizeof(r));
	r.first = first;
	r.count = count;
	r.statuses = (uintptr_t)es;
	if (ioctl(fd, AUTOCH_ELEMENT_STATUS_RANGE, &r) == 0)
		return;
	if (errno != ENOTTY)
		fail("AUTOCH_ELEMENT_STATUS_RANGE");
	/* an older driver: the HP-UX call, one element at a time */
	for (i = 0; i < count; i++) {
		memset(&es[i], 0, sizeof(es[i]));
		es[i].element = first + i;
		if (ioctl(fd, SIOC_ELEMENT_STATUS, &es[i]) < 0)
			fail("SIOC_ELEMENT_STATUS");
	}
}

/*
 * The drive's serial number from its identifier: a T10 vendor ID
 * (type 1) is vendor (8 bytes), product (16), serial; any other ASCII
 * identifier is taken whole; a binary one prints in hex.
 */
static void serial_of(const struct autoch_drive_id *id, char *out)
{
	size_t len = id->id_len < ID_MAX ? id->id_len : ID_MAX, i;

	if (id->code_set == 1) {
		for (i = 0; i < len; i++)
			sprintf(out + 2 * i, "%02x", id->id[i]);
		out[2 * len] = '\0';
	} else if (id->id_type == 1 && len > 24) {
		trim_copy(out, id->id + 24, len - 24);
	} else {
		trim_copy(out, id->id, len);
	}
}

static void read_drive_id(int element, struct drive_info *d)
{
	memset(d, 0, sizeof(*d));
	if (id_unsupported)
		return;
	d->id.element = element;
	if (ioctl(fd, AUTOCH_DRIVE_ID, &d->id) < 0) {
		/* no identifier is not an error for an inventory */
		if (errno == ENOTTY)
			id_unsupported = 1;
		else if (errno != EOPNOTSUPP && errno != EINVAL && errno != EIO)
			fail("AUTOCH_DRIVE_ID");
		return;
	}
	if (d->id.id_len == 0)
		return;
	d->have_id = 1;
	serial_of(&d->id, d->serial);
}

static size_t read_file(const char *path, unsigned char *buf, size_t size)
{
	ssize_t n;
	int f = open(path, O_RDONLY);

	if (f < 0)
		return 0;
	n = read(f, buf, size);
	close(f);
	return n > 0 ? (size_t)n : 0;
}

/* Every /dev/nstN in sysfs with the VPD pages the kernel read at scan. */
static struct tape *find_tapes(void)
{
	struct tape *list = NULL, *t;
	char path[512];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/class/scsi_tape", sysfs);
	dir = opendir(path);
	if (!dir)
		return NULL;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "nst", 3) ||
		    strspn(de->d_name + 3, "0123456789") != strlen(de->d_name + 3) ||
		    !de->d_name[3])
			continue;
		t = calloc(1, sizeof(*t));
		if (!t)
			break;
		snprintf(t->name, sizeof(t->name), "/dev/%s", de->d_name);
		snprintf(path, sizeof(path), "%s/class/scsi_tape/%s/device/vpd_pg80",
			 sysfs, de->d_name);
		t->pg80_len = read_file(path, t->pg80, sizeof(t->pg80));
		snprintf(path, sizeof(path), "%s/class/scsi_tape/%s/device/vpd_pg83",
			 sysfs, de->d_name);
		t->pg83_len = read_file(path, t->pg83, sizeof(t->pg83));
		t->next = list;
		list = t;
	}
	closedir(dir);
	return list;
}

/* Page 83h holds a designator equal to the changer's DVCID for the drive. */
static int pg83_matches(const struct tape *t, const struct autoch_drive_id *id)
{
	size_t off = 4, end, dlen;
	const unsigned char *p = t->pg83;

	if (t->pg83_len < 4)
		return 0;
	end = 4 + ((size_t)p[2] << 8 | p[3]);
	if (end > t->pg83_len)
		end = t->pg83_len;
	while (off + 4 <= end) {
		dlen = p[off + 3];
		if (off + 4 + dlen > end)
			break;
		if ((p[off + 1] & 0x0f) == id->id_type && dlen == id->id_len &&
		    (p[off + 1] & 0x30) == 0 &&	/* association: the LU */
		    !memcmp(p + off + 4, id->id, dlen))
			return 1;
		off += 4 + dlen;
	}
	return 0;
}

/* Page 80h: the unit serial number, compared without padding. */
static int pg80_matches(const struct tape *t, const char *serial)
{
	char sn[VPD_MAX];
	size_t len;

	if (t->pg80_len < 4 || !serial[0])
		return 0;
	len = t->pg80[3];
	if (len > t->pg80_len - 4)
		len = t->pg80_len - 4;
	trim_copy(sn, t->pg80 + 4, len);
	return !strcmp(sn, serial);
}

/* The driver's answer; 0 when it has none (an older driver). */
static int driver_devices(int element, struct drive_info *d)
{
	struct autoch_drive_devices dd;

	if (devices_unsupported)
		return 0;
	memset(&dd, 0, sizeof(dd));
	dd.element = element;
	if (ioctl(fd, AUTOCH_DRIVE_DEVICES, &dd) < 0) {
		if (errno == ENOTTY) {
			devices_unsupported = 1;
			return 0;
		}
		fail("AUTOCH_DRIVE_DEVICES");
	}
	if (dd.flags & AUTOCH_DRIVE_FOUND)
		snprintf(d->scsi, sizeof(d->scsi), "%u:%u:%u:%llu", dd.host,
			 dd.channel, dd.target, (unsigned long long)dd.lun);
	if (dd.flags & AUTOCH_DRIVE_ST)
		snprintf(d->tape, sizeof(d->tape), "/dev/n%.15s", dd.st_name);
	if (dd.flags & AUTOCH_DRIVE_SG)
		snprintf(d->sg, sizeof(d->sg), "/dev/%.15s", dd.sg_name);
	return 1;
}

static void match_tape(struct drive_info *d, const struct tape *tapes)
{
	const struct tape *t;

	if (!d->have_id)
		return;
	for (t = tapes; t; t = t->next) {
		if (pg83_matches(t, &d->id) || pg80_matches(t, d->serial)) {
			snprintf(d->tape, sizeof(d->tape), "%s", t->name);
			return;
		}
	}
}

static void json_string(const char *s)
{
	if (!s || !*s) {
		printf("null");
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void inquiry_strings(char *vendor, char *product, char *revision)
{
	union inquiry_data inq;

	if (ioctl(fd, SIOC_INQUIRY, &inq) < 0)
		fail("SIOC_INQUIRY");
	trim_copy(vendor, inq.inq2.vendor_id, 8);
	trim_copy(product, inq.inq2.product_id, 16);
	trim_copy(revision, inq.inq2.rev_num, 4);
}

int main(int argc, char **argv)
{
	struct element_addresses ea;
	struct element_status *es;
	struct drive_info drive;
	struct tape *tapes;
	char vendor[9], product[17], revision[5], barcode[33];
	int json = 0, c, t, i, nout = 0;
	struct etype types[4] = {
		{ "transport", "transport", 0, 0 },
		{ "storage", "storage", 0, 0 },
		{ "import/export", "import_export", 0, 0 },
		{ "data transfer", "data_transfer", 0, 0 },
	};

	while ((c = getopt(argc, argv, "js:h")) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 's':
			sysfs = optarg;
			break;
		default:
			fprintf(stderr, "usage: autoch-inventory [-j] [-s sysfs] [/dev/autochN]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "usage: autoch-inventory [-j] [-s sysfs] [/dev/autochN]\n");
		return 2;
	}
	device = argc > optind ? argv[optind] : getenv("LIBRARY");
	if (!device || !*device)
		device = "/dev/autoch0";

	fd = open(device, O_RDONLY);
	if (fd < 0)
		fail("open");
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		fail("SIOC_ELEMENT_ADDRESSES");
	inquiry_strings(vendor, product, revision);
	types[0].first = ea.first_transport;
	types[0].count = ea.num_transports;
	types[1].first = ea.first_storage;
	types[1].count = ea.num_storages;
	types[2].first = ea.first_import_export;
	types[2].count = ea.num_import_exports;
	types[3].first = ea.first_data_transfer;
	types[3].count = ea.num_data_transfers;
	tapes = find_tapes();

	if (json) {
		printf("{\n  \"device\": ");
		json_string(device);
		printf(",\n  \"vendor\": ");
		json_string(vendor);
		printf(",\n  \"product\": ");
		json_string(product);
		printf(",\n  \"revision\": ");
		json_string(revision);
		printf(",\n  \"elements\": [");
	} else {
		printf("%s: %s %s %s\n", device, vendor, product, revision);
		printf("%-13s %7s %5s %-5s %-16s %7s %-20s %-12s %s\n", "type",
		       "address", "slot", "state", "barcode", "source",
		       "drive serial", "tape device", "sg device");
	}

	for (t = 0; t < 4; t++) {
		if (types[t].count == 0)
			continue;
		es = calloc(types[t].count, sizeof(*es));
		if (!es)
			fail("calloc");
		read_range(types[t].first, types[t].count, es);
		for (i = 0; i < types[t].count; i++) {
			barcode_of(&es[i], barcode);
			memset(&drive, 0, sizeof(drive));
			if (t == 3) {
				read_drive_id(es[i].element, &drive);
				if (!driver_devices(es[i].element, &drive))
					match_tape(&drive, tapes);
			}
			if (json) {
				printf("%s\n    {\"type\": \"%s\", \"address\": %d, "
				       "\"slot\": %d, \"full\": %s, \"barcode\": ",
				       nout++ ? "," : "", types[t].json,
				       es[i].element, i + 1,
				       es[i].full ? "true" : "false");
				json_string(barcode);
				printf(", \"source\": ");
				if (es[i].source_valid)
					printf("%d", es[i].source_element);
				else
					printf("null");
				printf(", \"except\": %s",
				       es[i].except ? "true" : "false");
				if (es[i].except)
					printf(", \"asc\": %d, \"ascq\": %d",
					       es[i].sense_code,
					       es[i].sense_qualifier);
				if (t == 3) {
					printf(", \"serial\": ");
					json_string(drive.serial);
					printf(", \"tape\": ");
					json_string(drive.tape);
					printf(", \"sg\": ");
					json_string(drive.sg);
					printf(", \"scsi_address\": ");
					json_string(drive.scsi);
				}
				printf("}");
			} else {
				char source[8] = "-";

				if (es[i].source_valid)
					snprintf(source, sizeof(source), "%d",
						 es[i].source_element);
				printf("%-13s %7d %5d %-5s %-16s %7s %-20s %-12s %s\n",
				       types[t].name, es[i].element, i + 1,
				       es[i].full ? "FULL" : "EMPTY",
				       barcode[0] ? barcode : "-", source,
				       t == 3 && drive.serial[0] ? drive.serial : "-",
				       t == 3 && drive.tape[0] ? drive.tape : "-",
				       t == 3 && drive.sg[0] ? drive.sg : "-");
			}
		}
		free(es);
	}
	if (json)
		printf("\n  ]\n}\n");
	close(fd);
	return 0;
}
