// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: READ ELEMENT STATUS on a large library, driven
 * through the emulated changer's library profile.
 *
 * - few_commands: a cold inventory of every element (SIOC_ELEMENT_STATUS
 *   on each) costs a few READ ELEMENT STATUS, each as long as the host
 *   takes in one command (the emulation's max_sectors, at most the
 *   driver's 4 MiB), not one per 1,000 elements; what it reads is what
 *   the emulation holds. Needs 20,000 storage elements or more
 *   (check-emul.sh's "large" guest: 50,000 slots, 100 drives, 40 mail
 *   slots).
 * - chunk_learnt_refuse, chunk_learnt_cut: a library that reports at most
 *   1,000 elements in one reply (the emulation's res_limit), refusing a
 *   larger count with 24/00 or cutting the report short, is learnt: the
 *   driver asks for 1,000 from then on, and for everything again after a
 *   reset. Needs 2,000 storage elements or more.
 *
 * Command counts come from the emulation's counters (per host).
 * Module parameters changed here (cache_ms of autoch; res_limit,
 * res_limit_refuse of autoch_emul) are restored after each test.
 * Skips without the emulation's debugfs.
 */
#include "emul_ctl.h"

#define LARGE_MIN_STORAGE	20000
#define CHUNK_MIN_STORAGE	2000
#define CHUNK_ELEMS		1000
/* the driver's largest READ ELEMENT STATUS reply (AUTOCH_RES_MAX_ALLOC) */
#define DRIVER_MAX_ALLOC	(4 << 20)
/*
 * After a reset, the first call that loads the element map again (the
 * pass's first status) also reads the drives' identifiers, which the
 * 29/00 made stale: one READ ELEMENT STATUS with DVCID for up to 255
 * drives (driver/autoch_drives.c).
 */
#define RESET_EXTRA	1
/* the descriptor the library profile sends with both tags (its README.md) */
#define LIBRARY_DESC_LEN	88

FIXTURE(large) {
	struct autoch_dev a;
	struct emul_params params;
	enum emul_profile profile;
	int host;
};

FIXTURE_SETUP(large)
{
	ASSERT_EQ(0, autoch_open(&self->a));
	self->profile = emul_profile(self->a.fd);
	self->host = emul_host_index(autoch_path());
	ASSERT_LE(0, self->host) TH_LOG("which emulated host is %s?", autoch_path());
	/* quirks learnt by an earlier program are forgotten at a reset */
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	/* long enough that each pass reads every element once */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 600000));
}

FIXTURE_TEARDOWN(large)
{
	EXPECT_EQ(0, emul_params_restore(&self->params));
	/* forget what was learnt here */
	EXPECT_EQ(0, emul_ctl("event", "reset"));
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

/*
 * SIOC_ELEMENT_STATUS on @n elements from @first, after an inventory
 * that drops the cache; their statuses in @es (may be NULL). Returns the
 * READ ELEMENT STATUS the pass cost.
 */
static long pass(struct __test_metadata *_metadata, FIXTURE_DATA(large) *self,
		 int first, int n, struct element_status *es)
{
	struct element_status one;
	long before;
	int i;

	EXPECT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	before = emul_counter(0xb8, self->host);
	for (i = 0; i < n; i++) {
		int err = autoch_status(self->a.fd, first + i, es ? &es[i] : &one);

		if (err) {
			EXPECT_EQ(0, err) TH_LOG("element %d: %s", first + i,
						 strerror(err));
			break;
		}
	}
	return emul_counter(0xb8, self->host) - before;
}

/*
 * Descriptors of @len bytes that one reply of at most @limit bytes
 * brings: past 64 KiB the driver asks for multiples of 64 KiB (for the
 * changers that read two bytes of the allocation length).
 */
static long per_command(long limit, int len)
{
	if (limit > 65535)
		limit -= limit % 65536;
	return (limit - 16) / len;
}

/*
 * The bytes of the vmalloc'ed areas the module allocated
 * (/proc/vmallocinfo, which counts the guard page in), each logged:
 * -1 when it cannot be read.
 */
static long vmalloc_bytes(struct __test_metadata *_metadata, const char *module)
{
	char line[512];
	long sum = 0, size;
	FILE *f = fopen("/proc/vmallocinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, module) && sscanf(line, "%*s %ld", &size) == 1) {
			line[strcspn(line, "\n")] = '\0';
			TH_LOG("vmallocinfo: %s", line);
			sum += size;
		}
	fclose(f);
	return sum;
}

/*
 * Every element of a large library, cold: one READ ELEMENT STATUS per
 * type but where the host's limit cuts it, and what comes back is what
 * the emulation holds.
 */
TEST_F(large, few_commands)
{
	static const enum autoch_type types[] = {
		AUTOCH_TRANSPORT, AUTOCH_STORAGE, AUTOCH_IMPORT_EXPORT,
		AUTOCH_DATA_TRANSFER,
	};
	struct element_status *es[4] = { 0 };
	const struct emul_elem **by_addr;
	struct emul_state st;
	long cost[4] = { 0 }, total = 0, bound = 0, limit, each, elems = 0;
	char why[160];
	int t, i, n, ntypes = 0;
	double t0, ms;
	long vm;

	n = self->a.ea.num_storages;
	if (self->profile != EMUL_LIBRARY || n < LARGE_MIN_STORAGE)
		AUTOCH_SKIP(return, "needs the library profile with %d storage elements or more (%d here; check-emul.sh's large guest has them)",
		     LARGE_MIN_STORAGE, n);
	limit = emul_param_get(EMUL_MODULE, "max_sectors") * 512;
	ASSERT_LT(0, limit);
	if (limit > DRIVER_MAX_ALLOC)
		limit = DRIVER_MAX_ALLOC;

	t0 = emul_now_ms();
	for (t = 0; t < 4; t++) {
		n = autoch_count(&self->a.ea, types[t]);
		if (!n)
			continue;
		es[t] = calloc(n, sizeof(*es[t]));
		ASSERT_NE(NULL, es[t]);
		cost[t] = pass(_metadata, self, autoch_first(&self->a.ea, types[t]),
			       n, es[t]);
		/* every reply as long as the host takes, whole descriptors */
		each = per_command(limit, LIBRARY_DESC_LEN);
		bound += (n + each - 1) / each;
		total += cost[t];
		elems += n;
		ntypes++;
	}
	/* the fixture's reset: the drives' identifiers, at the first load */
	bound += RESET_EXTRA;
	ms = emul_now_ms() - t0;
	TH_LOG("%ld elements (%d types) cold, one SIOC_ELEMENT_STATUS each: %ld READ ELEMENT STATUS (transport %ld, storage %ld, import/export %ld, drives %ld), host limit %ld bytes, %.0f ms",
	       elems, ntypes, total, cost[0], cost[1], cost[2], cost[3], limit, ms);
	EXPECT_LE(total, bound) TH_LOG("at most %ld: each reply as long as the host takes", bound);
	/* the goal: at least 100 times fewer than one per element */
	EXPECT_LE(total * 100, elems);
	/* the status cache: kvcalloc'ed by the map's load, one entry an element */
	vm = vmalloc_bytes(_metadata, "[autoch]");
	TH_LOG("status cache: %ld bytes in vmalloc areas (with their guard pages), %.1f bytes per element",
	       vm, vm > 0 ? (double)vm / elems : 0.0);

	/* what was read is what the emulation holds */
	ASSERT_EQ(0, emul_state_read(&st));
	by_addr = calloc(65536, sizeof(*by_addr));
	ASSERT_NE(NULL, by_addr);
	for (i = 0; i < st.nr; i++)
		by_addr[st.el[i].address & 0xffff] = &st.el[i];
	for (t = 0; t < 4; t++) {
		int first = autoch_first(&self->a.ea, types[t]);
		int bad = 0;

		for (i = 0; es[t] && i < autoch_count(&self->a.ea, types[t]); i++) {
			const struct emul_elem *e = by_addr[first + i];
			const char *diff;

			ASSERT_NE(NULL, e) TH_LOG("element %d is not in the state file", first + i);
			diff = emul_status_diff(&es[t][i], e, true, why, sizeof(why));
			if (diff && bad++ < 5)
				EXPECT_EQ(NULL, diff) TH_LOG("%s", diff);
		}
		EXPECT_EQ(0, bad) TH_LOG("%s: %d elements differ", autoch_type_name[types[t]], bad);
		free(es[t]);
	}
	free(by_addr);
	emul_state_free(&st);
}

/*
 * The first @n storage elements read with nothing limited: the statuses
 * the passes with a limit must find again.
 */
static void reference(struct __test_metadata *_metadata, FIXTURE_DATA(large) *self,
		      struct element_status *ref, int n)
{
	pass(_metadata, self, self->a.ea.first_storage, n, ref);
}

static void same(struct __test_metadata *_metadata, const struct element_status *ref,
		 const struct element_status *es, int n, const char *when)
{
	int i, bad = 0;

	for (i = 0; i < n; i++)
		if (memcmp(&ref[i], &es[i], sizeof(es[i])) && bad++ < 5)
			EXPECT_EQ(0, memcmp(&ref[i], &es[i], sizeof(es[i])))
				TH_LOG("element %d differs %s", ref[i].element, when);
	EXPECT_EQ(0, bad) TH_LOG("%d elements differ %s", bad, when);
}

/* What a chunk test reads with and compares. */
struct chunk {
	struct element_status *ref;	/* read with nothing limited */
	struct element_status *es;	/* read with a limit */
	int n;				/* storage elements read */
	long chunks;			/* replies of CHUNK_ELEMS that takes */
};

/*
 * The start of a chunk test: skips (returning false) without the library
 * profile and CHUNK_MIN_STORAGE storage elements; else reads the first
 * (up to 5,000) storage elements into @c->ref and has the emulation report
 * at most CHUNK_ELEMS in one reply.
 */
static bool chunk_setup(struct __test_metadata *_metadata, FIXTURE_DATA(large) *self,
			struct chunk *c)
{
	int n = self->a.ea.num_storages;

	if (self->profile != EMUL_LIBRARY || n < CHUNK_MIN_STORAGE)
		AUTOCH_SKIP(return false, "needs the library profile with %d storage elements or more (%d here)",
			    CHUNK_MIN_STORAGE, n);
	if (n > 5000)
		n = 5000;
	c->n = n;
	c->chunks = (n + CHUNK_ELEMS - 1) / CHUNK_ELEMS;
	c->ref = calloc(n, sizeof(*c->ref));
	c->es = calloc(n, sizeof(*c->es));
	if (!c->ref || !c->es) {
		free(c->ref);
		free(c->es);
		c->ref = NULL;
	}
	ASSERT_NE(NULL, c->ref) TH_LOG("out of memory");
	reference(_metadata, self, c->ref, n);
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "res_limit", CHUNK_ELEMS));
	return true;
}

/*
 * The end of a chunk test: a reset forgets what was learnt, and the first
 * storage elements are read in one command again. Returns how many READ
 * ELEMENT STATUS that took; frees @c's statuses.
 */
static long chunk_reset(struct __test_metadata *_metadata, FIXTURE_DATA(large) *self,
			struct chunk *c)
{
	long reset;

	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "res_limit", 0));
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	reset = pass(_metadata, self, self->a.ea.first_storage, c->n, c->es);
	same(_metadata, c->ref, c->es, c->n, "after the reset");
	/* and the drives' identifiers the 29/00 made stale: RESET_EXTRA */
	EXPECT_EQ(1 + RESET_EXTRA, reset);
	free(c->ref);
	free(c->es);
	return reset;
}

/*
 * A library that refuses more than 1,000 elements (24/00): the first
 * read is refused and asked again for 1,000, which is remembered; after a
 * reset the driver asks for everything again.
 */
TEST_F(large, chunk_learnt_refuse)
{
	long tried, learnt, reset;
	struct chunk c;

	if (!chunk_setup(_metadata, self, &c))
		return;
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "res_limit_refuse", 1));
	tried = pass(_metadata, self, self->a.ea.first_storage, c.n, c.es);
	same(_metadata, c.ref, c.es, c.n, "while it was learnt");
	learnt = pass(_metadata, self, self->a.ea.first_storage, c.n, c.es);
	same(_metadata, c.ref, c.es, c.n, "once learnt");
	/* one refused, then 1,000 at a time */
	EXPECT_EQ(c.chunks + 1, tried);
	EXPECT_EQ(c.chunks, learnt);

	/* a reset forgets it: everything in one command again */
	reset = chunk_reset(_metadata, self, &c);
	TH_LOG("READ ELEMENT STATUS for %d storage elements refusing more than %d: %ld, then %ld, after a reset %ld",
	       c.n, CHUNK_ELEMS, tried, learnt, reset);
}

/*
 * A library that cuts a report at 1,000 elements: nothing is lost (the
 * next miss reads on), and the driver asks for 1,000 from then on, which
 * shows when the library starts refusing more: no read is refused.
 */
TEST_F(large, chunk_learnt_cut)
{
	long cut, refusing, reset;
	struct chunk c;

	if (!chunk_setup(_metadata, self, &c))
		return;
	cut = pass(_metadata, self, self->a.ea.first_storage, c.n, c.es);
	same(_metadata, c.ref, c.es, c.n, "cut at 1,000");
	EXPECT_EQ(c.chunks, cut);

	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "res_limit_refuse", 1));
	refusing = pass(_metadata, self, self->a.ea.first_storage, c.n, c.es);
	same(_metadata, c.ref, c.es, c.n, "once learnt");
	EXPECT_EQ(c.chunks, refusing) TH_LOG("a read for more than %d was sent after the cut", CHUNK_ELEMS);

	reset = chunk_reset(_metadata, self, &c);
	TH_LOG("READ ELEMENT STATUS for %d storage elements cut at %d: %ld, then refusing more %ld, after a reset %ld",
	       c.n, CHUNK_ELEMS, cut, refusing, reset);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
