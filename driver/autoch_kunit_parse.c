// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit cases of the autoch suite (driver/autoch_kunit.c lists them)
 * for the parsers of what a changer sends and the READ ELEMENT STATUS
 * command around them: volume tags and element descriptors, READ ELEMENT
 * STATUS replies (good, truncated, oversized, short descriptors, tags,
 * several pages, a stale map, the first match), its CDB and allocation
 * length, replies cut short, the element type of an address, and the
 * drive identifiers (DVCID) with their match against VPD pages 80h/83h.
 * Here too the fake changer (autoch_test_dev()) and the volume tag
 * builder (autoch_test_tag()) that the other objects of the suite use.
 *
 * Linked in with autoch_kunit.c when the build sets
 * CONFIG_AUTOCH_KUNIT_TEST=y (driver/Kbuild). Expected values are written
 * out from the documentation (SMC-3, SPC-4), not computed from the
 * driver's own tables. Replies are fed in buffers of exactly the length
 * that "arrived", so that under KASAN a read past them is a report.
 */

#include <kunit/test.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"
#include "autoch_kunit.h"

/* ---- volume tags, descriptors ---- */

void autoch_test_voltag_blank(struct kunit *test)
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
void autoch_test_parse_desc(struct kunit *test)
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

void autoch_test_res_good(struct kunit *test)
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
void autoch_test_res_truncated(struct kunit *test)
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
void autoch_test_res_oversized(struct kunit *test)
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
void autoch_test_res_short_desc(struct kunit *test)
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
void autoch_test_res_tags(struct kunit *test)
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
void autoch_test_res_pages(struct kunit *test)
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
void autoch_test_res_stale_map(struct kunit *test)
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

void autoch_test_res_cdb(struct kunit *test)
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

void autoch_test_res_alloc(struct kunit *test)
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
void autoch_test_res_cut_short(struct kunit *test)
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

void autoch_test_res_alloc16_reply(struct kunit *test)
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

void autoch_test_type_of(struct kunit *test)
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

/*
 * Addresses ascend: the first descriptor of an address counts, and one
 * that does not ascend (here a zero-filled tail, address 0, which is an
 * element of the map) ends the report without touching that element.
 */
void autoch_test_res_first_match(struct kunit *test)
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
void autoch_test_id_matches(struct kunit *test)
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
void autoch_test_drive_id_tags(struct kunit *test)
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
