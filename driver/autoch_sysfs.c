// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs attributes of /sys/class/autoch/autochN (INQUIRY strings,
 * the serial number, the element map, the drive identifiers, in
 * becoming_ready/ the calls waiting for the changer to become ready, and
 * in paths/ one directory per path with its state) and the device class
 * that carries them. One value per file, drive_ids being
 * an array of one type; every file is in
 * Documentation/ABI/testing/sysfs-class-autoch.
 */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sysfs.h>

#include <scsi/scsi_device.h>

#include "autoch.h"

/* ---- sysfs ---- */

static struct autoch_device *to_autoch(struct device *dev)
{
	return container_of(dev, struct autoch_device, dev);
}

/* INQUIRY and VPD strings are space padded and not terminated. */
static ssize_t autoch_show_inq(char *buf, const char *s, unsigned int len)
{
	while (len && (s[len - 1] == ' ' || !s[len - 1]))
		len--;
	while (len && *s == ' ') {
		s++;
		len--;
	}
	return sysfs_emit(buf, "%.*s\n", len, s);
}

/* vendor, model and rev: the INQUIRY strings */
static ssize_t autoch_inq_show(struct device *dev,
			       struct device_attribute *attr, char *buf);
static struct device_attribute dev_attr_vendor =
	__ATTR(vendor, 0444, autoch_inq_show, NULL);
static struct device_attribute dev_attr_model =
	__ATTR(model, 0444, autoch_inq_show, NULL);
static struct device_attribute dev_attr_rev =
	__ATTR(rev, 0444, autoch_inq_show, NULL);

static ssize_t autoch_inq_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct scsi_device *sdev = to_autoch(dev)->sdev;

	if (attr == &dev_attr_vendor)
		return autoch_show_inq(buf, sdev->vendor, 8);
	if (attr == &dev_attr_model)
		return autoch_show_inq(buf, sdev->model, 16);
	return autoch_show_inq(buf, sdev->rev, 4);
}

/* VPD page 80h as the midlayer read it when it scanned the device */
static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct scsi_device *sdev = to_autoch(dev)->sdev;
	const struct scsi_vpd *vpd;
	ssize_t ret;

	rcu_read_lock();
	vpd = rcu_dereference(sdev->vpd_pg80);
	if (vpd && vpd->len >= 4)
		ret = autoch_show_inq(buf, vpd->data + 4,
				      min_t(unsigned int, vpd->data[3],
					    vpd->len - 4));
	else
		ret = sysfs_emit(buf, "\n");
	rcu_read_unlock();
	return ret;
}
static DEVICE_ATTR_RO(serial);

static ssize_t autoch_show_range(struct device *dev, char *buf, int type,
				 bool count)
{
	struct autoch_device *ach = to_autoch(dev);
	unsigned int v;
	int err;

	err = autoch_lock_map(ach, NULL);
	if (err)
		return err;
	v = count ? ach->range[type - 1].count : ach->range[type - 1].first;
	mutex_unlock(&ach->state_lock);
	return sysfs_emit(buf, "%u\n", v);
}

/*
 * The element map and the drive identifiers may need commands to the
 * changer (a MODE SENSE after a unit attention, one READ ELEMENT STATUS
 * per drive): those files are root's alone (0400), so that no user
 * without access to the node can keep the robot controller busy. The
 * others (vendor, model, rev, serial, becoming_ready/) answer from memory.
 */
#define AUTOCH_RANGE_ATTRS(name, type)					\
static ssize_t first_##name##_show(struct device *dev,			\
				   struct device_attribute *attr,	\
				   char *buf)				\
{									\
	return autoch_show_range(dev, buf, type, false);		\
}									\
static DEVICE_ATTR_ADMIN_RO(first_##name);				\
static ssize_t num_##name##s_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	return autoch_show_range(dev, buf, type, true);			\
}									\
static DEVICE_ATTR_ADMIN_RO(num_##name##s)

AUTOCH_RANGE_ATTRS(transport, AUTOCH_MT);
AUTOCH_RANGE_ATTRS(storage, AUTOCH_ST);
AUTOCH_RANGE_ATTRS(import_export, AUTOCH_IE);
AUTOCH_RANGE_ATTRS(data_transfer, AUTOCH_DT);

/*
 * The drives' identifiers, one line per data transfer element in address
 * order, the first line being first_data_transfer's drive: an array of
 * values of one type, which Documentation/filesystems/sysfs.rst allows in
 * one file. A file per drive would have to come and go with the element
 * map, which is read on first use, not at probe. The line of a drive the
 * changer gives no identifier for is empty.
 */
static ssize_t drive_ids_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct autoch_device *ach = to_autoch(dev);
	struct autoch_drive_id id;
	unsigned int first, n, i, len = 0, c;
	int err;

	err = autoch_lock_map(ach, NULL);
	if (err)
		return err;
	first = ach->range[AUTOCH_DT - 1].first;
	n = ach->range[AUTOCH_DT - 1].count;
	mutex_unlock(&ach->state_lock);

	for (i = 0; i < n; i++) {
		err = autoch_read_drive_id(ach, NULL, first + i, &id);
		if (err == -ENXIO || err == -ERESTARTSYS || err == -ENOMEM)
			return err;
		/* a drive the changer reports no identifier for: none */
		if (err)
			id.id_len = 0;
		/* padding, spaces or (tgt) NULs, is not part of the name */
		while (id.id_len && (id.id[id.id_len - 1] == ' ' ||
				     !id.id[id.id_len - 1]))
			id.id_len--;
		for (c = 0; c < id.id_len; c++)
			len += sysfs_emit_at(buf, len, "%c",
					     isprint(id.id[c]) && id.id[c] != ' ' ?
					     id.id[c] : '_');
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}
static DEVICE_ATTR_ADMIN_RO(drive_ids);

/* The u64 counter at offset @off of the changer, read under @state_lock. */
static ssize_t autoch_show_count(struct device *dev, char *buf, size_t off)
{
	struct autoch_device *ach = to_autoch(dev);
	u64 n;

	mutex_lock(&ach->state_lock);
	n = *(const u64 *)((const char *)ach + off);
	mutex_unlock(&ach->state_lock);
	return sysfs_emit(buf, "%llu\n", n);
}

/* NAME_show(): the counter @member of struct autoch_device */
#define AUTOCH_COUNT_SHOW(name, member)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return autoch_show_count(dev, buf,				\
				 offsetof(struct autoch_device, member)); \
}

/*
 * Failover figures, from memory: how many times the active path was
 * replaced after it failed or went; reservations taken again on a new
 * path after that, and those the changer refused there (their holders
 * heard ECONNRESET).
 */
AUTOCH_COUNT_SHOW(failovers, failovers)
static DEVICE_ATTR_RO(failovers);
AUTOCH_COUNT_SHOW(reservations_retaken, resv_retaken)
static DEVICE_ATTR_RO(reservations_retaken);
AUTOCH_COUNT_SHOW(reservations_lost, resv_lost)
static DEVICE_ATTR_RO(reservations_lost);
AUTOCH_COUNT_SHOW(prevent_resent, prevent_resent)
static DEVICE_ATTR_RO(prevent_resent);

/*
 * MOVE and EXCHANGE MEDIUM cut off by a path failure, in all and by what
 * the driver found when it read the elements through another path
 * (autoch_move_cmd()).
 */
AUTOCH_COUNT_SHOW(moves_cut_total, moves_cut[AUTOCH_CUT_TOTAL])
static DEVICE_ATTR_RO(moves_cut_total);
AUTOCH_COUNT_SHOW(moves_cut_done, moves_cut[AUTOCH_CUT_DONE])
static DEVICE_ATTR_RO(moves_cut_done);
AUTOCH_COUNT_SHOW(moves_cut_resent, moves_cut[AUTOCH_CUT_NOT_DONE])
static DEVICE_ATTR_RO(moves_cut_resent);
AUTOCH_COUNT_SHOW(moves_cut_unknown, moves_cut[AUTOCH_CUT_UNKNOWN])
static DEVICE_ATTR_RO(moves_cut_unknown);

/*
 * The longest a command sent again on another path made its caller wait,
 * in milliseconds.
 */
static ssize_t failover_max_ms_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct autoch_device *ach = to_autoch(dev);
	unsigned int ms;

	mutex_lock(&ach->state_lock);
	ms = ach->failover_max_ms;
	mutex_unlock(&ach->state_lock);
	return sysfs_emit(buf, "%u\n", ms);
}
static DEVICE_ATTR_RO(failover_max_ms);

static struct attribute *autoch_attrs[] = {
	&dev_attr_vendor.attr,
	&dev_attr_model.attr,
	&dev_attr_rev.attr,
	&dev_attr_serial.attr,
	&dev_attr_first_transport.attr,
	&dev_attr_num_transports.attr,
	&dev_attr_first_storage.attr,
	&dev_attr_num_storages.attr,
	&dev_attr_first_import_export.attr,
	&dev_attr_num_import_exports.attr,
	&dev_attr_first_data_transfer.attr,
	&dev_attr_num_data_transfers.attr,
	&dev_attr_drive_ids.attr,
	&dev_attr_failovers.attr,
	&dev_attr_failover_max_ms.attr,
	&dev_attr_reservations_retaken.attr,
	&dev_attr_reservations_lost.attr,
	&dev_attr_prevent_resent.attr,
	&dev_attr_moves_cut_total.attr,
	&dev_attr_moves_cut_done.attr,
	&dev_attr_moves_cut_resent.attr,
	&dev_attr_moves_cut_unknown.attr,
	NULL,
};

static const struct attribute_group autoch_group = {
	.attrs = autoch_attrs,
};

/*
 * becoming_ready/: while calls wait for the changer to become ready (NOT
 * READY 04/01, retried for ready_timeout seconds), how many wait, how
 * long the first of them has waited and the progress the changer reports.
 * Each file is read on its own: a call may start or end between two
 * reads. All answer from memory.
 */
struct autoch_ready {
	unsigned int waiters;
	unsigned int secs;
	int progress;		/* 0-65535; -1: none reported */
};

static struct autoch_ready autoch_ready_get(struct device *dev)
{
	struct autoch_device *ach = to_autoch(dev);
	struct autoch_ready r;

	mutex_lock(&ach->state_lock);
	r.waiters = ach->ready_waiters;
	r.secs = r.waiters ? jiffies_to_msecs(jiffies - ach->ready_since) /
			     MSEC_PER_SEC : 0;
	r.progress = r.waiters ? ach->ready_progress : -1;
	mutex_unlock(&ach->state_lock);
	return r;
}

static ssize_t autoch_ready_waiters_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%u\n", autoch_ready_get(dev).waiters);
}

static ssize_t autoch_ready_seconds_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	return sysfs_emit(buf, "%u\n", autoch_ready_get(dev).secs);
}

/* SPC-4 4.5.2.4.4: the progress indication is a fraction of 65536 */
static ssize_t autoch_ready_percent_show(struct device *dev,
					 struct device_attribute *attr,
					 char *buf)
{
	struct autoch_ready r = autoch_ready_get(dev);

	if (r.progress < 0)
		return -ENODATA;
	return sysfs_emit(buf, "%u\n", r.progress * 100 / 65536);
}

/* becoming_ready/NAME, read-only, shown by autoch_ready_NAME_show() */
#define AUTOCH_READY_ATTR(name)						\
static struct device_attribute autoch_attr_ready_##name =		\
	__ATTR(name, 0444, autoch_ready_##name##_show, NULL)

AUTOCH_READY_ATTR(waiters);
AUTOCH_READY_ATTR(seconds);
AUTOCH_READY_ATTR(percent);

static struct attribute *autoch_ready_attrs[] = {
	&autoch_attr_ready_waiters.attr,
	&autoch_attr_ready_seconds.attr,
	&autoch_attr_ready_percent.attr,
	NULL,
};

static const struct attribute_group autoch_ready_group = {
	.name = "becoming_ready",
	.attrs = autoch_ready_attrs,
};

static const struct attribute_group *autoch_groups[] = {
	&autoch_group,
	&autoch_ready_group,
	NULL,
};

/*
 * paths/H:C:T:L/: one directory per path, named after its SCSI device
 * ("device" links to it). Every file answers from memory; writing
 * "state" is root's (mode 0644) and sends nothing to the changer either:
 * the next command goes to the path chosen.
 */
static const char * const autoch_path_states[] = {
	[AUTOCH_PATH_ACTIVE] = "active",
	[AUTOCH_PATH_STANDBY] = "standby",
	[AUTOCH_PATH_FAILED] = "failed",
	[AUTOCH_PATH_DISABLED] = "disabled",
};

static struct autoch_path *to_path(struct kobject *kobj)
{
	return container_of(kobj, struct autoch_path, kobj);
}

static ssize_t autoch_path_state_show(struct kobject *kobj,
				      struct kobj_attribute *attr, char *buf)
{
	struct autoch_path *path = to_path(kobj);
	enum autoch_path_state state;

	mutex_lock(&path->ach->state_lock);
	state = autoch_path_state(path);
	mutex_unlock(&path->ach->state_lock);
	return sysfs_emit(buf, "%s\n", autoch_path_states[state]);
}

/* "enable" (standby, or active when none is), "disable", "active" */
static ssize_t autoch_path_state_store(struct kobject *kobj,
				       struct kobj_attribute *attr,
				       const char *buf, size_t count)
{
	enum autoch_path_state want;
	int err;

	if (sysfs_streq(buf, "enable"))
		want = AUTOCH_PATH_STANDBY;
	else if (sysfs_streq(buf, "disable"))
		want = AUTOCH_PATH_DISABLED;
	else if (sysfs_streq(buf, "active"))
		want = AUTOCH_PATH_ACTIVE;
	else
		return -EINVAL;
	err = autoch_path_set(to_path(kobj), want);
	return err ? err : count;
}

/* @field of @path, an int under the changer's state_lock. */
static int autoch_path_int(struct autoch_path *path, const int *field)
{
	int v;

	mutex_lock(&path->ach->state_lock);
	v = *field;
	mutex_unlock(&path->ach->state_lock);
	return v;
}

static ssize_t autoch_path_last_error_show(struct kobject *kobj,
					   struct kobj_attribute *attr,
					   char *buf)
{
	struct autoch_path *path = to_path(kobj);
	int result = autoch_path_int(path, &path->last_error);

	if (result < 0)
		return sysfs_emit(buf, "%d\n", result);
	return sysfs_emit(buf, "0x%08x\n", result);
}

static ssize_t autoch_path_errors_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	struct autoch_path *path = to_path(kobj);
	unsigned int n;

	mutex_lock(&path->ach->state_lock);
	n = path->errors;
	mutex_unlock(&path->ach->state_lock);
	return sysfs_emit(buf, "%u\n", n);
}

/* The errno of the last PR registration sent on the path, 0 for none. */
static ssize_t autoch_path_pr_error_show(struct kobject *kobj,
					 struct kobj_attribute *attr,
					 char *buf)
{
	struct autoch_path *path = to_path(kobj);

	return sysfs_emit(buf, "%d\n", autoch_path_int(path, &path->pr_error));
}

/* paths/H:C:T:L/NAME, shown by autoch_path_NAME_show() */
#define AUTOCH_PATH_ATTR(name, mode, store)				\
static struct kobj_attribute autoch_path_attr_##name =			\
	__ATTR(name, mode, autoch_path_##name##_show, store)

AUTOCH_PATH_ATTR(state, 0644, autoch_path_state_store);
AUTOCH_PATH_ATTR(last_error, 0444, NULL);
AUTOCH_PATH_ATTR(errors, 0444, NULL);
AUTOCH_PATH_ATTR(pr_error, 0444, NULL);

static struct attribute *autoch_path_attrs[] = {
	&autoch_path_attr_state.attr,
	&autoch_path_attr_last_error.attr,
	&autoch_path_attr_errors.attr,
	&autoch_path_attr_pr_error.attr,
	NULL,
};
ATTRIBUTE_GROUPS(autoch_path);

const struct kobj_type autoch_path_ktype = {
	.release = autoch_path_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = autoch_path_groups,
};

struct class autoch_class = {
	.name = "autoch",
	.dev_groups = autoch_groups,
};
