// SPDX-License-Identifier: GPL-2.0
/*
 * Which Linux devices are the changer's drives: the driveK links under
 * /sys/class/autoch/autochN and AUTOCH_DRIVE_DEVICES, found by matching
 * the identifier the changer reports for each data transfer element
 * (DVCID) with the VPD pages 80h/83h of the SCSI devices.
 *
 * On any changer (tgt's, a real library): every link and every answer
 * agrees with AUTOCH_DRIVE_ID, with the linked device's own VPD pages and
 * st/sg nodes in sysfs, and with the same match done here from sysfs: a
 * drive is found exactly when some SCSI device carries its identifier.
 *
 * On the emulation (selftests/emul), whose drives are tape LUs added on a
 * host of their own through debugfs ("event tape add LUN DRIVE"), the
 * mapping is checked against the emulation's state ("# tape" lines): in
 * order, in an order other than the LUNs', a drive the changer reports no
 * identifier for ("event noid"), a drive whose LU goes away and comes
 * back, drives that trade elements in the library ("event drive", with
 * and without the unit attention a library raises), the second changer
 * node of hosts=2 (one library through two paths), and two independent
 * libraries (libraries=2, check-emul.sh's libraries guest: each node maps
 * its own drives alone). The
 * superloader profile reports no identifiers at all: there, nothing may
 * be found.
 *
 * st is loaded (modprobe st) so that the drives have st and nst nodes;
 * where it cannot be, the st checks say so and only sg is checked.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "emul_ctl.h"

#define DM_MAX_TAPES	4
#define DM_WAIT_MS	5000
/* the second library of libraries=2: its debugfs and its hosts' name */
#define DM_LIB1		"/sys/kernel/debug/autoch_emul1"
#define DM_LIB1_HOSTS	"autoch_emul1"

static bool dm_have_st;

/* "autochN" of a /dev/autochN node */
static int dm_class_name(const char *dev, char *out, size_t len)
{
	char real[PATH_MAX];

	if (!realpath(dev, real))
		return -1;
	snprintf(out, len, "%s", basename(real));
	return 0;
}

/*
 * The H:C:T:L the link driveK of @cls points to, "" when there is no
 * link, "(dangling)" for a link to a device that is gone.
 */
static void dm_link(const char *cls, int k, char *out, size_t len)
{
	char path[128], real[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/autoch/%s/drive%d", cls, k);
	out[0] = '\0';
	if (realpath(path, real))
		snprintf(out, len, "%s", basename(real));
	else if (!lstat(path, &st))
		snprintf(out, len, "(dangling)");
}

static bool dm_wait_link(const char *cls, int k, const char *want)
{
	double end = emul_now_ms() + DM_WAIT_MS;
	char got[64];

	do {
		dm_link(cls, k, got, sizeof(got));
		if (!strcmp(got, want))
			return true;
		emul_sleep_ms(50);
	} while (emul_now_ms() < end);
	return false;
}

static int dm_devices(int fd, int element, struct autoch_drive_devices *dd)
{
	memset(dd, 0xa5, sizeof(*dd));
	dd->element = element;
	return autoch_ioctl(fd, AUTOCH_DRIVE_DEVICES, dd);
}

/* "MAJ:MIN" of /sys/class/CLASS/NAME/dev */
static int dm_devnum(const char *class, const char *name, unsigned int *maj,
		     unsigned int *min)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), "/sys/class/%s/%s/dev", class, name);
	if (emul_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return sscanf(buf, "%u:%u", maj, min) == 2 ? 0 : -1;
}

/* The one NAME[0-9]+ entry of /sys/bus/scsi/devices/HCTL/SUBDIR. */
static bool dm_child(const char *hctl, const char *subdir, const char *prefix,
		     char *out, size_t len)
{
	char path[160];
	struct dirent *de;
	size_t n = strlen(prefix);
	bool found = false;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/%s", hctl,
		 subdir);
	d = opendir(path);
	if (!d)
		return false;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, prefix, n) && de->d_name[n] &&
		    strspn(de->d_name + n, "0123456789") == strlen(de->d_name + n)) {
			snprintf(out, len, "%.31s", de->d_name);
			found = true;
			break;
		}
	}
	closedir(d);
	return found;
}

/*
 * What AUTOCH_DRIVE_DEVICES said of a drive agrees with the link and
 * with sysfs: its address is the link's H:C:T:L, its st, nst and sg
 * nodes are that device's.
 */
static void dm_check_found(struct __test_metadata *_metadata, const char *cls,
			   const struct autoch_drive_devices *dd,
			   const char *hctl)
{
	char link[64], want[64], name[32];
	unsigned int maj, min;

	ASSERT_TRUE(dd->flags & AUTOCH_DRIVE_FOUND);
	dm_link(cls, dd->index, link, sizeof(link));
	snprintf(want, sizeof(want), "%u:%u:%u:%llu", dd->host, dd->channel,
		 dd->target, (unsigned long long)dd->lun);
	EXPECT_STREQ(want, link);
	if (hctl)
		EXPECT_STREQ(hctl, want);
	if (dm_child(want, "scsi_generic", "sg", name, sizeof(name))) {
		ASSERT_TRUE(dd->flags & AUTOCH_DRIVE_SG);
		EXPECT_STREQ(name, dd->sg_name);
		ASSERT_EQ(0, dm_devnum("scsi_generic", name, &maj, &min));
		EXPECT_EQ(maj, dd->sg_major);
		EXPECT_EQ(min, dd->sg_minor);
	}
	if (dm_have_st) {
		ASSERT_TRUE(dm_child(want, "scsi_tape", "st", name,
				     sizeof(name))) {
			TH_LOG("%s has no st node though st is loaded", want);
		}
		ASSERT_TRUE(dd->flags & AUTOCH_DRIVE_ST);
		EXPECT_STREQ(name, dd->st_name);
		ASSERT_EQ(0, dm_devnum("scsi_tape", name, &maj, &min));
		EXPECT_EQ(maj, dd->st_major);
		EXPECT_EQ(min, dd->st_minor);
		snprintf(want, sizeof(want), "n%s", name);
		ASSERT_EQ(0, dm_devnum("scsi_tape", want, &maj, &min));
		EXPECT_EQ(maj, dd->nst_major);
		EXPECT_EQ(min, dd->nst_minor);
	}
}

/*
 * The same match as the driver's, in user space from sysfs: does the SCSI
 * device HCTL carry the identifier @id in its VPD page 83h (a designator
 * of the LU of the same type and bytes) or 80h (the serial number, for a
 * T10 vendor ID the part after vendor and product; padding aside)?
 */
static bool dm_vpd_has(const char *hctl, const struct autoch_drive_id *id)
{
	unsigned char p[1024];
	char path[PATH_MAX];
	const unsigned char *sn = id->id;
	int len, off, dlen, snlen = id->id_len, plen;

	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/vpd_pg83", hctl);
	len = emul_read_file(path, (char *)p, sizeof(p));
	for (off = 4; len >= 4 && off + 4 <= len; off += 4 + dlen) {
		dlen = p[off + 3];
		if (off + 4 + dlen > len)
			break;
		if (!(p[off + 1] & 0x30) && (p[off + 1] & 0x0f) == id->id_type &&
		    dlen == id->id_len && !memcmp(p + off + 4, id->id, dlen))
			return true;
	}
	if (id->code_set != 2 && id->code_set != 3)
		return false;
	if (id->id_type == 1 && snlen > 24) {
		sn += 24;
		snlen -= 24;
	}
	while (snlen && *sn == ' ') {
		sn++;
		snlen--;
	}
	while (snlen && (sn[snlen - 1] == ' ' || !sn[snlen - 1]))
		snlen--;
	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/vpd_pg80", hctl);
	len = emul_read_file(path, (char *)p, sizeof(p));
	if (!snlen || len < 4)
		return false;
	plen = p[3] < len - 4 ? p[3] : len - 4;
	off = 4;
	while (plen && p[off] == ' ') {
		off++;
		plen--;
	}
	while (plen && (p[off + plen - 1] == ' ' || !p[off + plen - 1]))
		plen--;
	return plen == snlen && !memcmp(p + off, sn, snlen);
}

/*
 * How many SCSI devices but changers carry @id; -1 when @link (the
 * H:C:T:L of the driver's link, "" for none) is not one of them.
 */
static int dm_user_match(const struct autoch_drive_id *id, const char *link)
{
	char path[PATH_MAX + 300], buf[16];
	struct dirent *de;
	int n = 0;
	bool link_ok = !link[0];
	DIR *d;

	if (!id->id_len)
		return 0;
	d = opendir("/sys/bus/scsi/devices");
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':'))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/type",
			 de->d_name);
		if (emul_read_file(path, buf, sizeof(buf)) <= 0 || atoi(buf) == 8)
			continue;
		if (dm_vpd_has(de->d_name, id)) {
			n++;
			if (!strcmp(de->d_name, link))
				link_ok = true;
		}
	}
	closedir(d);
	return link_ok ? n : -1;
}

/* ---- on any changer ---- */

FIXTURE(any) {
	struct autoch_dev dev;
	char cls[32];
};

FIXTURE_SETUP(any)
{
	ASSERT_EQ(0, autoch_open(&self->dev));
	ASSERT_EQ(0, dm_class_name(autoch_path(), self->cls, sizeof(self->cls)));
}

FIXTURE_TEARDOWN(any)
{
	close(self->dev.fd);
}

/* Every drive: the link, the ioctl, AUTOCH_DRIVE_ID and the VPD agree. */
TEST_F(any, consistent)
{
	int first = self->dev.ea.first_data_transfer;
	int n = self->dev.ea.num_data_transfers, i, found = 0, matches;
	struct autoch_drive_devices dd;
	struct autoch_drive_id id;
	char link[64], path[160];
	unsigned char vpd[2][512];
	int vlen[2];

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, dm_devices(self->dev.fd, first + i, &dd));
		EXPECT_EQ(first + i, dd.element);
		memset(&id, 0, sizeof(id));
		id.element = first + i;
		if (autoch_ioctl(self->dev.fd, AUTOCH_DRIVE_ID, &id))
			id.id_len = 0;
		EXPECT_EQ(!!id.id_len, !!(dd.flags & AUTOCH_DRIVE_HAS_ID));
		dm_link(self->cls, i + 1, link, sizeof(link));
		/* found exactly when sysfs shows a device with the identifier */
		matches = dm_user_match(&id, link);
		EXPECT_LE(0, matches) {
			TH_LOG("drive%d -> %s, which does not carry '%.*s'",
			       i + 1, link, id.id_len, id.id);
		}
		EXPECT_EQ(matches > 0, !!(dd.flags & AUTOCH_DRIVE_FOUND)) {
			TH_LOG("drive%d: %d SCSI devices carry '%.*s', the driver found %s",
			       i + 1, matches, id.id_len, id.id,
			       dd.flags & AUTOCH_DRIVE_FOUND ? link : "none");
		}
		if (!(dd.flags & AUTOCH_DRIVE_FOUND)) {
			EXPECT_STREQ("", link);
			EXPECT_EQ(0, dd.index);
			EXPECT_EQ(0, dd.flags & (AUTOCH_DRIVE_ST | AUTOCH_DRIVE_SG));
			continue;
		}
		found++;
		EXPECT_EQ(i + 1, dd.index);
		ASSERT_TRUE(id.id_len > 0);
		dm_check_found(_metadata, self->cls, &dd, NULL);
		/* the changer's identifier is in the device's VPD pages */
		snprintf(path, sizeof(path), "/sys/class/autoch/%s/drive%d/vpd_pg80",
			 self->cls, i + 1);
		vlen[0] = emul_read_file(path, (char *)vpd[0], sizeof(vpd[0]));
		snprintf(path, sizeof(path), "/sys/class/autoch/%s/drive%d/vpd_pg83",
			 self->cls, i + 1);
		vlen[1] = emul_read_file(path, (char *)vpd[1], sizeof(vpd[1]));
		EXPECT_TRUE((vlen[1] > 0 && memmem(vpd[1], vlen[1], id.id, id.id_len)) ||
			    (vlen[0] > 4 && memmem(id.id, id.id_len, vpd[0] + 4,
						   vlen[0] - 4))) {
			TH_LOG("drive%d: identifier '%.*s' not in %s's VPD pages",
			       i + 1, id.id_len, id.id, link);
		}
		TH_LOG("drive%d (element %d): %s, %s %s", i + 1, first + i, link,
		       dd.flags & AUTOCH_DRIVE_ST ? dd.st_name : "-",
		       dd.flags & AUTOCH_DRIVE_SG ? dd.sg_name : "-");
	}
	TH_LOG("%d of %d drives found", found, n);
	/* past the last drive there is no link */
	dm_link(self->cls, n + 1, link, sizeof(link));
	EXPECT_STREQ("", link);
}

TEST_F(any, bad_arguments)
{
	struct autoch_drive_devices dd;

	if (self->dev.ea.num_storages) {
		EXPECT_EQ(EINVAL, dm_devices(self->dev.fd,
					     self->dev.ea.first_storage, &dd));
	}
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, AUTOCH_DRIVE_DEVICES,
				       (void *)8));
}

/* ---- on the emulation: its tape LUs against its state ---- */

struct dm_tape {
	int lun;
	int drive;
	int host;
};

/*
 * The "# tape LUN drive D host H" lines of the state of the library whose
 * debugfs directory is @dbg (D: the element, from 1, its drive is in).
 */
static int dm_state_tapes(const char *dbg, struct dm_tape *t, int max)
{
	static char buf[1 << 20];
	char *line, *save = NULL, path[128];
	int n = 0;

	snprintf(path, sizeof(path), "%s/state", dbg);
	if (emul_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "# tape %d drive %d host %d", &t[n].lun,
			   &t[n].drive, &t[n].host) == 3)
			n++;
	}
	return n;
}

/* Which drive (its identifier's number) element @addr holds; -1 unknown. */
static int dm_ident(const char *dbg, int addr)
{
	static char buf[1 << 20];
	char *line, *save = NULL, path[128];
	int a, n;

	snprintf(path, sizeof(path), "%s/state", dbg);
	if (emul_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "# %d drive %d", &a, &n) == 2 && a == addr)
			return n;
	return -1;
}

/* A line to control file @file of the library whose directory is @dbg. */
static int __attribute__((format(printf, 3, 4)))
dm_ctl(const char *dbg, const char *file, const char *fmt, ...)
{
	char path[160], line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dbg, file);
	return emul_write_file(path, line);
}

/*
 * "/dev/autochN" of a changer on a host named @proc (the second library's
 * hosts are "autoch_emul1"); -1 when there is none.
 */
static int dm_node_on(const char *proc, char *dev, size_t len)
{
	char path[PATH_MAX + 300], real[PATH_MAX], buf[64];
	struct dirent *de;
	unsigned int host;
	int ret = -1;
	DIR *d;

	d = opendir("/sys/class/autoch");
	if (!d)
		return -1;
	while (ret && (de = readdir(d))) {
		if (strncmp(de->d_name, "autoch", 6))
			continue;
		snprintf(path, sizeof(path), "/sys/class/autoch/%s/device",
			 de->d_name);
		if (!realpath(path, real) ||
		    sscanf(basename(real), "%u:", &host) != 1)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/class/scsi_host/host%u/proc_name", host);
		if (emul_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		if (!strcmp(buf, proc)) {
			snprintf(dev, len, "/dev/%.32s", de->d_name);
			ret = 0;
		}
	}
	closedir(d);
	return ret;
}

FIXTURE(emul) {
	struct autoch_dev dev;
	char cls[32];
	enum emul_profile profile;
	int ntapes;
	bool added[16];
	bool added1[16];	/* the second library's (libraries=2) */
	int ident[64];		/* which drive each element held at set-up */
	bool ready;	/* set up: the harness runs the body after a SKIP */
};

FIXTURE_SETUP(emul)
{
	int n, i;

	if (!emul_present())
		SKIP(return, "no emulated changer: %s is absent", EMUL_DEBUGFS);
	ASSERT_EQ(0, autoch_open(&self->dev));
	ASSERT_EQ(0, dm_class_name(autoch_path(), self->cls, sizeof(self->cls)));
	self->profile = emul_profile(self->dev.fd);
	n = self->dev.ea.num_data_transfers;
	self->ntapes = n < DM_MAX_TAPES ? n : DM_MAX_TAPES;
	{
		struct dm_tape t[16];

		/* no tape LU left over from another test */
		ASSERT_EQ(0, dm_state_tapes(EMUL_DEBUGFS, t, 16));
		if (!access(DM_LIB1 "/state", R_OK))
			ASSERT_EQ(0, dm_state_tapes(DM_LIB1, t, 16));
	}
	for (i = 0; i < n && i < 64; i++)
		self->ident[i] = dm_ident(EMUL_DEBUGFS,
					  self->dev.ea.first_data_transfer + i);
	self->ready = true;
}

#define DM_READY() do {							\
	if (!self->ready)						\
		SKIP(return, "no emulated changer: %s is absent",	\
		     EMUL_DEBUGFS);					\
} while (0)

FIXTURE_TEARDOWN(emul)
{
	int i;

	int first = self->dev.ea.first_data_transfer;
	bool moved = false;

	for (i = 0; i < 16; i++) {
		if (self->added[i])
			emul_ctl("event", "tape remove %d", i);
		if (self->added1[i])
			dm_ctl(DM_LIB1, "event", "tape remove %d", i);
	}
	for (i = 0; i < self->dev.ea.num_data_transfers && i < 64; i++) {
		emul_ctl("event", "noid %d off", first + i);
		if (self->ready && self->ident[i] > 0 &&
		    dm_ident(EMUL_DEBUGFS, first + i) != self->ident[i]) {
			/* each drive back in its element, with 28/00 */
			emul_ctl("event", "drive %d %d", first + i,
				 self->ident[i]);
			moved = true;
		}
	}
	/* a call that meets the unit attention: the driver reads them again */
	if (moved)
		autoch_ioctl(self->dev.fd, SIOC_INIT_ELEM_STAT, NULL);
	if (self->dev.fd > 0)
		close(self->dev.fd);
}

static int dm_add(FIXTURE_DATA(emul) *self, int lun, int drive)
{
	int err = emul_ctl("event", "tape add %d %d", lun, drive);

	if (!err)
		self->added[lun] = true;
	return err;
}

/*
 * The H:C:T:L of the tape LU of the drive in the @drive th element (from
 * 1), by the state of the library whose debugfs directory is @dbg, or "".
 */
static void dm_expected(const char *dbg, int drive, char *out, size_t len)
{
	struct dm_tape t[16];
	int i, n = dm_state_tapes(dbg, t, 16);

	out[0] = '\0';
	for (i = 0; i < n; i++)
		if (t[i].drive == drive)
			snprintf(out, len, "%d:0:0:%d", t[i].host, t[i].lun);
}

/*
 * Every drive of the changer @cls (node @fd) of the library whose debugfs
 * directory is @dbg against that library's state: linked to its tape LU,
 * or to nothing when it has none or, with @noid, is drive @noid.
 */
static void dm_check_lib(struct __test_metadata *_metadata,
			 FIXTURE_DATA(emul) *self, int fd, const char *cls,
			 const char *dbg, int noid)
{
	int first = self->dev.ea.first_data_transfer, i;
	struct autoch_drive_devices dd;
	char want[64];
	bool ids = self->profile != EMUL_SUPERLOADER;

	for (i = 0; i < self->dev.ea.num_data_transfers; i++) {
		dm_expected(dbg, i + 1, want, sizeof(want));
		if (!ids || i + 1 == noid)
			want[0] = '\0';
		EXPECT_TRUE(dm_wait_link(cls, i + 1, want)) {
			char got[64];

			dm_link(cls, i + 1, got, sizeof(got));
			TH_LOG("%s/drive%d -> '%s', the emulation says '%s'",
			       cls, i + 1, got, want);
		}
		ASSERT_EQ(0, dm_devices(fd, first + i, &dd));
		EXPECT_EQ(ids && i + 1 != noid, !!(dd.flags & AUTOCH_DRIVE_HAS_ID));
		if (!want[0]) {
			EXPECT_EQ(0, dd.flags & AUTOCH_DRIVE_FOUND);
			continue;
		}
		EXPECT_EQ(i + 1, dd.index);
		dm_check_found(_metadata, cls, &dd, want);
	}
}

/* The same for the first library (debugfs autoch_emul). */
static void dm_check_all(struct __test_metadata *_metadata,
			 FIXTURE_DATA(emul) *self, int fd, const char *cls,
			 int noid)
{
	dm_check_lib(_metadata, self, fd, cls, EMUL_DEBUGFS, noid);
}

/* LUN k is drive k+1: the mapping in order. */
TEST_F(emul, in_order)
{
	int i;

	DM_READY();
	for (i = 0; i < self->ntapes; i++)
		ASSERT_EQ(0, dm_add(self, i, i + 1));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
}

/* LUN k is drive ntapes-k: element order against LUN order. */
TEST_F(emul, reversed)
{
	int i;

	DM_READY();
	for (i = 0; i < self->ntapes; i++)
		ASSERT_EQ(0, dm_add(self, i, self->ntapes - i));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
}

/* A drive the changer gives no identifier for has no link, then has. */
TEST_F(emul, no_identifier)
{
	int first = self->dev.ea.first_data_transfer, i;
	struct autoch_drive_devices dd;

	DM_READY();
	if (self->ntapes < 2)
		SKIP(return, "fewer than two drives");
	for (i = 0; i < self->ntapes; i++)
		ASSERT_EQ(0, dm_add(self, i, i + 1));
	ASSERT_EQ(0, emul_ctl("event", "noid %d on", first + 1));
	/* the driver reads the identifier again for the ioctl */
	ASSERT_EQ(0, dm_devices(self->dev.fd, first + 1, &dd));
	EXPECT_EQ(0, dd.flags & (AUTOCH_DRIVE_HAS_ID | AUTOCH_DRIVE_FOUND));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 2);
	ASSERT_EQ(0, emul_ctl("event", "noid %d off", first + 1));
	ASSERT_EQ(0, dm_devices(self->dev.fd, first + 1, &dd));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
}

/* A drive's LU goes away (link removed) and comes back (restored). */
TEST_F(emul, goes_and_comes_back)
{
	char want[64], got[64];
	int i;

	DM_READY();
	for (i = 0; i < self->ntapes; i++)
		ASSERT_EQ(0, dm_add(self, i, i + 1));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
	if (self->profile == EMUL_SUPERLOADER)
		return;
	dm_expected(EMUL_DEBUGFS, 1, want, sizeof(want));
	ASSERT_STRNE("", want);
	ASSERT_EQ(0, emul_ctl("event", "tape remove 0"));
	self->added[0] = false;
	dm_link(self->cls, 1, got, sizeof(got));
	EXPECT_STREQ("", got);
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
	ASSERT_EQ(0, dm_add(self, 0, 1));
	EXPECT_TRUE(dm_wait_link(self->cls, 1, want));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
}

/* Why two drives cannot trade elements here, or NULL. */
static const char *dm_trade_skip(FIXTURE_DATA(emul) *self)
{
	if (self->profile == EMUL_SUPERLOADER)
		return "superloader: the changer reports no identifiers";
	return self->ntapes < 2 ? "fewer than two drives" : NULL;
}

/* The first two drives as LUNs 0 and 1, linked; the links in @want. */
static void dm_trade_setup(struct __test_metadata *_metadata,
			   FIXTURE_DATA(emul) *self, char want[2][64])
{
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dm_add(self, i, i + 1));
	for (i = 0; i < 2; i++) {
		dm_expected(EMUL_DEBUGFS, i + 1, want[i], 64);
		ASSERT_TRUE(dm_wait_link(self->cls, i + 1, want[i]));
		ASSERT_LT(0, self->ident[i]);
	}
}

/*
 * The first two drives trade elements, with 28/00 when @announce, then a
 * call that reads no identifier (SIOC_INIT_ELEM_STAT) meets what came.
 */
static void dm_trade(struct __test_metadata *_metadata,
		     FIXTURE_DATA(emul) *self, bool announce)
{
	int first = self->dev.ea.first_data_transfer;

	ASSERT_EQ(0, emul_ctl("event", "drive %d %d quiet", first,
			      self->ident[1]));
	ASSERT_EQ(0, emul_ctl("event", "drive %d %d%s", first + 1,
			      self->ident[0], announce ? "" : " quiet"));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_INIT_ELEM_STAT, NULL));
}

/* The links of the first two drives are @want's, traded. */
static void dm_check_traded(struct __test_metadata *_metadata,
			    FIXTURE_DATA(emul) *self, char want[2][64])
{
	char got[64];

	dm_link(self->cls, 1, got, sizeof(got));
	EXPECT_STREQ(want[1], got);
	dm_link(self->cls, 2, got, sizeof(got));
	EXPECT_STREQ(want[0], got);
}

/*
 * Two drives trade elements in the library, which then reports NOT READY
 * TO READY CHANGE (28/00) as after a service. The first call that meets
 * it, SIOC_INIT_ELEM_STAT (which reads no identifier), leaves the links
 * on the drives' new elements before it returns: the driver reads the
 * identifiers again at the end of that call, in one READ ELEMENT STATUS
 * for all the drives. No ioctl that reads identifiers comes before the
 * links are checked; the next call, with nothing stale, reads none.
 */
TEST_F(emul, drives_trade_elements)
{
	int fd = self->dev.fd;
	char want[2][64];
	const char *why;
	long res;

	DM_READY();
	why = dm_trade_skip(self);
	if (why)
		SKIP(return, "%s", why);
	dm_trade_setup(_metadata, self, want);
	/* nothing pending before the count */
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_INIT_ELEM_STAT, NULL));
	res = emul_counter(0xb8, -1);
	dm_trade(_metadata, self, true);
	/* at once: the call read them again before it returned */
	dm_check_traded(_metadata, self, want);
	res = emul_counter(0xb8, -1) - res;
	EXPECT_EQ(1, res) TH_LOG("READ ELEMENT STATUS for the identifiers");
	TH_LOG("re-read after 28/00: %ld READ ELEMENT STATUS", res);
	res = emul_counter(0xb8, -1);
	ASSERT_EQ(0, autoch_ioctl(fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(0, emul_counter(0xb8, -1) - res);
	dm_check_all(_metadata, self, fd, self->cls, 0);
}

/*
 * The same trade with no unit attention ("quiet"): the driver cannot know,
 * and the links stay where they were through a call, as documented;
 * AUTOCH_DRIVE_DEVICES reads the element's identifier and its link
 * follows.
 */
TEST_F(emul, trade_unannounced)
{
	int first = self->dev.ea.first_data_transfer, fd = self->dev.fd, i;
	struct autoch_drive_devices dd;
	char want[2][64], got[64];
	const char *why;

	DM_READY();
	why = dm_trade_skip(self);
	if (why)
		SKIP(return, "%s", why);
	dm_trade_setup(_metadata, self, want);
	dm_trade(_metadata, self, false);
	dm_link(self->cls, 1, got, sizeof(got));
	EXPECT_STREQ(want[0], got) TH_LOG("no unit attention: still the old link");
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, dm_devices(fd, first + i, &dd));
	dm_check_traded(_metadata, self, want);
	dm_check_all(_metadata, self, fd, self->cls, 0);
}

/* hosts=2: one library through two paths; both nodes map the same drives. */
TEST_F(emul, two_paths)
{
	struct autoch_dev d2;
	char cls2[32];
	int i;

	DM_READY();
	if (access(emul_other_path(), F_OK))
		SKIP(return, "one changer node only (%s absent)", emul_other_path());
	ASSERT_EQ(0, emul_open(&d2, emul_other_path()));
	ASSERT_EQ(0, dm_class_name(emul_other_path(), cls2, sizeof(cls2)));
	ASSERT_STRNE(self->cls, cls2);
	for (i = 0; i < self->ntapes; i++)
		ASSERT_EQ(0, dm_add(self, i, self->ntapes - i));
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
	dm_check_all(_metadata, self, d2.fd, cls2, 0);
	/* one goes: from both */
	ASSERT_EQ(0, emul_ctl("event", "tape remove 0"));
	self->added[0] = false;
	dm_check_all(_metadata, self, self->dev.fd, self->cls, 0);
	dm_check_all(_metadata, self, d2.fd, cls2, 0);
	close(d2.fd);
}

/*
 * libraries=2: two independent libraries, each with its own drives and
 * identifiers. Each node maps only its own library's drives, in an order
 * of its own, to that library's tape LUs; a tape LU of one library going
 * leaves the other's mapping as it was.
 */
TEST_F(emul, two_libraries)
{
	char dev2[64], cls2[32];
	struct autoch_dev d2;
	int i;

	DM_READY();
	if (access(DM_LIB1 "/event", W_OK))
		SKIP(return, "one library only (%s absent: libraries=1; check-emul.sh's libraries guest has two)",
		     DM_LIB1);
	ASSERT_EQ(0, dm_node_on(DM_LIB1_HOSTS, dev2, sizeof(dev2)))
		TH_LOG("no changer node on the second library's hosts");
	ASSERT_EQ(0, emul_open(&d2, dev2));
	ASSERT_EQ(0, dm_class_name(dev2, cls2, sizeof(cls2)));
	ASSERT_STRNE(self->cls, cls2);
	ASSERT_EQ(self->dev.ea.num_data_transfers, d2.ea.num_data_transfers);
	/* the first library in order, the second reversed */
	for (i = 0; i < self->ntapes; i++) {
		ASSERT_EQ(0, dm_add(self, i, i + 1));
		ASSERT_EQ(0, dm_ctl(DM_LIB1, "event", "tape add %d %d", i,
				    self->ntapes - i));
		self->added1[i] = true;
	}
	dm_check_lib(_metadata, self, self->dev.fd, self->cls, EMUL_DEBUGFS, 0);
	dm_check_lib(_metadata, self, d2.fd, cls2, DM_LIB1, 0);
	/* the second library's first LU goes: its drive alone loses it */
	ASSERT_EQ(0, dm_ctl(DM_LIB1, "event", "tape remove 0"));
	self->added1[0] = false;
	dm_check_lib(_metadata, self, d2.fd, cls2, DM_LIB1, 0);
	dm_check_lib(_metadata, self, self->dev.fd, self->cls, EMUL_DEBUGFS, 0);
	close(d2.fd);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	/* st for the drives' st and nst nodes (built in, a module, or not) */
	int rc = system("modprobe st >/dev/null 2>&1");

	(void)rc;
	dm_have_st = access("/sys/class/scsi_tape", F_OK) == 0;
	if (!dm_have_st)
		printf("# st is not available: st and nst nodes not checked\n");
	return test_harness_run(argc, argv);
}
