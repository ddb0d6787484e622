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
 * the device is gone); the node must come back after each rescan. The
 * kernel log is the caller's to check (make check-debug greps it for
 * sanitizer reports, lockdep and hung tasks).
 *
 * Usage: unplug [-d DEV] [-r ROUNDS] [-w WORKERS] [-k KIND]...
 *        unplug -s SECONDS [-d DEV]
 * The second form runs every kind of call at once (a worker each) for
 * SECONDS and prints, on stderr,
 * a marker line after a third of it, for a host-side action (make
 * check-debug stops the iSCSI target then); it checks that every call
 * returns (cmd_timeout bounds each command) and that errnos stay in the
 * documented set. Prints TAP; exits 0 when everything passed.
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

#define MAX_WORKERS	16
#define MAX_ERRNO	256
#define WORKER_LIMIT_S	120	/* a worker still running then is hung */
#define NODE_WAIT_S	30

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
};

struct shared {
	volatile int ready;
	volatile int stop;
	uint64_t calls[MAX_WORKERS];
	uint64_t hist[MAX_WORKERS][MAX_ERRNO + 1];
	double longest[MAX_WORKERS];	/* seconds, the slowest call */
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

/* A full and an empty storage slot, this worker's own when there are enough. */
static int pick_slots(struct worker *w)
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
		if (es.full && nfull++ <= w->id)
			w->src = es.element;
		if (!es.full && nempty++ <= w->id)
			w->dst = es.element;
	}
	return 0;
}

static int do_move(struct worker *w)
{
	struct move_medium_parms mp = {};
	uint16_t t;
	int e;

	if (!w->src || !w->dst) {
		e = pick_slots(w);
		if (e || !w->src || !w->dst)
			return e;
	}
	mp.transport = w->ea.first_transport;
	mp.source = w->src;
	mp.destination = w->dst;
	e = xioctl(w->fd, SIOC_MOVE_MEDIUM, &mp);
	if (!e) {
		t = w->src;
		w->src = w->dst;
		w->dst = t;
	} else if (e == ENOMEDIUM || e == EXFULL) {
		w->src = w->dst = 0;	/* another worker's move: look again */
	}
	return e;
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
	return xioctl(w->fd, AUTOCH_GET_EVENTS, &ev);
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

static const struct kind kinds[] = {
	{ .name = "SIOC_ELEMENT_STATUS loop", .call = do_element_status,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET } },
	{ .name = "SIOC_MOVE_MEDIUM", .call = do_move,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, ENOMEDIUM, EXFULL } },
	{ .name = "SIOC_INIT_ELEM_STAT", .call = do_init,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET } },
	{ .name = "SIOC_ELEMENT_ADDRESSES", .call = do_addresses,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET } },
	{ .name = "AUTOCH_ELEMENT_STATUS_RANGE", .call = do_range,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET } },
	{ .name = "SIOC_RESERVE/SIOC_RELEASE element", .call = do_reserve,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP } },
	{ .name = "SIOC_RESERVE/SIOC_RELEASE unit", .call = do_reserve_unit,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP } },
	{ .name = "AUTOCH_DRIVE_ID", .call = do_drive_id,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP } },
	{ .name = "IOC_PR_READ_KEYS", .call = do_pr_read_keys,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, EOPNOTSUPP } },
	{ .name = "poll", .call = do_poll,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET } },
	{ .name = "open/AUTOCH_INQUIRY/close", .call = do_open_close,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET }, .no_fd = true },
	/* a removed device still shows its cached map */
	{ .name = "sysfs attributes", .call = do_sysfs,
	  .extra = { ETIMEDOUT, EBUSY, ECONNRESET, ENOMEM },
	  .no_fd = true, .not_sticky = true },
};
#define NR_KINDS	(sizeof(kinds) / sizeof(kinds[0]))

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

static void worker(struct worker *w, const struct kind *k, bool until_stop)
{
	int e, gone = 0, i;
	double t;

	w->fd = -1;
	for (i = 0; i < 100 && w->fd < 0; i++) {
		w->fd = open(w->dev, O_RDONLY);
		if (w->fd < 0 && errno != EINTR)
			break;
	}
	if (w->fd < 0) {
		/* the device went before we started: nothing to race */
		__sync_fetch_and_add(&sh->ready, 1);
		return;
	}
	for (i = 0; i < 20; i++)
		if (!xioctl(w->fd, SIOC_ELEMENT_ADDRESSES, &w->ea))
			break;
	w->range = calloc(w->ea.num_storages ? w->ea.num_storages : 1,
			  sizeof(*w->range));
	if (k->no_fd) {
		close(w->fd);
		w->fd = -1;
	}
	__sync_fetch_and_add(&sh->ready, 1);

	while (!sh->stop) {
		t = now();
		e = k->call(w);
		t = now() - t;
		if (t > sh->longest[w->id])
			sh->longest[w->id] = t;
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

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
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

/* ---- modes ---- */

static int run_unplug(const char *dev0, unsigned int rounds, unsigned int nworkers,
		      const bool *selected)
{
	char dev[PATH_MAX], del[PATH_MAX], scan[PATH_MAX], ctl[PATH_MAX];
	pid_t pids[MAX_WORKERS];
	unsigned int k, r, n, survived, total = 0, ntests = 0, failed = 0;
	double t0, t1, t_del, t_scan;
	const char *what;
	bool ok;

	for (k = 0; k < NR_KINDS; k++)
		ntests += selected[k];
	printf("TAP version 13\n1..%u\n", ntests);
	snprintf(dev, sizeof(dev), "%s", dev0);

	for (k = 0; k < NR_KINDS; k++) {
		if (!selected[k])
			continue;
		reset_shared();
		t0 = now();
		t_del = t_scan = 0;
		ok = true;
		survived = 0;
		for (r = 0; r < rounds && ok; r++) {
			if (!find_node(dev, sizeof(dev)) ||
			    !sysfs_paths(dev, del, scan, ctl, sizeof(del))) {
				printf("# round %u: no changer node\n", r);
				ok = false;
				break;
			}
			sh->ready = 0;
			sh->stop = 0;
			n = start_workers(pids, 0, nworkers, dev, &kinds[k], false);
			t1 = now();
			while (sh->ready < (int)n && now() - t1 < NODE_WAIT_S)
				sleep_ms(1);
			/* let the calls get going, then pull the device */
			sleep_ms(rand() % 40);
			t1 = now();
			if (write_str(del, "1")) {
				printf("# round %u: cannot write %s: %s\n", r, del, strerror(errno));
				ok = false;
			}
			t_del += now() - t1;
			if (!reap_workers(pids, n, WORKER_LIMIT_S)) {
				sh->stop = 1;
				ok = false;
			}
			/* the first round as an administrator would, then just the LUN */
			what = r ? ctl : "- - -";
			t1 = now();
			if (write_str(scan, what)) {
				printf("# round %u: cannot write '%s' to %s: %s\n", r, what, scan,
				       strerror(errno));
				ok = false;
			}
			t_scan += now() - t1;
			if (ok)
				survived++;
		}
		print_hist(nworkers);
		if (check_workers(nworkers))
			ok = false;
		if (ok && !find_node(dev, sizeof(dev))) {
			printf("# the changer did not come back after the last rescan\n");
			ok = false;
		}
		total += survived;
		printf("#   delete %.0f ms, rescan %.0f ms on average\n",
		       r ? 1000 * t_del / r : 0.0, r ? 1000 * t_scan / r : 0.0);
		printf("%sok %u %s: %u of %u unplugs survived, %.1f s\n", ok ? "" : "not ",
		       k + 1, kinds[k].name, survived, rounds, now() - t0);
		failed += !ok;
		fflush(stdout);
	}
	printf("# unplug: %u unplugs survived in all\n", total);
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
	for (k = 0; k < NR_KINDS; k++)
		n += start_workers(pids + n, n, 1, dev, &kinds[k], true);
	while (now() - t0 < seconds / 3.0)
		sleep_ms(100);
	/* on stderr, unbuffered: the caller may pipe stdout through a filter */
	fprintf(stderr, "AUTOCH-CUT-CHANGER-NOW\n");
	while (now() - t0 < seconds)
		sleep_ms(100);
	sh->stop = 1;
	if (!reap_workers(pids, n, WORKER_LIMIT_S))
		ok = false;
	print_hist(n);
	if (check_workers(n))
		ok = false;
	printf("%sok 1 calls during a lost connection return, errnos documented (%.0f s)\n",
	       ok ? "" : "not ", now() - t0);

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
	if (seconds)
		return run_loss(dev, seconds);
	for (k = 0; k < NR_KINDS; k++)
		if (!any)
			selected[k] = true;
	return run_unplug(dev, rounds, nworkers, selected);
}
