// SPDX-License-Identifier: GPL-2.0
/*
 * Paths and failover on the emulation (Documentation/autoch.rst,
 * "Paths"): with autoch's multipath parameter set, the emulation's hosts
 * (each a path to the one library, a different initiator port) give one
 * node with one paths/H:C:T:L directory each; a path that goes down
 * during a status loop costs the caller nothing (the command is sent
 * again on the other path, failovers counts it); root disables, enables
 * and makes a path active through sysfs; a path removed and added again
 * leaves and rejoins the node. Without multipath, or with one path,
 * everything is as it was: one node per SCSI device, one path each, and
 * a transport failure reaches the caller.
 *
 * The fixture sets multipath and makes the emulation's LUs appear again
 * (debugfs "event remove", "add") so that they are grouped; its teardown
 * brings every path up, restores the parameters and regroups them as
 * they were. Skips, with the reason, without the emulation's path control
 * or with one host (one path): superloader hosts=1, tgt, a real library.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "emul_ctl.h"

#define PATHS_MAX	4
#define CLASS_DIR	"/sys/class/autoch"

/* The emulation's paths ("path" file): count, and each one's SCSI host. */
static int emul_paths(unsigned int *host_no)
{
	char buf[1024], *line, *save;
	unsigned int idx, h;
	int n = 0;

	if (emul_read_file(EMUL_DEBUGFS "/path", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < PATHS_MAX;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%u host%u", &idx, &h) != 2)
			continue;
		host_no[n++] = h;
	}
	return n;
}

/* The paths/ entries of node @name: their count; names in @names. */
static int node_paths(const char *name, char names[][32])
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(dir, sizeof(dir), CLASS_DIR "/%s/paths", name);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && n < PATHS_MAX &&
		    strlen(de->d_name) < 32)
			strcpy(names[n++], de->d_name);
	closedir(d);
	return n;
}

/* The node one of whose paths is on SCSI host @host_no, into @name. */
static bool node_of_host(unsigned int host_no, char *name, size_t len)
{
	char paths[PATHS_MAX][32];
	struct dirent *de;
	unsigned int h;
	bool found = false;
	DIR *d;
	int i, n;

	d = opendir(CLASS_DIR);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (strncmp(de->d_name, "autoch", 6))
			continue;
		n = node_paths(de->d_name, paths);
		for (i = 0; i < n; i++) {
			if (sscanf(paths[i], "%u:", &h) == 1 && h == host_no &&
			    strlen(de->d_name) < len) {
				strcpy(name, de->d_name);
				found = true;
			}
		}
	}
	closedir(d);
	return found;
}

static int path_read(const char *node, const char *path, const char *file,
		     char *buf, size_t len)
{
	char p[PATH_MAX];
	int n;

	snprintf(p, sizeof(p), CLASS_DIR "/%s/paths/%s/%s", node, path, file);
	n = emul_read_file(p, buf, len);
	if (n > 0)
		buf[strcspn(buf, "\n")] = '\0';
	return n;
}

static int path_write(const char *node, const char *path, const char *s)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), CLASS_DIR "/%s/paths/%s/state", node, path);
	return emul_write_file(p, s);
}

static long node_long(const char *node, const char *file)
{
	char p[PATH_MAX], buf[64];

	snprintf(p, sizeof(p), CLASS_DIR "/%s/%s", node, file);
	if (emul_read_file(p, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* The path of @node in @state, into @out; how many there are. */
static int path_in_state(const char *node, const char *state, char *out)
{
	char paths[PATHS_MAX][32], st[32];
	int i, n, found = 0;

	n = node_paths(node, paths);
	for (i = 0; i < n; i++) {
		if (path_read(node, paths[i], "state", st, sizeof(st)) > 0 &&
		    !strcmp(st, state)) {
			if (out)
				strcpy(out, paths[i]);
			found++;
		}
	}
	return found;
}

/* The emulation's index of the path named "H:C:T:L". */
static int emul_index(const unsigned int *host_no, int n, const char *path)
{
	unsigned int h;
	int i;

	if (sscanf(path, "%u:", &h) != 1)
		return -1;
	for (i = 0; i < n; i++)
		if (host_no[i] == h)
			return i;
	return -1;
}

/*
 * Every LU of the emulation removed and added again, so that probe
 * groups them (or not) as multipath now says; true once @want nodes with
 * @per_node paths each are there.
 */
static bool regroup(const unsigned int *host_no, int n, int per_node)
{
	char name[64], paths[PATHS_MAX][32];
	double end;
	int i, ok;

	if (emul_ctl("event", "remove") || emul_ctl("event", "add"))
		return false;
	end = emul_now_ms() + 10000;
	do {
		for (ok = 0, i = 0; i < n; i++)
			if (node_of_host(host_no[i], name, sizeof(name)) &&
			    node_paths(name, paths) == per_node)
				ok++;
		if (ok == n)
			return true;
		emul_sleep_ms(50);
	} while (emul_now_ms() < end);
	return false;
}

#define PATHS_PR_KEY	0x7418ULL

/*
 * Host (path) @host's line of the emulation's state: its prevention of
 * medium removal into *@prevent, its registered key into *@key (0: not
 * registered). -1 without the line.
 */
static int emul_host_line(int host, int *prevent, unsigned long long *key)
{
	static char buf[1 << 20];
	char want[32], *p;
	int reg;

	if (emul_read_file(EMUL_DEBUGFS "/state", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(want, sizeof(want), "\n# host %d ", host);
	p = strstr(buf, want);
	if (!p || sscanf(p + 1, "# host %*d prevent %d registered %d key %llx",
			 prevent, &reg, key) != 3)
		return -1;
	if (!reg)
		*key = 0;
	return 0;
}

/* The key host @host registered, 0 for none, -1 without the state. */
static long long emul_host_key(int host)
{
	unsigned long long key;
	int prevent;

	if (emul_host_line(host, &prevent, &key))
		return -1;
	return key;
}

/*
 * A key a failed test left registered (persistent reservations outlive
 * the teardown's reset): registered again through the node, whichever
 * path is active, then cleared with every other registration.
 */
static void pr_leftover_clear(const char *dev, int n)
{
	struct pr_registration reg = {
		.new_key = PATHS_PR_KEY, .flags = PR_FL_IGNORE_KEY,
	};
	struct pr_clear clr = { .key = PATHS_PR_KEY };
	int i, fd, left = 0;

	for (i = 0; i < n; i++)
		left |= emul_host_key(i) > 0;
	fd = left ? open(dev, O_RDWR) : -1;
	if (fd < 0)
		return;
	autoch_ioctl(fd, IOC_PR_REGISTER, &reg);
	autoch_ioctl(fd, IOC_PR_CLEAR, &clr);
	close(fd);
}

FIXTURE(paths) {
	struct emul_params params;
	unsigned int host_no[PATHS_MAX];
	int n;
	char node[64];
	char dev[80];
	struct element_addresses ea;
};

FIXTURE_SETUP(paths)
{
	int fd;

	memset(&self->params, 0, sizeof(self->params));
	self->n = 0;
	if (!emul_present())
		AUTOCH_SKIP(return, "no emulated changer (%s absent)", EMUL_DEBUGFS);
	self->n = emul_paths(self->host_no);
	if (self->n < 0) {
		self->n = 0;
		AUTOCH_SKIP(return, "the emulation has no path control");
	}
	if (self->n < 2) {
		self->n = 0;
		AUTOCH_SKIP(return, "the profile has one path (hosts=1)");
	}
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "multipath", 1));
	/* every status query reaches the changer */
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	ASSERT_TRUE(regroup(self->host_no, self->n, self->n));
	ASSERT_TRUE(node_of_host(self->host_no[0], self->node, sizeof(self->node)));
	snprintf(self->dev, sizeof(self->dev), "/dev/%s", self->node);
	ASSERT_TRUE(emul_wait_node(self->dev, true, 5000));
	fd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &self->ea));
	close(fd);
}

FIXTURE_TEARDOWN(paths)
{
	int i;

	if (self->n) {
		emul_ctl("fault", "clear");
		pr_leftover_clear(self->dev, self->n);
		/* no reservation a failed test left is held on */
		emul_ctl("event", "reset");
		for (i = 0; i < self->n; i++) {
			emul_ctl("path", "up %d", i);
			/* a path a test removed and did not add back */
			emul_ctl("path", "add %d", i);
		}
		EXPECT_EQ(0, emul_params_restore(&self->params));
		EXPECT_TRUE(regroup(self->host_no, self->n, 1));
	}
	autoch_teardown_done(_metadata);
}

/* One node, one directory per path, one of them active. */
TEST_F(paths, grouped)
{
	char paths[PATHS_MAX][32], name[64], link[PATH_MAX], target[PATH_MAX];
	int i, n;

	AUTOCH_SETUP_DONE();

	n = node_paths(self->node, paths);
	ASSERT_EQ(self->n, n);
	EXPECT_EQ(1, path_in_state(self->node, "active", NULL));
	EXPECT_EQ(self->n - 1, path_in_state(self->node, "standby", NULL));
	for (i = 0; i < self->n; i++) {
		/* every host's LU is a path of this node, none has its own */
		ASSERT_TRUE(node_of_host(self->host_no[i], name, sizeof(name)));
		EXPECT_STREQ(self->node, name);
		snprintf(link, sizeof(link), CLASS_DIR "/%s/paths/%s/device",
			 self->node, paths[i]);
		ASSERT_NE(NULL, realpath(link, target));
		EXPECT_STREQ(paths[i], basename(target));
	}
	EXPECT_EQ(0, node_long(self->node, "failovers"));
}

/*
 * The active path goes down (transport disrupted) in the middle of a
 * status loop: no call fails, the path is failed, another is active,
 * failovers counts it. The longest call is logged.
 */
TEST_F(paths, down_during_status_loop)
{
	char active[32], now[32], buf[64];
	struct element_status es;
	double t0, dt, worst = 0;
	int fd, i, idx, errors = 0, first_err = 0;
	long before;

	AUTOCH_SETUP_DONE();

	ASSERT_EQ(1, path_in_state(self->node, "active", active));
	idx = emul_index(self->host_no, self->n, active);
	ASSERT_LE(0, idx);
	before = node_long(self->node, "failovers");
	fd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < 400; i++) {
		if (i == 100)
			ASSERT_EQ(0, emul_ctl("path", "down %d transport_disrupted", idx));
		memset(&es, 0, sizeof(es));
		es.element = self->ea.first_storage + i % self->ea.num_storages;
		t0 = emul_now_ms();
		if (ioctl(fd, SIOC_ELEMENT_STATUS, &es)) {
			if (!errors++)
				first_err = errno;
		}
		dt = emul_now_ms() - t0;
		if (dt > worst)
			worst = dt;
	}
	close(fd);
	EXPECT_EQ(0, errors) TH_LOG("first error %s", strerror(first_err));
	EXPECT_LT(before, node_long(self->node, "failovers"));
	ASSERT_LT(0, path_read(self->node, active, "state", buf, sizeof(buf)));
	EXPECT_STREQ("failed", buf);
	ASSERT_LT(0, path_read(self->node, active, "last_error", buf, sizeof(buf)));
	EXPECT_STREQ("0x000e0000", buf);	/* DID_TRANSPORT_DISRUPTED */
	EXPECT_EQ(1, path_in_state(self->node, "active", now));
	EXPECT_STRNE(active, now);
	TH_LOG("failovers %ld, longest call %.1f ms, failover_max_ms %ld",
	       node_long(self->node, "failovers"), worst,
	       node_long(self->node, "failover_max_ms"));

	/* up again: failed until root enables it, then a standby */
	ASSERT_EQ(0, emul_ctl("path", "up %d", idx));
	ASSERT_EQ(0, path_write(self->node, active, "enable"));
	ASSERT_LT(0, path_read(self->node, active, "state", buf, sizeof(buf)));
	EXPECT_STREQ("standby", buf);
}

/* moves_cut_NAME of @node. */
static long cut_count(const char *node, const char *name)
{
	char file[64];

	snprintf(file, sizeof(file), "moves_cut_%s", name);
	return node_long(node, file);
}

/*
 * Send @req (SIOC_MOVE_MEDIUM or SIOC_EXCHANGE_MEDIUM) from a child and,
 * 400 ms later (the robot takes move_ms 1500), take path @idx down with
 * DID_TRANSPORT_DISRUPTED: the command in flight is cut off. Returns the
 * call's errno (0 for success), -1 when the child could not say; *@ms is
 * how long the call took.
 */
static int cut_call(int fd, unsigned long req, void *arg, int idx, double *ms)
{
	double t0 = emul_now_ms();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(ioctl(fd, req, arg) ? (errno & 0x7f) : 0);
	emul_sleep_ms(400);
	if (emul_ctl("path", "down %d transport_disrupted", idx))
		return -1;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	*ms = emul_now_ms() - t0;
	return WEXITSTATUS(status);
}

/* What a cut-off move test needs: the active path, a full and an empty slot. */
struct cut_setup {
	struct autoch_dev d;
	char active[32];
	int idx, other, full, empty;
	long c_idx, c_other;
	int err;
	double ms;
};

static int cut_prepare(FIXTURE_DATA(paths) *self, struct cut_setup *c,
		       int opcode)
{
	if (path_in_state(self->node, "active", c->active) != 1)
		return -1;
	c->idx = emul_index(self->host_no, self->n, c->active);
	if (c->idx < 0 || c->idx > 1)
		return -1;
	c->other = !c->idx;
	if (emul_open(&c->d, self->dev))
		return -1;
	c->full = autoch_find(&c->d, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	c->empty = autoch_find(&c->d, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	if (c->full < 0 || c->empty < 0) {
		autoch_close(&c->d);
		return 1;
	}
	if (emul_param_set(&self->params, EMUL_MODULE, "move_ms", 1500))
		return -1;
	c->c_idx = emul_counter(opcode, c->idx);
	c->c_other = emul_counter(opcode, c->other);
	return 0;
}

/*
 * cut_prepare() for a MOVE, then @fault (a fault rule for the active
 * path's host, "%d" its index; NULL for none) and @other_fault (the same
 * for the other path's), then the MOVE of a full slot to an empty one,
 * cut off by the active path going down: its errno in @c->err, its time
 * in @c->ms. Returns what cut_prepare() did (1: skip).
 */
static int cut_move(FIXTURE_DATA(paths) *self, struct cut_setup *c,
		    const char *fault, const char *other_fault)
{
	struct move_medium_parms mp = {};
	int ret = cut_prepare(self, c, 0xa5);

	if (ret)
		return ret;
	if ((fault && emul_ctl("fault", fault, c->idx)) ||
	    (other_fault && emul_ctl("fault", other_fault, c->other)))
		return -1;
	mp.transport = self->ea.first_transport;
	mp.source = c->full;
	mp.destination = c->empty;
	c->err = cut_call(c->d.fd, SIOC_MOVE_MEDIUM, &mp, c->idx, &c->ms);
	return 0;
}

/* cut_move() in a test, which it skips without a full and an empty slot. */
#define CUT_MOVE(c, fault, other_fault) do {				\
	int ret_ = cut_move(self, c, fault, other_fault);		\
									\
	ASSERT_LE(0, ret_);						\
	if (ret_)							\
		AUTOCH_SKIP(return, "no full and empty storage elements"); \
} while (0)

/* The library as it was (@moved: the cartridge is in the empty slot). */
static void cut_end(struct cut_setup *c, bool moved)
{
	if (moved)
		autoch_remember(&c->d, false, c->full, c->empty);
	autoch_undo(&c->d);
	autoch_close(&c->d);
}

static bool slot_full(int fd, int addr)
{
	struct element_status es = { .element = addr };

	return !autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es) && es.full;
}

/*
 * The path fails while the MOVE waits for the robot: the library never
 * carried it out. The driver reads the source (full) and destination
 * (empty) through the other path and sends the MOVE once there: the call
 * succeeds, the cartridge moved once, moves_cut_resent counts it.
 */
TEST_F(paths, move_cut_before)
{
	long resent = cut_count(self->node, "resent");
	struct cut_setup c;

	AUTOCH_SETUP_DONE();

	CUT_MOVE(&c, NULL, NULL);
	EXPECT_EQ(0, c.err) TH_LOG("move: %s", emul_errname(c.err));
	EXPECT_FALSE(slot_full(c.d.fd, c.full));
	EXPECT_TRUE(slot_full(c.d.fd, c.empty));
	EXPECT_EQ(resent + 1, cut_count(self->node, "resent"));
	EXPECT_EQ(c.c_idx + 1, emul_counter(0xa5, c.idx));
	EXPECT_EQ(c.c_other + 1, emul_counter(0xa5, c.other))
		TH_LOG("sent once again on the other path");
	TH_LOG("cut before: the call took %.0f ms, moves_cut total %ld",
	       c.ms, cut_count(self->node, "total"));
	cut_end(&c, !c.err);
}

/*
 * The library carries the MOVE out at once but its GOOD status is held
 * (fault "delay"); the path fails meanwhile. The driver reads the
 * elements through the other path, finds the move done and returns 0
 * without sending it again: moves_cut_done counts it.
 */
TEST_F(paths, move_cut_after)
{
	long done = cut_count(self->node, "done");
	struct cut_setup c;

	AUTOCH_SETUP_DONE();

	CUT_MOVE(&c, "opcode=a5 host=%d fault=delay ms=1500", NULL);
	EXPECT_EQ(0, c.err) TH_LOG("move: %s", emul_errname(c.err));
	EXPECT_FALSE(slot_full(c.d.fd, c.full));
	EXPECT_TRUE(slot_full(c.d.fd, c.empty));
	EXPECT_EQ(done + 1, cut_count(self->node, "done"));
	EXPECT_EQ(c.c_other, emul_counter(0xa5, c.other))
		TH_LOG("a move carried out was sent again");
	TH_LOG("cut after: the call took %.0f ms", c.ms);
	cut_end(&c, slot_full(c.d.fd, c.empty));
}

/*
 * The same cut, but the elements cannot be read through the other path
 * (every READ ELEMENT STATUS there fails): the outcome is unknown. The
 * call fails with EIO, AUTOCH_EVENT_MOVE_UNKNOWN is posted, the move is
 * not sent again, and moves_cut_unknown counts it.
 */
TEST_F(paths, move_cut_unknown)
{
	long unknown = cut_count(self->node, "unknown");
	struct autoch_events ev = {};
	struct cut_setup c;

	AUTOCH_SETUP_DONE();

	CUT_MOVE(&c, "opcode=a5 host=%d fault=delay ms=1500",
		 "opcode=b8 host=%d count=0 fault=sense key=4 asc=44 ascq=0");
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	EXPECT_EQ(EIO, c.err) TH_LOG("move: %s", emul_errname(c.err));
	EXPECT_EQ(unknown + 1, cut_count(self->node, "unknown"));
	EXPECT_EQ(c.c_other, emul_counter(0xa5, c.other));
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_TRUE(!!(ev.events & AUTOCH_EVENT_MOVE_UNKNOWN))
		TH_LOG("events %#x", ev.events);
	/* the library did move it (the delay fault executed it) */
	EXPECT_TRUE(slot_full(c.d.fd, c.empty));
	cut_end(&c, slot_full(c.d.fd, c.empty));
}

/*
 * A MOVE that cannot be carried out (an empty source, a full
 * destination): the library refuses it at once, but its status is held
 * (fault "delay") and the path fails meanwhile. Read afterwards, the
 * elements look like a move done (source empty, destination full); only
 * what was read before it was sent tells otherwise. The call must not
 * report success: unknown, EIO, the event, not sent again, nothing moved.
 */
TEST_F(paths, move_cut_looks_done)
{
	long unknown = cut_count(self->node, "unknown");
	struct move_medium_parms mp = {};
	struct autoch_events ev = {};
	struct cut_setup c;
	int ret;

	AUTOCH_SETUP_DONE();

	ret = cut_prepare(self, &c, 0xa5);
	ASSERT_LE(0, ret);
	if (ret)
		AUTOCH_SKIP(return, "no full and empty storage elements");
	ASSERT_EQ(0, emul_ctl("fault", "opcode=a5 host=%d fault=delay ms=1500",
			      c.idx));
	mp.transport = self->ea.first_transport;
	mp.source = c.empty;
	mp.destination = c.full;
	c.err = cut_call(c.d.fd, SIOC_MOVE_MEDIUM, &mp, c.idx, &c.ms);
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	EXPECT_EQ(EIO, c.err) TH_LOG("move: %s", emul_errname(c.err));
	EXPECT_EQ(unknown + 1, cut_count(self->node, "unknown"));
	EXPECT_EQ(c.c_other, emul_counter(0xa5, c.other))
		TH_LOG("a move that could not be done was sent again");
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_TRUE(!!(ev.events & AUTOCH_EVENT_MOVE_UNKNOWN))
		TH_LOG("events %#x", ev.events);
	EXPECT_TRUE(slot_full(c.d.fd, c.full));
	EXPECT_FALSE(slot_full(c.d.fd, c.empty));
	cut_end(&c, false);
}

/*
 * An EXCHANGE of two full slots (the second destination is the source)
 * carried out, its status lost with the path: the tags read before it
 * was sent tell that it is done; 0, not sent again.
 */
TEST_F(paths, exchange_cut_after)
{
	struct exchange_medium_parms xp = {};
	long done = cut_count(self->node, "done");
	struct element_status a = {}, b = {};
	struct cut_setup c;
	char ta[40], tb[40], na[40], nb[40];
	int other_full, skip[1], ret;
	double ms = 0;

	AUTOCH_SETUP_DONE();

	ret = cut_prepare(self, &c, 0xa6);
	ASSERT_LE(0, ret);
	if (ret)
		AUTOCH_SKIP(return, "no full and empty storage elements");
	if (emul_profile(c.d.fd) != EMUL_LIBRARY) {
		autoch_close(&c.d);
		AUTOCH_SKIP(return, "the %s profile has no EXCHANGE MEDIUM",
			    emul_profile_name[emul_profile(c.d.fd)]);
	}
	skip[0] = c.full;
	other_full = autoch_find(&c.d, AUTOCH_STORAGE, AUTOCH_FULL, skip, 1);
	ASSERT_LE(0, other_full);
	a.element = c.full;
	b.element = other_full;
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, SIOC_ELEMENT_STATUS, &a));
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, SIOC_ELEMENT_STATUS, &b));
	autoch_tag(a.pri_vol_tag, ta);
	autoch_tag(b.pri_vol_tag, tb);
	ASSERT_EQ(0, emul_ctl("fault", "opcode=a6 host=%d fault=delay ms=1500",
			      c.idx));
	xp.transport = self->ea.first_transport;
	xp.source = c.full;
	xp.first_destination = other_full;
	xp.second_destination = c.full;
	ret = cut_call(c.d.fd, SIOC_EXCHANGE_MEDIUM, &xp, c.idx, &ms);
	EXPECT_EQ(0, ret) TH_LOG("exchange: %s", ret > 0 ? strerror(ret) : "?");
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, SIOC_ELEMENT_STATUS, &a));
	ASSERT_EQ(0, autoch_ioctl(c.d.fd, SIOC_ELEMENT_STATUS, &b));
	autoch_tag(a.pri_vol_tag, na);
	autoch_tag(b.pri_vol_tag, nb);
	EXPECT_STREQ(tb, na);
	EXPECT_STREQ(ta, nb);
	EXPECT_EQ(done + 1, cut_count(self->node, "done"));
	EXPECT_EQ(c.c_other, emul_counter(0xa6, c.other))
		TH_LOG("an exchange carried out was sent again");
	if (!strcmp(tb, na))
		autoch_remember(&c.d, true, c.full, other_full);
	autoch_undo(&c.d);
	autoch_close(&c.d);
}

/*
 * Every path's SCSI device removed in turn under an open file: with one
 * left the calls go on; with none the changer is gone (ENXIO). The count
 * of live paths autoch_is_dead() reads follows each removal.
 */
TEST_F(paths, last_path_removed)
{
	struct element_status es = {};
	int fd, i, j;

	AUTOCH_SETUP_DONE();

	fd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);
	es.element = self->ea.first_storage;
	for (i = 0; i < self->n - 1; i++) {
		ASSERT_EQ(0, emul_ctl("path", "remove %d", i));
		for (j = 0; j < 5; j++)
			EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es))
				TH_LOG("%d path(s) removed", i + 1);
	}
	ASSERT_EQ(0, emul_ctl("path", "remove %d", self->n - 1));
	EXPECT_EQ(ENXIO, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	close(fd);
	EXPECT_TRUE(emul_wait_node(self->dev, false, 5000));
	/* the teardown adds them back */
}

/* The initiator (host index) holding element @element, -1 for none. */
static int emul_elem_holder(int element)
{
	static char buf[1 << 20];
	char want[32], *p;

	if (emul_read_file(EMUL_DEBUGFS "/state", buf, sizeof(buf)) < 0)
		return -2;
	snprintf(want, sizeof(want), "\n# %d reserved by ", element);
	p = strstr(buf, want);
	return p ? (int)strtol(p + strlen(want), NULL, 10) : -1;
}

/*
 * The holder of @element's reservation, as emul_elem_holder(): a profile
 * without element reservations (the superloader) reserves the unit for
 * it, so there it is the unit's.
 */
static int emul_holder(int fd, int element)
{
	if (emul_profile(fd) == EMUL_SUPERLOADER)
		return emul_unit_holder();
	return emul_elem_holder(element);
}

/* The emulation's profile of the fixture's node. */
static enum emul_profile paths_profile(FIXTURE_DATA(paths) *self)
{
	enum emul_profile p;
	int fd = open(self->dev, O_RDONLY);

	p = emul_profile(fd);
	if (fd >= 0)
		close(fd);
	return p;
}

/* The index of the path @node has active now, -1 for none. */
static int active_index(FIXTURE_DATA(paths) *self)
{
	char active[32];

	if (path_in_state(self->node, "active", active) != 1)
		return -1;
	return emul_index(self->host_no, self->n, active);
}

/*
 * Both RESERVE (ELEMENT) forms through the path that is not active now,
 * the way the re-take after a failover goes, meet the emulation's @rule
 * ("count=0 fault=conflict", ...). That path's index, or -1.
 */
static int fault_reserve_other(FIXTURE_DATA(paths) *self, const char *rule)
{
	int active = active_index(self);

	if (active < 0 ||
	    emul_ctl("fault", "opcode=%02x host=%d %s",
		     AUTOCH_OP_RESERVE_ELEMENT_6, !active, rule) ||
	    emul_ctl("fault", "opcode=%02x host=%d %s",
		     AUTOCH_OP_RESERVE_ELEMENT_10, !active, rule))
		return -1;
	return !active;
}

/*
 * Element @e reserved through the active path (index into *@idx), which
 * then goes down: the changer forgets the reservation with the I_T nexus.
 * A status call fails over to the other path. Returns the open file.
 */
static int resv_then_failover(struct __test_metadata *_metadata,
			      FIXTURE_DATA(paths) *self, int e, int *idx)
{
	struct reservation_parms rp = { .element = e, .identification = 7 };
	struct element_status es = { .element = self->ea.first_storage };
	int fd;

	*idx = active_index(self);
	fd = open(self->dev, O_RDONLY);
	if (fd < 0 || *idx < 0)
		return -1;
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	EXPECT_EQ(*idx, emul_holder(fd, e));
	EXPECT_EQ(0, emul_ctl("path", "down %d transport_disrupted", *idx));
	EXPECT_EQ(-1, emul_holder(fd, e)) TH_LOG("the nexus loss kept it");
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	return fd;
}

/*
 * A reservation made through one path is taken again through the other
 * after a failover: the changer shows it held by the new initiator, the
 * holder's calls go on without ECONNRESET, reservations_retaken counts it.
 */
TEST_F(paths, reservation_retaken)
{
	struct reservation_parms rp = {};
	struct autoch_reservation_state st = {};
	long before = node_long(self->node, "reservations_retaken");
	int e = self->ea.first_storage + 1, fd, idx;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no RESERVE: the driver keeps the reservations, nothing on the changer to take again");

	fd = resv_then_failover(_metadata, self, e, &idx);
	ASSERT_LE(0, fd);
	/* every call takes them again first, if the work has not yet */
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(0, st.num_lost);
	EXPECT_EQ(!idx, emul_holder(fd, e)) TH_LOG("not held through the new path");
	/* once more when a late 29/xx met there leaves it unsure */
	EXPECT_LE(before + 1, node_long(self->node, "reservations_retaken"));
	rp.element = e;
	rp.identification = 7;
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RELEASE, &rp));
	EXPECT_EQ(-1, emul_holder(fd, e));
	close(fd);
}

/*
 * The new path's initiator cannot take the reservation again (the changer
 * answers RESERVATION CONFLICT there): the holder's next changing call
 * fails with ECONNRESET, once, AUTOCH_RESERVATIONS lists the element as
 * lost, reservations_lost counts it; the call after works.
 */
TEST_F(paths, reservation_retake_fails)
{
	struct reservation_parms rp = {};
	struct autoch_reservation_state st = {};
	long before = node_long(self->node, "reservations_lost");
	int e = self->ea.first_storage + 1, fd, idx, other;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no RESERVE: the driver keeps the reservations, nothing on the changer to take again");

	/* both RESERVE forms refused through the path that is not active */
	other = fault_reserve_other(self, "count=0 fault=conflict");
	ASSERT_LE(0, other);
	fd = resv_then_failover(_metadata, self, e, &idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(other, !idx);
	rp.element = self->ea.first_storage + 2;
	rp.identification = 8;
	EXPECT_EQ(ECONNRESET, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	ASSERT_EQ(0, emul_ctl("fault", "clear"));
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.num_elements);
	EXPECT_EQ(1, st.num_lost);
	EXPECT_EQ(e, st.lost[0]);
	EXPECT_EQ(before + 1, node_long(self->node, "reservations_lost"));
	/* told once: the next call works */
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	EXPECT_EQ(!idx, emul_holder(fd, rp.element));
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RELEASE, &rp));
	close(fd);
}

/* RESERVE (ELEMENT) commands through @host, both CDB sizes; -1 unknown. */
static long reserve_count(int host)
{
	long six = emul_counter(AUTOCH_OP_RESERVE_ELEMENT_6, host);
	long ten = emul_counter(AUTOCH_OP_RESERVE_ELEMENT_10, host);

	return six < 0 || ten < 0 ? -1 : six + ten;
}

/*
 * @req on @fd with a SIGALRM (no SA_RESTART) 200 ms into the call: its
 * errno, 0 on success.
 */
static int call_alarmed(int fd, unsigned long req, void *arg)
{
	int ret;

	if (autoch_alarm(200, false))
		return -1;
	ret = autoch_ioctl(fd, req, arg);
	autoch_alarm_off();
	return ret;
}

/*
 * While the re-take after a failover is on its way (the changer holds
 * back its answer to the RESERVE ELEMENT through the new path by 8 s),
 * the calls that send nothing answer at once (an unknown number ENOTTY),
 * even under a signal; AUTOCH_RESERVATIONS and a status call wait for the
 * re-take, and a signal ends that wait with EINTR. Once it is done,
 * AUTOCH_RESERVATIONS lists the reservation held through the new path.
 */
TEST_F(paths, retake_wait)
{
	struct element_status es = { .element = self->ea.first_storage };
	struct reservation_parms rp = {};
	struct autoch_reservation_state st = {};
	struct autoch_events ev;
	union inquiry_data inq;
	long before = node_long(self->node, "reservations_retaken");
	int e = self->ea.first_storage + 1, fd, idx, other;
	long sent;
	double end;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no RESERVE: the driver keeps the reservations, nothing on the changer to take again");

	other = fault_reserve_other(self, "count=1 fault=delay ms=8000");
	ASSERT_LE(0, other);
	sent = reserve_count(other);
	ASSERT_LE(0, sent);
	fd = resv_then_failover(_metadata, self, e, &idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(other, !idx);
	/* the re-take's RESERVE has reached the changer, its answer held */
	end = emul_now_ms() + 20000;
	while (reserve_count(other) == sent && emul_now_ms() < end)
		emul_sleep_ms(10);
	ASSERT_LT(sent, reserve_count(other)) TH_LOG("no re-take sent");

	EXPECT_EQ(0, call_alarmed(fd, SIOC_INQUIRY, &inq));
	EXPECT_EQ(0, call_alarmed(fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(ENOTTY, call_alarmed(fd, _IO('S', 250), NULL));
	EXPECT_EQ(EINTR, call_alarmed(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(EINTR, call_alarmed(fd, SIOC_ELEMENT_STATUS, &es));
	/* all of that while the re-take was still on its way */
	EXPECT_EQ(before, node_long(self->node, "reservations_retaken"))
		TH_LOG("the re-take ended before the calls: nothing shown");

	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(0, st.num_lost);
	EXPECT_LT(before, node_long(self->node, "reservations_retaken"));
	EXPECT_EQ(other, emul_holder(fd, e)) TH_LOG("not held through the new path");
	rp.element = e;
	rp.identification = 7;
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RELEASE, &rp));
	EXPECT_EQ(-1, emul_holder(fd, e));
	close(fd);
}

/* ---- persistent reservation keys and PREVENT across paths ---- */

/* Whether host @host prevents medium removal, -1 without the state. */
static int emul_host_prevents(int host)
{
	unsigned long long key;
	int prevent;

	if (emul_host_line(host, &prevent, &key))
		return -1;
	return prevent;
}

/* Wait up to @ms for host @host's prevention to be @want. */
static int emul_wait_prevents(int host, int want, int ms)
{
	double end = emul_now_ms() + ms;
	int got;

	while ((got = emul_host_prevents(host)) != want && emul_now_ms() < end)
		emul_sleep_ms(20);
	return got;
}

/* Registered keys, as READ KEYS through the node reports them: how many. */
static int pr_num_keys(int fd, __u64 *keys, unsigned int room)
{
	struct pr_read_keys rk = {
		.num_keys = room, .keys_ptr = (unsigned long)keys,
	};

	if (autoch_ioctl(fd, IOC_PR_READ_KEYS, &rk))
		return -1;
	return rk.num_keys;
}

/* The node opened for writing, the active path's index in *@idx; -1. */
static int open_writer(FIXTURE_DATA(paths) *self, int *idx)
{
	*idx = active_index(self);
	if (*idx < 0)
		return -1;
	return open(self->dev, O_RDWR);
}

/*
 * A registration (and an unregistration, key 0) through the node reaches
 * every working path: each path's I_T nexus is registered with the key
 * (READ KEYS lists it once per path, the emulation's state per host),
 * each path's pr_error is 0; unregistering removes every one.
 */
TEST_F(paths, pr_keys_on_every_path)
{
	struct pr_registration reg = { .new_key = PATHS_PR_KEY };
	char paths[PATHS_MAX][32], buf[32];
	__u64 keys[PATHS_MAX] = {};
	int fd, i, n;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no PERSISTENT RESERVE (20/00): no key to register");

	fd = open(self->dev, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, IOC_PR_REGISTER, &reg));
	EXPECT_EQ(self->n, pr_num_keys(fd, keys, PATHS_MAX));
	for (i = 0; i < self->n; i++) {
		EXPECT_EQ(PATHS_PR_KEY, keys[i]);
		EXPECT_EQ((long long)PATHS_PR_KEY, emul_host_key(i))
			TH_LOG("path %d not registered", i);
	}
	n = node_paths(self->node, paths);
	for (i = 0; i < n; i++) {
		ASSERT_LT(0, path_read(self->node, paths[i], "pr_error", buf,
				       sizeof(buf)));
		EXPECT_STREQ("0", buf);
	}

	reg.old_key = PATHS_PR_KEY;
	reg.new_key = 0;
	EXPECT_EQ(0, autoch_ioctl(fd, IOC_PR_REGISTER, &reg));
	EXPECT_EQ(0, pr_num_keys(fd, keys, PATHS_MAX));
	for (i = 0; i < self->n; i++)
		EXPECT_EQ(0, emul_host_key(i)) TH_LOG("path %d still registered", i);
	close(fd);
}

/*
 * A registrants-only reservation (exclusive access, registrants only)
 * taken through the active path, which then goes down: the status call
 * fails over to a path that is already registered, so the changer lets
 * it read; the reservation is still there, and the holder's next
 * changing call (CLEAR) works without ECONNRESET: nothing was lost.
 */
TEST_F(paths, pr_reservation_survives_failover)
{
	struct pr_registration reg = {
		.new_key = PATHS_PR_KEY, .flags = PR_FL_IGNORE_KEY,
	};
	struct pr_reservation rsv = {
		.key = PATHS_PR_KEY, .type = PR_EXCLUSIVE_ACCESS_REG_ONLY,
	};
	struct element_status es = { .element = self->ea.first_storage };
	struct pr_read_reservation rr = {};
	struct pr_clear clr = { .key = PATHS_PR_KEY };
	int fd, idx, i;
	long before;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no PERSISTENT RESERVE (20/00)");

	before = node_long(self->node, "failovers");
	fd = open_writer(self, &idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, IOC_PR_REGISTER, &reg));
	ASSERT_EQ(0, autoch_ioctl(fd, IOC_PR_RESERVE, &rsv));
	ASSERT_EQ(0, emul_ctl("path", "down %d transport_disrupted", idx));
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es))
		TH_LOG("the new path is no registrant");
	EXPECT_LT(before, node_long(self->node, "failovers"));
	EXPECT_NE(idx, active_index(self));
	EXPECT_EQ(0, autoch_ioctl(fd, IOC_PR_READ_RESERVATION, &rr));
	EXPECT_EQ(PATHS_PR_KEY, rr.key);
	EXPECT_EQ(PR_EXCLUSIVE_ACCESS_REG_ONLY, rr.type);
	EXPECT_EQ(0, autoch_ioctl(fd, IOC_PR_CLEAR, &clr));
	for (i = 0; i < self->n; i++)
		EXPECT_EQ(0, emul_host_key(i));
	close(fd);
}

/*
 * PREVENT MEDIUM REMOVAL through the active path, which then goes down
 * (its I_T nexus loss ends its prevention: SMC-3, PREVENT ALLOW MEDIUM
 * REMOVAL): after the failover the driver sends PREVENT on the new path
 * (prevent_resent counts it) before the next call goes on; close sends
 * ALLOW there.
 */
TEST_F(paths, prevent_resent_after_failover)
{
	struct element_status es = { .element = self->ea.first_storage };
	struct autoch_reservation_state st = {};
	long before = node_long(self->node, "prevent_resent");
	int fd, idx, now, v = 1;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no PREVENT ALLOW MEDIUM REMOVAL (20/00)");

	fd = open_writer(self, &idx);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &v));
	EXPECT_EQ(1, emul_host_prevents(idx));
	ASSERT_EQ(0, emul_ctl("path", "down %d transport_disrupted", idx));
	EXPECT_EQ(0, emul_host_prevents(idx)) TH_LOG("the nexus loss kept it");
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	/* every call sends it again first, if the work has not yet */
	EXPECT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	now = active_index(self);
	ASSERT_LE(0, now);
	EXPECT_NE(idx, now);
	EXPECT_EQ(1, emul_host_prevents(now)) TH_LOG("not prevented on the new path");
	/* once more when a late 29/xx met there leaves it unsure */
	EXPECT_LE(before + 1, node_long(self->node, "prevent_resent"));
	close(fd);
	EXPECT_EQ(0, emul_wait_prevents(now, 0, 5000)) TH_LOG("ALLOW not sent at close");
}

/*
 * A reset the driver hears of late. The path other than @idx loses its
 * I_T nexus (29/07 waits there), the changer holds back its answer to the
 * next READ ELEMENT STATUS through that path by 4 s, and @idx goes down:
 * a child's status call fails over and meets the unit attention. Returns
 * the child once the changer has carried out its command (the answer
 * still held back), the other path's index in *@other; -1 on failure.
 * What the caller sends now through the other path reaches the changer
 * after the reset, and completes before the driver hears of the reset.
 */
static pid_t late_reset(FIXTURE_DATA(paths) *self, int fd, int idx,
			int *other)
{
	struct element_status es = { .element = self->ea.first_storage };
	double end;
	long before;
	pid_t pid;

	if (idx < 0 || idx > 1)
		return -1;
	*other = !idx;
	if (emul_ctl("path", "down %d transport_disrupted", *other) ||
	    emul_ctl("path", "up %d", *other) ||
	    emul_ctl("fault", "opcode=b8 host=%d count=1 fault=delay ms=4000",
		     *other))
		return -1;
	before = emul_counter(0xb8, *other);
	if (before < 0 ||
	    emul_ctl("path", "down %d transport_disrupted", idx))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		_exit(ioctl(fd, SIOC_ELEMENT_STATUS, &es) ? (errno & 0x7f) : 0);
	/* the changer's own count says when it has the command */
	end = emul_now_ms() + 20000;
	while (emul_counter(0xb8, *other) == before && emul_now_ms() < end)
		emul_sleep_ms(10);
	if (emul_counter(0xb8, *other) == before) {
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/*
 * The child of late_reset(): whether its answer was still held back when
 * the caller's command completed (1), then its call's errno once it ends
 * (*@err; -1 when it could not say).
 */
static int late_reset_end(pid_t pid, int *err)
{
	int status, late = waitpid(pid, &status, WNOHANG) == 0;

	*err = -1;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		*err = WEXITSTATUS(status);
	return late;
}

/*
 * PREVENT through the path a failover moved to, carried out after a reset
 * of that path's nexus whose unit attention reaches the driver only later
 * (late_reset()). The driver cannot tell which came first: the prevention
 * stays, as the changer holds it here, and close allows removal there.
 */
TEST_F(paths, prevent_before_late_reset)
{
	int fd, idx, other, err, v = 1;
	pid_t pid;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no PREVENT ALLOW MEDIUM REMOVAL (20/00)");

	fd = open_writer(self, &idx);
	ASSERT_LE(0, fd);
	pid = late_reset(self, fd, idx, &other);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &v));
	EXPECT_EQ(1, emul_host_prevents(other));
	ASSERT_EQ(1, late_reset_end(pid, &err))
		TH_LOG("the unit attention came back first: nothing to show");
	EXPECT_EQ(0, err);
	close(fd);
	EXPECT_EQ(0, emul_wait_prevents(other, 0, 5000))
		TH_LOG("ALLOW not sent at close: removal left prevented");
}

/*
 * RESERVE (ELEMENT) through that path in the same window: the driver
 * cannot tell whether the changer still holds it, so it reserves it again
 * there, as after a failover. The holder keeps it (nothing listed lost,
 * no ECONNRESET) and the changer holds it; its RELEASE leaves nothing.
 */
TEST_F(paths, reserve_before_late_reset)
{
	struct reservation_parms rp = {
		.element = self->ea.first_storage + 1, .identification = 7,
	};
	struct autoch_reservation_state st = {};
	long before = node_long(self->node, "reservations_retaken");
	int fd, idx, other, err;
	pid_t pid;

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no RESERVE: nothing on the changer to leave behind");

	fd = open_writer(self, &idx);
	ASSERT_LE(0, fd);
	pid = late_reset(self, fd, idx, &other);
	ASSERT_LT(0, pid);
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	EXPECT_EQ(other, emul_holder(fd, rp.element));
	ASSERT_EQ(1, late_reset_end(pid, &err))
		TH_LOG("the unit attention came back first: nothing to show");
	EXPECT_EQ(0, err);
	/* every call takes them again first, if the work has not yet */
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(0, st.num_lost);
	EXPECT_EQ(other, emul_holder(fd, rp.element));
	EXPECT_LT(before, node_long(self->node, "reservations_retaken"));
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_RELEASE, &rp));
	EXPECT_EQ(-1, emul_holder(fd, rp.element))
		TH_LOG("the reservation was left on the changer");
	close(fd);
}

/*
 * Root makes another path active while a file prevents removal: no nexus
 * is lost, so both paths' I_T nexuses prevent it now (the driver sent
 * PREVENT on the new one). ALLOW at close goes to both: removal is
 * allowed on the changer again.
 */
TEST_F(paths, allow_on_every_preventing_path)
{
	char paths[PATHS_MAX][32];
	int fd, idx, other, i, n, v = 1;
	struct autoch_reservation_state st = {};

	AUTOCH_SETUP_DONE();
	if (paths_profile(self) == EMUL_TGT)
		AUTOCH_SKIP(return, "tgt has no PREVENT ALLOW MEDIUM REMOVAL (20/00)");

	idx = active_index(self);
	ASSERT_LE(0, idx);
	n = node_paths(self->node, paths);
	for (i = 0; i < n && emul_index(self->host_no, self->n, paths[i]) == idx; i++)
		;
	ASSERT_LT(i, n);
	other = emul_index(self->host_no, self->n, paths[i]);
	fd = open(self->dev, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &v));
	ASSERT_EQ(0, path_write(self->node, paths[i], "active"));
	EXPECT_EQ(0, autoch_ioctl(fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, emul_host_prevents(idx));
	EXPECT_EQ(1, emul_host_prevents(other));
	close(fd);
	EXPECT_EQ(0, emul_wait_prevents(other, 0, 5000));
	EXPECT_EQ(0, emul_wait_prevents(idx, 0, 5000))
		TH_LOG("ALLOW did not reach the path that prevented first");
}

/* Root disables, enables and picks the active path; the counters agree. */
TEST_F(paths, disable_enable)
{
	char active[32], other[32], buf[64], paths[PATHS_MAX][32];
	struct element_status es = {};
	long c0, c1;
	int fd, i, a, o, n;

	AUTOCH_SETUP_DONE();

	ASSERT_EQ(1, path_in_state(self->node, "active", active));
	n = node_paths(self->node, paths);
	for (i = 0; i < n && !strcmp(paths[i], active); i++)
		;
	ASSERT_LT(i, n);
	strcpy(other, paths[i]);
	a = emul_index(self->host_no, self->n, active);
	o = emul_index(self->host_no, self->n, other);
	ASSERT_LE(0, a);
	ASSERT_LE(0, o);
	ASSERT_GT(2, a) TH_LOG("counters cover two hosts");
	ASSERT_GT(2, o);

	EXPECT_EQ(EINVAL, path_write(self->node, active, "sideways"));
	ASSERT_EQ(0, path_write(self->node, active, "disable"));
	ASSERT_LT(0, path_read(self->node, active, "state", buf, sizeof(buf)));
	EXPECT_STREQ("disabled", buf);
	ASSERT_EQ(1, path_in_state(self->node, "active", buf));
	EXPECT_STRNE(active, buf);

	fd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);
	c0 = emul_counter(0xb8, a);
	c1 = emul_counter(0xb8, o);
	es.element = self->ea.first_storage;
	for (i = 0; i < 20; i++)
		EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	EXPECT_EQ(c0, emul_counter(0xb8, a)) TH_LOG("sent on a disabled path");
	EXPECT_LE(c1 + 20, emul_counter(0xb8, o));

	/* the last enabled path cannot be disabled */
	if (self->n == 2)
		EXPECT_EQ(EBUSY, path_write(self->node, other, "disable"));
	/* a disabled path cannot be made active before it is enabled */
	EXPECT_EQ(EBUSY, path_write(self->node, active, "active"));
	ASSERT_EQ(0, path_write(self->node, active, "enable"));
	ASSERT_LT(0, path_read(self->node, active, "state", buf, sizeof(buf)));
	EXPECT_STREQ("standby", buf);
	ASSERT_EQ(0, path_write(self->node, active, "active"));
	ASSERT_LT(0, path_read(self->node, active, "state", buf, sizeof(buf)));
	EXPECT_STREQ("active", buf);
	c0 = emul_counter(0xb8, a);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	EXPECT_LE(c0 + 20, emul_counter(0xb8, a));
	close(fd);

	/* only root writes */
	if (!fork()) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(path_write(self->node, active, "disable") == EACCES ? 0 : 1);
	}
	ASSERT_LT(0, wait(&i));
	EXPECT_EQ(0, WEXITSTATUS(i));
}

/*
 * The active path's SCSI device (the node's parent, the first path) is
 * removed under an open file: the node stays, the file keeps working on
 * the other path; added again, it is a path of the same node.
 */
TEST_F(paths, remove_and_add)
{
	char active[32], paths[PATHS_MAX][32], name[64], link[PATH_MAX];
	char target[PATH_MAX];
	struct element_status es = {};
	int fd, idx, i;

	AUTOCH_SETUP_DONE();

	ASSERT_EQ(1, path_in_state(self->node, "active", active));
	idx = emul_index(self->host_no, self->n, active);
	ASSERT_LE(0, idx);
	fd = open(self->dev, O_RDONLY);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, emul_ctl("path", "remove %d", idx));
	EXPECT_EQ(self->n - 1, node_paths(self->node, paths));
	EXPECT_EQ(0, access(self->dev, F_OK));
	es.element = self->ea.first_storage;
	for (i = 0; i < 10; i++)
		EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	EXPECT_EQ(1, path_in_state(self->node, "active", NULL));
	/* the node's parent is a SCSI device that is still there */
	snprintf(link, sizeof(link), CLASS_DIR "/%s/device", self->node);
	ASSERT_NE(NULL, realpath(link, target));
	EXPECT_STRNE(active, basename(target));

	ASSERT_EQ(0, emul_ctl("path", "add %d", idx));
	EXPECT_EQ(self->n, node_paths(self->node, paths));
	ASSERT_TRUE(node_of_host(self->host_no[idx], name, sizeof(name)));
	EXPECT_STREQ(self->node, name);
	EXPECT_EQ(1, path_in_state(self->node, "active", NULL));
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	close(fd);
	EXPECT_EQ(0, access(self->dev, F_OK));
}

/*
 * Without multipath (the default): one node per SCSI device, one path
 * each, active; a path down reaches the caller as the transport's errno
 * (ENXIO) and is failed until a command gets through again.
 */
TEST(single_path_unchanged)
{
	struct emul_params params = {};
	unsigned int host_no[PATHS_MAX];
	char name[64], paths[PATHS_MAX][32], buf[64], dev[80];
	struct element_status es = {};
	struct element_addresses ea;
	int n, i, fd;

	if (!emul_present())
		AUTOCH_SKIP(return, "no emulated changer (%s absent)", EMUL_DEBUGFS);
	n = emul_paths(host_no);
	if (n < 0)
		AUTOCH_SKIP(return, "the emulation has no path control");
	ASSERT_EQ(0, emul_param_get(AUTOCH_MODULE, "multipath"));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(node_of_host(host_no[i], name, sizeof(name)));
		ASSERT_EQ(1, node_paths(name, paths));
		ASSERT_LT(0, path_read(name, paths[0], "state", buf, sizeof(buf)));
		EXPECT_STREQ("active", buf);
	}
	ASSERT_TRUE(node_of_host(host_no[0], name, sizeof(name)));
	ASSERT_EQ(1, node_paths(name, paths));
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	/* every status query reaches the changer */
	ASSERT_EQ(0, emul_param_set(&params, AUTOCH_MODULE, "cache_ms", 0));
	es.element = ea.first_storage;
	ASSERT_EQ(0, emul_ctl("path", "down 0 no_connect"));
	EXPECT_EQ(ENXIO, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	EXPECT_LT(0, path_read(name, paths[0], "state", buf, sizeof(buf)));
	EXPECT_STREQ("failed", buf);
	EXPECT_EQ(0, emul_ctl("path", "up 0"));
	/* 29/07 (I_T nexus loss) first, which the driver rides out */
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	ASSERT_LT(0, path_read(name, paths[0], "state", buf, sizeof(buf)));
	EXPECT_STREQ("active", buf);
	EXPECT_EQ(0, node_long(name, "failovers"));
	close(fd);
	EXPECT_EQ(0, emul_params_restore(&params));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
