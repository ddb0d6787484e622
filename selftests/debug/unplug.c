// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-unplug of the changer during each call: for each kind of call in
 * the list below, worker processes run it in a loop on files of their
 * own while the main process deletes the SCSI device through sysfs
 * (`echo 1 > .../device/delete`), then brings it back with a rescan of
 * its host (`echo '- - -' > /sys/class/scsi_host/hostN/scan`), ROUNDS
 * times per kind.
 *
 * Every call must return 0, ENXIO or EIO, or an errno documented for that
 * call; once it has failed with ENXIO every later call on that file must
 * too; every worker must end within the time limit (no call hangs after
 * the device is gone); a worker that cannot open the node fails the run;
 * the node must come back after each rescan. Each kind must have met the
 * removal: a call on a file opened before it ended ENXIO.
 *
 * On the emulated changer (selftests/emul, its debugfs present) the race
 * is proven, not hoped for: while the workers run, every command takes
 * LATENCY_MS (the emulation's latency_ms; cache_ms is 0, so status goes
 * to the changer), and the removal is the emulation's "event remove
 * fail", which fails the commands in flight with DID_NO_CONNECT, counted
 * per opcode in its "lost" file, before it removes the LU ("event add"
 * brings it back). A kind that sends commands passes only when a command
 * of its own (the opcodes in its entry) was lost that way and one of its
 * calls started before the removal and ended ENXIO or EIO (a kind that has
 * not after ROUNDS removals gets more, up to MORE_ROUNDS times as many).
 * Closing while holding a reservation races in two commands, so its
 * removal is not left to chance: it comes when a RELEASE reaches the
 * changer (its "counters"), while the odd workers, started half a
 * command later, have their RESERVE in flight. XSENSE must
 * describe a failed status as that call's (the host byte DID_NO_CONNECT
 * when it was lost), unless the device is already gone for it too
 * (ENXIO: the removal follows the loss at once). The kernel
 * log is the caller's to check (make check-debug greps it for sanitizer
 * reports, lockdep and hung tasks).
 *
 * Usage: unplug [-d DEV] [-r ROUNDS] [-w WORKERS] [-k KIND]...
 *        unplug -s SECONDS [-d DEV]
 * The second form runs every kind of call at once (a worker each) for
 * SECONDS and prints, on stderr,
 * a marker line after a third of it, for a host-side action (make
 * check-debug stops the iSCSI target then); it checks that every call
 * returns (cmd_timeout bounds each command), that errnos stay in the
 * documented set, and that the driver saw the connection go: a call that
 * started after the marker failed with ETIMEDOUT, EIO, ENXIO or
 * ECONNRESET, or a poller was told of a reset (AUTOCH_EVENT_RESET).
 * Prints TAP; exits 0 when everything passed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/autochanger.h>

#include "../autoch_file.h"

#define MAX_WORKERS	32	/* the loss mode runs one per kind */
#define MAX_ERRNO	256
#define WORKER_LIMIT_S	120	/* a worker still running then is hung */
#define NODE_WAIT_S	30
#define EMUL_DIR	"/sys/kernel/debug/autoch_emul"
#define LATENCY_MS	200	/* every command, while the workers race */
#define MORE_ROUNDS	4	/* a kind's rounds at most, to meet its race */
#define DID_NO_CONNECT	0x01
#define MAX_OPS		4

struct worker {
	int id;
	int fd;
	const char *dev;
	struct element_addresses ea;
	uint16_t src, dst;	/* a full and an empty storage slot (moves) */
	struct element_status *range;
};

struct kind {
	const char *name;
	/* one call (or a few); returns 0 or an errno */
	int (*call)(struct worker *w);
	/* the errnos documented for it besides 0, ENXIO and EIO */
	int extra[8];
	bool no_fd;	/* opens its own files */
	bool not_sticky;	/* may succeed again after ENXIO */
	/* opcodes one of which must be lost in flight (emulation), -1 ends */
	int ops[MAX_OPS];
	/*
	 * On the emulation, the removal waits for one of @ops to reach the
	 * changer (it is then in flight for LATENCY_MS) instead of a random
	 * time, and the odd workers start half a command later, in the other
	 * command of their call.
	 */
	bool on_op;
};

struct shared {
	volatile int ready;
	volatile int go;	/* on_op kinds: the commands take LATENCY_MS */
	volatile int stop;
	uint64_t calls[MAX_WORKERS];
	uint64_t hist[MAX_WORKERS][MAX_ERRNO + 1];
	double longest[MAX_WORKERS];	/* seconds, the slowest call */
	volatile double t_remove;	/* when the removal started */
	volatile double t_cut;		/* loss mode: when the marker went out */
	uint64_t raced[MAX_WORKERS];	/* calls across the removal, ENXIO/EIO */
	uint64_t enxio[MAX_WORKERS];	/* ENXIO on a file opened before it */
	uint64_t xlost[MAX_WORKERS];	/* XSENSE told of a lost command */
	uint64_t cut[MAX_WORKERS];	/* loss mode: failed after the marker */
	uint64_t resets[MAX_WORKERS];	/* loss mode: reset events seen */
	int bad[MAX_WORKERS];
	char why[MAX_WORKERS][200];
};

static struct shared *sh;

static void note(struct worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (sh->bad[w->id]++)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why[w->id], sizeof(sh->why[w->id]), fmt, ap);
	va_end(ap);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret > 0)
		return -1;	/* never a valid answer: reported as errno -1 */
	return ret < 0 ? errno : 0;
}

/* ---- the calls ---- */

static int do_element_status(struct worker *w)
{
	const uint16_t *v = (const uint16_t *)&w->ea;
	struct element_status es;
	int t, i, e;

	for (t = 0; t < 4; t++) {
		for (i = 0; i < v[2 * t + 1]; i++) {
			memset(&es, 0, sizeof(es));
			es.element = v[2 * t] + i;
			e = xioctl(w->fd, SIOC_ELEMENT_STATUS, &es);
			if (e)
				return e;
		}
	}
	return 0;
}

/*
 * Slots for move_once(), this worker's own when there are enough: a full
 * and an empty storage slot, or for an exchange (@pair) two full ones.
 */
static int pick_slots(struct worker *w, bool pair)
{
	struct element_status es;
	int i, nfull = 0, nempty = 0, e;

	w->src = w->dst = 0;
	for (i = 0; i < w->ea.num_storages; i++) {
		memset(&es, 0, sizeof(es));
		es.element = w->ea.first_storage + i;
		e = xioctl(w->fd, SIOC_ELEMENT_STATUS, &es);
		if (e)
			return e;
		if (pair && es.full && nfull / 2 <= w->id)
			*(nfull % 2 ? &w->dst : &w->src) = es.element;
		else if (!pair && es.full && nfull <= w->id)
			w->src = es.element;
		else if (!pair && !es.full && nempty <= w->id)
			w->dst = es.element;
		nfull += es.full;
		nempty += !es.full;
	}
	return 0;
}

/*
 * One MOVE MEDIUM from src to dst (which then swap), or with @exchange
 * one EXCHANGE MEDIUM: two cartridges swap places, source and second
 * destination being one. Slots are picked again when none are, or when
 * another worker's move took them.
 */
static int move_once(struct worker *w, bool exchange)
{
	struct exchange_medium_parms xp = {};
	struct move_medium_parms mp = {};
	uint16_t t;
	int e;

	if (!w->src || !w->dst) {
		e = pick_slots(w, exchange);
		if (e || !w->src || !w->dst)
			return e;
	}
	if (exchange) {
		xp.transport = w->ea.first_transport;
		xp.source = w->src;
		xp.first_destination = w->dst;
		xp.second_destination = w->src;
		e = xioctl(w->fd, SIOC_EXCHANGE_MEDIUM, &xp);
	} else {
		mp.transport = w->ea.first_transport;
		mp.source = w->src;
		mp.destination = w->dst;
		e = xioctl(w->fd, SIOC_MOVE_MEDIUM, &mp);
	}
	if (!e && !exchange) {
		t = w->src;
		w->src = w->dst;
		w->dst = t;
	} else if (e == ENOMEDIUM || e == EXFULL) {
		w->src = w->dst = 0;	/* another worker's move: look again */
	}
	return e;
}

static int do_move(struct worker *w)
{
	return move_once(w, false);
}

static int do_exchange(struct worker *w)
{
	return move_once(w, true);
}

static int do_init(struct worker *w)
{
	return xioctl(w->fd, SIOC_INIT_ELEM_STAT, NULL);
}

static int do_addresses(struct worker *w)
{
	struct element_addresses ea;

	return xioctl(w->fd, SIOC_ELEMENT_ADDRESSES, &ea);
}

static int do_range(struct worker *w)
{
	struct autoch_status_range sr = {
		.first = w->ea.first_storage,
		.count = w->ea.num_storages,
		.statuses = (uintptr_t)w->range,
	};

	return xioctl(w->fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr);
}

static int do_reserve(struct worker *w)
{
	struct reservation_parms rp = {
		.element = w->ea.first_storage + w->id % w->ea.num_storages,
		.identification = w->id,
	};
	int e;

	e = xioctl(w->fd, SIOC_RESERVE, &rp);
	if (e)
		return e;
	return xioctl(w->fd, SIOC_RELEASE, &rp);
}

static int do_reserve_unit(struct worker *w)
{
	struct reservation_parms rp = { .all_elements = 1 };
	int e;

	e = xioctl(w->fd, SIOC_RESERVE, &rp);
	if (e)
		return e;
	return xioctl(w->fd, SIOC_RELEASE, &rp);
}

static int do_drive_id(struct worker *w)
{
	struct autoch_drive_id id = { .element = w->ea.first_data_transfer };

	return xioctl(w->fd, AUTOCH_DRIVE_ID, &id);
}

static int do_pr_read_keys(struct worker *w)
{
	uint64_t keys[4];
	struct pr_read_keys rk = { .num_keys = 4, .keys_ptr = (uintptr_t)keys };

	return xioctl(w->fd, IOC_PR_READ_KEYS, &rk);
}

/* Waiting in poll() (TEST UNIT READY every event_poll_ms meanwhile). */
static int do_poll(struct worker *w)
{
	struct pollfd pfd = { .fd = w->fd, .events = POLLIN | POLLPRI };
	struct autoch_events ev;
	int n;

	n = poll(&pfd, 1, 300);
	if (n < 0)
		return errno;
	if (pfd.revents & POLLHUP)
		return ENXIO;
	if (pfd.revents & POLLNVAL)
		return EBADF;
	n = xioctl(w->fd, AUTOCH_GET_EVENTS, &ev);
	if (!n && (ev.events & AUTOCH_EVENT_RESET) && sh->t_cut)
		sh->resets[w->id]++;
	return n;
}

/* PERSISTENT RESERVE OUT: register a key of our own, then unregister. */
static int do_pr_out(struct worker *w)
{
	struct pr_registration reg = {
		.new_key = 0x4155544f00000000ULL + w->id + 1,
		.flags = PR_FL_IGNORE_KEY,
	};
	int e;

	e = xioctl(w->fd, IOC_PR_REGISTER, &reg);
	if (e)
		return e;
	reg.new_key = 0;
	return xioctl(w->fd, IOC_PR_REGISTER, &reg);
}

/* PREVENT ALLOW MEDIUM REMOVAL: prevent, then allow. */
static int do_prevent(struct worker *w)
{
	__u32 v = 1;
	int e;

	e = xioctl(w->fd, AUTOCH_PREVENT_ALLOW, &v);
	if (e)
		return e;
	v = 0;
	return xioctl(w->fd, AUTOCH_PREVENT_ALLOW, &v);
}

/*
 * A status, then AUTOCH_XSENSE: after a failed status the sense must be
 * that call's; a status lost in flight shows the host byte of the loss.
 */
static int do_xsense(struct worker *w)
{
	struct element_status es = { .element = w->ea.first_storage };
	struct autoch_xsense xs;
	int e, x;

	e = xioctl(w->fd, SIOC_ELEMENT_STATUS, &es);
	memset(&xs, 0, sizeof(xs));
	x = xioctl(w->fd, AUTOCH_XSENSE, &xs);
	if (x)
		return x;
	if (!e)
		return 0;
	if (!xs.valid || xs.error != e) {
		note(w, "AUTOCH_XSENSE after a status failing with %s: valid %u error %d",
		     strerror(e), xs.valid, xs.error);
		return e;
	}
	if (e == ENXIO && xs.host_status == DID_NO_CONNECT)
		sh->xlost[w->id]++;
	return e;
}

/* open, reserve an element, close: the close sends the RELEASE. */
static int do_close_holding(struct worker *w)
{
	struct reservation_parms rp = {
		.element = w->ea.first_storage + w->id % w->ea.num_storages,
		.identification = w->id,
	};
	int fd, e;

	fd = open(w->dev, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? ENXIO : errno;
	e = xioctl(fd, SIOC_RESERVE, &rp);
	close(fd);
	return e;
}

/* open, one call, close: open races with the removal of the node. */
static int do_open_close(struct worker *w)
{
	struct autoch_inquiry inq;
	int fd, e;

	fd = open(w->dev, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? ENXIO : errno;
	e = xioctl(fd, AUTOCH_INQUIRY, &inq);
	if (!e)
		e = xioctl(fd, SIOC_ELEMENT_ADDRESSES, &w->ea);
	close(fd);
	return e;
}

/* The sysfs attributes, drive_ids sending commands of its own. */
static int do_sysfs(struct worker *w)
{
	static const char *const attrs[] = { "drive_ids", "num_storages", "serial" };
	char path[PATH_MAX], buf[4096];
	const char *name = strrchr(w->dev, '/') + 1;
	unsigned int i;
	ssize_t n;
	int fd, e = 0;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]) && !e; i++) {
		snprintf(path, sizeof(path), "/sys/class/autoch/%s/%s", name, attrs[i]);
		/*
		 * The device, and its directory, are gone (ENOENT), or kernfs
		 * is removing the attribute (ENODEV): sysfs's way of ENXIO.
		 */
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno == ENOENT || errno == ENODEV ? ENXIO : errno;
		n = read(fd, buf, sizeof(buf));
		e = n < 0 ? (errno == ENODEV ? ENXIO : errno) : 0;
		close(fd);
	}
	return e;
}

/*
 * .ops: READ ELEMENT STATUS b8h, MOVE a5h, EXCHANGE a6h, INITIALIZE
 * ELEMENT STATUS 07h, RESERVE 16h/56h, RELEASE 17h/57h, PERSISTENT
 * RESERVE IN 5eh/OUT 5fh, PREVENT ALLOW 1eh; kinds that send nothing of
 * their own (the map, poll's TEST UNIT READY every event_poll_ms, opens,
 * sysfs) have none.
 */
static const struct kind kinds[] = {
	{ .name = "SIOC_ELEMENT_STATUS loop", .call = do_element_status,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { 0xb8, -1 } },
	{ .name = "SIOC_MOVE_MEDIUM", .call = do_move,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, ENOMEDIUM, EXFULL },
	  .ops = { 0xa5, -1 } },
	{ .name = "SIOC_INIT_ELEM_STAT", .call = do_init,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { 0x07, -1 } },
	{ .name = "SIOC_ELEMENT_ADDRESSES", .call = do_addresses,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { -1 } },
	{ .name = "AUTOCH_ELEMENT_STATUS_RANGE", .call = do_range,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { 0xb8, -1 } },
	{ .name = "SIOC_RESERVE/SIOC_RELEASE element", .call = do_reserve,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0x16, 0x56, 0x17, 0x57 } },
	{ .name = "SIOC_RESERVE/SIOC_RELEASE unit", .call = do_reserve_unit,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0x16, 0x56, 0x17, 0x57 } },
	{ .name = "AUTOCH_DRIVE_ID", .call = do_drive_id,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0xb8, -1 } },
	{ .name = "IOC_PR_READ_KEYS", .call = do_pr_read_keys,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0x5e, -1 } },
	{ .name = "poll", .call = do_poll,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { -1 } },
	{ .name = "open/AUTOCH_INQUIRY/close", .call = do_open_close,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .no_fd = true,
	  .ops = { -1 } },
	/* a removed device still shows its cached map */
	{ .name = "sysfs attributes", .call = do_sysfs,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, ENOMEM },
	  .no_fd = true, .not_sticky = true, .ops = { -1 } },
	/* EINVAL: a changer whose page 1Fh forbids storage to storage */
	{ .name = "SIOC_EXCHANGE_MEDIUM", .call = do_exchange,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, ENOMEDIUM, EXFULL,
		     EOPNOTSUPP, EINVAL }, .ops = { 0xa6, -1 } },
	{ .name = "IOC_PR_REGISTER (PERSISTENT RESERVE OUT)", .call = do_pr_out,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0x5f, -1 } },
	{ .name = "AUTOCH_PREVENT_ALLOW", .call = do_prevent,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP },
	  .ops = { 0x1e, -1 } },
	{ .name = "SIOC_ELEMENT_STATUS then AUTOCH_XSENSE", .call = do_xsense,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .ops = { 0xb8, -1 } },
	/*
	 * The RELEASE that close sends is what must be lost, while another
	 * worker's RESERVE is in flight: the removal comes when a RELEASE
	 * arrives, the odd workers half a command behind.
	 */
	{ .name = "close while holding an element reservation",
	  .call = do_close_holding,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP }, .no_fd = true,
	  .ops = { 0x17, 0x57, -1 }, .on_op = true },
};
#define NR_KINDS	(sizeof(kinds) / sizeof(kinds[0]))
_Static_assert(NR_KINDS <= MAX_WORKERS, "the loss mode runs a worker per kind");

static bool allowed(const struct kind *k, int e)
{
	unsigned int i;

	if (!e || e == ENXIO || e == EIO)
		return true;
	for (i = 0; i < sizeof(k->extra) / sizeof(k->extra[0]) && k->extra[i]; i++)
		if (e == k->extra[i])
			return true;
	return false;
}

/* ---- workers ---- */

static double now(void);
static void sleep_ms(unsigned int ms);
static bool emul;

static void worker(struct worker *w, const struct kind *k, bool until_stop)
{
	double t, t0, t_rm;
	int e, gone = 0, i;

	w->fd = -1;
	for (i = 0; i < 100 && w->fd < 0; i++) {
		w->fd = open(w->dev, O_RDONLY);
		if (w->fd < 0 && errno != EINTR)
			break;
	}
	if (w->fd < 0) {
		/* the device went before we started: nothing raced */
		note(w, "%s: cannot open %s: %s", k->name, w->dev, strerror(errno));
		__sync_fetch_and_add(&sh->ready, 1);
		return;
	}
	for (i = 0; i < 20; i++)
		if (!xioctl(w->fd, SIOC_ELEMENT_ADDRESSES, &w->ea))
			break;
	if (i == 20)
		note(w, "%s: no element map before the removal", k->name);
	w->range = calloc(w->ea.num_storages ? w->ea.num_storages : 1,
			  sizeof(*w->range));
	/* slots picked before the race, while commands are quick */
	if (k->call == do_move || k->call == do_exchange)
		pick_slots(w, k->call == do_exchange);
	if (k->no_fd) {
		close(w->fd);
		w->fd = -1;
	}
	__sync_fetch_and_add(&sh->ready, 1);
	if (k->on_op && emul) {
		while (!sh->go && !sh->stop)
			sleep_ms(1);
		if (w->id % 2)
			sleep_ms(LATENCY_MS / 2);
	}

	while (!sh->stop) {
		t0 = now();
		e = k->call(w);
		t = now() - t0;
		if (t > sh->longest[w->id])
			sh->longest[w->id] = t;
		/* a call under way when the removal started, failed by it */
		t_rm = sh->t_remove;
		if (t_rm && t0 < t_rm && t0 + t >= t_rm && (e == ENXIO || e == EIO))
			sh->raced[w->id]++;
		if (e == ENXIO)
			sh->enxio[w->id]++;
		/* loss mode: failed after the marker, the cut seen */
		if (sh->t_cut && t0 >= sh->t_cut &&
		    (e == ETIMEDOUT || e == EIO || e == ENXIO || e == ECONNRESET))
			sh->cut[w->id]++;
		sh->calls[w->id]++;
		sh->hist[w->id][e < 0 || e > MAX_ERRNO ? MAX_ERRNO : e]++;
		if (!allowed(k, e))
			note(w, "%s: errno %d (%s)", k->name, e, strerror(e));
		if (gone && e != ENXIO && !k->not_sticky)
			note(w, "%s: %s after ENXIO", k->name, e ? strerror(e) : "success");
		if (e == ENXIO && !until_stop && ++gone >= 3)
			break;
	}
	if (w->fd >= 0)
		close(w->fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The changer's node (the only autochN), waiting up to NODE_WAIT_S. */
static bool find_node(char *dev, size_t len)
{
	double t0 = now();
	struct dirent *de;
	DIR *d;

	while (now() - t0 < NODE_WAIT_S) {
		d = opendir("/sys/class/autoch");
		while (d && (de = readdir(d))) {
			if (strncmp(de->d_name, "autoch", 6))
				continue;
			snprintf(dev, len, "/dev/%s", de->d_name);
			if (!access(dev, F_OK)) {
				closedir(d);
				return true;
			}
		}
		if (d)
			closedir(d);
		sleep_ms(20);
	}
	return false;
}

/*
 * sysfs paths of the SCSI device behind @dev and of its host's scan, and
 * its "channel target lun" for a scan of that device alone.
 */
static bool sysfs_paths(const char *dev, char *del, char *scan, char *ctl, size_t len)
{
	char path[PATH_MAX], real[PATH_MAX];
	unsigned int host, c, t, l;
	const char *name;

	snprintf(path, sizeof(path), "/sys/class/autoch/%s/device", strrchr(dev, '/') + 1);
	if (!realpath(path, real))
		return false;
	name = strrchr(real, '/') + 1;
	if (sscanf(name, "%u:%u:%u:%u", &host, &c, &t, &l) != 4)
		return false;
	return snprintf(del, len, "%s/delete", real) < (int)len &&
	       snprintf(scan, len, "/sys/class/scsi_host/host%u/scan", host) < (int)len &&
	       snprintf(ctl, len, "%u %u %u", c, t, l) < (int)len;
}

static void print_hist(unsigned int nworkers)
{
	uint64_t sum, calls = 0;
	double longest = 0;
	unsigned int p;
	int e;

	for (p = 0; p < nworkers; p++) {
		calls += sh->calls[p];
		if (sh->longest[p] > longest)
			longest = sh->longest[p];
	}
	printf("#   the slowest call took %.1f s\n", longest);
	printf("#   %llu calls:", (unsigned long long)calls);
	for (e = 0; e <= MAX_ERRNO; e++) {
		sum = 0;
		for (p = 0; p < nworkers; p++)
			sum += sh->hist[p][e];
		if (sum)
			printf(" %s %llu", e ? (e == MAX_ERRNO ? "other" : strerrorname_np(e)) :
			       "ok", (unsigned long long)sum);
	}
	printf("\n");
}

/* Start @n workers on kind @k; returns how many are running. */
static unsigned int start_workers(pid_t *pids, unsigned int id0, unsigned int n,
				  const char *dev, const struct kind *k, bool until_stop)
{
	unsigned int p;

	for (p = 0; p < n; p++) {
		pids[p] = fork();
		if (!pids[p]) {
			struct worker w = { .id = id0 + p, .dev = dev };

			alarm(WORKER_LIMIT_S + 60);	/* the last resort */
			worker(&w, k, until_stop);
			_exit(0);
		}
		if (pids[p] < 0)
			break;
	}
	return p;
}

/* Reap the workers within the limit; report the ones that hang. */
static bool reap_workers(pid_t *pids, unsigned int n, double limit_s)
{
	char path[64], buf[4096];
	double t0 = now();
	unsigned int left = n, p;
	bool ok = true;
	int status, fd;
	ssize_t len;
	pid_t w;

	while (left && now() - t0 < limit_s) {
		w = waitpid(-1, &status, WNOHANG);
		if (w > 0) {
			for (p = 0; p < n; p++)
				if (pids[p] == w)
					pids[p] = 0;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				printf("# worker %d died, status %#x\n", w, status);
				ok = false;
			}
			left--;
		} else {
			sleep_ms(10);
		}
	}
	for (p = 0; p < n; p++) {
		if (!pids[p])
			continue;
		ok = false;
		printf("# worker %d still running after %.0f s; its kernel stack:\n",
		       pids[p], limit_s);
		snprintf(path, sizeof(path), "/proc/%d/stack", pids[p]);
		fd = open(path, O_RDONLY);
		len = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (len > 0) {
			buf[len] = 0;
			printf("%s", buf);
		}
		if (fd >= 0)
			close(fd);
		kill(pids[p], SIGKILL);
	}
	return ok;
}

static int check_workers(unsigned int n)
{
	unsigned int p;
	int bad = 0;

	for (p = 0; p < n; p++) {
		if (sh->bad[p]) {
			printf("#   worker %u: %s (%d calls wrong)\n", p, sh->why[p], sh->bad[p]);
			bad++;
		}
	}
	return bad;
}

static void reset_shared(void)
{
	memset(sh, 0, sizeof(*sh));
}

static uint64_t sum(const uint64_t *v, unsigned int n)
{
	uint64_t total = 0;
	unsigned int p;

	for (p = 0; p < n; p++)
		total += v[p];
	return total;
}

/* ---- the emulated changer ---- */

/* A module parameter: its value before is kept in @old (once). */
static int set_param(const char *module, const char *name, const char *val,
		     char *old, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, name);
	if (old && autoch_read_file(path, old, len))
		return -1;
	if (old)
		old[strcspn(old, "\n")] = 0;
	return autoch_write_file(path, val);
}

/*
 * Commands of the opcodes @ops (-1 ends) the emulation has received
 * through every host, from its "counters"; -1 when it cannot be read.
 */
static long long received(const int *ops)
{
	char buf[8192], *line, *save;
	unsigned long long n;
	long long total = 0;
	unsigned int op;
	int i;

	if (autoch_read_file(EMUL_DIR "/counters", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x %llu", &op, &n) != 2)
			continue;
		for (i = 0; i < MAX_OPS && ops[i] >= 0; i++)
			if ((int)op == ops[i])
				total += n;
	}
	return total;
}

/*
 * Until one more command of @ops than @before has reached the changer, up
 * to @ms: whether it did.
 */
static bool wait_received(const int *ops, long long before, unsigned int ms)
{
	double t0 = now();
	long long n;

	while (now() - t0 < ms / 1000.0) {
		n = received(ops);
		if (n < 0)
			return false;
		if (n > before)
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Commands of each opcode the emulation's removals failed in flight. */
static int read_lost(uint64_t *lost)
{
	char buf[8192], *line, *save;
	unsigned int op;
	unsigned long long n;

	memset(lost, 0, 256 * sizeof(*lost));
	if (autoch_read_file(EMUL_DIR "/lost", buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%x %llu", &op, &n) == 2 && op < 256)
			lost[op] = n;
	return 0;
}

/* The node @dev and its sysfs directory exist again (after event add). */
static bool wait_dev(const char *dev)
{
	char path[PATH_MAX];
	double t0 = now();

	snprintf(path, sizeof(path), "/sys/class/autoch/%s", strrchr(dev, '/') + 1);
	while (now() - t0 < NODE_WAIT_S) {
		if (!access(dev, F_OK) && !access(path, F_OK))
			return true;
		sleep_ms(20);
	}
	return false;
}

/*
 * After a kind on the emulation: what its interrupted calls left on the
 * changer goes (a registration, element and unit reservations, PREVENT),
 * so that the next kind starts clean: unregister, a power-on reset, and a
 * status to take the unit attention.
 */
static void emul_clean(const char *dev)
{
	struct pr_registration reg = { .flags = PR_FL_IGNORE_KEY };
	struct element_addresses ea;
	struct element_status es = {};
	int fd, i;

	fd = open(dev, O_RDONLY);
	if (fd < 0)
		return;
	xioctl(fd, IOC_PR_REGISTER, &reg);
	autoch_write_file(EMUL_DIR "/event", "reset");
	for (i = 0; i < 3; i++) {
		if (xioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea))
			continue;
		es.element = ea.first_storage;
		if (!xioctl(fd, SIOC_ELEMENT_STATUS, &es))
			break;
	}
	close(fd);
}

/*
 * Whether kind @k met the removal as it must (see the top of the file);
 * false with the reason in @why.
 */
static bool raced(const struct kind *k, unsigned int nworkers,
		  const uint64_t *lost, char *why, size_t len)
{
	uint64_t nlost = 0;
	int i;

	if (!sum(sh->enxio, nworkers)) {
		snprintf(why, len, "no call on a file opened before the removal ended ENXIO");
		return false;
	}
	if (!emul || k->ops[0] < 0) {
		snprintf(why, len, "%llu calls on files opened before a removal ended ENXIO",
			 (unsigned long long)sum(sh->enxio, nworkers));
		return true;
	}
	for (i = 0; i < MAX_OPS && k->ops[i] >= 0; i++)
		nlost += lost[k->ops[i]];
	if (!nlost) {
		snprintf(why, len, "none of its commands was in flight at a removal");
		return false;
	}
	if (!sum(sh->raced, nworkers)) {
		snprintf(why, len, "%llu of its commands lost, no call across the removal ended ENXIO/EIO",
			 (unsigned long long)nlost);
		return false;
	}
	snprintf(why, len, "%llu commands lost in flight, %llu calls failed across the removal%s",
		 (unsigned long long)nlost, (unsigned long long)sum(sh->raced, nworkers),
		 k->call == do_xsense && sum(sh->xlost, nworkers) ?
		 ", XSENSE told of the loss" : "");
	return true;
}

/* Whether kind @k has met the removal so far, on the emulation. */
static bool race_met(const struct kind *k, unsigned int nworkers, uint64_t *lost)
{
	char why[200];

	return !read_lost(lost) && raced(k, nworkers, lost, why, sizeof(why));
}

/* ---- modes ---- */

static int run_unplug(const char *dev0, unsigned int rounds, unsigned int nworkers,
		      const bool *selected)
{
	char dev[PATH_MAX], del[PATH_MAX], scan[PATH_MAX], ctl[PATH_MAX], why[200];
	char latency[32], lat0[32] = "", cache0[32] = "";
	long long before;
	pid_t pids[MAX_WORKERS];
	unsigned int k, r, n, survived, total = 0, ntests = 0, failed = 0;
	double t0, t1, t_del, t_scan;
	static uint64_t lost[256];
	const char *what;
	bool ok;

	for (k = 0; k < NR_KINDS; k++)
		ntests += selected[k];
	printf("TAP version 13\n1..%u\n", ntests);
	snprintf(dev, sizeof(dev), "%s", dev0);
	if (emul) {
		/* status from the changer; what the test changes, restored */
		if (set_param("autoch", "cache_ms", "0", cache0, sizeof(cache0)) ||
		    set_param("autoch_emul", "latency_ms", "0", lat0, sizeof(lat0))) {
			printf("Bail out! cannot set cache_ms and latency_ms\n");
			return 1;
		}
		snprintf(latency, sizeof(latency), "%d", LATENCY_MS);
		printf("# on the emulation: commands take %d ms during the race, %s\n",
		       LATENCY_MS, "the removal fails those in flight");
	}

	for (k = 0; k < NR_KINDS; k++) {
		if (!selected[k])
			continue;
		reset_shared();
		if (emul && autoch_write_file(EMUL_DIR "/lost", "0"))
			printf("# cannot reset %s/lost\n", EMUL_DIR);
		t0 = now();
		t_del = t_scan = 0;
		ok = true;
		survived = 0;
		/*
		 * On the emulation a kind whose calls are two commands (close
		 * holding a reservation: the RESERVE its caller sees, the
		 * RELEASE close sends) can meet every removal in one of them
		 * by chance; it gets rounds until both were met, up to
		 * MORE_ROUNDS times as many, and fails only then.
		 */
		for (r = 0; ok && (r < rounds ||
				   (emul && r < MORE_ROUNDS * rounds &&
				    !race_met(&kinds[k], nworkers, lost))); r++) {
			if (emul ? !wait_dev(dev) :
			    !find_node(dev, sizeof(dev)) ||
			    !sysfs_paths(dev, del, scan, ctl, sizeof(del))) {
				printf("# round %u: no changer node\n", r);
				ok = false;
				break;
			}
			sh->ready = 0;
			sh->go = 0;
			sh->stop = 0;
			sh->t_remove = 0;
			n = start_workers(pids, 0, nworkers, dev, &kinds[k], false);
			t1 = now();
			while (sh->ready < (int)n && now() - t1 < NODE_WAIT_S)
				sleep_ms(1);
			/* let the calls get going, then pull the device */
			if (emul && kinds[k].on_op) {
				set_param("autoch_emul", "latency_ms", latency, NULL, 0);
				before = received(kinds[k].ops);
				sh->go = 1;
				if (!wait_received(kinds[k].ops, before, 20 * LATENCY_MS))
					printf("# round %u: none of its commands reached the changer\n", r);
			} else if (emul) {
				set_param("autoch_emul", "latency_ms", latency, NULL, 0);
				sleep_ms(LATENCY_MS / 2 + rand() % LATENCY_MS);
			} else {
				sleep_ms(rand() % 40);
			}
			t1 = now();
			sh->t_remove = t1;
			if (emul ? autoch_write_file(EMUL_DIR "/event", "remove fail") :
				   autoch_write_file(del, "1")) {
				printf("# round %u: cannot remove the changer: %s\n", r,
				       strerror(errno));
				ok = false;
			}
			t_del += now() - t1;
			if (!reap_workers(pids, n, WORKER_LIMIT_S)) {
				sh->stop = 1;
				ok = false;
			}
			if (emul)
				set_param("autoch_emul", "latency_ms", "0", NULL, 0);
			/* the first round as an administrator would, then just the LUN */
			what = emul ? "add" : r ? ctl : "- - -";
			t1 = now();
			if (emul ? autoch_write_file(EMUL_DIR "/event", what) : autoch_write_file(scan, what)) {
				printf("# round %u: cannot bring the changer back ('%s'): %s\n", r,
				       what, strerror(errno));
				ok = false;
			}
			t_scan += now() - t1;
			if (ok)
				survived++;
		}
		print_hist(nworkers);
		if (check_workers(nworkers))
			ok = false;
		if (ok && !(emul ? wait_dev(dev) : find_node(dev, sizeof(dev)))) {
			printf("# the changer did not come back after the last rescan\n");
			ok = false;
		}
		if (emul && read_lost(lost)) {
			printf("# cannot read %s/lost\n", EMUL_DIR);
			ok = false;
		}
		if (emul)
			emul_clean(dev);
		if (!raced(&kinds[k], nworkers, lost, why, sizeof(why)))
			ok = false;
		printf("#   %s\n", why);
		total += survived;
		printf("#   delete %.0f ms, rescan %.0f ms on average\n",
		       r ? 1000 * t_del / r : 0.0, r ? 1000 * t_scan / r : 0.0);
		printf("%sok %u %s: %u of %u unplugs survived, %.1f s\n", ok ? "" : "not ",
		       k + 1, kinds[k].name, survived, r, now() - t0);
		failed += !ok;
		fflush(stdout);
	}
	printf("# unplug: %u unplugs survived in all%s\n", total,
	       emul ? ", commands in flight failed by each" : "");
	if (emul && (set_param("autoch_emul", "latency_ms", lat0, NULL, 0) ||
		     set_param("autoch", "cache_ms", cache0, NULL, 0))) {
		printf("# cannot restore latency_ms and cache_ms\n");
		failed++;
	}
	return failed ? 1 : 0;
}

/*
 * Every kind at once for @seconds; the marker line tells the host to cut
 * the changer off. Every call must return within cmd_timeout plus the
 * error handler's time, so the workers stop when told.
 */
static int run_loss(const char *dev, unsigned int seconds)
{
	pid_t pids[NR_KINDS];
	unsigned int k, n = 0;
	struct worker w = {};
	double t0 = now();
	bool ok = true;
	int e, i;

	printf("TAP version 13\n1..2\n");
	reset_shared();
	sh->go = 1;
	for (k = 0; k < NR_KINDS; k++)
		n += start_workers(pids + n, n, 1, dev, &kinds[k], true);
	while (now() - t0 < seconds / 3.0)
		sleep_ms(100);
	/* on stderr, unbuffered: the caller may pipe stdout through a filter */
	sh->t_cut = now();
	fprintf(stderr, "AUTOCH-CUT-CHANGER-NOW\n");
	while (now() - t0 < seconds)
		sleep_ms(100);
	sh->stop = 1;
	if (!reap_workers(pids, n, WORKER_LIMIT_S))
		ok = false;
	print_hist(n);
	if (check_workers(n))
		ok = false;
	/* the driver must have seen the session go: nothing cut passes */
	printf("#   after the marker: %llu calls failed, %llu reset events\n",
	       (unsigned long long)sum(sh->cut, n), (unsigned long long)sum(sh->resets, n));
	if (!sum(sh->cut, n) && !sum(sh->resets, n)) {
		printf("#   the driver never saw the connection go: %s\n",
		       "no call failed after the marker, no reset");
		ok = false;
	}
	printf("%sok 1 calls during a lost connection return, errnos documented, %s (%.0f s)\n",
	       ok ? "" : "not ", "the loss seen", now() - t0);

	/* back to work: the reset the new login brings is reported once */
	w.dev = dev;
	w.fd = open(dev, O_RDONLY);
	e = w.fd < 0 ? errno : xioctl(w.fd, SIOC_ELEMENT_ADDRESSES, &w.ea);
	for (i = 0; i < 10 && (e == ECONNRESET || e == EBUSY); i++) {
		sleep_ms(500);
		e = xioctl(w.fd, SIOC_ELEMENT_ADDRESSES, &w.ea);
	}
	if (!e)
		e = do_element_status(&w);
	printf("%sok 2 the changer answers again afterwards%s%s\n", e ? "not " : "",
	       e ? ": " : "", e ? strerror(e) : "");
	if (e)
		ok = false;
	if (w.fd >= 0)
		close(w.fd);
	return ok ? 0 : 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: unplug [-d DEV] [-r ROUNDS] [-w WORKERS] [-k KIND]...\n"
		"       unplug -s SECONDS [-d DEV]\nkinds:");
	for (unsigned int k = 0; k < NR_KINDS; k++)
		fprintf(stderr, " %u (%s)", k + 1, kinds[k].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *dev = getenv("AUTOCH_DEV") ?: "/dev/autoch0";
	unsigned int rounds = 100, nworkers = 3, seconds = 0, k;
	bool selected[NR_KINDS] = {}, any = false;
	int opt;

	while ((opt = getopt(argc, argv, "d:r:w:k:s:")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			nworkers = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seconds = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			k = strtoul(optarg, NULL, 0);
			if (!k || k > NR_KINDS)
				usage();
			selected[k - 1] = true;
			any = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !nworkers || nworkers > MAX_WORKERS || !strrchr(dev, '/'))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		return 2;
	srand(getpid());
	emul = !access(EMUL_DIR "/event", W_OK);
	if (seconds)
		return run_loss(dev, seconds);
	for (k = 0; k < NR_KINDS; k++)
		if (!any)
			selected[k] = true;
	return run_unplug(dev, rounds, nworkers, selected);
}
