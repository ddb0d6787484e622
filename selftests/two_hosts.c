// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: two hosts, one library (Documentation/sharing.rst).
 *
 * The emulated changer with hosts=2 gives the guest two initiators to one
 * library: /dev/autoch0 (host A) and /dev/autoch1 (host B). What one host
 * reserves must keep the other out as far as the changer's reservations
 * reach:
 *
 * - persistent reservations (IOC_PR_*): register (with APTPL where the
 *   changer has it), reserve (write
 *   exclusive: B may read status but not move; exclusive access: B may do
 *   neither), release, preempt, preempt and abort, clear; IOC_PR_READ_KEYS
 *   and IOC_PR_READ_RESERVATION agree with what was done, through both
 *   hosts and with sg_persist on B's /dev/sgN; wrong keys and preempting
 *   an unregistered key are EBUSY with SIOC_XSENSE status 18h;
 * - SIOC_RESERVE: a unit reservation keeps B out entirely (superloader,
 *   library); an element reservation keeps B off that element only on the
 *   library (element reservations), off everything on the superloader (a
 *   unit reservation underneath) and off nothing on tgt (the table alone);
 *   closing the file releases;
 * - a reset (29/00): ECONNRESET once for the file that held reservations,
 *   AUTOCH_RESERVATIONS says what went, nothing for the others, and the
 *   changer holds nothing any more;
 * - a PERSISTENT RESERVE OUT or RESERVE ELEMENT that meets a unit
 *   attention is sent again with the same parameter list; one that meets
 *   a reset keeps its identification on the changer;
 * - a reset after the changer carried out a RESERVE (unit or element) but
 *   before its status came (fault "delay"), heard of by another file:
 *   SIOC_RESERVE takes the reservation again, so B stays out.
 * - a file closed while the changer is becoming ready (04/01): close
 *   returns at once; the RELEASE and ALLOW follow when it is ready, or
 *   stay kept after ready_timeout and go at the next close.
 *
 * Skips without the emulation (its debugfs) or without /dev/autoch1.
 * Every move is undone and the persistent reservation state cleared at
 * the end of each test.
 */
#include <sys/wait.h>

#include "emul_ctl.h"

#define KEY_A		0xaULL
#define KEY_B		0xbULL
#define KEY_CLEANUP	0x5eedULL
#define SAM_STAT_RESERVATION_CONFLICT	0x18

FIXTURE(hosts) {
	struct autoch_dev a;	/* host A: /dev/autoch0 */
	struct autoch_dev b;	/* host B: /dev/autoch1 */
	struct emul_params params;
	enum emul_profile profile;
	bool has_pr;
	char sg_b[64];		/* B's /dev/sgN, "" if unknown */
	int full, empty, other_full, other_empty;
};

static int pr_register(int fd, __u64 old_key, __u64 new_key, __u32 flags)
{
	struct pr_registration r = {
		.old_key = old_key, .new_key = new_key, .flags = flags,
	};

	return autoch_ioctl(fd, IOC_PR_REGISTER, &r);
}

static int pr_reserve(int fd, unsigned long req, __u64 key, __u32 type)
{
	struct pr_reservation r = { .key = key, .type = type };

	return autoch_ioctl(fd, req, &r);
}

/* @mine preempts @victim's registration (and reservation). */
static int pr_preempt(int fd, bool abort, __u64 mine, __u64 victim,
		      __u32 type)
{
	struct pr_preempt p = { .old_key = mine, .new_key = victim, .type = type };

	return autoch_ioctl(fd, abort ? IOC_PR_PREEMPT_ABORT : IOC_PR_PREEMPT, &p);
}

static int pr_clear(int fd, __u64 key)
{
	struct pr_clear c = { .key = key };

	return autoch_ioctl(fd, IOC_PR_CLEAR, &c);
}

/* The registered keys (at most @max in @keys): their number, or -errno. */
static int pr_keys(int fd, __u64 *keys, int max, __u32 *gen)
{
	struct pr_read_keys rk = {
		.num_keys = max,
		.keys_ptr = (unsigned long)keys,
	};
	int ret;

	memset(keys, 0, max * sizeof(*keys));
	ret = autoch_ioctl(fd, IOC_PR_READ_KEYS, &rk);
	if (ret)
		return -ret;
	if (gen)
		*gen = rk.generation;
	return rk.num_keys;
}

static bool has_key(const __u64 *keys, int n, __u64 key)
{
	int i;

	for (i = 0; i < n && i < 8; i++)
		if (keys[i] == key)
			return true;
	return false;
}

static int pr_holder(int fd, struct pr_read_reservation *rr)
{
	memset(rr, 0xa5, sizeof(*rr));
	return autoch_ioctl(fd, IOC_PR_READ_RESERVATION, rr);
}

/*
 * Let @fd's host meet whatever unit attentions are pending (each call
 * rides out up to 6): PERSISTENT RESERVE IN conflicts with nothing.
 */
static void consume_attentions(int fd)
{
	struct pr_read_keys rk = { 0 };

	ioctl(fd, IOC_PR_READ_KEYS, &rk);
	ioctl(fd, IOC_PR_READ_KEYS, &rk);
}

/* Forget every registration and the reservation, whoever made them. */
static void pr_cleanup(int fd)
{
	if (pr_register(fd, 0, KEY_CLEANUP, PR_FL_IGNORE_KEY) == 0)
		pr_clear(fd, KEY_CLEANUP);
}

/*
 * sg_persist -n ARGS SG, its output in @out; its exit status (127: not
 * there). A unit attention for B's nexus (exit 6) is retried: the driver
 * may have left one pending (2A/xx after a preemption).
 */
static int sg_persist(const char *sg, const char *args, char *out, size_t len)
{
	char cmd[256];
	int tries, st = -1;
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sg_persist -n %s %s 2>&1", args, sg);
	for (tries = 0; tries < 3; tries++) {
		p = popen(cmd, "r");
		if (!p)
			return -1;
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
		st = pclose(p);
		st = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (st != 6)
			break;
	}
	return st;
}

static long sg_generation(const char *out)
{
	const char *g = strstr(out, "generation=0x");

	return g ? strtol(g + strlen("generation="), NULL, 16) : -1;
}

/* The keys sg_persist -k listed: lines of one hexadecimal number. */
static int sg_keys(const char *out, __u64 *keys, int max)
{
	const char *line = out;
	int n = 0;

	while (line && *line) {
		unsigned long long k;
		char rest;

		if (sscanf(line, " 0x%llx%c", &k, &rest) == 2 && rest == '\n' &&
		    n < max)
			keys[n++] = k;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

static int resv(int fd, unsigned long req, int element, int id, int all)
{
	struct reservation_parms rp = {
		.element = element,
		.identification = id,
		.all_elements = all,
	};

	return autoch_ioctl(fd, req, &rp);
}

/* SIOC_XSENSE of @fd: a RESERVATION CONFLICT of a command @opcode. */
static void expect_conflict(struct __test_metadata *_metadata, int fd,
			    int opcode)
{
	struct emul_xsense x;

	ASSERT_TRUE(emul_xsense(fd, &x));
	EXPECT_EQ(1, x.valid);
	EXPECT_EQ(SAM_STAT_RESERVATION_CONFLICT, x.status);
	EXPECT_EQ(EBUSY, x.error);
	EXPECT_EQ(opcode, x.opcode);
	EXPECT_EQ(0, x.host);
}

FIXTURE_SETUP(hosts)
{
	struct pr_read_keys rk = { 0 };

	self->a.fd = -1;
	self->b.fd = -1;
	if (access(emul_other_path(), F_OK))
		AUTOCH_SKIP(return, "%s absent: the emulation has one host (hosts=2 needed)",
		     emul_other_path());
	ASSERT_EQ(0, autoch_open(&self->a));
	ASSERT_EQ(0, emul_open(&self->b, emul_other_path()));
	self->profile = emul_profile(self->a.fd);
	/* both nodes lead to the same library */
	ASSERT_EQ(0, memcmp(&self->a.ea, &self->b.ea, sizeof(self->a.ea)));
	/* sg_persist cross-checks through B's own nexus: sg is loaded */
	ASSERT_EQ(0, emul_sg_of(emul_other_path(), self->sg_b, sizeof(self->sg_b)))
		TH_LOG("no scsi_generic node for %s", emul_other_path());
	/* nothing pending from earlier tests: each test sets its own */
	consume_attentions(self->a.fd);
	consume_attentions(self->b.fd);
	/* the profile says, and the driver must agree (tgt: 20/00) */
	self->has_pr = self->profile != EMUL_TGT;
	ASSERT_EQ(self->has_pr ? 0 : EOPNOTSUPP,
		  autoch_ioctl(self->a.fd, IOC_PR_READ_KEYS, &rk))
		TH_LOG("IOC_PR_READ_KEYS on the %s profile",
		       emul_profile_name[self->profile]);
	if (self->has_pr) {
		pr_cleanup(self->a.fd);
		/* 2A/03 for B if it was registered */
		consume_attentions(self->b.fd);
	}
	/* another initiator may have moved media: read them afresh */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	/* 2A/xx dropped the maps: load them before anything is reserved */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_ELEMENT_ADDRESSES, &self->a.ea));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, SIOC_ELEMENT_ADDRESSES, &self->b.ea));

	autoch_find_four(&self->a, &self->full, &self->empty,
			 &self->other_full, &self->other_empty);
	ASSERT_LE(0, self->full);
	ASSERT_LE(0, self->empty);
	ASSERT_LE(0, self->other_full);
	ASSERT_LE(0, self->other_empty);
}

FIXTURE_TEARDOWN(hosts)
{
	int fd;

	if (self->a.fd < 0 || self->b.fd < 0) {
		autoch_close(&self->b);
		autoch_close(&self->a);
		return;
	}
	/* nothing may keep the moves from being undone */
	if (self->has_pr) {
		consume_attentions(self->a.fd);
		pr_cleanup(self->a.fd);
	}
	/* a new file for A: closing the old one releases what it held */
	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		close(self->a.fd);
		self->a.fd = fd;
	}
	EXPECT_EQ(0, autoch_undo(&self->b));
	EXPECT_EQ(0, autoch_undo(&self->a));
	/* what A cached of B's moves is stale */
	EXPECT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(0, emul_params_restore(&self->params));
	autoch_close(&self->b);
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

/* Status queries must reach the changer, not the cache. */
static void no_cache(struct __test_metadata *_metadata,
		     FIXTURE_DATA(hosts) *self)
{
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
}

#define NEED_PR() do {							\
	if (!self->has_pr)						\
		AUTOCH_SKIP(return, "%s: no persistent reservations (20/00)",	\
		     emul_profile_name[self->profile]);			\
} while (0)

TEST_F(hosts, pr_exclusive_access)
{
	struct pr_read_reservation rr;
	struct element_status es;
	__u64 keys[8], sgk[8];
	__u32 gen0, gen1, gen_b;
	char out[4096];
	int n, st;

	AUTOCH_SETUP_DONE();
	NEED_PR();
	no_cache(_metadata, self);
	ASSERT_EQ(0, pr_keys(self->a.fd, keys, 8, &gen0));
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(1, pr_keys(self->a.fd, keys, 8, &gen1));
	EXPECT_EQ(KEY_A, keys[0]);
	EXPECT_LT(gen0, gen1);
	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_EXCLUSIVE_ACCESS));

	/* both hosts read the same keys and reservation */
	ASSERT_EQ(1, pr_keys(self->b.fd, keys, 8, &gen_b));
	EXPECT_EQ(KEY_A, keys[0]);
	EXPECT_EQ(gen1, gen_b);
	ASSERT_EQ(0, pr_holder(self->b.fd, &rr));
	EXPECT_EQ(KEY_A, rr.key);
	EXPECT_EQ(PR_EXCLUSIVE_ACCESS, rr.type);
	EXPECT_EQ(gen1, rr.generation);

	/* and so does sg_persist through B's own nexus (sg3-utils is in the guest) */
	st = sg_persist(self->sg_b, "-k", out, sizeof(out));
	EXPECT_EQ(0, st) TH_LOG("sg_persist -k: %s", st == 127 ? "not installed" : out);
	n = sg_keys(out, sgk, 8);
	EXPECT_EQ(1, n) TH_LOG("%s", out);
	EXPECT_EQ(KEY_A, sgk[0]);
	EXPECT_EQ((long)gen1, sg_generation(out)) TH_LOG("%s", out);
	EXPECT_EQ(0, sg_persist(self->sg_b, "-r", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Key=0xa")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "Exclusive Access")) TH_LOG("%s", out);

	/* B can neither move nor read status */
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
	EXPECT_EQ(EBUSY, autoch_status(self->b.fd, self->full, &es));
	expect_conflict(_metadata, self->b.fd, 0xb8);
	/* A, the holder, can */
	EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));

	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RELEASE, KEY_A,
				PR_EXCLUSIVE_ACCESS));
	ASSERT_EQ(0, pr_holder(self->a.fd, &rr));
	EXPECT_EQ(0, rr.key);
	EXPECT_EQ(0, rr.type);
	/* released: B moves again; A's key stays registered */
	EXPECT_EQ(0, autoch_status(self->b.fd, self->full, &es));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->b));
	EXPECT_EQ(1, pr_keys(self->b.fd, keys, 8, NULL));
}

TEST_F(hosts, pr_write_exclusive)
{
	struct pr_read_reservation rr;
	struct element_status es;

	AUTOCH_SETUP_DONE();
	NEED_PR();
	no_cache(_metadata, self);
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_WRITE_EXCLUSIVE));
	ASSERT_EQ(0, pr_holder(self->b.fd, &rr));
	EXPECT_EQ(KEY_A, rr.key);
	EXPECT_EQ(PR_WRITE_EXCLUSIVE, rr.type);

	/* B reads status, but does not move */
	EXPECT_EQ(0, autoch_status(self->b.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full);
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
	EXPECT_EQ(EBUSY, autoch_ioctl(self->b.fd, SIOC_INIT_ELEM_STAT, NULL));

	/* the same reservation again is not an error; another type is */
	EXPECT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_WRITE_EXCLUSIVE));
	EXPECT_EQ(EBUSY, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				    PR_EXCLUSIVE_ACCESS));
	/* a release of another type: 26/04 INVALID RELEASE OF PR */
	EXPECT_EQ(EINVAL, pr_reserve(self->a.fd, IOC_PR_RELEASE, KEY_A,
				     PR_EXCLUSIVE_ACCESS));
	autoch_expect_sense(_metadata, self->a.fd, EINVAL, 0x5f,
			    AUTOCH_ILLEGAL_REQUEST, 0x26, 0x04);
	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RELEASE, KEY_A,
				PR_WRITE_EXCLUSIVE));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
}

TEST_F(hosts, pr_preempt)
{
	struct pr_read_reservation rr;
	__u64 keys[8];
	__u32 gen1, gen2;
	char out[4096];

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_EXCLUSIVE_ACCESS));
	ASSERT_EQ(0, pr_register(self->b.fd, 0, KEY_B, 0));
	ASSERT_EQ(2, pr_keys(self->b.fd, keys, 8, &gen1));
	EXPECT_TRUE(has_key(keys, 2, KEY_A));
	EXPECT_TRUE(has_key(keys, 2, KEY_B));
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));

	/* B takes the library over from a crashed A (sharing.rst) */
	ASSERT_EQ(0, pr_preempt(self->b.fd, false, KEY_B, KEY_A,
				PR_EXCLUSIVE_ACCESS));
	EXPECT_EQ(EBUSY, autoch_move(&self->a, self->full, self->empty));
	expect_conflict(_metadata, self->a.fd, AUTOCH_OP_MOVE_MEDIUM);
	/* A's registration is gone (A meets 2A/05 on the way: retried) */
	ASSERT_EQ(1, pr_keys(self->a.fd, keys, 8, &gen2));
	EXPECT_EQ(KEY_B, keys[0]);
	EXPECT_LT(gen1, gen2);
	ASSERT_EQ(0, pr_holder(self->a.fd, &rr));
	EXPECT_EQ(KEY_B, rr.key);
	EXPECT_EQ(PR_EXCLUSIVE_ACCESS, rr.type);
	EXPECT_EQ(gen2, rr.generation);
	EXPECT_EQ(0, sg_persist(self->sg_b, "-k", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "0xa\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "0xb\n")) TH_LOG("%s", out);
	/* the new holder moves */
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->b));
	/* A, unregistered, cannot release B's reservation */
	EXPECT_EQ(EBUSY, pr_reserve(self->a.fd, IOC_PR_RELEASE, KEY_A,
				    PR_EXCLUSIVE_ACCESS));
	expect_conflict(_metadata, self->a.fd, 0x5f);
}

TEST_F(hosts, pr_preempt_abort)
{
	struct pr_read_reservation rr;
	__u64 keys[8];
	__u32 gen1, gen2;

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, pr_register(self->b.fd, 0, KEY_B, 0));
	ASSERT_EQ(0, pr_reserve(self->b.fd, IOC_PR_RESERVE, KEY_B,
				PR_WRITE_EXCLUSIVE));
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(2, pr_keys(self->a.fd, keys, 8, &gen1));
	EXPECT_EQ(EBUSY, autoch_move(&self->a, self->full, self->empty));

	ASSERT_EQ(0, pr_preempt(self->a.fd, true, KEY_A, KEY_B,
				PR_EXCLUSIVE_ACCESS));
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
	ASSERT_EQ(1, pr_keys(self->b.fd, keys, 8, &gen2));
	EXPECT_EQ(KEY_A, keys[0]);
	EXPECT_LT(gen1, gen2);
	ASSERT_EQ(0, pr_holder(self->b.fd, &rr));
	EXPECT_EQ(KEY_A, rr.key);
	EXPECT_EQ(PR_EXCLUSIVE_ACCESS, rr.type);
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));
}

TEST_F(hosts, pr_clear)
{
	struct pr_read_reservation rr;
	__u64 keys[8];
	__u32 gen1, gen2;
	char out[4096];

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_EXCLUSIVE_ACCESS));
	ASSERT_EQ(0, pr_register(self->b.fd, 0, KEY_B, 0));
	ASSERT_EQ(2, pr_keys(self->a.fd, keys, 8, &gen1));
	/* only a registered key clears */
	EXPECT_EQ(EBUSY, pr_clear(self->b.fd, KEY_A));
	expect_conflict(_metadata, self->b.fd, 0x5f);
	ASSERT_EQ(0, pr_clear(self->b.fd, KEY_B));
	ASSERT_EQ(0, pr_keys(self->a.fd, keys, 8, &gen2));
	EXPECT_LT(gen1, gen2);
	ASSERT_EQ(0, pr_holder(self->a.fd, &rr));
	EXPECT_EQ(0, rr.key);
	EXPECT_EQ(0, rr.type);
	EXPECT_EQ(gen2, rr.generation);
	EXPECT_EQ(0, sg_persist(self->sg_b, "-k", out, sizeof(out))) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "NO registered")) TH_LOG("%s", out);
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, autoch_move(&self->a, self->other_full, self->other_empty));
}

TEST_F(hosts, pr_wrong_keys)
{
	struct pr_read_reservation rr;
	__u64 keys[8];

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	/* a key that is not A's */
	EXPECT_EQ(EBUSY, pr_reserve(self->a.fd, IOC_PR_RESERVE, 0xbad,
				    PR_EXCLUSIVE_ACCESS));
	expect_conflict(_metadata, self->a.fd, 0x5f);
	EXPECT_EQ(EBUSY, pr_register(self->a.fd, 0xbad, 0xc, 0));
	EXPECT_EQ(1, pr_keys(self->a.fd, keys, 8, NULL));
	EXPECT_EQ(KEY_A, keys[0]);
	/* B, not registered, may do nothing but register */
	EXPECT_EQ(EBUSY, pr_reserve(self->b.fd, IOC_PR_RESERVE, 1,
				    PR_WRITE_EXCLUSIVE));
	expect_conflict(_metadata, self->b.fd, 0x5f);
	EXPECT_EQ(EBUSY, pr_preempt(self->b.fd, false, KEY_B, KEY_A,
				    PR_WRITE_EXCLUSIVE));
	ASSERT_EQ(0, pr_register(self->b.fd, 0, KEY_B, 0));
	/* preempting a key nobody registered */
	EXPECT_EQ(EBUSY, pr_preempt(self->b.fd, false, KEY_B, 0x999,
				    PR_WRITE_EXCLUSIVE));
	expect_conflict(_metadata, self->b.fd, 0x5f);
	EXPECT_EQ(EBUSY, pr_preempt(self->b.fd, true, KEY_B, 0x999,
				    PR_WRITE_EXCLUSIVE));
	/* nothing changed */
	EXPECT_EQ(2, pr_keys(self->b.fd, keys, 8, NULL));
	ASSERT_EQ(0, pr_holder(self->b.fd, &rr));
	EXPECT_EQ(0, rr.key);
	/* registering a zero key unregisters */
	EXPECT_EQ(0, pr_register(self->b.fd, KEY_B, 0, 0));
	EXPECT_EQ(1, pr_keys(self->b.fd, keys, 8, NULL));
}

/*
 * A PERSISTENT RESERVE OUT that meets a unit attention is sent again; the
 * second time it must carry the same parameter list.
 */
TEST_F(hosts, pr_out_after_attention)
{
	struct pr_read_reservation rr;
	__u64 keys[8];
	int n;

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, emul_ctl("event", "door close"));	/* 28/00 for both */
	ASSERT_EQ(0, pr_register(self->b.fd, 0, KEY_B, 0));
	n = pr_keys(self->a.fd, keys, 8, NULL);
	EXPECT_EQ(1, n) TH_LOG("REGISTER returned 0, %d keys registered: the retry after 28/00 sent another parameter list", n);
	EXPECT_EQ(KEY_B, keys[0]);

	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(0, emul_ctl("event", "door close"));
	EXPECT_EQ(0, pr_reserve(self->a.fd, IOC_PR_RESERVE, KEY_A,
				PR_WRITE_EXCLUSIVE))
		TH_LOG("RESERVE after 28/00: the retry sent another reservation key");
	ASSERT_EQ(0, pr_holder(self->b.fd, &rr));
	EXPECT_EQ(KEY_A, rr.key);
}

/*
 * IOC_PR_REGISTER asks for APTPL, as Linux's sd does: the library keeps
 * the registration through a power loss (it has PTPL_C); a changer
 * without it (superloader: 26/00) still gets the registration, without.
 */
TEST_F(hosts, pr_register_aptpl)
{
	char state[512];
	__u64 keys[8];

	AUTOCH_SETUP_DONE();
	NEED_PR();
	ASSERT_EQ(0, pr_register(self->a.fd, 0, KEY_A, 0));
	ASSERT_EQ(1, pr_keys(self->b.fd, keys, 8, NULL));
	EXPECT_EQ(KEY_A, keys[0]);
	emul_read_file(EMUL_DEBUGFS "/state", state, sizeof(state));
	state[strcspn(state, "\n")] = '\0';
	if (self->profile == EMUL_LIBRARY) {
		EXPECT_NE(NULL, strstr(state, "aptpl 1"))
			TH_LOG("REGISTER without APTPL: %s", state);
	} else {
		EXPECT_NE(NULL, strstr(state, "aptpl 0")) TH_LOG("%s", state);
	}
	/* and again, the way the driver learnt it */
	ASSERT_EQ(0, pr_register(self->a.fd, KEY_A, KEY_B, 0));
	ASSERT_EQ(1, pr_keys(self->b.fd, keys, 8, NULL));
	EXPECT_EQ(KEY_B, keys[0]);
}

TEST_F(hosts, unit_reservation)
{
	struct element_status es;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	if (self->profile == EMUL_TGT) {
		/* sharing.rst: no reservations on the changer, the table alone */
		EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
		EXPECT_EQ(0, autoch_undo(&self->b));
	} else {
		no_cache(_metadata, self);
		EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
		expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
		/* SPC-2 RESERVE: the other initiator cannot even read */
		EXPECT_EQ(EBUSY, autoch_status(self->b.fd, self->full, &es));
		EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RESERVE, 0, 0, 1));
		EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
		EXPECT_EQ(0, autoch_undo(&self->a));
	}
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RELEASE, 0, 0, 1));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
}

TEST_F(hosts, element_reservation)
{
	struct element_status es;
	struct autoch_reservation_state st;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 3, 0));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(0, st.unit);
	switch (self->profile) {
	case EMUL_LIBRARY:
		/* RESERVE ELEMENT: B is kept off that element only */
		EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
		expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
		EXPECT_EQ(0, autoch_move(&self->b, self->other_full,
					 self->other_empty));
		EXPECT_EQ(0, autoch_undo(&self->b));
		/* reads of the element are allowed */
		no_cache(_metadata, self);
		EXPECT_EQ(0, autoch_status(self->b.fd, self->full, &es));
		break;
	case EMUL_SUPERLOADER:
		/* sharing.rst: a unit reservation underneath keeps B out */
		EXPECT_EQ(EBUSY, autoch_move(&self->b, self->other_full,
					     self->other_empty));
		expect_conflict(_metadata, self->b.fd, AUTOCH_OP_MOVE_MEDIUM);
		EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
		break;
	default:
		/* no reservations on the changer: B is not kept out */
		EXPECT_EQ(0, autoch_move(&self->b, self->other_full,
					 self->other_empty));
		EXPECT_EQ(0, autoch_undo(&self->b));
		break;
	}
	/* the holder moves it */
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 3, 0));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty));
}

/* The same when RESERVE ELEMENT (with its element list) meets 28/00. */
TEST_F(hosts, element_reservation_after_attention)
{
	struct autoch_reservation_state st;
	char state[256];

	AUTOCH_SETUP_DONE();
	if (self->profile != EMUL_LIBRARY)
		AUTOCH_SKIP(return, "%s has no element reservations",
		     emul_profile_name[self->profile]);
	ASSERT_EQ(0, emul_ctl("event", "door close"));	/* 28/00 for both */
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 3, 0));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(0, st.unit);
	emul_read_file(EMUL_DEBUGFS "/state", state, sizeof(state));
	/* the changer holds the element, not the unit */
	EXPECT_NE(NULL, strstr(state, "unit reserved by -1"))
		TH_LOG("%.*s", (int)strcspn(state, "\n"), state);
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty))
		TH_LOG("B kept off every element: the element list was lost in the retry and the driver fell back to a unit reservation");
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 3, 0));
}

/*
 * A reset reported on the RESERVE ELEMENT itself (29/00, injected on host
 * A's command): the driver empties its table and sends the RESERVE again.
 * The reservation it then keeps must still own its identification on the
 * changer: another file of A reserving and releasing must not release it,
 * so host B stays off the element.
 */
TEST_F(hosts, reset_during_reserve_element)
{
	struct autoch_reservation_state st;
	struct autoch_dev c;
	char rules[1024];
	int host;

	AUTOCH_SETUP_DONE();
	if (self->profile != EMUL_LIBRARY)
		AUTOCH_SKIP(return, "%s has no element reservations",
		     emul_profile_name[self->profile]);
	host = emul_host_index(autoch_path());
	ASSERT_LE(0, host) TH_LOG("host of %s unknown", autoch_path());
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=%x host=%d count=1 fault=sense key=6 asc=29 ascq=00",
			      AUTOCH_OP_RESERVE_ELEMENT_6, host));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 1, 0));
	/* the 29/00 was met, and the retry succeeded */
	emul_read_file(EMUL_DEBUGFS "/fault", rules, sizeof(rules));
	emul_ctl("fault", "clear");
	EXPECT_EQ(NULL, strstr(rules, "opcode=")) TH_LOG("fault not used: %s", rules);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);

	/* another file of host A reserves and releases another element */
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, self->other_full, 2, 0));
	ASSERT_EQ(0, resv(c.fd, SIOC_RELEASE, self->other_full, 2, 0));
	autoch_close(&c);

	/* A still holds its element, on the changer too */
	no_cache(_metadata, self);
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty))
		TH_LOG("host B moved an element host A holds: its identification was given to another reservation after the reset");
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 1, 0));
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty));
}

/* Wait up to @ms for a command of @opcode to reach the changer (counters). */
static bool wait_command(int opcode, int ms)
{
	double end = emul_now_ms() + ms;
	char buf[4096], *line;
	unsigned int op;
	long total;

	do {
		if (emul_read_file(EMUL_DEBUGFS "/counters", buf, sizeof(buf)) > 0)
			for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
				if (sscanf(line, "%x %ld", &op, &total) == 2 &&
				    (int)op == opcode && total > 0)
					return true;
		emul_sleep_ms(20);
	} while (emul_now_ms() < end);
	return false;
}

/*
 * A reset that comes after the changer carried out host A's RESERVE but
 * before its status arrived, and that another file of host A hears of
 * (29/00) meanwhile: the changer holds nothing although the RESERVE ends
 * in GOOD. The driver's reset sequence moved while the command was on
 * its way, so the reservation must be sent again before SIOC_RESERVE
 * succeeds; believing the GOOD would let host B in.
 * @element < 0: the unit.
 */
static void reserve_across_reset(struct __test_metadata *_metadata,
				 FIXTURE_DATA(hosts) *self, int element)
{
	struct autoch_events ev;
	struct autoch_dev c;
	int host, status;
	char rules[1024];
	pid_t pid;

	host = emul_host_index(autoch_path());
	ASSERT_LE(0, host) TH_LOG("host of %s unknown", autoch_path());
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_GET_EVENTS, &ev));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "ready_ms", 0));
	ASSERT_EQ(0, emul_ctl("counters", "0"));
	/* the changer acts on the RESERVE at once; its GOOD comes 3 s later */
	ASSERT_EQ(0, emul_ctl("fault", "opcode=%x host=%d count=1 fault=delay ms=3000",
			      AUTOCH_OP_RESERVE_ELEMENT_6, host));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(element < 0 ? resv(self->a.fd, SIOC_RESERVE, 0, 0, 1) :
				    resv(self->a.fd, SIOC_RESERVE, element, 1, 0));
	ASSERT_TRUE(wait_command(AUTOCH_OP_RESERVE_ELEMENT_6, 60000))
		TH_LOG("the RESERVE never reached the changer");
	/* counted just before it is executed, in the same queuecommand */
	emul_sleep_ms(100);
	if (element < 0)
		EXPECT_EQ(host, emul_unit_holder());
	/* power on: the changer forgets the reservation it just took */
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	if (element < 0)
		EXPECT_EQ(-1, emul_unit_holder());
	/* another file of host A meets the 29/00 while the RESERVE waits */
	consume_attentions(c.fd);
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
	ASSERT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("the RESERVE ended before the reset was heard of: no window");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	emul_read_file(EMUL_DEBUGFS "/fault", rules, sizeof(rules));
	emul_ctl("fault", "clear");
	EXPECT_EQ(NULL, strstr(rules, "opcode=")) TH_LOG("fault not used: %s", rules);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	/* SIOC_RESERVE said A holds it: so must the changer */
	no_cache(_metadata, self);
	if (element < 0)
		EXPECT_EQ(host, emul_unit_holder());
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty))
		TH_LOG("host B moved what host A reserved: the reset after the RESERVE went unnoticed");
	if (element < 0) {
		EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, 0, 0, 1));
	} else {
		/* only that element */
		EXPECT_EQ(0, autoch_move(&self->b, self->other_full,
					 self->other_empty));
		EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, element, 1, 0));
	}
	EXPECT_EQ(-1, emul_unit_holder());
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	autoch_close(&c);
}

TEST_F(hosts, reset_after_reserve_unit)
{
	AUTOCH_SETUP_DONE();
	if (self->profile == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no RESERVE (20/00): the table alone");
	reserve_across_reset(_metadata, self, -1);
}

TEST_F(hosts, reset_after_reserve_element)
{
	AUTOCH_SETUP_DONE();
	if (self->profile != EMUL_LIBRARY)
		AUTOCH_SKIP(return, "%s has no element reservations",
		     emul_profile_name[self->profile]);
	reserve_across_reset(_metadata, self, self->full);
}

/*
 * A file closed while the changer reports becoming ready (NOT READY 04/01,
 * here to host A's RELEASE and PREVENT ALLOW only): close returns at once;
 * a kernel worker releases the unit and allows removal once the changer
 * is ready. When it is not within ready_timeout the worker gives up and
 * keeps the RELEASE, and the next close sends it.
 */
/* a close that waits (the failure this looks for) must not time it out */
TEST_F_TIMEOUT(hosts, close_while_becoming_ready, 90)
{
	static const char not_ready[] = "fault=sense key=2 asc=04 ascq=01";
	__u32 prevent = 1;
	struct autoch_dev c;
	double t0, ms;
	int host;

	AUTOCH_SETUP_DONE();
	if (self->profile == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has neither RESERVE nor PREVENT (20/00)");
	host = emul_host_index(autoch_path());
	ASSERT_LE(0, host) TH_LOG("host of %s unknown", autoch_path());
	/*
	 * Long enough that a close that waits cannot pass for one that does
	 * not, and that the worker still waits when the changer is ready.
	 */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "ready_timeout", 5));

	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, 0, 0, 1));
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_PREVENT_ALLOW, &prevent));
	ASSERT_EQ(host, emul_unit_holder());
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 host=%d count=0 %s", host, not_ready));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1e host=%d count=0 %s", host, not_ready));
	t0 = emul_now_ms();
	autoch_close(&c);
	ms = emul_now_ms() - t0;
	EXPECT_GT(500, ms) TH_LOG("close took %.0f ms: it waited for the changer", ms);
	/* not ready yet: the changer still holds both */
	emul_sleep_ms(1000);
	EXPECT_EQ(host, emul_unit_holder());
	EXPECT_EQ(EBUSY, emul_ctl("event", "door open"));
	/* ready: the worker finishes (ALLOW first, then RELEASE) */
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	EXPECT_EQ(-1, emul_wait_unit_holder(-1, 5000))
		TH_LOG("the unit is still reserved 5 s after the changer became ready");
	EXPECT_EQ(0, emul_ctl("event", "door open"))
		TH_LOG("removal still prevented after the changer became ready");
	EXPECT_EQ(0, emul_ctl("event", "door close"));

	/* not ready for longer than ready_timeout: kept, sent at the next close */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "ready_timeout", 1));
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, 0, 0, 1));
	ASSERT_EQ(host, emul_unit_holder());
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 host=%d count=0 %s", host, not_ready));
	t0 = emul_now_ms();
	autoch_close(&c);
	ms = emul_now_ms() - t0;
	EXPECT_GT(500, ms) TH_LOG("close took %.0f ms: it waited for the changer", ms);
	/* two RELEASEs of ready_timeout each, then the worker gives up */
	emul_sleep_ms(4000);
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	emul_sleep_ms(1000);
	EXPECT_EQ(host, emul_unit_holder()) TH_LOG("nothing should have sent the RELEASE yet");
	ASSERT_EQ(0, autoch_open(&c));
	autoch_close(&c);
	EXPECT_EQ(-1, emul_wait_unit_holder(-1, 5000))
		TH_LOG("the kept RELEASE was not sent at the next close");
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
}

/*
 * A move another file of host A sent before the reservation was asked for
 * would still be carried out by the changer (one initiator for all of A):
 * while it is in flight, a reservation of an element it involves, or of
 * the unit, is EBUSY; other elements can be had.
 */
TEST_F(hosts, reserve_while_moving)
{
	struct move_medium_parms back = {
		.transport = self->a.ea.first_transport,
		.source = self->empty,
		.destination = self->full,
	};
	struct autoch_dev c;
	int status;
	pid_t pid;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, autoch_open(&c));
	/* long enough that the checks below end before the robot does */
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "move_ms", 8000));
	ASSERT_EQ(0, emul_ctl("counters", "0"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(autoch_move(&c, self->full, self->empty));
	/* the changer has the move: no sleep and hope */
	ASSERT_TRUE(wait_command(AUTOCH_OP_MOVE_MEDIUM, 60000))
		TH_LOG("the MOVE MEDIUM never reached the changer");
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RESERVE, self->full, 4, 0));
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RESERVE, self->empty, 4, 0));
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->other_full, 4, 0));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->other_full, 4, 0));
	/* and it was still in flight all that time */
	EXPECT_EQ(0, waitpid(pid, &status, WNOHANG))
		TH_LOG("the move ended before the checks did: they prove nothing");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* the move has ended: the element can be had */
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->empty, 4, 0));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->empty, 4, 0));
	autoch_close(&c);
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "move_ms", 0));
	EXPECT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MOVE_MEDIUM, &back));
}

/*
 * What A cached may predate B's last move; once A holds the element,
 * nobody else can change it, so A's next status comes from the changer.
 */
TEST_F(hosts, reserve_reads_afresh)
{
	struct element_status es;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 60000));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	ASSERT_EQ(1, (int)es.full);
	ASSERT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	/* within cache_ms, and no unit attention: A still sees it full */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full);
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 5, 0));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(0, (int)es.full);
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 5, 0));
}

TEST_F(hosts, close_releases)
{
	struct autoch_dev c;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, self->full, 1, 0));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, 0, 0, 1));
	if (self->profile != EMUL_TGT)
		EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	autoch_close(&c);		/* a crashed backup job on host A */
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty));
}

/* The reset clears what the changer and the driver held; ready at once. */
static void reset_now(struct __test_metadata *_metadata,
		      FIXTURE_DATA(hosts) *self)
{
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "ready_ms", 0));
	ASSERT_EQ(0, emul_ctl("event", "reset"));
}

static void expect_lost(struct __test_metadata *_metadata, int fd,
			int element)
{
	struct autoch_reservation_state st;

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.unit);
	EXPECT_EQ(1, st.unit_lost);
	EXPECT_EQ(0, st.num_elements);
	EXPECT_EQ(1, st.num_lost);
	EXPECT_EQ(element, st.lost[0]);
}

/* The holder's own command meets the 29/00 first. */
TEST_F(hosts, reset_met_by_holder)
{
	struct element_status es;
	struct autoch_dev c;

	AUTOCH_SETUP_DONE();
	no_cache(_metadata, self);
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 2, 0));
	reset_now(_metadata, self);

	/* the move is not executed: the caller learns first */
	EXPECT_EQ(ECONNRESET, autoch_move(&self->a, self->full, self->empty));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full);
	expect_lost(_metadata, self->a.fd, self->full);
	/* once */
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));
	/* a file that held nothing hears nothing */
	EXPECT_EQ(0, autoch_status(c.fd, self->full, &es));
	/* the changer holds nothing: B moves (after its own 29/00) */
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty));
	autoch_close(&c);
}

/* Another file's command meets the 29/00; the holder hears of it after. */
TEST_F(hosts, reset_met_by_other)
{
	struct autoch_reservation_state st;
	struct element_status es;
	struct autoch_dev c;
	struct autoch_events ev;

	AUTOCH_SETUP_DONE();
	no_cache(_metadata, self);
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 2, 0));
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_GET_EVENTS, &ev));
	reset_now(_metadata, self);

	EXPECT_EQ(0, autoch_status(c.fd, self->full, &es));
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
	/* AUTOCH_RESERVATIONS and status reads do not consume the notice */
	expect_lost(_metadata, self->a.fd, self->full);
	EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	/* the first call that changes something reports it, once */
	EXPECT_EQ(ECONNRESET, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	expect_lost(_metadata, self->a.fd, self->full);
	EXPECT_EQ(0, autoch_status(c.fd, self->full, &es));
	/* B was kept out by the unit reservation; now it is gone */
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
	/* reserving again forgets what was lost */
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->other_full, 1, 0));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.unit_lost);
	EXPECT_EQ(0, st.num_lost);
	EXPECT_EQ(1, st.num_elements);
	ASSERT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->other_full, 1, 0));
	autoch_close(&c);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
