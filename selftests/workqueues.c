// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: the workqueue the driver's work items are queued on.
 *
 * The event work (TEST UNIT READY every event_poll_ms while a program
 * waits in poll()), the reservation work (the RELEASEs a close left to a
 * kernel worker) and the drive work (the drives' identifiers, read again
 * when a SCSI device appears that matches no drive) send commands and
 * may sleep for a command's whole timeout, or ready_timeout: they belong
 * on system_long_wq ("events_long"), not on system_wq ("events"), whose
 * other work items would wait behind them (issue 14). The tracepoint
 * workqueue:workqueue_queue_work names the workqueue of every work item
 * queued; the tests enable it in a tracefs instance of their own and read
 * which workqueue took the driver's work functions.
 *
 * Skips where tracefs or that tracepoint is absent, or where it gives no
 * workqueue name (older kernels gave its address); the reservation work's
 * test also without the emulation, and on its tgt profile (no RESERVE:
 * close leaves nothing to a worker); the drive work's without the
 * emulation (it adds the tape LU) or drive identifiers (superloader).
 */
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "emul_ctl.h"

#define WQ_INSTANCE	"instances/autoch_workqueues"
#define WQ_EVENT	"events/workqueue/workqueue_queue_work"
#define WQ_LONG		"events_long"

FIXTURE(wq) {
	char dir[PATH_MAX];		/* the tracefs instance, "" without */
	struct emul_params params;
	bool fault;			/* an emulation fault to clear */
	bool tape;			/* tape LU 0 to remove */
	int noid;			/* element to give its identifier back, or 0 */
};

/* tracefs, mounted where it is not yet; NULL without. */
static const char *tracefs(void)
{
	static const char *const roots[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (!access(path, F_OK))
			return roots[i];
	}
	if (!mount("tracefs", roots[0], "tracefs", 0, NULL))
		return roots[0];
	return NULL;
}

/* Write @s to the file @name of the instance; 0 or the errno. */
static int wq_write(FIXTURE_DATA(wq) *self, const char *name, const char *s)
{
	char path[PATH_MAX + 128];

	snprintf(path, sizeof(path), "%s/%s", self->dir, name);
	return emul_write_file(path, s);
}

/*
 * Trace only the driver's work functions, by address: the other work
 * items of the guest would crowd the buffer. Where /proc/kallsyms hides
 * addresses the trace has everything, and the reading picks ours.
 */
static void wq_filter(FIXTURE_DATA(wq) *self)
{
	char line[256], name[128], filter[512] = "";
	unsigned long long addr;
	size_t n = 0;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "[autoch]") ||
		    sscanf(line, "%llx %*s %127s", &addr, name) != 2 || !addr)
			continue;
		if (strcmp(name, "autoch_event_work") &&
		    strcmp(name, "autoch_resv_work") &&
		    strcmp(name, "autoch_drives_work"))
			continue;
		n += snprintf(filter + n, sizeof(filter) - n, "%sfunction == 0x%llx",
			      n ? " || " : "", addr);
	}
	fclose(f);
	if (n && n < sizeof(filter))
		wq_write(self, WQ_EVENT "/filter", filter);
}

FIXTURE_SETUP(wq)
{
	char path[PATH_MAX + 128], buf[4096];
	const char *root = tracefs();

	self->dir[0] = '\0';
	if (!root)
		AUTOCH_SKIP(return, "no tracefs: %s", strerror(errno));
	snprintf(self->dir, sizeof(self->dir), "%s/" WQ_INSTANCE, root);
	/* one left over by a test that was killed */
	rmdir(self->dir);
	if (mkdir(self->dir, 0700)) {
		self->dir[0] = '\0';
		AUTOCH_SKIP(return, "no tracefs instance: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/" WQ_EVENT "/format", self->dir);
	if (emul_read_file(path, buf, sizeof(buf)) <= 0)
		AUTOCH_SKIP(return, "no tracepoint workqueue:workqueue_queue_work");
	if (!strstr(buf, "char[] workqueue;"))
		AUTOCH_SKIP(return, "workqueue_queue_work gives no workqueue name");
	ASSERT_EQ(0, wq_write(self, "buffer_size_kb", "1024"));
	wq_filter(self);
	ASSERT_EQ(0, wq_write(self, WQ_EVENT "/enable", "1"));
}

FIXTURE_TEARDOWN(wq)
{
	if (self->fault)
		EXPECT_EQ(0, emul_ctl("fault", "clear"));
	if (self->tape)
		EXPECT_EQ(0, emul_ctl("event", "tape remove 0"));
	if (self->noid)
		EXPECT_EQ(0, emul_ctl("event", "noid %d off", self->noid));
	EXPECT_EQ(0, emul_params_restore(&self->params));
	if (self->dir[0]) {
		wq_write(self, WQ_EVENT "/enable", "0");
		EXPECT_EQ(0, rmdir(self->dir)) TH_LOG("rmdir %s: %s", self->dir,
						      strerror(errno));
	}
	autoch_teardown_done(_metadata);
}

/*
 * How often @func was queued, from the instance's trace; the first
 * workqueue other than events_long that took it in @other ("" if none).
 */
static int wq_queued(FIXTURE_DATA(wq) *self, const char *func, char *other,
		     size_t len)
{
	char path[PATH_MAX + 128], key[128], *line = NULL, *p;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	other[0] = '\0';
	snprintf(path, sizeof(path), "%s/trace", self->dir);
	snprintf(key, sizeof(key), "function=%s ", func);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, key))
			continue;
		n++;
		p = strstr(line, "workqueue=");
		if (!p) {
			snprintf(other, len, "(no name)");
			continue;
		}
		p += strlen("workqueue=");
		p[strcspn(p, "\t\n ")] = '\0';
		if (strcmp(p, WQ_LONG) && !other[0])
			snprintf(other, len, "%s", p);
	}
	free(line);
	fclose(f);
	return n;
}

static void expect_long_wq(struct __test_metadata *_metadata,
			   FIXTURE_DATA(wq) *self, const char *func)
{
	char other[64];
	int n = wq_queued(self, func, other, sizeof(other));

	EXPECT_LT(0, n) TH_LOG("%s was never queued", func);
	EXPECT_STREQ("", other) TH_LOG("%s queued on %s, not %s", func, other, WQ_LONG);
	if (n > 0 && !other[0])
		TH_LOG("%s queued %d times, all on %s", func, n, WQ_LONG);
}

/*
 * A program waits in poll() for 0.8 s (again after any event): the
 * driver's TEST UNIT READYs come from the event work.
 */
TEST_F(wq, event_work)
{
	struct pollfd p = { .events = POLLIN | POLLPRI };
	struct autoch_events ev;
	struct autoch_dev d;
	double end, left;
	int changed;

	AUTOCH_SETUP_DONE();
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "event_poll_ms", 100));
	ASSERT_EQ(0, autoch_open(&d));
	p.fd = d.fd;
	end = emul_now_ms() + 800;
	/* nothing pending: poll() waits and the work is queued */
	while ((left = end - emul_now_ms()) > 0) {
		ioctl(d.fd, AUTOCH_GET_EVENTS, &ev);
		ioctl(d.fd, SIOC_MEDIUM_CHANGED, &changed);
		poll(&p, 1, (int)left);
	}
	autoch_close(&d);
	expect_long_wq(_metadata, self, "autoch_event_work");
}

/*
 * A close whose RELEASE meets a changer becoming ready (NOT READY 04/01)
 * leaves it to the reservation work, which sends it once the changer is
 * ready.
 */
TEST_F(wq, resv_work)
{
	struct reservation_parms rp = { .all_elements = 1 };
	struct autoch_dev c;
	int host;

	AUTOCH_SETUP_DONE();
	if (!emul_present())
		AUTOCH_SKIP(return, "no emulation (%s) to make RELEASE meet NOT READY",
			    EMUL_DEBUGFS);
	ASSERT_EQ(0, autoch_open(&c));
	if (emul_profile(c.fd) == EMUL_TGT) {
		autoch_close(&c);
		AUTOCH_SKIP(return, "tgt has no RESERVE (20/00): close leaves nothing to a worker");
	}
	host = emul_host_index(autoch_path());
	ASSERT_LE(0, host) TH_LOG("host of %s unknown", autoch_path());
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "ready_timeout", 5));
	ASSERT_EQ(0, autoch_ioctl(c.fd, SIOC_RESERVE, &rp));
	ASSERT_EQ(host, emul_unit_holder());
	self->fault = true;
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 host=%d count=0 fault=sense key=2 asc=04 ascq=01",
			      host));
	autoch_close(&c);
	emul_sleep_ms(300);
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	self->fault = false;
	EXPECT_EQ(-1, emul_wait_unit_holder(-1, 10000))
		TH_LOG("the unit is still reserved 10 s after the changer became ready");
	expect_long_wq(_metadata, self, "autoch_resv_work");
}

/*
 * A SCSI device that matches no drive of the table appears: the drive
 * work reads the identifiers again (READ ELEMENT STATUS, after loading
 * the element map if a unit attention dropped it). The first drive's
 * identifier is emptied in the table first (the changer reports none for
 * a moment, and AUTOCH_DRIVE_DEVICES reads that), then its tape LU comes.
 */
TEST_F(wq, drives_work)
{
	struct autoch_drive_devices dd = { 0 };
	struct autoch_dev c;

	AUTOCH_SETUP_DONE();
	if (!emul_present())
		AUTOCH_SKIP(return, "no emulation (%s) to add a tape LU", EMUL_DEBUGFS);
	ASSERT_EQ(0, autoch_open(&c));
	if (!c.ea.num_data_transfers) {
		autoch_close(&c);
		AUTOCH_SKIP(return, "no data transfer element");
	}
	dd.element = c.ea.first_data_transfer;
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_DRIVE_DEVICES, &dd));
	if (!(dd.flags & AUTOCH_DRIVE_HAS_ID)) {
		autoch_close(&c);
		AUTOCH_SKIP(return, "the changer reports no drive identifiers (superloader)");
	}
	self->noid = c.ea.first_data_transfer;
	ASSERT_EQ(0, emul_ctl("event", "noid %d on", self->noid));
	dd.element = self->noid;
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_DRIVE_DEVICES, &dd));
	ASSERT_EQ(0, dd.flags & AUTOCH_DRIVE_HAS_ID);
	ASSERT_EQ(0, emul_ctl("event", "noid %d off", self->noid));
	self->noid = 0;
	ASSERT_EQ(0, emul_ctl("event", "tape add 0 1"));
	self->tape = true;
	/* the ioctl waits for the work, and the work links the drive */
	dd.element = c.ea.first_data_transfer;
	ASSERT_EQ(0, autoch_ioctl(c.fd, AUTOCH_DRIVE_DEVICES, &dd));
	EXPECT_NE(0, dd.flags & AUTOCH_DRIVE_FOUND);
	autoch_close(&c);
	expect_long_wq(_metadata, self, "autoch_drives_work");
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
