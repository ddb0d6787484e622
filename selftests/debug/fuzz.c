// SPDX-License-Identifier: GPL-2.0
/*
 * An ioctl fuzzer for /dev/autochN.
 *
 * Several processes call ioctl() on the changer at once, through a file
 * they share (opened before the fork) and files of their own, which they
 * close and open again from time to time (so reservations are released
 * under the others' feet). Half of the calls use the driver's real
 * command numbers (HP-UX, Linux extensions, <linux/pr.h>), a quarter of
 * those with the size or direction bits changed; the other half random
 * numbers, most with the driver's letters. Arguments are random
 * structures whose element addresses mostly lie in the element map
 * (SIOC_ELEMENT_ADDRESSES), behind pointers that are often bad: NULL, 1,
 * kernel and non-canonical addresses, an unmapped page, a read-only page,
 * the end of a page followed by a PROT_NONE page (so the structure
 * straddles it), and unaligned ones. The parent interrupts the children
 * with a signal now and then.
 *
 * Every call must return 0 or fail with an errno of that ioctl's
 * documented set (Documentation/autochanger-ioctl.rst: its own errors,
 * the table's errors of the commands it sends, ECONNRESET after a reset,
 * ENXIO once the changer is gone, EINTR while waiting, ENOMEM); the calls
 * that send nothing (inquiry, events, sense) never EINTR nor ECONNRESET,
 * even while a re-take is pending after a reset (AUTOCH_RESERVATIONS
 * waits for it: EINTR); a number the driver does not know may only fail
 * with ENOTTY (or ENXIO). Anything else, or a positive return, is a failure. Every real
 * ioctl must be called at least -m times (default: a tenth of its fair
 * share). With good pointers the argument lies between guard bytes, and
 * so do the nested buffers of the range and PR key calls: a guard byte
 * changed is a failure, and so is any byte changed of an argument the
 * driver only reads (_IOW) or of any number it does not know. Media really
 * move; nothing is checked about where they end up.
 *
 * With two -d options the processes are spread over two changers (the
 * emulation's two hosts of one library), so reservations, persistent
 * reservations and prevent meet the other host's; -r FILE writes "reset"
 * to FILE (the emulation's debugfs event file) now and then, so calls
 * meet resets. -u drops CAP_SYS_ADMIN and CAP_SYS_RAWIO in every other
 * process, whose files are opened read-only or read-write in turn (the
 * EPERM paths).
 *
 * Usage: fuzz [-d DEV [-d DEV]] [-n CALLS] [-p PROCS] [-s SEED] [-t SECONDS]
 *             [-m MIN] [-r FILE] [-u] [-f]
 * Prints the calls per ioctl and per errno, the rate, and exits 0 when
 * every call kept to its set and every floor was reached, 1 otherwise, 2
 * on a usage or setup error. -t stops the run early (and says so) when it
 * takes longer than SECONDS. -f makes the children's own allocations fail
 * as the kernel's fault injection is set up (/proc/self/make-it-fail;
 * failslab with task-filter): ENOMEM is then expected, at least once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/autochanger.h>
#include <linux/capability.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#define MAX_PROCS	16
#define MAX_DEVS	2
#define MAX_ERRNO	4096
#define HIST_POSITIVE	MAX_ERRNO	/* a positive return */
#define HIST_LEN	(MAX_ERRNO + 1)
#define MAX_REPORTS	8
#define REOPEN_EVERY	4000
#define BUF_PAGES	64	/* room for a range of 64 statuses */
#define GUARD		64	/* guard bytes each side of a buffer */
#define GUARD_BYTE	0xa5
#define MAX_ERRS	16

/* The table's errors of a command sent (Documentation: "Errors"). */
#define CMD_ERRS	EINVAL, EOPNOTSUPP, EBUSY, ECONNRESET, ETIMEDOUT, \
			ENXIO, EIO, EINTR, ENOMEM

/*
 * The driver's ioctls and the errnos each may return, from
 * Documentation/autochanger-ioctl.rst: the calls that send nothing have
 * their own short lists; the two INQUIRY calls, AUTOCH_GET_EVENTS,
 * SIOC_MEDIUM_CHANGED and the two XSENSE calls never report a reset nor
 * wait for a re-take; AUTOCH_RESERVATIONS waits for one (EINTR);
 * SIOC_INIT_ELEM_STAT ignores its argument (no EFAULT); ENOMEDIUM and
 * EXFULL are a move's (and an inventory's, "those of the table"); ENOSPC
 * a reservation's; EPERM belongs to PR OUT and PREVENT. ENXIO (the changer
 * gone) and ENOMEM (the table's last row) may end any of them.
 */
struct ioctl_info {
	const char *name;
	unsigned long cmd;
	int errs[MAX_ERRS];	/* 0-terminated */
};

static const struct ioctl_info ioctls[] = {
	{ "SIOC_INQUIRY", SIOC_INQUIRY, { EFAULT, ENXIO, ENOMEM } },
	{ "SIOC_XSENSE", SIOC_XSENSE, { EFAULT, ENXIO, ENOMEM } },
	{ "AUTOCH_INQUIRY", AUTOCH_INQUIRY, { EFAULT, ENXIO, ENOMEM } },
	{ "AUTOCH_XSENSE", AUTOCH_XSENSE, { EFAULT, ENXIO, ENOMEM } },
	{ "SIOC_MEDIUM_CHANGED", SIOC_MEDIUM_CHANGED, { EFAULT, ENXIO, ENOMEM } },
	{ "SIOC_INIT_ELEM_STAT", SIOC_INIT_ELEM_STAT, { CMD_ERRS, ENOMEDIUM, EXFULL } },
	{ "SIOC_ELEMENT_ADDRESSES", SIOC_ELEMENT_ADDRESSES, { EFAULT, CMD_ERRS } },
	{ "SIOC_ELEMENT_STATUS", SIOC_ELEMENT_STATUS, { EFAULT, CMD_ERRS } },
	{ "SIOC_RESERVE", SIOC_RESERVE, { EFAULT, ENOSPC, CMD_ERRS } },
	{ "SIOC_RELEASE", SIOC_RELEASE, { EFAULT, ENOSPC, CMD_ERRS } },
	{ "SIOC_MOVE_MEDIUM", SIOC_MOVE_MEDIUM, { EFAULT, ENOMEDIUM, EXFULL, CMD_ERRS } },
	{ "SIOC_EXCHANGE_MEDIUM", SIOC_EXCHANGE_MEDIUM,
	  { EFAULT, ENOMEDIUM, EXFULL, CMD_ERRS } },
	{ "AUTOCH_ELEMENT_STATUS_RANGE", AUTOCH_ELEMENT_STATUS_RANGE, { EFAULT, CMD_ERRS } },
	{ "AUTOCH_PREVENT_ALLOW", AUTOCH_PREVENT_ALLOW, { EFAULT, EPERM, CMD_ERRS } },
	{ "AUTOCH_DRIVE_ID", AUTOCH_DRIVE_ID, { EFAULT, CMD_ERRS } },
	{ "AUTOCH_RESERVATIONS", AUTOCH_RESERVATIONS, { EFAULT, EINTR, ENXIO, ENOMEM } },
	{ "AUTOCH_CAPABILITIES", AUTOCH_CAPABILITIES, { EFAULT, CMD_ERRS } },
	{ "AUTOCH_GET_EVENTS", AUTOCH_GET_EVENTS, { EFAULT, ENXIO, ENOMEM } },
	{ "AUTOCH_OPEN_CLOSE_IE", AUTOCH_OPEN_CLOSE_IE, { EFAULT, EPERM, CMD_ERRS } },
	{ "AUTOCH_POSITION_TO_ELEMENT", AUTOCH_POSITION_TO_ELEMENT, { EFAULT, CMD_ERRS } },
	{ "IOC_PR_REGISTER", IOC_PR_REGISTER, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_RESERVE", IOC_PR_RESERVE, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_RELEASE", IOC_PR_RELEASE, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_PREEMPT", IOC_PR_PREEMPT, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_PREEMPT_ABORT", IOC_PR_PREEMPT_ABORT, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_CLEAR", IOC_PR_CLEAR, { EFAULT, EPERM, CMD_ERRS } },
	{ "IOC_PR_READ_KEYS", IOC_PR_READ_KEYS, { EFAULT, CMD_ERRS } },
	{ "IOC_PR_READ_RESERVATION", IOC_PR_READ_RESERVATION, { EFAULT, CMD_ERRS } },
	/*
	 * Known but not called on purpose (random CDBs): SIOC_IO in its
	 * 64-bit and 32-bit layouts, checked when a random number hits it.
	 */
	{ "SIOC_IO", _IOC(_IOC_READ | _IOC_WRITE, 'S', 22, 376),
	  { EINVAL, EPERM, EFAULT, EBUSY, ENOMEM, ENXIO, ECONNRESET, EINTR } },
	{ "SIOC_IO (32-bit)", _IOC(_IOC_READ | _IOC_WRITE, 'S', 22, 372),
	  { EINVAL, EPERM, EFAULT, EBUSY, ENOMEM, ENXIO, ECONNRESET, EINTR } },
	/* any other number: the driver does not know it */
	{ "unknown number", 0, { ENOTTY, ENXIO } },
};
#define NR_IOCTLS	(sizeof(ioctls) / sizeof(ioctls[0]))
#define NR_REAL		(NR_IOCTLS - 3)	/* the ones called on purpose */
#define IDX_UNKNOWN	(NR_IOCTLS - 1)

/*
 * Numbers the VFS answers itself before the driver sees them (fs/ioctl.c);
 * their errnos (EBADF from FICLONE, ...) are not the driver's.
 */
static const unsigned long vfs_cmds[] = {
	FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE, FITHAW,
	FS_IOC_FIEMAP, FIGETBSZ, FICLONE, FICLONERANGE, FIDEDUPERANGE,
	FIONREAD, FS_IOC_GETFLAGS, FS_IOC_SETFLAGS, FS_IOC_FSGETXATTR,
	FS_IOC_FSSETXATTR,
};

struct shared {
	volatile int stop;
	uint64_t calls[MAX_PROCS];
	uint64_t real[MAX_PROCS];
	uint64_t bad_ptr[MAX_PROCS];
	uint64_t guarded[MAX_PROCS];
	uint64_t hist[MAX_PROCS][HIST_LEN];
	/* per ioctl: calls, with a good pointer, successes, errnos seen */
	uint64_t icalls[MAX_PROCS][NR_IOCTLS];
	uint64_t igood[MAX_PROCS][NR_IOCTLS];
	uint64_t iok[MAX_PROCS][NR_IOCTLS];
	uint64_t iseen[MAX_PROCS][NR_IOCTLS][2];	/* errnos 0-127 */
	int nbad[MAX_PROCS];
	char report[MAX_PROCS][MAX_REPORTS][200];
};

static struct shared *sh;
static bool make_it_fail, drop_caps;

struct fuzzer {
	int id;
	uint64_t rng;
	const char *dev;
	int shared_fd;
	int own_fd;
	unsigned int opens;
	struct element_addresses ea;
	long page;
	unsigned char *buf;	/* BUF_PAGES read-write pages */
	unsigned char *nested;	/* in buf: the nested buffers */
	unsigned char *edge;	/* a page followed by a PROT_NONE page */
	unsigned char *ro;	/* a read-only page */
	unsigned char *gone;	/* an unmapped page */
};

static uint64_t rnd(struct fuzzer *f)
{
	/* xorshift64* */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int below(struct fuzzer *f, unsigned int n)
{
	return n ? (unsigned int)(rnd(f) % n) : 0;
}

static bool chance(struct fuzzer *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

static void fill_random(struct fuzzer *f, void *p, size_t len)
{
	unsigned char *c = p;
	uint64_t r = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			r = rnd(f);
		c[i] = r;
		r >>= 8;
	}
}

static const char *errno_name(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ 0, "success" }, { ENOTTY, "ENOTTY" }, { EFAULT, "EFAULT" },
		{ EINVAL, "EINVAL" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOMEDIUM, "ENOMEDIUM" }, { EXFULL, "EXFULL" }, { EBUSY, "EBUSY" },
		{ ECONNRESET, "ECONNRESET" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENXIO, "ENXIO" }, { EIO, "EIO" }, { EINTR, "EINTR" },
		{ ENOMEM, "ENOMEM" }, { EAGAIN, "EAGAIN" }, { EPERM, "EPERM" },
		{ EBADF, "EBADF" }, { ENODEV, "ENODEV" }, { ERANGE, "ERANGE" },
		{ ENOSPC, "ENOSPC" },
		{ 512, "ERESTARTSYS (kernel-internal!)" },
		{ 515, "ENOIOCTLCMD (kernel-internal!)" },
		{ HIST_POSITIVE, "positive return" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return "?";
}

/* ---- arguments ---- */

static uint16_t type_first(const struct element_addresses *ea, int t)
{
	const uint16_t *v = (const uint16_t *)ea;

	return v[2 * t];
}

static uint16_t type_count(const struct element_addresses *ea, int t)
{
	const uint16_t *v = (const uint16_t *)ea;

	return v[2 * t + 1];
}

/* An element address: mostly in the map, some at its edges, some anywhere. */
static uint16_t rand_addr(struct fuzzer *f, int want_type)
{
	unsigned int r = below(f, 100);
	int t = want_type >= 0 ? want_type : (int)below(f, 4);
	uint16_t first = type_first(&f->ea, t), count = type_count(&f->ea, t);

	if (r < 80 && count)
		return first + below(f, count);
	if (r < 90)
		return chance(f, 50) ? first - 1 : first + count;
	return rnd(f);
}

/* 0 or 1 mostly, anything sometimes. */
static uint8_t rand_flag(struct fuzzer *f)
{
	return chance(f, 90) ? below(f, 2) : rnd(f);
}

static uint32_t rand_pr_type(struct fuzzer *f)
{
	return chance(f, 80) ? below(f, 8) : (uint32_t)rnd(f);
}

/* A user pointer for the nested buffers of the range and PR key calls. */
static uint64_t rand_nested(struct fuzzer *f, size_t need)
{
	switch (below(f, 10)) {
	case 0:
		return 0;
	case 1:
		return (uint64_t)(uintptr_t)f->gone;
	case 2:
		return (uint64_t)(uintptr_t)(f->edge + f->page - below(f, need) - 1);
	case 3:
		return (uint64_t)(uintptr_t)f->ro;
	case 4:
		return 0xffffffff81000000ULL;
	default:
		return (uint64_t)(uintptr_t)f->nested;
	}
}

/* Contents that get past the validation often enough to reach the device. */
static void fill_arg(struct fuzzer *f, unsigned long cmd, void *arg, size_t size)
{
	fill_random(f, arg, size);
	switch (cmd) {
	case SIOC_ELEMENT_STATUS: {
		struct element_status *es = arg;

		es->element = rand_addr(f, -1);
		break;
	}
	case SIOC_RESERVE:
	case SIOC_RELEASE: {
		struct reservation_parms *rp = arg;

		rp->all_elements = rand_flag(f);
		rp->element = rp->all_elements && chance(f, 80) ? 0 : rand_addr(f, -1);
		rp->identification = chance(f, 50) ? 0 : below(f, 4);
		if (rp->all_elements && chance(f, 80))
			rp->identification = 0;
		break;
	}
	case SIOC_MOVE_MEDIUM: {
		struct move_medium_parms *mp = arg;

		mp->transport = rand_addr(f, 0);
		mp->source = rand_addr(f, -1);
		mp->destination = rand_addr(f, -1);
		mp->invert = rand_flag(f);
		break;
	}
	case SIOC_EXCHANGE_MEDIUM: {
		struct exchange_medium_parms *xp = arg;

		xp->transport = rand_addr(f, 0);
		xp->source = rand_addr(f, -1);
		xp->first_destination = rand_addr(f, -1);
		xp->second_destination = chance(f, 30) ? xp->source : rand_addr(f, -1);
		xp->invert_first = rand_flag(f);
		xp->invert_second = rand_flag(f);
		break;
	}
	case AUTOCH_ELEMENT_STATUS_RANGE: {
		struct autoch_status_range *sr = arg;
		int t = below(f, 4);
		uint16_t count = type_count(&f->ea, t);

		sr->first = rand_addr(f, t);
		sr->count = chance(f, 85) ? 1 + below(f, count ? count : 1) : rnd(f);
		sr->flags = chance(f, 90) ? 0 : rnd(f);
		sr->statuses = rand_nested(f, sizeof(struct element_status));
		break;
	}
	case AUTOCH_PREVENT_ALLOW:
		*(uint32_t *)arg = rand_flag(f);
		break;
	case AUTOCH_OPEN_CLOSE_IE: {
		struct autoch_open_close_ie *oc = arg;

		oc->element = rand_addr(f, 2);
		/* never OPEN: a mail slot left open stops the tests after this */
		oc->action = chance(f, 80) ? AUTOCH_IE_CLOSE : 2 + below(f, 254);
		if (chance(f, 90))
			memset(oc->resv, 0, sizeof(oc->resv));
		break;
	}
	case AUTOCH_POSITION_TO_ELEMENT: {
		struct autoch_position *pos = arg;

		pos->transport = rand_addr(f, 0);
		pos->destination = rand_addr(f, -1);
		pos->invert = rand_flag(f);
		if (chance(f, 90))
			memset(pos->resv, 0, sizeof(pos->resv));
		break;
	}
	case AUTOCH_DRIVE_ID:
		((struct autoch_drive_id *)arg)->element = rand_addr(f, 3);
		break;
	case IOC_PR_REGISTER: {
		struct pr_registration *reg = arg;

		reg->flags = chance(f, 80) ? below(f, 2) : rnd(f);
		if (chance(f, 80))
			reg->__pad = 0;
		break;
	}
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE: {
		struct pr_reservation *rsv = arg;

		rsv->type = rand_pr_type(f);
		if (chance(f, 80))
			rsv->flags = 0;
		break;
	}
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT: {
		struct pr_preempt *p = arg;

		p->type = rand_pr_type(f);
		if (chance(f, 80))
			p->flags = 0;
		break;
	}
	case IOC_PR_CLEAR: {
		struct pr_clear *c = arg;

		if (chance(f, 80))
			c->flags = 0;
		if (chance(f, 80))
			c->__pad = 0;
		break;
	}
	case IOC_PR_READ_KEYS: {
		struct pr_read_keys *rk = arg;

		rk->num_keys = chance(f, 80) ? below(f, 16) : (uint32_t)rnd(f);
		rk->keys_ptr = rand_nested(f, 8);
		break;
	}
	}
}

static bool is_vfs(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(vfs_cmds) / sizeof(vfs_cmds[0]); i++)
		if ((uint32_t)cmd == (uint32_t)vfs_cmds[i])
			return true;
	return false;
}

/* Which ioctl the driver sees: it takes the number as 32 bits. */
static unsigned int classify(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < IDX_UNKNOWN; i++)
		if ((uint32_t)cmd == (uint32_t)ioctls[i].cmd)
			return i;
	return IDX_UNKNOWN;
}

/* A command number: the driver's, changed a little, or random. */
static unsigned long rand_cmd(struct fuzzer *f, bool *real)
{
	unsigned long cmd;

	*real = false;
	for (;;) {
		if (chance(f, 50)) {
			cmd = ioctls[below(f, NR_REAL)].cmd;
			switch (below(f, 16)) {
			case 0:		/* another size */
				cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
				      ((unsigned long)below(f, 1 << _IOC_SIZEBITS) << _IOC_SIZESHIFT);
				break;
			case 1:		/* another direction */
				cmd ^= (unsigned long)(1 + below(f, 3)) << _IOC_DIRSHIFT;
				break;
			case 2:		/* a neighbour */
				cmd += chance(f, 50) ? 1 : -1;
				break;
			case 3:		/* upper bits: ioctl numbers are 32-bit */
				cmd |= rnd(f) << 32;
				break;
			default:
				*real = true;
				return cmd;
			}
		} else {
			switch (below(f, 4)) {
			case 0:
				cmd = _IOC(below(f, 4), 'S', below(f, 256),
					   below(f, 1 << _IOC_SIZEBITS));
				break;
			case 1:
				cmd = _IOC(below(f, 4), 'p', below(f, 256),
					   below(f, 1 << _IOC_SIZEBITS));
				break;
			default:
				cmd = (uint32_t)rnd(f);
				break;
			}
		}
		if (!is_vfs(cmd))
			return cmd;
	}
}

/*
 * The argument pointer: a good buffer (aligned or not) most of the time,
 * else one of the bad kinds. Contents are prepared where they can be.
 */
static void *rand_ptr(struct fuzzer *f, unsigned long cmd, size_t size, bool *bad)
{
	unsigned char *p;

	*bad = true;
	switch (below(f, 40)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return (void *)0xffffffff81000000UL;	/* kernel text */
	case 3:
		return (void *)0xffff888000000000UL;	/* direct map */
	case 4:
		return (void *)0x0000800000000000UL;	/* just past user space */
	case 5:
		return (void *)-1UL;
	case 6:
		return f->gone + below(f, f->page);
	case 7:
	case 8: {
		/* straddles into the PROT_NONE page */
		size_t room = size < (size_t)f->page ? size : (size_t)f->page;
		size_t k = 1 + below(f, room ? room : 1);

		p = f->edge + f->page - k;
		fill_arg(f, cmd, f->buf, size);
		memcpy(p, f->buf, k);
		return p;
	}
	case 9:
	case 10:
		/* readable, not writable: copy_to_user fails */
		if (mprotect(f->ro, f->page, PROT_READ | PROT_WRITE) == 0) {
			fill_arg(f, cmd, f->ro, size < (size_t)f->page ? size : (size_t)f->page);
			mprotect(f->ro, f->page, PROT_READ);
		}
		return f->ro;
	}
	*bad = false;
	p = f->buf + GUARD + (chance(f, 75) ? 0 : 1 + below(f, 15));
	fill_arg(f, cmd, p, size);
	return p;
}

/* ---- a child ---- */

static void report(struct fuzzer *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(struct fuzzer *f, const char *fmt, ...)
{
	int n = sh->nbad[f->id]++;
	va_list ap;

	if (n >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(sh->report[f->id][n], sizeof(sh->report[f->id][n]), fmt, ap);
	va_end(ap);
}

static void on_signal(int sig)
{
	(void)sig;
}

/* A fault of the fuzzer itself (not of a call): say where, and stop. */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	char msg[128];
	int len;

	len = snprintf(msg, sizeof(msg), "fuzz: signal %d at address %p, ip %#llx\n",
		       sig, si->si_addr, (unsigned long long)uc->uc_mcontext.gregs[REG_RIP]);
	if (write(2, msg, len) < 0)
		_exit(3);
	_exit(3);
}

/* Read-only and read-write in turn: both kinds of file meet every call. */
static int open_dev(struct fuzzer *f)
{
	int fd, i, mode = f->opens++ & 1 ? O_RDWR : O_RDONLY;

	for (i = 0; i < 50; i++) {
		fd = open(f->dev, mode);
		/* ENOMEM: under fault injection */
		if (fd >= 0 || (errno != EINTR && errno != ENOMEM))
			return fd;
	}
	return -1;
}

/* From now on this process's allocations in the kernel may fail. */
static void start_failing(void)
{
	int fd = open("/proc/self/make-it-fail", O_WRONLY);

	if (fd < 0 || write(fd, "1", 1) != 1) {
		fprintf(stderr, "fuzz: /proc/self/make-it-fail: %s\n", strerror(errno));
		exit(2);
	}
	close(fd);
}

/* Give up CAP_SYS_ADMIN and CAP_SYS_RAWIO: the EPERM paths. */
static int give_up_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	unsigned int k;

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	for (k = 0; k < 2; k++) {
		uint32_t drop = 0;

		if (CAP_SYS_ADMIN / 32 == k)
			drop |= 1U << (CAP_SYS_ADMIN % 32);
		if (CAP_SYS_RAWIO / 32 == k)
			drop |= 1U << (CAP_SYS_RAWIO % 32);
		data[k].effective &= ~drop;
		data[k].permitted &= ~drop;
		data[k].inheritable &= ~drop;
	}
	return syscall(SYS_capset, &hdr, data);
}

static int setup(struct fuzzer *f)
{
	unsigned char *m;
	int i;

	f->page = sysconf(_SC_PAGESIZE);
	f->buf = mmap(NULL, BUF_PAGES * f->page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, 4 * f->page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->buf == MAP_FAILED || m == MAP_FAILED)
		return -1;
	f->nested = f->buf + 2 * f->page;
	f->edge = m;
	f->ro = m + 2 * f->page;
	f->gone = m + 3 * f->page;
	if (mprotect(m + f->page, f->page, PROT_NONE) ||
	    mprotect(f->ro, f->page, PROT_READ) ||
	    munmap(f->gone, f->page))
		return -1;

	f->own_fd = open_dev(f);
	if (f->own_fd < 0)
		return -1;
	/* the map; the first command of a login may meet a unit attention */
	for (i = 0; i < 10; i++)
		if (!ioctl(f->own_fd, SIOC_ELEMENT_ADDRESSES, &f->ea))
			return 0;
	return -1;
}

/*
 * Guard bytes around the argument at @p (@size bytes) and around the
 * nested buffer of the range and PR key calls; *@nested_len is the size
 * of that buffer, 0 when there is none.
 */
static void set_guards(struct fuzzer *f, unsigned long cmd, unsigned char *p,
		       size_t size, size_t *nested_len)
{
	size_t room = (BUF_PAGES - 2) * f->page - GUARD;
	uint64_t want = 0, ptr = 0;

	memset(p - GUARD, GUARD_BYTE, GUARD);
	memset(p + size, GUARD_BYTE, GUARD);
	*nested_len = 0;
	if ((uint32_t)cmd == (uint32_t)AUTOCH_ELEMENT_STATUS_RANGE) {
		const struct autoch_status_range *sr = (const void *)p;

		ptr = sr->statuses;
		want = (uint64_t)sr->count * sizeof(struct element_status);
	} else if ((uint32_t)cmd == (uint32_t)IOC_PR_READ_KEYS) {
		const struct pr_read_keys *rk = (const void *)p;

		ptr = rk->keys_ptr;
		want = (uint64_t)rk->num_keys * 8;
	}
	if (ptr != (uint64_t)(uintptr_t)f->nested || want > room)
		return;
	*nested_len = want;
	memset(f->nested - GUARD, GUARD_BYTE, GUARD);
	memset(f->nested + want, GUARD_BYTE, GUARD);
}

/* The first guard byte changed, or -1. */
static long guard_hit(const unsigned char *g)
{
	int i;

	for (i = 0; i < GUARD; i++)
		if (g[i] != GUARD_BYTE)
			return i;
	return -1;
}

/* After a call with a good pointer: guards intact, read-only args untouched. */
static void check_guards(struct fuzzer *f, unsigned int k, unsigned long cmd,
			 const unsigned char *p, size_t size, size_t nested_len,
			 const unsigned char *snap, bool no_write)
{
	const char *name = ioctls[k].name;
	long at;
	size_t i;

	if ((at = guard_hit(p - GUARD)) >= 0)
		report(f, "%s (cmd %#lx): wrote %ld bytes before its argument",
		       name, cmd, GUARD - at);
	if ((at = guard_hit(p + size)) >= 0)
		report(f, "%s (cmd %#lx): wrote past its %zu-byte argument (byte %zu)",
		       name, cmd, size, size + at);
	if (nested_len && (at = guard_hit(f->nested - GUARD)) >= 0)
		report(f, "%s: wrote before its %zu-byte buffer", name, nested_len);
	if (nested_len && (at = guard_hit(f->nested + nested_len)) >= 0)
		report(f, "%s: wrote past its %zu-byte buffer (byte %zu)", name,
		       nested_len, nested_len + at);
	if (!no_write || !memcmp(p, snap, size))
		return;
	for (i = 0; i < size && p[i] == snap[i]; i++)
		;
	report(f, "%s (cmd %#lx): changed byte %zu of an argument it must not write",
	       name, cmd, i);
}

static void child(struct fuzzer *f, uint64_t calls)
{
	static unsigned char snap[1 << _IOC_SIZEBITS];
	size_t size, nested_len;
	unsigned long cmd;
	unsigned int k;
	uint64_t i;
	bool real, bad, no_write;
	void *arg;
	int fd, ret, e;

	struct sigaction fault = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

	sigaction(SIGSEGV, &fault, NULL);
	sigaction(SIGBUS, &fault, NULL);
	if (drop_caps && (f->id & 1) && give_up_caps()) {
		report(f, "capset: %s", strerror(errno));
		return;
	}
	if (setup(f)) {
		report(f, "setup failed: %s", strerror(errno));
		return;
	}
	if (make_it_fail)
		start_failing();

	for (i = 0; i < calls && !sh->stop; i++) {
		if (i && !(i % REOPEN_EVERY)) {
			close(f->own_fd);
			f->own_fd = open_dev(f);
			if (f->own_fd < 0) {
				report(f, "reopen failed: %s", strerror(errno));
				return;
			}
		}
		if (!below(f, 2000)) {
			struct pollfd pfd = { .fd = f->own_fd, .events = POLLIN };

			poll(&pfd, 1, 0);
		}

		fd = chance(f, 25) ? f->shared_fd : f->own_fd;
		cmd = rand_cmd(f, &real);
		k = classify(cmd);
		size = _IOC_SIZE(cmd);
		arg = rand_ptr(f, cmd, size, &bad);
		/* what the driver may not write: the number is unknown or _IOW */
		no_write = k == IDX_UNKNOWN || _IOC_DIR(cmd) == _IOC_WRITE ||
			   _IOC_DIR(cmd) == _IOC_NONE;
		if (!bad) {
			set_guards(f, cmd, arg, size, &nested_len);
			if (no_write)
				memcpy(snap, arg, size);
		}
		ret = ioctl(fd, cmd, arg);
		e = ret < 0 ? errno : 0;

		sh->calls[f->id]++;
		sh->real[f->id] += real;
		sh->bad_ptr[f->id] += bad;
		sh->icalls[f->id][k]++;
		if (!bad) {
			sh->igood[f->id][k]++;
			sh->guarded[f->id]++;
			check_guards(f, k, cmd, arg, size, nested_len, snap, no_write);
		}
		if (ret > 0) {
			sh->hist[f->id][HIST_POSITIVE]++;
			report(f, "%s (cmd %#lx) arg %p: returned %d", ioctls[k].name,
			       cmd, arg, ret);
			continue;
		}
		if (e < 0 || e >= MAX_ERRNO)
			e = MAX_ERRNO - 1;
		sh->hist[f->id][e]++;
		if (!e) {
			sh->iok[f->id][k]++;
			continue;
		}
		if (e < 128)
			sh->iseen[f->id][k][e / 64] |= 1ULL << (e % 64);
		for (ret = 0; ret < MAX_ERRS && ioctls[k].errs[ret]; ret++)
			if (e == ioctls[k].errs[ret])
				break;
		if (ret == MAX_ERRS || !ioctls[k].errs[ret])
			report(f, "%s (cmd %#lx) arg %p: errno %d (%s), not in its set",
			       ioctls[k].name, cmd, arg, e, errno_name(e));
	}
	close(f->own_fd);
}

/* ---- the parent ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz [-d DEV [-d DEV]] [-n CALLS] [-p PROCS] [-s SEED] [-t SECONDS]\n"
		"            [-m MIN] [-r FILE] [-u] [-f]\n");
	exit(2);
}

/* Write "reset" to the emulation's event file; 0 or -1. */
static int do_reset(const char *path)
{
	int fd = open(path, O_WRONLY);
	int ret = -1;

	if (fd < 0)
		return -1;
	if (write(fd, "reset\n", 6) == 6)
		ret = 0;
	close(fd);
	return ret;
}

/* The per-ioctl table; returns how many ioctls missed their floor. */
static int print_ioctls(uint64_t floor, unsigned int procs)
{
	uint64_t c, g, ok, seen[2];
	unsigned int k, p;
	int missed = 0, e;
	char errs[200];
	size_t len;

	printf("# fuzz: %-28s %9s %9s %9s  errnos\n", "ioctl", "calls", "good ptr", "ok");
	for (k = 0; k < NR_IOCTLS; k++) {
		c = g = ok = seen[0] = seen[1] = 0;
		for (p = 0; p < procs; p++) {
			c += sh->icalls[p][k];
			g += sh->igood[p][k];
			ok += sh->iok[p][k];
			seen[0] |= sh->iseen[p][k][0];
			seen[1] |= sh->iseen[p][k][1];
		}
		if (k >= NR_REAL && !c)
			continue;
		errs[0] = 0;
		len = 0;
		for (e = 1; e < 128 && len < sizeof(errs) - 20; e++)
			if (seen[e / 64] & (1ULL << (e % 64)))
				len += snprintf(errs + len, sizeof(errs) - len, "%s%s",
						len ? "," : "", errno_name(e));
		printf("# fuzz: %-28s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "  %s\n",
		       ioctls[k].name, c, g, ok, errs);
		if (k < NR_REAL && (c < floor || !g)) {
			printf("# fuzz: FAILED: %s: %" PRIu64 " calls (%" PRIu64
			       " with a good pointer), the floor is %" PRIu64 "\n",
			       ioctls[k].name, c, g, floor);
			missed++;
		}
	}
	return missed;
}

int main(int argc, char **argv)
{
	const char *devs[MAX_DEVS] = { getenv("AUTOCH_DEV") ?: "/dev/autoch0" };
	uint64_t calls = 1000000, total = 0, real = 0, bad_ptr = 0, guarded = 0, sum;
	uint64_t floor = 0, enomem = 0;
	unsigned int procs = 4, seed = time(NULL), limit = 0, p, ndev = 0, resets = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *reset_file = NULL;
	int shared_fd[MAX_DEVS];
	pid_t pids[MAX_PROCS];
	bool alive[MAX_PROCS];
	int opt, e, nbad = 0, status, left, missed, reset_failed = 0;
	double t0, dt, last_reset;
	uint64_t rng;

	while ((opt = getopt(argc, argv, "d:n:p:s:t:m:r:uf")) != -1) {
		switch (opt) {
		case 'f':
			make_it_fail = true;
			break;
		case 'u':
			drop_caps = true;
			break;
		case 'd':
			if (ndev == MAX_DEVS)
				usage();
			devs[ndev++] = optarg;
			break;
		case 'n':
			calls = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			procs = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 't':
			limit = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			floor = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			reset_file = optarg;
			break;
		default:
			usage();
		}
	}
	if (!ndev)
		ndev = 1;
	if (optind != argc || !procs || procs > MAX_PROCS || procs < ndev)
		usage();

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (p = 0; p < ndev; p++) {
		shared_fd[p] = open(devs[p], O_RDONLY);
		if (shared_fd[p] < 0) {
			fprintf(stderr, "fuzz: %s: %s\n", devs[p], strerror(errno));
			return 2;
		}
	}
	printf("# fuzz: %s%s%s, %" PRIu64 " calls by %u processes, seed %u%s%s%s\n",
	       devs[0], ndev > 1 ? " and " : "", ndev > 1 ? devs[1] : "",
	       calls, procs, seed, make_it_fail ? ", allocations failing" : "",
	       reset_file ? ", resets" : "", drop_caps ? ", half without CAP_SYS_ADMIN" : "");
	fflush(stdout);

	/* inherited: no SA_RESTART, so interrupted calls fail with EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	t0 = now();
	last_reset = t0;
	for (p = 0; p < procs; p++) {
		alive[p] = true;
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fork");
			return 2;
		}
		if (!pids[p]) {
			struct fuzzer f = {
				.id = p,
				.rng = ((uint64_t)seed << 32 | p) * 0x9e3779b97f4a7c15ULL | 1,
				.dev = devs[p % ndev],
				.shared_fd = shared_fd[p % ndev],
				.opens = p >> 1,
			};

			child(&f, calls / procs + (p < calls % procs));
			_exit(0);
		}
	}

	/* Interrupt a child now and then (EINTR paths); reset; stop at the limit. */
	rng = seed | 1;
	left = procs;
	while (left) {
		pid_t w = waitpid(-1, &status, WNOHANG);

		if (w > 0) {
			for (p = 0; p < procs; p++)
				if (pids[p] == w)
					alive[p] = false;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				fprintf(stderr, "fuzz: child %d died (status %#x)\n", w, status);
				nbad++;
			}
			left--;
			continue;
		}
		if (limit && !sh->stop && now() - t0 > limit) {
			sh->stop = 1;
			printf("# fuzz: stopped at the time limit of %u s\n", limit);
		}
		if (reset_file && now() - last_reset > 0.5) {
			last_reset = now();
			if (do_reset(reset_file))
				reset_failed++;
			else
				resets++;
		}
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		if (alive[rng % procs])
			kill(pids[rng % procs], SIGUSR1);
		usleep(2000 + rng % 20000);
	}
	dt = now() - t0;

	for (p = 0; p < procs; p++) {
		total += sh->calls[p];
		real += sh->real[p];
		bad_ptr += sh->bad_ptr[p];
		guarded += sh->guarded[p];
		enomem += sh->hist[p][ENOMEM];
	}
	printf("# fuzz: %" PRIu64 " calls in %.1f s (%.0f calls/s); %" PRIu64
	       " with the driver's numbers as they are, %" PRIu64 " with bad pointers, %"
	       PRIu64 " between guard bytes\n",
	       total, dt, total / dt, real, bad_ptr, guarded);
	for (e = 0; e < HIST_LEN; e++) {
		sum = 0;
		for (p = 0; p < procs; p++)
			sum += sh->hist[p][e];
		if (sum)
			printf("# fuzz: errno %4d %-12s %10" PRIu64 "\n",
			       e == HIST_POSITIVE ? -1 : e, errno_name(e), sum);
	}
	/* a floor per ioctl: a tenth of its fair share of the calls made */
	if (!floor)
		floor = total / NR_REAL / 2 * 3 / 8 / 10;
	missed = print_ioctls(floor ?: 1, procs);
	if (reset_file) {
		printf("# fuzz: %u resets through %s%s\n", resets, reset_file,
		       reset_failed ? " (some writes failed)" : "");
		if (!resets) {
			printf("# fuzz: FAILED: no reset happened\n");
			nbad++;
		}
	}
	if (make_it_fail) {
		printf("# fuzz: ENOMEM %" PRIu64 " times under failslab\n", enomem);
		if (!enomem) {
			printf("# fuzz: FAILED: failslab made no call fail with ENOMEM\n");
			nbad++;
		}
	}
	for (p = 0; p < procs; p++) {
		int n;

		nbad += sh->nbad[p];
		for (n = 0; n < sh->nbad[p] && n < MAX_REPORTS; n++)
			printf("# fuzz: process %u: %s\n", p, sh->report[p][n]);
	}
	printf("# fuzz: %s\n", nbad || missed ? "FAILED" :
	       "every errno in its ioctl's documented set, every floor reached, guard bytes intact");
	return nbad || missed ? 1 : 0;
}
