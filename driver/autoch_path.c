// SPDX-License-Identifier: GPL-2.0
/*
 * Paths: the scsi_devices through which one changer is reached (autoch.h
 * has the object model). What makes two scsi_devices one changer, adding
 * and removing a path, picking the path a command goes to, and what a
 * transport failure and a later success do to a path's state. Probe and
 * remove (autoch_main.c) decide when; the sysfs files are autoch_sysfs.c's.
 */

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include <scsi/scsi.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/* ---- identity ---- */

/*
 * SPC-4 7.8.6.1 table 590: designator types, the better the higher. A
 * NAA or EUI-64 name is unique world-wide; a T10 vendor ID based one only
 * as far as the vendor keeps its serial numbers apart.
 */
static int autoch_desig_rank(u8 type)
{
	switch (type) {
	case 0x3:		/* NAA */
		return 4;
	case 0x2:		/* EUI-64 based */
		return 3;
	case 0x8:		/* SCSI name string */
		return 2;
	case 0x1:		/* T10 vendor ID based */
		return 1;
	default:
		return 0;
	}
}

/* The best logical unit designator of page 83h, false when there is none. */
static bool autoch_ident_pg83(struct scsi_device *sdev,
			      struct autoch_ident *id)
{
	const struct scsi_vpd *vpd;
	const u8 *d, *best = NULL;
	unsigned int off, len, dlen;
	int rank, best_rank = 0;

	rcu_read_lock();
	vpd = rcu_dereference(sdev->vpd_pg83);
	if (!vpd || vpd->len < 4)
		goto out;
	len = min_t(unsigned int, get_unaligned_be16(vpd->data + 2) + 4,
		    vpd->len);
	for (off = 4; off + 4 <= len; off += 4 + dlen) {
		d = vpd->data + off;
		dlen = d[3];
		if (off + 4 + dlen > len)
			break;
		/*
		 * Association 00b names the logical unit, the same through
		 * every port; 01b and 10b name the port the reply came
		 * through, which differs from path to path.
		 */
		if ((d[1] & 0x30) || !dlen)
			continue;
		rank = autoch_desig_rank(d[1] & 0x0f);
		if (rank > best_rank) {
			best = d;
			best_rank = rank;
		}
	}
	if (best) {
		id->kind = AUTOCH_IDENT_DESIGNATOR;
		id->id[0] = best[0] & 0x0f;	/* code set */
		id->id[1] = best[1] & 0x0f;	/* designator type */
		memcpy(id->id + 2, best + 4, best[3]);
		id->len = 2 + best[3];
	}
out:
	rcu_read_unlock();
	return best;
}

/*
 * What makes @sdev the changer it is: the page 83h logical unit
 * designator, else vendor, model and the page 80h unit serial number;
 * AUTOCH_IDENT_NONE without either (such a changer shares its node with
 * no other scsi_device). The pages are those the midlayer read at scan.
 */
void autoch_path_ident(struct scsi_device *sdev, struct autoch_ident *id)
{
	const struct scsi_vpd *vpd;
	unsigned int n;

	memset(id, 0, sizeof(*id));
	if (autoch_ident_pg83(sdev, id))
		return;

	rcu_read_lock();
	vpd = rcu_dereference(sdev->vpd_pg80);
	if (vpd && vpd->len > 4 && vpd->data[3]) {
		n = min_t(unsigned int, vpd->data[3], vpd->len - 4);
		n = min_t(unsigned int, n, sizeof(id->id) - 24);
		memcpy(id->id, sdev->vendor, 8);
		memcpy(id->id + 8, sdev->model, 16);
		memcpy(id->id + 24, vpd->data + 4, n);
		id->len = 24 + n;
		id->kind = AUTOCH_IDENT_SERIAL;
	}
	rcu_read_unlock();
}

bool autoch_ident_equal(const struct autoch_ident *a,
			const struct autoch_ident *b)
{
	return a->kind != AUTOCH_IDENT_NONE && a->kind == b->kind &&
	       a->len == b->len && !memcmp(a->id, b->id, a->len);
}

/* ---- adding and removing ---- */

/*
 * A new path for @ach through @sdev, not yet listed: one reference, the
 * caller's. Its release puts what it pins (autoch_path_release()).
 */
struct autoch_path *autoch_path_new(struct autoch_device *ach,
				    struct scsi_device *sdev)
{
	struct autoch_path *path;

	path = kzalloc(sizeof(*path), GFP_KERNEL);
	if (!path)
		return NULL;
	kobject_init(&path->kobj, &autoch_path_ktype);
	INIT_LIST_HEAD(&path->node);
	path->ach = ach;
	path->sdev = sdev;
	get_device(&ach->dev);
	get_device(&sdev->sdev_gendev);
	return path;
}

void autoch_path_release(struct kobject *kobj)
{
	struct autoch_path *path = container_of(kobj, struct autoch_path, kobj);

	put_device(&path->sdev->sdev_gendev);
	put_device(&path->ach->dev);
	kfree(path);
}

/*
 * Under autoch_changers_lock: list @path on @ach (the list takes the
 * caller's reference) and show it in paths/. The first path becomes the
 * active one; a later one is a standby.
 */
int autoch_path_add(struct autoch_device *ach, struct autoch_path *path)
{
	int err;

	err = kobject_add(&path->kobj, ach->paths_kobj, "%s",
			  dev_name(&path->sdev->sdev_gendev));
	if (err)
		return err;
	err = sysfs_create_link(&path->kobj, &path->sdev->sdev_gendev.kobj,
				"device");
	if (err) {
		kobject_del(&path->kobj);
		return err;
	}
	path->in_sysfs = true;

	mutex_lock(&ach->state_lock);
	list_add_tail(&path->node, &ach->paths);
	ach->npaths++;
	if (!ach->active)
		ach->active = path;
	autoch_path_uevent(ach, path);
	mutex_unlock(&ach->state_lock);
	return 0;
}

/*
 * Under autoch_changers_lock, from remove: take @path off @ach. Returns
 * true when it was the last one (the changer goes with it). The caller
 * deletes its kobject and drops the list's reference; commands that
 * picked it keep theirs and fail on the deleted device.
 */
bool autoch_path_remove(struct autoch_device *ach, struct autoch_path *path)
{
	bool last;

	mutex_lock(&ach->state_lock);
	list_del_init(&path->node);
	ach->npaths--;
	last = !ach->npaths;
	path->gone = true;
	if (ach->active == path) {
		ach->active = NULL;
		ach->failover_pending = !last;
	}
	if (!last)
		autoch_path_uevent(ach, path);
	mutex_unlock(&ach->state_lock);
	return last;
}

/* ---- state ---- */

/* Under autoch_device.state_lock. */
enum autoch_path_state autoch_path_state(struct autoch_path *path)
{
	lockdep_assert_held(&path->ach->state_lock);
	if (path->disabled || path->gone)
		return AUTOCH_PATH_DISABLED;
	if (path->failed)
		return AUTOCH_PATH_FAILED;
	return path->ach->active == path ? AUTOCH_PATH_ACTIVE :
					   AUTOCH_PATH_STANDBY;
}

/*
 * A change uevent naming the path and the state it is in now, under
 * @state_lock; none once the changer is dead (its kobject is going).
 */
void autoch_path_uevent(struct autoch_device *ach, struct autoch_path *path)
{
	static const char * const names[] = {
		[AUTOCH_PATH_ACTIVE] = "active",
		[AUTOCH_PATH_STANDBY] = "standby",
		[AUTOCH_PATH_FAILED] = "failed",
		[AUTOCH_PATH_DISABLED] = "disabled",
	};
	char name[48], state[40];
	char *envp[3] = { name, state, NULL };

	lockdep_assert_held(&ach->state_lock);
	if (ach->dead)
		return;
	snprintf(name, sizeof(name), "AUTOCH_PATH=%s",
		 dev_name(&path->sdev->sdev_gendev));
	snprintf(state, sizeof(state), "AUTOCH_PATH_STATE=%s",
		 path->gone ? "removed" : names[autoch_path_state(path)]);
	kobject_uevent_env(&ach->dev.kobj, KOBJ_CHANGE, envp);
}

static bool autoch_path_usable(const struct autoch_path *path,
			       const struct autoch_path *exclude)
{
	return path != exclude && !path->failed && !path->disabled;
}

/*
 * The path a command goes to, under @state_lock: the active one while it
 * works, else the first working one, which becomes active; when none
 * works, an enabled one that failed (it may work again) without making
 * it active. Never @exclude, the path the command just failed on.
 */
static struct autoch_path *autoch_path_pick(struct autoch_device *ach,
					    struct autoch_path *exclude)
{
	struct autoch_path *p, *old = ach->active;

	lockdep_assert_held(&ach->state_lock);
	if (old && autoch_path_usable(old, exclude))
		return old;
	list_for_each_entry(p, &ach->paths, node) {
		if (!autoch_path_usable(p, exclude))
			continue;
		ach->active = p;
		if (ach->failover_pending || (old && old->failed)) {
			ach->failovers++;
			ach->failover_pending = false;
			dev_info_ratelimited(&ach->dev, "failover to path %s\n",
					     dev_name(&p->sdev->sdev_gendev));
		}
		if (old)
			autoch_path_uevent(ach, old);
		autoch_path_uevent(ach, p);
		return p;
	}
	if (old && old != exclude && !old->disabled)
		return old;
	list_for_each_entry(p, &ach->paths, node)
		if (p != exclude && !p->disabled)
			return p;
	return NULL;
}

/*
 * A referenced path to send a command on, its scsi_device held with
 * scsi_device_get() (which pins the host adapter's module and refuses a
 * device being deleted); NULL when there is none but @exclude. Put with
 * autoch_path_put().
 */
struct autoch_path *autoch_path_get(struct autoch_device *ach,
				    struct autoch_path *exclude)
{
	struct autoch_path *p;
	unsigned int tries;

	for (tries = 0; tries <= AUTOCH_PATH_SWITCHES; tries++) {
		mutex_lock(&ach->state_lock);
		p = autoch_path_pick(ach, exclude);
		if (p)
			kobject_get(&p->kobj);
		mutex_unlock(&ach->state_lock);
		if (!p)
			return NULL;
		if (!scsi_device_get(p->sdev))
			return p;
		/* being deleted: its remove is on its way */
		autoch_path_failed(ach, p, -ENODEV);
		kobject_put(&p->kobj);
	}
	return NULL;
}

void autoch_path_put(struct autoch_path *path)
{
	scsi_device_put(path->sdev);
	kobject_put(&path->kobj);
}

/*
 * Commands that change nothing, which a failover may send again without
 * the caller noticing (the list; SMC-3 and SPC-4 define no side
 * effect for them but unit attentions, which the driver handles).
 */
bool autoch_path_repeatable(const u8 *cdb)
{
	switch (cdb[0]) {
	case TEST_UNIT_READY:
	case REQUEST_SENSE:
	case INQUIRY:
	case MODE_SENSE:
	case MODE_SENSE_10:
	case READ_ELEMENT_STATUS:
	case PERSISTENT_RESERVE_IN:
		return true;
	default:
		return false;
	}
}

/*
 * A midlayer result that says the path failed, not the changer: nothing
 * was delivered (a negative errno: the device is being deleted) or the
 * transport gave up on the command.
 */
bool autoch_path_transport_error(int result)
{
	if (result < 0)
		return result != -ENOMEM;
	switch (host_byte(result)) {
	case DID_NO_CONNECT:
	case DID_BAD_TARGET:
	case DID_TIME_OUT:
	case DID_TRANSPORT_DISRUPTED:
	case DID_TRANSPORT_FAILFAST:
	case DID_TRANSPORT_MARGINAL:
		return true;
	default:
		return false;
	}
}

/* A command on @path failed with transport error @result. */
void autoch_path_failed(struct autoch_device *ach, struct autoch_path *path,
			int result)
{
	bool changed;

	mutex_lock(&ach->state_lock);
	path->last_error = result;
	path->errors++;
	changed = !path->failed;
	path->failed = true;
	if (changed && ach->active == path)
		ach->failover_pending = true;
	if (changed)
		autoch_path_uevent(ach, path);
	mutex_unlock(&ach->state_lock);
	if (changed)
		dev_warn_ratelimited(&ach->dev, "path %s failed: result %#x\n",
				     dev_name(&path->sdev->sdev_gendev), result);
}

/*
 * A command on @path succeeded: a failed path works again. @failed_at is
 * when the command was first sent, on a path that failed, or 0 when it
 * did not fail over: how long its caller waited.
 */
void autoch_path_ok(struct autoch_device *ach, struct autoch_path *path,
		    ktime_t failed_at)
{
	unsigned int ms;

	mutex_lock(&ach->state_lock);
	if (path->failed) {
		path->failed = false;
		if (!ach->active)
			ach->active = path;
		autoch_path_uevent(ach, path);
	}
	if (failed_at) {
		ms = ktime_ms_delta(ktime_get(), failed_at);
		ach->failover_max_ms = max(ach->failover_max_ms, ms);
	}
	mutex_unlock(&ach->state_lock);
}

/*
 * sysfs: root enables, disables or makes active @path. Disabling the last
 * enabled path is refused (EBUSY): the changer would be unreachable.
 * Enabling or making active also forgets that the path failed.
 */
int autoch_path_set(struct autoch_path *path, enum autoch_path_state want)
{
	struct autoch_device *ach = path->ach;
	struct autoch_path *p, *old;
	unsigned int enabled = 0;
	int err = 0;

	mutex_lock(&ach->state_lock);
	old = ach->active;
	if (path->gone || ach->dead) {
		err = -ENODEV;
		goto out;
	}
	switch (want) {
	case AUTOCH_PATH_DISABLED:
		list_for_each_entry(p, &ach->paths, node)
			enabled += !p->disabled;
		if (!path->disabled && enabled <= 1) {
			err = -EBUSY;
			break;
		}
		path->disabled = true;
		if (ach->active == path) {
			ach->active = NULL;
			autoch_path_pick(ach, NULL);
		}
		break;
	case AUTOCH_PATH_STANDBY:
		path->disabled = false;
		path->failed = false;
		if (!ach->active)
			ach->active = path;
		break;
	case AUTOCH_PATH_ACTIVE:
		if (path->disabled) {
			err = -EBUSY;
			break;
		}
		path->failed = false;
		ach->active = path;
		break;
	default:
		err = -EINVAL;
		break;
	}
	if (!err) {
		autoch_path_uevent(ach, path);
		if (old && old != path && old != ach->active)
			autoch_path_uevent(ach, old);
	}
out:
	mutex_unlock(&ach->state_lock);
	return err;
}

/*
 * The most one command may transfer, in bytes and in bytes of its
 * segments (a page each, or the queue's largest segment for a buffer in
 * one piece, @contig): the least of every path's queue limits, so that a
 * buffer sized for one path fits whichever the command is sent on. The
 * first scsi_device's when no path is left (it is pinned; the command
 * will not be sent).
 */
void autoch_queue_limits(struct autoch_device *ach, bool contig,
			 unsigned int *max_bytes, unsigned int *seg_bytes)
{
	struct request_queue *q;
	struct autoch_path *p;
	u64 bytes = UINT_MAX, segs = UINT_MAX;

	mutex_lock(&ach->state_lock);
	list_for_each_entry(p, &ach->paths, node) {
		q = p->sdev->request_queue;
		bytes = min(bytes, (u64)queue_max_hw_sectors(q) << SECTOR_SHIFT);
		segs = min(segs, (u64)queue_max_segments(q) *
			   (contig ? queue_max_segment_size(q) : PAGE_SIZE));
	}
	if (list_empty(&ach->paths)) {
		q = ach->sdev->request_queue;
		bytes = (u64)queue_max_hw_sectors(q) << SECTOR_SHIFT;
		segs = (u64)queue_max_segments(q) *
		       (contig ? queue_max_segment_size(q) : PAGE_SIZE);
	}
	mutex_unlock(&ach->state_lock);
	*max_bytes = min_t(u64, bytes, UINT_MAX);
	*seg_bytes = min_t(u64, segs, UINT_MAX);
}
