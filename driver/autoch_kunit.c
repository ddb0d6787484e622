// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the parts of autoch that need no device: the sense table
 * and the midlayer result, the READ ELEMENT STATUS parser, CDB and
 * allocation length, volume tags, the element_status bit mapping and the
 * persistent reservation types; and the suite "autoch", which lists them
 * and, last, the fuzz cases of autoch_kunit_fuzz.c (module parameter
 * fuzz=1).
 *
 * It is linked into autoch.ko when the build sets CONFIG_AUTOCH_KUNIT_TEST=y
 * (driver/Kbuild), against a kernel with CONFIG_KUNIT, where the helpers it
 * calls are visible (VISIBLE_IF_KUNIT, declared in autoch.h). The suite
 * runs when the module is loaded and prints KTAP to the kernel log (make
 * check-debug).
 *
 * Expected values are written out from the documentation
 * (Documentation/autochanger-ioctl.rst, SMC-3, SPC-4), not computed from
 * the driver's own tables, except where a test checks the tables against
 * themselves (no row shadowed by an earlier one).
 *
 * The parser is fed replies in buffers of exactly the length that
 * "arrived", so that under KASAN a read past them is a report.
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/moduleparam.h>
#include <linux/pr.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"
#include "autoch_kunit.h"

/* ---- sense data and midlayer results ---- */

struct autoch_test_sense {
	u8 key;
	u8 asc;
	u8 ascq;
	int err;
};

static const struct autoch_test_sense autoch_test_senses[] = {
	{ ILLEGAL_REQUEST, 0x20, 0x00, -EOPNOTSUPP },
	{ ILLEGAL_REQUEST, 0x20, 0x01, -EIO },
	{ ILLEGAL_REQUEST, 0x21, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x21, 0x01, -EINVAL },
	{ ILLEGAL_REQUEST, 0x24, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x24, 0x07, -EINVAL },
	{ ILLEGAL_REQUEST, 0x26, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x26, 0x02, -EINVAL },
	{ ILLEGAL_REQUEST, 0x25, 0x00, -EIO },
	{ ILLEGAL_REQUEST, 0x3b, 0x0d, -EXFULL },
	{ ILLEGAL_REQUEST, 0x3b, 0x0e, -ENOMEDIUM },
	{ ILLEGAL_REQUEST, 0x3b, 0x0f, -EIO },
	{ ILLEGAL_REQUEST, 0x3b, 0x00, -EIO },
	{ ILLEGAL_REQUEST, 0x53, 0x02, -EBUSY },
	{ ILLEGAL_REQUEST, 0x53, 0x00, -EIO },
	{ NOT_READY, 0x04, 0x01, -EBUSY },
	{ NOT_READY, 0x04, 0x03, -EBUSY },
	{ NOT_READY, 0x3a, 0x00, -EBUSY },
	{ NOT_READY, 0x00, 0x00, -EBUSY },
	{ UNIT_ATTENTION, 0x29, 0x00, -ECONNRESET },
	{ UNIT_ATTENTION, 0x29, 0x02, -ECONNRESET },
	{ UNIT_ATTENTION, 0x28, 0x00, -EIO },
	{ UNIT_ATTENTION, 0x2a, 0x01, -EIO },
	{ HARDWARE_ERROR, 0x15, 0x01, -EIO },
	{ HARDWARE_ERROR, 0x3b, 0x0e, -EIO },
	{ MEDIUM_ERROR, 0x00, 0x00, -EIO },
	{ ABORTED_COMMAND, 0x00, 0x00, -EIO },
	{ ABORTED_COMMAND, 0x20, 0x00, -EIO },
	{ NO_SENSE, 0x00, 0x00, -EIO },
	{ RECOVERED_ERROR, 0x00, 0x00, -EIO },
	{ DATA_PROTECT, 0x27, 0x00, -EIO },
};

static void autoch_test_sshdr(struct scsi_sense_hdr *sshdr, u8 key, u8 asc,
			      u8 ascq)
{
	memset(sshdr, 0, sizeof(*sshdr));
	sshdr->response_code = 0x70;
	sshdr->sense_key = key;
	sshdr->asc = asc;
	sshdr->ascq = ascq;
}

/* The documented mapping, condition by condition. */
static void autoch_test_sense_documented(struct kunit *test)
{
	const struct autoch_test_sense *t;
	struct scsi_sense_hdr sshdr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoch_test_senses); i++) {
		t = &autoch_test_senses[i];
		autoch_test_sshdr(&sshdr, t->key, t->asc, t->ascq);
		KUNIT_EXPECT_EQ_MSG(test, autoch_sense_to_errno(&sshdr), t->err,
				    "sense %x/%02x/%02x", t->key, t->asc, t->ascq);
	}
}

/* Does a row before @n match this sense data? */
static bool autoch_test_shadowed(unsigned int n, u8 key, u8 asc, u8 ascq)
{
	const struct autoch_sense_errno *row;
	unsigned int i;

	for (i = 0; i < n; i++) {
		row = autoch_sense_row(i);
		if (row->key == key &&
		    (row->asc == AUTOCH_ANY || row->asc == asc) &&
		    (row->ascq == AUTOCH_ANY || row->ascq == ascq))
			return true;
	}
	return false;
}

/*
 * Every row of the table is reachable and gives its own errno: sense data
 * that matches a row exactly, with its ASC/ASCQ wildcards replaced by
 * sample values that no earlier row takes.
 */
static void autoch_test_sense_rows(struct kunit *test)
{
	static const u8 anys[] = { 0x00, 0x01, 0x04, 0x7e, 0xfe };
	const struct autoch_sense_errno *row;
	struct scsi_sense_hdr sshdr;
	unsigned int i, a, q, tried;
	u8 asc, ascq;

	for (i = 0; (row = autoch_sense_row(i)); i++) {
		KUNIT_EXPECT_GT(test, row->err, 0);
		tried = 0;
		for (a = 0; a < ARRAY_SIZE(anys); a++) {
			for (q = 0; q < ARRAY_SIZE(anys); q++) {
				asc = row->asc == AUTOCH_ANY ? anys[a] : row->asc;
				ascq = row->ascq == AUTOCH_ANY ? anys[q] : row->ascq;
				if (autoch_test_shadowed(i, row->key, asc, ascq))
					continue;
				tried++;
				autoch_test_sshdr(&sshdr, row->key, asc, ascq);
				KUNIT_EXPECT_EQ_MSG(test,
						    autoch_sense_to_errno(&sshdr),
						    -row->err, "row %u: %x/%02x/%02x",
						    i, row->key, asc, ascq);
			}
		}
		KUNIT_EXPECT_GT_MSG(test, tried, 0U, "row %u is shadowed", i);
	}
}

static void autoch_test_result(struct kunit *test)
{
	struct scsi_sense_hdr sshdr, invalid = {};
	int cc = SAM_STAT_CHECK_CONDITION;

	autoch_test_sshdr(&sshdr, ILLEGAL_REQUEST, 0x3b, 0x0e);

	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0, NULL), 0);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0, &sshdr), 0);

	/* no command could be issued */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-ENODEV, NULL), -ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-ENOMEM, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-EIO, &sshdr), -EIO);

	/* the host byte comes first, whatever the status says */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TIME_OUT << 16, NULL),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TIME_OUT << 16 | cc,
						     &sshdr), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_NO_CONNECT << 16, NULL),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_BAD_TARGET << 16, NULL),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0x11 << 16, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_ERROR << 16, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_ABORT << 16, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_RESET << 16 | cc,
						     &sshdr), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TRANSPORT_DISRUPTED << 16,
						     NULL), -EIO);

	/* status byte */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_RESERVATION_CONFLICT,
						     NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_BUSY, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_TASK_SET_FULL, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_TASK_ABORTED, NULL),
			-EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), -ENOMEDIUM);
	/* CHECK CONDITION without (valid) sense data is still a failure */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &invalid), -EIO);
	invalid.sense_key = ILLEGAL_REQUEST;
	invalid.asc = 0x3b;
	invalid.ascq = 0x0e;
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &invalid), -EIO);

	/* SPC-4 4.5.6: RECOVERED ERROR, the command completed */
	autoch_test_sshdr(&sshdr, RECOVERED_ERROR, 0x17, 0x01);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), 0);
	autoch_test_sshdr(&sshdr, RECOVERED_ERROR, 0x5d, 0x00);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), 0);
}

static void autoch_test_sense_len(struct kunit *test)
{
	u8 sense[SCSI_SENSE_BUFFERSIZE] = {};

	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
	sense[0] = 0x70;
	sense[7] = 10;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 18U);
	sense[0] = 0xf0;	/* VALID bit */
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 18U);
	sense[0] = 0x72;
	sense[7] = 0;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 8U);
	sense[7] = 0xff;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), (unsigned int)SCSI_SENSE_BUFFERSIZE);
	sense[0] = 0x74;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
	sense[0] = 0x7f;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
}

/* The progress indication of NOT READY sense, fixed and descriptor. */
static void autoch_test_sense_progress(struct kunit *test)
{
	u8 sense[SCSI_SENSE_BUFFERSIZE] = {};

	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	/* fixed: SKSV and bytes 16-17 */
	sense[0] = 0x70;
	sense[2] = NOT_READY;
	sense[7] = 10;
	sense[12] = 0x04;
	sense[13] = 0x01;
	sense[16] = 0x40;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	sense[15] = 0x80;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), 0x4000);
	/* the bytes must be there */
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 17), -1);
	sense[7] = 6;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);

	/*
	 * descriptor: a sense-key specific descriptor (02h, SPC-4 4.5.2.5):
	 * SKSV in its byte 4, the progress in bytes 5-6
	 */
	memset(sense, 0, sizeof(sense));
	sense[0] = 0x72;
	sense[1] = NOT_READY;
	sense[2] = 0x04;
	sense[3] = 0x01;
	sense[7] = 8;
	sense[8] = 0x02;
	sense[9] = 6;
	sense[12] = 0x80;
	sense[13] = 0xff;
	sense[14] = 0xff;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), 0xffff);
	sense[12] = 0;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	sense[12] = 0x80;
	sense[8] = 0x03;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 4), -1);
	/* a descriptor cut off by the end of the buffer */
	sense[8] = 0x02;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 14), -1);
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 15), 0xffff);
}

/* ---- volume tags, descriptors ---- */

static void autoch_test_voltag_blank(struct kunit *test)
{
	u8 tag[AUTOCH_VOLTAG_LEN];

	memset(tag, ' ', sizeof(tag));
	KUNIT_EXPECT_TRUE(test, autoch_voltag_blank(tag));
	memset(tag, 0, sizeof(tag));
	KUNIT_EXPECT_TRUE(test, autoch_voltag_blank(tag));
	memset(tag, ' ', 16);
	KUNIT_EXPECT_TRUE(test, autoch_voltag_blank(tag));

	/* the sequence number (bytes 32-35) is not part of the identifier */
	memset(tag, ' ', 32);
	memset(tag + 32, 0x5a, 4);
	KUNIT_EXPECT_TRUE(test, autoch_voltag_blank(tag));

	memset(tag, ' ', sizeof(tag));
	tag[0] = 'A';
	KUNIT_EXPECT_FALSE(test, autoch_voltag_blank(tag));
	memset(tag, ' ', sizeof(tag));
	tag[31] = '1';
	KUNIT_EXPECT_FALSE(test, autoch_voltag_blank(tag));
	memset(tag, 0, sizeof(tag));
	tag[15] = 0x01;
	KUNIT_EXPECT_FALSE(test, autoch_voltag_blank(tag));
}

/* A 36-byte volume tag: @id space padded to 32 bytes, then @seq. */
void autoch_test_tag(u8 *dst, const char *id, u8 seq)
{
	memset(dst, ' ', 32);
	memcpy(dst, id, strlen(id));
	dst[32] = 0;
	dst[33] = 0;
	dst[34] = 0;
	dst[35] = seq;
}

/* Longer than 60 lines: one case after another, each a few lines. */
static void autoch_test_parse_desc(struct kunit *test)
{
	u8 d[AUTOCH_DESC_MIN_LEN + 2 * AUTOCH_VOLTAG_LEN] = {};
	u8 ptag[AUTOCH_VOLTAG_LEN], atag[AUTOCH_VOLTAG_LEN];
	u8 zero[AUTOCH_VOLTAG_LEN] = {};
	struct autoch_elem e;

	put_unaligned_be16(1030, d);
	d[2] = 0x3f;
	d[3] = 0xee;		/* reserved: ignored */
	d[4] = 0x83;
	d[5] = 0x04;
	d[6] = 0xb5;
	d[7] = 0x07;
	d[8] = 0xee;		/* reserved */
	d[9] = 0xc0;
	put_unaligned_be16(1025, d + 10);
	autoch_test_tag(ptag, "ACT001", 1);
	autoch_test_tag(atag, "ALT001", 2);
	memcpy(d + 12, ptag, sizeof(ptag));
	memcpy(d + 48, atag, sizeof(atag));

	memset(&e, 0xaa, sizeof(e));
	autoch_parse_desc(&e, d, sizeof(d), true, true);
	KUNIT_EXPECT_EQ(test, e.gen, 0U);
	KUNIT_EXPECT_EQ(test, e.when, 0UL);
	KUNIT_EXPECT_EQ(test, e.flags, 0x3f);
	KUNIT_EXPECT_EQ(test, e.asc, 0x83);
	KUNIT_EXPECT_EQ(test, e.ascq, 0x04);
	KUNIT_EXPECT_EQ(test, e.id_flags, 0xb5);
	KUNIT_EXPECT_EQ(test, e.bus_addr, 0x07);
	KUNIT_EXPECT_EQ(test, e.src_flags, 0xc0);
	KUNIT_EXPECT_EQ(test, e.src, 1025);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, ptag, sizeof(ptag)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, atag, sizeof(atag)), 0);

	/* PVolTag without AVolTag: the alternate tag is not read */
	autoch_parse_desc(&e, d, sizeof(d), true, false);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, ptag, sizeof(ptag)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, zero, sizeof(zero)), 0);

	/* AVolTag alone: the alternate tag is at byte 12 */
	autoch_parse_desc(&e, d, sizeof(d), false, true);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, ptag, sizeof(ptag)), 0);

	/* both flags, room for the primary tag only */
	autoch_parse_desc(&e, d, AUTOCH_DESC_MIN_LEN + AUTOCH_VOLTAG_LEN,
			  true, true);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, ptag, sizeof(ptag)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, zero, sizeof(zero)), 0);

	/* flags set, no room for any tag: no tag, nothing read past dlen */
	autoch_parse_desc(&e, d, AUTOCH_DESC_MIN_LEN + AUTOCH_VOLTAG_LEN - 1,
			  true, true);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_EQ(test, e.src, 1025);

	/* all-space and all-NUL identifiers read as no tag */
	autoch_test_tag(d + 12, "", 7);
	memset(d + 48, 0, AUTOCH_VOLTAG_LEN);
	autoch_parse_desc(&e, d, sizeof(d), true, true);
	KUNIT_EXPECT_EQ(test, memcmp(e.pvoltag, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(e.avoltag, zero, sizeof(zero)), 0);
}

/* ---- READ ELEMENT STATUS replies ---- */

#define AUTOCH_TEST_BUF_LEN	2048

/* A reply under construction: report header, pages, descriptors. */
struct autoch_test_res {
	u8 buf[AUTOCH_TEST_BUF_LEN];
	unsigned int len;
	unsigned int page;	/* offset of the open page header */
	unsigned int dlen;
};

/* A reply buffer for the case, freed with it. */
static struct autoch_test_res *autoch_test_res_new(struct kunit *test)
{
	struct autoch_test_res *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	return r;
}

static void autoch_test_res_begin(struct autoch_test_res *r)
{
	memset(r, 0, sizeof(*r));
	r->len = AUTOCH_RES_HDR_LEN;
}

static void autoch_test_res_page(struct autoch_test_res *r, u8 type,
				 bool pvol, bool avol, unsigned int dlen)
{
	u8 *ph = r->buf + r->len;

	ph[0] = type;
	ph[1] = (pvol ? 0x80 : 0) | (avol ? 0x40 : 0);
	put_unaligned_be16(dlen, ph + 2);
	r->page = r->len;
	r->dlen = dlen;
	r->len += AUTOCH_RES_PAGE_HDR_LEN;
}

/* One descriptor of the open page; @tag NULL: all-space primary tag. */
static void autoch_test_res_desc(struct autoch_test_res *r, u16 addr,
				 bool full, const char *tag)
{
	u8 *d = r->buf + r->len;

	memset(d, 0, r->dlen);
	put_unaligned_be16(addr, d);
	d[2] = full ? 0x01 : 0x00;
	if (r->dlen >= AUTOCH_DESC_MIN_LEN + AUTOCH_VOLTAG_LEN)
		autoch_test_tag(d + AUTOCH_DESC_MIN_LEN, tag ?: "", 0);
	if (r->dlen >= AUTOCH_DESC_MIN_LEN + 2 * AUTOCH_VOLTAG_LEN)
		autoch_test_tag(d + AUTOCH_DESC_MIN_LEN + AUTOCH_VOLTAG_LEN,
				"ALT", 0);
	r->len += r->dlen;
}

/* Close the open page: its byte count is what was written since. */
static void autoch_test_res_end_page(struct autoch_test_res *r)
{
	put_unaligned_be24(r->len - r->page - AUTOCH_RES_PAGE_HDR_LEN,
			   r->buf + r->page + 5);
}

static void autoch_test_res_end(struct autoch_test_res *r, u16 first,
				u16 count)
{
	put_unaligned_be16(first, r->buf);
	put_unaligned_be16(count, r->buf + 2);
	put_unaligned_be24(r->len - AUTOCH_RES_HDR_LEN, r->buf + 5);
}

/* A changer like tgt's: transport 1, storage 1024-1047, drives 256-257. */
struct autoch_device *autoch_test_dev(struct kunit *test)
{
	struct autoch_device *ach;

	ach = kunit_kzalloc(test, sizeof(*ach), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ach);
	mutex_init(&ach->state_lock);
	ach->map_seq = AUTOCH_TEST_SEQ;
	ach->cache_gen = AUTOCH_TEST_GEN;
	ach->range[AUTOCH_MT - 1].first = 1;
	ach->range[AUTOCH_MT - 1].count = 1;
	ach->range[AUTOCH_ST - 1].first = 1024;
	ach->range[AUTOCH_ST - 1].count = 24;
	ach->range[AUTOCH_DT - 1].first = 256;
	ach->range[AUTOCH_DT - 1].count = 2;
	ach->range[AUTOCH_MT - 1].elems = kunit_kcalloc(test, 1,
							sizeof(struct autoch_elem),
							GFP_KERNEL);
	ach->range[AUTOCH_ST - 1].elems = kunit_kcalloc(test, 24,
							sizeof(struct autoch_elem),
							GFP_KERNEL);
	ach->range[AUTOCH_DT - 1].elems = kunit_kcalloc(test, 2,
							sizeof(struct autoch_elem),
							GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ach->range[AUTOCH_MT - 1].elems);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ach->range[AUTOCH_ST - 1].elems);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ach->range[AUTOCH_DT - 1].elems);
	return ach;
}

struct autoch_test_parsed {
	int ret;
	bool found;
	u16 last;
	struct autoch_elem out;
};

/*
 * Parse the first @avail bytes of @r, copied into a buffer of exactly that
 * size (at least the report header, which the driver's buffer always has).
 */
static void autoch_test_parse(struct kunit *test, struct autoch_device *ach,
			      int type, const struct autoch_test_res *r,
			      unsigned int avail, unsigned int map_seq, u16 want,
			      struct autoch_test_parsed *p)
{
	u8 *buf;

	buf = kunit_kmalloc(test, max_t(unsigned int, avail, AUTOCH_RES_HDR_LEN), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	memset(buf, 0, max_t(unsigned int, avail, AUTOCH_RES_HDR_LEN));
	memcpy(buf, r->buf, avail);
	memset(p, 0, sizeof(*p));
	p->last = 0xdead;
	p->ret = autoch_parse_res(ach, type, buf, avail, map_seq,
				  AUTOCH_TEST_GEN, want, &p->out, &p->found,
				  &p->last);
	kunit_kfree(test, buf);
}

/*
 * Parse as autoch_test_parse() does and expect @ret (descriptors taken or
 * errno) and @found; a failure names the element asked for.
 */
static void autoch_test_expect_parse(struct kunit *test,
				     struct autoch_device *ach, int type,
				     const struct autoch_test_res *r,
				     unsigned int avail, unsigned int map_seq,
				     u16 want, struct autoch_test_parsed *p,
				     int ret, bool found)
{
	autoch_test_parse(test, ach, type, r, avail, map_seq, want, p);
	KUNIT_EXPECT_EQ_MSG(test, p->ret, ret, "element %u", want);
	KUNIT_EXPECT_EQ_MSG(test, p->found, found, "element %u", want);
}

static const struct autoch_elem *autoch_test_cached(struct autoch_device *ach,
						    int type, u16 addr)
{
	struct autoch_range *r = &ach->range[type - 1];

	return &r->elems[addr - r->first];
}

/* Storage 1024-1026 (full ACT001, empty, full ACT003), volume tags. */
static void autoch_test_res_three(struct autoch_test_res *r, unsigned int dlen)
{
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, dlen >= 48, dlen >= 84, dlen);
	autoch_test_res_desc(r, 1024, true, "ACT001");
	autoch_test_res_desc(r, 1025, false, NULL);
	autoch_test_res_desc(r, 1026, true, "ACT003");
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 3);
}

static void autoch_test_res_good(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	const struct autoch_elem *e;
	u8 tag[AUTOCH_VOLTAG_LEN];

	r = autoch_test_res_new(test);
	autoch_test_res_three(r, 52);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1025, &p, 3, true);
	KUNIT_EXPECT_EQ(test, p.last, 1026);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x00);
	KUNIT_EXPECT_EQ(test, p.out.gen, (u32)AUTOCH_TEST_GEN);

	autoch_test_tag(tag, "ACT001", 0);
	e = autoch_test_cached(ach, AUTOCH_ST, 1024);
	KUNIT_EXPECT_EQ(test, e->gen, (u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, e->flags, 0x01);
	KUNIT_EXPECT_EQ(test, memcmp(e->pvoltag, tag, sizeof(tag)), 0);
	e = autoch_test_cached(ach, AUTOCH_ST, 1025);
	KUNIT_EXPECT_EQ(test, e->gen, (u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_NULL(test, memchr_inv(e->pvoltag, 0, AUTOCH_VOLTAG_LEN));
	e = autoch_test_cached(ach, AUTOCH_ST, 1026);
	KUNIT_EXPECT_EQ(test, e->gen, (u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, e->pvoltag[5], '3');
	/* an element the reply did not describe is untouched */
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1027)->gen, 0U);
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_ST - 1].desc_len, 52);

	/* the element asked for may be absent: no copy, found stays false */
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1030, &p, 3, false);
	mutex_destroy(&ach->state_lock);
}

/* tgt: every reply is 8 bytes shorter than its header says. */
static void autoch_test_res_truncated(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	unsigned int cut;

	r = autoch_test_res_new(test);
	autoch_test_res_three(r, 52);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len - 8,
				 AUTOCH_TEST_SEQ, 1026, &p, 2, false);
	KUNIT_EXPECT_EQ(test, p.last, 1025);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1026)->gen, 0U);

	/* every cut: no descriptor beyond it, never an error, never a read past */
	for (cut = 0; cut <= r->len; cut++) {
		autoch_test_parse(test, ach, AUTOCH_ST, r, cut, AUTOCH_TEST_SEQ,
				  1024, &p);
		if (cut < AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN + 52) {
			KUNIT_EXPECT_EQ_MSG(test, p.ret, 0, "cut at %u", cut);
			KUNIT_EXPECT_FALSE(test, p.found);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, p.ret,
					    (int)(cut - 16) / 52, "cut at %u", cut);
			KUNIT_EXPECT_TRUE(test, p.found);
		}
	}
	mutex_destroy(&ach->state_lock);
}

/* Byte counts larger than the reply: bounded by what arrived. */
static void autoch_test_res_oversized(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;

	r = autoch_test_res_new(test);
	autoch_test_res_three(r, 52);
	put_unaligned_be24(0xffffff, r->buf + 5);
	put_unaligned_be24(0xffffff, r->buf + AUTOCH_RES_HDR_LEN + 5);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1026, &p, 3, true);
	/* and one byte short */
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len - 1,
				 AUTOCH_TEST_SEQ, 1026, &p, 2, false);

	/* the header's count wins when it is the smaller: one descriptor */
	autoch_test_res_three(r, 52);
	put_unaligned_be24(AUTOCH_RES_PAGE_HDR_LEN + 52, r->buf + 5);
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1026, &p, 1, false);

	/* a page count that ends mid-descriptor: the partial one is skipped */
	autoch_test_res_three(r, 52);
	put_unaligned_be24(2 * 52 + 10, r->buf + AUTOCH_RES_HDR_LEN + 5);
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1026, &p, 2, false);
	mutex_destroy(&ach->state_lock);
}

/* Descriptor lengths below the 12-byte minimum are malformed. */
static void autoch_test_res_short_desc(struct kunit *test)
{
	static const unsigned int lens[] = { 0, 1, 5, 8, 11 };
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	unsigned int i;

	r = autoch_test_res_new(test);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		autoch_test_res_begin(r);
		autoch_test_res_page(r, AUTOCH_ST, false, false, lens[i]);
		r->len += 24;
		autoch_test_res_end_page(r);
		autoch_test_res_end(r, 1024, 2);
		autoch_test_parse(test, ach, AUTOCH_ST, r, r->len,
				  AUTOCH_TEST_SEQ, 1024, &p);
		KUNIT_EXPECT_EQ_MSG(test, p.ret, -EIO, "dlen %u", lens[i]);
		KUNIT_EXPECT_FALSE(test, p.found);
	}
	/* so is a page of another type: the length check comes first */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_DT, false, false, 0);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 256, 0);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1024, &p);
	KUNIT_EXPECT_EQ(test, p.ret, -EIO);

	/* 12 bytes is enough; the tags flagged then do not fit: none */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, true, AUTOCH_DESC_MIN_LEN);
	autoch_test_res_desc(r, 1024, true, NULL);
	autoch_test_res_desc(r, 1025, true, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 2);
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1025, &p, 2, true);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x01);
	KUNIT_EXPECT_NULL(test, memchr_inv(p.out.pvoltag, 0, AUTOCH_VOLTAG_LEN));
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_ST - 1].desc_len, 12);
	mutex_destroy(&ach->state_lock);
}

/* VolTag flagged with too little room; all-space and NUL tags. */
static void autoch_test_res_tags(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	u8 *d;

	r = autoch_test_res_new(test);

	/* 40-byte descriptors with PVolTag set: the 36-byte tag cannot fit */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, false, 40);
	autoch_test_res_desc(r, 1024, true, NULL);
	memset(r->buf + r->len - 28, 'X', 28);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 1);
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1024, &p, 1, true);
	KUNIT_EXPECT_NULL(test, memchr_inv(p.out.pvoltag, 0, AUTOCH_VOLTAG_LEN));

	/* an all-space, an all-NUL and a real tag; alternate tags too */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, true, 84);
	autoch_test_res_desc(r, 1024, true, NULL);
	autoch_test_res_desc(r, 1025, true, "ACT002");
	d = r->buf + r->len - 84;
	memset(d + 12, 0, 72);
	autoch_test_res_desc(r, 1026, true, "ACT003");
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 3);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1024, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_NULL(test, memchr_inv(p.out.pvoltag, 0, AUTOCH_VOLTAG_LEN));
	KUNIT_EXPECT_EQ(test, memcmp(p.out.avoltag, "ALT ", 4), 0);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1025, &p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p.out.pvoltag, 0, AUTOCH_VOLTAG_LEN));
	KUNIT_EXPECT_NULL(test, memchr_inv(p.out.avoltag, 0, AUTOCH_VOLTAG_LEN));
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, memcmp(p.out.pvoltag, "ACT003  ", 8), 0);
	KUNIT_EXPECT_EQ(test, p.out.pvoltag[31], ' ');
	mutex_destroy(&ach->state_lock);
}

/*
 * Several pages: of the type asked for and of others, in any order, with
 * different descriptor lengths; descriptors outside the map.
 */
static void autoch_test_res_pages(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	const struct autoch_elem *e;

	r = autoch_test_res_new(test);
	autoch_test_res_begin(r);
	/* a drive page whose address collides with a slot: not a slot */
	autoch_test_res_page(r, AUTOCH_DT, false, false, 16);
	autoch_test_res_desc(r, 256, true, NULL);
	autoch_test_res_desc(r, 1027, true, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_page(r, AUTOCH_ST, true, false, 52);
	autoch_test_res_desc(r, 1024, true, "ACT001");
	autoch_test_res_desc(r, 1025, false, NULL);
	autoch_test_res_end_page(r);
	/* an empty page */
	autoch_test_res_page(r, AUTOCH_ST, true, true, 84);
	autoch_test_res_end_page(r);
	autoch_test_res_page(r, AUTOCH_ST, true, true, 84);
	autoch_test_res_desc(r, 1026, true, "ACT003");
	autoch_test_res_desc(r, 1047, false, NULL);
	/* outside the map: counted, not stored */
	autoch_test_res_desc(r, 2000, true, "FAR");
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 7);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1047, &p, 5, true);
	KUNIT_EXPECT_EQ(test, p.last, 2000);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x00);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1024)->gen,
			(u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1025)->gen,
			(u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1026)->gen,
			(u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1047)->gen,
			(u32)AUTOCH_TEST_GEN);
	/* the drive page's 1027 went nowhere, nor did the drive itself */
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1027)->gen, 0U);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_DT, 256)->gen, 0U);
	e = autoch_test_cached(ach, AUTOCH_ST, 1026);
	KUNIT_EXPECT_EQ(test, memcmp(e->avoltag, "ALT ", 4), 0);
	/* the last page's descriptor length is the one remembered */
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_ST - 1].desc_len, 84);

	/* the drive page, asked for as such */
	autoch_test_expect_parse(test, ach, AUTOCH_DT, r, r->len,
				 AUTOCH_TEST_SEQ, 256, &p, 2, true);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_DT, 256)->gen,
			(u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_DT - 1].desc_len, 16);

	/* nothing of the type asked for */
	autoch_test_expect_parse(test, ach, AUTOCH_IE, r, r->len,
				 AUTOCH_TEST_SEQ, 16, &p, 0, false);
	mutex_destroy(&ach->state_lock);
}

/* A map reloaded meanwhile (or absent): the reply reaches the caller only. */
static void autoch_test_res_stale_map(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;

	r = autoch_test_res_new(test);
	autoch_test_res_three(r, 52);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ + 1, 1024, &p, 3, true);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x01);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1024)->gen, 0U);
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_ST - 1].desc_len, 0);

	ach->range[AUTOCH_ST - 1].elems = NULL;
	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 1024, &p, 3, true);
	mutex_destroy(&ach->state_lock);
}

static void autoch_test_res_cdb(struct kunit *test)
{
	static const u8 want_st[16] = {
		0xb8, 0x12, 0x04, 0x00, 0x00, 0x18, 0x00, 0x01, 0x23, 0x45,
	};
	static const u8 want_dt[16] = {
		0xb8, 0x04, 0xff, 0xff, 0x03, 0xe8, 0x00, 0x00, 0xff, 0xff,
	};
	struct autoch_cmd *cmd;

	cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);

	memset(cmd->cdb, 0xff, sizeof(cmd->cdb));
	autoch_res_cdb(cmd, AUTOCH_ST, true, 1024, 24, 0x012345);
	KUNIT_EXPECT_EQ(test, cmd->cdb_len, 12U);
	KUNIT_EXPECT_EQ(test, memcmp(cmd->cdb, want_st, sizeof(want_st)), 0);

	memset(cmd->cdb, 0xff, sizeof(cmd->cdb));
	autoch_res_cdb(cmd, AUTOCH_DT, false, 0xffff, AUTOCH_RES_MAX_ELEMS,
		       AUTOCH_RES_MAX_ALLOC16);
	KUNIT_EXPECT_EQ(test, cmd->cdb_len, 12U);
	KUNIT_EXPECT_EQ(test, memcmp(cmd->cdb, want_dt, sizeof(want_dt)), 0);
}

struct autoch_test_alloc {
	unsigned int want;
	bool alloc16;
	unsigned int limit;
	unsigned int alloc;
};

/* 84,016: 1,000 descriptors of 84 bytes and the two headers */
static const struct autoch_test_alloc autoch_test_allocs[] = {
	{ 500, false, 0x2000000, 500 },
	{ 500, true, 0x2000000, 500 },
	{ 65535, false, 0x2000000, 65535 },
	{ 65536, false, 0x2000000, 65536 },
	{ 65536, true, 0x2000000, 65535 },
	{ 84016, false, 0x2000000, 131072 },
	{ 84016, true, 0x2000000, 65535 },
	{ 128016, false, 0x2000000, 131072 },
	{ 131073, false, 0x2000000, 196608 },
	{ 300000, false, 0x2000000, 327680 },
	/* 50,000 descriptors of 88 bytes: 4 MiB at most */
	{ 4400016, false, 0x2000000, 4194304 },
	{ 4400016, false, 524288, 524288 },
	{ 4400016, true, 0x2000000, 65535 },
	{ 84016, false, 100000, 65536 },
	{ 84016, false, 65535, 65535 },
	{ 84016, false, 4096, 4096 },
	{ 500, false, 4096, 500 },
};

static void autoch_test_res_alloc(struct kunit *test)
{
	const struct autoch_test_alloc *t;
	unsigned int i, alloc;

	for (i = 0; i < ARRAY_SIZE(autoch_test_allocs); i++) {
		t = &autoch_test_allocs[i];
		alloc = autoch_res_alloc(t->want, t->alloc16, t->limit);
		KUNIT_EXPECT_EQ_MSG(test, alloc, t->alloc, "want %u alloc16 %d limit %u",
				    t->want, t->alloc16, t->limit);
		/* past 64 KiB, two bytes of it read 0 */
		if (alloc > 0xffff)
			KUNIT_EXPECT_EQ(test, alloc & 0xffff, 0U);
	}
}

/* A command with a zeroed 128 KiB reply buffer, as READ ELEMENT STATUS has. */
static struct autoch_cmd *autoch_test_res_cmd(struct kunit *test)
{
	struct autoch_cmd *cmd;

	cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);
	cmd->buf = kunit_kzalloc(test, 0x20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd->buf);
	return cmd;
}

/* A report the changer cut short itself, told from one the length cut. */
static void autoch_test_res_cut_short(struct kunit *test)
{
	struct autoch_cmd *cmd = autoch_test_res_cmd(test);
	u8 *buf = cmd->buf;

	cmd->len = 0x20000;

	/* 1,000 descriptors of 88 bytes, all of the report: cut short */
	put_unaligned_be24(8 + 88000, buf + 5);
	cmd->resid = 0x20000 - 16 - 88000;
	KUNIT_EXPECT_TRUE(test, autoch_res_cut_short(cmd, 5000, 1000));
	/* every element asked for came */
	KUNIT_EXPECT_FALSE(test, autoch_res_cut_short(cmd, 1000, 1000));
	KUNIT_EXPECT_FALSE(test, autoch_res_cut_short(cmd, 5000, 0));
	/* the report was longer than what arrived: the length cut it */
	put_unaligned_be24(8 + 5000 * 88, buf + 5);
	cmd->resid = 0;
	KUNIT_EXPECT_FALSE(test, autoch_res_cut_short(cmd, 5000, 1489));
}

static void autoch_test_res_alloc16_reply(struct kunit *test)
{
	struct autoch_cmd *cmd = autoch_test_res_cmd(test);
	u8 *buf = cmd->buf;

	/* nothing came, with and without a residual */
	cmd->len = 0x20000;
	cmd->resid = 0x20000;
	KUNIT_EXPECT_TRUE(test, autoch_res_alloc16_reply(cmd, 0));
	cmd->resid = 0;
	KUNIT_EXPECT_TRUE(test, autoch_res_alloc16_reply(cmd, 0));
	/* a header with a byte count: a real reply */
	put_unaligned_be24(84008, buf + 5);
	KUNIT_EXPECT_FALSE(test, autoch_res_alloc16_reply(cmd, 0));
	/* ... unless less than a header arrived */
	cmd->resid = 0x20000 - 7;
	KUNIT_EXPECT_TRUE(test, autoch_res_alloc16_reply(cmd, 0));
	cmd->resid = 0;

	/* INVALID FIELD IN CDB; any other error is not about the length */
	cmd->sshdr.asc = 0x24;
	KUNIT_EXPECT_TRUE(test, autoch_res_alloc16_reply(cmd, -EINVAL));
	cmd->sshdr.asc = 0x21;
	KUNIT_EXPECT_FALSE(test, autoch_res_alloc16_reply(cmd, -EINVAL));
	cmd->sshdr.asc = 0x24;
	KUNIT_EXPECT_FALSE(test, autoch_res_alloc16_reply(cmd, -EIO));

	/* within two bytes, nothing is learnt */
	memset(buf, 0, 8);
	cmd->len = 0xffff;
	cmd->resid = 0xffff;
	KUNIT_EXPECT_FALSE(test, autoch_res_alloc16_reply(cmd, 0));
	KUNIT_EXPECT_FALSE(test, autoch_res_alloc16_reply(cmd, -EINVAL));

	/* the retry within two bytes counts only when a report came */
	KUNIT_EXPECT_TRUE(test, autoch_res_empty(cmd));
	cmd->resid = 0;
	KUNIT_EXPECT_TRUE(test, autoch_res_empty(cmd));
	put_unaligned_be24(84008, buf + 5);
	KUNIT_EXPECT_FALSE(test, autoch_res_empty(cmd));
}

static void autoch_test_type_of(struct kunit *test)
{
	struct autoch_range range[AUTOCH_NTYPES] = {
		{ .first = 0, .count = 1 },
		{ .first = 1024, .count = 24 },
		{ .first = 16, .count = 0 },
		{ .first = 0xfffe, .count = 2 },
	};

	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 0), AUTOCH_MT);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 1), 0);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 1023), 0);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 1024), AUTOCH_ST);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 1047), AUTOCH_ST);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 1048), 0);
	/* an empty range holds nothing, not even its first address */
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 16), 0);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 0xfffd), 0);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 0xfffe), AUTOCH_DT);
	KUNIT_EXPECT_EQ(test, autoch_type_of(range, 0xffff), AUTOCH_DT);
}

/* ---- struct element_status ---- */

/* typeof() cannot take a bit-field */
#define AUTOCH_TEST_BF(x)	((unsigned int)(x))

/* Bytes of struct element_status that hold no field the driver sets. */
static bool autoch_test_status_reserved_zero(const struct element_status *es)
{
	return !es->resv1 && !es->resv2 && !es->sublu_valid && !es->resv3 &&
	       !es->sub_lun && !es->resv4 &&
	       !memchr_inv(es->misc_bytes, 0, sizeof(es->misc_bytes));
}

/* Longer than 60 lines: one bit of element_status after another. */
static void autoch_test_fill_status(struct kunit *test)
{
	static const struct {
		u8 flag;
		unsigned int full, operator, except, access, exp, imp;
	} bits[] = {
		{ 0x01, 1, 0, 0, 0, 0, 0 },
		{ 0x02, 0, 1, 0, 0, 0, 0 },
		{ 0x04, 0, 0, 1, 0, 0, 0 },
		{ 0x08, 0, 0, 0, 1, 0, 0 },
		{ 0x10, 0, 0, 0, 0, 1, 0 },
		{ 0x20, 0, 0, 0, 0, 0, 1 },
		{ 0xc0, 0, 0, 0, 0, 0, 0 },	/* reserved bits */
	};
	struct element_status *es;
	struct autoch_elem e = {};
	unsigned int i;

	es = kunit_kmalloc(test, sizeof(*es), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, es);

	/* nothing set: an all-zero struct but the address */
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1030, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, es->element, 1030);
	KUNIT_EXPECT_NULL(test, memchr_inv((u8 *)es + 2, 0, sizeof(*es) - 2));

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		e.flags = bits[i].flag;
		memset(es, 0xff, sizeof(*es));
		autoch_fill_status(es, 16, AUTOCH_IE, &e);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->full), bits[i].full);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->operator), bits[i].operator);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->except), bits[i].except);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->access), bits[i].access);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->export_enable), bits[i].exp);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->import_enable), bits[i].imp);
		KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));
	}

	/* everything at once, for a drive */
	memset(&e, 0, sizeof(e));
	e.flags = 0xff;
	e.asc = 0x83;
	e.ascq = 0x04;
	e.id_flags = 0xb5;	/* NotBus, IDValid, LUValid, LUN 5; 0x08 reserved */
	e.bus_addr = 7;
	e.src_flags = 0xff;
	e.src = 1029;
	autoch_test_tag(e.pvoltag, "ACT001", 1);
	autoch_test_tag(e.avoltag, "ALT001", 2);
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 256, AUTOCH_DT, &e);
	KUNIT_EXPECT_EQ(test, es->element, 256);
	KUNIT_EXPECT_EQ(test, es->full + es->operator + es->except + es->access +
			es->export_enable + es->import_enable, 6);
	KUNIT_EXPECT_EQ(test, es->sense_code, 0x83);
	KUNIT_EXPECT_EQ(test, es->sense_qualifier, 0x04);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 5);
	KUNIT_EXPECT_EQ(test, es->bus_address, 7);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->source_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->invert), 1U);
	KUNIT_EXPECT_EQ(test, es->source_element, 1029);
	KUNIT_EXPECT_EQ(test, memcmp(es->pri_vol_tag, e.pvoltag, 36), 0);
	KUNIT_EXPECT_EQ(test, memcmp(es->alt_vol_tag, e.avoltag, 36), 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));

	/* LUN and bus address only when flagged valid */
	e.id_flags = 0x87;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 256, AUTOCH_DT, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 0U);
	KUNIT_EXPECT_EQ(test, es->bus_address, 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));

	/* bytes 6-7 mean nothing for other element types */
	e.id_flags = 0xb5;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1024, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 0U);
	KUNIT_EXPECT_EQ(test, es->bus_address, 0);

	/* the source only when SValid; Invert on its own */
	e.src_flags = 0x40;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1024, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->source_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->invert), 1U);
	KUNIT_EXPECT_EQ(test, es->source_element, 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));
}

/* ---- persistent reservation types (SPC-4 table 169, <linux/pr.h>) ---- */

static void autoch_test_pr_types(struct kunit *test)
{
	static const struct {
		u32 pr;
		int scsi;
	} types[] = {
		{ PR_WRITE_EXCLUSIVE, 0x01 },
		{ PR_EXCLUSIVE_ACCESS, 0x03 },
		{ PR_WRITE_EXCLUSIVE_REG_ONLY, 0x05 },
		{ PR_EXCLUSIVE_ACCESS_REG_ONLY, 0x06 },
		{ PR_WRITE_EXCLUSIVE_ALL_REGS, 0x07 },
		{ PR_EXCLUSIVE_ACCESS_ALL_REGS, 0x08 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(types[i].pr),
				types[i].scsi);
		KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(types[i].scsi),
				types[i].pr);
	}
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(7), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(0x80000000), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(U32_MAX), -EINVAL);
	/* SCSI types with no <linux/pr.h> name: none */
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x00), 0U);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x02), 0U);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x04), 0U);
	for (i = 0x09; i <= 0x0f; i++)
		KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(i), 0U);
}

/*
 * Addresses ascend: the first descriptor of an address counts, and one
 * that does not ascend (here a zero-filled tail, address 0, which is an
 * element of the map) ends the report without touching that element.
 */
static void autoch_test_res_first_match(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_range *st = &ach->range[AUTOCH_ST - 1];
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	u8 tag[AUTOCH_VOLTAG_LEN];

	/* storage 0-23 this time, so that address 0 is a slot */
	st->first = 0;
	r = autoch_test_res_new(test);
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, false, 52);
	autoch_test_res_desc(r, 5, true, "FIRST");
	autoch_test_res_desc(r, 6, false, NULL);
	autoch_test_res_desc(r, 0, false, NULL);
	autoch_test_res_desc(r, 0, false, NULL);
	autoch_test_res_desc(r, 5, false, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 5, 5);

	autoch_test_expect_parse(test, ach, AUTOCH_ST, r, r->len,
				 AUTOCH_TEST_SEQ, 5, &p, 2, true);
	KUNIT_EXPECT_EQ(test, p.last, 6);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x01);
	autoch_test_tag(tag, "FIRST", 0);
	KUNIT_EXPECT_EQ(test, memcmp(p.out.pvoltag, tag, sizeof(tag)), 0);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 5)->flags, 0x01);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 0)->gen, 0U);

	/* a repeat in a later page of the type ends it too */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, false, false, 16);
	autoch_test_res_desc(r, 7, true, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_page(r, AUTOCH_ST, false, false, 16);
	autoch_test_res_desc(r, 7, false, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 7, 2);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  7, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 1);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x01);
	mutex_destroy(&ach->state_lock);
}

/*
 * A drive's identifier against a device's VPD pages: the serial number of
 * page 80h (padding aside; after vendor and product for a T10 vendor ID),
 * a designator of the LU in page 83h (not one of a port), nothing else.
 */
static void autoch_test_id_matches(struct kunit *test)
{
	static const u8 pg80[] = { 0x01, 0x80, 0x00, 0x14, ' ', ' ',
		'E', 'M', 'U', 'L', 'D', 'R', 'V', '0', '0', '0', '0', '0',
		'0', '0', '0', '1', ' ', ' ' };
	u8 pg83[4 + 4 + 34] = { 0x01, 0x83, 0x00, 4 + 34, 0x02, 0x01, 0x00, 34 };
	struct autoch_drive_id id = { .code_set = 2 };

	memcpy(pg83 + 8, "IET     VIRTUAL-TAPE    beaf11    ", 34);
	/* the serial number, whole */
	id.id_len = 16;
	memcpy(id.id, "EMULDRV000000001", 16);
	KUNIT_EXPECT_TRUE(test, autoch_id_matches(&id, pg80, sizeof(pg80),
						  NULL, 0));
	id.id[15] = '2';
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, pg80, sizeof(pg80),
						   NULL, 0));
	/* a prefix of the serial number is not it */
	id.id_len = 15;
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, pg80, sizeof(pg80),
						   NULL, 0));
	/* no identifier matches nothing */
	id.id_len = 0;
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, pg80, sizeof(pg80),
						   pg83, sizeof(pg83)));
	/* a T10 vendor ID: page 83h as it is, page 80h by its serial part */
	id.id_type = 1;
	id.id_len = 34;
	memcpy(id.id, pg83 + 8, 34);
	KUNIT_EXPECT_TRUE(test, autoch_id_matches(&id, NULL, 0, pg83,
						  sizeof(pg83)));
	{
		static const u8 sn[] = { 0x01, 0x80, 0x00, 0x06,
					 'b', 'e', 'a', 'f', '1', '1' };

		KUNIT_EXPECT_TRUE(test, autoch_id_matches(&id, sn, sizeof(sn),
							  NULL, 0));
	}
	/* the same bytes as a designator of the target port: no */
	pg83[5] = 0x11;
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, NULL, 0, pg83,
						   sizeof(pg83)));
	/* a page that claims more than it has is read as far as it goes */
	pg83[5] = 0x01;
	pg83[7] = 200;
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, NULL, 0, pg83,
						   sizeof(pg83)));
	/* binary identifiers are never compared with page 80h */
	id.code_set = 1;
	id.id_type = 0;
	id.id_len = 16;
	memcpy(id.id, "EMULDRV000000001", 16);
	KUNIT_EXPECT_FALSE(test, autoch_id_matches(&id, pg80, sizeof(pg80),
						   NULL, 0));
}

/*
 * A DVCID reply whose page header says volume tags are there (the
 * changer sent them though they were not asked for): the identifier
 * follows them.
 */
static void autoch_test_drive_id_tags(struct kunit *test)
{
	static const char serial[] = "EMULDRV000000001";
	struct autoch_drive_id id;
	unsigned int tags, dlen, len;
	u8 *buf, *d;

	for (tags = 0; tags <= 2; tags++) {
		dlen = AUTOCH_DESC_MIN_LEN + tags * AUTOCH_VOLTAG_LEN + 4 +
		       sizeof(serial) - 1;
		len = AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN + dlen;
		buf = kunit_kzalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
		put_unaligned_be16(256, buf);
		put_unaligned_be16(1, buf + 2);
		put_unaligned_be24(len - AUTOCH_RES_HDR_LEN, buf + 5);
		d = buf + AUTOCH_RES_HDR_LEN;
		d[0] = AUTOCH_DT;
		d[1] = (tags >= 1 ? 0x80 : 0) | (tags >= 2 ? 0x40 : 0);
		put_unaligned_be16(dlen, d + 2);
		put_unaligned_be24(dlen, d + 5);
		d += AUTOCH_RES_PAGE_HDR_LEN;
		put_unaligned_be16(256, d);
		/* the tags: spaces, and a length byte a parser must not take */
		memset(d + AUTOCH_DESC_MIN_LEN, ' ', tags * AUTOCH_VOLTAG_LEN);
		d += AUTOCH_DESC_MIN_LEN + tags * AUTOCH_VOLTAG_LEN;
		d[0] = 0x02;	/* ASCII */
		d[1] = 0x00;	/* vendor specific */
		d[3] = sizeof(serial) - 1;
		memcpy(d + 4, serial, sizeof(serial) - 1);

		memset(&id, 0xa5, sizeof(id));
		memset(id.id, 0, sizeof(id.id));
		KUNIT_EXPECT_EQ(test, autoch_parse_drive_id(buf, len, 256, &id), 0);
		KUNIT_EXPECT_EQ_MSG(test, id.id_len, (u8)(sizeof(serial) - 1),
				    "%u tags", tags);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(id.id, serial, sizeof(serial) - 1),
				    0, "%u tags", tags);
		KUNIT_EXPECT_EQ_MSG(test, id.code_set, (u8)2, "%u tags", tags);
		kunit_kfree(test, buf);
	}
}

static struct kunit_case autoch_test_cases[] = {
	KUNIT_CASE(autoch_test_sense_documented),
	KUNIT_CASE(autoch_test_sense_rows),
	KUNIT_CASE(autoch_test_result),
	KUNIT_CASE(autoch_test_sense_len),
	KUNIT_CASE(autoch_test_sense_progress),
	KUNIT_CASE(autoch_test_voltag_blank),
	KUNIT_CASE(autoch_test_parse_desc),
	KUNIT_CASE(autoch_test_res_good),
	KUNIT_CASE(autoch_test_res_truncated),
	KUNIT_CASE(autoch_test_res_oversized),
	KUNIT_CASE(autoch_test_res_short_desc),
	KUNIT_CASE(autoch_test_res_tags),
	KUNIT_CASE(autoch_test_res_pages),
	KUNIT_CASE(autoch_test_res_stale_map),
	KUNIT_CASE(autoch_test_res_cdb),
	KUNIT_CASE(autoch_test_res_alloc),
	KUNIT_CASE(autoch_test_res_alloc16_reply),
	KUNIT_CASE(autoch_test_res_cut_short),
	KUNIT_CASE(autoch_test_type_of),
	KUNIT_CASE(autoch_test_fill_status),
	KUNIT_CASE(autoch_test_pr_types),
	KUNIT_CASE(autoch_test_res_first_match),
	KUNIT_CASE(autoch_test_drive_id_tags),
	KUNIT_CASE(autoch_test_id_matches),
	KUNIT_CASE_PARAM(autoch_test_fuzz, autoch_fuzz_params),
	KUNIT_CASE(autoch_test_fuzz_total),
	{}
};

static struct kunit_suite autoch_test_suite = {
	.name = "autoch",
	.test_cases = autoch_test_cases,
};

kunit_test_suite(autoch_test_suite);
