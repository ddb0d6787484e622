// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: what moves media (SMC-3 6.3, 6.6, 6.8, SPC-4 6.17). Owns
 * MOVE MEDIUM, EXCHANGE MEDIUM and POSITION TO ELEMENT with the checks
 * they share (addresses, inversion, reach, element reservations), the
 * cartridge carried between elements, and PREVENT ALLOW MEDIUM REMOVAL
 * with the state it sets. Called with emul_state.lock held; how long a
 * move takes is emul_delay()'s (emul_fault.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

/* The cartridge an element holds, as it travels with the robot. */
struct emul_cart {
	bool invert;
	bool image;
	char tag[EMUL_TAG_MAX + 1];
	char alt[EMUL_TAG_MAX + 1];
};

bool emul_removal_prevented(const struct emul_state *st)
{
	unsigned int i;

	for (i = 0; i < st->nhosts; i++)
		if (st->prevent[i])
			return true;
	return false;
}

/* ---- moves (SMC-3 6.6, 6.3, 6.8) ---- */

static bool emul_rotates(const struct emul_state *st, const struct emul_elem *t)
{
	return st->rotate & BIT(t->addr - st->range[EMUL_MT].first);
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

void emul_move_medium(struct emul_state *st, struct emul_cmd *ec,
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

void emul_exchange_medium(struct emul_state *st, struct emul_cmd *ec,
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

void emul_position(struct emul_state *st, struct emul_cmd *ec,
		   unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	u16 addr = get_unaligned_be16(cdb + 4);
	struct emul_elem *e;

	emul_move_elems(st, ec, ini, get_unaligned_be16(cdb + 2),
			cdb[8] & 0x01, &addr, &e, 1);
}

/*
 * OPEN/CLOSE IMPORT/EXPORT ELEMENT (SMC-3 6.7): action code 00h opens the
 * element for the operator, 01h closes it; the others are reserved (24/00).
 * An open element is out of the robot's reach (Access 0, moves 3B/12)
 * until it is closed. Opening while any initiator prevents medium removal
 * is 53/02, MEDIUM REMOVAL PREVENTED; another initiator's element
 * reservation is a RESERVATION CONFLICT, as for a move.
 */
void emul_open_close_ie(struct emul_state *st, struct emul_cmd *ec,
			unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	struct emul_elem *e = emul_elem(st, get_unaligned_be16(cdb + 2));
	u8 action = cdb[4] & 0x1f;

	if (!e || e->type != EMUL_IE) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x21, 0x01);
		return;
	}
	if (action > 1 || cdb[4] & 0xe0) {
		emul_invalid_cdb(ec);
		return;
	}
	if (emul_reserved_by_other(e, ini)) {
		emul_conflict(ec);
		return;
	}
	if (!action && emul_removal_prevented(st)) {
		emul_sense(ec, ILLEGAL_REQUEST, 0x53, 0x02);
		return;
	}
	e->open = !action;
}

void emul_prevent_allow(struct emul_state *st, struct emul_cmd *ec,
			unsigned int ini)
{
	u8 prevent = ec->cmd->cmnd[4] & 0x03;

	if (prevent > 1) {
		emul_invalid_cdb(ec);
		return;
	}
	st->prevent[ini] = prevent;
}
