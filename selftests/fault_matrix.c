// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: every fault the emulated changer injects, against
 * every ioctl that sends a command, and the errno each combination gives.
 *
 * For each cell the changer is reset (so no quirk the driver learnt from
 * the last fault survives: no VOLTAG, no DVCID, no RESERVE(6), no element
 * reservations), the reset's unit attention is consumed, the element map
 * is loaded (except for SIOC_ELEMENT_ADDRESSES, which must read it), the
 * fault is armed in /sys/kernel/debug/autoch_emul/fault for the opcode the
 * ioctl sends and for host A only, and the ioctl is called once. The
 * errno must be the one Documentation/autochanger-ioctl.rst gives:
 *
 *   fault                              errno
 *   timeout                            ETIMEDOUT
 *   busy, tsf, did=error, did=bus_busy 0: sent again (midlayer or driver)
 *   once; a 29/00 once; hostreset
 *   (the midlayer sends the command
 *   again after the host reset)
 *   busy forever                       EBUSY, when the runtime runs out
 *   conflict                           EBUSY
 *   sense 5/21/01, 5/24/00             EINVAL (24/00 on READ ELEMENT STATUS:
 *                                      read again without VOLTAG; with
 *                                      DVCID: EOPNOTSUPP; on RESERVE ELEMENT:
 *                                      a unit reservation underneath; on
 *                                      MODE SENSE page 1Dh: EIO)
 *   sense 5/20/00                      EOPNOTSUPP (RESERVE/RELEASE: the
 *                                      10-byte form; page 1Dh: EIO)
 *   sense 5/3B/0E, 5/3B/0D             ENOMEDIUM, EXFULL
 *   sense 5/53/02, 2/04/00             EBUSY
 *   sense 4/15/01, b/00/00, nosense    EIO
 *   6/29/00 more than 5 times          ECONNRESET
 *   short: half the buffer             0, but EIO for READ RESERVATION
 *                                      (12 of its 24 bytes arrive)
 *   short: 10 bytes, on a data-in      EIO (the reply does not describe
 *   command                            what was asked)
 *   did=error, did=bus_busy (always)   EIO
 *   did=no_connect                     ENXIO
 *   remove                             ENXIO; the node goes, event add
 *                                      brings it back
 *
 * A call that returns 0 did what it says, as far as the changer shows it
 * (reservations and keys held, media moved once); one that fails moved
 * nothing.
 *
 * A fault never gives a false success, and SIOC_XSENSE describes the
 * command that failed (status, host byte, sense, the errno returned).
 * Each cell is printed as a line "# matrix: PROFILE FAULT x IOCTL ->
 * ERRNO (expected ERRNO) TIME", for the issue notes.
 *
 * Outside the matrix: a 29/00 met by a file holding reservations
 * (ECONNRESET once, AUTOCH_RESERVATIONS says what went), reported by the
 * first call that changes something and neither reported nor consumed by
 * calls that only read or by unknown numbers (ENOTTY), whoever met it; a
 * host reset while holding the unit (the same, though the midlayer's
 * error handler takes the 29/07); a changer that refuses page 1Dh (EIO);
 * transport errors retried once; a unit attention met while the map is
 * read (read again), a failed page 1Fh (EIO, not "absent"), SIOC_XSENSE
 * after a recovered command and after a signal, RECOVERED ERROR
 * (success), deferred sense (the command sent again), READ KEYS on a host
 * with a small transfer limit.
 *
 * The full matrix runs on the library profile; the slow faults (timeout,
 * host reset, busy forever, remove) on a few ioctls elsewhere.
 * cmd_timeout, move_timeout and init_timeout are 2 s meanwhile, cache_ms
 * 0 so that status queries always send a command; all are restored.
 */
#include <signal.h>
#include <sys/time.h>

#include "emul_ctl.h"

#define KEY		0xfa17ULL
#define DID_NO_CONNECT	0x01
#define DID_BUS_BUSY	0x02
#define DID_TIME_OUT	0x03
#define DID_ERROR	0x07

enum op {
	OP_INIT,
	OP_ADDRESSES,
	OP_STATUS,
	OP_RANGE,
	OP_DRIVE_ID,
	OP_RESERVE_UNIT,
	OP_RESERVE_ELEM,
	OP_RELEASE_UNIT,
	OP_RELEASE_ELEM,
	OP_MOVE,
	OP_EXCHANGE,
	OP_PREVENT,
	OP_PR_REGISTER,
	OP_PR_RESERVE,
	OP_PR_RELEASE,
	OP_PR_PREEMPT,
	OP_PR_CLEAR,
	OP_PR_READ_KEYS,
	OP_PR_READ_RESV,
	OP_NR,
};

static const struct {
	const char *name;
	int opcode;
	bool data_in;
} ops[OP_NR] = {
	[OP_INIT] = { "SIOC_INIT_ELEM_STAT", 0x07 },
	[OP_ADDRESSES] = { "SIOC_ELEMENT_ADDRESSES", 0x1a, true },
	[OP_STATUS] = { "SIOC_ELEMENT_STATUS", 0xb8, true },
	[OP_RANGE] = { "AUTOCH_ELEMENT_STATUS_RANGE", 0xb8, true },
	[OP_DRIVE_ID] = { "AUTOCH_DRIVE_ID", 0xb8, true },
	[OP_RESERVE_UNIT] = { "SIOC_RESERVE(unit)", 0x16 },
	[OP_RESERVE_ELEM] = { "SIOC_RESERVE(element)", 0x16 },
	[OP_RELEASE_UNIT] = { "SIOC_RELEASE(unit)", 0x17 },
	[OP_RELEASE_ELEM] = { "SIOC_RELEASE(element)", 0x17 },
	[OP_MOVE] = { "SIOC_MOVE_MEDIUM", 0xa5 },
	[OP_EXCHANGE] = { "SIOC_EXCHANGE_MEDIUM", 0xa6 },
	[OP_PREVENT] = { "AUTOCH_PREVENT_ALLOW", 0x1e },
	[OP_PR_REGISTER] = { "IOC_PR_REGISTER", 0x5f },
	[OP_PR_RESERVE] = { "IOC_PR_RESERVE", 0x5f },
	[OP_PR_RELEASE] = { "IOC_PR_RELEASE", 0x5f },
	[OP_PR_PREEMPT] = { "IOC_PR_PREEMPT", 0x5f },
	[OP_PR_CLEAR] = { "IOC_PR_CLEAR", 0x5f },
	[OP_PR_READ_KEYS] = { "IOC_PR_READ_KEYS", 0x5e, true },
	[OP_PR_READ_RESV] = { "IOC_PR_READ_RESERVATION", 0x5e, true },
};

#define ALL_OPS		((1u << OP_NR) - 1)
#define B(op)		(1u << (op))

enum kind {
	K_NONE,
	K_TIMEOUT,
	K_HOSTRESET,
	K_STATUS,	/* busy, tsf, conflict: a status byte */
	K_SENSE,
	K_NOSENSE,
	K_SHORT,
	K_DID,
	K_REMOVE,
};

/* The changer as the cells use it: host A's file and three slots. */
struct mx {
	struct autoch_dev a;
	struct emul_params params;
	enum emul_profile profile;
	int host;			/* the emulation's index of host A */
	int full, empty, other_full;	/* storage elements */
	int baseline[OP_NR];		/* each call without a fault */
};

FIXTURE(matrix) {
	struct mx m;
};

FIXTURE_VARIANT(matrix) {
	const char *name;
	enum kind kind;
	const char *rule;	/* fault= and its arguments */
	int count;		/* 1: once; 0: every command */
	int err;		/* the errno when the fault is not recovered */
	int status, host;	/* SIOC_XSENSE: status and host byte */
	int key, asc, ascq;	/* and sense, -1: not checked */
	unsigned int lib_ops;	/* the ioctls tried on the library */
	unsigned int other_ops;	/* and on the other profiles */
};

static void matrix_line(const char *fmt, ...)
{
	va_list ap;

	printf("# matrix: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	/* the harness ends its test processes with _exit() */
	fflush(stdout);
}

static int resv(int fd, unsigned long req, int element, int all)
{
	struct reservation_parms rp = {
		.element = element,
		.identification = all ? 0 : 1,
		.all_elements = all,
	};

	return autoch_ioctl(fd, req, &rp);
}

static int pr_out(int fd, enum op op)
{
	struct pr_registration reg = { .new_key = KEY, .flags = PR_FL_IGNORE_KEY };
	struct pr_reservation rsv = { .key = KEY, .type = PR_WRITE_EXCLUSIVE };
	struct pr_preempt pre = { .old_key = KEY, .new_key = KEY,
				  .type = PR_WRITE_EXCLUSIVE };
	struct pr_clear clr = { .key = KEY };

	switch (op) {
	case OP_PR_REGISTER:
		return autoch_ioctl(fd, IOC_PR_REGISTER, &reg);
	case OP_PR_RESERVE:
		return autoch_ioctl(fd, IOC_PR_RESERVE, &rsv);
	case OP_PR_RELEASE:
		return autoch_ioctl(fd, IOC_PR_RELEASE, &rsv);
	case OP_PR_PREEMPT:
		return autoch_ioctl(fd, IOC_PR_PREEMPT, &pre);
	case OP_PR_CLEAR:
		return autoch_ioctl(fd, IOC_PR_CLEAR, &clr);
	default:
		return EINVAL;
	}
}

/* The call of the cell: one ioctl. Moves that happened are recorded. */
static int call(struct mx *self, enum op op)
{
	struct element_status es, range[2];
	struct autoch_status_range sr = {
		.first = self->full, .count = 2, .statuses = (unsigned long)range,
	};
	struct exchange_medium_parms xp = {
		.transport = self->a.ea.first_transport,
		.source = self->full,
		.first_destination = self->other_full,
		.second_destination = self->full,
	};
	struct autoch_drive_id id = { .element = self->a.ea.first_data_transfer };
	struct element_addresses ea;
	struct pr_read_reservation rr;
	__u64 keys[8];
	struct pr_read_keys rk = { .num_keys = 8, .keys_ptr = (unsigned long)keys };
	__u32 allow = 0;
	int fd = self->a.fd;

	switch (op) {
	case OP_INIT:
		return autoch_ioctl(fd, SIOC_INIT_ELEM_STAT, NULL);
	case OP_ADDRESSES:
		return autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea);
	case OP_STATUS:
		return autoch_status(fd, self->full, &es);
	case OP_RANGE:
		return autoch_ioctl(fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr);
	case OP_DRIVE_ID:
		return autoch_ioctl(fd, AUTOCH_DRIVE_ID, &id);
	case OP_RESERVE_UNIT:
		return resv(fd, SIOC_RESERVE, 0, 1);
	case OP_RESERVE_ELEM:
		return resv(fd, SIOC_RESERVE, self->full, 0);
	case OP_RELEASE_UNIT:
		return resv(fd, SIOC_RELEASE, 0, 1);
	case OP_RELEASE_ELEM:
		return resv(fd, SIOC_RELEASE, self->full, 0);
	case OP_MOVE:
		return autoch_move(&self->a, self->full, self->empty);
	case OP_EXCHANGE:
		return autoch_try_exchange(&self->a, &xp);
	case OP_PREVENT:
		return autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &allow);
	case OP_PR_READ_KEYS:
		memset(keys, 0, sizeof(keys));
		return autoch_ioctl(fd, IOC_PR_READ_KEYS, &rk);
	case OP_PR_READ_RESV:
		return autoch_ioctl(fd, IOC_PR_READ_RESERVATION, &rr);
	default:
		return pr_out(fd, op);
	}
}

/* What the call needs in place: a reservation to release, a key. */
static void setup_op(struct mx *self, enum op op)
{
	switch (op) {
	case OP_RELEASE_UNIT:
		resv(self->a.fd, SIOC_RESERVE, 0, 1);
		break;
	case OP_RELEASE_ELEM:
		resv(self->a.fd, SIOC_RESERVE, self->full, 0);
		break;
	case OP_PR_RESERVE:
	case OP_PR_CLEAR:
	case OP_PR_READ_KEYS:
		pr_out(self->a.fd, OP_PR_REGISTER);
		break;
	case OP_PR_RELEASE:
	case OP_PR_PREEMPT:
	case OP_PR_READ_RESV:
		pr_out(self->a.fd, OP_PR_REGISTER);
		pr_out(self->a.fd, OP_PR_RESERVE);
		break;
	default:
		break;
	}
}

/*
 * Before each cell: a reset, whose 29/00 an inventory consumes (it sends
 * INITIALIZE ELEMENT STATUS and needs no map), then the map.
 */
static void prologue(struct __test_metadata *_metadata,
		     struct mx *self, enum op op)
{
	struct element_addresses ea;
	int ret;

	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	ret = autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL);
	if (ret == ECONNRESET)		/* something was still reserved */
		ret = autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL);
	ASSERT_EQ(0, ret);
	if (op != OP_ADDRESSES)
		ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_ELEMENT_ADDRESSES, &ea));
	setup_op(self, op);
}

/*
 * After each cell: nothing armed, held, registered or moved. The key
 * goes first: while any key is registered, a RELEASE from an initiator
 * that does not hold the persistent reservation is a RESERVATION
 * CONFLICT (SPC-2 5.5.1, kept by SPC-4 5.13.3's compatible reservation
 * handling), so the RELEASEs could not drop what a cell left reserved.
 */
static void epilogue(struct __test_metadata *_metadata,
		     struct mx *self)
{
	EXPECT_EQ(0, emul_ctl("fault", "clear"));
	if (pr_out(self->a.fd, OP_PR_REGISTER) == 0)
		pr_out(self->a.fd, OP_PR_CLEAR);
	resv(self->a.fd, SIOC_RELEASE, self->full, 0);
	resv(self->a.fd, SIOC_RELEASE, 0, 1);
	EXPECT_EQ(0, autoch_undo(&self->a)) TH_LOG("could not put the media back");
}

/* Reopen /dev/autoch0 after the LU came back (fault remove). */
static void readd(struct __test_metadata *_metadata,
		  struct mx *self)
{
	int i, ret = -1;

	/* every reference goes, so the node comes back under its name */
	autoch_close(&self->a);
	ASSERT_TRUE(emul_wait_node(autoch_path(), false, 10000))
		TH_LOG("%s still there after the removal", autoch_path());
	ASSERT_EQ(0, emul_ctl("event", "add"));
	ASSERT_TRUE(emul_wait_node(autoch_path(), true, 10000))
		TH_LOG("%s not back after event add", autoch_path());
	for (i = 0; i < 50 && ret; i++) {
		ret = autoch_open(&self->a);
		if (ret) {
			autoch_close(&self->a);
			emul_sleep_ms(100);
		}
	}
	ASSERT_EQ(0, ret) TH_LOG("reopen: %s", strerror(ret));
}

/* Is the rule for @opcode used up (count 1) or hit (count 0)? */
static bool fault_hit(int count)
{
	char buf[2048], *h;

	if (emul_read_file(EMUL_DEBUGFS "/fault", buf, sizeof(buf)) < 0)
		return false;
	if (count)
		return !strstr(buf, "fault=");
	h = strstr(buf, "hits=");
	return h && strtol(h + 5, NULL, 10) > 0;
}

/*
 * The cells whose ioctl sends nothing on that profile, so that no fault
 * can fire: the driver answers from what it learnt at probe. Every other
 * cell must see its fault fire (the rule used up, or hit when it fails
 * every command).
 *   superloader  SIOC_EXCHANGE_MEDIUM: page 1Fh says no exchange (EOPNOTSUPP);
 *                AUTOCH_DRIVE_ID: the prologue's reset made the drives'
 *                identifiers stale, and its SIOC_ELEMENT_ADDRESSES, which
 *                loads the map, read them again at its end
 *                (driver/autoch_drives.c): the changer refused DVCID
 *                there (24/00), which the driver keeps until a reset
 *   tgt          SIOC_RELEASE (unit and element): tgt refused the RESERVE
 *                before it (20/00), so the driver holds the reservation
 *                among its own files and releases it there
 */
static bool sends_nothing(enum emul_profile profile, enum op op)
{
	switch (profile) {
	case EMUL_SUPERLOADER:
		return op == OP_EXCHANGE || op == OP_DRIVE_ID;
	case EMUL_TGT:
		return op == OP_RELEASE_UNIT || op == OP_RELEASE_ELEM;
	default:
		return false;
	}
}

/*
 * Without a fault (README of the emulation): the SuperLoader has no
 * EXCHANGE MEDIUM and refuses DVCID; tgt has no EXCHANGE MEDIUM, PREVENT
 * ALLOW MEDIUM REMOVAL or persistent reservations (20/00), and no
 * RESERVE either, which the driver's table stands in for.
 */
static int profile_baseline(enum emul_profile profile, enum op op)
{
	switch (profile) {
	case EMUL_SUPERLOADER:
		return op == OP_EXCHANGE || op == OP_DRIVE_ID ? EOPNOTSUPP : 0;
	case EMUL_TGT:
		return op == OP_EXCHANGE || op == OP_PREVENT ||
		       op >= OP_PR_REGISTER ? EOPNOTSUPP : 0;
	default:
		return 0;
	}
}

/* The errno the documentation gives for the cell. */
static int expected(const FIXTURE_VARIANT(matrix) *v, enum op op,
		    int baseline)
{
	switch (v->kind) {
	case K_NONE:
		return baseline;
	case K_HOSTRESET:
		/* the midlayer sends the command again after the host reset */
		return baseline;
	case K_SHORT:
		/* a command that fails anyway transfers nothing to cut */
		if (baseline || !ops[op].data_in)
			return baseline;
		/*
		 * Half the buffer holds what was asked, except READ
		 * RESERVATION's: 24 bytes, of which 12 arrive.
		 */
		if (v->err || op == OP_PR_READ_RESV)
			return EIO;
		return baseline;
	case K_SENSE:
		/* a changer that refuses page 1Dh fails the call: EIO */
		if (op == OP_ADDRESSES && v->key == 0x5 && v->err == EINVAL)
			return EIO;
		if (op == OP_ADDRESSES && v->key == 0x5 && v->asc == 0x20)
			return EIO;
		if (v->key == 0x5 && v->asc == 0x24) {
			/* VOLTAG refused: read again without */
			if (op == OP_STATUS || op == OP_RANGE)
				return baseline;
			/* DVCID refused */
			if (op == OP_DRIVE_ID)
				return EOPNOTSUPP;
			/* the Element bit refused: a unit reservation */
			if (op == OP_RESERVE_ELEM)
				return baseline;
		}
		/* RESERVE/RELEASE (6) unknown: the 10-byte form */
		if (v->key == 0x5 && v->asc == 0x20 &&
		    op >= OP_RESERVE_UNIT && op <= OP_RELEASE_ELEM)
			return baseline;
		break;
	default:
		break;
	}
	return v->err ? v->err : baseline;
}

/* What the driver does wrong, for the cells known to fail. */
static const char *diagnosis(const FIXTURE_VARIANT(matrix) *v, enum op op)
{
	if (v->kind == K_SENSE && v->key == 0x5 && v->asc == 0x21 &&
	    op == OP_RESERVE_ELEM)
		return "driver bug: any EINVAL of RESERVE ELEMENT (here 21/01) is taken for 'no element reservations': a unit reservation instead of EINVAL";
	if (v->kind == K_SENSE && v->key == 0x6 && !v->err &&
	    (op == OP_RESERVE_ELEM || op >= OP_PR_REGISTER))
		return "driver bug: sent again after the unit attention with a zeroed parameter list (the midlayer zeroes a buffer reported as residual)";
	if (v->kind == K_SHORT && op >= OP_PR_READ_KEYS)
		return "driver bug: PERSISTENT RESERVE IN parsed beyond the bytes received";
	return "unexpected";
}

static void check_xsense(struct __test_metadata *_metadata,
			 const FIXTURE_VARIANT(matrix) *v, int fd, enum op op,
			 int ret)
{
	struct emul_xsense x;

	ASSERT_TRUE(emul_xsense(fd, &x));
	EXPECT_EQ(1, x.valid) TH_LOG("%s", ops[op].name);
	EXPECT_EQ(ret, x.error) TH_LOG("%s", ops[op].name);
	EXPECT_EQ(ops[op].opcode, x.opcode) TH_LOG("%s", ops[op].name);
	if (v->status >= 0)
		EXPECT_EQ(v->status, x.status) TH_LOG("%s", ops[op].name);
	if (v->host >= 0)
		EXPECT_EQ(v->host, x.host) TH_LOG("%s", ops[op].name);
	if (v->key >= 0) {
		EXPECT_EQ(v->key, x.key) TH_LOG("%s", ops[op].name);
		EXPECT_EQ(v->asc, x.asc) TH_LOG("%s", ops[op].name);
		EXPECT_EQ(v->ascq, x.ascq) TH_LOG("%s", ops[op].name);
	}
}

static void mx_setup(struct __test_metadata *_metadata, struct mx *self,
		     bool baseline)
{
	enum op op;

	self->a.fd = -1;
	ASSERT_EQ(0, autoch_open(&self->a));
	self->profile = emul_profile(self->a.fd);
	self->host = emul_host_index(autoch_path());
	/* another initiator may have moved media: read them afresh */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	autoch_find_four(&self->a, &self->full, &self->empty,
			 &self->other_full, NULL);
	ASSERT_LE(0, self->full);
	ASSERT_LE(0, self->empty);
	ASSERT_LE(0, self->other_full);
	ASSERT_TRUE(autoch_in_type(&self->a.ea, AUTOCH_STORAGE, self->full + 1));
	ASSERT_LE(0, self->host) TH_LOG("which emulated host is %s?", autoch_path());

	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cmd_timeout", 2));
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "move_timeout", 2));
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "init_timeout", 2));
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "ready_ms", 0));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "latency_ms", 0));
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "move_ms", 0));

	/* what each call gives without a fault, on this profile */
	for (op = 0; baseline && op < OP_NR; op++) {
		prologue(_metadata, self, op);
		self->baseline[op] = call(self, op);
		epilogue(_metadata, self);
	}
}

static void mx_teardown(struct __test_metadata *_metadata, struct mx *self)
{
	EXPECT_EQ(0, emul_ctl("fault", "clear"));
	EXPECT_EQ(0, emul_params_restore(&self->params));
	if (access(autoch_path(), F_OK)) {
		/* a remove cell stopped half way */
		emul_ctl("event", "add");
		emul_wait_node(autoch_path(), true, 10000);
	}
	if (self->a.fd >= 0) {
		/* leave the changer reset, with nothing held */
		emul_ctl("event", "reset");
		autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL);
		epilogue(_metadata, self);
	}
	autoch_close(&self->a);
}

FIXTURE_SETUP(matrix)
{
	mx_setup(_metadata, &self->m, true);
}

FIXTURE_TEARDOWN(matrix)
{
	mx_teardown(_metadata, &self->m);
	autoch_teardown_done(_metadata);
}

/*
 * What the changer holds for the RESERVE commands: the unit reservation's
 * initiator (-1: none) and the one holding element @element (-1: none),
 * from the "# ..." lines of the emulation's state file.
 */
static int emul_reserved(int element, int *unit, int *holder)
{
	static char buf[1 << 20];
	char want[32], *p;

	*unit = *holder = -1;
	if (emul_read_file(EMUL_DEBUGFS "/state", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "unit reserved by ");
	if (!p)
		return -1;
	*unit = strtol(p + strlen("unit reserved by "), NULL, 10);
	snprintf(want, sizeof(want), "\n# %d reserved by ", element);
	p = strstr(buf, want);
	if (p)
		*holder = strtol(p + strlen(want), NULL, 10);
	return 0;
}

/*
 * A call that returned 0 did what it says (checked where the changer
 * shows it); NULL, or what is wrong. @unit_ok: the changer refused the
 * Element bit, so an element is held by a unit reservation.
 */
static const char *effect(struct mx *self, enum op op, bool unit_ok)
{
	struct pr_read_reservation rr;
	struct autoch_reservation_state st;
	struct pr_read_keys rk;
	__u64 keys[8];
	int unit, holder;
	bool dev_resv = self->profile != EMUL_TGT;

	memset(keys, 0, sizeof(keys));
	memset(&rk, 0, sizeof(rk));
	rk.num_keys = 8;
	rk.keys_ptr = (unsigned long)keys;
	switch (op) {
	case OP_RESERVE_UNIT:
	case OP_RESERVE_ELEM:
		if (autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st) ||
		    emul_reserved(self->full, &unit, &holder))
			return "cannot read the reservations";
		if (op == OP_RESERVE_UNIT && !st.unit)
			return "the driver does not hold the unit";
		if (op == OP_RESERVE_ELEM &&
		    (st.num_elements != 1 || st.elements[0] != self->full))
			return "the driver does not hold the element";
		if (!dev_resv)
			return NULL;
		if (op == OP_RESERVE_UNIT || self->profile == EMUL_SUPERLOADER ||
		    unit_ok)
			return unit == self->host ? NULL :
			       "the changer holds no unit reservation for us";
		if (unit >= 0)
			return "a unit reservation on the changer instead of the element";
		return holder == self->host ? NULL :
		       "the changer holds no element reservation for us";
	case OP_RELEASE_UNIT:
	case OP_RELEASE_ELEM:
		if (emul_reserved(self->full, &unit, &holder))
			return "cannot read the reservations";
		return unit < 0 && holder < 0 ? NULL :
		       "the changer still holds a reservation";
	case OP_PR_REGISTER:
	case OP_PR_CLEAR:
		if (autoch_ioctl(self->a.fd, IOC_PR_READ_KEYS, &rk))
			return "cannot read the keys";
		if (op == OP_PR_CLEAR)
			return rk.num_keys ? "a key is still registered" : NULL;
		return rk.num_keys == 1 && keys[0] == KEY ? NULL :
		       "the key is not registered";
	case OP_PR_RESERVE:
	case OP_PR_RELEASE:
	case OP_PR_PREEMPT:
		if (autoch_ioctl(self->a.fd, IOC_PR_READ_RESERVATION, &rr))
			return "cannot read the reservation";
		if (op == OP_PR_RELEASE)
			return rr.key ? "still reserved" : NULL;
		return rr.key == KEY && rr.type == PR_WRITE_EXCLUSIVE ? NULL :
		       "not reserved with the key";
	default:
		return NULL;
	}
}

/* Where the medium of a move is: S full and T empty, or the other way. */
static int moved(struct mx *self)
{
	struct element_status s, t;

	if (autoch_status(self->a.fd, self->full, &s) ||
	    autoch_status(self->a.fd, self->empty, &t))
		return -1;
	if (s.full && !t.full)
		return 0;
	if (!s.full && t.full)
		return 1;
	return -1;
}

TEST_F_TIMEOUT(matrix, ioctls, 150)
{
	struct mx *m = &self->m;
	const char *profile = emul_profile_name[m->profile];
	unsigned int mask = m->profile == EMUL_LIBRARY ? variant->lib_ops :
							    variant->other_ops;
	double t0, total = emul_now_ms();
	int ret, exp, n = 0;
	const char *why;
	bool hit, silent;
	enum op op;

	if (!mask)
		AUTOCH_SKIP(return, "%s: the %s fault runs on the library profile only",
		     profile, variant->name);
	for (op = 0; op < OP_NR; op++) {
		if (!(mask & (1u << op)))
			continue;
		n++;
		if (variant->kind == K_NONE) {
			exp = profile_baseline(m->profile, op);
			matrix_line("%s none x %s -> %s (expected %s)", profile,
				    ops[op].name, emul_errname(m->baseline[op]),
				    emul_errname(exp));
			EXPECT_EQ(exp, m->baseline[op]) TH_LOG("%s", ops[op].name);
			continue;
		}
		prologue(_metadata, m, op);
		ASSERT_EQ(0, emul_ctl("fault", "opcode=%02x host=%d count=%d %s",
				      ops[op].opcode, m->host, variant->count,
				      variant->rule));
		t0 = emul_now_ms();
		ret = call(m, op);
		t0 = emul_now_ms() - t0;
		hit = fault_hit(variant->count);
		ASSERT_EQ(0, emul_ctl("fault", "clear"));

		/* the fault fired, unless the ioctl sends nothing here */
		silent = sends_nothing(m->profile, op);
		EXPECT_EQ(!silent, hit)
			TH_LOG("%s x %s: the fault %s", variant->name, ops[op].name,
			       hit ? "fired, yet the ioctl was to send nothing" :
				     "never fired: the command was not sent");
		exp = silent ? m->baseline[op] :
			       expected(variant, op, m->baseline[op]);
		why = NULL;
		if (!ret && m->baseline[op] == 0 && variant->kind != K_REMOVE)
			why = effect(m, op, variant->kind == K_SENSE &&
					    variant->asc == 0x24);
		matrix_line("%s %s x %s -> %s (expected %s%s) %.0f ms%s%s", profile,
			    variant->name, ops[op].name, emul_errname(ret),
			    emul_errname(exp), hit ? "" : ", not sent", t0,
			    why ? " BUT " : "", why ? why : "");
		EXPECT_EQ(exp, ret) TH_LOG("%s x %s: %s, expected %s",
					   variant->name, ops[op].name,
					   emul_errname(ret), emul_errname(exp));
		if (hit && variant->err && exp)
			EXPECT_NE(0, ret) TH_LOG("false success: %s x %s",
						 variant->name, ops[op].name);
		EXPECT_EQ(NULL, why) TH_LOG("%s x %s returned 0, but %s",
					    variant->name, ops[op].name, why);
		if (ret != exp || why)
			TH_LOG("%s", diagnosis(variant, op));

		if (variant->kind == K_REMOVE) {
			if (hit)
				readd(_metadata, m);
		} else if (hit && ret && exp == ret && exp != m->baseline[op] &&
			   variant->kind != K_SHORT) {
			check_xsense(_metadata, variant, m->a.fd, op, ret);
		}
		/* all or nothing: a failed move moved nothing */
		if (op == OP_MOVE) {
			int where = moved(m);

			EXPECT_EQ(ret ? 0 : 1, where) TH_LOG("%s x MOVE returned %s",
							 variant->name,
							 emul_errname(ret));
		}
		epilogue(_metadata, m);
	}
	TH_LOG("%s: %d ioctls in %.1f s", variant->name, n,
	       (emul_now_ms() - total) / 1000);
}

/* Single cases, outside the matrix. */
FIXTURE(once) {
	struct mx m;
};

FIXTURE_SETUP(once)
{
	mx_setup(_metadata, &self->m, false);
}

FIXTURE_TEARDOWN(once)
{
	mx_teardown(_metadata, &self->m);
	autoch_teardown_done(_metadata);
}

/* A 29/00 met by a file that holds a reservation: ECONNRESET, once. */
TEST_F(once, reset_while_holding)
{
	struct mx *m = &self->m;
	struct autoch_reservation_state st;
	int held = m->other_full;

	prologue(_metadata, m, OP_MOVE);
	ASSERT_EQ(0, resv(m->a.fd, SIOC_RESERVE, held, 0));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=a5 host=%d count=1 fault=sense key=6 asc=29 ascq=00",
			      m->host));
	EXPECT_EQ(ECONNRESET, autoch_move(&m->a, m->full, m->empty));
	EXPECT_EQ(0, moved(m));
	autoch_expect_sense(_metadata, m->a.fd, ECONNRESET, 0xa5, 0x6, 0x29, 0x00);
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.num_elements);
	EXPECT_EQ(1, st.num_lost);
	EXPECT_EQ(held, st.lost[0]);
	/* once */
	EXPECT_EQ(0, autoch_move(&m->a, m->full, m->empty));
	EXPECT_EQ(1, moved(m));
	epilogue(_metadata, m);
}

/*
 * A host reset ends this initiator's RESERVE reservations (SPC-2 5.5.1:
 * I_T nexus loss, 29/07): the holder must hear ECONNRESET, as after any
 * reset, and AUTOCH_RESERVATIONS must say the unit was lost.
 */
TEST_F(once, hostreset_while_holding)
{
	struct mx *m = &self->m;
	struct autoch_reservation_state st;
	struct autoch_events ev;
	struct element_status es;
	int unit, holder, ret, ret2;

	if (m->profile == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt: no reservations on the changer, a host reset loses nothing");
	prologue(_metadata, m, OP_STATUS);
	ASSERT_EQ(0, resv(m->a.fd, SIOC_RESERVE, 0, 1));
	ASSERT_EQ(0, emul_reserved(m->full, &unit, &holder));
	ASSERT_EQ(m->host, unit);
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_GET_EVENTS, &ev));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=b8 host=%d count=1 fault=hostreset",
			      m->host));
	ret = autoch_status(m->a.fd, m->full, &es);
	ret2 = autoch_status(m->a.fd, m->full, &es);
	ASSERT_EQ(0, emul_reserved(m->full, &unit, &holder));
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_RESERVATIONS, &st));
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_GET_EVENTS, &ev));
	matrix_line("%s hostreset, holding the unit x SIOC_ELEMENT_STATUS -> %s, next call %s; changer's unit reservation %d, driver's %d (lost %d), events %#x",
		    emul_profile_name[m->profile], emul_errname(ret),
		    emul_errname(ret2), unit, st.unit, st.unit_lost, ev.events);
	/* the emulation dropped it, as SPC-2 says */
	EXPECT_EQ(-1, unit);
	/*
	 * Status reads neither report the reset nor consume the notice:
	 * the first call that changes something gets ECONNRESET, once.
	 */
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0, ret2);
	EXPECT_EQ(ECONNRESET, autoch_ioctl(m->a.fd, SIOC_INIT_ELEM_STAT, NULL))
		TH_LOG("the holder was not told that its reservation went");
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, SIOC_INIT_ELEM_STAT, NULL))
		TH_LOG("ECONNRESET more than once");
	EXPECT_EQ(0, st.unit) TH_LOG("the driver still thinks it holds the unit");
	EXPECT_EQ(1, st.unit_lost);
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
	epilogue(_metadata, m);
}

/* a number no autoch ioctl uses */
#define UNKNOWN_IOCTL	_IO('S', 199)

/*
 * Another file of the holder's host meets the 29/00. The holder's calls
 * that only read, and an unknown number, neither report nor consume the
 * notice; its first call that changes something gets ECONNRESET, once.
 */
TEST_F(once, reset_reported_by_changes)
{
	struct mx *m = &self->m;
	struct autoch_reservation_state st;
	struct autoch_capabilities caps;
	struct element_addresses ea;
	union inquiry_data inq;
	struct autoch_inquiry ainq;
	struct element_status es;
	struct autoch_events ev;
	struct autoch_dev c;
	int changed;

	prologue(_metadata, m, OP_MOVE);
	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(m->a.fd, SIOC_RESERVE, m->other_full, 0));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=b8 host=%d count=1 fault=sense key=6 asc=29 ascq=00",
			      m->host));
	EXPECT_EQ(0, autoch_status(c.fd, m->full, &es));
	EXPECT_TRUE(fault_hit(1));

	EXPECT_EQ(ENOTTY, autoch_ioctl(m->a.fd, UNKNOWN_IOCTL, NULL));
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, SIOC_INQUIRY, &inq));
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_INQUIRY, &ainq));
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, SIOC_ELEMENT_ADDRESSES, &ea));
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_CAPABILITIES, &caps));
	EXPECT_EQ(0, autoch_status(m->a.fd, m->full, &es));
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, SIOC_MEDIUM_CHANGED, &changed));
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.num_elements);
	EXPECT_EQ(1, st.num_lost);

	/* the move is not sent: the caller learns first */
	EXPECT_EQ(ECONNRESET, autoch_move(&m->a, m->full, m->empty));
	EXPECT_EQ(0, moved(m));
	/* once */
	EXPECT_EQ(0, autoch_move(&m->a, m->full, m->empty));
	EXPECT_EQ(1, moved(m));
	/* a file that held nothing hears nothing */
	EXPECT_EQ(0, autoch_ioctl(c.fd, SIOC_INIT_ELEM_STAT, NULL));
	autoch_close(&c);
	epilogue(_metadata, m);
}

/*
 * The holder's own status read meets the 29/00: the read succeeds and
 * keeps the notice for the next call that changes something.
 */
TEST_F(once, reset_met_by_read)
{
	struct mx *m = &self->m;
	struct element_status es;

	prologue(_metadata, m, OP_STATUS);
	ASSERT_EQ(0, resv(m->a.fd, SIOC_RESERVE, m->other_full, 0));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=b8 host=%d count=1 fault=sense key=6 asc=29 ascq=00",
			      m->host));
	EXPECT_EQ(0, autoch_status(m->a.fd, m->full, &es))
		TH_LOG("a status read reported the reset");
	EXPECT_TRUE(fault_hit(1));
	EXPECT_EQ(1, (int)es.full);
	EXPECT_EQ(ECONNRESET, resv(m->a.fd, SIOC_RESERVE, m->other_full, 0))
		TH_LOG("the notice was consumed by the read");
	EXPECT_EQ(0, resv(m->a.fd, SIOC_RESERVE, m->other_full, 0));
	epilogue(_metadata, m);
}

/*
 * A changer that refuses MODE SENSE page 1Dh (ILLEGAL REQUEST 24/00):
 * nothing is wrong with the caller's request, the changer failed it: EIO,
 * with the sense in SIOC_XSENSE; the map is read again on the next call.
 */
TEST_F(once, map_refused)
{
	struct mx *m = &self->m;
	struct element_addresses ea;

	/* after the prologue's reset the map is not loaded */
	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d count=1 fault=sense key=5 asc=24 ascq=00",
			      m->host));
	EXPECT_EQ(EIO, autoch_ioctl(m->a.fd, SIOC_ELEMENT_ADDRESSES, &ea));
	EXPECT_TRUE(fault_hit(1));
	autoch_expect_sense(_metadata, m->a.fd, EIO, 0x1a, 0x5, 0x24, 0x00);
	EXPECT_EQ(0, autoch_ioctl(m->a.fd, SIOC_ELEMENT_ADDRESSES, &ea));
	EXPECT_EQ(m->a.ea.first_storage, ea.first_storage);
	epilogue(_metadata, m);
}

/* A DID_ERROR or a BUS BUSY once: the midlayer sends the command again. */
TEST_F(once, transport_retried)
{
	static const char *const rules[] = {
		"fault=did did=error", "fault=did did=bus_busy",
		"fault=did did=soft_error", "fault=did did=imm_retry",
		"fault=did did=requeue",
	};
	struct mx *m = &self->m;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		prologue(_metadata, m, OP_STATUS);
		ASSERT_EQ(0, emul_ctl("fault", "opcode=b8 host=%d count=1 %s",
				      m->host, rules[i]));
		ret = call(m, OP_STATUS);
		matrix_line("%s %s(once) x %s -> %s",
			    emul_profile_name[m->profile],
			    rules[i] + strlen("fault=did "),
			    ops[OP_STATUS].name, emul_errname(ret));
		EXPECT_EQ(0, ret) TH_LOG("%s", rules[i]);
		EXPECT_TRUE(fault_hit(1));
		epilogue(_metadata, m);
	}
}

#define OP_MODE_SENSE		0x1a
#define OP_INIT_ELEMENT_STATUS	0x07

/*
 * A unit attention that may change the element map (2A/01) met while the
 * map is read (on the second MODE SENSE, page 1Fh): what was read before
 * it may predate the change, so the whole map is read again (1Dh, 1Fh
 * twice, 1Eh, then 1Dh, 1Fh, 1Eh: seven MODE SENSEs, not four).
 */
TEST_F(once, map_read_across_attention)
{
	struct mx *m = &self->m;
	struct element_addresses ea;
	long before, sent;

	prologue(_metadata, m, OP_ADDRESSES);
	before = emul_counter(OP_MODE_SENSE, m->host);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d skip=1 count=1 fault=sense key=6 asc=2a ascq=01",
			      m->host));
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, SIOC_ELEMENT_ADDRESSES, &ea));
	EXPECT_TRUE(fault_hit(1));
	EXPECT_EQ(0, memcmp(&ea, &m->a.ea, sizeof(ea)));
	sent = emul_counter(OP_MODE_SENSE, m->host) - before;
	EXPECT_LE(7, sent)
		TH_LOG("%ld MODE SENSEs: the map read before 2A/01 was installed", sent);
	epilogue(_metadata, m);
}

/*
 * Pages 1Eh and 1Fh are absent only when the changer says so (20/00,
 * 24/00). A HARDWARE ERROR on page 1Fh fails the load (EIO) instead of
 * making every move look possible; the next call loads the map right.
 */
TEST_F(once, caps_page_error_is_not_absence)
{
	struct mx *m = &self->m;
	struct autoch_capabilities cap0, cap;
	int ret;

	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_CAPABILITIES, &cap0));
	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d skip=1 count=1 fault=sense key=4 asc=44 ascq=00",
			      m->host));
	memset(&cap, 0xa5, sizeof(cap));
	ret = autoch_ioctl(m->a.fd, AUTOCH_CAPABILITIES, &cap);
	EXPECT_TRUE(fault_hit(1));
	EXPECT_EQ(EIO, ret) {
		TH_LOG("a HARDWARE ERROR on page 1Fh: %s, move_from %02x %02x %02x %02x (without the fault %02x %02x %02x %02x)",
		       emul_errname(ret), cap.move_from[0], cap.move_from[1],
		       cap.move_from[2], cap.move_from[3], cap0.move_from[0],
		       cap0.move_from[1], cap0.move_from[2], cap0.move_from[3]);
	}
	ASSERT_EQ(0, autoch_ioctl(m->a.fd, AUTOCH_CAPABILITIES, &cap));
	EXPECT_EQ(0, memcmp(&cap, &cap0, sizeof(cap)));
	epilogue(_metadata, m);
}

/*
 * SIOC_XSENSE describes the command a failed call failed on, not one it
 * recovered from: page 1Fh refused (20/00: absent, the load goes on),
 * then a READ ELEMENT STATUS reply that cannot be parsed (EIO, no
 * command failed). The MODE SENSE must not be reported.
 */
TEST_F(once, xsense_not_from_recovered)
{
	struct mx *m = &self->m;
	struct element_status es;
	struct emul_xsense x;
	struct autoch_dev c;

	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_open(&c, autoch_path()));
	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d skip=1 count=1 fault=sense key=5 asc=20 ascq=00",
			      m->host));
	ASSERT_EQ(0, emul_ctl("malformed", "desclen0 res count=1"));
	EXPECT_EQ(EIO, autoch_status(c.fd, m->full, &es));
	EXPECT_TRUE(fault_hit(1));
	emul_ctl("malformed", "clear");
	ASSERT_TRUE(emul_xsense(c.fd, &x));
	EXPECT_FALSE(x.valid && x.opcode == OP_MODE_SENSE)
		TH_LOG("SIOC_XSENSE reports the MODE SENSE the call recovered from (sense %x/%02x/%02x, error %d)",
		       x.key, x.asc, x.ascq, x.error);
	autoch_close(&c);
	/* page 1Fh came back absent: read the map again after the test */
	epilogue(_metadata, m);
	prologue(_metadata, m, OP_STATUS);
	epilogue(_metadata, m);
}

/*
 * A call interrupted by a signal (while page 1Eh answers NOT READY 04/01,
 * after page 1Fh was refused): EINTR for the program, and SIOC_XSENSE
 * never carries the kernel's ERESTARTSYS (512).
 */
TEST_F(once, xsense_interrupted)
{
	struct mx *m = &self->m;
	struct element_addresses ea;
	struct emul_xsense x;
	struct autoch_dev c;
	int ret;

	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_open(&c, autoch_path()));
	prologue(_metadata, m, OP_ADDRESSES);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d skip=1 count=1 fault=sense key=5 asc=20 ascq=00",
			      m->host));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=1a host=%d count=0 fault=sense key=2 asc=04 ascq=01",
			      m->host));
	ASSERT_EQ(0, autoch_alarm(700, false));
	ret = autoch_ioctl(c.fd, SIOC_ELEMENT_ADDRESSES, &ea);
	autoch_alarm_off();
	emul_ctl("fault", "clear");
	EXPECT_EQ(EINTR, ret) TH_LOG("%s", emul_errname(ret));
	ASSERT_TRUE(emul_xsense(c.fd, &x));
	EXPECT_NE(512, x.error) TH_LOG("ERESTARTSYS in SIOC_XSENSE (opcode %02x)", x.opcode);
	EXPECT_FALSE(x.valid && x.opcode == OP_MODE_SENSE && x.key == 5)
		TH_LOG("SIOC_XSENSE reports page 1Fh's 20/00, which the call recovered from");
	autoch_close(&c);
	epilogue(_metadata, m);
	prologue(_metadata, m, OP_STATUS);
	epilogue(_metadata, m);
}

/*
 * RECOVERED ERROR (sense key 1): the command completed, with recovery
 * (SPC-4 4.5.6). The call succeeds; the driver logs it.
 */
TEST_F(once, recovered_error_is_success)
{
	struct mx *m = &self->m;
	int ret;

	prologue(_metadata, m, OP_INIT);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=07 host=%d count=1 fault=sense key=1 asc=17 ascq=01",
			      m->host));
	ret = autoch_ioctl(m->a.fd, SIOC_INIT_ELEM_STAT, NULL);
	EXPECT_TRUE(fault_hit(1));
	EXPECT_EQ(0, ret) TH_LOG("RECOVERED ERROR 17/01: %s", emul_errname(ret));
	epilogue(_metadata, m);
}

/*
 * Deferred sense (response code 71h, SPC-4 4.5.5) reports an error of an
 * earlier command; the command that got it was not performed. The driver
 * does not blame it: it sends it again, and the move is done.
 */
TEST_F(once, deferred_error_not_blamed)
{
	struct mx *m = &self->m;
	int ret;

	prologue(_metadata, m, OP_MOVE);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=a5 host=%d count=1 fault=sense key=4 asc=44 ascq=00 deferred=1",
			      m->host));
	ret = autoch_move(&m->a, m->full, m->empty);
	EXPECT_TRUE(fault_hit(1));
	EXPECT_EQ(0, ret) TH_LOG("MOVE MEDIUM after a deferred 4/44/00: %s",
				 emul_errname(ret));
	EXPECT_EQ(1, moved(m));
	epilogue(_metadata, m);
}

/*
 * PERSISTENT RESERVE IN is sized for the keys asked for, but never past
 * what the host adapter transfers in one command: on a host that takes
 * 4 KiB (max_sectors 8), READ KEYS for 8,000 keys works.
 */
TEST_F(once, read_keys_within_host_limit)
{
	static __u64 keys[8000];
	struct pr_read_keys rk = {
		.num_keys = 8000,
		.keys_ptr = (unsigned long)keys,
	};
	struct mx *m = &self->m;
	int ret;

	if (m->profile == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt: no persistent reservations");
	ASSERT_EQ(0, emul_param_set(&m->params, EMUL_MODULE, "max_sectors", 8));
	ASSERT_EQ(0, emul_ctl("event", "remove"));
	readd(_metadata, m);
	prologue(_metadata, m, OP_STATUS);
	ASSERT_EQ(0, pr_out(m->a.fd, OP_PR_REGISTER));
	ret = autoch_ioctl(m->a.fd, IOC_PR_READ_KEYS, &rk);
	EXPECT_EQ(0, ret) TH_LOG("READ KEYS for 8000 keys on a 4 KiB host: %s",
				 emul_errname(ret));
	EXPECT_LE(1, (int)rk.num_keys);
	EXPECT_EQ(KEY, keys[0]);
	epilogue(_metadata, m);
	/* the LU back with the host's usual limit */
	ASSERT_EQ(0, emul_param_set(&m->params, EMUL_MODULE, "max_sectors", 8192));
	ASSERT_EQ(0, emul_ctl("event", "remove"));
	readd(_metadata, m);
}

#define FAULT(_name, _kind, _rule, _count, _err, _status, _host)	\
	.name = _name, .kind = _kind, .rule = _rule, .count = _count,	\
	.err = _err, .status = _status, .host = _host,			\
	.key = -1, .asc = -1, .ascq = -1

#define SENSE(_name, _k, _a, _q, _err)					\
	.name = _name, .kind = K_SENSE,					\
	.rule = "fault=sense key=" #_k " asc=" #_a " ascq=" #_q,	\
	.count = 1, .err = _err, .status = 2, .host = 0,		\
	.key = 0x##_k, .asc = 0x##_a, .ascq = 0x##_q,			\
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS

FIXTURE_VARIANT_ADD(matrix, none) {
	FAULT("none", K_NONE, "", 1, 0, -1, -1),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, timeout) {
	FAULT("timeout", K_TIMEOUT, "fault=timeout", 1, ETIMEDOUT, 0, DID_TIME_OUT),
	.lib_ops = ALL_OPS,
	.other_ops = B(OP_STATUS) | B(OP_MOVE),
};

FIXTURE_VARIANT_ADD(matrix, hostreset) {
	FAULT("hostreset", K_HOSTRESET, "fault=hostreset", 1, 0, -1, -1),
	.lib_ops = B(OP_STATUS) | B(OP_MOVE) | B(OP_PR_READ_KEYS),
	.other_ops = B(OP_MOVE),
};

FIXTURE_VARIANT_ADD(matrix, busy_once) {
	FAULT("busy(once)", K_STATUS, "fault=busy", 1, 0, -1, -1),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, tsf_once) {
	FAULT("tsf(once)", K_STATUS, "fault=tsf", 1, 0, -1, -1),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, busy_always) {
	FAULT("busy(always)", K_STATUS, "fault=busy", 0, EBUSY, 0x08, 0),
	.lib_ops = B(OP_STATUS) | B(OP_MOVE),
	.other_ops = 0,
};

FIXTURE_VARIANT_ADD(matrix, conflict) {
	FAULT("conflict", K_STATUS, "fault=conflict", 1, EBUSY, 0x18, 0),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, sense_21_01) { SENSE("5/21/01", 5, 21, 01, EINVAL) };
FIXTURE_VARIANT_ADD(matrix, sense_24_00) { SENSE("5/24/00", 5, 24, 00, EINVAL) };
FIXTURE_VARIANT_ADD(matrix, sense_20_00) { SENSE("5/20/00", 5, 20, 00, EOPNOTSUPP) };
FIXTURE_VARIANT_ADD(matrix, sense_3b_0e) { SENSE("5/3B/0E", 5, 3b, 0e, ENOMEDIUM) };
FIXTURE_VARIANT_ADD(matrix, sense_3b_0d) { SENSE("5/3B/0D", 5, 3b, 0d, EXFULL) };
FIXTURE_VARIANT_ADD(matrix, sense_53_02) { SENSE("5/53/02", 5, 53, 02, EBUSY) };
FIXTURE_VARIANT_ADD(matrix, sense_04_00) { SENSE("2/04/00", 2, 04, 00, EBUSY) };
FIXTURE_VARIANT_ADD(matrix, sense_15_01) { SENSE("4/15/01", 4, 15, 01, EIO) };
FIXTURE_VARIANT_ADD(matrix, sense_aborted) { SENSE("b/00/00", b, 00, 00, EIO) };

FIXTURE_VARIANT_ADD(matrix, ua29_always) {
	.name = "6/29/00(always)", .kind = K_SENSE,
	.rule = "fault=sense key=6 asc=29 ascq=00", .count = 0,
	.err = ECONNRESET, .status = 2, .host = 0,
	.key = 6, .asc = 0x29, .ascq = 0,
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, ua29_once) {
	.name = "6/29/00(once)", .kind = K_SENSE,
	.rule = "fault=sense key=6 asc=29 ascq=00", .count = 1,
	.err = 0, .status = -1, .host = -1, .key = -1, .asc = -1, .ascq = -1,
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, nosense) {
	FAULT("nosense", K_NOSENSE, "fault=nosense", 1, EIO, 2, 0),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, short_half) {
	FAULT("short(half)", K_SHORT, "fault=short", 1, 0, -1, -1),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, short_10) {
	FAULT("short(10 bytes)", K_SHORT, "fault=short bytes=10", 1, EIO, -1, -1),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, did_error) {
	FAULT("did=error", K_DID, "fault=did did=error", 0, EIO, 0, DID_ERROR),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, did_no_connect) {
	FAULT("did=no_connect", K_DID, "fault=did did=no_connect", 1, ENXIO, 0,
	      DID_NO_CONNECT),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, did_bus_busy) {
	FAULT("did=bus_busy", K_DID, "fault=did did=bus_busy", 0, EIO, 0,
	      DID_BUS_BUSY),
	.lib_ops = ALL_OPS, .other_ops = ALL_OPS,
};

FIXTURE_VARIANT_ADD(matrix, remove) {
	FAULT("remove", K_REMOVE, "fault=remove", 1, ENXIO, -1, -1),
	.lib_ops = B(OP_STATUS) | B(OP_MOVE) | B(OP_PR_READ_KEYS),
	.other_ops = B(OP_STATUS),
};

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
