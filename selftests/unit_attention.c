// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: unit attentions, the status cache, events and a
 * changer that is becoming ready, driven through the emulated changer.
 *
 * - A UNIT ATTENTION 28/00 (door, magazine) or 28/01 (operator at a mail
 *   slot; AUTOCH_EVENT_IMPORT_EXPORT, not MEDIUM) is retried inside the
 *   driver, the caller's call succeeds, and the status
 *   cache is dropped: a change made behind the driver's back shows at
 *   once after it. A change made without one (a move through the other
 *   host or through /dev/sgN) shows within cache_ms.
 * - AUTOCH_GET_EVENTS, SIOC_MEDIUM_CHANGED, poll() on an idle file (the
 *   driver's TEST UNIT READY every event_poll_ms) and the change uevent.
 * - NOT READY 04/01 after a reset: waited for (ready_timeout), ended by
 *   EBUSY when it lasts longer, by EINTR on a signal (restarted with
 *   SA_RESTART). Other NOT READY answers (door open 04/03, magazine
 *   removed 3B/12) are EBUSY at once.
 *
 * - A changer that reads two bytes of READ ELEMENT STATUS's allocation
 *   length is learnt, and forgotten at a reset.
 *
 * Module parameters changed here (cache_ms, event_poll_ms, ready_timeout
 * of autoch; ready_ms, alloc16 of autoch_emul) are restored after each
 * test.
 * Skips without the emulation's debugfs.
 */
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "emul_ctl.h"

FIXTURE(ua) {
	struct autoch_dev a;		/* /dev/autoch0 */
	struct autoch_dev b;		/* /dev/autoch1, fd -1 without */
	struct emul_params params;
	enum emul_profile profile;
	char sg_a[64];
	int host;			/* the emulation's index of A's host */
	int full, empty;
	bool door_opened, mag_out, reset_after;
	int sg_moves;			/* moves made through sg_a, to undo */
	int sg_undo[4][2];
};

static void drain_events(int fd)
{
	struct autoch_events ev;
	int changed;

	ioctl(fd, AUTOCH_GET_EVENTS, &ev);
	ioctl(fd, SIOC_MEDIUM_CHANGED, &changed);
}

/* MOVE MEDIUM through A's own /dev/sgN: the driver does not see it. */
static int sg_move(const char *sg, int transport, int src, int dst)
{
	char cmd[256];
	int st;

	snprintf(cmd, sizeof(cmd),
		 "sg_raw %s a5 00 %02x %02x %02x %02x %02x %02x 00 00 00 00 >/dev/null 2>&1",
		 sg, transport >> 8, transport & 0xff, src >> 8, src & 0xff,
		 dst >> 8, dst & 0xff);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Move @src to @dst behind A's back: through the other host when there
 * is one, else through A's sg node (the same initiator: no unit
 * attention either way).
 */
static int behind_back(FIXTURE_DATA(ua) *self, int src, int dst)
{
	int ret;

	if (self->b.fd >= 0)
		return autoch_move(&self->b, src, dst);
	if (!self->sg_a[0] || self->sg_moves == 4)
		return -1;
	ret = sg_move(self->sg_a, self->a.ea.first_transport, src, dst);
	/* sg_raw may see a unit attention first: once more */
	if (ret)
		ret = sg_move(self->sg_a, self->a.ea.first_transport, src, dst);
	if (!ret) {
		self->sg_undo[self->sg_moves][0] = src;
		self->sg_undo[self->sg_moves][1] = dst;
		self->sg_moves++;
	}
	return ret;
}

/* The commands of @opcode host @host received, from the counters file. */
static long counter(int opcode, int host)
{
	char buf[4096], *line;
	unsigned int op;
	long v[3] = { 0 };

	if (emul_read_file(EMUL_DEBUGFS "/counters", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (sscanf(line, "%x %ld %ld %ld", &op, &v[0], &v[1], &v[2]) < 2)
			continue;
		if ((int)op == opcode)
			return host >= 0 && host < 2 ? v[host + 1] : v[0];
	}
	return 0;
}

FIXTURE_SETUP(ua)
{
	self->a.fd = -1;
	self->b.fd = -1;
	ASSERT_EQ(0, autoch_open(&self->a));
	if (!access(emul_other_path(), F_OK))
		ASSERT_EQ(0, emul_open(&self->b, emul_other_path()));
	self->profile = emul_profile(self->a.fd);
	self->host = emul_host_index(autoch_path());
	/* the command counts are per host: know which one is ours */
	ASSERT_LE(0, self->host) TH_LOG("which emulated host is %s?", autoch_path());
	if (emul_sg_of(autoch_path(), self->sg_a, sizeof(self->sg_a)))
		self->sg_a[0] = '\0';
	/* another initiator may have moved media: read them afresh */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	self->full = autoch_find(&self->a, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	self->empty = autoch_find(&self->a, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	ASSERT_LE(0, self->full);
	ASSERT_LE(0, self->empty);
}

FIXTURE_TEARDOWN(ua)
{
	int i;

	EXPECT_EQ(0, emul_params_restore(&self->params));
	if (self->door_opened)
		EXPECT_EQ(0, emul_ctl("event", "door close"));
	if (self->mag_out)
		EXPECT_EQ(0, emul_ctl("event", "magazine1 in"));
	/* ready_ms is back to its value (0): the reset makes it ready now */
	if (self->reset_after)
		EXPECT_EQ(0, emul_ctl("event", "reset"));
	if (self->b.fd >= 0)
		EXPECT_EQ(0, autoch_undo(&self->b));
	for (i = self->sg_moves - 1; i >= 0; i--) {
		int ret = sg_move(self->sg_a, self->a.ea.first_transport,
				  self->sg_undo[i][1], self->sg_undo[i][0]);

		if (ret)
			ret = sg_move(self->sg_a, self->a.ea.first_transport,
				      self->sg_undo[i][1], self->sg_undo[i][0]);
		EXPECT_EQ(0, ret);
	}
	if (self->a.fd >= 0) {
		EXPECT_EQ(0, autoch_undo(&self->a));
		/* what A cached of the moves behind its back is stale */
		EXPECT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	}
	autoch_close(&self->b);
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

static void set_param(struct __test_metadata *_metadata,
		      FIXTURE_DATA(ua) *self, const char *module,
		      const char *name, long value)
{
	ASSERT_EQ(0, emul_param_set(&self->params, module, name, value))
		TH_LOG("%s.%s=%ld", module, name, value);
}

/*
 * A 28/00 behind the driver's back: the next command meets it, is sent
 * again and succeeds, and nothing of the cache survives it.
 */
TEST_F(ua, medium_changed_drops_cache)
{
	struct element_status es;
	struct autoch_drive_id id;
	struct autoch_events ev;
	struct autoch_dev c;
	char tag[AUTOCH_TAG_ID_LEN + 1], moved[AUTOCH_TAG_ID_LEN + 1];
	int changed = -1;

	if (self->b.fd < 0 && !self->sg_a[0])
		AUTOCH_SKIP(return, "neither a second host nor an sg node to move behind the driver's back");
	/* long enough that only the unit attention can refresh the cache */
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 60000);
	ASSERT_EQ(0, autoch_open(&c));
	/* the inventory drops the cache; storage alone is read again */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	drain_events(self->a.fd);
	drain_events(c.fd);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	ASSERT_EQ(1, (int)es.full);
	autoch_tag(es.pri_vol_tag, tag);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->empty, &es));
	ASSERT_EQ(0, (int)es.full);

	ASSERT_EQ(0, behind_back(self, self->full, self->empty));
	/* no unit attention yet: the cache still answers */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full) TH_LOG("the cache was not used (cache_ms 60000)");

	/* the superloader's refusal of DVCID learnt now, outside the count */
	memset(&id, 0, sizeof(id));
	id.element = self->a.ea.first_data_transfer;
	autoch_ioctl(self->a.fd, AUTOCH_DRIVE_ID, &id);
	ASSERT_EQ(0, emul_ctl("counters", "0"));
	ASSERT_EQ(0, emul_ctl("event", "door close"));	/* 28/00 for both */
	/* a status the cache does not hold: READ ELEMENT STATUS meets 28/00 */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->a.ea.first_data_transfer,
				   &es));
	/*
	 * 28/00 also makes the drives' identifiers stale: the call reads
	 * them again at its end, one READ ELEMENT STATUS with DVCID
	 * (driver/autoch_drives.c); none on the superloader, whose refusal
	 * of DVCID the driver remembers until a reset.
	 */
	EXPECT_EQ(self->profile == EMUL_SUPERLOADER ? 2 : 3,
		  counter(0xb8, self->host))
		TH_LOG("one READ ELEMENT STATUS for the attention, one retry, one for the drives' identifiers");
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_MEDIUM, ev.events & AUTOCH_EVENT_MEDIUM);
	EXPECT_LE(1, ev.count);

	/* visible at once */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(0, (int)es.full);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->empty, &es));
	EXPECT_EQ(1, (int)es.full);
	autoch_tag(es.pri_vol_tag, moved);
	EXPECT_STREQ(tag, moved);

	/* HP-UX: 1 once, on every open file */
	ASSERT_EQ(0, autoch_ioctl(c.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(1, changed);
	ASSERT_EQ(0, autoch_ioctl(c.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(0, changed);
	autoch_close(&c);
}

/* An operator at the mail slot: import, then take. */
TEST_F(ua, import_export_operator)
{
	struct element_status es;
	struct autoch_events ev;
	char tag[AUTOCH_TAG_ID_LEN + 1];
	int ie;

	if (!self->a.ea.num_import_exports)
		AUTOCH_SKIP(return, "%s has no import/export element",
		     emul_profile_name[self->profile]);
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 60000);
	ie = autoch_find(&self->a, AUTOCH_IMPORT_EXPORT, AUTOCH_EMPTY, NULL, 0);
	if (ie < 0)
		AUTOCH_SKIP(return, "no empty import/export element");
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	drain_events(self->a.fd);
	ASSERT_EQ(0, autoch_status(self->a.fd, ie, &es));
	ASSERT_EQ(0, (int)es.full);

	ASSERT_EQ(0, emul_ctl("event", "import %d UATEST01", ie));
	ASSERT_EQ(0, autoch_status(self->a.fd, ie, &es));
	EXPECT_EQ(0, (int)es.full) TH_LOG("the cache was not used");
	/* the drives were not read since the inventory: a command is sent */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->a.ea.first_data_transfer,
				   &es));
	ASSERT_EQ(0, autoch_status(self->a.fd, ie, &es));
	EXPECT_EQ(1, (int)es.full);
	EXPECT_EQ(1, (int)es.operator);		/* placed by the operator */
	autoch_tag(es.pri_vol_tag, tag);
	EXPECT_STREQ("UATEST01", tag);
	/* the emulation reports an operator at a mail slot as 28/01 */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_IMPORT_EXPORT,
		  ev.events & (AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT))
		TH_LOG("events %#x after 28/01", ev.events);

	ASSERT_EQ(0, emul_ctl("event", "take %d", ie));
	/* the transport was not read since the inventory either */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->a.ea.first_transport, &es));
	ASSERT_EQ(0, autoch_status(self->a.fd, ie, &es));
	EXPECT_EQ(0, (int)es.full);
	/* the emulation reports an operator at a mail slot as 28/01 */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_IMPORT_EXPORT,
		  ev.events & (AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT))
		TH_LOG("events %#x after 28/01", ev.events);
}

/* No unit attention: the change shows within cache_ms, not later. */
TEST_F(ua, change_without_attention)
{
	struct element_status es;
	double t0, t1;

	if (self->b.fd < 0 && !self->sg_a[0])
		AUTOCH_SKIP(return, "neither a second host nor an sg node to move behind the driver's back");
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 500);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	/* the cached entry is no younger than this */
	t0 = emul_now_ms();
	ASSERT_EQ(1, (int)es.full);
	ASSERT_EQ(0, behind_back(self, self->full, self->empty));

	/* and the next read is no earlier than this */
	t1 = emul_now_ms();
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	TH_LOG("right after the move: %s (at least %.0f ms after the read)",
	       es.full ? "stale" : "fresh", t1 - t0);
	/*
	 * Stale is allowed only within cache_ms of the read: a bound in
	 * one direction, whatever the load (a jiffy of rounding allowed).
	 */
	if (es.full)
		EXPECT_GT(500 + 20, t1 - t0);

	emul_sleep_ms(600);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	EXPECT_EQ(0, (int)es.full);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->empty, &es));
	EXPECT_EQ(1, (int)es.full);
}

/*
 * Read the status of @n storage elements from the first, into @es, after
 * dropping the cache; return the READ ELEMENT STATUS that cost.
 */
static long storage_pass(struct __test_metadata *_metadata,
			 FIXTURE_DATA(ua) *self, struct element_status *es,
			 int n)
{
	long before;
	int i;

	EXPECT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	before = counter(0xb8, self->host);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, autoch_status(self->a.fd,
					   self->a.ea.first_storage + i, &es[i]))
			TH_LOG("element %d", self->a.ea.first_storage + i);
	return counter(0xb8, self->host) - before;
}

/*
 * 1,000 descriptors with both volume tags take more than 65,535 bytes:
 * one READ ELEMENT STATUS reads them. A changer that reads only two bytes
 * of the allocation length (the emulation's alloc16) sends nothing for
 * it; the driver asks again within 65,535 bytes, keeps to that from then
 * on, and tries the full length again after a reset. Every pass reads
 * the same statuses. Only the emulation witnesses this quirk (its
 * README.md): no device of the test bed has it.
 */
TEST_F(ua, alloc16_learnt)
{
	struct element_status *first, *es;
	long full, tried, learnt, reset;
	int n, i;

	n = self->a.ea.num_storages < 1000 ? self->a.ea.num_storages : 1000;
	if (self->profile != EMUL_LIBRARY || n < 800)
		AUTOCH_SKIP(return, "needs the library profile with 800 storage elements or more (%d here)",
		     self->a.ea.num_storages);
	first = calloc(n, sizeof(*first));
	es = calloc(n, sizeof(*es));
	ASSERT_NE(NULL, first);
	ASSERT_NE(NULL, es);
	/* long enough that each pass reads every element once */
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 60000);

	full = storage_pass(_metadata, self, first, n);
	EXPECT_EQ(1, full) TH_LOG("%d elements in one command past 64 KiB", n);

	set_param(_metadata, self, EMUL_MODULE, "alloc16", 1);
	tried = storage_pass(_metadata, self, es, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, memcmp(&first[i], &es[i], sizeof(es[i])))
			TH_LOG("element %d differs with alloc16", first[i].element);
	learnt = storage_pass(_metadata, self, es, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, memcmp(&first[i], &es[i], sizeof(es[i])))
			TH_LOG("element %d differs once learnt", first[i].element);
	/* within 65,535 bytes it takes two; the try that found out, one more */
	EXPECT_LE(2, learnt);
	EXPECT_EQ(learnt + 1, tried);

	/* a reset forgets it: the full length again */
	set_param(_metadata, self, EMUL_MODULE, "alloc16", 0);
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	reset = storage_pass(_metadata, self, es, n);
	/*
	 * and one READ ELEMENT STATUS more: the 29/00 made the drives'
	 * identifiers stale, and the first call that loads the map again
	 * (the pass's first status) reads them at its end
	 * (driver/autoch_drives.c)
	 */
	EXPECT_EQ(2, reset);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, memcmp(&first[i], &es[i], sizeof(es[i])))
			TH_LOG("element %d differs after the reset", first[i].element);
	TH_LOG("READ ELEMENT STATUS for %d elements: %ld, with alloc16 %ld then %ld, after a reset %ld",
	       n, full, tried, learnt, reset);
	free(first);
	free(es);
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* A change uevent for @name naming @event, within 5 s. */
static bool wait_uevent(int s, const char *name, const char *event)
{
	char buf[4096], dev[64], ev[64];
	ssize_t n, off;

	snprintf(dev, sizeof(dev), "DEVNAME=%s", name);
	snprintf(ev, sizeof(ev), "AUTOCH_EVENT=");
	while ((n = recv(s, buf, sizeof(buf) - 1, 0)) > 0) {
		bool change = false, ours = false, named = false;

		buf[n] = '\0';
		for (off = 0; off < n; off += strlen(buf + off) + 1) {
			change |= !strcmp(buf + off, "ACTION=change");
			ours |= !strcmp(buf + off, dev);
			if (!strncmp(buf + off, ev, strlen(ev)) &&
			    strstr(buf + off + strlen(ev), event))
				named = true;
		}
		if (change && ours && named)
			return true;
	}
	return false;
}

TEST_F(ua, poll_wakes_on_door_event)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct timeval tv = { .tv_sec = 5 };
	const int poll_ms = 250, door_ms = 600;
	const char *name = strrchr(autoch_path(), '/') + 1;
	struct element_status es;
	struct autoch_events ev;
	double t0, t1, late;
	int s, revents, wst, fds[2];
	pid_t pid;

	set_param(_metadata, self, AUTOCH_MODULE, "event_poll_ms", poll_ms);
	/* nothing pending on the changer or the file before the wait */
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	drain_events(self->a.fd);
	ASSERT_EQ(0, poll_in(self->a.fd, 0));

	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (s >= 0 && (bind(s, (struct sockaddr *)&sa, sizeof(sa)) ||
		       setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))) {
		close(s);
		s = -1;
	}

	/* the robot stops: TEST UNIT READY gets 04/03, which is no event */
	ASSERT_EQ(0, emul_ctl("event", "door open"));
	self->door_opened = true;
	/* the child says through a pipe when it closed the door */
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(fds[0]);
		emul_sleep_ms(door_ms);
		t0 = emul_now_ms();
		wst = emul_ctl("event", "door close");
		if (write(fds[1], &t0, sizeof(t0)) != sizeof(t0))
			_exit(2);
		_exit(wst);
	}
	close(fds[1]);
	revents = poll_in(self->a.fd, 60000);
	t1 = emul_now_ms();
	ASSERT_EQ(sizeof(t0), read(fds[0], &t0, sizeof(t0)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &wst, 0));
	ASSERT_TRUE(WIFEXITED(wst) && !WEXITSTATUS(wst)) TH_LOG("door close failed");
	self->door_opened = false;
	late = t1 - t0;
	TH_LOG("poll() woke %.0f ms after the door was closed (event_poll_ms %d)",
	       late, poll_ms);
	EXPECT_NE(0, revents & POLLIN);
	EXPECT_NE(0, revents & POLLPRI);
	/*
	 * Not before the event (the door was closed after t0); after it,
	 * within polling intervals, generously counted on a loaded machine.
	 */
	EXPECT_LE(0, late);
	EXPECT_GT(20 * poll_ms, late);

	/* POLLIN for AUTOCH_GET_EVENTS, POLLPRI for SIOC_MEDIUM_CHANGED */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_MEDIUM, ev.events & AUTOCH_EVENT_MEDIUM);
	EXPECT_EQ(POLLPRI, poll_in(self->a.fd, 0));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &wst));
	EXPECT_EQ(1, wst);
	EXPECT_EQ(0, poll_in(self->a.fd, 0));
	if (s < 0) {
		TH_LOG("no uevent socket: uevent not checked");
		return;
	}
	EXPECT_TRUE(wait_uevent(s, name, "medium"));
	close(s);
}

/*
 * AUTOCH_GET_EVENTS and SIOC_MEDIUM_CHANGED read separate state: a
 * program (or library) using one does not take the other's events away.
 */
TEST_F(ua, events_apart_from_medium_changed)
{
	struct element_status es;
	struct autoch_events ev;
	int changed;

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	drain_events(self->a.fd);

	/* SIOC_MEDIUM_CHANGED first */
	ASSERT_EQ(0, emul_ctl("event", "door close"));	/* 28/00 */
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(1, changed);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_MEDIUM, ev.events & AUTOCH_EVENT_MEDIUM)
		TH_LOG("SIOC_MEDIUM_CHANGED cleared AUTOCH_GET_EVENTS's events");
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(0, changed);

	/* AUTOCH_GET_EVENTS first */
	ASSERT_EQ(0, emul_ctl("event", "door close"));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_MEDIUM, ev.events & AUTOCH_EVENT_MEDIUM);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(1, changed)
		TH_LOG("AUTOCH_GET_EVENTS cleared SIOC_MEDIUM_CHANGED's state");
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(0, ev.events);
	EXPECT_EQ(0, ev.count);
}

/*
 * Unit attentions that mean no medium change (2F/00 commands cleared by
 * another initiator, 5D/00 failure prediction, 3F/03 inquiry data
 * changed) are retried and raise no medium event; 3F/xx is
 * AUTOCH_EVENT_CHANGED.
 */
TEST_F(ua, other_attention_no_medium_event)
{
	static const struct {
		int asc, ascq;
		unsigned int events;
	} uas[] = {
		{ 0x2f, 0x00, 0 },
		{ 0x5d, 0x00, 0 },
		{ 0x3f, 0x03, AUTOCH_EVENT_CHANGED },
	};
	struct element_status es;
	struct autoch_events ev;
	unsigned int i;
	int changed;
	char buf[512];

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	ASSERT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	for (i = 0; i < ARRAY_SIZE(uas); i++) {
		drain_events(self->a.fd);
		ASSERT_EQ(0, emul_ctl("fault", "opcode=b8 host=%d count=1 fault=sense key=6 asc=%02x ascq=%02x",
				      self->host, uas[i].asc, uas[i].ascq));
		EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
		ASSERT_LE(0, emul_read_file(EMUL_DEBUGFS "/fault", buf, sizeof(buf)));
		EXPECT_EQ(NULL, strstr(buf, "fault=")) TH_LOG("the unit attention was not sent");
		EXPECT_EQ(0, emul_ctl("fault", "clear"));
		ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
		EXPECT_EQ(uas[i].events, ev.events)
			TH_LOG("6/%02x/%02x gave events %#x", uas[i].asc,
			       uas[i].ascq, ev.events);
		ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &changed));
		EXPECT_EQ(0, changed) TH_LOG("6/%02x/%02x taken for a medium change",
					     uas[i].asc, uas[i].ascq);
	}
}

/* NOT READY 04/01 after a reset: the call waits and then succeeds. */
TEST_F(ua, becoming_ready_waits)
{
	struct element_status es;
	struct autoch_events ev;
	double t0, dt;

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	set_param(_metadata, self, EMUL_MODULE, "ready_ms", 2000);
	drain_events(self->a.fd);
	self->reset_after = true;
	/* ready_ms counts from the reset, which comes after t0 */
	t0 = emul_now_ms();
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	dt = emul_now_ms() - t0;
	TH_LOG("ready %.0f ms after the reset (ready_ms 2000)", dt);
	/* it waited for the changer; a generous bound that it did not hang */
	EXPECT_LE(2000 - 10, dt);
	EXPECT_GT(30000, dt);
	EXPECT_EQ(1, (int)es.full);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
}

/* Longer than ready_timeout: EBUSY, and SIOC_XSENSE says 2/04/01. */
TEST_F(ua, ready_timeout_expires)
{
	struct element_status es;
	double t0, dt;

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	set_param(_metadata, self, AUTOCH_MODULE, "ready_timeout", 1);
	/* far longer than ready_timeout: EBUSY cannot come from readiness */
	set_param(_metadata, self, EMUL_MODULE, "ready_ms", 60000);
	self->reset_after = true;
	/*
	 * From before the reset: the driver's own poll may meet the
	 * becoming-ready changer first and the call join its wait, whose
	 * second started then (seen: 847 ms from after the reset).
	 */
	t0 = emul_now_ms();
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	EXPECT_EQ(EBUSY, autoch_status(self->a.fd, self->full, &es));
	dt = emul_now_ms() - t0;
	TH_LOG("EBUSY %.0f ms after the reset (ready_timeout 1 s, ready_ms 60000)", dt);
	/* it waited ready_timeout, and gave up long before ready_ms */
	EXPECT_LT(900, dt);
	EXPECT_GT(30000, dt);
	autoch_expect_sense(_metadata, self->a.fd, EBUSY, 0xb8, 0x2, 0x04, 0x01);
}

/* One file of the changer's sysfs becoming_ready/: its number, or -errno. */
static long ua_ready(const char *file)
{
	const char *name = strrchr(autoch_path(), '/');
	char path[192], line[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/autoch/%s/becoming_ready/%s",
		 name ? name + 1 : "", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, line, sizeof(line) - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	line[n] = '\0';
	return strtol(line, NULL, 10);
}

/*
 * While a call waits for the changer to become ready, sysfs
 * becoming_ready/ says so: one waiter, the seconds it has waited and the
 * progress the changer reports (the emulation: the share of ready_ms
 * gone); no waiter, 0 seconds and no progress (ENODATA) before and after.
 */
TEST_F(ua, ready_progress)
{
	struct element_status es;
	long secs, pct, waiters;
	double t0;
	int status;
	pid_t pid;

	EXPECT_EQ(0, ua_ready("waiters"));
	EXPECT_EQ(0, ua_ready("seconds"));
	EXPECT_EQ(-ENODATA, ua_ready("percent"));

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	set_param(_metadata, self, EMUL_MODULE, "ready_ms", 6000);
	self->reset_after = true;
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(autoch_status(self->a.fd, self->full, &es));
	/* wait for the call to say that it has waited a second, no longer */
	t0 = emul_now_ms();
	do {
		emul_sleep_ms(100);
		secs = ua_ready("seconds");
	} while (secs < 1 && emul_now_ms() - t0 < 60000);
	waiters = ua_ready("waiters");
	pct = ua_ready("percent");
	TH_LOG("after %.0f ms of 6000: %ld waiting, %ld s, %ld %%",
	       emul_now_ms() - t0, waiters, secs, pct);
	ASSERT_LE(1, secs);
	EXPECT_EQ(1, waiters);
	/* waiting, so neither nothing done nor all of it */
	EXPECT_LE(1, pct);
	EXPECT_GE(99, pct);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, ua_ready("waiters"));
	EXPECT_EQ(0, ua_ready("seconds"));
	EXPECT_EQ(-ENODATA, ua_ready("percent"));
}

/* A signal ends the wait at once; with SA_RESTART the call goes on. */
TEST_F(ua, ready_wait_interrupted)
{
	struct element_status es;
	double t0, dt;

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	/* far longer than the test: only the signal can end the wait */
	set_param(_metadata, self, EMUL_MODULE, "ready_ms", 60000);
	self->reset_after = true;
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	ASSERT_EQ(0, autoch_alarm(800, false));
	t0 = emul_now_ms();
	EXPECT_EQ(EINTR, autoch_status(self->a.fd, self->full, &es));
	dt = emul_now_ms() - t0;
	TH_LOG("EINTR after %.0f ms (signal at 800 ms)", dt);
	EXPECT_EQ(1, autoch_alarms);
	EXPECT_LT(700, dt);
	EXPECT_GT(30000, dt);

	/* SA_RESTART: the ioctl is restarted and waits for the device */
	set_param(_metadata, self, EMUL_MODULE, "ready_ms", 2500);
	/* ready_ms counts from the reset, which comes after t0 */
	t0 = emul_now_ms();
	ASSERT_EQ(0, emul_ctl("event", "reset"));
	ASSERT_EQ(0, autoch_alarm(800, true));
	EXPECT_EQ(0, autoch_status(self->a.fd, self->full, &es));
	dt = emul_now_ms() - t0;
	TH_LOG("restarted, ready %.0f ms after the reset (ready_ms 2500)", dt);
	EXPECT_EQ(1, autoch_alarms);
	EXPECT_LE(2500 - 10, dt);
	EXPECT_EQ(1, (int)es.full);
	autoch_alarm_off();
}

/* NOT READY but not becoming ready: EBUSY at once, no wait. */
TEST_F(ua, door_open_not_ready)
{
	struct element_status es;
	double t0, dt;

	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);
	ASSERT_EQ(0, emul_ctl("event", "door open"));
	self->door_opened = true;
	t0 = emul_now_ms();
	EXPECT_EQ(EBUSY, autoch_move(&self->a, self->full, self->empty));
	dt = emul_now_ms() - t0;
	EXPECT_GT(400, dt) TH_LOG("%.0f ms: 04/03 must not be waited for", dt);
	autoch_expect_sense(_metadata, self->a.fd, EBUSY, AUTOCH_OP_MOVE_MEDIUM,
			    0x2, 0x04, 0x03);
	EXPECT_EQ(EBUSY, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));

	ASSERT_EQ(0, emul_ctl("event", "door close"));
	self->door_opened = false;
	/* the move meets 28/00, is sent again and done */
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	ASSERT_EQ(0, autoch_status(self->a.fd, self->empty, &es));
	EXPECT_EQ(1, (int)es.full);
}

/*
 * SuperLoader: magazine 1 holds the second half of the storage elements.
 * Out: its slots report Access 0 and moves to or from them are NOT READY
 * 3B/12 (EBUSY); in: 28/00, and everything is back.
 */
TEST_F(ua, magazine_removed)
{
	int first = self->a.ea.first_storage, n = self->a.ea.num_storages;
	int mag1 = first + n / 2, in_full = -1, in_empty = -1;
	int out_full = -1, out_empty = -1, addr;
	struct element_status es;
	struct autoch_events ev;

	if (self->profile != EMUL_SUPERLOADER)
		AUTOCH_SKIP(return, "%s has no removable magazines (superloader only)",
		     emul_profile_name[self->profile]);
	for (addr = first; addr < first + n; addr++) {
		ASSERT_EQ(0, autoch_status(self->a.fd, addr, &es));
		if (addr < mag1 && es.full && in_full < 0)
			in_full = addr;
		if (addr < mag1 && !es.full && in_empty < 0)
			in_empty = addr;
		if (addr >= mag1 && es.full && out_full < 0)
			out_full = addr;
		if (addr >= mag1 && !es.full && out_empty < 0)
			out_empty = addr;
	}
	ASSERT_LE(0, in_full);
	ASSERT_LE(0, in_empty);
	ASSERT_LE(0, out_full);
	ASSERT_LE(0, out_empty);
	set_param(_metadata, self, AUTOCH_MODULE, "cache_ms", 0);

	ASSERT_EQ(0, emul_ctl("event", "magazine1 out"));
	self->mag_out = true;
	for (addr = first; addr < first + n; addr++) {
		ASSERT_EQ(0, autoch_status(self->a.fd, addr, &es));
		EXPECT_EQ(addr < mag1, (int)es.access) TH_LOG("slot %#x", addr);
		if (addr >= mag1)
			EXPECT_EQ(0, (int)es.full) TH_LOG("slot %#x", addr);
	}
	EXPECT_EQ(EBUSY, autoch_move(&self->a, out_full, in_empty));
	autoch_expect_sense(_metadata, self->a.fd, EBUSY, AUTOCH_OP_MOVE_MEDIUM,
			    0x2, 0x3b, 0x12);
	EXPECT_EQ(EBUSY, autoch_move(&self->a, in_full, out_empty));
	autoch_expect_sense(_metadata, self->a.fd, EBUSY, AUTOCH_OP_MOVE_MEDIUM,
			    0x2, 0x3b, 0x12);

	drain_events(self->a.fd);
	ASSERT_EQ(0, emul_ctl("event", "magazine1 in"));
	self->mag_out = false;
	ASSERT_EQ(0, autoch_status(self->a.fd, out_full, &es));
	EXPECT_EQ(1, (int)es.access);
	EXPECT_EQ(1, (int)es.full);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_MEDIUM, ev.events & AUTOCH_EVENT_MEDIUM);
	EXPECT_EQ(0, autoch_move(&self->a, out_full, in_empty));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
