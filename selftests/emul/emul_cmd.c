// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the SCSI commands of the emulated changer (SPC-4, SMC-3).
 *
 * Everything here runs with emul_state.lock held and interrupts off, from
 * queuecommand or from the workqueue: no sleeping, no allocation. Replies
 * are streamed into the command's scatterlist, bounded by the allocation
 * length and the buffer, while the headers report the full byte counts,
 * as SMC-3 6.12 and SPC-4 4.2.5.6 require.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <scsi/scsi.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_status.h>

#include "emul.h"

/* Which persistent reservation types block a command (SPC-4 table 59). */
enum emul_pr_class {
	EMUL_PR_ALLOWED,	/* allowed under every type */
	EMUL_PR_READ,		/* conflicts under exclusive access only */
	EMUL_PR_WRITE,		/* conflicts under both */
};

#define EMUL_OP_NO_UA		BIT(0)	/* SAM-5 5.14: no unit attention */
#define EMUL_OP_NO_READY	BIT(1)	/* answered while becoming ready */
#define EMUL_OP_RES_OK		BIT(2)	/* allowed under another's RESERVE */

/**
 * struct emul_op - one supported command
 * @opcode: operation code
 * @sa: service action, for commands that have one
 * @has_sa: the command has service actions
 * @cdb_len: CDB length
 * @feature: EMUL_F_* the profile needs for it, 0 for every profile
 * @flags: EMUL_OP_*
 * @pr: enum emul_pr_class
 */
struct emul_op {
	u8 opcode;
	u8 sa;
	bool has_sa;
	u8 cdb_len;
	u32 feature;
	u8 flags;
	u8 pr;
};

#define NO_UA		EMUL_OP_NO_UA
#define NO_READY	EMUL_OP_NO_READY
#define RES_OK		EMUL_OP_RES_OK

static const struct emul_op emul_ops[] = {
	{ 0x00, 0, false, 6, 0, 0, EMUL_PR_ALLOWED },		/* TEST UNIT READY */
	{ 0x03, 0, false, 6, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ 0x07, 0, false, 6, 0, 0, EMUL_PR_WRITE },		/* INIT ELEMENT STATUS */
	{ 0x12, 0, false, 6, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ 0x16, 0, false, 6, EMUL_F_RESERVE, 0, EMUL_PR_WRITE },
	{ 0x17, 0, false, 6, EMUL_F_RESERVE, RES_OK, EMUL_PR_WRITE },
	{ 0x1a, 0, false, 6, 0, 0, EMUL_PR_READ },		/* MODE SENSE(6) */
	{ 0x1e, 0, false, 6, EMUL_F_PREVENT, 0, EMUL_PR_WRITE },
	{ 0x2b, 0, false, 10, EMUL_F_POSITION, 0, EMUL_PR_WRITE },
	{ 0x37, 0, false, 10, EMUL_F_INIT_RANGE, 0, EMUL_PR_WRITE },
	{ 0x56, 0, false, 10, EMUL_F_RESERVE, 0, EMUL_PR_WRITE },
	{ 0x57, 0, false, 10, EMUL_F_RESERVE, RES_OK, EMUL_PR_WRITE },
	{ 0x5a, 0, false, 10, 0, 0, EMUL_PR_READ },		/* MODE SENSE(10) */
	{ 0x5e, 0, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* READ KEYS */
	{ 0x5e, 1, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* READ RESERVATION */
	{ 0x5e, 2, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* REPORT CAPABILITIES */
	{ 0x5f, 0, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* REGISTER */
	{ 0x5f, 1, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* RESERVE */
	{ 0x5f, 2, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* RELEASE */
	{ 0x5f, 3, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* CLEAR */
	{ 0x5f, 4, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* PREEMPT */
	{ 0x5f, 5, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* PREEMPT AND ABORT */
	{ 0x5f, 6, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },	/* REGISTER AND IGNORE */
	{ 0xa0, 0, false, 12, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ 0xa3, 0x0c, true, 12, 0, NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ 0xa5, 0, false, 12, 0, 0, EMUL_PR_WRITE },		/* MOVE MEDIUM */
	{ 0xa6, 0, false, 12, EMUL_F_EXCHANGE, 0, EMUL_PR_WRITE },
	{ 0xb8, 0, false, 12, 0, 0, EMUL_PR_READ },		/* READ ELEMENT STATUS */
};

static const struct {
	u8 asc;
	u8 ascq;
} emul_ua_sense[EMUL_UA_NR] = {
	[EMUL_UA_POWER_ON] = { 0x29, 0x00 },
	[EMUL_UA_NEXUS_LOSS] = { 0x29, 0x07 },
	[EMUL_UA_RES_PREEMPTED] = { 0x2a, 0x03 },
	[EMUL_UA_RES_RELEASED] = { 0x2a, 0x04 },
	[EMUL_UA_REG_PREEMPTED] = { 0x2a, 0x05 },
	[EMUL_UA_MEDIUM] = { 0x28, 0x00 },
};

/* The cartridge an element holds, as it travels with the robot. */
struct emul_cart {
	bool invert;
	bool image;
	char tag[EMUL_TAG_MAX + 1];
	char alt[EMUL_TAG_MAX + 1];
};

/**
 * struct emul_out - a reply streamed into a command's scatterlist
 * @cmd: the command
 * @miter: position in the scatterlist
 * @started: @miter was started
 * @mapped: @miter holds a mapped segment
 * @moff: bytes of that segment used
 * @limit: bytes that may be transferred
 * @done: bytes transferred
 * @pos: bytes of the reply produced, transferred or not
 */
struct emul_out {
	struct scsi_cmnd *cmd;
	struct sg_mapping_iter miter;
	bool started;
	bool mapped;
	unsigned int moff;
	unsigned int limit;
	unsigned int done;
	unsigned int pos;
};

static void emul_out_start(struct emul_out *o, struct emul_cmd *ec,
			   unsigned int alloc)
{
	struct scsi_cmnd *cmd = ec->cmd;

	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->limit = min3(alloc, scsi_bufflen(cmd), ec->short_len);
	if (!scsi_sg_count(cmd))
		o->limit = 0;
	if (o->limit) {
		sg_miter_start(&o->miter, scsi_sglist(cmd), scsi_sg_count(cmd),
			       SG_MITER_ATOMIC | SG_MITER_TO_SG);
		o->started = true;
	}
}

/* Append @len bytes from @data, or @len copies of @fill when @data is NULL. */
static void emul_write(struct emul_out *o, const void *data, u8 fill,
		       unsigned int len)
{
	const u8 *p = data;
	unsigned int n;

	o->pos += len;
	while (len && o->done < o->limit) {
		if (!o->mapped || o->moff == o->miter.length) {
			if (!sg_miter_next(&o->miter)) {
				o->limit = o->done;
				break;
			}
			o->mapped = true;
			o->moff = 0;
		}
		n = min3(len, (unsigned int)o->miter.length - o->moff,
			 o->limit - o->done);
		if (p) {
			memcpy(o->miter.addr + o->moff, p, n);
			p += n;
		} else {
			memset(o->miter.addr + o->moff, fill, n);
		}
		o->moff += n;
		o->done += n;
		len -= n;
	}
}

static void emul_put(struct emul_out *o, const void *data, unsigned int len)
{
	emul_write(o, data, 0, len);
}

static void emul_out_end(struct emul_out *o)
{
	if (o->started)
		sg_miter_stop(&o->miter);
	scsi_set_resid(o->cmd, scsi_bufflen(o->cmd) - o->done);
}

/* A whole small reply from a buffer. */
static void emul_reply(struct emul_cmd *ec, const void *buf, unsigned int len,
		       unsigned int alloc)
{
	struct emul_out o;

	emul_out_start(&o, ec, alloc);
	emul_put(&o, buf, len);
	emul_out_end(&o);
}

static void emul_sense(struct emul_cmd *ec, u8 key, u8 asc, u8 ascq)
{
	scsi_build_sense(ec->cmd, 0, key, asc, ascq);
	scsi_set_resid(ec->cmd, scsi_bufflen(ec->cmd));
}

/*
 * Fixed-format NOT READY 04/01 sense in @sense (18 bytes) with the
 * progress indication (SPC-4 4.5.2.4.4): the share of ready_ms gone.
 */
static void emul_not_ready_sense(struct emul_state *st, u8 *sense)
{
	unsigned long total = st->ready_at - st->ready_from;
	unsigned long done = jiffies - st->ready_from;

	scsi_build_sense_buffer(0, sense, NOT_READY, 0x04, 0x01);
	sense[15] = 0x80;	/* SKSV */
	put_unaligned_be16(total ? min(done * 65536 / total, 65535UL) : 0,
			   sense + 16);
}

static void emul_invalid_cdb(struct emul_cmd *ec)
{
	emul_sense(ec, ILLEGAL_REQUEST, 0x24, 0x00);
}

static void emul_conflict(struct emul_cmd *ec)
{
	set_status_byte(ec->cmd, SAM_STAT_RESERVATION_CONFLICT);
	scsi_set_resid(ec->cmd, scsi_bufflen(ec->cmd));
}

/* Read the data-out buffer: at most @len bytes; the bytes read. */
static unsigned int emul_param_list(struct emul_cmd *ec, void *buf,
				    unsigned int len)
{
	len = min(len, scsi_bufflen(ec->cmd));
	if (!len || !scsi_sg_count(ec->cmd))
		return 0;
	return scsi_sg_copy_to_buffer(ec->cmd, buf, len);
}

static bool emul_has(const struct emul_state *st, u32 feature)
{
	return (st->features & feature) == feature;
}

static bool emul_tgt(const struct emul_state *st)
{
	return st->features & EMUL_F_TGT;
}

const char *emul_type_name(u8 type)
{
	static const char *const names[EMUL_NTYPES] = {
		"all", "mt", "st", "ie", "dt",
	};

	return type < EMUL_NTYPES ? names[type] : "?";
}

struct emul_elem *emul_elem(struct emul_state *st, u16 addr)
{
	const struct emul_range *r;
	int t;

	for (t = EMUL_MT; t < EMUL_NTYPES; t++) {
		r = &st->range[t];
		if (r->count && addr >= r->first && addr - r->first < r->count)
			return &st->elems[r->base + addr - r->first];
	}
	return NULL;
}

static bool emul_accessible(const struct emul_state *st,
			    const struct emul_elem *e)
{
	if (st->door_open)
		return false;
	return e->mag < 0 || !st->mag_out[e->mag];
}

static bool emul_removal_prevented(const struct emul_state *st)
{
	unsigned int i;

	for (i = 0; i < st->nhosts; i++)
		if (st->prevent[i])
			return true;
	return false;
}

void emul_raise_ua(struct emul_state *st, int initiator, enum emul_ua ua)
{
	unsigned int i;

	lockdep_assert_held(&st->lock);
	for (i = 0; i < st->nhosts; i++)
		if (initiator < 0 || i == initiator)
			st->ua[i] |= BIT(ua);
}

/*
 * Power on or reset (SAM-5 6.3): reservations made with RESERVE go,
 * persistent ones stay; every initiator gets 29/00 once; the unit becomes
 * ready after ready_ms.
 */
void emul_power_on(struct emul_state *st)
{
	unsigned int i;

	lockdep_assert_held(&st->lock);
	st->unit_res = -1;
	for (i = 0; i < st->nelems; i++) {
		st->elems[i].res_owner = 0;
		st->elems[i].res_id = 0;
	}
	memset(st->prevent, 0, sizeof(st->prevent));
	for (i = 0; i < st->nhosts; i++)
		st->ua[i] = BIT(EMUL_UA_POWER_ON);
	st->ready_from = jiffies;
	st->ready_at = jiffies + msecs_to_jiffies(READ_ONCE(emul_ready_ms));
	st->robot_free = ktime_get();
}

static const struct emul_op *emul_find_op(const struct emul_state *st,
					  const u8 *cdb)
{
	const struct emul_op *op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(emul_ops); i++) {
		op = &emul_ops[i];
		if (op->opcode != cdb[0])
			continue;
		if (op->has_sa && op->sa != (cdb[1] & 0x1f))
			continue;
		if (op->feature && !emul_has(st, op->feature))
			return NULL;
		return op;
	}
	return NULL;
}

/* The initiator may access the LU despite the persistent reservation. */
static bool emul_pr_access(const struct emul_state *st, unsigned int ini)
{
	if (st->pr_holder < 0 || st->pr_holder == ini)
		return true;
	/* registrants only: every registered I_T nexus (SPC-4 5.13.1) */
	return (st->pr_type == 5 || st->pr_type == 6) && st->pr_reg[ini];
}

static bool emul_reservation_conflict(const struct emul_state *st,
				      unsigned int ini,
				      const struct emul_op *op, const u8 *cdb)
{
	u8 class = op->pr;

	/* SPC-2 5.5.1: another initiator's unit reservation */
	if (st->unit_res >= 0 && st->unit_res != ini &&
	    !(op->flags & EMUL_OP_RES_OK))
		return true;
	/* SPC-4 5.13.3: RESERVE while a persistent reservation exists */
	if (st->pr_holder >= 0 && (cdb[0] == 0x16 || cdb[0] == 0x56))
		return true;
	if (emul_pr_access(st, ini))
		return false;
	if (cdb[0] == 0x1e && !(cdb[4] & 0x03))
		class = EMUL_PR_ALLOWED;	/* allowing removal */
	switch (class) {
	case EMUL_PR_READ:
		/* exclusive access (3) and its registrants-only form (6) */
		return st->pr_type == 3 || st->pr_type == 6;
	case EMUL_PR_WRITE:
		return true;
	default:
		return false;
	}
}

static bool emul_report_ua(struct emul_state *st, struct emul_cmd *ec,
			   unsigned int ini)
{
	unsigned int bit;

	if (!st->ua[ini])
		return false;
	bit = __ffs(st->ua[ini]);
	st->ua[ini] &= ~BIT(bit);
	emul_sense(ec, UNIT_ATTENTION, emul_ua_sense[bit].asc,
		   emul_ua_sense[bit].ascq);
	return true;
}

static bool emul_becoming_ready(const struct emul_state *st)
{
	return time_before(jiffies, st->ready_at);
}

/* ---- SPC commands ---- */

static void emul_pad(u8 *dst, const char *s, unsigned int len)
{
	unsigned int n = min_t(unsigned int, strlen(s), len);

	memcpy(dst, s, n);
	memset(dst + n, ' ', len - n);
}

static void emul_inquiry(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int alloc = get_unaligned_be16(cdb + 3), len, n;
	u8 *b = st->scratch;

	memset(b, 0, 96);
	b[0] = TYPE_MEDIUM_CHANGER;
	if (!(cdb[1] & 0x01)) {
		if (cdb[2]) {
			emul_invalid_cdb(ec);
			return;
		}
		b[2] = 0x06;			/* SPC-4 */
		b[3] = 0x12;			/* HiSup, response format 2 */
		b[6] = st->nhosts > 1 ? 0x10 : 0;	/* MultiP */
		b[7] = 0x02;			/* CmdQue */
		emul_pad(b + 8, st->vendor, 8);
		emul_pad(b + 16, st->product, 16);
		emul_pad(b + 32, st->revision, 4);
		b[4] = 36 - 5;
		emul_reply(ec, b, 36, alloc);
		return;
	}

	b[1] = cdb[2];
	switch (cdb[2]) {
	case 0x00:			/* supported VPD pages */
		b[4] = 0x00;
		b[5] = 0x80;
		b[6] = 0x83;
		len = 3;
		break;
	case 0x80:			/* unit serial number */
		len = strlen(st->serial);
		memcpy(b + 4, st->serial, len);
		break;
	case 0x83:			/* device identification */
		/* T10 vendor ID based: vendor, then the serial number */
		n = 4;
		b[n] = 0x02;		/* ASCII */
		b[n + 1] = 0x01;	/* LU, T10 vendor ID */
		b[n + 3] = 8 + strlen(st->serial);
		emul_pad(b + n + 4, st->vendor, 8);
		memcpy(b + n + 12, st->serial, strlen(st->serial));
		n += 4 + b[n + 3];
		/* NAA 3 (locally assigned) from the serial number */
		b[n] = 0x01;		/* binary */
		b[n + 1] = 0x03;	/* LU, NAA */
		b[n + 3] = 8;
		put_unaligned_be64(st->naa, b + n + 4);
		n += 12;
		/* relative target port: one per host (I_T nexus) */
		b[n] = 0x01;
		b[n + 1] = 0x14;	/* target port, relative port */
		b[n + 3] = 4;
		put_unaligned_be16(ec->host->index + 1, b + n + 6);
		n += 8;
		len = n - 4;
		break;
	default:
		emul_invalid_cdb(ec);
		return;
	}
	put_unaligned_be16(len, b + 2);
	emul_reply(ec, b, len + 4, alloc);
}

static void emul_request_sense(struct emul_state *st, struct emul_cmd *ec,
			       unsigned int ini)
{
	u8 *b = st->scratch;
	unsigned int bit;

	memset(b, 0, 18);
	if (st->ua[ini]) {
		bit = __ffs(st->ua[ini]);
		st->ua[ini] &= ~BIT(bit);
		scsi_build_sense_buffer(0, b, UNIT_ATTENTION,
					emul_ua_sense[bit].asc,
					emul_ua_sense[bit].ascq);
	} else if (emul_becoming_ready(st)) {
		emul_not_ready_sense(st, b);
	} else {
		scsi_build_sense_buffer(0, b, NO_SENSE, 0, 0);
	}
	emul_reply(ec, b, 18, ec->cmd->cmnd[4]);
}

static void emul_test_unit_ready(struct emul_state *st, struct emul_cmd *ec)
{
	if (st->door_open)
		emul_sense(ec, NOT_READY, 0x04, 0x03);
}

static void emul_report_luns(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	u8 *b = st->scratch;

	if (get_unaligned_be32(cdb + 6) < 16) {
		emul_invalid_cdb(ec);
		return;
	}
	memset(b, 0, 16);
	b[3] = 8;		/* one LUN: 0 */
	emul_reply(ec, b, 16, get_unaligned_be32(cdb + 6));
}

static void emul_op_usage(const struct emul_op *op, u8 *b)
{
	memset(b, 0xff, op->cdb_len);
	b[0] = op->opcode;
	if (op->has_sa)
		b[1] = op->sa;
	b[op->cdb_len - 1] = 0x07;
}

/* REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), exactly the profile's. */
static void emul_report_opcodes(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int alloc = get_unaligned_be32(cdb + 6), i, n = 4;
	const struct emul_op *op, *found = NULL;
	u8 ro = cdb[2] & 0x07, rop = cdb[3];
	u16 rsa = get_unaligned_be16(cdb + 4);
	bool any = false, sa_cmd = false;
	u8 *b = st->scratch;

	if (cdb[2] & 0x80) {		/* RCTD: no timeout descriptors */
		emul_invalid_cdb(ec);
		return;
	}
	memset(b, 0, EMUL_SCRATCH_LEN);
	if (ro == 0) {
		for (i = 0; i < ARRAY_SIZE(emul_ops); i++) {
			op = &emul_ops[i];
			if (op->feature && !emul_has(st, op->feature))
				continue;
			b[n] = op->opcode;
			put_unaligned_be16(op->has_sa ? op->sa : 0, b + n + 2);
			b[n + 5] = op->has_sa ? 0x01 : 0;	/* SERVACTV */
			put_unaligned_be16(op->cdb_len, b + n + 6);
			n += 8;
		}
		put_unaligned_be32(n - 4, b);
		emul_reply(ec, b, n, alloc);
		return;
	}
	if (ro > 3) {
		emul_invalid_cdb(ec);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(emul_ops); i++) {
		op = &emul_ops[i];
		if (op->opcode != rop)
			continue;
		any = true;
		sa_cmd = op->has_sa;
		if (op->has_sa && (ro == 1 || op->sa != rsa))
			continue;
		if (!op->has_sa && ro == 2)
			continue;
		if (op->feature && !emul_has(st, op->feature))
			continue;
		found = op;
	}
	/* SPC-4: a service action asked of a command without, or vice versa */
	if (any && ((ro == 1 && sa_cmd) || (ro == 2 && !sa_cmd))) {
		emul_invalid_cdb(ec);
		return;
	}
	if (!found) {
		b[1] = 0x01;		/* not supported */
		emul_reply(ec, b, 4, alloc);
		return;
	}
	b[1] = 0x03;			/* supported as the standard says */
	put_unaligned_be16(found->cdb_len, b + 2);
	emul_op_usage(found, b + 4);
	emul_reply(ec, b, 4 + found->cdb_len, alloc);
}

/* ---- mode pages (SMC-3 7.3) ---- */

static unsigned int emul_page_1d(const struct emul_state *st, u8 *p, bool ch)
{
	int t;

	memset(p, 0, 20);
	p[0] = 0x1d;
	p[1] = 0x12;
	if (ch)
		return 20;
	for (t = EMUL_MT; t < EMUL_NTYPES; t++) {
		put_unaligned_be16(st->range[t].first, p + 2 + 4 * (t - 1));
		put_unaligned_be16(st->range[t].count, p + 4 + 4 * (t - 1));
	}
	return 20;
}

static unsigned int emul_page_1e(const struct emul_state *st, u8 *p, bool ch)
{
	unsigned int i, n = st->range[EMUL_MT].count;

	/* bounded at setup: 8 transports at most */
	memset(p, 0, 2 + 2 * n);
	p[0] = 0x1e;
	p[1] = 2 * n;
	for (i = 0; i < n && !ch; i++)
		p[2 + 2 * i] = (st->rotate & BIT(i)) ? 0x01 : 0;
	return 2 + 2 * n;
}

static unsigned int emul_page_1f(const struct emul_state *st, u8 *p, bool ch)
{
	int t;

	memset(p, 0, 20);
	p[0] = 0x1f;
	p[1] = 0x12;
	if (ch)
		return 20;
	p[2] = st->can_store;
	for (t = EMUL_MT; t < EMUL_NTYPES; t++) {
		p[4 + t - 1] = st->move_caps[t];
		p[12 + t - 1] = st->exch_caps[t];
	}
	return 20;
}

static void emul_malform(struct emul_state *st, struct emul_cmd *ec,
			 u32 which, unsigned int hdr);

static void emul_mode_sense(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	bool ten = cdb[0] == MODE_SENSE_10;
	unsigned int hdr = ten ? 8 : 4, n, alloc;
	u8 pc = cdb[2] >> 6, page = cdb[2] & 0x3f, sub = cdb[3];
	u8 *b = st->scratch;
	bool ch = pc == 1;

	alloc = ten ? get_unaligned_be16(cdb + 7) : cdb[4];
	if (pc == 3) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x39, 0x00);	/* saving */
		return;
	}
	if (sub && !(page == 0x3f && sub == 0xff)) {
		emul_invalid_cdb(ec);
		return;
	}
	memset(b, 0, hdr);
	n = hdr;
	switch (page) {
	case 0x1d:
		n += emul_page_1d(st, b + n, ch);
		break;
	case 0x1e:
		n += emul_page_1e(st, b + n, ch);
		break;
	case 0x1f:
		n += emul_page_1f(st, b + n, ch);
		break;
	case 0x3f:
		n += emul_page_1d(st, b + n, ch);
		n += emul_page_1e(st, b + n, ch);
		n += emul_page_1f(st, b + n, ch);
		break;
	default:
		emul_invalid_cdb(ec);
		return;
	}
	if (ten)
		put_unaligned_be16(n - 2, b);
	else
		b[0] = n - 1;
	emul_reply(ec, b, n, alloc);
	emul_malform(st, ec, EMUL_MAL_MODE, hdr);
}

/* ---- READ ELEMENT STATUS (SMC-3 6.12) ---- */

struct emul_run {
	u8 type;
	u32 idx;
	u32 n;
	u32 dlen;
};

static unsigned int emul_desc_len(const struct emul_state *st, u8 type,
				  bool pvol, bool avol, bool dvcid)
{
	unsigned int len = 12;

	if (pvol)
		len += EMUL_VOLTAG_LEN;
	if (avol)
		len += EMUL_VOLTAG_LEN;
	if (emul_has(st, EMUL_F_SMC3_DESC) || (dvcid && type == EMUL_DT))
		len += 4;
	if (dvcid && type == EMUL_DT)
		len += round_up(st->dvcid_len, 4);
	return len;
}

static void emul_put_tag(struct emul_out *o, const char *tag, bool show)
{
	u8 field[EMUL_VOLTAG_LEN];

	memset(field, ' ', 32);
	memset(field + 32, 0, 4);	/* volume sequence number 0 */
	if (show)
		memcpy(field, tag, strnlen(tag, 32));
	emul_put(o, field, sizeof(field));
}

static void emul_put_desc(struct emul_state *st, struct emul_out *o,
			  const struct emul_elem *e, bool pvol, bool avol,
			  bool dvcid, unsigned int dlen)
{
	bool access = emul_accessible(st, e);
	bool full = e->full && access;
	unsigned int used = 12;
	u8 d[12] = {};
	u8 id[4 + EMUL_DVCID_LEN];
	char serial[EMUL_DVCID_LEN + 1];
	unsigned int drive = e->addr - st->range[EMUL_DT].first + 1;

	put_unaligned_be16(e->addr, d);
	d[2] = full ? 0x01 : 0;
	if (e->impexp && full)
		d[2] |= 0x02;
	if (access && !emul_tgt(st))
		d[2] |= 0x08;
	if (e->type == EMUL_IE)
		d[2] |= 0x30;		/* InEnab, ExEnab */
	if (e->type == EMUL_DT && st->profile == EMUL_SUPERLOADER)
		d[6] = 0x10;		/* LU valid: the drive is LUN 0 */
	if (full && e->svalid) {
		d[9] = 0x80 | (e->invert ? 0x40 : 0);
		put_unaligned_be16(e->source, d + 10);
	}
	emul_put(o, d, sizeof(d));
	if (pvol) {
		emul_put_tag(o, e->tag, full);
		used += EMUL_VOLTAG_LEN;
	}
	if (avol) {
		emul_put_tag(o, e->alt, full && e->alt[0]);
		used += EMUL_VOLTAG_LEN;
	}
	if (used < dlen) {
		memset(id, 0, sizeof(id));
		if (dvcid && e->type == EMUL_DT) {
			id[0] = 0x02;		/* ASCII */
			id[3] = st->dvcid_len;
			if (emul_tgt(st)) {
				/* tgt: the tape LU's T10 vendor ID designator */
				id[1] = 0x01;
				snprintf(serial, sizeof(serial),
					 "IET     VIRTUAL-TAPE    beaf1%-5u",
					 drive);
			} else {
				/* a vendor-specific ASCII serial number */
				snprintf(serial, sizeof(serial), "EMULDRV%09u",
					 drive);
			}
			memcpy(id + 4, serial, st->dvcid_len);
		}
		emul_put(o, id, min_t(unsigned int, dlen - used, sizeof(id)));
	}
}

static void emul_read_element_status(struct emul_state *st,
				     struct emul_cmd *ec)
{
	static const u8 order_types[] = { EMUL_MT, EMUL_ST, EMUL_IE, EMUL_DT };
	const u8 *cdb = ec->cmd->cmnd;
	u8 type = cdb[1] & 0x0f;
	bool voltag = cdb[1] & 0x10, dvcid = cdb[6] & 0x01, tgt = emul_tgt(st);
	u16 start = get_unaligned_be16(cdb + 2);
	u32 count = get_unaligned_be16(cdb + 4);
	u32 alloc = get_unaligned_be24(cdb + 7);
	bool avol = voltag && emul_has(st, EMUL_F_ALT_TAGS);
	struct emul_run runs[4], *r;
	unsigned int nruns = 0, i, j, k, bytes = 0, total = 0;
	const struct emul_range *rg;
	u32 lo, n, first_addr;
	struct emul_out o;
	u8 h[8];

	if (type > EMUL_DT || (dvcid && !tgt && !emul_has(st, EMUL_F_DVCID))) {
		emul_invalid_cdb(ec);
		return;
	}
	/* quirk: 0x10000 reads as 0, and nothing is sent */
	if (READ_ONCE(emul_alloc16))
		alloc &= 0xffff;
	/* tgt: an allocation length past the buffer is refused */
	if (tgt && alloc > scsi_bufflen(ec->cmd)) {
		emul_invalid_cdb(ec);
		return;
	}

	/* the ranges in address order, from the starting address */
	for (i = 0; i < 4; i++) {
		u8 best = 0;

		for (j = 0; j < ARRAY_SIZE(order_types); j++) {
			u8 t = order_types[j];
			bool used = false;

			for (k = 0; k < i; k++)
				if (runs[k].type == t)
					used = true;
			if (used || !st->range[t].count)
				continue;
			if (!best || st->range[t].first < st->range[best].first)
				best = t;
		}
		if (!best)
			break;
		runs[i].type = best;
		runs[i].n = 0;
	}
	nruns = i;
	for (i = 0, j = 0; i < nruns; i++) {
		u8 t = runs[i].type;

		rg = &st->range[t];
		if (type && t != type)
			continue;
		lo = max_t(u32, start, rg->first);
		if (lo >= rg->first + rg->count)
			continue;
		n = rg->first + rg->count - lo;
		/* tgt reports every element from the start, whatever the count */
		if (!tgt)
			n = min(n, count - total);
		if (!n)
			break;
		r = &runs[j++];
		r->type = t;
		r->idx = rg->base + lo - rg->first;
		r->n = n;
		r->dlen = emul_desc_len(st, t, voltag, avol, dvcid);
		total += n;
		bytes += 8 + n * r->dlen;
	}
	nruns = j;
	if (!total && count && !tgt) {
		/* no element of the type at or above the address */
		emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
		return;
	}

	first_addr = total ? st->elems[runs[0].idx].addr : 0;
	if (tgt && total == 1)
		first_addr = 0;		/* tgt's header is wrong here */
	put_unaligned_be16(first_addr, h);
	put_unaligned_be16(total, h + 2);
	h[4] = 0;
	/*
	 * tgt counts its own 8-byte header in the report's byte count: the
	 * reply is 8 bytes shorter than the header says, so a parser that
	 * trusts the header finds the last descriptor cut.
	 */
	put_unaligned_be24(bytes + (tgt ? 8 : 0), h + 5);

	emul_out_start(&o, ec, alloc);
	emul_put(&o, h, 8);
	for (i = 0; i < nruns; i++) {
		r = &runs[i];
		h[0] = (tgt && !type) ? 0 : r->type;	/* tgt: type 0 corrupt */
		h[1] = (voltag ? 0x80 : 0) | (avol ? 0x40 : 0);
		put_unaligned_be16((tgt && !type) ? 12 : r->dlen, h + 2);
		h[4] = 0;
		put_unaligned_be24(r->n * r->dlen, h + 5);
		emul_put(&o, h, 8);
		for (k = 0; k < r->n && o.done < o.limit; k++)
			emul_put_desc(st, &o, &st->elems[r->idx + k], voltag,
				      avol, dvcid, r->dlen);
	}
	emul_out_end(&o);
	emul_malform(st, ec, EMUL_MAL_RES, 8);
}

/* ---- malformed replies (debugfs "malformed") ---- */

static void emul_sg_write(struct scsi_cmnd *cmd, const void *buf,
			  unsigned int len, unsigned int off)
{
	sg_pcopy_from_buffer(scsi_sglist(cmd), scsi_sg_count(cmd), buf, len,
			     off);
}

/*
 * Spoil the reply just written, when asked to: @hdr is the offset of the
 * first page (READ ELEMENT STATUS page header, or mode page).
 */
static void emul_malform(struct emul_state *st, struct emul_cmd *ec,
			 u32 which, unsigned int hdr)
{
	struct scsi_cmnd *cmd = ec->cmd;
	unsigned int len = scsi_bufflen(cmd) - scsi_get_resid(cmd), n, off;
	bool res = which == EMUL_MAL_RES;
	u8 b[64];

	if (!st->mal_count || !(st->mal_which & which) || cmd->result ||
	    !scsi_sg_count(cmd))
		return;
	if (!--st->mal_count)
		st->mal_which = 0;
	memset(b, 0, sizeof(b));

	switch (st->mal_kind) {
	case EMUL_MAL_TRUNCATED:
		/* half the reply arrives; the headers still claim all of it */
		n = len / 2;
		sg_zero_buffer(scsi_sglist(cmd), scsi_sg_count(cmd), len - n, n);
		scsi_set_resid(cmd, scsi_bufflen(cmd) - n);
		break;
	case EMUL_MAL_OVERSIZED:
		/* more data than the headers account for */
		n = scsi_bufflen(cmd) - len;
		memset(st->scratch, 0xa5, EMUL_SCRATCH_LEN);
		while (n) {
			unsigned int c = min_t(unsigned int, n, EMUL_SCRATCH_LEN);

			emul_sg_write(cmd, st->scratch, c, len);
			len += c;
			n -= c;
		}
		scsi_set_resid(cmd, 0);
		break;
	case EMUL_MAL_DESCLEN0:
		/* descriptor length / page length 0 */
		if (res)
			emul_sg_write(cmd, b, 2, hdr + 2);
		else
			emul_sg_write(cmd, b, 1, hdr + 1);
		break;
	case EMUL_MAL_COUNTS:
		/* byte counts larger than the data */
		if (res) {
			put_unaligned_be24(0x100000, b);
			emul_sg_write(cmd, b, 3, 5);
			emul_sg_write(cmd, b, 3, hdr + 5);
		} else {
			b[0] = 0xff;
			b[1] = 0xff;
			emul_sg_write(cmd, b, hdr == 8 ? 2 : 1, 0);
		}
		break;
	case EMUL_MAL_PAGETYPE:
		/* a page of another type than asked */
		b[0] = res ? 0x07 : 0x1c;
		emul_sg_write(cmd, b, 1, hdr);
		break;
	case EMUL_MAL_RANDOM:
		for (off = 0; off < len; off += n) {
			n = min_t(unsigned int, len - off, EMUL_SCRATCH_LEN);
			get_random_bytes(st->scratch, n);
			emul_sg_write(cmd, st->scratch, n, off);
		}
		break;
	default:
		break;
	}
}

/* ---- moves (SMC-3 6.6, 6.3, 6.8) ---- */

static bool emul_rotates(const struct emul_state *st, const struct emul_elem *t)
{
	return st->rotate & BIT(t->addr - st->range[EMUL_MT].first);
}

static bool emul_reserved_by_other(const struct emul_elem *e, unsigned int ini)
{
	return e->res_owner && e->res_owner != ini + 1;
}

static void emul_take(struct emul_elem *e, struct emul_cart *c)
{
	c->invert = e->invert;
	c->image = e->image;
	memcpy(c->tag, e->tag, sizeof(c->tag));
	memcpy(c->alt, e->alt, sizeof(c->alt));
	e->full = false;
	e->svalid = false;
	e->invert = false;
	e->impexp = false;
	e->image = false;
	memset(e->tag, 0, sizeof(e->tag));
	memset(e->alt, 0, sizeof(e->alt));
}

static void emul_place(struct emul_elem *e, const struct emul_cart *c,
		       u16 from, bool invert)
{
	e->full = true;
	e->svalid = true;
	e->source = from;
	e->invert = c->invert ^ invert;
	e->impexp = false;
	e->image = c->image;
	memcpy(e->tag, c->tag, sizeof(e->tag));
	memcpy(e->alt, c->alt, sizeof(e->alt));
}

/*
 * Look up the elements of a move: the transport and @n others. Reports
 * the error and returns false when an address is invalid, the transport
 * cannot invert, an element is out of reach or reserved by another.
 */
static bool emul_move_elems(struct emul_state *st, struct emul_cmd *ec,
			    unsigned int ini, u16 mt, bool invert,
			    const u16 *addr, struct emul_elem **e, unsigned int n)
{
	struct emul_elem *t = emul_elem(st, mt);
	bool tgt = emul_tgt(st);
	unsigned int i;

	/* tgt says 24/00 where SMC-3 says INVALID ELEMENT ADDRESS */
	if (!t || t->type != EMUL_MT) {
		if (tgt)
			emul_invalid_cdb(ec);
		else
			emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
		return false;
	}
	for (i = 0; i < n; i++) {
		e[i] = emul_elem(st, addr[i]);
		if (!e[i] || e[i]->type == EMUL_MT) {
			if (tgt)
				emul_invalid_cdb(ec);
			else
				emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
			return false;
		}
	}
	/* page 1Eh: only a transport that can rotate inverts (tgt does anyway) */
	if (invert && !tgt && !emul_rotates(st, t)) {
		emul_invalid_cdb(ec);
		return false;
	}
	if (st->door_open) {
		emul_sense(ec, NOT_READY, 0x04, 0x03);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!emul_accessible(st, e[i])) {
			/* SMC-3: MEDIUM MAGAZINE REMOVED */
			emul_sense(ec, NOT_READY, 0x3b, 0x12);
			return false;
		}
	}
	if (emul_reserved_by_other(t, ini)) {
		emul_conflict(ec);
		return false;
	}
	for (i = 0; i < n; i++) {
		if (emul_reserved_by_other(e[i], ini)) {
			emul_conflict(ec);
			return false;
		}
	}
	return true;
}

static void emul_move_medium(struct emul_state *st, struct emul_cmd *ec,
			     unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	u16 addr[2] = { get_unaligned_be16(cdb + 4), get_unaligned_be16(cdb + 6) };
	bool invert = cdb[10] & 0x01;
	/* mtx's "eepos": extend or retract an import/export tray */
	bool eepos = (cdb[10] & 0x06) || (cdb[11] & 0xc0);
	struct emul_elem *e[2];
	struct emul_cart c;

	if (!emul_move_elems(st, ec, ini, get_unaligned_be16(cdb + 2), invert,
			     addr, e, 2))
		return;
	if (addr[0] == addr[1] && eepos && e[0]->type == EMUL_IE)
		return;			/* a tray operation, nothing moves */
	if (!e[0]->full) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x3b, 0x0e);
		return;
	}
	if (e[1]->full) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x3b, 0x0d);
		return;
	}
	if (e[1]->type == EMUL_IE && emul_removal_prevented(st)) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x53, 0x02);
		return;
	}
	/* tgt loads only cartridges with a tape image into a drive */
	if (emul_tgt(st) && e[1]->type == EMUL_DT && !e[0]->image) {
		emul_sense(ec, HARDWARE_ERROR, 0x15, 0x01);
		return;
	}
	emul_take(e[0], &c);
	emul_place(e[1], &c, addr[0], invert);
}

static void emul_exchange_medium(struct emul_state *st, struct emul_cmd *ec,
				 unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	u16 addr[3] = { get_unaligned_be16(cdb + 4), get_unaligned_be16(cdb + 6),
			get_unaligned_be16(cdb + 8) };
	bool inv1 = cdb[10] & 0x01, inv2 = cdb[10] & 0x02;
	struct emul_elem *e[3];
	struct emul_cart a, b;

	if (!emul_move_elems(st, ec, ini, get_unaligned_be16(cdb + 2),
			     inv1 || inv2, addr, e, 3))
		return;
	/* both the source and the first destination are sources of a move */
	if (!e[0]->full || !e[1]->full || addr[0] == addr[1]) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x3b, 0x0e);
		return;
	}
	if (e[2]->full && addr[2] != addr[0]) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x3b, 0x0d);
		return;
	}
	if ((e[1]->type == EMUL_IE || e[2]->type == EMUL_IE) &&
	    emul_removal_prevented(st)) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x53, 0x02);
		return;
	}
	emul_take(e[0], &a);
	emul_take(e[1], &b);
	emul_place(e[1], &a, addr[0], inv1);
	emul_place(e[2], &b, addr[1], inv2);
}

static void emul_position(struct emul_state *st, struct emul_cmd *ec,
			  unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	u16 addr = get_unaligned_be16(cdb + 4);
	struct emul_elem *e;

	emul_move_elems(st, ec, ini, get_unaligned_be16(cdb + 2),
			cdb[8] & 0x01, &addr, &e, 1);
}

/* INITIALIZE ELEMENT STATUS (07h) and WITH RANGE (37h): nothing moves. */
static void emul_init_status(struct emul_state *st, struct emul_cmd *ec,
			     unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int i, lo = 0, n = st->nelems;
	struct emul_elem *e;

	if (cdb[0] == 0x37 && (cdb[1] & 0x01)) {
		e = emul_elem(st, get_unaligned_be16(cdb + 2));
		if (!e) {
			emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
			return;
		}
		lo = e - st->elems;
		n = min_t(unsigned int, get_unaligned_be16(cdb + 6),
			  st->nelems - lo);
	}
	if (st->door_open) {
		emul_sense(ec, NOT_READY, 0x04, 0x03);
		return;
	}
	for (i = lo; i < lo + n; i++) {
		if (emul_reserved_by_other(&st->elems[i], ini)) {
			emul_conflict(ec);
			return;
		}
	}
}

static void emul_prevent_allow(struct emul_state *st, struct emul_cmd *ec,
			       unsigned int ini)
{
	u8 prevent = ec->cmd->cmnd[4] & 0x03;

	if (prevent > 1) {
		emul_invalid_cdb(ec);
		return;
	}
	st->prevent[ini] = prevent;
}

/* ---- RESERVE / RELEASE ELEMENT (SMC-2 6.8-6.11, SPC-2 7.21) ---- */

static void emul_reserve(struct emul_state *st, struct emul_cmd *ec,
			 unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	bool ten = cdb[0] == 0x56, element = cdb[1] & 0x01;
	unsigned int plen, i, j, n;
	u8 id = cdb[2];
	struct emul_elem *e;
	u8 *p = st->scratch;

	plen = ten ? get_unaligned_be16(cdb + 7) : get_unaligned_be16(cdb + 3);
	/* third-party (LongID, 3rdPty) reservations are not offered */
	if ((ten && (cdb[1] & 0x12)) ||
	    (element && !emul_has(st, EMUL_F_ELEM_RES))) {
		emul_invalid_cdb(ec);
		return;
	}
	if (!element) {
		for (i = 0; i < st->nelems; i++) {
			if (emul_reserved_by_other(&st->elems[i], ini)) {
				emul_conflict(ec);
				return;
			}
		}
		st->unit_res = ini;
		return;
	}
	if (plen % 6 || plen > EMUL_SCRATCH_LEN) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x1a, 0x00);
		return;
	}
	if (emul_param_list(ec, p, plen) < plen) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x1a, 0x00);
		return;
	}
	/* check every element first: all or nothing */
	for (j = 0; j < 2; j++) {
		for (i = 0; i < plen; i += 6) {
			u16 addr = get_unaligned_be16(p + i + 4);
			unsigned int k;

			n = max_t(unsigned int, 1, get_unaligned_be16(p + i + 2));
			for (k = 0; k < n; k++) {
				e = addr + k > 0xffff ? NULL :
				    emul_elem(st, addr + k);
				if (!e) {
					emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
					return;
				}
				if (emul_reserved_by_other(e, ini)) {
					emul_conflict(ec);
					return;
				}
				if (j) {
					e->res_owner = ini + 1;
					e->res_id = id;
				}
			}
		}
	}
}

static void emul_release(struct emul_state *st, struct emul_cmd *ec,
			 unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	bool element = cdb[1] & 0x01;
	unsigned int i;

	if ((cdb[0] == 0x57 && (cdb[1] & 0x12)) ||
	    (element && !emul_has(st, EMUL_F_ELEM_RES))) {
		emul_invalid_cdb(ec);
		return;
	}
	/* the Element bit releases one identification, else everything */
	for (i = 0; i < st->nelems; i++) {
		struct emul_elem *e = &st->elems[i];

		if (e->res_owner == ini + 1 && (!element || e->res_id == cdb[2])) {
			e->res_owner = 0;
			e->res_id = 0;
		}
	}
	if (!element && st->unit_res == ini)
		st->unit_res = -1;
}

/* ---- PERSISTENT RESERVE IN/OUT (SPC-4 6.15, 6.16, 5.13) ---- */

static bool emul_pr_type_ok(u8 type)
{
	return type == 1 || type == 3 || type == 5 || type == 6;
}

static void emul_pr_in(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int alloc = get_unaligned_be16(cdb + 7), i, n = 8;
	u8 *b = st->scratch;

	memset(b, 0, 64);
	put_unaligned_be32(st->pr_gen, b);
	switch (cdb[1] & 0x1f) {
	case 0:				/* READ KEYS */
		for (i = 0; i < st->nhosts; i++) {
			if (!st->pr_reg[i])
				continue;
			put_unaligned_be64(st->pr_key[i], b + n);
			n += 8;
		}
		put_unaligned_be32(n - 8, b + 4);
		break;
	case 1:				/* READ RESERVATION */
		if (st->pr_holder >= 0) {
			put_unaligned_be32(16, b + 4);
			put_unaligned_be64(st->pr_key[st->pr_holder], b + 8);
			b[21] = st->pr_type;	/* scope 0: logical unit */
			n += 16;
		}
		break;
	case 2:				/* REPORT CAPABILITIES */
		memset(b, 0, 8);
		put_unaligned_be16(8, b);
		b[2] = 0x10;		/* CRH */
		b[3] = 0x80;		/* TMV: the type mask is valid */
		b[4] = 0x40 | 0x20 | 0x08 | 0x02;	/* EA_RO WE_RO EA WE */
		n = 8;
		break;
	default:
		emul_invalid_cdb(ec);
		return;
	}
	emul_reply(ec, b, n, alloc);
}

static void emul_pr_unregister(struct emul_state *st, unsigned int who)
{
	unsigned int i;

	st->pr_reg[who] = false;
	st->pr_key[who] = 0;
	if (st->pr_holder != who)
		return;
	/* SPC-4 5.13.11.2.3: the holder's reservation goes with its key */
	if (st->pr_type == 5 || st->pr_type == 6)
		for (i = 0; i < st->nhosts; i++)
			if (i != who && st->pr_reg[i])
				emul_raise_ua(st, i, EMUL_UA_RES_RELEASED);
	st->pr_holder = -1;
	st->pr_type = 0;
}

/* Remove every registration of @key but @self's; how many went. */
static unsigned int emul_pr_preempt_key(struct emul_state *st, u64 key,
					unsigned int self, enum emul_ua ua)
{
	unsigned int i, n = 0;

	for (i = 0; i < st->nhosts; i++) {
		if (!st->pr_reg[i] || st->pr_key[i] != key)
			continue;
		n++;
		if (i == self)
			continue;
		st->pr_reg[i] = false;
		st->pr_key[i] = 0;
		emul_raise_ua(st, i, ua);
	}
	return n;
}

static void emul_pr_out(struct emul_state *st, struct emul_cmd *ec,
			unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	u8 sa = cdb[1] & 0x1f, scope = cdb[2] >> 4, type = cdb[2] & 0x0f;
	u64 rkey, sakey;
	u8 *p = st->scratch;
	bool reg = st->pr_reg[ini];
	unsigned int i;

	if (get_unaligned_be32(cdb + 5) != 24) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x1a, 0x00);
		return;
	}
	if (emul_param_list(ec, p, 24) < 24) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x1a, 0x00);
		return;
	}
	if (sa > 6) {			/* REGISTER AND MOVE and beyond */
		emul_invalid_cdb(ec);
		return;
	}
	rkey = get_unaligned_be64(p);
	sakey = get_unaligned_be64(p + 8);
	/* SPEC_I_PT and APTPL are not offered (REPORT CAPABILITIES) */
	if (p[20] & 0x09) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x26, 0x00);
		return;
	}
	/* Every action but the ignore-key form checks the caller's key. */
	if (sa != 6) {
		if (reg ? rkey != st->pr_key[ini] : (sa != 0 || rkey)) {
			emul_conflict(ec);
			return;
		}
	}

	switch (sa) {
	case 0:				/* REGISTER */
	case 6:				/* REGISTER AND IGNORE EXISTING KEY */
		if (!sakey) {
			if (reg)
				emul_pr_unregister(st, ini);
		} else {
			st->pr_reg[ini] = true;
			st->pr_key[ini] = sakey;
		}
		st->pr_gen++;
		break;
	case 1:				/* RESERVE */
		if (scope || !emul_pr_type_ok(type)) {
			emul_invalid_cdb(ec);
			return;
		}
		if (st->pr_holder >= 0 &&
		    (st->pr_holder != ini || st->pr_type != type)) {
			emul_conflict(ec);
			return;
		}
		st->pr_holder = ini;
		st->pr_type = type;
		break;
	case 2:				/* RELEASE */
		if (st->pr_holder != ini)
			break;		/* no reservation, or not ours: nothing */
		if (scope || st->pr_type != type) {
			emul_sense(ec, ILLEGAL_REQUEST, 0x26, 0x04);
			return;
		}
		if (type == 5 || type == 6)
			for (i = 0; i < st->nhosts; i++)
				if (i != ini && st->pr_reg[i])
					emul_raise_ua(st, i, EMUL_UA_RES_RELEASED);
		st->pr_holder = -1;
		st->pr_type = 0;
		break;
	case 3:				/* CLEAR */
		for (i = 0; i < st->nhosts; i++) {
			if (i != ini && st->pr_reg[i])
				emul_raise_ua(st, i, EMUL_UA_RES_PREEMPTED);
			st->pr_reg[i] = false;
			st->pr_key[i] = 0;
		}
		st->pr_holder = -1;
		st->pr_type = 0;
		st->pr_gen++;
		break;
	case 4:				/* PREEMPT */
	case 5:				/* PREEMPT AND ABORT */
		if (st->pr_holder >= 0 && sakey == st->pr_key[st->pr_holder]) {
			if (scope || !emul_pr_type_ok(type)) {
				emul_invalid_cdb(ec);
				return;
			}
			emul_pr_preempt_key(st, sakey, ini,
					    EMUL_UA_RES_PREEMPTED);
			st->pr_holder = ini;
			st->pr_type = type;
		} else {
			if (!sakey) {
				emul_sense(ec, ILLEGAL_REQUEST, 0x26, 0x00);
				return;
			}
			if (!emul_pr_preempt_key(st, sakey, ini,
						 EMUL_UA_REG_PREEMPTED)) {
				emul_conflict(ec);
				return;
			}
		}
		st->pr_gen++;
		break;
	}
}

/* ---- dispatch ---- */

/*
 * How long the command takes, in nanoseconds, and reserve the robot for it:
 * moves and inventories are serialised on the robot, nothing else waits.
 * Called with the lock held, when the command is queued.
 */
u64 emul_delay(struct emul_state *st, const u8 *cdb)
{
	ktime_t now = ktime_get(), start;
	unsigned int ms = 0;
	u64 delay;

	lockdep_assert_held(&st->lock);
	delay = (u64)READ_ONCE(emul_latency_ms) * NSEC_PER_MSEC;
	switch (cdb[0]) {
	case 0xa5:
	case 0xa6:
		ms = READ_ONCE(emul_move_ms);
		break;
	case 0x07:
	case 0x37:
		ms = READ_ONCE(emul_init_ms);
		break;
	}
	if (!ms)
		return delay;
	start = ktime_after(st->robot_free, now) ? st->robot_free : now;
	st->robot_free = ktime_add_ms(start, ms);
	return delay + ktime_to_ns(ktime_sub(st->robot_free, now));
}

void emul_execute(struct emul_state *st, struct emul_cmd *ec)
{
	struct scsi_cmnd *cmd = ec->cmd;
	unsigned int ini = ec->host->index;
	const u8 *cdb = cmd->cmnd;
	const struct emul_op *op;
	unsigned long flags;

	cmd->result = 0;
	scsi_set_resid(cmd, 0);
	spin_lock_irqsave(&st->lock, flags);
	op = emul_find_op(st, cdb);

	if (op && emul_reservation_conflict(st, ini, op, cdb)) {
		emul_conflict(ec);
		goto out;
	}
	if ((!op || !(op->flags & EMUL_OP_NO_UA)) && emul_report_ua(st, ec, ini))
		goto out;
	if (!op) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x20, 0x00);
		goto out;
	}
	if (!(op->flags & EMUL_OP_NO_READY) && emul_becoming_ready(st)) {
		emul_not_ready_sense(st, cmd->sense_buffer);
		cmd->result = SAM_STAT_CHECK_CONDITION;
		scsi_set_resid(cmd, scsi_bufflen(cmd));
		goto out;
	}

	switch (cdb[0]) {
	case 0x00:
		emul_test_unit_ready(st, ec);
		break;
	case 0x03:
		emul_request_sense(st, ec, ini);
		break;
	case 0x07:
	case 0x37:
		emul_init_status(st, ec, ini);
		break;
	case 0x12:
		emul_inquiry(st, ec);
		break;
	case 0x16:
	case 0x56:
		emul_reserve(st, ec, ini);
		break;
	case 0x17:
	case 0x57:
		emul_release(st, ec, ini);
		break;
	case 0x1a:
	case 0x5a:
		emul_mode_sense(st, ec);
		break;
	case 0x1e:
		emul_prevent_allow(st, ec, ini);
		break;
	case 0x2b:
		emul_position(st, ec, ini);
		break;
	case 0x5e:
		emul_pr_in(st, ec);
		break;
	case 0x5f:
		emul_pr_out(st, ec, ini);
		break;
	case 0xa0:
		emul_report_luns(st, ec);
		break;
	case 0xa3:
		emul_report_opcodes(st, ec);
		break;
	case 0xa5:
		emul_move_medium(st, ec, ini);
		break;
	case 0xa6:
		emul_exchange_medium(st, ec, ini);
		break;
	case 0xb8:
		emul_read_element_status(st, ec);
		break;
	}
out:
	spin_unlock_irqrestore(&st->lock, flags);
}

/* ---- profiles ---- */

static void emul_set_range(struct emul_state *st, u8 type, u16 first,
			   u16 count)
{
	st->range[type].first = first;
	st->range[type].count = count;
	st->range[type].base = st->nelems;
	st->nelems += count;
}

static void emul_load(struct emul_state *st, u16 addr, const char *tag,
		      const char *alt, bool image)
{
	struct emul_elem *e = emul_elem(st, addr);

	e->full = true;
	e->image = image;
	strscpy(e->tag, tag, sizeof(e->tag));
	if (alt)
		strscpy(e->alt, alt, sizeof(e->alt));
}

/*
 * Set up the library of @profile. The element addresses:
 *   superloader: transport 0, drive 0x20, storage 0x100-0x10f in two
 *		magazines of 8, no import/export element (Quantum's guide);
 *   library:	transports 0x1.., import/export 0x10.., drives 0x100..,
 *		storage 0x1000..;
 *   tgt:	transport 1, import/export 16-17, drives 256-257,
 *		storage 1024-1047 (selftests/testbed/tgt-changer.sh).
 * The media are listed in README.md.
 */
int emul_setup(struct emul_state *st, const char *profile, unsigned int slots,
	       unsigned int drives, unsigned int ie, unsigned int transports)
{
	char tag[EMUL_TAG_MAX + 1], alt[EMUL_TAG_MAX + 1];
	unsigned int i, t;

	if (!strcmp(profile, "superloader")) {
		st->profile = EMUL_SUPERLOADER;
		st->features = EMUL_F_RESERVE | EMUL_F_PR | EMUL_F_PREVENT |
			       EMUL_F_POSITION;
		st->vendor = "QUANTUM";
		st->product = "SuperLoader3";
		st->revision = "EMUL";
		slots = 16;
		drives = 1;
		ie = 0;
		transports = 1;
	} else if (!strcmp(profile, "library")) {
		st->profile = EMUL_LIBRARY;
		st->features = EMUL_F_EXCHANGE | EMUL_F_RESERVE | EMUL_F_ELEM_RES |
			       EMUL_F_PR | EMUL_F_PREVENT | EMUL_F_POSITION |
			       EMUL_F_INIT_RANGE | EMUL_F_DVCID |
			       EMUL_F_ALT_TAGS | EMUL_F_SMC3_DESC;
		st->vendor = "AUTOCH";
		st->product = "EMUL-LIBRARY";
		st->revision = "0001";
		if (!slots || !transports || transports > 8 || ie > 0xf0 ||
		    drives > 0xf00 ||
		    slots + drives + ie + transports > EMUL_MAX_ELEMS)
			return -EINVAL;
	} else if (!strcmp(profile, "tgt")) {
		st->profile = EMUL_TGT;
		st->features = EMUL_F_TGT;
		st->vendor = "IET";
		st->product = "VIRTUAL-CHANGER";
		st->revision = "0001";
		slots = 24;
		drives = 2;
		ie = 2;
		transports = 1;
	} else {
		return -EINVAL;
	}

	st->elems = kvcalloc(slots + drives + ie + transports,
			     sizeof(*st->elems), GFP_KERNEL);
	if (!st->elems)
		return -ENOMEM;
	switch (st->profile) {
	case EMUL_SUPERLOADER:
		emul_set_range(st, EMUL_MT, 0x0000, 1);
		emul_set_range(st, EMUL_ST, 0x0100, 16);
		emul_set_range(st, EMUL_IE, 0x0000, 0);
		emul_set_range(st, EMUL_DT, 0x0020, 1);
		st->nmags = 2;
		break;
	case EMUL_LIBRARY:
		emul_set_range(st, EMUL_MT, 0x0001, transports);
		emul_set_range(st, EMUL_ST, 0x1000, slots);
		emul_set_range(st, EMUL_IE, 0x0010, ie);
		emul_set_range(st, EMUL_DT, 0x0100, drives);
		st->rotate = BIT(0);	/* the first transport can rotate */
		break;
	case EMUL_TGT:
		emul_set_range(st, EMUL_MT, 1, 1);
		emul_set_range(st, EMUL_ST, 1024, 24);
		emul_set_range(st, EMUL_IE, 16, 2);
		emul_set_range(st, EMUL_DT, 256, 2);
		break;
	}
	for (t = EMUL_MT; t < EMUL_NTYPES; t++) {
		const struct emul_range *r = &st->range[t];

		for (i = 0; i < r->count; i++) {
			struct emul_elem *e = &st->elems[r->base + i];

			e->addr = r->first + i;
			e->type = t;
			e->mag = -1;
			if (st->nmags && t == EMUL_ST)
				e->mag = i / 8;
		}
		/* page 1Fh: any element may go to storage, i/e or a drive */
		st->move_caps[t] = 0x0e;
		if (st->features & EMUL_F_EXCHANGE)
			st->exch_caps[t] = 0x0e;
		/* tgt claims everything, exchanges included */
		if (st->features & EMUL_F_TGT) {
			st->move_caps[t] = 0x0f;
			st->exch_caps[t] = 0x0f;
		}
	}
	st->can_store = emul_tgt(st) ? 0x0f : 0x0e;
	st->dvcid_len = emul_tgt(st) ? 34 : 16;

	switch (st->profile) {
	case EMUL_SUPERLOADER:
		/* slots 1-4 of each magazine */
		for (i = 0; i < 8; i++) {
			snprintf(tag, sizeof(tag), "S%05uL6", i + 1);
			emul_load(st, 0x100 + (i / 4) * 8 + i % 4, tag, NULL,
				  true);
		}
		break;
	case EMUL_LIBRARY:
		/* the first half of the slots, then the first mail slot */
		for (i = 0; i < slots / 2 + (ie ? 1 : 0); i++) {
			snprintf(tag, sizeof(tag), "E%05uL8", i + 1);
			snprintf(alt, sizeof(alt), "ALT%05u", i + 1);
			emul_load(st, i < slots / 2 ? 0x1000 + i : 0x10, tag,
				  alt, true);
		}
		break;
	case EMUL_TGT:
		/* ACT001-ACT012 in 1024-1035, ACT013 in 16; images 1-4 */
		for (i = 0; i < 13; i++) {
			snprintf(tag, sizeof(tag), "ACT%03u", i + 1);
			emul_load(st, i < 12 ? 1024 + i : 16, tag, NULL, i < 4);
		}
		break;
	}
	st->naa = 0xac0000ULL + st->profile * 0x100000ULL + st->nelems;
	snprintf(st->serial, sizeof(st->serial), "EMUL%012llX", st->naa);
	st->naa |= 0x3000000000000000ULL;	/* NAA 3: locally assigned */
	st->unit_res = -1;
	st->pr_holder = -1;
	return 0;
}
