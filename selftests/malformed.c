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
 * The truth is the emulation's own account (its debugfs "state"), never
 * an earlier answer of the driver: the element map is the ranges of the
 * elements the state lists, an element's status its line there. Every
 * spoiled reply is shown to have reached the driver: the emulation has
 * none left to spoil after the call, and the call sent the command.
 * cache_ms is 0 throughout, so every status comes from the changer.
 *
 * Other programs run before and after this one in the same guest: rules
 * an earlier one left armed are cleared (and logged), and the teardown
 * leaves no spoiled reply armed, no unit attention of its resets pending
 * on any host, and the module parameters as they were.
 *
 * Runs only on the emulation (skips elsewhere).
 */
#include "emul_ctl.h"

#define READ_ELEMENT_STATUS	0xb8
#define MODE_SENSE_6		0x1a
#define MODE_SENSE_10		0x5a
#define STORM_REPLIES		200

static const char *const kinds[] = {
	"truncated", "oversized", "desclen0", "counts", "pagetype", "random",
};

#define NR_KINDS	((int)ARRAY_SIZE(kinds))

static const char *const state_type[AUTOCH_NR_TYPES] = {
	[AUTOCH_TRANSPORT] = "mt",
	[AUTOCH_STORAGE] = "st",
	[AUTOCH_IMPORT_EXPORT] = "ie",
	[AUTOCH_DATA_TRANSFER] = "dt",
};

FIXTURE(mal) {
	struct autoch_dev dev;
	struct emul_params params;
	struct element_addresses map;	/* from the state file */
};

/*
 * The element map as the emulation has it: for each type, the lowest
 * address of its elements in the state file and how many there are (the
 * ranges are contiguous; -1 when they are not).
 */
static int state_map(struct element_addresses *ea)
{
	__u16 *first[AUTOCH_NR_TYPES] = {
		&ea->first_transport, &ea->first_storage,
		&ea->first_import_export, &ea->first_data_transfer,
	};
	__u16 *count[AUTOCH_NR_TYPES] = {
		&ea->num_transports, &ea->num_storages,
		&ea->num_import_exports, &ea->num_data_transfers,
	};
	struct emul_state st;
	int t, i, lo, hi, n;

	if (emul_state_read(&st))
		return -1;
	memset(ea, 0, sizeof(*ea));
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		lo = 0x10000;
		hi = -1;
		n = 0;
		for (i = 0; i < st.nr; i++) {
			if (strcmp(st.el[i].type, state_type[t]))
				continue;
			n++;
			if (st.el[i].address < lo)
				lo = st.el[i].address;
			if (st.el[i].address > hi)
				hi = st.el[i].address;
		}
		if (n && hi - lo + 1 != n) {
			emul_state_free(&st);
			return -1;
		}
		*first[t] = n ? lo : 0;
		*count[t] = n;
	}
	emul_state_free(&st);
	return 0;
}

/* The first element of @type the state lists as @full; -1 for none. */
static int state_find(const char *type, int full)
{
	struct emul_state st;
	int i, address = -1;

	if (emul_state_read(&st))
		return -1;
	for (i = 0; i < st.nr && address < 0; i++)
		if (!strcmp(st.el[i].type, type) && st.el[i].full == full &&
		    st.el[i].access)
			address = st.el[i].address;
	emul_state_free(&st);
	return address;
}

/* NULL when @es is what the state @st says of @address, else why not. */
static const char *state_diff(const struct emul_state *st,
			      const struct element_status *es, int address,
			      char *why, size_t len)
{
	const struct emul_elem *e = emul_state_find(st, address);

	if (!e) {
		snprintf(why, len, "element %d: not in the state file", address);
		return why;
	}
	if ((int)es->element != address) {
		snprintf(why, len, "element %d answered for %d", (int)es->element,
			 address);
		return why;
	}
	return emul_status_diff(es, e, true, why, len);
}

/* Like state_diff(), from a snapshot of the state taken now. */
static const char *state_diff_now(const struct element_status *es, int address,
				  char *why, size_t len)
{
	struct emul_state st;
	const char *ret;

	if (emul_state_read(&st)) {
		snprintf(why, len, "the state file cannot be read");
		return why;
	}
	ret = state_diff(&st, es, address, why, len);
	emul_state_free(&st);
	return ret;
}

/*
 * Every element through AUTOCH_ELEMENT_STATUS_RANGE, one call per type,
 * against the state file: how many differ (the first is logged), or
 * how many calls failed.
 */
static int inventory_vs_state(struct __test_metadata *_metadata,
			      const struct element_addresses *ea, int fd,
			      const char *when)
{
	struct autoch_status_range r = {};
	struct element_status *all;
	const struct emul_elem *e;
	struct emul_state st;
	int t, i, err, bad = 0;
	const char *why;
	char buf[160];

	all = calloc(65536, sizeof(*all));
	if (!all || emul_state_read(&st)) {
		free(all);
		TH_LOG("%s: no memory or no state file", when);
		return 1;
	}
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		r.first = autoch_first(ea, t);
		r.count = autoch_count(ea, t);
		if (!r.count)
			continue;
		memset(all, 0xa5, r.count * sizeof(*all));
		r.statuses = (unsigned long)all;
		err = autoch_ioctl(fd, AUTOCH_ELEMENT_STATUS_RANGE, &r);
		if (err) {
			if (!bad++)
				TH_LOG("%s: %s elements: %s", when,
				       autoch_type_name[t], strerror(err));
			continue;
		}
		for (i = 0; i < (int)r.count; i++) {
			e = emul_state_find(&st, r.first + i);
			why = e ? emul_status_diff(&all[i], e, true, buf, sizeof(buf)) :
				  "an element the state file does not list";
			if (why && !bad++)
				TH_LOG("%s: %s", when, why);
		}
	}
	emul_state_free(&st);
	free(all);
	return bad;
}

/*
 * One command on every node of the emulation, so that the driver of
 * each host meets the unit attention of the resets this test raised now
 * rather than in the next program. Status goes to the changer
 * (cache_ms is 0 while the fixture runs).
 */
static void consume_attentions(const struct element_addresses *ea)
{
	const char *nodes[2];
	struct element_status es;
	int i, fd, tries;

	nodes[0] = autoch_path();
	nodes[1] = emul_other_path();
	for (i = 0; i < 2; i++) {
		if (i && !strcmp(nodes[0], nodes[1]))
			break;
		fd = open(nodes[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		for (tries = 0; tries < 3; tries++)
			if (!autoch_status(fd, autoch_first(ea, AUTOCH_STORAGE), &es))
				break;
		close(fd);
	}
}

FIXTURE_SETUP(mal)
{
	char rules[2048];

	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	/* an earlier program's leftovers would spoil or fail our commands */
	if (emul_read_file(EMUL_DEBUGFS "/fault", rules, sizeof(rules)) > 0) {
		TH_LOG("fault rules left armed before this test, cleared: %s", rules);
		ASSERT_EQ(0, emul_ctl("fault", "clear"));
	}
	ASSERT_EQ(0, emul_ctl("malformed", "clear"));
	/* every call goes to the device */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "ready_ms", 0));
	ASSERT_EQ(0, state_map(&self->map)) TH_LOG("the state file lists no map");
	ASSERT_EQ(0, memcmp(&self->map, &self->dev.ea, sizeof(self->map)))
		TH_LOG("before anything is spoiled the driver's map differs from the changer's");
	ASSERT_EQ(0, inventory_vs_state(_metadata, &self->map, self->dev.fd,
					"before anything is spoiled"));
}

FIXTURE_TEARDOWN(mal)
{
	EXPECT_EQ(0, emul_ctl("malformed", "clear"));
	/* sound replies again: the driver tells the truth */
	EXPECT_EQ(0, inventory_vs_state(_metadata, &self->map, self->dev.fd,
					"after the test"));
	consume_attentions(&self->map);
	EXPECT_EQ(0, emul_params_restore(&self->params));
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* Arm one spoiled reply of @kind for @which ("res" or "mode"). */
static int arm(const char *kind, const char *which, int count)
{
	int err = emul_ctl("malformed", "%s %s count=%d", kind, which, count);

	if (err)
		return err;
	return emul_malformed_left() == count ? 0 : EPROTO;
}

/*
 * After a call: the spoiled reply went out (nothing left to spoil) and
 * the call sent at least one command of @opcode (@before: the counter
 * before the call).
 */
static void expect_consumed(struct __test_metadata *_metadata, const char *kind,
			    int opcode, long before)
{
	EXPECT_EQ(0, emul_malformed_left())
		TH_LOG("%s: the spoiled reply never went out", kind);
	EXPECT_LT(before, emul_counter(opcode, -1))
		TH_LOG("%s: the call sent no command %02x", kind, opcode);
}

/* EIO, or the element as the changer has it. */
static void expect_status(struct __test_metadata *_metadata, FIXTURE_DATA(mal) *self,
			  const char *kind, int address)
{
	long sent = emul_counter(READ_ELEMENT_STATUS, -1);
	struct element_status es;
	char why[160];
	int err;

	ASSERT_EQ(0, arm(kind, "res", 1)) TH_LOG("%s", kind);
	memset(&es, 0xa5, sizeof(es));
	err = autoch_status(self->dev.fd, address, &es);
	expect_consumed(_metadata, kind, READ_ELEMENT_STATUS, sent);
	EXPECT_TRUE(err == 0 || err == EIO)
		TH_LOG("%s: element %d: %s", kind, address, strerror(err));
	if (err)
		return;
	/* random bytes may look like a sound reply: of this element, though */
	if (!strcmp(kind, "random")) {
		EXPECT_EQ(address, (int)es.element) TH_LOG("%s", kind);
		return;
	}
	EXPECT_EQ(NULL, state_diff_now(&es, address, why, sizeof(why)))
		TH_LOG("%s: %s", kind, why);
}

/* One spoiled READ ELEMENT STATUS reply of each kind, for one element. */
TEST_F(mal, element_status)
{
	struct element_status es;
	int full, empty, i;
	char why[160];

	full = state_find("st", 1);
	empty = state_find("st", 0);
	ASSERT_LE(0, full);
	ASSERT_LE(0, empty);
	for (i = 0; i < NR_KINDS; i++) {
		expect_status(_metadata, self, kinds[i], full);
		expect_status(_metadata, self, kinds[i], empty);
		/* the next reply is sound: the truth */
		ASSERT_EQ(0, emul_malformed_left());
		ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es)) TH_LOG("after %s", kinds[i]);
		EXPECT_EQ(NULL, state_diff_now(&es, full, why, sizeof(why)))
			TH_LOG("after %s: %s", kinds[i], why);
	}
}

/* The range ioctl over a whole type: EIO or every element right. */
TEST_F(mal, status_range)
{
	struct autoch_status_range r = {};
	struct element_status *st;
	struct emul_state state;
	int count, i, k, err, bad;
	char why[160] = "";
	long sent;

	r.first = autoch_first(&self->map, AUTOCH_STORAGE);
	count = autoch_count(&self->map, AUTOCH_STORAGE);
	ASSERT_LT(0, count);
	r.count = count;
	st = calloc(count, sizeof(*st));
	ASSERT_NE(NULL, st);
	r.statuses = (unsigned long)st;
	for (k = 0; k < NR_KINDS; k++) {
		double t0 = emul_now_ms();

		sent = emul_counter(READ_ELEMENT_STATUS, -1);
		ASSERT_EQ(0, arm(kinds[k], "res", 1));
		memset(st, 0xa5, count * sizeof(*st));
		err = autoch_ioctl(self->dev.fd, AUTOCH_ELEMENT_STATUS_RANGE, &r);
		TH_LOG("%s: %d storage elements: %s in %.0f ms", kinds[k], count,
		       err ? strerror(err) : "answered", emul_now_ms() - t0);
		expect_consumed(_metadata, kinds[k], READ_ELEMENT_STATUS, sent);
		EXPECT_TRUE(err == 0 || err == EIO)
			TH_LOG("%s: %s", kinds[k], strerror(err));
		if (err)
			continue;
		ASSERT_EQ(0, emul_state_read(&state));
		for (i = 0, bad = 0; i < count && !bad; i++) {
			if (!strcmp(kinds[k], "random"))
				bad = r.first + i != (int)st[i].element;
			else
				bad = !!state_diff(&state, &st[i], r.first + i, why,
						   sizeof(why));
			/* the first element that differs, not 500 lines */
			EXPECT_EQ(0, bad) TH_LOG("%s: element %d: %s", kinds[k],
						 r.first + i, bad ? why : "");
		}
		emul_state_free(&state);
	}
	free(st);
}

/*
 * A power-on reset (29/00) drops the driver's element map when a status
 * call meets it; SIOC_ELEMENT_ADDRESSES then reads the map again, with
 * the mode pages spoiled, and answers EIO or the map as the changer has
 * it. Once the pages are sound, the map is right again.
 */
TEST_F(mal, mode_pages)
{
	int storage = autoch_first(&self->map, AUTOCH_STORAGE);
	struct autoch_capabilities cap, cap0;
	struct element_addresses ea;
	struct element_status es;
	int i, err, tries;
	long sent;

	/* page 1Fh is not in the state file: its sound reading is the reference */
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_CAPABILITIES, &cap0));
	for (i = 0; i < NR_KINDS; i++) {
		ASSERT_EQ(0, emul_ctl("event", "reset"));
		sent = emul_counter(MODE_SENSE_6, -1) + emul_counter(MODE_SENSE_10, -1);
		ASSERT_EQ(0, arm(kinds[i], "mode", 1));
		/* meets the 29/00: the map is dropped, status read again */
		err = autoch_status(self->dev.fd, storage, &es);
		EXPECT_TRUE(err == 0 || err == EIO || err == EINVAL)
			TH_LOG("%s: status: %s", kinds[i], strerror(err));
		/* the map is read again, from the spoiled page */
		memset(&ea, 0xa5, sizeof(ea));
		err = autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &ea);
		EXPECT_EQ(0, emul_malformed_left())
			TH_LOG("%s: the spoiled page never went out", kinds[i]);
		EXPECT_LT(sent, emul_counter(MODE_SENSE_6, -1) +
			  emul_counter(MODE_SENSE_10, -1))
			TH_LOG("%s: the map was not read again", kinds[i]);
		EXPECT_TRUE(err == 0 || err == EIO)
			TH_LOG("%s: addresses: %s", kinds[i], strerror(err));
		if (!err && strcmp(kinds[i], "random"))
			EXPECT_EQ(0, memcmp(&ea, &self->map, sizeof(ea)))
				TH_LOG("%s: a spoiled page became the map", kinds[i]);
		/* sound pages: the changer's map and the same capabilities */
		ASSERT_EQ(0, emul_ctl("malformed", "clear"));
		ASSERT_EQ(0, emul_ctl("event", "reset"));
		for (tries = 0; tries < 3; tries++)
			if (!autoch_status(self->dev.fd, storage, &es))
				break;
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES,
					  &ea)) TH_LOG("after %s", kinds[i]);
		EXPECT_EQ(0, memcmp(&ea, &self->map, sizeof(ea)))
			TH_LOG("after %s", kinds[i]);
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_CAPABILITIES, &cap));
		EXPECT_EQ(0, memcmp(&cap, &cap0, sizeof(cap)))
			TH_LOG("after %s", kinds[i]);
	}
}

/*
 * Many random replies in a row, for every reading call, a reset every
 * ten rounds (so the map is read again from random pages): every call
 * ends in success or an errno its contract lists, most spoiled replies
 * went out, and afterwards the whole inventory is the changer's.
 */
TEST_F(mal, random_storm)
{
	const struct element_addresses *ea = &self->map;
	struct element_addresses got;
	struct element_status es;
	int i, t, err, left, spoiled, eio = 0, fine = 0, tries;

	ASSERT_EQ(0, arm("random", "any", STORM_REPLIES));
	for (i = 0; i < 100; i++) {
		if (i % 10 == 0)
			ASSERT_EQ(0, emul_ctl("event", "reset"));
		t = i % AUTOCH_NR_TYPES;
		if (!autoch_count(ea, t))
			continue;
		/* EINVAL: the address is outside a map read from random pages */
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
	left = emul_malformed_left();
	ASSERT_LE(0, left);
	spoiled = STORM_REPLIES - left;
	TH_LOG("%d random replies went out; element addresses: %d EIO, %d answered",
	       spoiled, eio, fine);
	/* at least one reply a round: a status always sends (cache_ms 0) */
	EXPECT_LE(50, spoiled);
	ASSERT_EQ(0, emul_ctl("malformed", "clear"));
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	for (tries = 0; tries < 3; tries++)
		if (!autoch_status(self->dev.fd, autoch_first(ea, AUTOCH_STORAGE), &es))
			break;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_ELEMENT_ADDRESSES, &got));
	EXPECT_EQ(0, memcmp(&got, ea, sizeof(got)))
		TH_LOG("after the storm the driver's map is not the changer's");
	EXPECT_EQ(0, inventory_vs_state(_metadata, ea, self->dev.fd, "after the storm"));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
