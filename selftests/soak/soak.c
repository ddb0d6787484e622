// SPDX-License-Identifier: GPL-2.0
/*
 * soak: many processes mixing status queries, moves, exchanges,
 * reservations, inventories and opens/closes on one library through every
 * /dev/autochN given (two hosts of the emulated library), for a time.
 *
 * Usage: soak [-f CTL] SECONDS PROCESSES DEV [DEV...]
 *
 * -f CTL: the flap soak. DEV is one node with two paths (autoch's
 * multipath=1 over the emulation's two hosts) and CTL the emulation's
 * debugfs directory. A flapper process takes the active path down every
 * 2 to 5 s (its host byte in turn no_connect, transport_disrupted,
 * transport_failfast, bad_target; two times in three after arming a
 * delay fault on MOVE or EXCHANGE MEDIUM through it, so that some moves
 * cut off were carried out) and brings it up 0.2 to 1.5 s later. Eight
 * open files of the parent hold an element reservation each, 8 s at a
 * time, and send nothing.
 *
 * Invariants checked:
 * - every call returns 0 or an errno the documentation allows for what a
 *   concurrent caller can cause (EBUSY, ENOMEDIUM, EXFULL); anything else
 *   is a failure;
 * - a move made while holding reservations on both elements (so that no
 *   other process or host can touch them) is seen done: the barcode is
 *   at the destination and the source is empty, read back at once;
 * - at the end, the volume tags in the library are the same multiset as
 *   at the start: no cartridge lost or duplicated (compared by the caller
 *   against the emulation's own state, and here through the driver).
 *
 * With -f, also:
 * - a call that the flap cut off and that autoch does not send again
 *   (reserve, release, inventory) may fail with the transport's errno
 *   (ENXIO, EIO), and only when it overlapped a flap (counted "cut");
 * - a move or exchange may fail with EIO only with an
 *   AUTOCH_EVENT_MOVE_UNKNOWN event on its file (counted "unknown"); the
 *   caller compares the count with moves_cut_unknown;
 * - a reservation lost is heard as ECONNRESET (counted "resets");
 * - a reserved move answered ENOMEDIUM or EXFULL that the changer shows
 *   carried out (our tag now at the destination, the source empty) was
 *   sent twice: a failure;
 * - each held reservation is, after 8 s, either held on the changer
 *   (the emulation's state: "# ADDR reserved by N") and listed by
 *   AUTOCH_RESERVATIONS, or listed lost there: anything else fails;
 * - the latency of every call: the longest of those that overlapped a
 *   flap, and of the status calls among them (the pause a caller sees).
 *
 * Prints "SOAK ops=N moves=N checked=N exchanges=N reservations=N
 * inventories=N opens=N errors=N", with -f also "FLAP flaps=N cut=N
 * unknown=N resets=N held=N lost=N status_flap_max_ms=N
 * call_flap_max_ms=N status_max_ms=N", and exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/autochanger.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct stats {
	long ops, moves, checked, exchanges, reservations, inventories, opens;
	long cut, unknown, resets;
	long status_flap_ms, call_flap_ms, status_ms;
	long bad;
};

static struct stats *shared;	/* one per process, in shared memory */
static int ndevs;
static char **devs;
static struct element_addresses ea;

/*
 * The flap soak (-f): the emulation's control directory, and the flap
 * generation in shared memory, odd while a path is down (from before the
 * flapper takes it down to after it is up again).
 */
struct flap {
	long gen;
	long flaps;
};

static const char *ctl;
static struct flap *flap;

#define HOLDS		8

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	usleep(ms * 1000);
}

static long flap_gen(void)
{
	return flap ? __atomic_load_n(&flap->gen, __ATOMIC_SEQ_CST) : 0;
}

/* Did a call that started in generation @g0 overlap a flap? */
static bool flapped(long g0)
{
	return flap && ((g0 & 1) || flap_gen() != g0);
}

static int rnd(int n)
{
	return n > 0 ? rand() % n : 0;
}

static int pick_storage(void)
{
	return ea.first_storage + rnd(ea.num_storages);
}

static int pick_any(void)
{
	int r = rnd(ea.num_storages + ea.num_import_exports + ea.num_data_transfers);

	if (r < ea.num_storages)
		return ea.first_storage + r;
	r -= ea.num_storages;
	if (r < ea.num_import_exports)
		return ea.first_import_export + r;
	return ea.first_data_transfer + r - ea.num_import_exports;
}

static struct stats me_parent;
static struct stats *me = &me_parent;	/* this process's */

static long longer(long a, long b)
{
	return a > b ? a : b;
}

static int status(int fd, int addr, struct element_status *es)
{
	long g0 = flap_gen(), t0 = now_ms(), dt;
	int err;

	memset(es, 0, sizeof(*es));
	es->element = addr;
	err = ioctl(fd, SIOC_ELEMENT_STATUS, es) ? errno : 0;
	dt = now_ms() - t0;
	if (flapped(g0))
		me->status_flap_ms = longer(me->status_flap_ms, dt);
	else
		me->status_ms = longer(me->status_ms, dt);
	return err;
}

/* What a concurrent caller can legitimately cause. */
static int allowed(int err)
{
	return !err || err == EBUSY || err == ENOMEDIUM || err == EXFULL;
}

static void check(struct stats *st, const char *what, int err)
{
	if (allowed(err))
		return;
	if (flap && err == ECONNRESET) {	/* a reservation lost */
		st->resets++;
		return;
	}
	st->bad++;
	fprintf(stderr, "soak %d: %s: %s\n", getpid(), what, strerror(err));
}

/*
 * A call autoch does not send again (reserve, release, inventory), cut
 * off by a flap it overlapped (started in generation @g0): the
 * transport's errno is its answer.
 */
static void check_cut(struct stats *st, const char *what, int err, long g0)
{
	if (flapped(g0) && (err == ENXIO || err == EIO))
		st->cut++;
	else
		check(st, what, err);
}

static int resv(int fd, unsigned long req, int addr, int id)
{
	struct reservation_parms rp = { .element = addr, .identification = id };

	if (addr < 0) {		/* the unit */
		rp.element = 0;
		rp.identification = 0;
		rp.all_elements = 1;
	}

	return ioctl(fd, req, &rp) ? errno : 0;
}

/* Reserve @addr; 0 when held. A reserve cut off by a flap is counted. */
static int reserve(int fd, struct stats *st, const char *what, int addr, int id)
{
	long g0 = flap_gen();
	int err = resv(fd, SIOC_RESERVE, addr, id);

	check_cut(st, what, err, g0);
	return err;
}

/* Release @addr; a release cut off by a flap is tried again. */
static void release(int fd, struct stats *st, const char *what, int addr, int id)
{
	long g0;
	int err, i;

	for (i = 0; i < 3; i++) {
		g0 = flap_gen();
		err = resv(fd, SIOC_RELEASE, addr, id);
		check_cut(st, what, err, g0);
		if (!flapped(g0) || (err != ENXIO && err != EIO))
			return;
	}
}

/* In the flap soak: forget this file's events, so move_unknown() sees its own. */
static void events_clear(int fd)
{
	struct autoch_events ev;

	if (flap)
		ioctl(fd, AUTOCH_GET_EVENTS, &ev);
}

static int move(int fd, int src, int dst)
{
	struct move_medium_parms mp = {
		.transport = ea.first_transport + rnd(ea.num_transports),
		.source = src,
		.destination = dst,
	};

	events_clear(fd);
	return ioctl(fd, SIOC_MOVE_MEDIUM, &mp) ? errno : 0;
}

/*
 * A move or exchange that failed with @err: in the flap soak EIO is
 * allowed with an AUTOCH_EVENT_MOVE_UNKNOWN event on the file (the move
 * was cut off and autoch could not tell what the changer did).
 */
static int move_unknown(int fd, struct stats *st, int err)
{
	struct autoch_events ev = { 0 };

	if (!flap || err != EIO)
		return err;
	if (ioctl(fd, AUTOCH_GET_EVENTS, &ev) ||
	    !(ev.events & AUTOCH_EVENT_MOVE_UNKNOWN)) {
		st->bad++;
		fprintf(stderr, "soak %d: EIO from a move, no MOVE_UNKNOWN event\n",
			getpid());
	} else {
		st->unknown++;
	}
	return 0;
}

/*
 * A reserved move answered ENOMEDIUM or EXFULL: in the flap soak, the
 * changer showing it carried out (our tag at @dst, @src empty) means it
 * was sent twice. Another process's move queued before our reservation
 * could in theory do the same; with 1,000 slots picked at random that
 * is not seen.
 */
static void sent_twice(int fd, struct stats *st, int src, int dst, const char *tag)
{
	struct element_status s1, s2;

	if (!flap || status(fd, src, &s1) || status(fd, dst, &s2))
		return;
	if (!s1.full && s2.full && !memcmp(tag, s2.pri_vol_tag, 36)) {
		st->bad++;
		fprintf(stderr, "soak %d: move %d -> %d done, reported failed (sent twice?)\n",
			getpid(), src, dst);
	}
}

/* After a reserved move reported done: is it? */
static void seen_done(int fd, struct stats *st, int src, int dst, const char *tag)
{
	struct element_status s1, s2;

	/* the other host's unit reservation may keep us from looking */
	if (status(fd, src, &s1) || status(fd, dst, &s2))
		return;
	if (s1.full || !s2.full || memcmp(tag, s2.pri_vol_tag, 36)) {
		st->bad++;
		fprintf(stderr, "soak %d: move %d -> %d reported done, not seen\n",
			getpid(), src, dst);
	} else {
		st->checked++;
	}
}

/* Reserve both, move, read back: the one check that no race can spoil. */
static void checked_move(int fd, struct stats *st)
{
	int id = getpid() & 0xff, src = pick_any(), dst = pick_any(), err;
	struct element_status s1, s2;
	char tag[36];

	if (src == dst || reserve(fd, st, "reserve source", src, id))
		return;
	if (reserve(fd, st, "reserve destination", dst, id))
		goto release_src;
	st->reservations += 2;
	if (status(fd, src, &s1) || status(fd, dst, &s2) || !s1.full || s2.full)
		goto release;
	memcpy(tag, s1.pri_vol_tag, sizeof(tag));
	err = move(fd, src, dst);
	/*
	 * What may still fail: the status read may be up to cache_ms old,
	 * and a move the other host had queued before our reservation
	 * still runs before ours (ENOMEDIUM, EXFULL). Once ours is done,
	 * nobody else can touch the two. The emulated library refuses no
	 * cartridge (no HARDWARE ERROR as tgt's drives give): EIO is a
	 * failure, but for a move cut off by a flap whose outcome autoch
	 * could not tell (move_unknown()); ECONNRESET is a reservation
	 * lost in a flap.
	 */
	if (err == ENOMEDIUM || err == EXFULL) {
		sent_twice(fd, st, src, dst, tag);
	} else if (flap && err == ECONNRESET) {
		st->resets++;
	} else if (err && move_unknown(fd, st, err)) {
		st->bad++;
		fprintf(stderr, "soak %d: reserved move %d -> %d: %s\n",
			getpid(), src, dst, strerror(err));
	}
	if (err)
		goto release;
	st->moves++;
	seen_done(fd, st, src, dst, tag);
release:
	release(fd, st, "release destination", dst, id);
release_src:
	release(fd, st, "release source", src, id);
}

static void exchange(int fd, struct stats *st)
{
	struct exchange_medium_parms xp = {
		.transport = ea.first_transport,
		.source = pick_storage(),
		.first_destination = pick_storage(),
	};
	int err;

	xp.second_destination = xp.source;
	events_clear(fd);
	err = ioctl(fd, SIOC_EXCHANGE_MEDIUM, &xp) ? errno : 0;
	/* the same slot twice is the caller's mistake */
	if (xp.source == xp.first_destination && err == EINVAL)
		err = 0;
	err = move_unknown(fd, st, err);
	check(st, "exchange", err == EOPNOTSUPP ? 0 : err);
	if (!err)
		st->exchanges++;
}

static void unit_reservation(int fd, struct stats *st)
{
	if (reserve(fd, st, "unit reserve", -1, 0))
		return;
	/* hold the unit a moment, then let go */
	usleep(rnd(20000));
	release(fd, st, "unit release", -1, 0);
	st->reservations++;
}

/* Open another file, maybe reserve, look, close holding it. */
static void open_close(struct stats *st)
{
	struct element_status es;
	int fd2 = open(devs[rnd(ndevs)], O_RDONLY);

	if (fd2 < 0) {
		check(st, "open", errno);
		return;
	}
	/* a file closed holding a reservation must release it */
	if (!reserve(fd2, st, "reserve", pick_any(), 7))
		st->reservations++;
	check(st, "status", status(fd2, pick_any(), &es));
	close(fd2);
	st->opens++;
}

static void one_op(int fd, struct stats *st)
{
	struct element_status es;
	int r = rnd(100), err;
	long g0 = flap_gen();

	if (r < 40) {
		check(st, "status", status(fd, pick_any(), &es));
	} else if (r < 55) {
		err = move_unknown(fd, st, move(fd, pick_any(), pick_storage()));
		check(st, "move", err);
		if (!err)
			st->moves++;
	} else if (r < 70) {
		checked_move(fd, st);
	} else if (r < 77) {
		exchange(fd, st);
	} else if (r < 82) {
		unit_reservation(fd, st);
	} else if (r < 84) {
		err = ioctl(fd, SIOC_INIT_ELEM_STAT, NULL) ? errno : 0;
		check_cut(st, "inventory", err, g0);
		if (!err)
			st->inventories++;
	} else {
		open_close(st);
	}
}

static void worker(int idx, time_t end)
{
	struct stats *st = &shared[idx];
	int fd = open(devs[idx % ndevs], O_RDONLY);
	long g0, t0;

	me = st;
	srand(getpid() ^ time(NULL));
	if (fd < 0) {
		st->bad++;
		return;
	}
	while (time(NULL) < end) {
		st->ops++;
		g0 = flap_gen();
		t0 = now_ms();
		one_op(fd, st);
		if (flapped(g0))
			st->call_flap_ms = longer(st->call_flap_ms, now_ms() - t0);
	}
	close(fd);
}

/* Write @s to the emulation's control file @file; 0 or an errno. */
static int ctl_write(const char *file, const char *s)
{
	char path[256];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", ctl, file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Read up to @len - 1 bytes of @path into @buf; the length or -1. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while (got < (ssize_t)len - 1 &&
	       (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

/* The SCSI host of @node's active path, -1 for none. */
static int active_host(const char *node)
{
	char dir[128], path[512], buf[32];
	struct dirent *de;
	int host = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "/sys/class/autoch/%s/paths", node);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/state", dir, de->d_name);
		if (read_text(path, buf, sizeof(buf)) > 0 &&
		    !strncmp(buf, "active", 6))
			host = atoi(de->d_name);
	}
	closedir(d);
	return host;
}

/* The emulation's path index of SCSI host @host ("N hostH ..."), -1 for none. */
static int path_index(int host)
{
	char buf[1024], path[256], *line;
	int idx, h;

	snprintf(path, sizeof(path), "%s/path", ctl);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (sscanf(line, "%d host%d", &idx, &h) == 2 && h == host)
			return idx;
	return -1;
}

/*
 * Take the active path (else path @i % 2) down for 0.2 to 1.5 s with
 * host byte @how; with @delay, first arm a delay fault on MOVE (a5) or
 * EXCHANGE (a6) MEDIUM through it and let moves arrive for 0.3 s, so
 * that some of those cut off were carried out.
 */
static void flap_once(const char *node, int i, const char *how, const char *delay)
{
	char cmd[96];
	int idx = path_index(active_host(node));

	if (idx < 0)
		idx = i % 2;
	if (delay) {
		snprintf(cmd, sizeof(cmd), "opcode=%s host=%d count=2 fault=delay ms=1500",
			 delay, idx);
		ctl_write("fault", cmd);
		sleep_ms(300);
	}
	__atomic_add_fetch(&flap->gen, 1, __ATOMIC_SEQ_CST);
	snprintf(cmd, sizeof(cmd), "down %d %s", idx, how);
	if (ctl_write("path", cmd))
		fprintf(stderr, "soak: flapper: %s failed\n", cmd);
	sleep_ms(200 + rnd(1300));
	snprintf(cmd, sizeof(cmd), "up %d", idx);
	if (ctl_write("path", cmd))
		fprintf(stderr, "soak: flapper: %s failed\n", cmd);
	__atomic_add_fetch(&flap->gen, 1, __ATOMIC_SEQ_CST);
	ctl_write("fault", "clear");
	flap->flaps++;
}

/* Flap until 8 s before @end, every path up when it returns. */
static void flapper(const char *node, time_t end)
{
	static const char *const how[] = {
		"no_connect", "transport_disrupted", "transport_failfast",
		"bad_target",
	};
	static const char *const delay[] = { NULL, "a5", "a6" };
	int i;

	srand(getpid() ^ time(NULL));
	for (i = 0; time(NULL) + 8 < end; i++) {
		sleep_ms(2000 + rnd(3000));
		flap_once(node, i, how[i % 4], delay[i % 3]);
	}
}

/* "address full barcode" for every element with a cartridge, as the driver sees it */
static int inventory(const char *dev)
{
	int fd = open(dev, O_RDONLY), a, last;
	struct element_status es;
	const unsigned short *p = &ea.first_transport;
	int t;

	if (fd < 0 || ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea)) {
		perror(dev);
		return 1;
	}
	for (t = 1; t < 4; t++) {
		last = p[2 * t] + p[2 * t + 1];
		for (a = p[2 * t]; a < last; a++) {
			if (status(fd, a, &es)) {
				perror("SIOC_ELEMENT_STATUS");
				return 1;
			}
			if (es.full) {
				int len = strnlen(es.pri_vol_tag, 32);

				while (len && es.pri_vol_tag[len - 1] == ' ')
					len--;
				printf("%d %.*s\n", a, len, es.pri_vol_tag);
			}
		}
	}
	return 0;
}

/* The emulation's initiator (path index) holding @addr, -1 for none. */
static int changer_holder(int addr)
{
	static char buf[1 << 20];
	char path[256], want[48], *p;

	snprintf(path, sizeof(path), "%s/state", ctl);
	if (read_text(path, buf, sizeof(buf)) < 0)
		return -2;
	snprintf(want, sizeof(want), "\n# %d reserved by ", addr);
	p = strstr(buf, want);
	return p ? atoi(p + strlen(want)) : -1;
}

static bool listed(const __u16 *list, int n, int addr)
{
	int i;

	for (i = 0; i < n && i < AUTOCH_MAX_RESERVED; i++)
		if (list[i] == addr)
			return true;
	return false;
}

/*
 * Open files that each hold element @hold[k] reserved and send nothing
 * (autoch's work item takes them again after a failover); -1 where the
 * open or the reservation failed (a worker holds it, or a flap cut the
 * RESERVE off: no failure).
 */
static void hold_open(int *fd, const int *hold)
{
	int k;

	for (k = 0; k < HOLDS; k++) {
		fd[k] = open(devs[0], O_RDONLY);
		if (fd[k] >= 0 && resv(fd[k], SIOC_RESERVE, hold[k], 0x40 + k)) {
			close(fd[k]);
			fd[k] = -1;
		}
	}
}

/*
 * The reservation of @addr that @fd made is either held (AUTOCH_RESERVATIONS
 * lists it and the changer shows it held) or reported lost; anything else
 * is a failure (returns 1). Looked at between two flaps: a path going
 * down in the middle drops the changer's reservations until autoch takes
 * them again.
 */
static int hold_one(int fd, int addr, int *held, int *lost)
{
	struct autoch_reservation_state rs;
	int i, who = -2;
	long g0;

	for (i = 0; i < 50; i++) {
		g0 = flap_gen();
		memset(&rs, 0, sizeof(rs));
		if (!(g0 & 1) && !ioctl(fd, AUTOCH_RESERVATIONS, &rs)) {
			who = changer_holder(addr);
			if (flap_gen() == g0)
				break;
		}
		sleep_ms(100);
	}
	if (listed(rs.elements, rs.num_elements, addr) && who >= 0) {
		(*held)++;
		return 0;
	}
	if (listed(rs.lost, rs.num_lost, addr)) {
		(*lost)++;
		return 0;
	}
	fprintf(stderr, "soak: reservation of %d not held (%s, changer %d) nor lost\n",
		addr, listed(rs.elements, rs.num_elements, addr) ?
		"listed" : "not listed", who);
	return 1;
}

/*
 * The parent while the workers run: hold the elements for 8 s (flaps
 * come), check each (hold_one()), let go for 4 s (inventories and unit
 * reservations wait for no reservation of another file). Returns the
 * failures.
 */
static int hold_run(const int *hold, time_t end, int *held, int *lost)
{
	int fd[HOLDS], k, bad = 0;

	while (time(NULL) + 10 < end) {
		hold_open(fd, hold);
		sleep_ms(8000);
		for (k = 0; k < HOLDS; k++) {
			if (fd[k] < 0)
				continue;
			bad += hold_one(fd[k], hold[k], held, lost);
			close(fd[k]);
		}
		sleep_ms(4000);
	}
	return bad;
}

static void add_stats(struct stats *t, const struct stats *s)
{
	t->ops += s->ops;
	t->moves += s->moves;
	t->checked += s->checked;
	t->exchanges += s->exchanges;
	t->reservations += s->reservations;
	t->inventories += s->inventories;
	t->opens += s->opens;
	t->cut += s->cut;
	t->unknown += s->unknown;
	t->resets += s->resets;
	t->status_flap_ms = longer(t->status_flap_ms, s->status_flap_ms);
	t->call_flap_ms = longer(t->call_flap_ms, s->call_flap_ms);
	t->status_ms = longer(t->status_ms, s->status_ms);
	t->bad += s->bad;
}

/* Fork @procs workers and, flapping, the flapper; 0 when all started. */
static int start(int procs, time_t end)
{
	int i;
	pid_t pid;

	for (i = 0; i <= procs; i++) {
		if (i == procs && !flap)
			break;
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid)
			continue;
		if (i < procs)
			worker(i, end);
		else
			flapper(strrchr(devs[0], '/') ? strrchr(devs[0], '/') + 1 : devs[0], end);
		_exit(0);
	}
	return 0;
}

static void report(const struct stats *t, int held, int lost)
{
	printf("SOAK ops=%ld moves=%ld checked=%ld exchanges=%ld reservations=%ld inventories=%ld opens=%ld errors=%ld\n",
	       t->ops, t->moves, t->checked, t->exchanges,
	       t->reservations, t->inventories, t->opens, t->bad);
	if (!flap)
		return;
	printf("FLAP flaps=%ld cut=%ld unknown=%ld resets=%ld held=%d lost=%d ",
	       flap->flaps, t->cut, t->unknown, t->resets, held, lost);
	printf("status_flap_max_ms=%ld call_flap_max_ms=%ld status_max_ms=%ld\n",
	       t->status_flap_ms, t->call_flap_ms, t->status_ms);
}

static void *shared_mem(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 0, len);
	return p;
}

int main(int argc, char **argv)
{
	int seconds, procs, i, fd, status, failed = 0, held = 0, lost = 0;
	int hold[HOLDS];
	struct stats total = { 0 };
	time_t end;

	if (argc == 3 && !strcmp(argv[1], "inventory"))
		return inventory(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "-f")) {
		ctl = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || (ctl && argc != 4)) {
		fprintf(stderr, "usage: soak SECONDS PROCESSES DEV [DEV...]\n"
			"       soak -f CTL SECONDS PROCESSES DEV\n"
			"       soak inventory DEV\n");
		return 2;
	}
	seconds = atoi(argv[1]);
	procs = atoi(argv[2]);
	devs = argv + 3;
	ndevs = argc - 3;

	fd = open(devs[0], O_RDONLY);
	if (fd < 0 || ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea)) {
		perror(devs[0]);
		return 1;
	}
	close(fd);

	shared = shared_mem(procs * sizeof(*shared));
	if (!shared)
		return 1;
	if (ctl) {
		flap = shared_mem(sizeof(*flap));
		if (!flap)
			return 1;
	}
	/* the holders' elements: the last storage slots, which moves also pick */
	for (i = 0; i < HOLDS; i++)
		hold[i] = ea.first_storage + ea.num_storages - 1 - i;

	end = time(NULL) + seconds;
	if (start(procs, end))
		return 1;
	if (flap)
		total.bad += hold_run(hold, end, &held, &lost);
	for (i = 0; i < procs + !!flap; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	for (i = 0; i < procs; i++)
		add_stats(&total, &shared[i]);
	report(&total, held, lost);
	return failed || total.bad ? 1 : 0;
}
