// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: malformed device data. The emulation spoils READ
 * ELEMENT STATUS and MODE SENSE replies (truncated, oversized, zero
 * descriptor or page length, byte counts larger than the data, wrong
 * element type or page code, random bytes: selftests/emul/README.md,
 * "malformed"). Whatever arrives, the driver answers with EIO or with
 * the truth: never another errno, never data that the device did not
 * report, and once the replies are sound again every answer is right.
 * Under the debug kernel (make check-debug) KASAN watches the parsers.
 *
 * Runs only on the emulation (skips elsewhere).
 */
#include "emul_ctl.h"

static const char *const kinds[] = {
	"truncated", "oversized", "desclen0", "counts", "pagetype", "random",
};

FIXTURE(mal) {
	struct autoch_dev dev;
	struct emul_params params;
	struct autoch_inventory *before;
};

/* Every element, one AUTOCH_ELEMENT_STATUS_RANGE call per type. */
static struct autoch_inventory *inventory(const struct autoch_dev *d)
{
	struct autoch_inventory *inv;
	struct autoch_status_range r = {};
	struct element_status *st;
	int t, i, err;

	inv = calloc(1, sizeof(*inv) +
		     autoch_total(&d->ea) * sizeof(inv->el[0]));
	st = calloc(65536, sizeof(*st));
	if (!inv || !st)
		abort();
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		r.first = autoch_first(&d->ea, t);
		r.count = autoch_count(&d->ea, t);
		if (!r.count)
			continue;
		r.statuses = (unsigned long)st;
		err = autoch_ioctl(d->fd, AUTOCH_ELEMENT_STATUS_RANGE, &r);
		if (err) {
			free(st);
			free(inv);
			errno = err;
			return NULL;
		}
		for (i = 0; i < r.count; i++) {
			struct autoch_element *el = &inv->el[inv->nr++];

			el->address = r.first + i;
			el->full = st[i].full;
			if (st[i].full)
				autoch_tag(st[i].pri_vol_tag, el->tag);
		}
	}
	free(st);
	return inv;
}

/* Nothing moved, and the driver says so. */
static void expect_unchanged(struct __test_metadata *_metadata,
			     const struct autoch_dev *d,
			     const struct autoch_inventory *before)
{
	struct autoch_inventory *now = inventory(d);
	char why[128];

	ASSERT_NE(NULL, now) TH_LOG("inventory: %s", strerror(errno));
	EXPECT_EQ(0, autoch_inventory_diff(before, now, why, sizeof(why)))
		TH_LOG("%s", why);
	free(now);
}

FIXTURE_SETUP(mal)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	/* every call goes to the device */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "ready_ms", 0));
	self->before = inventory(&self->dev);
	ASSERT_NE(NULL, self->before) TH_LOG("inventory: %s", strerror(errno));
}

FIXTURE_TEARDOWN(mal)
{
	EXPECT_EQ(0, emul_ctl("malformed", "clear"));
	/* sound replies again: the driver tells the truth */
	if (self->before)
		expect_unchanged(_metadata, &self->dev, self->before);
	free(self->before);
	EXPECT_EQ(0, emul_params_restore(&self->params));
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* What the inventory said of @address before anything was spoiled. */
static const struct autoch_element *truth(FIXTURE_DATA(mal) *self,
					  int address)
{
	int i;

	for (i = 0; i < self->before->nr; i++)
		if (self->before->el[i].address == address)
			return &self->before->el[i];
	return NULL;
}

/* EIO, or the element as it is. */
static void expect_status(struct __test_metadata *_metadata,
			  FIXTURE_DATA(mal) *self, const char *kind,
			  int address, bool exact)
{
	const struct autoch_element *t = truth(self, address);
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;
	int err;

	ASSERT_NE(NULL, t);
	err = autoch_status(self->dev.fd, address, &es);
	EXPECT_TRUE(err == 0 || err == EIO)
		TH_LOG("%s: element %d: %s", kind, address, strerror(err));
	if (err || !exact)
		return;
	EXPECT_EQ(address, (int)es.element) TH_LOG("%s", kind);
	EXPECT_EQ(t->full, (bool)es.full)
		TH_LOG("%s: element %d reported %s", kind, address,
		       es.full ? "full" : "empty");
	if (es.full && t->full) {
		autoch_tag(es.pri_vol_tag, tag);
		EXPECT_STREQ(t->tag, tag) TH_LOG("%s: element %d", kind, address);
	}
}

/* One spoiled READ ELEMENT STATUS reply of each kind, for one element. */
TEST_F(mal, element_status)
{
	int full, empty, i;

	full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	ASSERT_LE(0, full);
	ASSERT_LE(0, empty);
	for (i = 0; i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++) {
		/* random bytes may look like a sound reply */
		bool exact = strcmp(kinds[i], "random");

		ASSERT_EQ(0, emul_ctl("malformed", "%s res count=1", kinds[i]));
		expect_status(_metadata, self, kinds[i], full, exact);
		ASSERT_EQ(0, emul_ctl("malformed", "%s res count=1", kinds[i]));
		expect_status(_metadata, self, kinds[i], empty, exact);
		/* the next reply is sound: the truth */
		ASSERT_EQ(0, emul_ctl("malformed", "clear"));
		expect_status(_metadata, self, "sound", full, true);
	}
}

/* The range ioctl over a whole type: EIO or every element right. */
TEST_F(mal, status_range)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct autoch_status_range r = {};
	struct element_status *st;
	int count, i, k, err;

	r.first = autoch_first(ea, AUTOCH_STORAGE);
	count = autoch_count(ea, AUTOCH_STORAGE);
	ASSERT_LT(0, count);
	r.count = count;
	st = calloc(count, sizeof(*st));
	ASSERT_NE(NULL, st);
	r.statuses = (unsigned long)st;
	for (k = 0; k < (int)(sizeof(kinds) / sizeof(kinds[0])); k++) {
		double t0 = emul_now_ms();

		ASSERT_EQ(0, emul_ctl("malformed", "%s res count=1", kinds[k]));
		err = autoch_ioctl(self->dev.fd, AUTOCH_ELEMENT_STATUS_RANGE, &r);
		TH_LOG("%s: %d storage elements: %s in %.0f ms", kinds[k], count,
		       err ? strerror(err) : "answered", emul_now_ms() - t0);
		EXPECT_TRUE(err == 0 || err == EIO)
			TH_LOG("%s: %s", kinds[k], strerror(err));
		if (err || !strcmp(kinds[k], "random"))
			continue;
		for (i = 0; i < count; i++) {
			const struct autoch_element *t = truth(self, r.first + i);

			ASSERT_NE(NULL, t);
			EXPECT_EQ(r.first + i, (int)st[i].element);
			EXPECT_EQ(t->full, (bool)st[i].full)
				TH_LOG("%s: element %d", kinds[k], r.first + i);
		}
	}
	free(st);
}

/*
 * The element map after a power-on reset (29/00 drops it) with the mode
 * pages spoiled: EIO or the map as it is; a later call loads it right.
 */
TEST_F(mal, mode_pages)
{
	struct element_addresses ea;
	struct autoch_capabilities cap, cap0;
	int i, err;

	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_CAPABILITIES, &cap0));
	for (i = 0; i < (int)(sizeof(kinds) / sizeof(kinds[0])); i++) {
		ASSERT_EQ(0, emul_ctl("event", "reset"));
		/* the reset is seen by a command: one status, sound */
		err = autoch_status(self->dev.fd,
				    autoch_first(&self->dev.ea, AUTOCH_STORAGE),
				    &(struct element_status){ 0 });
		EXPECT_TRUE(err == 0 || err == EIO) TH_LOG("%s", strerror(err));
		ASSERT_EQ(0, emul_ctl("event", "reset"));
		ASSERT_EQ(0, emul_ctl("malformed", "%s mode count=1", kinds[i]));
		memset(&ea, 0xa5, sizeof(ea));
		err = autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &ea);
		EXPECT_TRUE(err == 0 || err == EIO)
			TH_LOG("%s: %s", kinds[i], strerror(err));
		if (!err && strcmp(kinds[i], "random"))
			EXPECT_EQ(0, memcmp(&ea, &self->dev.ea, sizeof(ea)))
				TH_LOG("%s: a spoiled page became the map", kinds[i]);
		ASSERT_EQ(0, emul_ctl("malformed", "clear"));
		/* sound pages: the same map and capabilities as at first */
		ASSERT_EQ(0, emul_ctl("event", "reset"));
		autoch_status(self->dev.fd,
			      autoch_first(&self->dev.ea, AUTOCH_STORAGE),
			      &(struct element_status){ 0 });
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES,
					  &ea)) TH_LOG("after %s", kinds[i]);
		EXPECT_EQ(0, memcmp(&ea, &self->dev.ea, sizeof(ea)))
			TH_LOG("after %s", kinds[i]);
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_CAPABILITIES, &cap));
		EXPECT_EQ(0, memcmp(&cap, &cap0, sizeof(cap)))
			TH_LOG("after %s", kinds[i]);
	}
}

/* Many random replies in a row, for every reading call. */
TEST_F(mal, random_storm)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct element_addresses got;
	struct element_status es;
	int i, t, err, eio = 0, fine = 0;

	ASSERT_EQ(0, emul_ctl("malformed", "random any count=200"));
	for (i = 0; i < 100; i++) {
		if (i % 10 == 0)
			ASSERT_EQ(0, emul_ctl("event", "reset"));
		t = i % AUTOCH_NR_TYPES;
		if (!autoch_count(ea, t))
			continue;
		err = autoch_status(self->dev.fd, autoch_first(ea, t) +
				    i % autoch_count(ea, t), &es);
		EXPECT_TRUE(err == 0 || err == EIO || err == EINVAL)
			TH_LOG("status: %s", strerror(err));
		err = autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &got);
		EXPECT_TRUE(err == 0 || err == EIO)
			TH_LOG("addresses: %s", strerror(err));
		if (err == EIO)
			eio++;
		else if (!err)
			fine++;
	}
	TH_LOG("element addresses: %d EIO, %d answered", eio, fine);
	ASSERT_EQ(0, emul_ctl("malformed", "clear"));
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	autoch_status(self->dev.fd, autoch_first(ea, AUTOCH_STORAGE), &es);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &got));
	EXPECT_EQ(0, memcmp(&got, ea, sizeof(got)));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
