// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the three libraries it can be (module parameter profile):
 * superloader, library and tgt. Owns each profile's identity (INQUIRY
 * strings, serial number, NAA), its optional commands (EMUL_F_*), its
 * element map, page 1Fh capabilities and the media loaded at start.
 * Runs once from module init, before any host exists: no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "emul.h"

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

/* The element map of the profile and what page 1Fh says of it. */
static void emul_setup_elems(struct emul_state *st, unsigned int slots,
			     unsigned int drives, unsigned int ie,
			     unsigned int transports)
{
	unsigned int i, t;

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
			/* an operator may put media in and take them out */
			if (t == EMUL_IE)
				e->ie_enab = 0x30;
			if (st->nmags && t == EMUL_ST)
				e->mag = i / 8;
			/* drive i + 1 of this library (emul_drive_serial()) */
			if (t == EMUL_DT)
				e->ident = st->lib * EMUL_LIB_DRIVES + i + 1;
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
}

/* The media the library holds at start (README.md lists them). */
static void emul_setup_media(struct emul_state *st, unsigned int slots,
			     unsigned int ie)
{
	char tag[EMUL_TAG_MAX + 1], alt[EMUL_TAG_MAX + 1];
	unsigned int i;

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
			       EMUL_F_ALT_TAGS | EMUL_F_SMC3_DESC |
			       EMUL_F_OPEN_CLOSE | EMUL_F_PTPL;
		st->vendor = "AUTOCH";
		st->product = "EMUL-LIBRARY";
		st->revision = "0001";
		if (!slots || !transports || transports > 8 || ie > 0xf0 ||
		    drives > 0xf00 || slots > 0x10000 - 0x1000 ||
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
	emul_setup_elems(st, slots, drives, ie, transports);
	emul_setup_media(st, slots, ie);
	/* one identity per library */
	st->naa = 0xac0000ULL + st->profile * 0x100000ULL + st->nelems +
		  st->lib * 0x1000000ULL;
	/* the 48 bits the identifier uses: 12 hex digits */
	snprintf(st->serial, sizeof(st->serial), "EMUL%012llX",
		 st->naa & GENMASK_ULL(47, 0));
	st->naa |= 0x3000000000000000ULL;	/* NAA 3: locally assigned */
	st->unit_res = -1;
	st->pr_holder = -1;
	return 0;
}
