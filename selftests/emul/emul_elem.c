// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the elements and what reports them (SMC-3). Owns the lookup
 * of an element by address, whether it is within reach (door, magazines),
 * the mode pages 1Dh (element address assignment), 1Eh (transport
 * geometry) and 1Fh (device capabilities) with MODE SENSE(6)/(10), READ
 * ELEMENT STATUS with its descriptors, volume tags and DVCID identifiers,
 * and INITIALIZE ELEMENT STATUS (WITH RANGE), where nothing moves.
 * Called with emul_state.lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

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

bool emul_accessible(const struct emul_state *st,
		     const struct emul_elem *e)
{
	if (st->door_open || e->open)
		return false;
	return e->mag < 0 || !st->mag_out[e->mag];
}

/*
 * Bytes 6 and 7 of a data transfer element's descriptor (SMC-3 6.12):
 * the flags (ID VALID 0x20, LU VALID 0x10, the LUN) and, with ID VALID,
 * the drive's SCSI bus address in *@bus. The SuperLoader's drive is LUN 0
 * of the loader's own target (LU VALID only); the library's drives sit on
 * a bus of their own, drive N at SCSI ID N (from 1), LUN 0; tgt reports
 * neither.
 */
u8 emul_drive_id(const struct emul_state *st, const struct emul_elem *e,
		 u8 *bus)
{
	*bus = 0;
	if (e->type != EMUL_DT)
		return 0;
	switch (st->profile) {
	case EMUL_SUPERLOADER:
		return 0x10;
	case EMUL_LIBRARY:
		*bus = (e->addr - st->range[EMUL_DT].first) % 15 + 1;
		return 0x20 | 0x10;
	default:
		return 0;
	}
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

void emul_mode_sense(struct emul_state *st, struct emul_cmd *ec)
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

	put_unaligned_be16(e->addr, d);
	d[2] = full ? 0x01 : 0;
	if (e->impexp && full)
		d[2] |= 0x02;
	/* SMC-3 6.12, element descriptors: Except, with the ASC/ASCQ why */
	if (e->except) {
		d[2] |= 0x04;
		d[4] = e->asc;
		d[5] = e->ascq;
	}
	if (access && !emul_tgt(st))
		d[2] |= 0x08;
	if (e->type == EMUL_IE)
		d[2] |= e->ie_enab;	/* InEnab, ExEnab */
	d[6] = emul_drive_id(st, e, &d[7]);
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
			/* tgt: the tape LU's T10 vendor ID designator */
			if (!e->noid)
				id[3] = emul_drive_serial(st, e->ident,
							  (char *)id + 4,
							  &id[1], NULL);
		}
		emul_put(o, id, min_t(unsigned int, dlen - used, sizeof(id)));
	}
}

/* The element types present, in address order; how many. */
static unsigned int emul_res_order(const struct emul_state *st,
				   struct emul_run *runs)
{
	static const u8 order_types[] = { EMUL_MT, EMUL_ST, EMUL_IE, EMUL_DT };
	unsigned int i, j, k;

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
	return i;
}

/*
 * READ ELEMENT STATUS (SMC-3 6.12). Longer than the rest: the runs it
 * picks, the byte counts of its headers and the descriptors it streams
 * carry the tgt profile's deviations side by side, which is where a
 * reader compares them with the standard's layout.
 */
void emul_read_element_status(struct emul_state *st,
			      struct emul_cmd *ec)
{
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
	/*
	 * quirk: 0x10000 reads as 0, and nothing is sent. Not a standard
	 * behaviour but one reported against real libraries (Proxmox
	 * Backup's changer code); nothing but this emulation shows it to
	 * the tests (README.md, "What only the emulation witnesses").
	 */
	if (READ_ONCE(emul_alloc16))
		alloc &= 0xffff;
	/*
	 * res_limit: a library that reports at most so many elements in
	 * one reply, refusing a larger count (24/00) or cutting it to that
	 */
	if (READ_ONCE(emul_res_limit) && count > READ_ONCE(emul_res_limit) && !tgt) {
		if (READ_ONCE(emul_res_limit_refuse)) {
			emul_invalid_cdb(ec);
			return;
		}
		count = READ_ONCE(emul_res_limit);
	}
	/* tgt: an allocation length past the buffer is refused */
	if (tgt && alloc > scsi_bufflen(ec->cmd)) {
		emul_invalid_cdb(ec);
		return;
	}

	nruns = emul_res_order(st, runs);
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

/* ---- INITIALIZE ELEMENT STATUS (SMC-3 6.4, 6.5) ---- */

/* INITIALIZE ELEMENT STATUS (07h) and WITH RANGE (37h): nothing moves. */
void emul_init_status(struct emul_state *st, struct emul_cmd *ec,
		      unsigned int ini)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int i, lo = 0, n = st->nelems;
	struct emul_elem *e;

	if (cdb[0] == EMUL_INIT_ELEM_RANGE && (cdb[1] & 0x01)) {
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
