// SPDX-License-Identifier: GPL-2.0
/*
 * path_caller - the caller's side of a path cut (guest-paths-tgt.sh): what
 * a program sees of a failover, timed from the program.
 *
 *   path_caller status DEV ELEMENT READY STOP
 *	SIOC_ELEMENT_STATUS of ELEMENT again and again until the file STOP
 *	exists; the file READY is created after the first call, and holds
 *	the number of calls so far, rewritten after each.  Stops at the
 *	first call that fails.
 *   path_caller move DEV SOURCE DESTINATION
 *	one SIOC_MOVE_MEDIUM (the first transport element).
 *   path_caller reserve DEV SOURCE DESTINATION READY GO
 *	SIOC_RESERVE of SOURCE and DESTINATION (identification 1), creates
 *	READY, waits for the file GO, then moves SOURCE to DESTINATION; a
 *	move that fails with ECONNRESET (reservations lost) is tried once
 *	more, as its caller would after reading the reservations.
 *
 * Prints one line of KEY=VALUE figures ("status calls=N failed=0
 * max_ms=M"; "move errno=E ms=M"; "reserve errno=E ... ms=M") and exits
 * 0 when every call it made succeeded (the reserve mode: also after one
 * ECONNRESET).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/autochanger.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int open_dev(const char *dev)
{
	int fd = open(dev, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "path_caller: %s: %s\n", dev, strerror(errno));
		exit(2);
	}
	return fd;
}

static void put_file(const char *path, unsigned long n)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%lu\n", n);
	fclose(f);
	rename(tmp, path);
}

static int do_status(const char *dev, int elem, const char *ready,
		     const char *stop)
{
	struct element_status es;
	unsigned long calls = 0;
	double t0, ms, max_ms = 0;
	int fd = open_dev(dev), err = 0;

	while (access(stop, F_OK)) {
		memset(&es, 0, sizeof(es));
		es.element = elem;
		t0 = now_ms();
		if (ioctl(fd, SIOC_ELEMENT_STATUS, &es) < 0) {
			err = errno;
			break;
		}
		ms = now_ms() - t0;
		if (ms > max_ms)
			max_ms = ms;
		put_file(ready, ++calls);
	}
	printf("status calls=%lu failed=%d errno=%d max_ms=%.0f\n", calls,
	       !!err, err, max_ms);
	return err ? 1 : 0;
}

static int first_transport(int fd)
{
	struct element_addresses ea;

	memset(&ea, 0, sizeof(ea));
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea) < 0)
		return -1;
	return ea.first_transport;
}

static int move(int fd, int src, int dst, double *ms)
{
	struct move_medium_parms mp;
	double t0 = now_ms();
	int err = 0;

	memset(&mp, 0, sizeof(mp));
	mp.transport = first_transport(fd);
	mp.source = src;
	mp.destination = dst;
	if (ioctl(fd, SIOC_MOVE_MEDIUM, &mp) < 0)
		err = errno;
	*ms = now_ms() - t0;
	return err;
}

static int do_move(const char *dev, int src, int dst)
{
	int fd = open_dev(dev), err;
	double ms;

	err = move(fd, src, dst, &ms);
	printf("move errno=%d ms=%.0f\n", err, ms);
	return err ? 1 : 0;
}

static int reserve(int fd, int elem)
{
	struct reservation_parms rp;

	memset(&rp, 0, sizeof(rp));
	rp.element = elem;
	rp.identification = 1;
	return ioctl(fd, SIOC_RESERVE, &rp) < 0 ? errno : 0;
}

static int do_reserve(const char *dev, int src, int dst, const char *ready,
		      const char *go)
{
	int fd = open_dev(dev), err, again = -1;
	double ms, ms2 = 0;

	err = reserve(fd, src);
	if (!err)
		err = reserve(fd, dst);
	if (err) {
		printf("reserve errno=%d (SIOC_RESERVE)\n", err);
		return 1;
	}
	put_file(ready, 1);
	while (access(go, F_OK))
		usleep(20000);
	err = move(fd, src, dst, &ms);
	if (err == ECONNRESET)
		again = move(fd, src, dst, &ms2);
	printf("reserve errno=%d again_errno=%d ms=%.0f again_ms=%.0f\n", err,
	       again, ms, ms2);
	return !err || (err == ECONNRESET && !again) ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "status"))
		return do_status(argv[2], atoi(argv[3]), argv[4], argv[5]);
	if (argc == 5 && !strcmp(argv[1], "move"))
		return do_move(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 7 && !strcmp(argv[1], "reserve"))
		return do_reserve(argv[2], atoi(argv[3]), atoi(argv[4]),
				  argv[5], argv[6]);
	fprintf(stderr, "usage: path_caller status DEV ELEMENT READY STOP\n"
		"       path_caller move DEV SRC DST\n"
		"       path_caller reserve DEV SRC DST READY GO\n");
	return 2;
}
