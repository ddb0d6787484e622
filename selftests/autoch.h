/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the autoch selftests.
 *
 * The tests learn the changer's layout from SIOC_ELEMENT_ADDRESSES and its
 * contents from SIOC_ELEMENT_STATUS, so they run unchanged on any changer.
 * Checks tied to one emulation's exact layout run only when the
 * environment variable AUTOCH_PROFILE names it; "tgt24" is the tgt changer
 * of selftests/testbed (transport 1, import/export 16-17, drives 256-257,
 * storage 1024-1047, cartridges ACT001-ACT012 in 1024-1035 and ACT013 in
 * 16, tape images for ACT001-ACT004 only).
 *
 * Every test that moves media records each successful move in its
 * struct autoch_dev, including moves that were expected to fail but did
 * not; the fixture teardown undoes whatever is still recorded, so a test
 * leaves the changer as it found it even when an assertion stops it half
 * way, and test order does not matter.
 */
#ifndef AUTOCH_SELFTEST_H
#define AUTOCH_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/autochanger.h>

#include "kselftest_harness.h"

#include "autoch_file.h"

#define AUTOCH_DEFAULT_DEV	"/dev/autoch0"
#define AUTOCH_TGT24		"tgt24"
/* A volume tag is a 32-byte identifier and 4 bytes of sequence number. */
#define AUTOCH_TAG_ID_LEN	32
#define AUTOCH_MAX_UNDO		32

/* Opcodes the tests expect in SIOC_XSENSE's cdb (SMC-3, SPC-2). */
#define AUTOCH_OP_RESERVE_ELEMENT_6	0x16
#define AUTOCH_OP_RESERVE_ELEMENT_10	0x56
#define AUTOCH_OP_MOVE_MEDIUM		0xa5
#define AUTOCH_OP_EXCHANGE_MEDIUM	0xa6

/* Sense keys and the SCSI status byte the tests expect. */
#define AUTOCH_HARDWARE_ERROR		0x4
#define AUTOCH_ILLEGAL_REQUEST		0x5
#define AUTOCH_CHECK_CONDITION		0x02

enum autoch_type {
	AUTOCH_TRANSPORT,
	AUTOCH_STORAGE,
	AUTOCH_IMPORT_EXPORT,
	AUTOCH_DATA_TRANSFER,
	AUTOCH_NR_TYPES,
};

static const char *const autoch_type_name[AUTOCH_NR_TYPES] = {
	[AUTOCH_TRANSPORT] = "transport",
	[AUTOCH_STORAGE] = "storage",
	[AUTOCH_IMPORT_EXPORT] = "import/export",
	[AUTOCH_DATA_TRANSFER] = "data transfer",
};

/* What autoch_find() looks for. */
enum autoch_want {
	AUTOCH_EMPTY,
	AUTOCH_FULL,
	AUTOCH_LOADABLE,	/* full, and a drive accepts it */
	AUTOCH_UNLOADABLE,	/* full, and loading it fails (tgt24 only) */
};

/* One recorded change: a move source -> dest, or an exchange of a and b. */
struct autoch_undo {
	bool exchange;
	int source, dest;
};

struct autoch_dev {
	int fd;
	struct element_addresses ea;
	int nr_undo;
	struct autoch_undo undo[AUTOCH_MAX_UNDO];
};

/* What the tests compare between two looks at the changer. */
struct autoch_element {
	int address;
	bool full;
	char tag[AUTOCH_TAG_ID_LEN + 1];
};

struct autoch_inventory {
	int nr;
	struct autoch_element el[];
};

static inline const char *autoch_path(void)
{
	const char *path = getenv("AUTOCH_DEV");

	return path && *path ? path : AUTOCH_DEFAULT_DEV;
}

static inline bool autoch_profile(const char *name)
{
	const char *profile = getenv("AUTOCH_PROFILE");

	return profile && !strcmp(profile, name);
}

enum autoch_feature {
	AUTOCH_HAS_EXCHANGE,	/* EXCHANGE MEDIUM */
	AUTOCH_HAS_PR,		/* PERSISTENT RESERVE IN/OUT */
	AUTOCH_HAS_PREVENT,	/* PREVENT ALLOW MEDIUM REMOVAL */
	AUTOCH_HAS_DVCID,	/* drive identifiers in READ ELEMENT STATUS */
};

/*
 * Can the changer the environment names do @f? The name is
 * $AUTOCH_EMUL_PROFILE (guest-emul.sh: superloader, library, tgt), else
 * $AUTOCH_PROFILE=tgt24 (tgt's changer, which the emulation's tgt profile
 * copies); what each can do is in selftests/emul/README.md. 1: it can, so
 * the ioctl must work; 0: it cannot, so EOPNOTSUPP is the answer to
 * expect; -1: no profile names the changer (a real library), and only
 * then may a test skip on the driver's EOPNOTSUPP.
 */
static inline int autoch_profile_has(enum autoch_feature f)
{
	static const char *const name[] = { "superloader", "library", "tgt" };
	static const bool has[][4] = {
		/* exchange, persistent reservations, prevent, DVCID */
		{ false, true, true, false },	/* SuperLoader: 20/00, 24/00 */
		{ true, true, true, true },	/* library */
		{ false, false, false, true },	/* tgt: 20/00 but DVCID */
	};
	const char *env = getenv("AUTOCH_EMUL_PROFILE");
	int i;

	for (i = 0; env && i < 3; i++)
		if (!strcmp(env, name[i]))
			return has[i][f];
	return autoch_profile(AUTOCH_TGT24) ? has[2][f] : -1;
}

/*
 * SKIP() for these tests. 6.1's SKIP() sets passed = 1, so a test that
 * skips after a failed EXPECT would be reported as skipped: this one
 * skips only when nothing has failed yet, else it ends the test as the
 * failure it is, the reason it would have skipped logged.
 */
#define AUTOCH_SKIP(statement, fmt, ...) do {				\
	if (_metadata->passed) {					\
		SKIP(statement, fmt, ##__VA_ARGS__);			\
	} else {							\
		TH_LOG("not skipped, a check failed before: " fmt,	\
		       ##__VA_ARGS__);					\
		statement;						\
	}								\
} while (0)

/*
 * The first statement of a test whose fixture setup may skip: SKIP() in
 * the setup does not keep 6.1's harness from running the test.
 */
#define AUTOCH_SETUP_DONE() do {					\
	if (_metadata->skip)						\
		return;							\
} while (0)

/*
 * The last statement of every fixture teardown: 6.1's harness reports a
 * skipped test as skipped even when a check of its teardown failed. Make
 * it the failure it is.
 */
static inline void autoch_teardown_done(struct __test_metadata *_metadata)
{
	if (!_metadata->passed)
		_metadata->skip = 0;
}

/*
 * ioctl() as a single number: 0 on success, else the errno. Every autoch
 * ioctl returns 0 on success; a positive return would be a driver bug and
 * comes back negative, so that it matches no errno a test expects.
 */
static inline int autoch_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	if (ret < 0)
		return errno;
	return -ret;
}

/* SIGALRMs caught since the last autoch_alarm(). */
static volatile sig_atomic_t autoch_alarms;

static inline void autoch_on_alarm(int sig)
{
	(void)sig;
	autoch_alarms++;
}

/*
 * One SIGALRM @ms milliseconds from now, caught by a handler that only
 * counts it: a call it lands in ends with EINTR, or with @restart
 * (SA_RESTART) goes on. 0, or -1 with errno set.
 */
static inline int autoch_alarm(int ms, bool restart)
{
	struct sigaction sa = { .sa_handler = autoch_on_alarm };
	struct itimerval it = {
		.it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
	};

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	autoch_alarms = 0;
	if (sigaction(SIGALRM, &sa, NULL))
		return -1;
	return setitimer(ITIMER_REAL, &it, NULL);
}

/* The timer stopped, if it has not fired, and SIGALRM back to its default. */
static inline void autoch_alarm_off(void)
{
	struct itimerval off = {};

	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
}

static inline int autoch_first(const struct element_addresses *ea,
			       enum autoch_type type)
{
	switch (type) {
	case AUTOCH_TRANSPORT:
		return ea->first_transport;
	case AUTOCH_STORAGE:
		return ea->first_storage;
	case AUTOCH_IMPORT_EXPORT:
		return ea->first_import_export;
	case AUTOCH_DATA_TRANSFER:
		return ea->first_data_transfer;
	default:
		return 0;
	}
}

static inline int autoch_count(const struct element_addresses *ea,
			       enum autoch_type type)
{
	switch (type) {
	case AUTOCH_TRANSPORT:
		return ea->num_transports;
	case AUTOCH_STORAGE:
		return ea->num_storages;
	case AUTOCH_IMPORT_EXPORT:
		return ea->num_import_exports;
	case AUTOCH_DATA_TRANSFER:
		return ea->num_data_transfers;
	default:
		return 0;
	}
}

static inline bool autoch_in_type(const struct element_addresses *ea,
				  enum autoch_type type, int address)
{
	int first = autoch_first(ea, type);

	return address >= first && address < first + autoch_count(ea, type);
}

static inline bool autoch_in_map(const struct element_addresses *ea,
				 int address)
{
	int t;

	for (t = 0; t < AUTOCH_NR_TYPES; t++)
		if (autoch_in_type(ea, t, address))
			return true;
	return false;
}

static inline int autoch_total(const struct element_addresses *ea)
{
	int t, n = 0;

	for (t = 0; t < AUTOCH_NR_TYPES; t++)
		n += autoch_count(ea, t);
	return n;
}

/* The lowest address that belongs to no element (0 on most changers). */
static inline int autoch_unmapped(const struct element_addresses *ea)
{
	int address;

	for (address = 0; address <= 0xffff; address++)
		if (!autoch_in_map(ea, address))
			return address;
	return -1;
}

static inline int autoch_status(int fd, int address, struct element_status *es)
{
	memset(es, 0, sizeof(*es));
	es->element = address;
	return autoch_ioctl(fd, SIOC_ELEMENT_STATUS, es);
}

/* The barcode of a volume tag: up to 32 characters, trailing spaces cut. */
static inline void autoch_tag(const char *vol_tag,
			      char out[AUTOCH_TAG_ID_LEN + 1])
{
	int n = 0;

	while (n < AUTOCH_TAG_ID_LEN && vol_tag[n]) {
		out[n] = vol_tag[n];
		n++;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/*
 * A volume tag field as the driver must report it: all zero (no tag, or
 * one of spaces only), or printable characters, at least one of them not
 * a space, followed by zeros only.
 */
static inline bool autoch_tag_well_formed(const char *tag, size_t len)
{
	bool visible = false;
	size_t i = 0;

	while (i < len && tag[i] >= 0x20 && tag[i] < 0x7f) {
		if (tag[i] != ' ')
			visible = true;
		i++;
	}
	if (i > 0 && !visible)
		return false;
	for (; i < len; i++)
		if (tag[i])
			return false;
	return true;
}

/* How many bytes of @buf are not zero. */
static inline int autoch_nonzero(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i;
	int n = 0;

	for (i = 0; i < len; i++)
		if (p[i])
			n++;
	return n;
}

/* tgt24 has tape images for ACT001..ACT004 only; elsewhere any will do. */
static inline bool autoch_loadable(const char *tag)
{
	if (!autoch_profile(AUTOCH_TGT24))
		return true;
	return strlen(tag) == 6 && !strncmp(tag, "ACT00", 5) &&
	       tag[5] >= '1' && tag[5] <= '4';
}

/*
 * The first element of @type in the state @want, skipping the @nr_skip
 * addresses in @skip; -1 when there is none.
 */
static inline int autoch_find(const struct autoch_dev *d, enum autoch_type type,
			      enum autoch_want want, const int *skip,
			      int nr_skip)
{
	int first = autoch_first(&d->ea, type);
	int last = first + autoch_count(&d->ea, type);
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;
	int address, i;
	bool match;

	for (address = first; address < last; address++) {
		for (i = 0; i < nr_skip; i++)
			if (skip[i] == address)
				break;
		if (i < nr_skip)
			continue;
		if (autoch_status(d->fd, address, &es))
			continue;
		autoch_tag(es.pri_vol_tag, tag);
		switch (want) {
		case AUTOCH_EMPTY:
			match = !es.full;
			break;
		case AUTOCH_FULL:
			match = es.full;
			break;
		case AUTOCH_LOADABLE:
			match = es.full && autoch_loadable(tag);
			break;
		case AUTOCH_UNLOADABLE:
			match = es.full && !autoch_loadable(tag);
			break;
		default:
			match = false;
		}
		if (match)
			return address;
	}
	return -1;
}

/*
 * Two full and two empty storage elements, all four different: *full and
 * *empty, then *other_full and *other_empty (either may be NULL); -1
 * where the changer has none.
 */
static inline void autoch_find_four(const struct autoch_dev *d, int *full,
				    int *empty, int *other_full,
				    int *other_empty)
{
	int skip[2];

	*full = autoch_find(d, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	*empty = autoch_find(d, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	skip[0] = *full;
	skip[1] = *empty;
	if (other_full)
		*other_full = autoch_find(d, AUTOCH_STORAGE, AUTOCH_FULL,
					  skip, 2);
	if (other_empty)
		*other_empty = autoch_find(d, AUTOCH_STORAGE, AUTOCH_EMPTY,
					   skip, 2);
}

static inline int autoch_open(struct autoch_dev *d)
{
	memset(d, 0, sizeof(*d));
	d->fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return errno;
	return autoch_ioctl(d->fd, SIOC_ELEMENT_ADDRESSES, &d->ea);
}

static inline void autoch_remember(struct autoch_dev *d, bool exchange,
				   int source, int dest)
{
	if (d->nr_undo == AUTOCH_MAX_UNDO) {
		fprintf(stderr, "# autoch: undo list full\n");
		abort();
	}
	d->undo[d->nr_undo].exchange = exchange;
	d->undo[d->nr_undo].source = source;
	d->undo[d->nr_undo].dest = dest;
	d->nr_undo++;
}

/* SIOC_MOVE_MEDIUM with @mp as given; a move that happened is recorded. */
static inline int autoch_try_move(struct autoch_dev *d,
				  const struct move_medium_parms *mp)
{
	struct move_medium_parms copy = *mp;
	int ret = autoch_ioctl(d->fd, SIOC_MOVE_MEDIUM, &copy);

	if (!ret)
		autoch_remember(d, false, mp->source, mp->destination);
	return ret;
}

/* Move @source to @dest with the first transport, recording it. */
static inline int autoch_move(struct autoch_dev *d, int source, int dest)
{
	struct move_medium_parms mp = {
		.transport = d->ea.first_transport,
		.source = source,
		.destination = dest,
	};

	return autoch_try_move(d, &mp);
}

/* SIOC_EXCHANGE_MEDIUM with @ep as given; an exchange is recorded. */
static inline int autoch_try_exchange(struct autoch_dev *d,
				      const struct exchange_medium_parms *ep)
{
	struct exchange_medium_parms copy = *ep;
	int ret = autoch_ioctl(d->fd, SIOC_EXCHANGE_MEDIUM, &copy);

	if (ret)
		return ret;
	if (ep->second_destination == ep->source) {
		autoch_remember(d, true, ep->source, ep->first_destination);
	} else {
		/* Undone last first: first_destination's medium goes home last. */
		autoch_remember(d, false, ep->first_destination,
				ep->second_destination);
		autoch_remember(d, false, ep->source, ep->first_destination);
	}
	return 0;
}

/* Undo every recorded change, newest first; 0 or the first errno. */
static inline int autoch_undo(struct autoch_dev *d)
{
	while (d->nr_undo > 0) {
		const struct autoch_undo *u = &d->undo[d->nr_undo - 1];
		int ret;

		if (u->exchange) {
			struct exchange_medium_parms ep = {
				.transport = d->ea.first_transport,
				.source = u->source,
				.first_destination = u->dest,
				.second_destination = u->source,
			};

			ret = autoch_ioctl(d->fd, SIOC_EXCHANGE_MEDIUM, &ep);
		} else {
			struct move_medium_parms mp = {
				.transport = d->ea.first_transport,
				.source = u->dest,
				.destination = u->source,
			};

			ret = autoch_ioctl(d->fd, SIOC_MOVE_MEDIUM, &mp);
		}
		if (ret)
			return ret;
		d->nr_undo--;
	}
	return 0;
}

static inline void autoch_close(struct autoch_dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Every element's full bit and barcode; NULL with errno set on failure. */
static inline struct autoch_inventory *autoch_inventory(const struct autoch_dev *d)
{
	struct autoch_inventory *inv;
	struct element_status es;
	int t, address, ret;

	inv = calloc(1, sizeof(*inv) +
		     autoch_total(&d->ea) * sizeof(inv->el[0]));
	if (!inv)
		return NULL;
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		int first = autoch_first(&d->ea, t);

		for (address = first;
		     address < first + autoch_count(&d->ea, t); address++) {
			struct autoch_element *el = &inv->el[inv->nr++];

			ret = autoch_status(d->fd, address, &es);
			if (ret) {
				free(inv);
				errno = ret;
				return NULL;
			}
			el->address = address;
			el->full = es.full;
			/* An empty element's tag may be stale (tgt): ignore it. */
			if (es.full)
				autoch_tag(es.pri_vol_tag, el->tag);
		}
	}
	return inv;
}

/* How many elements differ; the first difference is described in @why. */
static inline int autoch_inventory_diff(const struct autoch_inventory *a,
					const struct autoch_inventory *b,
					char *why, size_t len)
{
	int i, n = 0;

	snprintf(why, len, "no difference");
	if (a->nr != b->nr) {
		snprintf(why, len, "%d elements, then %d", a->nr, b->nr);
		return 1;
	}
	for (i = 0; i < a->nr; i++) {
		const struct autoch_element *x = &a->el[i], *y = &b->el[i];

		if (x->full == y->full && !strcmp(x->tag, y->tag))
			continue;
		if (!n++)
			snprintf(why, len, "element %d: %s '%s', then %s '%s'",
				 x->address, x->full ? "full" : "empty", x->tag,
				 y->full ? "full" : "empty", y->tag);
	}
	return n;
}

/* Nothing moved since @before was taken (after refused calls). */
static inline void autoch_expect_unchanged(struct __test_metadata *_metadata,
					   const struct autoch_dev *d,
					   const struct autoch_inventory *before)
{
	struct autoch_inventory *now = autoch_inventory(d);
	char why[128];

	ASSERT_NE(NULL, now) TH_LOG("inventory: %s", strerror(errno));
	EXPECT_EQ(0, autoch_inventory_diff(before, now, why, sizeof(why)))
		TH_LOG("%s", why);
	free(now);
}

/* Sense key, ASC and ASCQ of fixed (70h/71h) or descriptor (72h/73h) sense. */
static inline bool autoch_sense(const struct autoch_xsense *xs,
				int *key, int *asc, int *ascq)
{
	const __u8 *s = xs->sense;

	switch (s[0] & 0x7f) {
	case 0x70:
	case 0x71:
		if (xs->sense_len < 14)
			return false;
		*key = s[2] & 0xf;
		*asc = s[12];
		*ascq = s[13];
		return true;
	case 0x72:
	case 0x73:
		if (xs->sense_len < 8)
			return false;
		*key = s[1] & 0xf;
		*asc = s[2];
		*ascq = s[3];
		return true;
	default:
		return false;
	}
}

/*
 * SIOC_XSENSE on @fd must describe a command with opcode @opcode that
 * failed with CHECK CONDITION and sense @key/@asc/@ascq, and that the
 * ioctl returned @error for. Bytes past cdb_len and sense_len are zero:
 * the struct is filled with a pattern first to catch stale kernel bytes.
 */
static inline void autoch_expect_sense(struct __test_metadata *_metadata,
				       int fd, int error, int opcode,
				       int key, int asc, int ascq)
{
	struct autoch_xsense xs;
	int k = -1, c = -1, q = -1;

	memset(&xs, 0xa5, sizeof(xs));
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_XSENSE, &xs));
	EXPECT_EQ(1, xs.valid);
	EXPECT_EQ(AUTOCH_CHECK_CONDITION, xs.status);
	EXPECT_EQ(error, xs.error);
	ASSERT_LT(0, xs.cdb_len);
	ASSERT_GE((int)sizeof(xs.cdb), xs.cdb_len);
	EXPECT_EQ(opcode, xs.cdb[0]);
	EXPECT_EQ(0, autoch_nonzero(xs.cdb + xs.cdb_len,
				    sizeof(xs.cdb) - xs.cdb_len));
	ASSERT_GE((int)sizeof(xs.sense), xs.sense_len);
	EXPECT_EQ(0, autoch_nonzero(xs.sense + xs.sense_len,
				    sizeof(xs.sense) - xs.sense_len));
	ASSERT_TRUE(autoch_sense(&xs, &k, &c, &q))
		TH_LOG("sense_len %d, response code %#x",
		       xs.sense_len, xs.sense[0]);
	EXPECT_EQ(key, k);
	EXPECT_EQ(asc, c);
	EXPECT_EQ(ascq, q);
}

/*
 * Called first in main(), before test_harness_run(): a machine without a
 * changer is a skip (exit 4), not a failure. The tests need /dev/autoch0
 * (or $AUTOCH_DEV).
 */
static inline void autoch_require_changer(void)
{
	int fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);

	if (fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV)) {
		ksft_print_header();
		ksft_exit_skip("no changer at %s: %s\n", autoch_path(),
			       strerror(errno));
	}
	if (fd >= 0)
		close(fd);
}

#endif /* AUTOCH_SELFTEST_H */
