/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the selftests that drive the emulated changer
 * (selftests/emul, autoch_emul.ko) through its debugfs control files and
 * module parameters: two_hosts, unit_attention, fault_matrix.
 *
 * Those tests skip, with the reason, where /sys/kernel/debug/autoch_emul
 * is absent (tgt's changer, a real library). Where it is present they
 * learn the profile from INQUIRY (SIOC_INQUIRY product identification,
 * else $AUTOCH_EMUL_PROFILE as guest-emul.sh exports it) and the layout
 * from SIOC_ELEMENT_ADDRESSES, never from fixed addresses.
 *
 * Module parameters a test changes are recorded in a struct emul_params
 * and written back by emul_params_restore() in the fixture teardown, so a
 * test that stops half way leaves the driver and the emulation as it
 * found them.
 */
#ifndef AUTOCH_EMUL_CTL_H
#define AUTOCH_EMUL_CTL_H

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <time.h>

#include "autoch.h"

#define EMUL_DEBUGFS		"/sys/kernel/debug/autoch_emul"
#define EMUL_MODULE		"autoch_emul"
#define AUTOCH_MODULE		"autoch"
#define EMUL_MAX_SAVED		16

enum emul_profile {
	EMUL_UNKNOWN,
	EMUL_SUPERLOADER,
	EMUL_LIBRARY,
	EMUL_TGT,
};

static const char *const emul_profile_name[] = {
	[EMUL_UNKNOWN] = "unknown",
	[EMUL_SUPERLOADER] = "superloader",
	[EMUL_LIBRARY] = "library",
	[EMUL_TGT] = "tgt",
};

struct emul_saved {
	char path[160];
	char value[64];
};

/* Module parameters changed by a test, with their values before. */
struct emul_params {
	int n;
	struct emul_saved saved[EMUL_MAX_SAVED];
};

static inline bool emul_present(void)
{
	return access(EMUL_DEBUGFS "/event", W_OK) == 0;
}

static inline double emul_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static inline void emul_sleep_ms(int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (ms % 1000) * 1000000L,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Write @s to @path in one write(); 0 or the errno. */
static inline int emul_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		err = errno;
	else if (n != (ssize_t)strlen(s))
		err = EIO;
	close(fd);
	return err;
}

/* Read @path into @buf (NUL terminated); the length or -errno. */
static inline int emul_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, total = 0;

	if (fd < 0)
		return -errno;
	while (total + 1 < (ssize_t)len &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* One line to a control file of the emulation: "event", "fault", ... */
static inline int __attribute__((format(printf, 2, 3)))
emul_ctl(const char *file, const char *fmt, ...)
{
	char path[128], line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), EMUL_DEBUGFS "/%s", file);
	return emul_write_file(path, line);
}

static inline int emul_param_path(char *path, size_t len, const char *module,
				  const char *name)
{
	return snprintf(path, len, "/sys/module/%s/parameters/%s", module, name);
}

static inline long emul_param_get(const char *module, const char *name)
{
	char path[160], buf[64];

	emul_param_path(path, sizeof(path), module, name);
	if (emul_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Set a module parameter, remembering its first value in @p for
 * emul_params_restore(). 0 or the errno.
 */
static inline int emul_param_set(struct emul_params *p, const char *module,
				 const char *name, long value)
{
	char path[160], val[64], old[64];
	int i;

	emul_param_path(path, sizeof(path), module, name);
	for (i = 0; i < p->n; i++)
		if (!strcmp(p->saved[i].path, path))
			break;
	if (i == p->n) {
		if (p->n == EMUL_MAX_SAVED)
			return ENOSPC;
		if (emul_read_file(path, old, sizeof(old)) <= 0)
			return ENOENT;
		old[strcspn(old, "\n")] = '\0';
		snprintf(p->saved[i].path, sizeof(p->saved[i].path), "%s", path);
		snprintf(p->saved[i].value, sizeof(p->saved[i].value), "%s", old);
		p->n++;
	}
	snprintf(val, sizeof(val), "%ld", value);
	return emul_write_file(path, val);
}

/* Every parameter back to what it was, newest change first. */
static inline int emul_params_restore(struct emul_params *p)
{
	int err = 0, e;

	while (p->n > 0) {
		p->n--;
		e = emul_write_file(p->saved[p->n].path, p->saved[p->n].value);
		if (e && !err)
			err = e;
	}
	return err;
}

/* "/dev/autochN" of the second initiator when the emulation has two. */
static inline const char *emul_other_path(void)
{
	const char *p = getenv("AUTOCH_DEV2");

	return p && *p ? p : "/dev/autoch1";
}

/* Like autoch_open() for another node. */
static inline int emul_open(struct autoch_dev *d, const char *path)
{
	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0)
		return errno;
	return autoch_ioctl(d->fd, SIOC_ELEMENT_ADDRESSES, &d->ea);
}

/*
 * INQUIRY product identification, else $AUTOCH_EMUL_PROFILE (set by
 * guest-emul.sh), else $AUTOCH_PROFILE.
 */
static inline enum emul_profile emul_profile(int fd)
{
	struct autoch_inquiry inq;
	const char *env = getenv("AUTOCH_EMUL_PROFILE");
	char product[17];
	int i;

	if (!autoch_ioctl(fd, AUTOCH_INQUIRY, &inq) && inq.length >= 32) {
		memcpy(product, inq.data + 16, 16);
		product[16] = '\0';
		if (!strncmp(product, "SuperLoader", 11))
			return EMUL_SUPERLOADER;
		if (!strncmp(product, "EMUL-LIBRARY", 12))
			return EMUL_LIBRARY;
		if (!strncmp(product, "VIRTUAL-CHANGER", 15))
			return EMUL_TGT;
	}
	for (i = EMUL_SUPERLOADER; env && i <= EMUL_TGT; i++)
		if (!strcmp(env, emul_profile_name[i]))
			return i;
	/* guest-check.sh's name for tgt's layout */
	if (autoch_profile(AUTOCH_TGT24))
		return EMUL_TGT;
	return EMUL_UNKNOWN;
}

/* The SCSI device directory of a /dev/autochN node, in sysfs. */
static inline int emul_sysdev(const char *devpath, char *out, size_t len)
{
	char real[PATH_MAX], link[PATH_MAX + 64], copy[PATH_MAX];

	if (!realpath(devpath, real))
		return -1;
	snprintf(copy, sizeof(copy), "%s", real);
	snprintf(link, sizeof(link), "/sys/class/autoch/%s/device",
		 basename(copy));
	if (!realpath(link, real) || strlen(real) >= len)
		return -1;
	strcpy(out, real);
	return 0;
}

/* The sg node of the same SCSI device as @devpath: "/dev/sgN". */
static inline int emul_sg_of(const char *devpath, char *sg, size_t len)
{
	char sysdev[PATH_MAX], dir[PATH_MAX + 32];
	struct dirent *de;
	int ret = -1;
	DIR *d;

	if (emul_sysdev(devpath, sysdev, sizeof(sysdev)))
		return -1;
	snprintf(dir, sizeof(dir), "%s/scsi_generic", sysdev);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "sg", 2)) {
			snprintf(sg, len, "/dev/%.32s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/*
 * The emulation's index of the host (initiator) @devpath is reached
 * through: the rank of its SCSI host among the autoch_emul hosts, which
 * are added in index order. -1 when it cannot be told.
 */
static inline int emul_host_index(const char *devpath)
{
	char sysdev[PATH_MAX], path[128], buf[64];
	unsigned int host, h;
	int index = 0;
	DIR *d;
	struct dirent *de;

	if (emul_sysdev(devpath, sysdev, sizeof(sysdev)))
		return -1;
	if (sscanf(basename(sysdev), "%u:", &host) != 1)
		return -1;
	d = opendir("/sys/class/scsi_host");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "host%u", &h) != 1 || h >= host)
			continue;
		snprintf(path, sizeof(path), "/sys/class/scsi_host/host%u/proc_name",
			 h);
		if (emul_read_file(path, buf, sizeof(buf)) > 0 &&
		    !strncmp(buf, EMUL_MODULE, strlen(EMUL_MODULE)))
			index++;
	}
	closedir(d);
	return index;
}

/* Wait until @path exists (or not); false after @ms milliseconds. */
static inline bool emul_wait_node(const char *path, bool present, int ms)
{
	double end = emul_now_ms() + ms;

	do {
		if ((access(path, F_OK) == 0) == present)
			return true;
		emul_sleep_ms(50);
	} while (emul_now_ms() < end);
	return false;
}

/* A printable name for the errno an ioctl returned (0: success). */
static inline const char *emul_errname(int err)
{
	static char other[16];

	switch (err) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case ENOMEDIUM: return "ENOMEDIUM";
	case EXFULL: return "EXFULL";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ECONNRESET: return "ECONNRESET";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINTR: return "EINTR";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	case EACCES: return "EACCES";
	}
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

/*
 * The status, host byte and sense of SIOC_XSENSE on @fd; false when the
 * ioctl fails. Sense key/ASC/ASCQ are -1 without sense data.
 */
struct emul_xsense {
	int valid, status, host, error, opcode, key, asc, ascq;
};

static inline bool emul_xsense(int fd, struct emul_xsense *x)
{
	struct autoch_xsense xs;

	memset(x, 0, sizeof(*x));
	x->key = x->asc = x->ascq = -1;
	if (autoch_ioctl(fd, AUTOCH_XSENSE, &xs))
		return false;
	x->valid = xs.valid;
	x->status = xs.status;
	x->host = xs.host_status;
	x->error = xs.error;
	x->opcode = xs.cdb_len ? xs.cdb[0] : -1;
	if (!autoch_sense(&xs, &x->key, &x->asc, &x->ascq))
		x->key = x->asc = x->ascq = -1;
	return true;
}

/*
 * Skip the program (exit 4) where there is no emulation to drive; called
 * in main() after autoch_require_changer().
 */
static inline void emul_require(void)
{
	if (emul_present())
		return;
	ksft_print_header();
	ksft_exit_skip("no emulated changer: %s is absent (tgt or a real library)\n",
		       EMUL_DEBUGFS);
}

#endif /* AUTOCH_EMUL_CTL_H */
