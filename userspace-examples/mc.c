// SPDX-License-Identifier: GPL-2.0
/*
 * mc - media changer manipulation utility, HP-UX mc(1M) on Linux.
 *
 *   mc [-p device] [-a num] [-q] [-c <src_type><dst_type>]
 *   mc [-p device] [-b 0|1] [-l 0|1] [-e types]
 *   mc [-p device] [-n drive] [-r types]
 *   mc [-p device] [-k num] [-t <type><num>] [-o num]
 *   mc [-p device] -s <type><num> -d <type><num> [-s <type><num> -d <type><num>]
 *   mc -h | -?
 *
 * Element types: D data transfer (DT), I import/export (IE), M medium
 * transport (MT), S storage (ST). Slots are numbered from 1 within each
 * type: slot num of a type is element address first + num - 1 of that
 * type's range in SIOC_ELEMENT_ADDRESSES.
 *
 * HP-UX's mc sent its commands through the SCSI pass-through driver; this
 * one uses the autochanger ioctls of /dev/autochN (<sys/scsi.h>, built
 * with -I<autoch>/include/hpux alone) and Linux extensions from the
 * same header: AUTOCH_PREVENT_ALLOW (-l), AUTOCH_DRIVE_ID (-n) and, when
 * the header has it, AUTOCH_CAPABILITIES (-c), AUTOCH_OPEN_CLOSE_IE (-o,
 * -k), AUTOCH_POSITION_TO_ELEMENT (-t) and AUTOCH_DRIVE_DEVICES (the
 * drive's Linux devices after -a and -n). The output of -r and -c,
 * the ERROR lines and the exit status (0, or -1 seen as 255) are HP-UX's;
 * the output of -a, -e, -n and -q, which HP-UX does not document, is
 * described in autoch-mc.8 (installed as autoch-mc).
 *
 * The options run in this order, whatever their order on the command
 * line: -b 1, -l, -q, -a, -c, -e, -n, -k, -t, the moves in the order
 * given, -o, -r, -b 0. So "mc -s S1 -d D1 -r D" shows the drive after the
 * move, "mc -s S5 -d I1 -o 1" hands the cartridge of slot 5 out through
 * the first mail slot and "mc -k 1 -s I1 -d S5" takes it back in, and
 * "mc -b 1 -s S1 -d D1 -s D1 -d S2" holds the unit reserved for both
 * moves: autoch ties a reservation to the open file, so it ends when mc
 * exits. The first failure ends the run.
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

#define MC_EXIT_FAILURE	255	/* HP-UX mc returns -1 */
#define MAX_MOVES	2	/* -s/-d "cannot be specified more than twice" */

/* Element types in the order of mc's letters; smc is the SMC type code. */
struct mc_type {
	char letter;
	const char *name;
	int smc;
};

static const struct mc_type mc_types[] = {
	{ 'D', "DT", 4 },
	{ 'I', "IE", 3 },
	{ 'M', "MT", 1 },
	{ 'S', "ST", 2 },
};

struct mc_slot {
	const struct mc_type *type;
	int num;		/* 1-based within the type */
};

struct mc_move {
	struct mc_slot src, dst;
	int have_dst;
};

static const char *progname = "mc";
static const char *device;
static int fd = -1;
static struct element_addresses ea;
static struct autoch_xsense xs_before;	/* AUTOCH_XSENSE before the last call */

/* Sense keys (SPC-4 table 27), as HP-UX mc names them. */
static const char *const sense_keys[16] = {
	"No Sense", "Recovered Error", "Not Ready", "Medium Error",
	"Hardware Error", "Illegal Request", "Unit Attention", "Data Protect",
	"Blank Check", "Vendor Specific", "Copy Aborted", "Aborted Command",
	"Reserved", "Volume Overflow", "Miscompare", "Completed",
};

/*
 * Additional sense codes a medium changer returns (SPC-4 annex D, SMC-3
 * 5.x). ascq 0xff matches any qualifier of that code.
 */
static const struct {
	unsigned char asc, ascq;
	const char *text;
} asc_table[] = {
	{ 0x00, 0x00, "No additional sense information" },
	{ 0x04, 0x00, "Logical unit not ready, cause not reportable" },
	{ 0x04, 0x01, "Logical unit is in process of becoming ready" },
	{ 0x04, 0x02, "Logical unit not ready, initializing command required" },
	{ 0x04, 0x03, "Logical unit not ready, manual intervention required" },
	{ 0x04, 0x07, "Logical unit not ready, operation in progress" },
	{ 0x04, 0x12, "Logical unit not ready, offline" },
	{ 0x04, 0xff, "Logical unit not ready" },
	{ 0x08, 0xff, "Logical unit communication failure" },
	{ 0x15, 0x00, "Random positioning error" },
	{ 0x15, 0x01, "Mechanical positioning error" },
	{ 0x1a, 0x00, "Parameter list length error" },
	{ 0x20, 0x00, "Invalid command operation code" },
	{ 0x21, 0x01, "Invalid element address" },
	{ 0x24, 0x00, "Invalid field in CDB" },
	{ 0x25, 0x00, "Logical unit not supported" },
	{ 0x26, 0x00, "Invalid field in parameter list" },
	{ 0x26, 0xff, "Invalid parameter list" },
	{ 0x28, 0x00, "Not ready to ready change, medium may have changed" },
	{ 0x28, 0x01, "Import or export element accessed" },
	{ 0x29, 0x00, "Power on, reset, or bus device reset occurred" },
	{ 0x29, 0x01, "Power on occurred" },
	{ 0x29, 0x02, "SCSI bus reset occurred" },
	{ 0x29, 0x03, "Bus device reset function occurred" },
	{ 0x29, 0x04, "Device internal reset" },
	{ 0x29, 0xff, "Reset occurred" },
	{ 0x2a, 0x01, "Mode parameters changed" },
	{ 0x2a, 0x03, "Reservations preempted" },
	{ 0x2a, 0x04, "Reservations released" },
	{ 0x2a, 0x05, "Registrations preempted" },
	{ 0x2a, 0xff, "Parameters changed" },
	{ 0x2c, 0x00, "Command sequence error" },
	{ 0x30, 0x00, "Incompatible medium installed" },
	{ 0x3a, 0x00, "Medium not present" },
	{ 0x3b, 0x0d, "Medium Destination element full" },
	{ 0x3b, 0x0e, "Medium Source element empty" },
	{ 0x3b, 0x11, "Medium magazine not accessible" },
	{ 0x3b, 0x12, "Medium magazine removed" },
	{ 0x3b, 0x13, "Medium magazine inserted" },
	{ 0x3b, 0x14, "Medium magazine locked" },
	{ 0x3b, 0x15, "Medium magazine unlocked" },
	{ 0x3b, 0x1a, "Data transfer device removed" },
	{ 0x3b, 0x1b, "Data transfer device inserted" },
	{ 0x3b, 0xff, "Positioning error" },
	{ 0x3f, 0x00, "Target operating conditions have changed" },
	{ 0x3f, 0x01, "Microcode has been changed" },
	{ 0x3f, 0x03, "Inquiry data has changed" },
	{ 0x3f, 0x0e, "Reported LUNs data has changed" },
	{ 0x3f, 0xff, "Target operating conditions have changed" },
	{ 0x40, 0xff, "Diagnostic failure" },
	{ 0x44, 0x00, "Internal target failure" },
	{ 0x45, 0x00, "Select or reselect failure" },
	{ 0x47, 0x00, "SCSI parity error" },
	{ 0x48, 0x00, "Initiator detected error message received" },
	{ 0x49, 0x00, "Invalid message error" },
	{ 0x4e, 0x00, "Overlapped commands attempted" },
	{ 0x53, 0x00, "Media load or eject failed" },
	{ 0x53, 0x01, "Unload tape failure" },
	{ 0x53, 0x02, "Medium removal prevented" },
	{ 0x5a, 0x01, "Operator medium removal request" },
	{ 0x5d, 0xff, "Failure prediction threshold exceeded" },
	{ 0x80, 0xff, "Vendor specific" },
};

/* SCSI status bytes (SAM-5) of a failure that carries no sense data. */
static const char *status_name(int status)
{
	switch (status) {
	case 0x02: return "Check Condition";
	case 0x08: return "Busy";
	case 0x18: return "Reservation Conflict";
	case 0x28: return "Task Set Full";
	case 0x30: return "ACA Active";
	case 0x40: return "Task Aborted";
	default: return "Unknown";
	}
}

static const char *asc_text(int asc, int ascq)
{
	size_t i;

	for (i = 0; i < sizeof(asc_table) / sizeof(asc_table[0]); i++) {
		if (asc_table[i].asc == asc && asc_table[i].ascq == ascq)
			return asc_table[i].text;
	}
	for (i = 0; i < sizeof(asc_table) / sizeof(asc_table[0]); i++) {
		if (asc_table[i].asc == asc && asc_table[i].ascq == 0xff)
			return asc_table[i].text;
	}
	if (asc >= 0x80 || ascq >= 0x80)
		return "Vendor specific";
	return "Unknown additional sense code";
}

/* "ERROR: <text>" and the HP-UX exit status. */
__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("ERROR: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(MC_EXIT_FAILURE);
}

/*
 * ioctl() on the changer, remembering AUTOCH_XSENSE as it was before, so
 * that die_ioctl() can tell whether this call is the one that left it.
 */
static int xioctl(unsigned long request, void *arg)
{
	int ret, err;

	memset(&xs_before, 0, sizeof(xs_before));
	if (ioctl(fd, AUTOCH_XSENSE, &xs_before) < 0)
		memset(&xs_before, 0, sizeof(xs_before));
	wait_begin();
	ret = ioctl(fd, request, arg);
	err = errno;
	wait_end();
	errno = err;
	return ret;
}

/*
 * A call on the changer (made with xioctl()) failed with errno @err. When
 * it sent a command that failed, AUTOCH_XSENSE has the details, and the
 * line is HP-UX's:
 * "ERROR: 0x5 Illegal Request: 0x3b0d Medium Destination element full".
 * A call rejected before anything was sent (an address outside the map,
 * a move page 1Fh forbids) leaves AUTOCH_XSENSE as it was: then the errno
 * text, "ERROR: Invalid argument".
 */
static void die_ioctl(int err)
{
	struct autoch_xsense xs;
	const unsigned char *s = xs.sense;
	int key = -1, asc = 0, ascq = 0;

	memset(&xs, 0, sizeof(xs));
	if (ioctl(fd, AUTOCH_XSENSE, &xs) < 0 || !xs.valid || xs.error != err ||
	    !memcmp(&xs, &xs_before, sizeof(xs)))
		die("%s", strerror(err));

	if (xs.sense_len >= 14 && ((s[0] & 0x7f) == 0x70 || (s[0] & 0x7f) == 0x71)) {
		key = s[2] & 0x0f;
		asc = s[12];
		ascq = s[13];
	} else if (xs.sense_len >= 4 && ((s[0] & 0x7f) == 0x72 || (s[0] & 0x7f) == 0x73)) {
		key = s[1] & 0x0f;
		asc = s[2];
		ascq = s[3];
	} else if (xs.sense_len >= 3) {
		/* fixed format cut short: the key is there, the codes not */
		key = s[2] & 0x0f;
	}

	if (key >= 0)
		die("0x%x %s: 0x%02x%02x %s", key, sense_keys[key], asc, ascq,
		    asc_text(asc, ascq));
	if (xs.status && xs.status != 0x02)
		die("status 0x%x %s: %s", xs.status, status_name(xs.status),
		    strerror(err));
	if (xs.host_status)
		die("host status 0x%x: %s", xs.host_status, strerror(err));
	die("%s", strerror(err));
}

static void usage(FILE *out, int full)
{
	fprintf(out,
		"usage: %s [-p device] [-a num] [-q] [-c <src_type><dest_type>]\n"
		"       %s [-p device] [-b 0|1] [-l 0|1] [-e element_type]\n"
		"       %s [-p device] [-n drive_number] [-r element_type]\n"
		"       %s [-p device] -s <element_type><num> -d <element_type><num>\n"
		"       %s [-p device] [-k num] [-t <element_type><num>] [-o num]\n"
		"       %s [-h | -?]\n",
		progname, progname, progname, progname, progname, progname);
	if (!full)
		return;
	fprintf(out,
		"element types: D data transfer (DT), I import/export (IE),\n"
		"               M medium transport (MT), S storage (ST)\n"
		"-a num   print the SCSI bus address of drive num\n"
		"-b 0|1   release (0) or reserve (1) the media changer\n"
		"-c XY    print whether a move from type X to type Y is valid\n"
		"-e types print the number of elements of each type\n"
		"-k num   close and lock import/export element num (the mail slot)\n"
		"-l 0|1   allow (0) or prevent (1) media removal\n"
		"-n num   print the serial number of drive num\n"
		"-o num   open import/export element num for the operator\n"
		"-p dev   media changer device (default: $LIBRARY)\n"
		"-q       print the vendor, product and revision of the changer\n"
		"-r types print the status (FULL or EMPTY) of every element of each type\n"
		"-s Tn    source of a move: slot n of type T (twice at most)\n"
		"-t Tn    position the first transport at slot n of type T\n"
		"-d Tn    destination of the move given by the -s before it\n"
		"without -p, the LIBRARY environment variable names the device\n");
}

__attribute__((noreturn, format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr, 0);
	exit(MC_EXIT_FAILURE);
}

static const struct mc_type *find_type(char letter)
{
	size_t i;

	for (i = 0; i < sizeof(mc_types) / sizeof(mc_types[0]); i++) {
		if (mc_types[i].letter == letter)
			return &mc_types[i];
	}
	return NULL;
}

/* Every character of @arg must be a type letter; @opt names the option. */
static void check_types(const char *arg, char opt)
{
	const char *p;

	if (!*arg)
		usage_error("-%c needs element types (D, I, M, S)", opt);
	for (p = arg; *p; p++) {
		if (!find_type(*p))
			usage_error("-%c: '%c' is not an element type (D, I, M, S)",
				    opt, *p);
	}
}

/* A decimal number >= 1; 0 when @s is anything else. */
static int parse_num(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return 0;
	return v;
}

static void parse_slot(const char *arg, char opt, struct mc_slot *slot)
{
	slot->type = find_type(arg[0]);
	slot->num = slot->type ? parse_num(arg + 1) : 0;
	if (!slot->type || !slot->num)
		usage_error("-%c %s: expected <element_type><num>, e.g. S2 or D1",
			    opt, arg);
}

static int parse_bool(const char *arg, char opt)
{
	if (strcmp(arg, "0") && strcmp(arg, "1"))
		usage_error("-%c takes 0 or 1", opt);
	return arg[0] == '1';
}

static void type_range(const struct mc_type *t, int *first, int *count)
{
	switch (t->letter) {
	case 'D':
		*first = ea.first_data_transfer;
		*count = ea.num_data_transfers;
		break;
	case 'I':
		*first = ea.first_import_export;
		*count = ea.num_import_exports;
		break;
	case 'M':
		*first = ea.first_transport;
		*count = ea.num_transports;
		break;
	default:
		*first = ea.first_storage;
		*count = ea.num_storages;
		break;
	}
}

/* The element address of a slot; a slot the changer does not have is EINVAL. */
static int slot_address(const struct mc_slot *slot)
{
	int first, count;

	type_range(slot->type, &first, &count);
	if (slot->num > count)
		die("%s", strerror(EINVAL));
	return first + slot->num - 1;
}

static void get_status(int address, struct element_status *es)
{
	memset(es, 0, sizeof(*es));
	es->element = address;
	if (xioctl(SIOC_ELEMENT_STATUS, es) < 0)
		die_ioctl(errno);
}

/* Copy @len bytes of @src to @dst as a string without trailing blanks. */
static void trim_copy(char *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	while (len > 0 && (dst[len - 1] == ' ' || dst[len - 1] == '\0'))
		dst[--len] = '\0';
}

static void do_reserve(int reserve)
{
	struct reservation_parms rp;

	memset(&rp, 0, sizeof(rp));
	rp.all_elements = 1;
	if (xioctl(reserve ? SIOC_RESERVE : SIOC_RELEASE, &rp) < 0)
		die_ioctl(errno);
}

static void do_prevent(int prevent)
{
	__u32 arg = prevent;

	if (xioctl(AUTOCH_PREVENT_ALLOW, &arg) < 0)
		die_ioctl(errno);
}

static void do_inquiry(void)
{
	union inquiry_data inq;
	char vendor[9], product[17], revision[5];

	if (xioctl(SIOC_INQUIRY, &inq) < 0)
		die_ioctl(errno);
	/* data beyond the device's is zero, so short data prints empty */
	trim_copy(vendor, inq.inq2.vendor_id, 8);
	trim_copy(product, inq.inq2.product_id, 16);
	trim_copy(revision, inq.inq2.rev_num, 4);
	printf("Vendor ID: %s\n", vendor);
	printf("Product ID: %s\n", product);
	printf("Product Revision: %s\n", revision);
}

/*
 * After -a and -n: the Linux devices of the drive, when the driver knows
 * them (AUTOCH_DRIVE_DEVICES: the SCSI device whose identifier is the one
 * the changer reports), as "DT_slot_N: H:C:T:L /dev/nstM /dev/stM
 * /dev/sgK" with the nodes the drive has. Nothing when the driver does not
 * know them or has no such call.
 */
static void print_devices(int num)
{
#ifdef AUTOCH_DRIVE_DEVICES
	struct mc_slot slot = { find_type('D'), num };
	struct autoch_drive_devices dd;

	memset(&dd, 0, sizeof(dd));
	dd.element = slot_address(&slot);
	if (ioctl(fd, AUTOCH_DRIVE_DEVICES, &dd) < 0 ||
	    !(dd.flags & AUTOCH_DRIVE_FOUND))
		return;
	printf("DT_slot_%d: %u:%u:%u:%llu", num, dd.host, dd.channel,
	       dd.target, (unsigned long long)dd.lun);
	if (dd.flags & AUTOCH_DRIVE_ST)
		printf(" /dev/n%.15s /dev/%.15s", dd.st_name, dd.st_name);
	if (dd.flags & AUTOCH_DRIVE_SG)
		printf(" /dev/%.15s", dd.sg_name);
	printf("\n");
#else
	(void)num;
#endif
}

static void do_bus_address(int num)
{
	struct mc_slot slot = { find_type('D'), num };
	struct element_status es;

	get_status(slot_address(&slot), &es);
	if (!es.id_valid || es.not_bus) {
		print_devices(num);
		die("DT_slot_%d: the changer reports no SCSI bus address", num);
	}
	printf("%d\n", es.bus_address);
	print_devices(num);
}

static void do_capability(const char *pair)
{
#ifdef AUTOCH_CAPABILITIES
	const struct mc_type *src = find_type(pair[0]);
	const struct mc_type *dst = find_type(pair[1]);
	struct autoch_capabilities caps;

	memset(&caps, 0, sizeof(caps));
	if (xioctl(AUTOCH_CAPABILITIES, &caps) < 0)
		die_ioctl(errno);
	printf("%s->%s: %s\n", src->name, dst->name,
	       caps.move_from[src->smc - 1] & (1 << (dst->smc - 1)) ?
	       "TRUE" : "FALSE");
#else
	(void)pair;
	die("-c needs the device capabilities page (1Fh), and this "
	    "<sys/scsi.h> has no AUTOCH_CAPABILITIES: %s", strerror(ENOTSUP));
#endif
}

static void do_counts(const char *types)
{
	const char *p;
	int first, count;

	for (p = types; *p; p++) {
		type_range(find_type(*p), &first, &count);
		printf("%s: %d\n", find_type(*p)->name, count);
	}
}

/*
 * The drive's serial number from its identifier (DVCID). A T10 vendor
 * identification (type 1) is vendor (8), product (16), serial: the serial
 * is what follows the first 24 bytes. A binary identifier prints in hex.
 */
static void do_serial(int num)
{
	struct mc_slot slot = { find_type('D'), num };
	struct autoch_drive_id id;
	char text[sizeof(id.id) * 2 + 1];
	size_t len, off = 0, i;

	memset(&id, 0, sizeof(id));
	id.element = slot_address(&slot);
	if (xioctl(AUTOCH_DRIVE_ID, &id) < 0)
		die_ioctl(errno);
	len = id.id_len < sizeof(id.id) ? id.id_len : sizeof(id.id);
	if (id.code_set == 1) {
		for (i = 0; i < len; i++)
			sprintf(text + 2 * i, "%02x", id.id[i]);
		text[2 * len] = '\0';
	} else {
		if (id.id_type == 1 && len > 24)
			off = 24;
		trim_copy(text, id.id + off, len - off);
		while (text[0] == ' ')
			memmove(text, text + 1, strlen(text));
	}
	if (!text[0])
		die("DT_slot_%d: the changer reports no drive serial number", num);
	printf("%s\n", text);
	print_devices(num);
}

static void do_move(const struct mc_move *mv)
{
	struct move_medium_parms mp;

	if (ea.num_transports == 0)
		die("%s", strerror(EINVAL));
	memset(&mp, 0, sizeof(mp));
	mp.transport = ea.first_transport;
	mp.source = slot_address(&mv->src);
	mp.destination = slot_address(&mv->dst);
	mp.invert = 0;
	if (xioctl(SIOC_MOVE_MEDIUM, &mp) < 0)
		die_ioctl(errno);
}

/*
 * The mail slot (-o, -k): OPEN/CLOSE IMPORT/EXPORT ELEMENT. The driver
 * wants a descriptor opened for writing (or CAP_SYS_ADMIN); a changer
 * without the command says EOPNOTSUPP.
 */
static void do_mail_slot(int num, int open_it)
{
#ifdef AUTOCH_OPEN_CLOSE_IE
	struct mc_slot slot = { find_type('I'), num };
	struct autoch_open_close_ie oc;

	memset(&oc, 0, sizeof(oc));
	oc.element = slot_address(&slot);
	oc.action = open_it ? AUTOCH_IE_OPEN : AUTOCH_IE_CLOSE;
	if (xioctl(AUTOCH_OPEN_CLOSE_IE, &oc) < 0)
		die_ioctl(errno);
#else
	(void)num;
	(void)open_it;
	die("this <sys/scsi.h> has no AUTOCH_OPEN_CLOSE_IE: %s",
	    strerror(ENOTSUP));
#endif
}

/* -t: POSITION TO ELEMENT with the first transport. */
static void do_position(const struct mc_slot *slot)
{
#ifdef AUTOCH_POSITION_TO_ELEMENT
	struct autoch_position pos;

	if (ea.num_transports == 0)
		die("%s", strerror(EINVAL));
	memset(&pos, 0, sizeof(pos));
	pos.transport = ea.first_transport;
	pos.destination = slot_address(slot);
	if (xioctl(AUTOCH_POSITION_TO_ELEMENT, &pos) < 0)
		die_ioctl(errno);
#else
	(void)slot;
	die("this <sys/scsi.h> has no AUTOCH_POSITION_TO_ELEMENT: %s",
	    strerror(ENOTSUP));
#endif
}

static void do_report(const char *types)
{
	struct element_status es;
	const struct mc_type *t;
	const char *p;
	int first, count, i;

	for (p = types; *p; p++) {
		t = find_type(*p);
		type_range(t, &first, &count);
		for (i = 0; i < count; i++) {
			get_status(first + i, &es);
			printf("%s_slot_%d %s\n", t->name, i + 1,
			       es.full ? "FULL" : "EMPTY");
		}
	}
}

int main(int argc, char **argv)
{
	struct mc_move moves[MAX_MOVES];
	const char *counts = NULL, *report = NULL, *caps = NULL;
	int bus_num = 0, serial_num = 0, inquiry = 0;
	int reserve = -1, prevent = -1, nmoves = 0, c, i;
	int open_num = 0, close_num = 0, position = 0;
	struct mc_slot pos_slot;

	if (argv[0] && strrchr(argv[0], '/'))
		progname = strrchr(argv[0], '/') + 1;
	else if (argv[0] && argv[0][0])
		progname = argv[0];

	memset(moves, 0, sizeof(moves));
	opterr = 0;
	while ((c = getopt(argc, argv, ":p:a:qc:b:l:e:n:r:s:d:o:k:t:h")) != -1) {
		switch (c) {
		case 'p':
			device = optarg;
			break;
		case 'a':
			bus_num = parse_num(optarg);
			if (!bus_num)
				usage_error("-a takes a drive number from 1");
			break;
		case 'q':
			inquiry = 1;
			break;
		case 'c':
			if (strlen(optarg) != 2 || !find_type(optarg[0]) ||
			    !find_type(optarg[1]))
				usage_error("-c takes two element types, e.g. -c DS");
			caps = optarg;
			break;
		case 'b':
			reserve = parse_bool(optarg, 'b');
			break;
		case 'l':
			prevent = parse_bool(optarg, 'l');
			break;
		case 'e':
			check_types(optarg, 'e');
			counts = optarg;
			break;
		case 'n':
			serial_num = parse_num(optarg);
			if (!serial_num)
				usage_error("-n takes a drive number from 1");
			break;
		case 'o':
			open_num = parse_num(optarg);
			if (!open_num)
				usage_error("-o takes an import/export element number from 1");
			break;
		case 'k':
			close_num = parse_num(optarg);
			if (!close_num)
				usage_error("-k takes an import/export element number from 1");
			break;
		case 't':
			parse_slot(optarg, 't', &pos_slot);
			position = 1;
			break;
		case 'r':
			check_types(optarg, 'r');
			report = optarg;
			break;
		case 's':
			if (nmoves > 0 && !moves[nmoves - 1].have_dst)
				usage_error("-s %s: the -s before it has no -d",
					    optarg);
			if (nmoves == MAX_MOVES)
				usage_error("-s and -d cannot be given more than twice");
			parse_slot(optarg, 's', &moves[nmoves].src);
			nmoves++;
			break;
		case 'd':
			if (nmoves == 0 || moves[nmoves - 1].have_dst)
				usage_error("-d %s: no -s before it", optarg);
			parse_slot(optarg, 'd', &moves[nmoves - 1].dst);
			moves[nmoves - 1].have_dst = 1;
			break;
		case 'h':
			usage(stdout, 1);
			return 0;
		case ':':
			usage_error("-%c needs an argument", optopt);
			break;
		default:
			if (optopt == '?') {
				usage(stdout, 1);
				return 0;
			}
			usage_error("unknown option -%c", optopt);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument %s", argv[optind]);
	if (nmoves > 0 && !moves[nmoves - 1].have_dst)
		usage_error("-s needs a -d");
	if (reserve < 0 && prevent < 0 && !inquiry && !bus_num && !caps &&
	    !counts && !serial_num && !nmoves && !report && !open_num &&
	    !close_num && !position)
		usage_error("nothing to do");

	if (!device) {
		device = getenv("LIBRARY");
		/*
		 * HP-UX prints exactly this "if the LIBRARY environment
		 * variable is not set and no other device file is specified"
		 */
		if (!device || !*device)
			die("%s", strerror(ENOENT));
	}
	/*
	 * Read-only, as HP-UX tools open a changer: the node's mode decides.
	 * The mail slot is the operator's: the driver wants a writer's
	 * descriptor for it, or CAP_SYS_ADMIN when only reading is allowed.
	 */
	fd = -1;
	if (open_num || close_num)
		fd = open(device, O_RDWR);
	if (fd < 0)
		fd = open(device, O_RDONLY);
	if (fd < 0)
		die("%s: %s", device, strerror(errno));
	/* a call that takes long says so on stderr */
	waiting_start(progname, fd);
	if (xioctl(SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		die_ioctl(errno);

	if (reserve == 1)
		do_reserve(1);
	if (prevent >= 0)
		do_prevent(prevent);
	if (inquiry)
		do_inquiry();
	if (bus_num)
		do_bus_address(bus_num);
	if (caps)
		do_capability(caps);
	if (counts)
		do_counts(counts);
	if (serial_num)
		do_serial(serial_num);
	if (close_num)
		do_mail_slot(close_num, 0);
	if (position)
		do_position(&pos_slot);
	for (i = 0; i < nmoves; i++)
		do_move(&moves[i]);
	if (open_num)
		do_mail_slot(open_num, 1);
	if (report)
		do_report(report);
	if (reserve == 0)
		do_reserve(0);

	if (fflush(stdout) == EOF || ferror(stdout))
		die("%s", strerror(errno ? errno : EIO));
	close(fd);
	return 0;
}
