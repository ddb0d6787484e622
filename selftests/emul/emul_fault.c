// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: what the tests inject, and time. Owns matching the armed
 * faults (debugfs "fault") against each command queued and turning a hit
 * into the command's preset outcome, how long a command takes (latency,
 * and the robot serialising moves and inventories), and spoiling a reply
 * on request (debugfs "malformed"). emul_fault_match() and emul_delay()
 * run with emul_state.lock held from queuecommand, emul_malform() from
 * the command that replied; emul_apply_fault() touches only the command.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

/* ---- armed faults (debugfs "fault") ---- */

/*
 * Called with the state lock held for every command queued: whether an
 * armed fault takes it, and which (copied to @hit). The first rule that
 * matches decides; while it still has commands to skip, this one passes.
 */
bool emul_fault_match(struct emul_state *st, unsigned int host, u8 opcode,
		      struct emul_fault *hit)
{
	struct emul_fault *f;
	unsigned int i;

	lockdep_assert_held(&st->lock);
	for (i = 0; i < st->nfaults; i++) {
		f = &st->faults[i];
		if (!f->any_op && f->opcode != opcode)
			continue;
		if (f->host >= 0 && f->host != host)
			continue;
		if (f->skip) {
			f->skip--;
			return false;
		}
		f->hits++;
		*hit = *f;
		if (f->count && !--f->count) {
			memmove(f, f + 1, (st->nfaults - i - 1) * sizeof(*f));
			st->nfaults--;
		}
		return true;
	}
	return false;
}

void emul_apply_fault(struct emul_cmd *ec, const struct emul_fault *f,
		      u64 *delay)
{
	struct scsi_cmnd *cmd = ec->cmd;

	switch (f->kind) {
	case EMUL_FAULT_TIMEOUT:
		ec->hold = EMUL_HOLD_TIMEOUT;
		return;
	case EMUL_FAULT_HOSTRESET:
		ec->hold = EMUL_HOLD_HOSTRESET;
		return;
	case EMUL_FAULT_SHORT:
		ec->short_len = f->bytes ? f->bytes : scsi_bufflen(cmd) / 2;
		return;
	case EMUL_FAULT_DELAY:
		/*
		 * Executed now, completed later: the device has acted on the
		 * command while the initiator still waits for its status, so
		 * what happens meanwhile (a reset) comes after it.
		 */
		ec->executed = true;
		*delay = max_t(u64, *delay, (u64)f->ms * NSEC_PER_MSEC);
		return;
	case EMUL_FAULT_REMOVE:
		/* completes once the removal is under way */
		ec->preset = true;
		ec->result = DID_NO_CONNECT << 16;
		*delay = max_t(u64, *delay, 200 * NSEC_PER_MSEC);
		return;
	case EMUL_FAULT_BUSY:
		ec->result = SAM_STAT_BUSY;
		break;
	case EMUL_FAULT_TSF:
		ec->result = SAM_STAT_TASK_SET_FULL;
		break;
	case EMUL_FAULT_CONFLICT:
		ec->result = SAM_STAT_RESERVATION_CONFLICT;
		break;
	case EMUL_FAULT_SENSE:
		ec->key = f->key;
		ec->asc = f->asc;
		ec->ascq = f->ascq;
		ec->deferred = f->deferred;
		ec->result = SAM_STAT_CHECK_CONDITION;
		break;
	case EMUL_FAULT_NOSENSE:
		ec->result = SAM_STAT_CHECK_CONDITION;
		break;
	case EMUL_FAULT_DID:
		ec->result = f->did << 16;
		break;
	default:
		return;
	}
	ec->preset = true;
}

/* ---- command durations ---- */

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
	case MOVE_MEDIUM:
	case EXCHANGE_MEDIUM:
		ms = READ_ONCE(emul_move_ms);
		break;
	case INITIALIZE_ELEMENT_STATUS:
	case EMUL_INIT_ELEM_RANGE:
		ms = READ_ONCE(emul_init_ms);
		break;
	}
	if (!ms)
		return delay;
	start = ktime_after(st->robot_free, now) ? st->robot_free : now;
	st->robot_free = ktime_add_ms(start, ms);
	return delay + ktime_to_ns(ktime_sub(st->robot_free, now));
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
 * first page (READ ELEMENT STATUS page header, or mode page). One case
 * per kind of debugfs "malformed", hence the length.
 */
void emul_malform(struct emul_state *st, struct emul_cmd *ec,
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
