// SPDX-License-Identifier: GPL-2.0
/*
 * autoch-bench: the operations `make bench` times, through autoch and
 * through Linux's ch driver, in one static program for the test guest.
 *
 *   autoch-bench loop /dev/autochN      SIOC_ELEMENT_STATUS on every element
 *   autoch-bench range /dev/autochN     AUTOCH_ELEMENT_STATUS_RANGE per type
 *   autoch-bench ch-status /dev/schN    CHIOGSTATUS for every type
 *   autoch-bench ch-elem /dev/schN      CHIOGELEM (with volume tags) on every element
 *   autoch-bench during-move DEV SRC DST
 *                       moves SRC to DST in a child and, while the move
 *                       runs, times SIOC_ELEMENT_STATUS (or CHIOGELEM for
 *                       a /dev/sch node) of the other elements
 *   autoch-bench time CMD [ARGS]        wall time of a command (mtx)
 *   autoch-bench mark /dev/sgN K        an INQUIRY with allocation length
 *                       0xc0+K, a marker the host finds in QEMU's trace
 *
 * Each prints one line: RESULT <name> <seconds> <details>.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/autochanger.h>
#include <linux/chio.h>
#include <scsi/sg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "autoch-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_dev(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	return fd;
}

static void addresses(int fd, struct element_addresses *ea)
{
	if (ioctl(fd, SIOC_ELEMENT_ADDRESSES, ea))
		die("SIOC_ELEMENT_ADDRESSES");
}

/* first address and count of type t (0 transport .. 3 data transfer) */
static void type_range(const struct element_addresses *ea, int t,
		       int *first, int *n)
{
	const unsigned short *p = &ea->first_transport;

	*first = p[2 * t];
	*n = p[2 * t + 1];
}

static int bench_loop(const char *dev)
{
	struct element_addresses ea;
	struct element_status es;
	int fd = open_dev(dev), t, i, first, n, total = 0, full = 0;
	double t0 = now();

	addresses(fd, &ea);
	for (t = 0; t < 4; t++) {
		type_range(&ea, t, &first, &n);
		for (i = 0; i < n; i++) {
			memset(&es, 0, sizeof(es));
			es.element = first + i;
			if (ioctl(fd, SIOC_ELEMENT_STATUS, &es))
				die("SIOC_ELEMENT_STATUS");
			full += es.full;
			total++;
		}
	}
	printf("RESULT autoch_loop %.3f elements=%d full=%d\n", now() - t0,
	       total, full);
	return 0;
}

static int bench_range(const char *dev)
{
	struct autoch_status_range sr = { 0 };
	struct element_addresses ea;
	struct element_status *es;
	int fd = open_dev(dev), t, i, first, n, total = 0, full = 0;
	double t0 = now();

	addresses(fd, &ea);
	for (t = 0; t < 4; t++) {
		type_range(&ea, t, &first, &n);
		if (!n)
			continue;
		es = calloc(n, sizeof(*es));
		if (!es)
			die("calloc");
		sr.first = first;
		sr.count = n;
		sr.statuses = (unsigned long)es;
		if (ioctl(fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr))
			die("AUTOCH_ELEMENT_STATUS_RANGE");
		for (i = 0; i < n; i++)
			full += es[i].full;
		total += n;
		free(es);
	}
	printf("RESULT autoch_range %.3f elements=%d full=%d\n", now() - t0,
	       total, full);
	return 0;
}

static void ch_params(int fd, int counts[4])
{
	struct changer_params cp;

	if (ioctl(fd, CHIOGPARAMS, &cp))
		die("CHIOGPARAMS");
	counts[CHET_MT] = cp.cp_npickers;
	counts[CHET_ST] = cp.cp_nslots;
	counts[CHET_IE] = cp.cp_nportals;
	counts[CHET_DT] = cp.cp_ndrives;
}

static int bench_ch_status(const char *dev)
{
	struct changer_element_status ces;
	int fd = open_dev(dev), counts[4], t, i, total = 0, full = 0;
	unsigned char *data;
	double t0 = now();

	ch_params(fd, counts);
	for (t = 0; t < 4; t++) {
		if (!counts[t])
			continue;
		data = calloc(counts[t], 1);
		if (!data)
			die("calloc");
		ces.ces_type = t;
		ces.ces_data = data;
		if (ioctl(fd, CHIOGSTATUS, &ces))
			die("CHIOGSTATUS");
		for (i = 0; i < counts[t]; i++)
			full += data[i] & CESTATUS_FULL;
		total += counts[t];
		free(data);
	}
	printf("RESULT ch_gstatus %.3f elements=%d full=%d\n", now() - t0,
	       total, full);
	return 0;
}

static int bench_ch_elem(const char *dev)
{
	struct changer_get_element cge;
	int fd = open_dev(dev), counts[4], t, i, total = 0, full = 0;
	double t0 = now();

	ch_params(fd, counts);
	for (t = 0; t < 4; t++) {
		for (i = 0; i < counts[t]; i++) {
			memset(&cge, 0, sizeof(cge));
			cge.cge_type = t;
			cge.cge_unit = i;
			cge.cge_flags = CGE_PVOLTAG;
			if (ioctl(fd, CHIOGELEM, &cge))
				die("CHIOGELEM");
			full += cge.cge_status & CESTATUS_FULL;
			total++;
		}
	}
	printf("RESULT ch_gelem %.3f elements=%d full=%d\n", now() - t0,
	       total, full);
	return 0;
}

/* ch names elements by type and unit; find those of two addresses. */
static int ch_unit(const struct element_addresses *ea, int addr, int *type)
{
	int t, first, n;

	for (t = 0; t < 4; t++) {
		type_range(ea, t, &first, &n);
		if (addr >= first && addr < first + n) {
			*type = t;
			return addr - first;
		}
	}
	fprintf(stderr, "autoch-bench: %d is not an element\n", addr);
	exit(1);
}

/*
 * While a child moves @src to @dst, query every other element over and
 * over; report the slowest answer, then one query of @src itself. For
 * ch, the element map comes from /dev/autoch-less knowledge: the same
 * addresses through CHIOGPARAMS would lose them, so the caller passes
 * the map of the tgt/emulation layout via AUTOCH_BENCH_MAP.
 */
static int bench_during_move(const char *dev, int src, int dst)
{
	bool is_ch = strstr(dev, "sch") != NULL;
	struct element_addresses ea;
	double t0, t1, worst = 0, involved;
	int fd = open_dev(dev), status, t, first, n, i, queries = 0;
	int st, su, dt, du;
	pid_t child;

	if (is_ch) {
		const char *map = getenv("AUTOCH_BENCH_MAP");
		unsigned short *p = &ea.first_transport;

		if (!map || sscanf(map, "%hu,%hu,%hu,%hu,%hu,%hu,%hu,%hu",
				   p, p + 1, p + 2, p + 3, p + 4, p + 5,
				   p + 6, p + 7) != 8) {
			fprintf(stderr, "autoch-bench: set AUTOCH_BENCH_MAP\n");
			return 1;
		}
	} else {
		addresses(fd, &ea);
	}
	su = ch_unit(&ea, src, &st);
	du = ch_unit(&ea, dst, &dt);

	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		int cfd = open_dev(dev);

		if (is_ch) {
			struct changer_move cm = {
				.cm_fromtype = st, .cm_fromunit = su,
				.cm_totype = dt, .cm_tounit = du,
			};

			_exit(ioctl(cfd, CHIOMOVE, &cm) ? 1 : 0);
		} else {
			struct move_medium_parms mp = {
				.transport = ea.first_transport,
				.source = src, .destination = dst,
			};

			_exit(ioctl(cfd, SIOC_MOVE_MEDIUM, &mp) ? 1 : 0);
		}
	}

	usleep(500 * 1000);	/* let the move reach the changer */
	t0 = now();
	while (waitpid(child, &status, WNOHANG) == 0) {
		for (t = 0; t < 4; t++) {
			type_range(&ea, t, &first, &n);
			for (i = 0; i < n && i < 64; i++) {
				int a = first + i, ret;

				if (a == src || a == dst)
					continue;
				t1 = now();
				if (is_ch) {
					struct changer_get_element cge = {
						.cge_type = t, .cge_unit = i,
					};

					ret = ioctl(fd, CHIOGELEM, &cge);
				} else {
					struct element_status es = {
						.element = a,
					};

					ret = ioctl(fd, SIOC_ELEMENT_STATUS, &es);
				}
				if (ret)
					die("status during the move");
				t1 = now() - t1;
				if (t1 > worst)
					worst = t1;
				queries++;
				if (waitpid(child, &status, WNOHANG) != 0)
					goto done;
			}
		}
	}
done:
	t1 = now();
	if (is_ch) {
		struct changer_get_element cge = { .cge_type = st, .cge_unit = su };

		ioctl(fd, CHIOGELEM, &cge);
	} else {
		struct element_status es = { .element = src };

		ioctl(fd, SIOC_ELEMENT_STATUS, &es);
	}
	involved = now() - t1;
	printf("RESULT %s_during_move %.3f queries=%d worst_ms=%.1f involved_ms=%.1f move_ok=%d\n",
	       is_ch ? "ch" : "autoch", now() - t0, queries, worst * 1e3,
	       involved * 1e3, WIFEXITED(status) && !WEXITSTATUS(status));
	return 0;
}

static int bench_time(char **argv)
{
	double t0 = now();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	printf("RESULT %s %.3f exit=%d\n", argv[0], now() - t0,
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

static int bench_mark(const char *sg, int k)
{
	unsigned char cdb[6] = { 0x12, 0, 0, 0, 0xc0 + k, 0 };
	unsigned char buf[256], sense[32];
	struct sg_io_hdr io = {
		.interface_id = 'S',
		.dxfer_direction = SG_DXFER_FROM_DEV,
		.cmd_len = sizeof(cdb),
		.mx_sb_len = sizeof(sense),
		.dxfer_len = cdb[4],
		.dxferp = buf,
		.cmdp = cdb,
		.sbp = sense,
		.timeout = 10000,
	};
	int fd = open_dev(sg);

	if (ioctl(fd, SG_IO, &io))
		die("SG_IO");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "loop"))
		return bench_loop(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "range"))
		return bench_range(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "ch-status"))
		return bench_ch_status(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "ch-elem"))
		return bench_ch_elem(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "during-move"))
		return bench_during_move(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 3 && !strcmp(argv[1], "time"))
		return bench_time(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "mark"))
		return bench_mark(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: see the top of autoch-bench.c\n");
	return 2;
}
