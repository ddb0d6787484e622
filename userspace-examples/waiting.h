/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Telling the user that a call on the changer is taking long: after 2 s,
 * and every 5 s after that, "PROG: waiting for the changer (N s)" on
 * stderr, with the progress the driver reports in sysfs while the
 * changer becomes ready ("..., becoming ready, 37 %"). A thread of its
 * own watches the calls, which are bracketed with wait_begin() and
 * wait_end(); stdout is left alone. Shared by mc and autoch-demo.
 */
#ifndef AUTOCH_WAITING_H
#define AUTOCH_WAITING_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#define WAITING_FIRST_MS	2000
#define WAITING_EVERY_MS	5000

static atomic_long waiting_since;	/* ms; 0 while no call runs */
static char waiting_sysfs[96];		/* .../becoming_ready of the changer */
static const char *waiting_prog = "";

static long waiting_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L + 1;
}

/* A number from a file of sysfs becoming_ready/, or -1. */
static long waiting_read(const char *file)
{
	char path[128], line[32];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", waiting_sysfs, file);
	f = waiting_sysfs[0] ? fopen(path, "r") : NULL;
	if (!f)
		return -1;
	/* percent: ENODATA while the changer reports no progress */
	if (!fgets(line, sizeof(line), f) || sscanf(line, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* ", becoming ready, 37 %" from sysfs becoming_ready/, or "" */
static void waiting_progress(char *out, size_t len)
{
	long pct;

	out[0] = '\0';
	if (waiting_read("waiters") <= 0)
		return;
	pct = waiting_read("percent");
	if (pct >= 0)
		snprintf(out, len, ", becoming ready, %ld %%", pct);
	else
		snprintf(out, len, ", becoming ready");
}

static void *waiting_watch(void *unused)
{
	long call = 0, shown = 0, t0, now;
	struct timespec tick = { 0, 200 * 1000000L };
	char extra[64];

	(void)unused;
	for (;;) {
		nanosleep(&tick, NULL);
		t0 = atomic_load(&waiting_since);
		if (!t0)
			continue;
		if (t0 != call) {
			call = t0;
			shown = 0;
		}
		now = waiting_now_ms();
		if (now - t0 < WAITING_FIRST_MS ||
		    (shown && now - shown < WAITING_EVERY_MS))
			continue;
		waiting_progress(extra, sizeof(extra));
		/* the call may have ended meanwhile: then say nothing */
		if (atomic_load(&waiting_since) != t0)
			continue;
		fprintf(stderr, "%s: waiting for the changer (%ld s%s)\n",
			waiting_prog, (now - t0) / 1000, extra);
		shown = now;
	}
	return NULL;
}

/* Start watching the calls on @fd, an open changer. */
static inline void waiting_start(const char *prog, int fd)
{
	pthread_t t;
	struct stat st;

	waiting_prog = prog;
	if (!fstat(fd, &st) && S_ISCHR(st.st_mode))
		snprintf(waiting_sysfs, sizeof(waiting_sysfs),
			 "/sys/dev/char/%u:%u/becoming_ready",
			 major(st.st_rdev), minor(st.st_rdev));
	if (!pthread_create(&t, NULL, waiting_watch, NULL))
		pthread_detach(t);
}

static inline void wait_begin(void)
{
	atomic_store(&waiting_since, waiting_now_ms());
}

static inline void wait_end(void)
{
	atomic_store(&waiting_since, 0);
}

#endif /* AUTOCH_WAITING_H */
