// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_ELEMENT_STATUS. Which addresses it accepts, what
 * it fills in, and that no byte it does not set carries anything but zero.
 */
#include "autoch.h"

FIXTURE(changer) {
	struct autoch_dev dev;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
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

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
