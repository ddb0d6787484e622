// SPDX-License-Identifier: GPL-2.0
/*
 * The KUnit fuzz cases of the autoch suite (driver/autoch_kunit.c lists
 * them, last): every parser of what a changer sends (READ ELEMENT STATUS
 * with and without DVCID, MODE SENSE pages 1Dh/1Eh/1Fh, PERSISTENT
 * RESERVE IN, sense data) gets its share of AUTOCH_FUZZ_MIN replies:
 * random bytes, valid replies, and valid replies mutated (bit flips, bytes
 * set to edge values, length fields and descriptor counts changed, cut
 * short, extended, bytes copied over others). Each reply is parsed from a
 * buffer of exactly its length, so under KASAN a read past what arrived
 * is a report; the two parsers whose driver buffer always holds the
 * 8-byte report header get at least that, zero beyond the reply, as
 * autoch_send() leaves it. Every result is checked against what the
 * parser promises (within what arrived, errno of the documented set), and
 * valid replies against what was built into them.
 *
 * Linked in with autoch_kunit.c when the build sets
 * CONFIG_AUTOCH_KUNIT_TEST=y (driver/Kbuild). The cases run when the
 * module is loaded with fuzz=1 (make check-debug does so once; every
 * other load of the KUnit build skips them, saying why). The replies come
 * from one seed: the module parameter fuzz_seed, or a random one; it is
 * printed, and insmod autoch.ko fuzz=1 fuzz_seed=SEED replays the run.
 * The work is cut into chunks, one KUnit parameter each, so that no
 * single wait of insmod nears the hung task timeout.
 */

#include <kunit/test.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"
#include "autoch_kunit.h"

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

static const u8 autoch_fuzz_pages[] = {
	AUTOCH_PAGE_ELEMENT_ADDRESS, AUTOCH_PAGE_TRANSPORT_GEOMETRY,
	AUTOCH_PAGE_DEVICE_CAPS,
};

/*
 * A valid MODE SENSE(6) reply with @page after a block descriptor of
 * @bdlen bytes, for a changer of @count transports (page 1Eh); returns
 * the length of the page's body, which starts at 4 + @bdlen + 2.
 */
static unsigned int autoch_fuzz_mode_build(struct autoch_fuzz *fz, u8 page,
					   unsigned int bdlen,
					   unsigned int count)
{
	unsigned int off = 4 + bdlen, body, t;
	u8 *b = fz->valid;

	memset(b, 0, sizeof(fz->valid));
	fz->nfields = 0;
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
	return body;
}

/*
 * The page @ask found at @pg (@plen bytes) through its parser; @valid:
 * the reply is the one built for it, page 1Dh at @off of fz->valid.
 */
static void autoch_fuzz_mode_page(struct autoch_fuzz *fz, u8 ask, u8 *pg,
				  unsigned int plen, bool valid,
				  unsigned int off, unsigned int count)
{
	struct autoch_range range[AUTOCH_NTYPES] = {};
	u8 move[AUTOCH_NTYPES], exch[AUTOCH_NTYPES], store = 0x0f;
	unsigned long *rotate;
	unsigned int t, bit;
	int ret;

	switch (ask) {
	case AUTOCH_PAGE_ELEMENT_ADDRESS:
		ret = autoch_parse_page_1d(pg, plen, range);
		AUTOCH_FUZZ_CHECK(fz, ret == 0 || ret == -EIO, "1Dh: returned %d", ret);
		for (t = 0; !ret && t < AUTOCH_NTYPES; t++)
			AUTOCH_FUZZ_CHECK(fz, range[t].first + range[t].count <= 0x10000,
					  "type %u: %u + %u", t, range[t].first,
					  range[t].count);
		if (valid)
			for (t = 0; t < AUTOCH_NTYPES; t++)
				AUTOCH_FUZZ_CHECK(fz, range[t].first ==
						  get_unaligned_be16(fz->valid + off + 2 + 4 * t),
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

static void autoch_fuzz_mode_one(struct autoch_fuzz *fz)
{
	u8 page = autoch_fuzz_pages[autoch_fuzz_below(fz, ARRAY_SIZE(autoch_fuzz_pages))];
	unsigned int bdlen = autoch_fuzz_chance(fz, 80) ? 0 : 8, plen = 0;
	unsigned int count = 1 + autoch_fuzz_below(fz, 70);
	unsigned int off = 4 + bdlen, body;
	u8 *buf, *pg = NULL, ask;
	int ret;

	body = autoch_fuzz_mode_build(fz, page, bdlen, count);
	autoch_fuzz_pick(fz);
	ask = autoch_fuzz_chance(fz, 90) ? page :
	      autoch_fuzz_pages[autoch_fuzz_below(fz, ARRAY_SIZE(autoch_fuzz_pages))];
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
	if (!ret)
		autoch_fuzz_mode_page(fz, ask, pg, plen,
				      !fz->mutated && ask == page, off, count);
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

const void *autoch_fuzz_params(const void *prev, char *desc)
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
void autoch_test_fuzz(struct kunit *test)
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
void autoch_test_fuzz_total(struct kunit *test)
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
