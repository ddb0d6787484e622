// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege and what a closed file leaves behind, on the emulated
 * library (the profile with persistent reservations, element reservations
 * and an import/export element):
 *
 * - persistent reservation OUT actions and PREVENT/ALLOW MEDIUM REMOVAL
 *   need a descriptor opened for writing or CAP_SYS_ADMIN: EPERM, and no
 *   command sent, for root without CAP_SYS_ADMIN on an O_RDONLY descriptor
 *   and for a user of group tape on one; PR IN stays open to readers;
 * - one open file holds at most 64 reservation identifications (ENOSPC
 *   beyond), so that one reader cannot lock every other file out;
 * - sysfs files a user without access to the node can read send nothing
 *   to the changer;
 * - a RELEASE (element or unit) the changer refuses once is sent again,
 *   so the changer ends with nothing reserved; a process killed while it
 *   prevents medium removal leaves the import/export elements unlocked;
 * - close does not wait for a changer becoming ready (its RELEASE goes
 *   to the driver's worker, which no signal cuts short) nor for another
 *   file's RESERVE that waits for the changer.
 *
 * Privileges are dropped in forked children (capset, setresuid); the
 * parent counts the commands the emulation received. The node is given
 * to group tape, mode 0660, for the test and put back afterwards.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "emul_ctl.h"

#define PRIV_KEY		0x5052495645ULL	/* "PRIVE" */
#define PRIV_NOBODY		65534
#define PRIV_TAPE_GID		26	/* Debian's tape, when /etc/group lacks it */
#define PRIV_FILE_IDS		64
#define PRIV_MAX_RESULTS	16

enum priv_who {
	PRIV_ROOT_NO_ADMIN,	/* uid 0 without CAP_SYS_ADMIN */
	PRIV_TAPE_USER,		/* uid 65534 in group tape */
	PRIV_OTHER_USER,	/* uid 65534 in no group of the node */
};

/* Commands the emulation received, all opcodes and hosts; -1 on error. */
static long long priv_commands(unsigned int opcode_or_all)
{
	char buf[8192], *line, *save;
	unsigned int op;
	unsigned long long total;
	long long sum = 0;

	if (emul_read_file(EMUL_DEBUGFS "/counters", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x %llu", &op, &total) != 2)
			continue;
		if (opcode_or_all > 0xff || op == opcode_or_all)
			sum += total;
	}
	return sum;
}

#define PRIV_ALL_OPCODES	0x100

static void priv_drop_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
		_exit(100);
	if (syscall(SYS_capget, &hdr, data))
		_exit(101);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		_exit(102);
}

static void priv_become(enum priv_who who, gid_t tape)
{
	gid_t groups[1] = { tape };

	if (who == PRIV_ROOT_NO_ADMIN) {
		priv_drop_admin();
		return;
	}
	if (setgroups(who == PRIV_TAPE_USER ? 1 : 0, groups))
		_exit(103);
	if (setresgid(PRIV_NOBODY, PRIV_NOBODY, PRIV_NOBODY))
		_exit(104);
	if (setresuid(PRIV_NOBODY, PRIV_NOBODY, PRIV_NOBODY))
		_exit(105);
	if (!geteuid())
		_exit(106);
}

/* What a child found: errnos of its calls in order, or its exit code. */
struct priv_results {
	int n;
	int err[PRIV_MAX_RESULTS];
	int status;
};

/*
 * Run @fn(@arg, results) in a child that has become @who, and collect
 * the errnos it recorded. A child that could not drop privileges exits
 * with 100..106, which the caller reports.
 */
static void priv_run(enum priv_who who, gid_t tape,
		     void (*fn)(void *arg, struct priv_results *r), void *arg,
		     struct priv_results *out)
{
	int pipefd[2];
	pid_t pid;
	ssize_t got;

	memset(out, 0, sizeof(*out));
	out->status = -1;
	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		struct priv_results r = {};

		close(pipefd[0]);
		priv_become(who, tape);
		fn(arg, &r);
		if (write(pipefd[1], &r, sizeof(r)) != sizeof(r))
			_exit(107);
		_exit(0);
	}
	close(pipefd[1]);
	got = read(pipefd[0], out, sizeof(*out));
	close(pipefd[0]);
	if (waitpid(pid, &out->status, 0) != pid)
		out->status = -1;
	if (got != sizeof(*out))
		out->n = -1;
}

static void priv_record(struct priv_results *r, int err)
{
	if (r->n < PRIV_MAX_RESULTS)
		r->err[r->n++] = err;
}

/* PR OUT, PREVENT and ALLOW on a descriptor opened with *(int *)@arg. */
static void priv_pr_out(void *arg, struct priv_results *r)
{
	struct pr_registration reg = { .new_key = PRIV_KEY,
				       .flags = PR_FL_IGNORE_KEY };
	struct pr_reservation rsv = { .key = PRIV_KEY, .type = PR_WRITE_EXCLUSIVE };
	struct pr_preempt pre = { .old_key = PRIV_KEY, .new_key = PRIV_KEY,
				  .type = PR_WRITE_EXCLUSIVE };
	struct pr_clear clr = { .key = PRIV_KEY };
	__u32 prevent = 1, allow = 0;
	int fd = open(autoch_path(), *(int *)arg | O_CLOEXEC);

	if (fd < 0) {
		priv_record(r, errno + 1000);
		return;
	}
	priv_record(r, autoch_ioctl(fd, IOC_PR_REGISTER, &reg));
	priv_record(r, autoch_ioctl(fd, IOC_PR_RESERVE, &rsv));
	priv_record(r, autoch_ioctl(fd, IOC_PR_RELEASE, &rsv));
	priv_record(r, autoch_ioctl(fd, IOC_PR_PREEMPT, &pre));
	priv_record(r, autoch_ioctl(fd, IOC_PR_PREEMPT_ABORT, &pre));
	priv_record(r, autoch_ioctl(fd, IOC_PR_CLEAR, &clr));
	priv_record(r, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &prevent));
	priv_record(r, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &allow));
	close(fd);
}

/* PR IN and a status read on an O_RDONLY descriptor. */
static void priv_pr_in(void *arg, struct priv_results *r)
{
	struct pr_read_reservation rr = {};
	__u64 keys[8];
	struct pr_read_keys rk = { .num_keys = 8,
				   .keys_ptr = (unsigned long)keys };
	struct element_addresses ea;
	int fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);

	(void)arg;
	if (fd < 0) {
		priv_record(r, errno + 1000);
		return;
	}
	priv_record(r, autoch_ioctl(fd, IOC_PR_READ_KEYS, &rk));
	priv_record(r, autoch_ioctl(fd, IOC_PR_READ_RESERVATION, &rr));
	priv_record(r, autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	close(fd);
}

/*
 * Reserve storage elements one by one on one O_RDONLY file until the
 * driver refuses: [0] how many it granted, [1] the errno of the refusal,
 * [2] what a second file then gets for one more element.
 */
static void priv_reserve_many(void *arg, struct priv_results *r)
{
	const struct element_addresses *ea = arg;
	struct reservation_parms rp = {};
	int fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	int fd2 = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	int i, err = 0;

	if (fd < 0 || fd2 < 0) {
		priv_record(r, -1);
		priv_record(r, errno + 1000);
		return;
	}
	for (i = 0; i < 300 && i + 1 < ea->num_storages; i++) {
		rp.element = ea->first_storage + i;
		rp.identification = i + 1;
		err = autoch_ioctl(fd, SIOC_RESERVE, &rp);
		if (err)
			break;
	}
	priv_record(r, i);
	priv_record(r, err);
	rp.element = ea->first_storage + ea->num_storages - 1;
	rp.identification = 1;
	priv_record(r, autoch_ioctl(fd2, SIOC_RESERVE, &rp));
	close(fd2);
	close(fd);
}

/* Read every file of @dir and of its subdirectories (not links). */
static void priv_read_dir(const char *dir, int *n, int *denied)
{
	char path[PATH_MAX], buf[8192];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d) {
		(*denied)++;
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			priv_read_dir(path, n, denied);
		else if (!S_ISREG(st.st_mode))
			continue;
		else if (emul_read_file(path, buf, sizeof(buf)) >= 0)
			(*n)++;
		else
			(*denied)++;
	}
	closedir(d);
}

/*
 * Read every attribute of /sys/class/autoch/<node>, becoming_ready/
 * included: [0] files read, [1] refused.
 */
static void priv_read_sysfs(void *arg, struct priv_results *r)
{
	int n = 0, denied = 0;

	priv_read_dir(arg, &n, &denied);
	priv_record(r, n);
	priv_record(r, denied);
}

/* Group tape's gid from /etc/group (no NSS in a static program). */
static gid_t priv_tape_gid(void)
{
	char buf[16384], *p;
	unsigned int gid;

	if (emul_read_file("/etc/group", buf, sizeof(buf)) <= 0)
		return PRIV_TAPE_GID;
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "tape:%*[^:]:%u:", &gid) == 1)
			return gid;
	return PRIV_TAPE_GID;
}

/*
 * Whether the changer holds a RESERVE reservation of any initiator: a
 * "# ADDR reserved by HOST id ID" line of the state, or the unit.
 */
static bool priv_reserved_on_changer(void)
{
	static char buf[1 << 20];
	char *line, *save;
	unsigned int addr, id;
	int host;

	if (emul_read_file(EMUL_DEBUGFS "/state", buf, sizeof(buf)) <= 0)
		return true;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "# %u reserved by %d id %u", &addr, &host,
			   &id) == 3)
			return true;
		line = strstr(line, ", unit reserved by ");
		if (line && sscanf(line, ", unit reserved by %d", &host) == 1 &&
		    host >= 0)
			return true;
	}
	return false;
}

/* Fault rules still armed (a rule goes when its count is used up). */
static int priv_fault_rules(void)
{
	char buf[4096], *p;
	int n = 0;

	if (emul_read_file(EMUL_DEBUGFS "/fault", buf, sizeof(buf)) < 0)
		return -1;
	for (p = strstr(buf, "opcode="); p; p = strstr(p + 7, "opcode="))
		n++;
	return n;
}

/* Whether the emulation holds medium removal prevented: 1, 0, -1. */
static int priv_prevented(void)
{
	int err = emul_ctl("event", "door open");

	if (!err) {
		emul_ctl("event", "door close");
		return 0;
	}
	return err == EBUSY ? 1 : -1;
}

FIXTURE(priv) {
	struct autoch_dev dev;
	char sysdir[PATH_MAX];
	struct stat node;
	gid_t tape;
	bool chowned;
};

FIXTURE_SETUP(priv)
{
	const char *env = getenv("AUTOCH_EMUL_PROFILE");
	const char *path = autoch_path();
	char real[PATH_MAX];

	self->dev.fd = -1;
	/*
	 * Decided before any check, on the profile the environment names
	 * (not on what the driver answers): the library alone has
	 * persistent reservations, element reservations and i/e elements.
	 */
	if (!env || strcmp(env, emul_profile_name[EMUL_LIBRARY]) ||
	    autoch_profile_has(AUTOCH_HAS_PR) != 1 ||
	    autoch_profile_has(AUTOCH_HAS_PREVENT) != 1)
		AUTOCH_SKIP(return, "needs the emulation's library profile (PR, element reservations, i/e), AUTOCH_EMUL_PROFILE=%s",
			    env ? env : "(unset)");
	if (getuid())
		AUTOCH_SKIP(return, "must run as root to drop privileges in children");
	ASSERT_EQ(0, autoch_open(&self->dev)) TH_LOG("%s", path);
	/* the changer behind the node is the one the environment names */
	ASSERT_EQ(EMUL_LIBRARY, emul_profile(self->dev.fd));
	ASSERT_EQ(0, stat(path, &self->node));
	self->tape = priv_tape_gid();
	ASSERT_EQ(0, chown(path, 0, self->tape));
	self->chowned = true;
	ASSERT_EQ(0, chmod(path, 0660));
	ASSERT_NE(NULL, realpath(path, real));
	snprintf(self->sysdir, sizeof(self->sysdir), "/sys/class/autoch/%s",
		 strrchr(real, '/') + 1);
	emul_ctl("fault", "clear");
}

FIXTURE_TEARDOWN(priv)
{
	struct pr_registration reg = { .new_key = PRIV_KEY,
				       .flags = PR_FL_IGNORE_KEY };
	struct pr_clear clr = { .key = PRIV_KEY };
	__u32 allow = 0;
	int fd;

	if (!self->chowned) {
		autoch_close(&self->dev);
		autoch_teardown_done(_metadata);
		return;
	}
	emul_ctl("fault", "clear");
	/* whatever a failing driver let through: gone, as root */
	fd = open(autoch_path(), O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		autoch_ioctl(fd, IOC_PR_REGISTER, &reg);
		autoch_ioctl(fd, IOC_PR_CLEAR, &clr);
		autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &allow);
		close(fd);
	}
	if ((chown(autoch_path(), self->node.st_uid, self->node.st_gid) ||
	     chmod(autoch_path(), self->node.st_mode & 07777)))
		TH_LOG("%s not given back: %s", autoch_path(), strerror(errno));
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

static void priv_expect_pr_out_refused(struct __test_metadata *_metadata,
				       enum priv_who who, gid_t tape)
{
	static const char *const names[] = {
		"IOC_PR_REGISTER", "IOC_PR_RESERVE", "IOC_PR_RELEASE",
		"IOC_PR_PREEMPT", "IOC_PR_PREEMPT_ABORT", "IOC_PR_CLEAR",
		"PREVENT", "ALLOW",
	};
	struct priv_results r;
	int mode = O_RDONLY, i;
	long long pr_before, pr_after, rm_before, rm_after;

	pr_before = priv_commands(0x5f);
	rm_before = priv_commands(0x1e);
	priv_run(who, tape, priv_pr_out, &mode, &r);
	pr_after = priv_commands(0x5f);
	rm_after = priv_commands(0x1e);
	ASSERT_EQ(0, r.status) TH_LOG("child status %#x", r.status);
	ASSERT_EQ(8, r.n) TH_LOG("open: %d", r.n > 0 ? r.err[0] - 1000 : -1);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(EPERM, r.err[i]) {
			TH_LOG("%s on O_RDONLY: %s", names[i],
			       emul_errname(r.err[i]));
		}
	}
	EXPECT_EQ(0, pr_after - pr_before) TH_LOG("PERSISTENT RESERVE OUT sent");
	EXPECT_EQ(0, rm_after - rm_before) TH_LOG("PREVENT ALLOW sent");
	EXPECT_EQ(0, priv_prevented());

	/* readers still read */
	priv_run(who, tape, priv_pr_in, NULL, &r);
	ASSERT_EQ(0, r.status);
	ASSERT_EQ(3, r.n);
	EXPECT_EQ(0, r.err[0]) TH_LOG("READ KEYS: %s", emul_errname(r.err[0]));
	EXPECT_EQ(0, r.err[1]) TH_LOG("READ RESERVATION: %s", emul_errname(r.err[1]));
	EXPECT_EQ(0, r.err[2]);

	/* a descriptor opened for writing may */
	mode = O_RDWR;
	priv_run(who, tape, priv_pr_out, &mode, &r);
	ASSERT_EQ(0, r.status);
	ASSERT_EQ(8, r.n);
	EXPECT_EQ(0, r.err[0]) TH_LOG("REGISTER on O_RDWR: %s", emul_errname(r.err[0]));
	EXPECT_EQ(0, r.err[1]) TH_LOG("RESERVE on O_RDWR: %s", emul_errname(r.err[1]));
	EXPECT_EQ(0, r.err[2]) TH_LOG("RELEASE on O_RDWR: %s", emul_errname(r.err[2]));
	EXPECT_EQ(0, r.err[6]) TH_LOG("PREVENT on O_RDWR: %s", emul_errname(r.err[6]));
	EXPECT_EQ(0, r.err[7]) TH_LOG("ALLOW on O_RDWR: %s", emul_errname(r.err[7]));
}

TEST_F(priv, pr_out_root_without_cap_sys_admin)
{
	AUTOCH_SETUP_DONE();

	priv_expect_pr_out_refused(_metadata, PRIV_ROOT_NO_ADMIN, self->tape);
}

TEST_F(priv, pr_out_tape_group_user)
{
	AUTOCH_SETUP_DONE();

	priv_expect_pr_out_refused(_metadata, PRIV_TAPE_USER, self->tape);
}

TEST_F(priv, reservation_ids_bounded_per_file)
{
	struct element_addresses ea = self->dev.ea;
	struct priv_results r;

	AUTOCH_SETUP_DONE();

	if (ea.num_storages < 258)
		AUTOCH_SKIP(return, "needs 258 storage elements, the library has %u",
		     ea.num_storages);
	priv_run(PRIV_TAPE_USER, self->tape, priv_reserve_many, &ea, &r);
	ASSERT_EQ(0, r.status);
	ASSERT_EQ(3, r.n);
	EXPECT_EQ(PRIV_FILE_IDS, r.err[0]) TH_LOG("one O_RDONLY file got %d", r.err[0]);
	EXPECT_EQ(ENOSPC, r.err[1]) TH_LOG("beyond: %s", emul_errname(r.err[1]));
	EXPECT_EQ(0, r.err[2]) TH_LOG("another file: %s", emul_errname(r.err[2]));
	EXPECT_FALSE(priv_reserved_on_changer());
}

TEST_F(priv, sysfs_reads_send_nothing)
{
	struct priv_results r;
	long long before, after;
	enum priv_who who;
	char path[PATH_MAX + 16], buf[4096];

	AUTOCH_SETUP_DONE();

	for (who = PRIV_TAPE_USER; who <= PRIV_OTHER_USER; who++) {
		before = priv_commands(PRIV_ALL_OPCODES);
		priv_run(who, self->tape, priv_read_sysfs, self->sysdir, &r);
		after = priv_commands(PRIV_ALL_OPCODES);
		ASSERT_EQ(0, r.status);
		ASSERT_EQ(2, r.n);
		/*
		 * dev, uevent, vendor, model, rev, serial and the three of
		 * becoming_ready/ at least; the element map's eight files
		 * and drive_ids are root's
		 */
		EXPECT_LE(9, r.err[0]) TH_LOG("files read: %d", r.err[0]);
		EXPECT_LE(9, r.err[1]) TH_LOG("files refused: %d", r.err[1]);
		EXPECT_EQ(0, after - before)
			TH_LOG("%lld commands for %d files read as uid %d",
			       after - before, r.err[0], PRIV_NOBODY);
	}
	/* root still reads the drives' identifiers */
	snprintf(path, sizeof(path), "%s/drive_ids", self->sysdir);
	EXPECT_LT(0, emul_read_file(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, "EMULDRV")) TH_LOG("%s", buf);
}

TEST_F(priv, release_refused_once_is_sent_again)
{
	struct reservation_parms rp = { .identification = 7 };
	int fd, fd2;

	AUTOCH_SETUP_DONE();

	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	rp.element = self->dev.ea.first_storage;
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	ASSERT_TRUE(priv_reserved_on_changer());
	/* RELEASE (6) and (10) both refused once: HARDWARE ERROR 44/00 */
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 count=1 fault=sense key=4 asc=44 ascq=00"));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=57 count=1 fault=sense key=4 asc=44 ascq=00"));
	close(fd);
	/* the refusal happened: the driver met a failed RELEASE */
	EXPECT_EQ(1, priv_fault_rules()) TH_LOG("a RELEASE fault was not used");
	emul_ctl("fault", "clear");

	/* the next close on the changer sends it again */
	fd2 = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(fd2);
	EXPECT_FALSE(priv_reserved_on_changer())
		TH_LOG("element %u still reserved on the changer", rp.element);
}

/* The same for a unit reservation: its RELEASE is kept and sent again. */
TEST_F(priv, unit_release_refused_once_is_sent_again)
{
	struct reservation_parms rp = { .all_elements = 1 };
	int fd, fd2;

	AUTOCH_SETUP_DONE();

	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	ASSERT_TRUE(priv_reserved_on_changer());
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 count=1 fault=sense key=4 asc=44 ascq=00"));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=57 count=1 fault=sense key=4 asc=44 ascq=00"));
	close(fd);
	EXPECT_EQ(1, priv_fault_rules()) TH_LOG("a RELEASE fault was not used");
	emul_ctl("fault", "clear");

	fd2 = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	close(fd2);
	EXPECT_FALSE(priv_reserved_on_changer())
		TH_LOG("the unit is still reserved on the changer");
}

/*
 * A signal that arrives while the RELEASE waits for the changer to become
 * ready (NOT READY 04/01 four times, about 1.5 s) does not end the wait:
 * close returns at once and leaves the RELEASE to the driver's worker,
 * which sends it once the changer is ready, whatever signals the closing
 * process gets.
 */
TEST_F(priv, close_not_interrupted_by_signal)
{
	struct reservation_parms rp = { .identification = 9 };
	double start, ms;
	int fd, i;

	AUTOCH_SETUP_DONE();

	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	rp.element = self->dev.ea.first_storage;
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=17 count=4 fault=sense key=2 asc=04 ascq=01"));
	ASSERT_EQ(0, autoch_alarm(300, false));
	start = emul_now_ms();
	close(fd);
	ms = emul_now_ms() - start;
	EXPECT_GT(500, ms) TH_LOG("close took %.0f ms: it waited for the changer", ms);
	/* the signal comes while the worker waits */
	for (i = 0; i < 200 && priv_fault_rules(); i++)
		emul_sleep_ms(50);
	autoch_alarm_off();
	EXPECT_EQ(0, priv_fault_rules()) TH_LOG("the RELEASE did not wait for the changer");
	emul_ctl("fault", "clear");
	for (i = 0; i < 100 && priv_reserved_on_changer(); i++)
		emul_sleep_ms(50);
	EXPECT_FALSE(priv_reserved_on_changer())
		TH_LOG("element %u still reserved on the changer", rp.element);
}

/*
 * Another file's RESERVE that waits for the changer (NOT READY 04/01,
 * about 10 s) does not hold up a close: the closing file's reservation is
 * released once that RESERVE is done.
 */
TEST_F(priv, close_not_held_up_by_reserve)
{
	struct reservation_parms rp = { .identification = 3 };
	long long before;
	double start, ms, end;
	int fd, status;
	pid_t pid;

	AUTOCH_SETUP_DONE();

	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	rp.element = self->dev.ea.first_storage;
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	ASSERT_EQ(0, emul_ctl("fault", "opcode=16 count=20 fault=sense key=2 asc=04 ascq=01"));
	before = priv_commands(0x16);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct reservation_parms rp2 = {
			.element = self->dev.ea.first_storage + 1,
			.identification = 4,
		};
		int fd2;

		/* the parent's close must be the file's last */
		close(fd);
		fd2 = open(autoch_path(), O_RDONLY | O_CLOEXEC);
		_exit(fd2 < 0 ? 100 : autoch_ioctl(fd2, SIOC_RESERVE, &rp2));
	}
	/* the child's RESERVE is at the changer, waiting */
	end = emul_now_ms() + 5000;
	while (priv_commands(0x16) == before && emul_now_ms() < end)
		emul_sleep_ms(20);
	ASSERT_LT(before, priv_commands(0x16));
	start = emul_now_ms();
	close(fd);
	ms = emul_now_ms() - start;
	EXPECT_GT(3000, ms) TH_LOG("close took %.0f ms behind another file's RESERVE", ms);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the other RESERVE: %d", WEXITSTATUS(status));
	emul_ctl("fault", "clear");
	/* both files are closed: nothing stays reserved */
	end = emul_now_ms() + 10000;
	while (priv_reserved_on_changer() && emul_now_ms() < end)
		emul_sleep_ms(50);
	EXPECT_FALSE(priv_reserved_on_changer()) {
		char state[1 << 16], *line, *save;

		TH_LOG("the closed file's element stayed reserved");
		emul_read_file(EMUL_DEBUGFS "/state", state, sizeof(state));
		for (line = strtok_r(state, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			if (line[0] == '#')
				TH_LOG("%s", line);
	}
}

TEST_F(priv, killed_while_preventing)
{
	__u32 prevent = 1;
	int pipefd[2], status;
	char c = 0;
	pid_t pid;

	AUTOCH_SETUP_DONE();

	ASSERT_EQ(0, priv_prevented());
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(autoch_path(), O_RDWR | O_CLOEXEC);

		c = fd >= 0 && !autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &prevent);
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &c, 1));
	close(pipefd[0]);
	EXPECT_EQ(1, c);
	EXPECT_EQ(1, priv_prevented());
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, priv_prevented()) TH_LOG("mail slots still locked after the holder died");
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	emul_require();
	return test_harness_run(argc, argv);
}
