// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: what the changer is and how it is laid out.
 * SIOC_ELEMENT_ADDRESSES (page 1Dh), SIOC_INIT_ELEM_STAT and SIOC_INQUIRY.
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

/* Ranges a changer can have: something to move, somewhere to keep it. */
TEST_F(changer, addresses_sane)
{
	const struct element_addresses *ea = &self->dev.ea;
	int t, u;

	EXPECT_LE(1, ea->num_transports);
	EXPECT_LE(1, ea->num_storages);
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		int end = autoch_first(ea, t) + autoch_count(ea, t);

		EXPECT_GE(0x10000, end)
			TH_LOG("%s range ends past 65535", autoch_type_name[t]);
		for (u = t + 1; u < AUTOCH_NR_TYPES; u++) {
			int first = autoch_first(ea, u);
			int uend = first + autoch_count(ea, u);
			bool overlap = autoch_count(ea, t) && autoch_count(ea, u) &&
				       autoch_first(ea, t) < uend && first < end;

			EXPECT_FALSE(overlap)
				TH_LOG("%s and %s ranges overlap",
				       autoch_type_name[t], autoch_type_name[u]);
		}
	}
}

/* An output-only struct: whatever the caller left in it does not matter. */
TEST_F(changer, addresses_output_only)
{
	struct element_addresses clean, dirty;

	memset(&clean, 0, sizeof(clean));
	memset(&dirty, 0xa5, sizeof(dirty));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &clean));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &dirty));
	EXPECT_EQ(0, memcmp(&clean, &dirty, sizeof(clean)));
}

TEST_F(changer, addresses_tgt24)
{
	const struct element_addresses *ea = &self->dev.ea;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "exact layout known for AUTOCH_PROFILE=tgt24 only");
	EXPECT_EQ(1, ea->first_transport);
	EXPECT_EQ(1, ea->num_transports);
	EXPECT_EQ(1024, ea->first_storage);
	EXPECT_EQ(24, ea->num_storages);
	EXPECT_EQ(16, ea->first_import_export);
	EXPECT_EQ(2, ea->num_import_exports);
	EXPECT_EQ(256, ea->first_data_transfer);
	EXPECT_EQ(2, ea->num_data_transfers);
}

/*
 * INITIALIZE ELEMENT STATUS takes no argument; old HP-UX code passes a
 * pointer anyway, and whatever it passes is ignored. Taking inventory
 * does not move media. A real library may need minutes for it.
 */
TEST_F_TIMEOUT(changer, init_element_status, 600)
{
	struct autoch_inventory *before;

	before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, before) TH_LOG("inventory: %s", strerror(errno));
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_INIT_ELEM_STAT, (void *)1));
	autoch_expect_unchanged(_metadata, &self->dev, before);
	free(before);
}

TEST_F(changer, inquiry)
{
	struct autoch_inquiry inq;

	memset(&inq, 0xa5, sizeof(inq));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_INQUIRY, &inq));
	EXPECT_EQ(SCSI_AUTOCHANGER, inq.dev_type);
	EXPECT_EQ(SCSI_AUTOCHANGER, inq.data[0] & 0x1f);
	EXPECT_EQ(0, inq.resv1);
	EXPECT_EQ(0u, inq.resv2);
	/* Standard INQUIRY data is at least 36 bytes (SPC). */
	EXPECT_LE(36, inq.length);
	ASSERT_GE((int)sizeof(inq.data), inq.length);
	EXPECT_EQ(0, autoch_nonzero(inq.data + inq.length,
				    sizeof(inq.data) - inq.length))
		TH_LOG("bytes past length %d are not zero", inq.length);
}

TEST_F(changer, inquiry_tgt24)
{
	struct autoch_inquiry inq;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "identity known for AUTOCH_PROFILE=tgt24 only");
	memset(&inq, 0, sizeof(inq));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_INQUIRY, &inq));
	ASSERT_LE(32, inq.length);
	EXPECT_EQ(0, memcmp(inq.data + 8, "IET     ", 8))
		TH_LOG("vendor '%.8s'", (char *)inq.data + 8);
	EXPECT_EQ(0, memcmp(inq.data + 16, "VIRTUAL-CHANGER", 15))
		TH_LOG("product '%.16s'", (char *)inq.data + 16);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
