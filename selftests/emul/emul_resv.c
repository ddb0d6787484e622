// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: reservations (SPC-2 5.5.1, 7.21; SMC-2 6.8-6.11). Owns
 * RESERVE/RELEASE(6)/(10) of the unit and of elements (the Element bit),
 * and the check every command passes before it is executed: whether a
 * unit reservation of another initiator or a persistent reservation
 * (SPC-4 5.13, table 59) makes it a RESERVATION CONFLICT. Called with
 * emul_state.lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

/* The initiator may access the LU despite the persistent reservation. */
static bool emul_pr_access(const struct emul_state *st, unsigned int ini)
{
	if (st->pr_holder < 0 || st->pr_holder == ini)
		return true;
	/* registrants only: every registered I_T nexus (SPC-4 5.13.1) */
	return (st->pr_type == 5 || st->pr_type == 6) && st->pr_reg[ini];
}

static bool emul_is_reserve_release(u8 opcode)
{
	return opcode == RESERVE_6 || opcode == RESERVE_10 ||
	       opcode == RELEASE_6 || opcode == RELEASE_10;
}

/*
 * Compatible reservation handling (CRH, which REPORT CAPABILITIES sets;
 * SPC-3 5.6.3, SPC-4 5.13.3 "Exceptions to SPC-2 RESERVE and RELEASE
 * behavior"): RESERVE(6)/(10) and RELEASE(6)/(10) complete with GOOD
 * status and change nothing when they come from the persistent
 * reservation holder, or from a registered I_T nexus while a registrants
 * only reservation exists.
 */
static bool emul_crh_noop(const struct emul_state *st, unsigned int ini)
{
	return st->pr_holder >= 0 && st->pr_reg[ini] &&
	       (st->pr_holder == ini || st->pr_type == 5 || st->pr_type == 6);
}

static bool emul_pr_registered(const struct emul_state *st)
{
	unsigned int i;

	for (i = 0; i < st->nhosts; i++)
		if (st->pr_reg[i])
			return true;
	return false;
}

bool emul_reservation_conflict(const struct emul_state *st,
			       unsigned int ini,
			       const struct emul_op *op, const u8 *cdb)
{
	u8 class = op->pr;

	if (emul_is_reserve_release(cdb[0])) {
		/* the CRH exceptions: emul_reserve()/emul_release() do nothing */
		if (emul_crh_noop(st, ini))
			return false;
		/*
		 * In every other case SPC-2's rule (5.5.1): while any
		 * initiator is registered, every RESERVE and every RELEASE
		 * conflicts, whoever sends it.
		 */
		if (emul_pr_registered(st))
			return true;
	}
	/* SPC-2 5.5.1: another initiator's unit reservation */
	if (st->unit_res >= 0 && st->unit_res != ini &&
	    !(op->flags & EMUL_OP_RES_OK))
		return true;
	if (emul_pr_access(st, ini))
		return false;
	if (cdb[0] == ALLOW_MEDIUM_REMOVAL && !(cdb[4] & 0x03))
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

/* ---- RESERVE / RELEASE ELEMENT (SMC-2 6.8-6.11, SPC-2 7.21) ---- */

void emul_reserve(struct emul_state *st, struct emul_cmd *ec,
		  unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	bool ten = cdb[0] == RESERVE_10, element = cdb[1] & 0x01;
	unsigned int plen, i, j, n;
	u8 id = cdb[2];
	struct emul_elem *e;
	u8 *p = st->scratch;

	if (emul_crh_noop(st, ini))
		return;			/* GOOD, nothing reserved (CRH) */
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

void emul_release(struct emul_state *st, struct emul_cmd *ec,
		  unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	bool element = cdb[1] & 0x01;
	unsigned int i;

	if (emul_crh_noop(st, ini))
		return;			/* GOOD, nothing released (CRH) */
	if ((cdb[0] == RELEASE_10 && (cdb[1] & 0x12)) ||
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
