// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: persistent reservations (SPC-4 5.13, 6.15, 6.16). Owns
 * PERSISTENT RESERVE IN (READ KEYS, READ RESERVATION, REPORT
 * CAPABILITIES) and PERSISTENT RESERVE OUT (REGISTER, RESERVE, RELEASE,
 * CLEAR, PREEMPT, PREEMPT AND ABORT, REGISTER AND IGNORE EXISTING KEY)
 * with the unit attentions they raise for other initiators. Which
 * commands a persistent reservation blocks is emul_resv.c's. Called with
 * emul_state.lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

/* ---- PERSISTENT RESERVE IN/OUT (SPC-4 6.15, 6.16, 5.13) ---- */

static bool emul_pr_type_ok(u8 type)
{
	return type == 1 || type == 3 || type == 5 || type == 6;
}

void emul_pr_in(struct emul_state *st, struct emul_cmd *ec)
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
		if (emul_has(st, EMUL_F_PTPL))
			b[2] |= 0x01;	/* PTPL_C */
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

/*
 * Remove the registrations of @key (SPC-4 5.13.11.2.4.3 b), 5.13.11.2.5
 * a)): every one but @self's, and @self's too when @drop_self. Those who
 * lost theirs get REGISTRATIONS PREEMPTED (2A/05; e), d)), @self never;
 * with @abort (PREEMPT AND ABORT, 5.13.11.2.6 h)) their PREVENT goes as
 * if they had sent ALLOW. Returns how many registrations matched @key.
 */
static unsigned int emul_pr_preempt_key(struct emul_state *st, u64 key,
					unsigned int self, bool drop_self,
					bool abort)
{
	unsigned int i, n = 0;

	for (i = 0; i < st->nhosts; i++) {
		if (!st->pr_reg[i] || st->pr_key[i] != key)
			continue;
		n++;
		if (i == self && !drop_self)
			continue;
		st->pr_reg[i] = false;
		st->pr_key[i] = 0;
		if (i == self)
			continue;
		emul_raise_ua(st, i, EMUL_UA_REG_PREEMPTED);
		if (abort)
			st->prevent[i] = false;
	}
	return n;
}

/*
 * PERSISTENT RESERVE OUT (SPC-4 6.16). Longer than the rest: one switch
 * over the service actions, each case a few lines of SPC-4 5.13, after
 * the parameter list and reservation key checks they all share.
 */
void emul_pr_out(struct emul_state *st, struct emul_cmd *ec,
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
	/* SPEC_I_PT is not offered, APTPL only with PTPL_C */
	if ((p[20] & 0x08) ||
	    ((p[20] & 0x01) && !emul_has(st, EMUL_F_PTPL))) {
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
		/* SPC-4 5.13.4: the last REGISTER's APTPL applies */
		st->pr_aptpl = p[20] & 0x01;
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
			u8 old_type = st->pr_type;

			if (scope || !emul_pr_type_ok(type)) {
				emul_invalid_cdb(ec);
				return;
			}
			/*
			 * SPC-4 5.13.11.2.4.3: the holder's reservation goes
			 * with every registration of its key but ours, and
			 * each I_T nexus that lost its reservation and/or
			 * registration gets REGISTRATIONS PREEMPTED (2A/05,
			 * item e); RESERVATIONS PREEMPTED, 2A/03, is CLEAR's,
			 * 5.13.11.2.7). A holder preempting itself keeps its
			 * registration.
			 */
			emul_pr_preempt_key(st, sakey, ini, false, sa == 5);
			st->pr_holder = ini;
			st->pr_type = type;
			/* item f): the others still registered, if the type changed */
			if (type != old_type)
				for (i = 0; i < st->nhosts; i++)
					if (i != ini && st->pr_reg[i])
						emul_raise_ua(st, i, EMUL_UA_RES_RELEASED);
		} else {
			/* SPC-4 table 72: zero, and no all registrants type */
			if (!sakey) {
				emul_sense(ec, ILLEGAL_REQUEST, 0x26, 0x00);
				return;
			}
			/*
			 * SPC-4 5.13.11.2.5: remove the registrations of the
			 * key, ours included when it is ours (no unit
			 * attention for us); none matches: a conflict.
			 */
			if (!emul_pr_preempt_key(st, sakey, ini, true,
						 sa == 5)) {
				emul_conflict(ec);
				return;
			}
		}
		st->pr_gen++;
		break;
	}
}
