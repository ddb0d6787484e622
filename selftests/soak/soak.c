// SPDX-License-Identifier: GPL-2.0
/*
 * soak: many processes mixing status queries, moves, exchanges,
 * reservations, inventories and opens/closes on one library through every
 * /dev/autochN given (two hosts of the emulated library), for a time.
 *
 * Usage: soak SECONDS PROCESSES DEV [DEV...]
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
 * Prints "SOAK ops=N moves=N checked=N exchanges=N reservations=N
 * inventories=N opens=N errors=N" and exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/autochanger.h>
#include <signal.h>
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
	long bad;
};

static struct stats *shared;	/* one per process, in shared memory */
static int ndevs;
static char **devs;
static struct element_addresses ea;

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

static int status(int fd, int addr, struct element_status *es)
{
	memset(es, 0, sizeof(*es));
	es->element = addr;
	return ioctl(fd, SIOC_ELEMENT_STATUS, es) ? errno : 0;
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
	st->bad++;
	fprintf(stderr, "soak %d: %s: %s\n", getpid(), what, strerror(err));
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

static int move(int fd, int src, int dst)
{
	struct move_medium_parms mp = {
		.transport = ea.first_transport + rnd(ea.num_transports),
		.source = src,
		.destination = dst,
	};

	return ioctl(fd, SIOC_MOVE_MEDIUM, &mp) ? errno : 0;
}

/* Reserve both, move, read back: the one check that no race can spoil. */
static void checked_move(int fd, struct stats *st)
{
	int id = getpid() & 0xff, src = pick_any(), dst = pick_any(), err;
	struct element_status s1, s2;
	char tag[36];

	if (src == dst)
		return;
	err = resv(fd, SIOC_RESERVE, src, id);
	check(st, "reserve source", err);
	if (err)
		return;
	err = resv(fd, SIOC_RESERVE, dst, id);
	check(st, "reserve destination", err);
	if (err)
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
	 * failure.
	 */
	if (err && err != ENOMEDIUM && err != EXFULL) {
		st->bad++;
		fprintf(stderr, "soak %d: reserved move %d -> %d: %s\n",
			getpid(), src, dst, strerror(err));
	}
	if (err)
		goto release;
	st->moves++;
	/* the other host's unit reservation may keep us from looking */
	if (status(fd, src, &s1) || status(fd, dst, &s2))
		goto release;
	if (s1.full || !s2.full || memcmp(tag, s2.pri_vol_tag, sizeof(tag))) {
		st->bad++;
		fprintf(stderr, "soak %d: move %d -> %d reported done, not seen\n",
			getpid(), src, dst);
	} else {
		st->checked++;
	}
release:
	check(st, "release destination", resv(fd, SIOC_RELEASE, dst, id));
release_src:
	check(st, "release source", resv(fd, SIOC_RELEASE, src, id));
}

static void worker(int idx, time_t end)
{
	struct stats *st = &shared[idx];
	int fd = open(devs[idx % ndevs], O_RDONLY), fd2, err;
	struct element_status es;

	srand(getpid() ^ time(NULL));
	if (fd < 0) {
		st->bad++;
		return;
	}
	while (time(NULL) < end) {
		int r = rnd(100);

		st->ops++;
		if (r < 40) {
			check(st, "status", status(fd, pick_any(), &es));
		} else if (r < 55) {
			err = move(fd, pick_any(), pick_storage());
			check(st, "move", err);
			if (!err)
				st->moves++;
		} else if (r < 70) {
			checked_move(fd, st);
		} else if (r < 77) {
			struct exchange_medium_parms xp = {
				.transport = ea.first_transport,
				.source = pick_storage(),
				.first_destination = pick_storage(),
			};

			xp.second_destination = xp.source;
			err = ioctl(fd, SIOC_EXCHANGE_MEDIUM, &xp) ? errno : 0;
			/* the same slot twice is the caller's mistake */
			if (xp.source == xp.first_destination && err == EINVAL)
				err = 0;
			check(st, "exchange", err == EOPNOTSUPP ? 0 : err);
			if (!err)
				st->exchanges++;
		} else if (r < 82) {
			err = resv(fd, SIOC_RESERVE, -1, 0);
			if (err == 0) {
				/* hold the unit a moment, then let go */
				usleep(rnd(20000));
				check(st, "unit release",
				      resv(fd, SIOC_RELEASE, -1, 0) == 0 ? 0 : EIO);
				st->reservations++;
			} else {
				check(st, "unit reserve", err);
			}
		} else if (r < 84) {
			err = ioctl(fd, SIOC_INIT_ELEM_STAT, NULL) ? errno : 0;
			check(st, "inventory", err);
			if (!err)
				st->inventories++;
		} else {
			fd2 = open(devs[rnd(ndevs)], O_RDONLY);
			if (fd2 < 0) {
				check(st, "open", errno);
				continue;
			}
			/* a file closed holding a reservation must release it */
			if (!resv(fd2, SIOC_RESERVE, pick_any(), 7))
				st->reservations++;
			check(st, "status", status(fd2, pick_any(), &es));
			close(fd2);
			st->opens++;
		}
	}
	close(fd);
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

int main(int argc, char **argv)
{
	int seconds, procs, i, fd, status, failed = 0;
	struct stats total = { 0 };
	time_t end;

	if (argc == 3 && !strcmp(argv[1], "inventory"))
		return inventory(argv[2]);
	if (argc < 4) {
		fprintf(stderr, "usage: soak SECONDS PROCESSES DEV [DEV...]\n"
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

	shared = mmap(NULL, procs * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	memset(shared, 0, procs * sizeof(*shared));

	end = time(NULL) + seconds;
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid) {
			worker(i, end);
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed = 1;
	}
	for (i = 0; i < procs; i++) {
		total.ops += shared[i].ops;
		total.moves += shared[i].moves;
		total.checked += shared[i].checked;
		total.exchanges += shared[i].exchanges;
		total.reservations += shared[i].reservations;
		total.inventories += shared[i].inventories;
		total.opens += shared[i].opens;
		total.bad += shared[i].bad;
	}
	printf("SOAK ops=%ld moves=%ld checked=%ld exchanges=%ld reservations=%ld inventories=%ld opens=%ld errors=%ld\n",
	       total.ops, total.moves, total.checked, total.exchanges,
	       total.reservations, total.inventories, total.opens, total.bad);
	return failed || total.bad ? 1 : 0;
}
