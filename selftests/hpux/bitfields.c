// SPDX-License-Identifier: GPL-2.0
/*
 * HP-UX's union inquiry_data and union sense_data, filled with the bytes
 * a device sends, must read the same value in every field as HP-UX's
 * big-endian, high-bit-first layout gives. Built with -I include/hpux
 * alone and run natively and on a big-endian machine (check-bitfields.sh
 * runs an s390x build under qemu-user). Prints TAP; exit 0 when every
 * check passed, 1 otherwise.
 *
 * The data: standard INQUIRY data and fixed-format sense data as real
 * changers return them, one pattern with a different value in every
 * bit-field of a byte, and a walking one through every bit of each byte
 * that holds bit-fields. The expected value of a field is computed from
 * the bytes and the field's byte, high bit and width as section 1b of the
 * interface description gives them, never from the header.
 */
#include <sys/scsi.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct field {
	const char *name;
	size_t byte;		/* offset of the byte that holds the field */
	unsigned int hi;	/* its most significant bit, 7..0 */
	unsigned int width;	/* in bits; 8 for a whole byte */
	unsigned int (*get)(const unsigned char *buf);
};

/*
 * Accessors: the buffer is read through the union, as an HP-UX program
 * reads what the ioctl wrote.
 */
#define GET(u, m, f) \
	static unsigned int get_##m##_##f(const unsigned char *buf) \
	{ \
		union u d; \
		memcpy(&d, buf, sizeof(d)); \
		return d.m.f; \
	}
#define FIELD(m, f, byte, hi, width) \
	{ #m "." #f, byte, hi, width, get_##m##_##f }

GET(inquiry_data, inq2, periph_qualifier)
GET(inquiry_data, inq2, dev_type)
GET(inquiry_data, inq2, rmb)
GET(inquiry_data, inq2, dtq)
GET(inquiry_data, inq2, iso)
GET(inquiry_data, inq2, ecma)
GET(inquiry_data, inq2, ansi)
GET(inquiry_data, inq2, aenc)
GET(inquiry_data, inq2, trmiop)
GET(inquiry_data, inq2, resv1)
GET(inquiry_data, inq2, rdf)
GET(inquiry_data, inq2, added_len)
GET(inquiry_data, inq2, reladr)
GET(inquiry_data, inq2, wbus32)
GET(inquiry_data, inq2, wbus16)
GET(inquiry_data, inq2, sync)
GET(inquiry_data, inq2, linked)
GET(inquiry_data, inq2, resv3)
GET(inquiry_data, inq2, cmdque)
GET(inquiry_data, inq2, sftre)
GET(inquiry_data, inq1, dev_type)
GET(inquiry_data, inq1, rmb)
GET(inquiry_data, inq1, dtq)
GET(inquiry_data, inq1, iso)
GET(inquiry_data, inq1, ecma)
GET(inquiry_data, inq1, ansi)
GET(inquiry_data, inq1, resv)
GET(inquiry_data, inq1, rdf)
GET(inquiry_data, inq1, added_len)

static const struct field inquiry_fields[] = {
	FIELD(inq2, periph_qualifier, 0, 7, 3),
	FIELD(inq2, dev_type, 0, 4, 5),
	FIELD(inq2, rmb, 1, 7, 1),
	FIELD(inq2, dtq, 1, 6, 7),
	FIELD(inq2, iso, 2, 7, 2),
	FIELD(inq2, ecma, 2, 5, 3),
	FIELD(inq2, ansi, 2, 2, 3),
	FIELD(inq2, aenc, 3, 7, 1),
	FIELD(inq2, trmiop, 3, 6, 1),
	FIELD(inq2, resv1, 3, 5, 2),
	FIELD(inq2, rdf, 3, 3, 4),
	FIELD(inq2, added_len, 4, 7, 8),
	FIELD(inq2, reladr, 7, 7, 1),
	FIELD(inq2, wbus32, 7, 6, 1),
	FIELD(inq2, wbus16, 7, 5, 1),
	FIELD(inq2, sync, 7, 4, 1),
	FIELD(inq2, linked, 7, 3, 1),
	FIELD(inq2, resv3, 7, 2, 1),
	FIELD(inq2, cmdque, 7, 1, 1),
	FIELD(inq2, sftre, 7, 0, 1),
	FIELD(inq1, dev_type, 0, 7, 8),
	FIELD(inq1, rmb, 1, 7, 1),
	FIELD(inq1, dtq, 1, 6, 7),
	FIELD(inq1, iso, 2, 7, 2),
	FIELD(inq1, ecma, 2, 5, 3),
	FIELD(inq1, ansi, 2, 2, 3),
	FIELD(inq1, resv, 3, 7, 4),
	FIELD(inq1, rdf, 3, 3, 4),
	FIELD(inq1, added_len, 4, 7, 8),
};

GET(sense_data, r_sense2a, info_valid)
GET(sense_data, r_sense2a, error_code)
GET(sense_data, r_sense2a, seg_num)
GET(sense_data, r_sense2a, filemark)
GET(sense_data, r_sense2a, eom)
GET(sense_data, r_sense2a, ili)
GET(sense_data, r_sense2a, resv)
GET(sense_data, r_sense2a, key)
GET(sense_data, r_sense2a, add_len)
GET(sense_data, r_sense2a, code)
GET(sense_data, r_sense2a, qualifier)
GET(sense_data, r_sense2a, fru)
GET(sense_data, r_sense1a, valid)
GET(sense_data, r_sense1a, error_class)
GET(sense_data, r_sense1a, error_code)
GET(sense_data, r_sense1a, seg_num)
GET(sense_data, r_sense1a, parms)
GET(sense_data, r_sense1a, sense_key)
GET(sense_data, r_sense1a, add_len)
GET(sense_data, r_sense1a, sense_code)
GET(sense_data, r_sense1a, resv)
GET(sense_data, r_sense1a, fru)
GET(sense_data, r_sense1a, field)

static const struct field sense_fields[] = {
	FIELD(r_sense2a, info_valid, 0, 7, 1),
	FIELD(r_sense2a, error_code, 0, 6, 7),
	FIELD(r_sense2a, seg_num, 1, 7, 8),
	FIELD(r_sense2a, filemark, 2, 7, 1),
	FIELD(r_sense2a, eom, 2, 6, 1),
	FIELD(r_sense2a, ili, 2, 5, 1),
	FIELD(r_sense2a, resv, 2, 4, 1),
	FIELD(r_sense2a, key, 2, 3, 4),
	FIELD(r_sense2a, add_len, 7, 7, 8),
	FIELD(r_sense2a, code, 12, 7, 8),
	FIELD(r_sense2a, qualifier, 13, 7, 8),
	FIELD(r_sense2a, fru, 14, 7, 8),
	FIELD(r_sense1a, valid, 0, 7, 1),
	FIELD(r_sense1a, error_class, 0, 6, 3),
	FIELD(r_sense1a, error_code, 0, 3, 4),
	FIELD(r_sense1a, seg_num, 1, 7, 8),
	FIELD(r_sense1a, parms, 2, 7, 4),
	FIELD(r_sense1a, sense_key, 2, 3, 4),
	FIELD(r_sense1a, add_len, 7, 7, 8),
	FIELD(r_sense1a, sense_code, 12, 7, 8),
	FIELD(r_sense1a, resv, 13, 7, 8),
	FIELD(r_sense1a, fru, 14, 7, 8),
	FIELD(r_sense1a, field, 15, 7, 8),
};

/* Byte arrays and where they must sit in the unions. */
struct array {
	const char *name;
	size_t offset, size;
	size_t actual_offset, actual_size;
};

#define ARRAY(u, m, f, off, len) \
	{ #m "." #f, off, len, offsetof(union u, m.f), \
	  sizeof(((union u *)0)->m.f) }

static const struct array arrays[] = {
	ARRAY(inquiry_data, inq2, resv2, 5, 2),
	ARRAY(inquiry_data, inq2, vendor_id, 8, 8),
	ARRAY(inquiry_data, inq2, product_id, 16, 16),
	ARRAY(inquiry_data, inq2, rev_num, 32, 4),
	ARRAY(inquiry_data, inq2, vendor_spec, 36, 20),
	ARRAY(inquiry_data, inq2, resv4, 56, 40),
	ARRAY(inquiry_data, inq2, vendor_parm_bytes, 96, 32),
	ARRAY(inquiry_data, inq1, dev_class, 5, 3),
	ARRAY(inquiry_data, inq1, vendor_id, 8, 8),
	ARRAY(inquiry_data, inq1, product_id, 16, 16),
	ARRAY(inquiry_data, inq1, rev_num, 32, 4),
	ARRAY(inquiry_data, inq1, vendor_spec, 36, 20),
	ARRAY(inquiry_data, inq1, resv4, 56, 40),
	ARRAY(inquiry_data, inq1, vendor_parm_bytes, 96, 32),
	ARRAY(sense_data, r_sense2a, info, 3, 4),
	ARRAY(sense_data, r_sense2a, cmd_info, 8, 4),
	ARRAY(sense_data, r_sense2a, key_specific, 15, 3),
	ARRAY(sense_data, r_sense2a, add_sense_bytes, 18, 113),
	ARRAY(sense_data, r_sense1a, lba, 3, 4),
	ARRAY(sense_data, r_sense1a, copysearch, 8, 4),
	ARRAY(sense_data, r_sense1a, field_ptr, 16, 2),
	ARRAY(sense_data, r_sense1a, dev_error, 18, 4),
	ARRAY(sense_data, r_sense1a, misc_bytes, 22, 106),
};

static int test_num, failures;

static void result(int ok, const char *what)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++test_num, what);
	if (!ok)
		failures++;
}

/*
 * Every field of @fields read from @buf; one TAP line for the lot, a
 * diagnostic line for each field that reads wrong.
 */
static void check_fields(const struct field *fields, size_t n,
			 const unsigned char *buf, const char *what)
{
	unsigned int want, got;
	int bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct field *f = &fields[i];

		want = (buf[f->byte] >> (f->hi + 1 - f->width)) &
		       ((1u << f->width) - 1);
		got = f->get(buf);
		if (got != want) {
			printf("# %s: %s reads %#x, the bytes say %#x\n",
			       what, f->name, got, want);
			bad++;
		}
	}
	result(!bad, what);
}

/* Each bit of each byte that holds bit-fields, alone. */
static void walk(const struct field *fields, size_t n, size_t size,
		 const char *what)
{
	unsigned char buf[256];
	char name[96];
	size_t i;
	int bit;

	for (i = 0; i < n; i++) {
		if (fields[i].width == 8 ||
		    (i && fields[i - 1].byte == fields[i].byte))
			continue;
		for (bit = 7; bit >= 0; bit--) {
			memset(buf, 0, size);
			buf[fields[i].byte] = 1u << bit;
			snprintf(name, sizeof(name), "%s: byte %zu bit %d alone",
				 what, fields[i].byte, bit);
			check_fields(fields, n, buf, name);
		}
	}
}

/*
 * Standard INQUIRY data of a changer: peripheral type 08h, RMB, SPC-3,
 * response data format 2, HiSup, additional length 57, CmdQue; vendor,
 * product, revision; the rest as a library sends it.
 */
static const unsigned char inquiry_changer[96] = {
	0x08, 0x80, 0x05, 0x12, 0x39, 0x00, 0x00, 0x02,
	'H', 'P', ' ', ' ', ' ', ' ', ' ', ' ',
	'M', 'S', 'L', ' ', 'G', '3', ' ', 'S',
	'e', 'r', 'i', 'e', 's', ' ', ' ', ' ',
	'E', '.', '0', '0',
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x00, 0x00, 0x00, 0x77, 0x01, 0x3c, 0x04, 0x60,
};

/* A different value in every bit-field of bytes 0-3 and 7. */
static const unsigned char inquiry_distinct[8] = {
	0xa8,	/* qualifier 5, type 8 */
	0xb3,	/* rmb 1, dtq 0x33 */
	0x9d,	/* iso 2, ecma 3, ansi 5 */
	0xa6,	/* aenc 1, trmiop 0, resv1 2, rdf 6 */
	0x7b,
	0x00, 0x00,
	0xa5,	/* reladr, wbus16, resv3, sftre */
};

/*
 * Fixed-format sense data: ILLEGAL REQUEST 3B/0E (medium source element
 * empty), as a changer answers MOVE MEDIUM from an empty slot; and a
 * deferred NOT READY with FILEMARK, EOM, ILI, the information valid bit
 * and SKSV with a progress indication.
 */
static const unsigned char sense_source_empty[18] = {
	0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x3b, 0x0e, 0x00, 0x00, 0x00, 0x00,
};

static const unsigned char sense_distinct[18] = {
	0xf1, 0x5a, 0xe2, 0x00, 0x00, 0x12, 0x34, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x01, 0x33, 0x80, 0x40, 0x00,
};

int main(void)
{
	unsigned char inq[sizeof(union inquiry_data)];
	unsigned char sense[sizeof(union sense_data)];
	union inquiry_data id;
	union sense_data sd;
	size_t i;
	int bad = 0;

	printf("TAP version 13\n");
	result(sizeof(union inquiry_data) == 128 &&
	       sizeof(struct inquiry) == 128 &&
	       sizeof(struct inquiry_2) == 128,
	       "union inquiry_data, struct inquiry, struct inquiry_2: 128 bytes");
	result(sizeof(union sense_data) == 131 &&
	       sizeof(struct sense_2_aligned) == 131 &&
	       sizeof(struct xsense_aligned) == 128,
	       "union sense_data 131 bytes, sense_2_aligned 131, xsense_aligned 128");

	for (i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++) {
		if (arrays[i].actual_offset == arrays[i].offset &&
		    arrays[i].actual_size == arrays[i].size)
			continue;
		printf("# %s at %zu, %zu bytes; must be at %zu, %zu bytes\n",
		       arrays[i].name, arrays[i].actual_offset,
		       arrays[i].actual_size, arrays[i].offset, arrays[i].size);
		bad++;
	}
	result(!bad, "every byte array at its offset, with its size");

	memset(inq, 0, sizeof(inq));
	memcpy(inq, inquiry_changer, sizeof(inquiry_changer));
	check_fields(inquiry_fields, sizeof(inquiry_fields) / sizeof(inquiry_fields[0]),
		     inq, "changer INQUIRY data: every field");
	memcpy(&id, inq, sizeof(id));
	result(id.inq2.dev_type == SCSI_AUTOCHANGER &&
	       id.inq2.periph_qualifier == 0 && id.inq2.rmb == 1 &&
	       id.inq2.ansi == 5 && id.inq2.rdf == 2 && id.inq2.cmdque == 1 &&
	       id.inq1.dev_type == SCSI_AUTOCHANGER &&
	       !memcmp(id.inq2.vendor_id, "HP      ", 8) &&
	       !memcmp(id.inq1.product_id, "MSL G3 Series   ", 16) &&
	       !memcmp(id.inq2.rev_num, "E.00", 4),
	       "changer INQUIRY data: what an HP-UX changer tool tests");

	memset(inq, 0, sizeof(inq));
	memcpy(inq, inquiry_distinct, sizeof(inquiry_distinct));
	check_fields(inquiry_fields, sizeof(inquiry_fields) / sizeof(inquiry_fields[0]),
		     inq, "INQUIRY pattern: every field");
	walk(inquiry_fields, sizeof(inquiry_fields) / sizeof(inquiry_fields[0]),
	     sizeof(inq), "INQUIRY");

	memset(sense, 0, sizeof(sense));
	memcpy(sense, sense_source_empty, sizeof(sense_source_empty));
	check_fields(sense_fields, sizeof(sense_fields) / sizeof(sense_fields[0]),
		     sense, "sense 5/3B/0E: every field");
	memcpy(&sd, sense, sizeof(sd));
	result(sd.r_sense2a.error_code == S_CURRENT_ERROR &&
	       sd.r_sense2a.key == S_ILLEGAL_REQUEST &&
	       sd.r_sense2a.code == 0x3b && sd.r_sense2a.qualifier == 0x0e &&
	       sd.r_sense1a.sense_key == S_ILLEGAL_REQUEST &&
	       sd.r_sense1a.valid == 0 && sd.r_sense1a.error_class == 7 &&
	       sd.r_sense1a.sense_code == 0x3b,
	       "sense 5/3B/0E: what an HP-UX program tests");

	memset(sense, 0, sizeof(sense));
	memcpy(sense, sense_distinct, sizeof(sense_distinct));
	check_fields(sense_fields, sizeof(sense_fields) / sizeof(sense_fields[0]),
		     sense, "sense pattern: every field");
	memcpy(&sd, sense, sizeof(sd));
	result(sd.r_sense2a.info_valid && sd.r_sense2a.error_code == S_DEFERRED_ERROR &&
	       sd.r_sense2a.filemark && sd.r_sense2a.eom && sd.r_sense2a.ili &&
	       sd.r_sense2a.key == S_NOT_READY &&
	       sd.r_sense1a.parms == (FM | EOM | ILI) &&
	       sd.r_sense2a.key_specific[0] == 0x80 &&
	       sd.r_sense2a.info[3] == 0x34,
	       "sense pattern: HP-UX's names for the bits");
	walk(sense_fields, sizeof(sense_fields) / sizeof(sense_fields[0]),
	     sizeof(sense), "sense");

	printf("1..%d\n", test_num);
	printf("# %s-endian: %d of %d checks failed\n",
	       *(const unsigned char *)&(const unsigned int){ 1 } ? "little" : "big",
	       failures, test_num);
	return failures ? 1 : 0;
}
