// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the parts of autoch that need no device: the sense table
 * and the midlayer result, the READ ELEMENT STATUS parser, CDB and
 * allocation length, volume tags, the element_status bit mapping and the
 * persistent reservation types.
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
static void autoch_test_tag(u8 *dst, const char *id, u8 seq)
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
#define AUTOCH_TEST_SEQ		7
#define AUTOCH_TEST_GEN		42

/* A reply under construction: report header, pages, descriptors. */
struct autoch_test_res {
	u8 buf[AUTOCH_TEST_BUF_LEN];
	unsigned int len;
	unsigned int page;	/* offset of the open page header */
	unsigned int dlen;
};

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
static struct autoch_device *autoch_test_dev(struct kunit *test)
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

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	autoch_test_res_three(r, 52);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1025, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_TRUE(test, p.found);
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
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1030, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_FALSE(test, p.found);
	mutex_destroy(&ach->state_lock);
}

/* tgt: every reply is 8 bytes shorter than its header says. */
static void autoch_test_res_truncated(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	unsigned int cut;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	autoch_test_res_three(r, 52);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len - 8, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_FALSE(test, p.found);
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

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	autoch_test_res_three(r, 52);
	put_unaligned_be24(0xffffff, r->buf + 5);
	put_unaligned_be24(0xffffff, r->buf + AUTOCH_RES_HDR_LEN + 5);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_TRUE(test, p.found);
	/* and one byte short */
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len - 1, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_FALSE(test, p.found);

	/* the header's count wins when it is the smaller: one descriptor */
	autoch_test_res_three(r, 52);
	put_unaligned_be24(AUTOCH_RES_PAGE_HDR_LEN + 52, r->buf + 5);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 1);
	KUNIT_EXPECT_FALSE(test, p.found);

	/* a page count that ends mid-descriptor: the partial one is skipped */
	autoch_test_res_three(r, 52);
	put_unaligned_be24(2 * 52 + 10, r->buf + AUTOCH_RES_HDR_LEN + 5);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1026, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_FALSE(test, p.found);
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

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
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
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1025, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_TRUE(test, p.found);
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

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);

	/* 40-byte descriptors with PVolTag set: the 36-byte tag cannot fit */
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, false, 40);
	autoch_test_res_desc(r, 1024, true, NULL);
	memset(r->buf + r->len - 28, 'X', 28);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 1024, 1);
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1024, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 1);
	KUNIT_EXPECT_TRUE(test, p.found);
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
 * different descriptor lengths; descriptors outside the map. Longer than
 * 60 lines: one reply built and checked step by step.
 */
static void autoch_test_res_pages(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;
	const struct autoch_elem *e;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
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

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1047, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 5);
	KUNIT_EXPECT_TRUE(test, p.found);
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
	autoch_test_parse(test, ach, AUTOCH_DT, r, r->len, AUTOCH_TEST_SEQ,
			  256, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_TRUE(test, p.found);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_DT, 256)->gen,
			(u32)AUTOCH_TEST_GEN);
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_DT - 1].desc_len, 16);

	/* nothing of the type asked for */
	autoch_test_parse(test, ach, AUTOCH_IE, r, r->len, AUTOCH_TEST_SEQ,
			  16, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 0);
	KUNIT_EXPECT_FALSE(test, p.found);
	mutex_destroy(&ach->state_lock);
}

/* A map reloaded meanwhile (or absent): the reply reaches the caller only. */
static void autoch_test_res_stale_map(struct kunit *test)
{
	struct autoch_device *ach = autoch_test_dev(test);
	struct autoch_test_res *r;
	struct autoch_test_parsed p;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	autoch_test_res_three(r, 52);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ + 1,
			  1024, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_TRUE(test, p.found);
	KUNIT_EXPECT_EQ(test, p.out.flags, 0x01);
	KUNIT_EXPECT_EQ(test, autoch_test_cached(ach, AUTOCH_ST, 1024)->gen, 0U);
	KUNIT_EXPECT_EQ(test, ach->range[AUTOCH_ST - 1].desc_len, 0);

	ach->range[AUTOCH_ST - 1].elems = NULL;
	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  1024, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 3);
	KUNIT_EXPECT_TRUE(test, p.found);
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

/* A report the changer cut short itself, told from one the length cut. */
static void autoch_test_res_cut_short(struct kunit *test)
{
	struct autoch_cmd *cmd;
	u8 *buf;

	cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	buf = kunit_kzalloc(test, 0x20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	cmd->buf = buf;
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
	struct autoch_cmd *cmd;
	u8 *buf;

	cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	buf = kunit_kzalloc(test, 0x20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cmd);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	cmd->buf = buf;

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
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	autoch_test_res_begin(r);
	autoch_test_res_page(r, AUTOCH_ST, true, false, 52);
	autoch_test_res_desc(r, 5, true, "FIRST");
	autoch_test_res_desc(r, 6, false, NULL);
	autoch_test_res_desc(r, 0, false, NULL);
	autoch_test_res_desc(r, 0, false, NULL);
	autoch_test_res_desc(r, 5, false, NULL);
	autoch_test_res_end_page(r);
	autoch_test_res_end(r, 5, 5);

	autoch_test_parse(test, ach, AUTOCH_ST, r, r->len, AUTOCH_TEST_SEQ,
			  5, &p);
	KUNIT_EXPECT_EQ(test, p.ret, 2);
	KUNIT_EXPECT_TRUE(test, p.found);
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

/* ---- fuzzing: random and mutated replies for every parser ---- */

/*
 * Every parser of what a changer sends (READ ELEMENT STATUS with and
 * without DVCID, MODE SENSE pages 1Dh/1Eh/1Fh, PERSISTENT RESERVE IN,
 * sense data) gets its share of AUTOCH_FUZZ_MIN replies: random bytes,
 * valid replies, and valid replies mutated (bit flips, bytes set to edge
 * values, length fields and descriptor counts changed, cut short,
 * extended, bytes copied over others). Each reply is parsed from a buffer
 * of exactly its length, so under KASAN a read past what arrived is a
 * report; the two parsers whose driver buffer always holds the 8-byte
 * report header get at least that, zero beyond the reply, as
 * autoch_send() leaves it. Every result is checked against what the
 * parser promises (within what arrived, errno of the documented set), and
 * valid replies against what was built into them.
 *
 * The fuzz cases run when the module is loaded with fuzz=1 (make
 * check-debug does so once; every other load of the KUnit build skips
 * them, saying why). The replies come from one seed: the module
 * parameter fuzz_seed, or a random one; it is printed, and insmod
 * autoch.ko fuzz=1 fuzz_seed=SEED replays the run. The work is cut into
 * chunks, one KUnit parameter each, so that no single wait of insmod
 * nears the hung task timeout.
 */

static bool fuzz;
module_param(fuzz, bool, 0444);
MODULE_PARM_DESC(fuzz, "run the KUnit fuzz cases (a few minutes under KASAN)");
static unsigned long long fuzz_seed;
module_param(fuzz_seed, ullong, 0444);
MODULE_PARM_DESC(fuzz_seed, "seed of the KUnit fuzz cases (0: a random one, printed)");

/*
 * 6.1 runs a module's KUnit suites when the module is coming, before its
 * parameters are parsed: read the two from the module's argument string.
 */
static void autoch_fuzz_args(void)
{
	static bool done;
	char *args, *next, *param, *val;

	if (done)
		return;
	done = true;
	args = kstrdup(THIS_MODULE->args ?: "", GFP_KERNEL);
	if (!args)
		return;
	next = args;
	while (*next) {
		next = next_arg(next, &param, &val);
		if (!val)
			continue;
		if (!strcmp(param, "fuzz") && kstrtobool(val, &fuzz))
			fuzz = false;
		if (!strcmp(param, "fuzz_seed") && kstrtoull(val, 0, &fuzz_seed))
			fuzz_seed = 0;
	}
	kfree(args);
}

#define AUTOCH_FUZZ_MIN		1000000
#define AUTOCH_FUZZ_CHUNK	25000
#define AUTOCH_FUZZ_MAX_LEN	1200
#define AUTOCH_FUZZ_MAX_FIELDS	48

enum autoch_fuzz_parser {
	AUTOCH_FUZZ_RES,	/* READ ELEMENT STATUS */
	AUTOCH_FUZZ_DVCID,	/* READ ELEMENT STATUS with DVCID */
	AUTOCH_FUZZ_MODE,	/* MODE SENSE pages 1Dh, 1Eh, 1Fh */
	AUTOCH_FUZZ_PR,		/* PERSISTENT RESERVE IN */
	AUTOCH_FUZZ_SENSE,	/* sense data */
	AUTOCH_FUZZ_NPARSERS,
};

static const char *const autoch_fuzz_names[AUTOCH_FUZZ_NPARSERS] = {
	"READ ELEMENT STATUS", "DVCID", "MODE SENSE", "PR IN", "sense",
};

/* chunks per parser: 12 + 4 + 8 + 6 + 10 = 40 chunks of 25,000 */
static const unsigned int autoch_fuzz_chunks[AUTOCH_FUZZ_NPARSERS] = {
	12, 4, 8, 6, 10,
};

static u64 autoch_fuzz_count[AUTOCH_FUZZ_NPARSERS];
static bool autoch_fuzz_seeded;

/* A length or count field of a reply: where, and how many bytes. */
struct autoch_fuzz_field {
	u16 off;
	u8 width;
};

struct autoch_fuzz {
	struct kunit *test;
	struct rnd_state rs;
	unsigned int param, reply;
	/* the valid reply, its fields, and the one parsed */
	u8 valid[AUTOCH_FUZZ_MAX_LEN];
	unsigned int len;
	struct autoch_fuzz_field fields[AUTOCH_FUZZ_MAX_FIELDS];
	unsigned int nfields;
	u8 data[AUTOCH_FUZZ_MAX_LEN];
	unsigned int avail;
	bool mutated;
	bool failed;	/* a check failed: the chunk stops */
	/*
	 * Buffers of every length, allocated when first needed and kept for
	 * the chunk: KASAN's redzone is the same as for a fresh allocation,
	 * without the cost of saving two stack traces per reply.
	 */
	u8 *bufs[AUTOCH_FUZZ_MAX_LEN + 1];
	unsigned long *rotate[3];	/* bitmaps of 1 and 2 longs */
};

static u32 autoch_fuzz_below(struct autoch_fuzz *fz, u32 n)
{
	return n ? prandom_u32_state(&fz->rs) % n : 0;
}

static bool autoch_fuzz_chance(struct autoch_fuzz *fz, u32 percent)
{
	return autoch_fuzz_below(fz, 100) < percent;
}

static void autoch_fuzz_bytes(struct autoch_fuzz *fz, u8 *p, unsigned int n)
{
	prandom_bytes_state(&fz->rs, p, n);
}

static void autoch_fuzz_field(struct autoch_fuzz *fz, unsigned int off,
			      unsigned int width)
{
	if (fz->nfields < AUTOCH_FUZZ_MAX_FIELDS && off + width <= fz->len)
		fz->fields[fz->nfields++] = (struct autoch_fuzz_field){ off, width };
}

static u32 autoch_fuzz_get(const u8 *p, unsigned int width)
{
	u32 v = 0;

	while (width--)
		v = v << 8 | *p++;
	return v;
}

static void autoch_fuzz_put(u8 *p, unsigned int width, u32 v)
{
	while (width--) {
		p[width] = v;
		v >>= 8;
	}
}

/* An edge value for a field of @width bytes that held @old. */
static u32 autoch_fuzz_edge(struct autoch_fuzz *fz, unsigned int width, u32 old)
{
	u32 max = width >= 4 ? U32_MAX : (1U << (8 * width)) - 1;
	static const u32 small[] = { 0, 1, 2, 4, 7, 8, 11, 12, 15, 16, 17, 0x7f,
				     0x80, 0xff, 0x100 };

	switch (autoch_fuzz_below(fz, 6)) {
	case 0:
		return max;
	case 1:
		return max - autoch_fuzz_below(fz, 16);
	case 2:
		return old + 1 + autoch_fuzz_below(fz, 16);
	case 3:
		return old - 1 - autoch_fuzz_below(fz, 16);
	case 4:
		return small[autoch_fuzz_below(fz, ARRAY_SIZE(small))];
	default:
		return prandom_u32_state(&fz->rs);
	}
}

/* Copy the valid reply and spoil it with one to four mutations. */
static void autoch_fuzz_mutate(struct autoch_fuzz *fz)
{
	unsigned int nops = 1 + autoch_fuzz_below(fz, 4), len = fz->len;
	unsigned int pos, n, src;
	const struct autoch_fuzz_field *f;
	u8 *d = fz->data;

	memcpy(d, fz->valid, len);
	while (nops--) {
		switch (autoch_fuzz_below(fz, 10)) {
		case 0:		/* a bit flipped */
			if (len)
				d[autoch_fuzz_below(fz, len)] ^= 1 << autoch_fuzz_below(fz, 8);
			break;
		case 1:		/* a byte set to an edge value */
			if (len)
				d[autoch_fuzz_below(fz, len)] = autoch_fuzz_edge(fz, 1, 0);
			break;
		case 2:		/* a length, count or type field changed */
		case 3:
		case 4:
			if (!fz->nfields)
				break;
			f = &fz->fields[autoch_fuzz_below(fz, fz->nfields)];
			if (f->off + f->width <= len)
				autoch_fuzz_put(d + f->off, f->width,
						autoch_fuzz_edge(fz, f->width,
								 autoch_fuzz_get(d + f->off,
										 f->width)));
			break;
		case 5:		/* cut short */
		case 6:
			len = autoch_fuzz_below(fz, len + 1);
			break;
		case 7:		/* longer: random bytes after it */
			n = min(1 + autoch_fuzz_below(fz, 64), AUTOCH_FUZZ_MAX_LEN - len);
			autoch_fuzz_bytes(fz, d + len, n);
			len += n;
			break;
		case 8:		/* a run of random bytes */
			if (!len)
				break;
			pos = autoch_fuzz_below(fz, len);
			n = min(len - pos, 1 + autoch_fuzz_below(fz, 16));
			autoch_fuzz_bytes(fz, d + pos, n);
			break;
		default:	/* bytes copied over others: a descriptor twice */
			if (len < 2)
				break;
			pos = autoch_fuzz_below(fz, len);
			src = autoch_fuzz_below(fz, len);
			n = min3(len - pos, len - src, 1 + autoch_fuzz_below(fz, 96));
			memmove(d + pos, d + src, n);
			break;
		}
	}
	fz->avail = len;
	fz->mutated = true;
}

/* The reply to parse: random, valid, valid but cut, or mutated. */
static void autoch_fuzz_pick(struct autoch_fuzz *fz)
{
	unsigned int r = autoch_fuzz_below(fz, 16);

	fz->mutated = true;
	if (r < 2) {
		fz->avail = autoch_fuzz_below(fz, fz->len + 64);
		autoch_fuzz_bytes(fz, fz->data, fz->avail);
	} else if (r < 4) {
		memcpy(fz->data, fz->valid, fz->len);
		fz->avail = fz->len;
		fz->mutated = false;
	} else if (r < 5) {
		memcpy(fz->data, fz->valid, fz->len);
		fz->avail = autoch_fuzz_below(fz, fz->len + 1);
	} else {
		autoch_fuzz_mutate(fz);
	}
}

/*
 * A copy of the reply in a buffer of its length, at least @min bytes
 * (zero beyond the reply). Length 0 is ZERO_SIZE_PTR: any read faults.
 */
static u8 *autoch_fuzz_buf(struct autoch_fuzz *fz, unsigned int min)
{
	unsigned int size = max(fz->avail, min);
	u8 *buf = fz->bufs[size];

	if (!buf) {
		buf = kmalloc(size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(fz->test, buf);
		fz->bufs[size] = buf;
	}
	memset(buf, 0, size);
	memcpy(buf, fz->data, fz->avail);
	return buf;
}

/* A check of one reply: the first that fails is reported, and ends the chunk. */
static __printf(4, 5) void autoch_fuzz_check(struct autoch_fuzz *fz, bool ok,
					     const char *what,
					     const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (ok || fz->failed)
		return;
	fz->failed = true;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	KUNIT_FAIL(fz->test,
		   "seed %#llx param %u reply %u (%s, %u bytes): %s: %pV; first bytes %*ph",
		   fuzz_seed, fz->param, fz->reply, fz->mutated ? "spoilt" : "valid",
		   fz->avail, what, &vaf, min(fz->avail, 48U), fz->data);
	va_end(args);
}

#define AUTOCH_FUZZ_CHECK(fz, cond, fmt, ...)				\
	autoch_fuzz_check(fz, cond, #cond, fmt, ##__VA_ARGS__)

/* -- READ ELEMENT STATUS -- */

static const u16 autoch_fuzz_dlens[] = { 12, 16, 48, 52, 84, 88, 104 };

/*
 * A valid reply of one to four pages for the test changer (storage
 * 1024-1047, drives 256-257, transport 1); returns how many descriptors
 * of @type it holds.
 */
static unsigned int autoch_fuzz_res_build(struct autoch_fuzz *fz, int type)
{
	unsigned int npages = 1 + autoch_fuzz_below(fz, 3), p, k, n, nt = 0;
	unsigned int pos = AUTOCH_RES_HDR_LEN, ph, dlen, pt;
	u32 addr, next = 0;
	u8 *b = fz->valid;

	memset(b, 0, sizeof(fz->valid));
	fz->nfields = 0;
	for (p = 0; p < npages; p++) {
		pt = autoch_fuzz_chance(fz, 70) ? type : 1 + autoch_fuzz_below(fz, 4);
		dlen = autoch_fuzz_chance(fz, 85) ?
		       autoch_fuzz_dlens[autoch_fuzz_below(fz, ARRAY_SIZE(autoch_fuzz_dlens))] :
		       AUTOCH_DESC_MIN_LEN + autoch_fuzz_below(fz, 120);
		n = autoch_fuzz_below(fz, 7);
		/*
		 * Addresses ascend across the whole reply, as SMC-3 has them:
		 * the parser stops at one that does not.
		 */
		addr = autoch_fuzz_chance(fz, 80) ? 1020 + autoch_fuzz_below(fz, 30) :
		       prandom_u32_state(&fz->rs);
		addr = max_t(u32, addr, next);
		if (addr + n > 0x10000)
			n = 0;
		if (pos + AUTOCH_RES_PAGE_HDR_LEN + n * dlen > AUTOCH_FUZZ_MAX_LEN - 64)
			break;
		ph = pos;
		b[ph] = pt;
		b[ph + 1] = (dlen >= 48 && autoch_fuzz_chance(fz, 70) ? 0x80 : 0) |
			    (dlen >= 84 && autoch_fuzz_chance(fz, 50) ? 0x40 : 0);
		put_unaligned_be16(dlen, b + ph + 2);
		put_unaligned_be24(n * dlen, b + ph + 5);
		pos += AUTOCH_RES_PAGE_HDR_LEN;
		next = addr + n;
		for (k = 0; k < n; k++) {
			autoch_fuzz_bytes(fz, b + pos, dlen);
			put_unaligned_be16(addr + k, b + pos);
			if (dlen >= AUTOCH_DESC_MIN_LEN + AUTOCH_VOLTAG_LEN)
				autoch_test_tag(b + pos + AUTOCH_DESC_MIN_LEN,
						autoch_fuzz_chance(fz, 50) ? "FUZZ01" : "", k);
			pos += dlen;
		}
		if (pt == type)
			nt += n;
		fz->len = pos;
		autoch_fuzz_field(fz, ph, 1);
		autoch_fuzz_field(fz, ph + 1, 1);
		autoch_fuzz_field(fz, ph + 2, 2);
		autoch_fuzz_field(fz, ph + 5, 3);
		if (n)
			autoch_fuzz_field(fz, ph + AUTOCH_RES_PAGE_HDR_LEN, 2);
	}
	fz->len = pos;
	put_unaligned_be16(1024, b);
	put_unaligned_be16(nt, b + 2);
	put_unaligned_be24(pos - AUTOCH_RES_HDR_LEN, b + 5);
	autoch_fuzz_field(fz, 0, 2);
	autoch_fuzz_field(fz, 2, 2);
	autoch_fuzz_field(fz, 5, 3);
	return nt;
}

static void autoch_fuzz_res_one(struct autoch_fuzz *fz, struct autoch_device *ach)
{
	int type = 1 + autoch_fuzz_below(fz, AUTOCH_NTYPES), ret;
	unsigned int want_n = autoch_fuzz_res_build(fz, type), seq;
	struct autoch_elem out = {};
	struct element_status es;
	bool found = false;
	u16 want, last = 0;
	u8 *buf;

	autoch_fuzz_pick(fz);
	want = autoch_fuzz_chance(fz, 80) ? 1020 + autoch_fuzz_below(fz, 30) :
	       prandom_u32_state(&fz->rs);
	seq = autoch_fuzz_chance(fz, 90) ? AUTOCH_TEST_SEQ : AUTOCH_TEST_SEQ + 1;
	buf = autoch_fuzz_buf(fz, AUTOCH_RES_HDR_LEN);
	ret = autoch_parse_res(ach, type, buf, fz->avail, seq, AUTOCH_TEST_GEN,
			       want, &out, &found, &last);

	AUTOCH_FUZZ_CHECK(fz, ret == -EIO || ret >= 0, "returned %d", ret);
	/* each descriptor takes 12 bytes at least, after the two headers */
	AUTOCH_FUZZ_CHECK(fz, ret <= 0 || AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN +
			  ret * AUTOCH_DESC_MIN_LEN <= fz->avail,
			  "%d descriptors", ret);
	/* a later page may still make the reply malformed */
	AUTOCH_FUZZ_CHECK(fz, !found || ret, "found in %d descriptors", ret);
	AUTOCH_FUZZ_CHECK(fz, !found || out.gen == AUTOCH_TEST_GEN, "gen %u", out.gen);
	if (!fz->mutated)
		AUTOCH_FUZZ_CHECK(fz, ret == want_n, "%d descriptors of type %d, built %u",
				  ret, type, want_n);
	if (found) {
		autoch_fill_status(&es, want, type, &out);
		AUTOCH_FUZZ_CHECK(fz, es.element == want, "element %u", es.element);
		AUTOCH_FUZZ_CHECK(fz, es.full == (out.flags & 1), "full %u", es.full);
	}
}

/* -- READ ELEMENT STATUS with DVCID -- */

static void autoch_fuzz_dvcid_one(struct autoch_fuzz *fz)
{
	unsigned int idlen = autoch_fuzz_below(fz, 80), dlen, i;
	unsigned int pos = AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN;
	u16 addr = 256 + autoch_fuzz_below(fz, 2);
	struct autoch_drive_id id;
	u8 *b = fz->valid, *buf;
	int ret;

	memset(b, 0, sizeof(fz->valid));
	fz->nfields = 0;
	dlen = AUTOCH_DESC_MIN_LEN + 4 + idlen + autoch_fuzz_below(fz, 4);
	fz->len = pos + dlen;
	put_unaligned_be16(addr, b);
	put_unaligned_be16(1, b + 2);
	put_unaligned_be24(fz->len - AUTOCH_RES_HDR_LEN, b + 5);
	b[8] = AUTOCH_DT;
	put_unaligned_be16(dlen, b + 10);
	put_unaligned_be24(dlen, b + 13);
	put_unaligned_be16(addr, b + pos);
	b[pos + AUTOCH_DESC_MIN_LEN] = 2;
	b[pos + AUTOCH_DESC_MIN_LEN + 1] = autoch_fuzz_below(fz, 16);
	b[pos + AUTOCH_DESC_MIN_LEN + 3] = idlen;
	for (i = 0; i < idlen; i++)
		b[pos + AUTOCH_DESC_MIN_LEN + 4 + i] = 'A' + autoch_fuzz_below(fz, 26);
	autoch_fuzz_field(fz, 5, 3);
	autoch_fuzz_field(fz, 10, 2);
	autoch_fuzz_field(fz, 13, 3);
	autoch_fuzz_field(fz, pos, 2);
	autoch_fuzz_field(fz, pos + AUTOCH_DESC_MIN_LEN + 3, 1);

	autoch_fuzz_pick(fz);
	buf = autoch_fuzz_buf(fz, AUTOCH_RES_HDR_LEN);
	memset(&id, 0, sizeof(id));
	ret = autoch_parse_drive_id(buf, fz->avail, addr, &id);

	AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "returned %d", ret);
	if (ret)
		AUTOCH_FUZZ_CHECK(fz, fz->mutated, "a valid reply refused");
	if (ret)
		return;
	AUTOCH_FUZZ_CHECK(fz, id.element == addr, "element %u", id.element);
	AUTOCH_FUZZ_CHECK(fz, id.id_len <= sizeof(id.id), "id_len %u", id.id_len);
	AUTOCH_FUZZ_CHECK(fz, !id.id_len ||
			  pos + AUTOCH_DESC_MIN_LEN + 4 + id.id_len <= fz->avail,
			  "id_len %u", id.id_len);
	AUTOCH_FUZZ_CHECK(fz, !memchr_inv(id.id + id.id_len, 0, sizeof(id.id) - id.id_len),
			  "bytes past id_len %u", id.id_len);
	if (!fz->mutated)
		AUTOCH_FUZZ_CHECK(fz, id.id_len == min_t(unsigned int, idlen, sizeof(id.id)) &&
				  !memcmp(id.id, b + pos + AUTOCH_DESC_MIN_LEN + 4, id.id_len),
				  "id_len %u of %u", id.id_len, idlen);
}

/* -- MODE SENSE pages 1Dh, 1Eh, 1Fh -- */

static void autoch_fuzz_mode_one(struct autoch_fuzz *fz)
{
	static const u8 pages[] = {
		AUTOCH_PAGE_ELEMENT_ADDRESS, AUTOCH_PAGE_TRANSPORT_GEOMETRY,
		AUTOCH_PAGE_DEVICE_CAPS,
	};
	u8 page = pages[autoch_fuzz_below(fz, ARRAY_SIZE(pages))], ask;
	unsigned int bdlen = autoch_fuzz_chance(fz, 80) ? 0 : 8, off, plen = 0;
	unsigned int body, count = 1 + autoch_fuzz_below(fz, 70), t, bit;
	struct autoch_range range[AUTOCH_NTYPES] = {};
	u8 move[AUTOCH_NTYPES], exch[AUTOCH_NTYPES], store = 0x0f;
	unsigned long *rotate;
	u8 *b = fz->valid, *buf, *pg = NULL;
	int ret;

	memset(b, 0, sizeof(fz->valid));
	fz->nfields = 0;
	off = 4 + bdlen;
	body = page == AUTOCH_PAGE_TRANSPORT_GEOMETRY ? 2 * count : 18;
	fz->len = off + 2 + body;
	autoch_fuzz_bytes(fz, b + off + 2, body);
	b[0] = fz->len - 1;
	b[3] = bdlen;
	b[off] = page | (autoch_fuzz_chance(fz, 30) ? 0x80 : 0);
	b[off + 1] = body;
	autoch_fuzz_field(fz, 0, 1);
	autoch_fuzz_field(fz, 3, 1);
	autoch_fuzz_field(fz, off, 1);
	autoch_fuzz_field(fz, off + 1, 1);
	if (page == AUTOCH_PAGE_ELEMENT_ADDRESS) {
		for (t = 0; t < AUTOCH_NTYPES; t++) {
			/* valid ranges: no wrap past 65535 */
			put_unaligned_be16(autoch_fuzz_below(fz, 0x8000), b + off + 2 + 4 * t);
			put_unaligned_be16(autoch_fuzz_below(fz, 0x8000), b + off + 4 + 4 * t);
			autoch_fuzz_field(fz, off + 2 + 4 * t, 2);
			autoch_fuzz_field(fz, off + 4 + 4 * t, 2);
		}
	}

	autoch_fuzz_pick(fz);
	ask = autoch_fuzz_chance(fz, 90) ? page : pages[autoch_fuzz_below(fz, ARRAY_SIZE(pages))];
	buf = autoch_fuzz_buf(fz, 0);
	ret = autoch_mode_page_find(buf, fz->avail, ask, &pg, &plen);
	AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "returned %d", ret);
	if (!ret) {
		AUTOCH_FUZZ_CHECK(fz, pg >= buf + 4 && plen >= 2 &&
				  pg + plen <= buf + fz->avail,
				  "page at %td, %u bytes", pg - buf, plen);
		AUTOCH_FUZZ_CHECK(fz, (pg[0] & 0x3f) == ask, "page %02x", pg[0]);
	}
	if (!fz->mutated && ask == page)
		AUTOCH_FUZZ_CHECK(fz, !ret && pg == buf + off && plen == body + 2,
				  "returned %d, %u bytes of %u", ret, plen, body + 2);
	if (ret)
		return;
	switch (ask) {
	case AUTOCH_PAGE_ELEMENT_ADDRESS:
		ret = autoch_parse_page_1d(pg, plen, range);
		AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "1Dh: returned %d", ret);
		for (t = 0; !ret && t < AUTOCH_NTYPES; t++)
			AUTOCH_FUZZ_CHECK(fz, range[t].first + range[t].count <= 0x10000,
					  "type %u: %u + %u", t, range[t].first,
					  range[t].count);
		if (!fz->mutated && ask == page)
			for (t = 0; t < AUTOCH_NTYPES; t++)
				AUTOCH_FUZZ_CHECK(fz, range[t].first ==
						  get_unaligned_be16(b + off + 2 + 4 * t),
						  "type %u first %u", t, range[t].first);
		break;
	case AUTOCH_PAGE_DEVICE_CAPS:
		memset(move, 0xff, sizeof(move));
		memset(exch, 0xff, sizeof(exch));
		autoch_parse_page_1f(pg, plen, move, exch, &store);
		for (t = 0; plen >= 16 && t < AUTOCH_NTYPES; t++)
			AUTOCH_FUZZ_CHECK(fz, move[t] <= 0x0f && exch[t] <= 0x0f,
					  "type %u: %02x %02x", t, move[t], exch[t]);
		AUTOCH_FUZZ_CHECK(fz, store <= 0x0f, "store %02x", store);
		break;
	default:
		/* as the driver's bitmap_zalloc(count) */
		t = BITS_TO_LONGS(count);
		if (!fz->rotate[t]) {
			fz->rotate[t] = bitmap_zalloc(t * BITS_PER_LONG, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(fz->test, fz->rotate[t]);
		}
		rotate = fz->rotate[t];
		bitmap_zero(rotate, count);
		autoch_parse_page_1e(pg, plen, count, rotate);
		bit = find_next_bit(rotate, t * BITS_PER_LONG, count);
		AUTOCH_FUZZ_CHECK(fz, bit >= count, "bit %u of %u", bit, count);
		break;
	}
}

/* -- PERSISTENT RESERVE IN: READ KEYS, READ RESERVATION -- */

static void autoch_fuzz_keys_one(struct autoch_fuzz *fz)
{
	unsigned int nkeys = autoch_fuzz_below(fz, 40), i;
	unsigned int len = 8 + 8 * autoch_fuzz_below(fz, 48);
	u32 room = autoch_fuzz_chance(fz, 90) ? autoch_fuzz_below(fz, 48) :
		   prandom_u32_state(&fz->rs);
	u32 generation = 0, total = 0, n = 0;
	u64 sum = 0;
	u8 *b = fz->valid, *buf;
	int ret;

	fz->nfields = 0;
	fz->len = 8 + 8 * nkeys;
	autoch_fuzz_bytes(fz, b, fz->len);
	put_unaligned_be32(8 * nkeys, b + 4);
	autoch_fuzz_field(fz, 0, 4);
	autoch_fuzz_field(fz, 4, 4);
	autoch_fuzz_field(fz, 6, 2);

	autoch_fuzz_pick(fz);
	/* the device sends at most the allocation length */
	fz->avail = min(fz->avail, len);
	buf = autoch_fuzz_buf(fz, 0);
	ret = autoch_pr_parse_keys(buf, fz->avail, len, room, &generation, &total, &n);
	if (!ret) {
		/* what the ioctl copies out */
		AUTOCH_FUZZ_CHECK(fz, 8 + 8ULL * n <= fz->avail, "%u keys", n);
		for (i = 0; i < n && 16 + 8 * i <= fz->avail; i++)
			sum += get_unaligned_be64(buf + 8 + 8 * i);
	}
	AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "returned %d", ret);
	if (ret)
		return;
	AUTOCH_FUZZ_CHECK(fz, n <= room && n <= total, "%u keys, room %u, %u registered",
			  n, room, total);
	if (!fz->mutated) {
		AUTOCH_FUZZ_CHECK(fz, total == nkeys, "%u keys of %u", total, nkeys);
		AUTOCH_FUZZ_CHECK(fz, n == min3(nkeys, room, (len - 8) / 8), "%u keys", n);
		for (i = 0; i < n; i++)
			sum -= get_unaligned_be64(b + 8 + 8 * i);
		AUTOCH_FUZZ_CHECK(fz, !sum, "keys differ");
	}
}

static void autoch_fuzz_resv_one(struct autoch_fuzz *fz)
{
	static const u8 types[] = { 0x01, 0x03, 0x05, 0x06, 0x07, 0x08 };
	struct pr_read_reservation rr = {};
	bool held = autoch_fuzz_chance(fz, 60);
	u8 *b = fz->valid, *buf, type = types[autoch_fuzz_below(fz, ARRAY_SIZE(types))];
	int ret;

	fz->nfields = 0;
	fz->len = held ? 24 : 8;
	autoch_fuzz_bytes(fz, b, fz->len);
	put_unaligned_be32(held ? 16 : 0, b + 4);
	if (held)
		b[21] = type;
	autoch_fuzz_field(fz, 4, 4);
	autoch_fuzz_field(fz, 21, 1);

	autoch_fuzz_pick(fz);
	fz->avail = min(fz->avail, 24U);	/* the allocation length */
	buf = autoch_fuzz_buf(fz, 0);
	ret = autoch_pr_parse_reservation(buf, fz->avail, &rr);
	AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "returned %d", ret);
	if (ret)
		return;
	AUTOCH_FUZZ_CHECK(fz, rr.type <= PR_EXCLUSIVE_ACCESS_ALL_REGS, "type %u", rr.type);
	if (!fz->mutated) {
		AUTOCH_FUZZ_CHECK(fz, rr.generation == get_unaligned_be32(b), "generation");
		AUTOCH_FUZZ_CHECK(fz, rr.key == (held ? get_unaligned_be64(b + 8) : 0),
				  "key %llx", rr.key);
		AUTOCH_FUZZ_CHECK(fz, !held == !rr.type, "type %u", rr.type);
	}
}

/* -- sense data -- */

static bool autoch_fuzz_errno_ok(int err)
{
	switch (-err) {
	case EINVAL:
	case EOPNOTSUPP:
	case ENOMEDIUM:
	case EXFULL:
	case EBUSY:
	case ECONNRESET:
	case ETIMEDOUT:
	case ENXIO:
	case EIO:
		return true;
	}
	return false;
}

/* Fixed (70h/71h) or descriptor (72h/73h) sense data, SKSV mostly set. */
static int autoch_fuzz_sense_build(struct autoch_fuzz *fz)
{
	u8 *b = fz->valid, key = autoch_fuzz_below(fz, 16);
	int progress = autoch_fuzz_chance(fz, 70) ? autoch_fuzz_below(fz, 0x10000) : -1;
	unsigned int pos, n;

	fz->nfields = 0;
	memset(b, 0, SCSI_SENSE_BUFFERSIZE);
	if (autoch_fuzz_chance(fz, 50)) {
		fz->len = 18 + autoch_fuzz_below(fz, SCSI_SENSE_BUFFERSIZE - 18 + 1);
		autoch_fuzz_bytes(fz, b, fz->len);
		b[0] = 0x70 | autoch_fuzz_below(fz, 2) | (autoch_fuzz_chance(fz, 50) ? 0x80 : 0);
		b[2] = (b[2] & 0xf0) | key;
		b[7] = fz->len - 8;
		b[15] = progress >= 0 ? 0x80 : 0;
		put_unaligned_be16(max(progress, 0), b + 16);
		autoch_fuzz_field(fz, 0, 1);
		autoch_fuzz_field(fz, 7, 1);
		autoch_fuzz_field(fz, 15, 1);
		return progress;
	}
	b[0] = 0x72 | autoch_fuzz_below(fz, 2);
	b[1] = key;
	b[2] = prandom_u32_state(&fz->rs);
	b[3] = prandom_u32_state(&fz->rs);
	autoch_fuzz_field(fz, 0, 1);
	pos = 8;
	/* other descriptors before and after the sense-key specific one */
	n = autoch_fuzz_below(fz, 3);
	while (n-- && pos + 12 <= 64) {
		b[pos] = autoch_fuzz_chance(fz, 50) ? 0x00 : 0x03 + autoch_fuzz_below(fz, 8);
		b[pos + 1] = 10;
		autoch_fuzz_bytes(fz, b + pos + 2, 10);
		fz->len = pos + 12;
		autoch_fuzz_field(fz, pos, 1);
		autoch_fuzz_field(fz, pos + 1, 1);
		pos += 12;
	}
	b[pos] = 0x02;
	b[pos + 1] = 6;
	b[pos + 4] = progress >= 0 ? 0x80 : 0;
	put_unaligned_be16(max(progress, 0), b + pos + 5);
	fz->len = pos + 8;
	autoch_fuzz_field(fz, pos, 1);
	autoch_fuzz_field(fz, pos + 1, 1);
	autoch_fuzz_field(fz, pos + 4, 1);
	b[7] = fz->len - 8;
	autoch_fuzz_field(fz, 7, 1);
	return progress;
}

static void autoch_fuzz_sense_one(struct autoch_fuzz *fz)
{
	static const u8 hosts[] = {
		DID_OK, DID_OK, DID_OK, DID_OK, DID_NO_CONNECT, DID_BUS_BUSY,
		DID_TIME_OUT, DID_BAD_TARGET, DID_ABORT, DID_ERROR, DID_RESET,
		DID_TRANSPORT_DISRUPTED, 0x11, 0xff,
	};
	static const u8 stats[] = {
		SAM_STAT_CHECK_CONDITION, SAM_STAT_CHECK_CONDITION,
		SAM_STAT_CHECK_CONDITION, SAM_STAT_GOOD, SAM_STAT_BUSY,
		SAM_STAT_RESERVATION_CONFLICT, SAM_STAT_TASK_SET_FULL,
		SAM_STAT_TASK_ABORTED, 0xff,
	};
	int progress = autoch_fuzz_sense_build(fz), p, err, result;
	struct scsi_sense_hdr sshdr;
	unsigned int slen;
	u8 full[SCSI_SENSE_BUFFERSIZE] = {};
	bool valid, recovered;
	u8 *buf;

	autoch_fuzz_pick(fz);
	fz->avail = min_t(unsigned int, fz->avail, SCSI_SENSE_BUFFERSIZE);
	buf = autoch_fuzz_buf(fz, 0);
	/* the midlayer's decoding (sshdr), then the driver's */
	valid = scsi_normalize_sense(buf, fz->avail, &sshdr);
	p = autoch_sense_progress(buf, fz->avail);
	/* autoch_sense_len() reads the driver's whole sense buffer */
	memcpy(full, fz->data, fz->avail);
	slen = autoch_sense_len(full);

	AUTOCH_FUZZ_CHECK(fz, p >= -1 && p <= 0xffff, "progress %d", p);
	AUTOCH_FUZZ_CHECK(fz, slen <= SCSI_SENSE_BUFFERSIZE && (!slen || slen >= 8),
			  "sense length %u", slen);
	if (!fz->mutated && (fz->valid[0] & 0x7f) <= 0x71)
		AUTOCH_FUZZ_CHECK(fz, slen == fz->len, "sense length %u of %u", slen, fz->len);
	if (!fz->mutated)
		AUTOCH_FUZZ_CHECK(fz, p == progress, "progress %d, built %d", p, progress);
	if (valid) {
		err = autoch_sense_to_errno(&sshdr);
		AUTOCH_FUZZ_CHECK(fz, autoch_fuzz_errno_ok(err), "%x/%02x/%02x: errno %d",
				  sshdr.sense_key, sshdr.asc, sshdr.ascq, err);
	}
	result = hosts[autoch_fuzz_below(fz, ARRAY_SIZE(hosts))] << 16 |
		 stats[autoch_fuzz_below(fz, ARRAY_SIZE(stats))];
	err = autoch_result_to_errno(result, valid ? &sshdr : NULL);
	/* RECOVERED ERROR: the command completed (SPC-4 4.5.6) */
	recovered = result == SAM_STAT_CHECK_CONDITION && valid &&
		    sshdr.sense_key == RECOVERED_ERROR;
	AUTOCH_FUZZ_CHECK(fz, result && !recovered ? autoch_fuzz_errno_ok(err) : !err,
			  "result %#x: errno %d", result, err);
}

/* -- the cases -- */

struct autoch_fuzz_param {
	enum autoch_fuzz_parser parser;
	unsigned int chunk;
};

static void autoch_fuzz_seed(struct kunit *test)
{
	if (autoch_fuzz_seeded)
		return;
	if (!fuzz_seed)
		fuzz_seed = get_random_u64() ?: 1;
	autoch_fuzz_seeded = true;
	kunit_info(test, "fuzz seed %#llx (replay: insmod autoch.ko fuzz=1 fuzz_seed=%#llx)\n",
		   fuzz_seed, fuzz_seed);
}

static const void *autoch_fuzz_params(const void *prev, char *desc)
{
	static struct autoch_fuzz_param params[AUTOCH_FUZZ_MIN / AUTOCH_FUZZ_CHUNK];
	const struct autoch_fuzz_param *p = prev;
	unsigned int i = p ? p - params + 1 : 0, n = 0, k;
	enum autoch_fuzz_parser t;

	autoch_fuzz_args();
	/* without fuzz=1, one parameter, which skips */
	if (p && !fuzz)
		return NULL;
	if (!p) {
		for (t = 0; t < AUTOCH_FUZZ_NPARSERS; t++)
			for (k = 0; k < autoch_fuzz_chunks[t] && n < ARRAY_SIZE(params); k++)
				params[n++] = (struct autoch_fuzz_param){ t, k };
	}
	if (i >= ARRAY_SIZE(params))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s, chunk %u",
		 autoch_fuzz_names[params[i].parser], params[i].chunk);
	return &params[i];
}

/* One chunk: AUTOCH_FUZZ_CHUNK replies to one parser. */
static void autoch_test_fuzz(struct kunit *test)
{
	const struct autoch_fuzz_param *p = test->param_value;
	struct autoch_device *ach = NULL;
	struct autoch_fuzz *fz;
	unsigned int i;

	autoch_fuzz_args();
	if (!fuzz)
		kunit_skip(test, "the fuzz cases run with insmod autoch.ko fuzz=1");
	autoch_fuzz_seed(test);
	fz = kunit_kzalloc(test, sizeof(*fz), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fz);
	fz->test = test;
	fz->param = p->parser << 8 | p->chunk;
	prandom_seed_state(&fz->rs, fuzz_seed ^ ((u64)fz->param * 0x9e3779b97f4a7c15ULL));
	if (p->parser == AUTOCH_FUZZ_RES)
		ach = autoch_test_dev(test);

	for (i = 0; !fz->failed && i < AUTOCH_FUZZ_CHUNK; i++) {
		fz->reply = i;
		switch (p->parser) {
		case AUTOCH_FUZZ_RES:
			autoch_fuzz_res_one(fz, ach);
			break;
		case AUTOCH_FUZZ_DVCID:
			autoch_fuzz_dvcid_one(fz);
			break;
		case AUTOCH_FUZZ_MODE:
			autoch_fuzz_mode_one(fz);
			break;
		case AUTOCH_FUZZ_PR:
			if (i & 1)
				autoch_fuzz_resv_one(fz);
			else
				autoch_fuzz_keys_one(fz);
			break;
		default:
			autoch_fuzz_sense_one(fz);
			break;
		}
		autoch_fuzz_count[p->parser]++;
	}
	for (i = 0; i < ARRAY_SIZE(fz->bufs); i++)
		kfree(fz->bufs[i]);
	for (i = 0; i < ARRAY_SIZE(fz->rotate); i++)
		bitmap_free(fz->rotate[i]);
	if (ach)
		mutex_destroy(&ach->state_lock);
}

/* After the chunks: at least AUTOCH_FUZZ_MIN replies in all, each parser fed. */
static void autoch_test_fuzz_total(struct kunit *test)
{
	u64 total = 0;
	int t;

	autoch_fuzz_args();
	if (!fuzz)
		kunit_skip(test, "the fuzz cases run with insmod autoch.ko fuzz=1");
	autoch_fuzz_seed(test);
	for (t = 0; t < AUTOCH_FUZZ_NPARSERS; t++) {
		total += autoch_fuzz_count[t];
		KUNIT_EXPECT_GT_MSG(test, autoch_fuzz_count[t], 0ULL, "%s: no reply",
				    autoch_fuzz_names[t]);
	}
	kunit_info(test, "fuzz: %llu replies (READ ELEMENT STATUS %llu, DVCID %llu, MODE SENSE %llu, PR IN %llu, sense %llu), seed %#llx\n",
		   total, autoch_fuzz_count[AUTOCH_FUZZ_RES],
		   autoch_fuzz_count[AUTOCH_FUZZ_DVCID], autoch_fuzz_count[AUTOCH_FUZZ_MODE],
		   autoch_fuzz_count[AUTOCH_FUZZ_PR], autoch_fuzz_count[AUTOCH_FUZZ_SENSE],
		   fuzz_seed);
	KUNIT_EXPECT_GE(test, total, (u64)AUTOCH_FUZZ_MIN);
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
	KUNIT_CASE_PARAM(autoch_test_fuzz, autoch_fuzz_params),
	KUNIT_CASE(autoch_test_fuzz_total),
	{}
};

static struct kunit_suite autoch_test_suite = {
	.name = "autoch",
	.test_cases = autoch_test_cases,
};

kunit_test_suite(autoch_test_suite);
