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
 * One element as the emulation holds and reports it: a line of its
 * debugfs "state" (selftests/emul/README.md). Tests compare the driver's
 * answers with this, the device's own account, not with what the driver
 * said before. Tags are "" when the element reports none, @source -1
 * when not valid, @bus and @lun -1 without ID VALID / LU VALID, @enab
 * InEnab 2 plus ExEnab 1.
 */
struct emul_elem {
	int address;
	char type[4];
	int full, source, access, invert, impexp, except, asc, ascq, enab;
	int bus, lun;
	char tag[AUTOCH_TAG_ID_LEN + 1];
	char alt[AUTOCH_TAG_ID_LEN + 1];
};

struct emul_state {
	int nr;
	struct emul_elem *el;
};

/* Parse one element line of "state"; false for any other line. */
static inline bool emul_parse_elem(const char *line, struct emul_elem *e)
{
	char tag[AUTOCH_TAG_ID_LEN + 1], src[16], alt[AUTOCH_TAG_ID_LEN + 1];

	memset(e, 0, sizeof(*e));
	if (line[0] == '#' ||
	    sscanf(line, "%d %3s %d %32s %15s %d %32s %d %d %d %x %x %d %d %d",
		   &e->address, e->type, &e->full, tag, src, &e->access, alt,
		   &e->invert, &e->impexp, &e->except, &e->asc, &e->ascq,
		   &e->enab, &e->bus, &e->lun) != 15)
		return false;
	e->source = strcmp(src, "-") ? atoi(src) : -1;
	if (strcmp(tag, "-"))
		memcpy(e->tag, tag, sizeof(e->tag));
	if (strcmp(alt, "-"))
		memcpy(e->alt, alt, sizeof(e->alt));
	return true;
}

/* One snapshot of every element; 0 or an errno. Free with emul_state_free(). */
static inline int emul_state_read(struct emul_state *st)
{
	size_t len = 8 << 20;
	char *buf = malloc(len), *line, *save;
	int n;

	st->nr = 0;
	st->el = NULL;
	if (!buf)
		return ENOMEM;
	n = emul_read_file(EMUL_DEBUGFS "/state", buf, len);
	if (n < 0 || (size_t)n + 1 >= len) {
		free(buf);
		return n < 0 ? -n : EFBIG;
	}
	st->el = calloc(n / 16 + 1, sizeof(*st->el));
	if (!st->el) {
		free(buf);
		return ENOMEM;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (emul_parse_elem(line, &st->el[st->nr]))
			st->nr++;
	free(buf);
	return st->nr ? 0 : EPROTO;
}

static inline void emul_state_free(struct emul_state *st)
{
	free(st->el);
	st->el = NULL;
	st->nr = 0;
}

static inline const struct emul_elem *emul_state_find(const struct emul_state *st,
						      int address)
{
	int i;

	for (i = 0; i < st->nr; i++)
		if (st->el[i].address == address)
			return &st->el[i];
	return NULL;
}

/*
 * Where an element status from the driver differs from the emulation's
 * account of that element: NULL when it agrees, else what differs (in
 * @why). The fields compared are those READ ELEMENT STATUS carries:
 * Full, ImpExp, Except with ASC/ASCQ, Access, InEnab/ExEnab, the drive's
 * ID VALID/LU VALID with its SCSI ID and LUN, the source with Invert, and
 * both volume tags (the alternate one where @alt_tags).
 */
static inline const char *emul_status_diff(const struct element_status *es,
					   const struct emul_elem *e,
					   bool alt_tags, char *why, size_t len)
{
	char tag[AUTOCH_TAG_ID_LEN + 1];

#define EMUL_DIFF(what, got, want)					\
	do {								\
		if ((int)(got) != (int)(want)) {			\
			snprintf(why, len, "element %d: %s %d, the changer says %d", \
				 e->address, what, (int)(got), (int)(want)); \
			return why;					\
		}							\
	} while (0)
	EMUL_DIFF("address", es->element, e->address);
	EMUL_DIFF("full", es->full, e->full);
	EMUL_DIFF("operator (ImpExp)", es->operator, e->impexp);
	EMUL_DIFF("except", es->except, e->except);
	EMUL_DIFF("ASC", es->sense_code, e->except ? e->asc : 0);
	EMUL_DIFF("ASCQ", es->sense_qualifier, e->except ? e->ascq : 0);
	if (strcmp(e->type, "ie") == 0) {
		EMUL_DIFF("import_enable", es->import_enable, !!(e->enab & 2));
		EMUL_DIFF("export_enable", es->export_enable, !!(e->enab & 1));
	}
	EMUL_DIFF("id_valid", es->id_valid, e->bus >= 0);
	if (e->bus >= 0)
		EMUL_DIFF("bus_address", es->bus_address, e->bus);
	EMUL_DIFF("lu_valid", es->lu_valid, e->lun >= 0);
	if (e->lun >= 0)
		EMUL_DIFF("lun", es->lun, e->lun);
	EMUL_DIFF("source_valid", es->source_valid, e->source >= 0);
	if (e->source >= 0) {
		EMUL_DIFF("source_element", es->source_element, e->source);
		EMUL_DIFF("invert", es->invert, e->invert);
	}
#undef EMUL_DIFF
	autoch_tag(es->pri_vol_tag, tag);
	if (strcmp(tag, e->tag)) {
		snprintf(why, len, "element %d: tag '%s', the changer says '%s'",
			 e->address, tag, e->tag);
		return why;
	}
	autoch_tag(es->alt_vol_tag, tag);
	if (alt_tags && strcmp(tag, e->alt)) {
		snprintf(why, len, "element %d: alternate tag '%s', the changer says '%s'",
			 e->address, tag, e->alt);
		return why;
	}
	return NULL;
}

/*
 * Commands of @opcode the emulation received through @host (-1: every
 * host), from its "counters"; -1 when it cannot be read.
 */
static inline long emul_counter(int opcode, int host)
{
	char buf[8192], *line, *save;
	unsigned int op;
	long v[3] = { 0 };

	if (emul_read_file(EMUL_DEBUGFS "/counters", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x %ld %ld %ld", &op, &v[0], &v[1], &v[2]) < 2)
			continue;
		if ((int)op == opcode)
			return host >= 0 && host < 2 ? v[host + 1] : v[0];
	}
	return 0;
}

/*
 * The initiator holding the unit reservation on the changer, from the
 * first line of the emulation's "state"; -1 for nobody, -2 unknown.
 */
static inline int emul_unit_holder(void)
{
	char buf[512];
	const char *p;

	if (emul_read_file(EMUL_DEBUGFS "/state", buf, sizeof(buf)) <= 0)
		return -2;
	p = strstr(buf, "unit reserved by ");
	return p ? atoi(p + strlen("unit reserved by ")) : -2;
}

/* The unit reservation's holder once it is @want, polled up to @ms. */
static inline int emul_wait_unit_holder(int want, int ms)
{
	double end = emul_now_ms() + ms;
	int h;

	while ((h = emul_unit_holder()) != want && emul_now_ms() < end)
		emul_sleep_ms(50);
	return h;
}

/* Replies the emulation still has to spoil ("malformed"); -1 unreadable. */
static inline int emul_malformed_left(void)
{
	char buf[128], *p;

	if (emul_read_file(EMUL_DEBUGFS "/malformed", buf, sizeof(buf)) < 0)
		return -1;
	if (!strncmp(buf, "none", 4))
		return 0;
	p = strstr(buf, "count=");
	return p ? atoi(p + 6) : -1;
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
