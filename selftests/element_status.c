// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_ELEMENT_STATUS. Which addresses it accepts, what
 * it fills in, and that no byte it does not set carries anything but zero.
 * On the emulated changer, what it fills in is compared with the
 * emulation's own account of every element (its debugfs "state"), field
 * by field: alternate volume tags, InEnab/ExEnab, ID VALID/LU VALID,
 * Except with its ASC/ASCQ, and Invert after a move on the rotating
 * transport.
 */
#include "emul_ctl.h"

FIXTURE(changer) {
	struct autoch_dev dev;
	struct emul_params params;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, emul_params_restore(&self->params));
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* Every element of the map answers, about itself. */
TEST_F(changer, every_element)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct element_status es;
	int t, address;

	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		int first = autoch_first(ea, t);

		for (address = first; address < first + autoch_count(ea, t);
		     address++) {
			ASSERT_EQ(0, autoch_status(self->dev.fd, address, &es))
				TH_LOG("%s element %d", autoch_type_name[t],
				       address);
			EXPECT_EQ(address, es.element);
			/* A medium's source is an element of this changer. */
			if (es.source_valid) {
				EXPECT_TRUE(autoch_in_map(ea, es.source_element))
					TH_LOG("element %d: source %d",
					       address, es.source_element);
			}
		}
	}
}

/*
 * Addresses outside every range are refused before anything is sent:
 * both neighbours of each range, the gaps between ranges, 0 and 65535
 * (for tgt24: 0, 2, 15, 18, 255, 258, 1023, 1048, 65535 and the gaps).
 */
TEST_F(changer, outside_map)
{
	const struct element_addresses *ea = &self->dev.ea;
	int candidates[3 * AUTOCH_NR_TYPES + 2], nr = 0, tried = 0;
	struct element_status es;
	int t, u, i;

	candidates[nr++] = 0;
	candidates[nr++] = 0xffff;
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		int first = autoch_first(ea, t);
		int end = first + autoch_count(ea, t);
		int next = 0x10000;

		if (!autoch_count(ea, t))
			continue;
		candidates[nr++] = first - 1;
		candidates[nr++] = end;
		/* The middle of the gap up to the next range, if any. */
		for (u = 0; u < AUTOCH_NR_TYPES; u++)
			if (autoch_count(ea, u) && autoch_first(ea, u) >= end &&
			    autoch_first(ea, u) < next)
				next = autoch_first(ea, u);
		candidates[nr++] = end + (next - end) / 2;
	}
	for (i = 0; i < nr; i++) {
		int address = candidates[i];

		if (address < 0 || address > 0xffff || autoch_in_map(ea, address))
			continue;
		tried++;
		EXPECT_EQ(EINVAL, autoch_status(self->dev.fd, address, &es))
			TH_LOG("address %d", address);
	}
	EXPECT_LE(2, tried);
}

/*
 * No kernel memory reaches the caller: fill the struct with a pattern,
 * and every reserved field, misc_bytes and the tag bytes past the tag
 * must come back zero.
 */
TEST_F(changer, no_leak)
{
	const struct element_addresses *ea = &self->dev.ea;
	bool tgt24 = autoch_profile(AUTOCH_TGT24);
	struct element_status es;
	int t, address;

	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		int first = autoch_first(ea, t);

		for (address = first; address < first + autoch_count(ea, t);
		     address++) {
			memset(&es, 0xa5, sizeof(es));
			es.element = address;
			ASSERT_EQ(0, autoch_ioctl(self->dev.fd,
						  SIOC_ELEMENT_STATUS, &es));
			EXPECT_EQ(0, (int)es.resv1) TH_LOG("element %d", address);
			EXPECT_EQ(0, es.resv2) TH_LOG("element %d", address);
			EXPECT_EQ(0, (int)es.resv3) TH_LOG("element %d", address);
			EXPECT_EQ(0, (int)es.resv4) TH_LOG("element %d", address);
			EXPECT_EQ(0, (int)es.sublu_valid)
				TH_LOG("element %d", address);
			EXPECT_EQ(0, es.sub_lun) TH_LOG("element %d", address);
			EXPECT_EQ(0, autoch_nonzero(es.misc_bytes,
						    sizeof(es.misc_bytes)))
				TH_LOG("element %d", address);
			EXPECT_TRUE(autoch_tag_well_formed(es.pri_vol_tag,
							   AUTOCH_TAG_ID_LEN))
				TH_LOG("element %d: primary tag '%.32s'",
				       address, es.pri_vol_tag);
			EXPECT_TRUE(autoch_tag_well_formed(es.alt_vol_tag,
							   AUTOCH_TAG_ID_LEN))
				TH_LOG("element %d: alternate tag", address);
			if (!tgt24)
				continue;
			/* tgt sends no sequence numbers and no alternate tag. */
			EXPECT_EQ(0, autoch_nonzero(es.pri_vol_tag +
						    AUTOCH_TAG_ID_LEN, 4))
				TH_LOG("element %d", address);
			EXPECT_EQ(0, autoch_nonzero(es.alt_vol_tag,
						    sizeof(es.alt_vol_tag)))
				TH_LOG("element %d", address);
		}
	}
}

/* Only .element is input: the other bytes the caller sends are ignored. */
TEST_F(changer, input_ignored)
{
	const int want[] = { AUTOCH_FULL, AUTOCH_EMPTY };
	struct element_status clean, dirty;
	int i, address, tried = 0;

	for (i = 0; i < 2; i++) {
		address = autoch_find(&self->dev, AUTOCH_STORAGE, want[i], NULL, 0);
		if (address < 0)
			continue;
		tried++;
		ASSERT_EQ(0, autoch_status(self->dev.fd, address, &clean));
		memset(&dirty, 0xff, sizeof(dirty));
		dirty.element = address;
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_STATUS,
					  &dirty));
		EXPECT_EQ(0, memcmp(&clean, &dirty, sizeof(clean)))
			TH_LOG("element %d", address);
	}
	ASSERT_LT(0, tried);
}

/*
 * tgt24's cartridges where the test bed puts them: ACT001..ACT012 in
 * storage 1024..1035, ACT013 in import/export 16, nothing elsewhere. The
 * drives are only checked for being empty: tgt leaves the barcode of a
 * failed load on a drive.
 */
TEST_F(changer, contents_tgt24)
{
	char tag[AUTOCH_TAG_ID_LEN + 1], want[16];
	struct element_status es;
	int address, n;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "contents known for AUTOCH_PROFILE=tgt24 only");
	for (address = 1024, n = 1; address < 1048; address++, n++) {
		ASSERT_EQ(0, autoch_status(self->dev.fd, address, &es));
		autoch_tag(es.pri_vol_tag, tag);
		if (n <= 12) {
			snprintf(want, sizeof(want), "ACT%03d", n);
			EXPECT_EQ(1, (int)es.full) TH_LOG("storage %d", address);
			EXPECT_STREQ(want, tag);
		} else {
			EXPECT_EQ(0, (int)es.full) TH_LOG("storage %d", address);
			EXPECT_EQ(0, autoch_nonzero(es.pri_vol_tag,
						    sizeof(es.pri_vol_tag)))
				TH_LOG("storage %d: tag of spaces not zeroed",
				       address);
		}
	}
	ASSERT_EQ(0, autoch_status(self->dev.fd, 16, &es));
	autoch_tag(es.pri_vol_tag, tag);
	EXPECT_EQ(1, (int)es.full);
	EXPECT_STREQ("ACT013", tag);
	ASSERT_EQ(0, autoch_status(self->dev.fd, 17, &es));
	EXPECT_EQ(0, (int)es.full);
	ASSERT_EQ(0, autoch_status(self->dev.fd, 1, &es));
	EXPECT_EQ(0, (int)es.full);
	for (address = 256; address < 258; address++) {
		ASSERT_EQ(0, autoch_status(self->dev.fd, address, &es));
		EXPECT_EQ(0, (int)es.full) TH_LOG("drive %d", address);
	}
}

/*
 * Every element through AUTOCH_ELEMENT_STATUS_RANGE, one call per type,
 * against the emulation's state: the device's account, not the driver's.
 * Returns how many elements differ (the first is logged).
 */
static int range_vs_state(struct __test_metadata *_metadata,
			  const struct autoch_dev *d, bool access)
{
	const struct element_addresses *ea = &d->ea;
	struct autoch_status_range r = {};
	struct element_status *all;
	const struct emul_elem *e;
	struct emul_state st;
	const char *why;
	char buf[160];
	int t, i, bad = 0;

	all = calloc(65536, sizeof(*all));
	if (!all || emul_state_read(&st)) {
		free(all);
		return -1;
	}
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		r.first = autoch_first(ea, t);
		r.count = autoch_count(ea, t);
		if (!r.count)
			continue;
		memset(all, 0xa5, r.count * sizeof(*all));
		r.statuses = (unsigned long)all;
		if (autoch_ioctl(d->fd, AUTOCH_ELEMENT_STATUS_RANGE, &r)) {
			bad++;
			continue;
		}
		for (i = 0; i < (int)r.count; i++) {
			e = emul_state_find(&st, r.first + i);
			why = e ? emul_status_diff(&all[i], e, true, buf, sizeof(buf)) :
				  "an element the changer does not have";
			if (!why && access && all[i].access != e->access) {
				snprintf(buf, sizeof(buf), "element %d: access %d, the changer says %d",
					 e->address, all[i].access, e->access);
				why = buf;
			}
			if (why && !bad++)
				TH_LOG("%s", why);
		}
	}
	emul_state_free(&st);
	free(all);
	return bad;
}

/* The element of @address as the emulation has it now. */
static int state_of(int address, struct emul_elem *out)
{
	struct emul_state st;
	const struct emul_elem *e;

	if (emul_state_read(&st))
		return -1;
	e = emul_state_find(&st, address);
	if (e)
		*out = *e;
	emul_state_free(&st);
	return e ? 0 : -1;
}

/* SIOC_ELEMENT_STATUS of @address agrees with the emulation. */
static void expect_as_state(struct __test_metadata *_metadata, int fd,
			    int address)
{
	struct element_status es;
	struct emul_elem e;
	char why[160];

	ASSERT_EQ(0, state_of(address, &e));
	ASSERT_EQ(0, autoch_status(fd, address, &es));
	EXPECT_EQ(NULL, emul_status_diff(&es, &e, true, why, sizeof(why)))
		TH_LOG("%s", why);
}

/*
 * AUTOCH_ELEMENT_STATUS_RANGE over the whole map agrees, element by
 * element, with what the emulation holds (Access too, except on tgt,
 * which never sets it).
 */
TEST_F(changer, status_range)
{
	bool tgt;

	if (!emul_present())
		AUTOCH_SKIP(return, "no emulated changer: nothing but the driver to compare with");
	tgt = emul_profile(self->dev.fd) == EMUL_TGT;
	EXPECT_EQ(0, range_vs_state(_metadata, &self->dev, !tgt));
}

/*
 * The fields a changer sets rarely, end to end: the emulation sets them
 * (Except with ASC/ASCQ, InEnab/ExEnab) or they follow from its profile
 * (alternate tags, the drives' ID VALID/LU VALID) or from a move (Invert
 * on the library's rotating first transport), and the driver must report
 * exactly that.
 */
TEST_F(changer, rare_fields)
{
	const struct element_addresses *ea = &self->dev.ea;
	enum emul_profile profile;
	struct move_medium_parms mp;
	struct element_status es;
	struct emul_elem e;
	int full, empty, ie, dt, ret;

	if (!emul_present())
		AUTOCH_SKIP(return, "no emulated changer to set Except, InEnab/ExEnab or to witness Invert");
	profile = emul_profile(self->dev.fd);
	/* changes without a unit attention: every status from the changer */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	ASSERT_LE(0, full);
	ASSERT_LE(0, empty);

	/* alternate tags: the library's cartridges carry one */
	ASSERT_EQ(0, state_of(full, &e));
	if (profile == EMUL_LIBRARY)
		ASSERT_STRNE("", e.alt) TH_LOG("the library profile lost its alternate tags");
	expect_as_state(_metadata, self->dev.fd, full);

	/* Except, with the additional sense the changer gives */
	ASSERT_EQ(0, emul_ctl("event", "except %d 8302", full));
	ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es));
	EXPECT_EQ(1, (int)es.except);
	EXPECT_EQ(0x83, es.sense_code);
	EXPECT_EQ(0x02, es.sense_qualifier);
	expect_as_state(_metadata, self->dev.fd, full);
	ASSERT_EQ(0, emul_ctl("event", "except %d off", full));
	ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es));
	EXPECT_EQ(0, (int)es.except);
	EXPECT_EQ(0, es.sense_code);

	/* InEnab/ExEnab, each alone */
	if (autoch_count(ea, AUTOCH_IMPORT_EXPORT)) {
		static const char *const modes[] = { "in", "out", "none", "both" };
		int i;

		ie = autoch_first(ea, AUTOCH_IMPORT_EXPORT);
		for (i = 0; i < 4; i++) {
			ASSERT_EQ(0, emul_ctl("event", "enable %d %s", ie, modes[i]));
			ASSERT_EQ(0, autoch_status(self->dev.fd, ie, &es));
			EXPECT_EQ(i == 0 || i == 3, (int)es.import_enable) TH_LOG("%s", modes[i]);
			EXPECT_EQ(i == 1 || i == 3, (int)es.export_enable) TH_LOG("%s", modes[i]);
			expect_as_state(_metadata, self->dev.fd, ie);
		}
	}

	/* the drives' SCSI ID and LUN, as the profile reports them */
	if (autoch_count(ea, AUTOCH_DATA_TRANSFER)) {
		dt = autoch_first(ea, AUTOCH_DATA_TRANSFER);
		ASSERT_EQ(0, state_of(dt, &e));
		ASSERT_EQ(0, autoch_status(self->dev.fd, dt, &es));
		if (profile == EMUL_LIBRARY)
			EXPECT_TRUE(e.bus > 0 && e.lun == 0) TH_LOG("bus %d lun %d", e.bus, e.lun);
		if (profile == EMUL_SUPERLOADER)
			EXPECT_TRUE(e.bus < 0 && e.lun == 0) TH_LOG("bus %d lun %d", e.bus, e.lun);
		expect_as_state(_metadata, self->dev.fd, dt);
	}

	/* Invert: only the library's first transport rotates (page 1Eh) */
	if (profile != EMUL_LIBRARY)
		return;
	mp = (struct move_medium_parms){
		.transport = ea->first_transport, .source = full,
		.destination = empty, .invert = 1,
	};
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM, &mp));
	ASSERT_EQ(0, autoch_status(self->dev.fd, empty, &es));
	EXPECT_EQ(1, (int)es.source_valid);
	EXPECT_EQ(full, es.source_element);
	EXPECT_EQ(1, (int)es.invert);
	expect_as_state(_metadata, self->dev.fd, empty);
	/* inverted again on the way back: upright, as it started */
	mp.source = empty;
	mp.destination = full;
	ret = autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM, &mp);
	ASSERT_EQ(0, ret) TH_LOG("the cartridge of %d is left in %d", full, empty);
	ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es));
	EXPECT_EQ(0, (int)es.invert);
	EXPECT_EQ(empty, es.source_element);
	expect_as_state(_metadata, self->dev.fd, full);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
