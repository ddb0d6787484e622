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
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

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

	path = kzalloc_obj(*path, GFP_KERNEL);
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
	WRITE_ONCE(ach->live_paths, ach->live_paths + 1);
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
	if (!path->going)
		WRITE_ONCE(ach->live_paths, ach->live_paths - 1);
	path->gone = true;
	if (ach->resv_path == path)
		ach->resv_path = NULL;
	if (ach->active == path) {
		ach->active = NULL;
		ach->failover_pending = !last;
	}
	if (!last)
		autoch_path_uevent(ach, path);
	mutex_unlock(&ach->state_lock);
	return last;
}

/* Removal of @sdev has begun: from SDEV_CANCEL on it refuses commands. */
static bool autoch_sdev_going(struct scsi_device *sdev)
{
	enum scsi_device_state state = READ_ONCE(sdev->sdev_state);

	return state == SDEV_CANCEL || state == SDEV_DEL;
}

/*
 * A command on @path failed, or its scsi_device could not be taken: when
 * the removal of its SCSI device has begun, the path no longer counts as
 * live (autoch_is_dead() reads the count), though autoch_remove() has not
 * taken it off the list yet. Returns whether it is going.
 */
bool autoch_path_check_going(struct autoch_device *ach,
			     struct autoch_path *path)
{
	if (!autoch_sdev_going(path->sdev))
		return READ_ONCE(path->going);
	mutex_lock(&ach->state_lock);
	if (!path->going && !path->gone)
		WRITE_ONCE(ach->live_paths, ach->live_paths - 1);
	WRITE_ONCE(path->going, true);
	mutex_unlock(&ach->state_lock);
	return true;
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
 * Under @state_lock, after the active path may have changed from @old:
 * the changer sees commands come from another initiator port now, which
 * holds none of the reservations made through @old, nor its PREVENT
 * MEDIUM REMOVAL. When the table has some, or a file prevents removal,
 * they are to be taken again (autoch_retake_request()).
 */
static void autoch_active_changed(struct autoch_device *ach,
				  struct autoch_path *old)
{
	lockdep_assert_held(&ach->state_lock);
	if (ach->active != old && ach->active)
		autoch_retake_request(ach);
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
		autoch_active_changed(ach, old);
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
		autoch_path_check_going(ach, p);
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
		if (!ach->active) {
			ach->active = path;
			autoch_active_changed(ach, NULL);
		}
		autoch_path_uevent(ach, path);
	}
	if (failed_at) {
		ms = ktime_ms_delta(ktime_get(), failed_at);
		ach->failover_max_ms = max(ach->failover_max_ms, ms);
	}
	mutex_unlock(&ach->state_lock);
}

/*
 * A command on @path succeeded: when it was a RESERVE, a RELEASE or a
 * PREVENT, the reservations and the prevention are held through @path's
 * initiator port now (a unit attention 29/xx there takes them away,
 * autoch_unit_attention_on()). PREVENT and ALLOW also say whether @path's
 * I_T nexus prevents removal, which tells the ALLOW where to go
 * (autoch_allow_paths()).
 */
void autoch_path_resv_sent(struct autoch_device *ach, struct autoch_path *path,
			   const u8 *cdb)
{
	switch (cdb[0]) {
	case RESERVE_6:
	case RESERVE_10:
	case RELEASE_6:
	case RELEASE_10:
		mutex_lock(&ach->state_lock);
		ach->resv_path = path;
		WRITE_ONCE(path->resv_done, path->resv_done + 1);
		mutex_unlock(&ach->state_lock);
		break;
	case ALLOW_MEDIUM_REMOVAL:
		mutex_lock(&ach->state_lock);
		path->prevented = cdb[4] & 0x01;
		if (path->prevented)
			ach->resv_path = path;
		WRITE_ONCE(path->resv_done, path->resv_done + 1);
		mutex_unlock(&ach->state_lock);
		break;
	default:
		break;
	}
}

static bool autoch_path_prevents(const struct autoch_path *path,
				 const struct autoch_path *exclude)
{
	return path->prevented;
}

/*
 * Referenced paths of @ach that @want, up to @max into @out, for a
 * command sent to each (put each with autoch_path_put()). A path whose
 * scsi_device is being deleted is left out. Returns how many.
 */
static unsigned int autoch_paths_get(struct autoch_device *ach,
				     bool (*want)(const struct autoch_path *path,
						  const struct autoch_path *exclude),
				     struct autoch_path *exclude,
				     struct autoch_path **out, unsigned int max)
{
	struct autoch_path *p;
	unsigned int n = 0, i, kept = 0;

	mutex_lock(&ach->state_lock);
	list_for_each_entry(p, &ach->paths, node) {
		if (n == max)
			break;
		if (!want(p, exclude))
			continue;
		kobject_get(&p->kobj);
		out[n++] = p;
	}
	mutex_unlock(&ach->state_lock);
	for (i = 0; i < n; i++) {
		if (scsi_device_get(out[i]->sdev)) {
			autoch_path_check_going(ach, out[i]);
			kobject_put(&out[i]->kobj);
			continue;
		}
		out[kept++] = out[i];
	}
	return kept;
}

/* The paths neither failed nor disabled but @exclude (autoch_paths_get()). */
unsigned int autoch_paths_usable(struct autoch_device *ach,
				 struct autoch_path *exclude,
				 struct autoch_path **out, unsigned int max)
{
	return autoch_paths_get(ach, autoch_path_usable, exclude, out, max);
}

/*
 * Every present path whose I_T nexus prevents medium removal, the failed
 * and disabled ones too (autoch_paths_get()).
 */
unsigned int autoch_paths_prevented(struct autoch_device *ach,
				    struct autoch_path **out, unsigned int max)
{
	return autoch_paths_get(ach, autoch_path_prevents, NULL, out, max);
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
		autoch_active_changed(ach, old);
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

/* ---- a move or exchange cut off by a path failure ---- */

/*
 * Another path than the one a command just failed on is there to read
 * the elements through: one neither failed nor disabled, or a second one
 * not disabled (a failed path is tried when no other works, as
 * autoch_path_pick() does: a path that failed in an earlier flap and came
 * back is failed until a command gets through it).
 */
static bool autoch_path_other_works(struct autoch_device *ach)
{
	struct autoch_path *p;
	unsigned int there = 0;
	bool works = false;

	mutex_lock(&ach->state_lock);
	list_for_each_entry(p, &ach->paths, node) {
		works |= autoch_path_usable(p, NULL);
		there += !p->disabled && !p->gone && !p->going;
	}
	mutex_unlock(&ach->state_lock);
	return works || there > 1;
}

/*
 * What is known of a MOVE or EXCHANGE MEDIUM in flight: the elements its
 * CDB names (transport, source, first and second destination) and what
 * they held before it was sent: for a move, @movable (the source was
 * full and the destination empty, the only state a move can be carried
 * out from); for an exchange, the volume tags of the source and the
 * first destination (@tags: both were read and have one).
 */
struct autoch_cut {
	const u16 *addrs;
	bool exchange;
	bool movable;
	bool tags;
	u8 tag[2][AUTOCH_VOLTAG_LEN];
};

/*
 * Forget what the status cache holds, so that the elements read next are
 * what the changer says now.
 */
static void autoch_cut_drop(struct autoch_device *ach)
{
	mutex_lock(&ach->state_lock);
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
}

static int autoch_cut_read(struct autoch_device *ach, struct autoch_file *af,
			   u16 addr, struct autoch_elem *e)
{
	int type;

	return autoch_get_status(ach, af, addr, 0, e, &type);
}

static bool autoch_cut_full(const struct autoch_elem *e)
{
	return e->flags & 0x01;
}

static bool autoch_cut_tagged(const struct autoch_elem *e, const u8 *tag)
{
	return autoch_cut_full(e) && !memcmp(e->pvoltag, tag, AUTOCH_VOLTAG_LEN);
}

/*
 * Before a move or an exchange is sent on a changer with more than one
 * path: what its source and first destination hold. Only that tells a
 * move carried out from one that could not be (a source already empty
 * and a destination already full look the same afterwards, even with the
 * source element reported), and an exchange carried out from one not
 * (both elements are full either way). Without it a cut-off command that
 * looks done is unknown. A read that fails is no failure of the call.
 */
static void autoch_cut_before(struct autoch_device *ach,
			      struct autoch_file *af, struct autoch_cut *cut)
{
	struct autoch_elem e[2];
	unsigned int i;

	if (READ_ONCE(ach->live_paths) < 2)
		return;
	autoch_cut_drop(ach);
	for (i = 0; i < 2; i++)
		if (autoch_cut_read(ach, af, cut->addrs[1 + i], &e[i]))
			return;
	if (!cut->exchange) {
		cut->movable = autoch_cut_full(&e[0]) && !autoch_cut_full(&e[1]);
		return;
	}
	for (i = 0; i < 2; i++) {
		if (!autoch_cut_full(&e[i]) ||
		    !memchr_inv(e[i].pvoltag, 0, AUTOCH_VOLTAG_LEN))
			return;
		memcpy(cut->tag[i], e[i].pvoltag, AUTOCH_VOLTAG_LEN);
	}
	cut->tags = true;
}

/*
 * Read the elements of @cut through the path now picked and tell what
 * happened. A move: done when, read before it was sent, the source was
 * full and the destination empty, and now the destination is full (its
 * cartridge from the source, when the changer says where it came from)
 * and the source empty; not done when the source is full and the
 * destination empty. An exchange: done when the first destination holds the
 * source's tag and the second the first destination's; not done when
 * both still hold their own (and the second destination, unless it is
 * the source, is empty). Anything else, or a read that fails, is
 * unknown.
 */
static enum autoch_cut_outcome autoch_cut_resolve(struct autoch_device *ach,
						  struct autoch_file *af,
						  const struct autoch_cut *cut)
{
	struct autoch_elem e[3];
	unsigned int i, n = cut->exchange ? 3 : 2;

	if (cut->exchange && !cut->tags)
		return AUTOCH_CUT_UNKNOWN;
	autoch_cut_drop(ach);
	for (i = 0; i < n; i++)
		if (autoch_cut_read(ach, af, cut->addrs[1 + i], &e[i]))
			return AUTOCH_CUT_UNKNOWN;
	if (!cut->exchange) {
		if (cut->movable &&
		    autoch_cut_full(&e[1]) && !autoch_cut_full(&e[0]) &&
		    (!(e[1].src_flags & 0x80) || e[1].src == cut->addrs[1]))
			return AUTOCH_CUT_DONE;
		if (autoch_cut_full(&e[0]) && !autoch_cut_full(&e[1]))
			return AUTOCH_CUT_NOT_DONE;
		return AUTOCH_CUT_UNKNOWN;
	}
	if (autoch_cut_tagged(&e[1], cut->tag[0]) &&
	    autoch_cut_tagged(&e[2], cut->tag[1]))
		return AUTOCH_CUT_DONE;
	if (autoch_cut_tagged(&e[0], cut->tag[0]) &&
	    autoch_cut_tagged(&e[1], cut->tag[1]) &&
	    (cut->addrs[3] == cut->addrs[1] || !autoch_cut_full(&e[2])))
		return AUTOCH_CUT_NOT_DONE;
	return AUTOCH_CUT_UNKNOWN;
}

/* Count a cut-off command's outcome; tell programs of an unknown one. */
static void autoch_cut_count(struct autoch_device *ach, const u8 *cdb,
			     enum autoch_cut_outcome how)
{
	static const char * const names[] = {
		[AUTOCH_CUT_DONE] = "done",
		[AUTOCH_CUT_NOT_DONE] = "not done, sent again",
		[AUTOCH_CUT_UNKNOWN] = "unknown",
	};

	mutex_lock(&ach->state_lock);
	ach->moves_cut[AUTOCH_CUT_TOTAL]++;
	ach->moves_cut[how]++;
	mutex_unlock(&ach->state_lock);
	dev_warn_ratelimited(&ach->dev, "%s cut off by a path failure: %s\n",
			     cdb[0] == MOVE_MEDIUM ? "MOVE MEDIUM" :
			     "EXCHANGE MEDIUM", names[how]);
	if (how == AUTOCH_CUT_UNKNOWN)
		autoch_post_event(ach, AUTOCH_EVENT_MOVE_UNKNOWN);
}

/* Send the MOVE or EXCHANGE @cdb once; its midlayer result in *@result. */
static int autoch_move_send(struct autoch_device *ach, struct autoch_file *af,
			    const u8 *cdb, int *result)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->cdb_len = COMMAND_SIZE(cdb[0]);
	memcpy(cmd->cdb, cdb, cmd->cdb_len);
	cmd->timeout = READ_ONCE(autoch_move_timeout) * HZ;
	cmd->wait = AUTOCH_WAIT_INTR;
	err = autoch_do_cmd(ach, af, cmd);
	*result = cmd->result;
	kfree(cmd);
	return err;
}

/**
 * autoch_move_cmd() - send a MOVE or EXCHANGE MEDIUM, riding out a path failure
 * @ach: the changer
 * @af: the caller's open file
 * @cdb: the command
 * @addrs: the elements its CDB names: transport, source, first and (an
 *	exchange) second destination
 *
 * The command is never sent again blindly. When a transport error cuts
 * it off and another path is there (autoch_path_other_works()), the
 * elements are read through it
 * (autoch_cut_resolve()): done is success; not done sends it once more
 * on the new path; unknown is EIO and an AUTOCH_EVENT_MOVE_UNKNOWN event.
 * With no other path, the transport's errno, as with one path.
 *
 * Return: 0 or the call's errno.
 */
int autoch_move_cmd(struct autoch_device *ach, struct autoch_file *af,
		    const u8 *cdb, const u16 *addrs)
{
	struct autoch_cut cut = {
		.addrs = addrs,
		.exchange = cdb[0] == EXCHANGE_MEDIUM,
	};
	enum autoch_cut_outcome how;
	bool resent = false;
	int err, result;

	autoch_cut_before(ach, af, &cut);
	/* what those reads met is not this call's error */
	if (cut.exchange || READ_ONCE(ach->live_paths) >= 2)
		autoch_recovered(af);
	for (;;) {
		err = autoch_move_send(ach, af, cdb, &result);
		if (!err || !autoch_path_transport_error(result) ||
		    autoch_is_dead(ach) || !autoch_path_other_works(ach))
			return err;
		how = autoch_cut_resolve(ach, af, &cut);
		if (how == AUTOCH_CUT_NOT_DONE && resent)
			how = AUTOCH_CUT_UNKNOWN;
		autoch_cut_count(ach, cdb, how);
		if (how == AUTOCH_CUT_DONE) {
			autoch_recovered(af);
			return 0;
		}
		if (how == AUTOCH_CUT_UNKNOWN)
			return -EIO;
		resent = true;
	}
}
