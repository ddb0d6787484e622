// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_EXCHANGE_MEDIUM, SIOC_RESERVE and SIOC_RELEASE.
 * Their arguments are checked like a move's before anything is sent; what
 * a device does not support comes back as EOPNOTSUPP (tgt supports none
 * of the three).
 */
#include "autoch.h"

FIXTURE(changer) {
	struct autoch_dev dev;
	struct autoch_inventory *before;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	self->before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, self->before) TH_LOG("inventory: %s", strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	free(self->before);
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* A swap of @a and @b: source a, first destination b, second a. */
static struct exchange_medium_parms swap(const struct autoch_dev *d, int a, int b)
{
	struct exchange_medium_parms ep = {
		.transport = d->ea.first_transport,
		.source = a,
		.first_destination = b,
		.second_destination = a,
	};

	return ep;
}

TEST_F(changer, exchange_invalid)
{
	const struct element_addresses *ea = &self->dev.ea;
	int a = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int b = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, &a, 1);
	int bad = autoch_unmapped(ea);
	struct exchange_medium_parms ep;

	if (a < 0 || b < 0 || bad < 0)
		AUTOCH_SKIP(return, "needs two full storage elements");
	ep = swap(&self->dev, a, b);
	ep.transport = a;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.transport = bad;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.source = bad;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.first_destination = bad;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.second_destination = bad;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.invert_first = 2;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	ep = swap(&self->dev, a, b);
	ep.invert_second = 0xff;
	EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	if (autoch_profile(AUTOCH_TGT24)) {
		/* tgt's transport cannot rotate (page 1Eh). */
		ep = swap(&self->dev, a, b);
		ep.invert_first = 1;
		EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
		ep = swap(&self->dev, a, b);
		ep.invert_second = 1;
		EXPECT_EQ(EINVAL, autoch_try_exchange(&self->dev, &ep));
	}
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/*
 * A swap of two cartridges. tgt rejects EXCHANGE MEDIUM (20/00): the
 * driver says EOPNOTSUPP and SIOC_XSENSE has the details. Elsewhere a
 * device without the command is a skip, and one with it must swap.
 */
TEST_F(changer, exchange)
{
	int a = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int b = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, &a, 1);
	char tag_a[AUTOCH_TAG_ID_LEN + 1], tag_b[AUTOCH_TAG_ID_LEN + 1];
	char now[AUTOCH_TAG_ID_LEN + 1];
	struct exchange_medium_parms ep;
	struct element_status es;
	int ret, has;

	if (a < 0 || b < 0)
		AUTOCH_SKIP(return, "needs two full storage elements");
	ASSERT_EQ(0, autoch_status(self->dev.fd, a, &es));
	autoch_tag(es.pri_vol_tag, tag_a);
	ASSERT_EQ(0, autoch_status(self->dev.fd, b, &es));
	autoch_tag(es.pri_vol_tag, tag_b);

	has = autoch_profile_has(AUTOCH_HAS_EXCHANGE);
	ep = swap(&self->dev, a, b);
	ret = autoch_try_exchange(&self->dev, &ep);
	if (has == 0) {
		/* tgt says 20/00; the SuperLoader's page 1Fh allows none */
		EXPECT_EQ(EOPNOTSUPP, ret);
		if (autoch_profile(AUTOCH_TGT24))
			autoch_expect_sense(_metadata, self->dev.fd, EOPNOTSUPP,
					    AUTOCH_OP_EXCHANGE_MEDIUM,
					    AUTOCH_ILLEGAL_REQUEST, 0x20, 0x00);
		autoch_expect_unchanged(_metadata, &self->dev, self->before);
		return;
	}
	if (has < 0 && ret == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer has no EXCHANGE MEDIUM (no AUTOCH_PROFILE says whether it should)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, autoch_status(self->dev.fd, a, &es));
	EXPECT_EQ(1, (int)es.full);
	autoch_tag(es.pri_vol_tag, now);
	EXPECT_STREQ(tag_b, now);
	ASSERT_EQ(0, autoch_status(self->dev.fd, b, &es));
	EXPECT_EQ(1, (int)es.full);
	autoch_tag(es.pri_vol_tag, now);
	EXPECT_STREQ(tag_a, now);
	ASSERT_EQ(0, autoch_undo(&self->dev));
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/*
 * RESERVE/RELEASE arguments: all_elements is 0 or 1; the unit form has
 * element and identification 0; the element form names an element of the
 * map. Each is refused before a command is sent.
 */
TEST_F(changer, reservation_invalid)
{
	const struct element_addresses *ea = &self->dev.ea;
	const unsigned long request[] = { SIOC_RESERVE, SIOC_RELEASE };
	const char *const name[] = { "SIOC_RESERVE", "SIOC_RELEASE" };
	struct reservation_parms rp[5], copy;
	int bad = autoch_unmapped(ea);
	int i, j, ret;

	ASSERT_LE(0, bad);
	memset(rp, 0, sizeof(rp));
	rp[0].all_elements = 2;
	rp[1].all_elements = 0xff;
	rp[2].all_elements = 1;
	rp[2].element = ea->first_storage;
	rp[3].all_elements = 1;
	rp[3].identification = 1;
	rp[4].element = bad;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < 5; j++) {
			copy = rp[j];
			ret = autoch_ioctl(self->dev.fd, request[i], &copy);
			EXPECT_EQ(EINVAL, ret)
				TH_LOG("%s: element %d, id %d, all_elements %d",
				       name[i], rp[j].element,
				       rp[j].identification, rp[j].all_elements);
			/* Do not leave a reservation behind a driver bug. */
			if (!ret && request[i] == SIOC_RESERVE)
				ioctl(self->dev.fd, SIOC_RELEASE, &copy);
		}
	}
}

/* tgt rejects RESERVE ELEMENT (6 and 10) with 20/00: EOPNOTSUPP. */
TEST_F(changer, reserve_tgt24)
{
	struct reservation_parms rp = {
		.element = self->dev.ea.first_storage,
	};
	struct autoch_xsense xs;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "reservations are tested on AUTOCH_PROFILE=tgt24 only");
	/*
	 * tgt has no reservations at all: the driver tries both forms,
	 * then arbitrates between local processes on its own. The call
	 * succeeds, so the refusals it recovered from are not reported.
	 */
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RESERVE, &rp));
	memset(&xs, 0xa5, sizeof(xs));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_XSENSE, &xs));
	EXPECT_EQ(0, xs.valid);
	EXPECT_EQ(0, autoch_nonzero(&xs, sizeof(xs)));
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RELEASE, &rp));

	rp.element = 0;
	rp.all_elements = 1;
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RESERVE, &rp));
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RELEASE, &rp));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
