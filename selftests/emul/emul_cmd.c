// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: how a command is executed (SAM-5, SPC-4). Owns the table of
 * the commands each profile offers, the order in which a command is
 * checked (reservation conflict, unit attention, becoming ready) and
 * dispatched to the file of its concern, the replies streamed into the
 * command's scatterlist and the sense data built for it, the pending unit
 * attentions and power-on state, and the two commands about those:
 * REQUEST SENSE and REPORT SUPPORTED OPERATION CODES.
 *
 * Every command runs with emul_state.lock held and interrupts off, from
 * queuecommand or from the workqueue: no sleeping, no allocation. Replies
 * are streamed into the command's scatterlist, bounded by the allocation
 * length and the buffer, while the headers report the full byte counts,
 * as SMC-3 6.12 and SPC-4 4.2.5.6 require.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <scsi/scsi.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_status.h>

#include "emul.h"

#define NO_UA		EMUL_OP_NO_UA
#define NO_READY	EMUL_OP_NO_READY
#define RES_OK		EMUL_OP_RES_OK

static const struct emul_op emul_ops[] = {
	{ TEST_UNIT_READY, 0, false, 6, 0, 0, EMUL_PR_ALLOWED },
	{ REQUEST_SENSE, 0, false, 6, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ INITIALIZE_ELEMENT_STATUS, 0, false, 6, 0, 0, EMUL_PR_WRITE },
	{ INQUIRY, 0, false, 6, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ RESERVE_6, 0, false, 6, EMUL_F_RESERVE, 0, EMUL_PR_WRITE },
	{ RELEASE_6, 0, false, 6, EMUL_F_RESERVE, RES_OK, EMUL_PR_WRITE },
	{ MODE_SENSE, 0, false, 6, 0, 0, EMUL_PR_READ },
	{ ALLOW_MEDIUM_REMOVAL, 0, false, 6, EMUL_F_PREVENT, 0, EMUL_PR_WRITE },
	{ POSITION_TO_ELEMENT, 0, false, 10, EMUL_F_POSITION, 0, EMUL_PR_WRITE },
	{ EMUL_OPEN_CLOSE_IE, 0, false, 6, EMUL_F_OPEN_CLOSE, 0, EMUL_PR_WRITE },
	{ EMUL_INIT_ELEM_RANGE, 0, false, 10, EMUL_F_INIT_RANGE, 0, EMUL_PR_WRITE },
	{ RESERVE_10, 0, false, 10, EMUL_F_RESERVE, 0, EMUL_PR_WRITE },
	{ RELEASE_10, 0, false, 10, EMUL_F_RESERVE, RES_OK, EMUL_PR_WRITE },
	{ MODE_SENSE_10, 0, false, 10, 0, 0, EMUL_PR_READ },
	/* service actions 0-2: READ KEYS, READ RESERVATION, REPORT CAPABILITIES */
	{ PERSISTENT_RESERVE_IN, 0, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_IN, 1, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_IN, 2, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	/*
	 * service actions 0-6: REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT,
	 * PREEMPT AND ABORT, REGISTER AND IGNORE EXISTING KEY
	 */
	{ PERSISTENT_RESERVE_OUT, 0, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 1, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 2, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 3, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 4, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 5, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ PERSISTENT_RESERVE_OUT, 6, true, 10, EMUL_F_PR, 0, EMUL_PR_ALLOWED },
	{ REPORT_LUNS, 0, false, 12, 0, NO_UA | NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ MAINTENANCE_IN, MI_REPORT_SUPPORTED_OPERATION_CODES, true, 12, 0,
	  NO_READY | RES_OK, EMUL_PR_ALLOWED },
	{ MOVE_MEDIUM, 0, false, 12, 0, 0, EMUL_PR_WRITE },
	{ EXCHANGE_MEDIUM, 0, false, 12, EMUL_F_EXCHANGE, 0, EMUL_PR_WRITE },
	{ READ_ELEMENT_STATUS, 0, false, 12, 0, 0, EMUL_PR_READ },
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
	[EMUL_UA_IE_ACCESSED] = { 0x28, 0x01 },
};

/* ---- replies and sense ---- */

void emul_out_start(struct emul_out *o, struct emul_cmd *ec,
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

void emul_put(struct emul_out *o, const void *data, unsigned int len)
{
	emul_write(o, data, 0, len);
}

void emul_out_end(struct emul_out *o)
{
	if (o->started)
		sg_miter_stop(&o->miter);
	scsi_set_resid(o->cmd, scsi_bufflen(o->cmd) - o->done);
}

/* A whole small reply from a buffer. */
void emul_reply(struct emul_cmd *ec, const void *buf, unsigned int len,
		unsigned int alloc)
{
	struct emul_out o;

	emul_out_start(&o, ec, alloc);
	emul_put(&o, buf, len);
	emul_out_end(&o);
}

void emul_sense(struct emul_cmd *ec, u8 key, u8 asc, u8 ascq)
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

void emul_invalid_cdb(struct emul_cmd *ec)
{
	emul_sense(ec, ILLEGAL_REQUEST, 0x24, 0x00);
}

void emul_conflict(struct emul_cmd *ec)
{
	set_status_byte(ec->cmd, SAM_STAT_RESERVATION_CONFLICT);
	scsi_set_resid(ec->cmd, scsi_bufflen(ec->cmd));
}

/* Read the data-out buffer: at most @len bytes; the bytes read. */
unsigned int emul_param_list(struct emul_cmd *ec, void *buf,
			     unsigned int len)
{
	len = min(len, scsi_bufflen(ec->cmd));
	if (!len || !scsi_sg_count(ec->cmd))
		return 0;
	return scsi_sg_copy_to_buffer(ec->cmd, buf, len);
}

/* ---- unit attentions and readiness ---- */

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

/* ---- the command table ---- */

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

/* ---- dispatch ---- */

/* Execute a command that passed every check, by the file of its concern. */
static void emul_dispatch(struct emul_state *st, struct emul_cmd *ec,
			  unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;

	switch (cdb[0]) {
	case TEST_UNIT_READY:
		emul_test_unit_ready(st, ec);
		break;
	case REQUEST_SENSE:
		emul_request_sense(st, ec, ini);
		break;
	case INITIALIZE_ELEMENT_STATUS:
	case EMUL_INIT_ELEM_RANGE:
		emul_init_status(st, ec, ini);
		break;
	case INQUIRY:
		emul_inquiry(st, ec);
		break;
	case RESERVE_6:
	case RESERVE_10:
		emul_reserve(st, ec, ini);
		break;
	case RELEASE_6:
	case RELEASE_10:
		emul_release(st, ec, ini);
		break;
	case MODE_SENSE:
	case MODE_SENSE_10:
		emul_mode_sense(st, ec);
		break;
	case ALLOW_MEDIUM_REMOVAL:
		emul_prevent_allow(st, ec, ini);
		break;
	case POSITION_TO_ELEMENT:
		emul_position(st, ec, ini);
		break;
	case EMUL_OPEN_CLOSE_IE:
		emul_open_close_ie(st, ec, ini);
		break;
	case PERSISTENT_RESERVE_IN:
		emul_pr_in(st, ec);
		break;
	case PERSISTENT_RESERVE_OUT:
		emul_pr_out(st, ec, ini);
		break;
	case REPORT_LUNS:
		emul_report_luns(st, ec);
		break;
	case MAINTENANCE_IN:
		emul_report_opcodes(st, ec);
		break;
	case MOVE_MEDIUM:
		emul_move_medium(st, ec, ini);
		break;
	case EXCHANGE_MEDIUM:
		emul_exchange_medium(st, ec, ini);
		break;
	case READ_ELEMENT_STATUS:
		emul_read_element_status(st, ec);
		break;
	}
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

	emul_dispatch(st, ec, ini);
out:
	spin_unlock_irqrestore(&st->lock, flags);
}
