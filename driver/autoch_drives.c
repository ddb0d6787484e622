// SPDX-License-Identifier: GPL-2.0
/*
 * Which Linux devices are the drives of a changer. The changer reports an
 * identifier for the drive in each data transfer element (DVCID in READ
 * ELEMENT STATUS); each SCSI device has its own in the VPD pages 80h and
 * 83h the midlayer read when it scanned the device (struct scsi_device
 * vpd_pg80 and vpd_pg83, under RCU). This file matches the two, for every
 * changer against every SCSI device of the system whatever its host, and
 * keeps the result current as devices come and go:
 *
 * - a class interface on the SCSI devices' class (scsi_register_interface,
 *   as ses and sg use) tells of every SCSI device added or removed;
 * - a changer's identifiers are read by @drives_work (one READ ELEMENT
 *   STATUS with DVCID for up to 255 drives) when the changer is bound;
 *   again when a SCSI device with an identifier appears that none of
 *   the changer's known identifiers names while some drive has no device
 *   (a drive replaced: its new serial number); and after a unit
 *   attention that may mean another drive in an element (28/xx but
 *   28/01, 29/xx, 2A/xx, 3F/xx: autoch_unit_attention() counts them in
 *   @drives_ua), never from a sysfs read. Such a unit attention only
 *   marks the identifiers stale; autoch_drives_refresh() reads them at
 *   the end of the call that met it (autoch_ioctl(), after a call that
 *   succeeded) and after the event work's TEST UNIT READY, after the
 *   call's own commands, once however many unit attentions came, when
 *   the element map is loaded (a unit attention that dropped it waits
 *   for the call that loads it again). So the extra command comes at a known
 *   place, never between a program's commands nor behind its back from
 *   a work of its own; a unit attention met by a raw command (SIOC_IO),
 *   by a close or by a call that failed leaves them stale until the
 *   next call. AUTOCH_DRIVE_ID and AUTOCH_DRIVE_DEVICES also update the
 *   element they read. The work is queued on system_long_wq, as the
 *   event and reservation works are: loading the element map and the
 *   command may each wait a command timeout, or ready_timeout for a
 *   changer becoming ready.
 *
 * Each match is a link under the changer's class device, driveK (the Kth
 * data transfer element in address order) -> the drive's scsi_device,
 * and a change uevent on the drive's st, nst and sg nodes, so that udev
 * names them (udev/61-autoch-drives.rules).
 *
 * Lifetime and locking: autoch_drives_mutex protects the list of SCSI
 * devices seen, the list of changers and every changer's drive table. A
 * SCSI device on the list, and one a drive is matched to, has its struct
 * device referenced (get_device: the memory, not the module), from the
 * interface's add to its remove, which comes before the scsi_device is
 * released; a match is dropped, link and reference, in that remove. The
 * mutex is taken with no lock of the driver held and is never held
 * across a command; the class interface's callbacks take it under the
 * SCSI device class's own mutex, which nothing here takes.
 */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include <kunit/visibility.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>
#include <scsi/scsi_host.h>

#include "autoch.h"

/*
 * ABI link: driveK (Documentation/ABI/testing/sysfs-class-autoch; the
 * marker is what selftests/testbed/abi-attrs.sh reads)
 */
#define AUTOCH_DRIVE_LINK	"drive%u"
#define AUTOCH_DRIVE_LINK_LEN	16

/**
 * struct autoch_seen - a SCSI device of the system, a drive candidate
 * @node: in autoch_seen_list
 * @sdev: the device; its struct device is referenced while on the list
 */
struct autoch_seen {
	struct list_head node;
	struct scsi_device *sdev;
};

static DEFINE_MUTEX(autoch_drives_mutex);
static LIST_HEAD(autoch_seen_list);
static LIST_HEAD(autoch_changers);

/* The identifier without its padding: trailing spaces and NULs. */
static unsigned int autoch_id_trim(const u8 *s, unsigned int len)
{
	while (len && (s[len - 1] == ' ' || !s[len - 1]))
		len--;
	return len;
}

/*
 * Does the drive identifier @id name the device whose VPD pages are @pg80
 * and @pg83 (whole pages, header included; NULL when absent)? A page-83h
 * designator of the logical unit with the same type and bytes, or (for an
 * ASCII identifier) the unit serial number of page 80h: the identifier
 * whole, or, for a T10 vendor ID designator, its part after vendor (8
 * bytes) and product (16), compared without padding.
 */
VISIBLE_IF_KUNIT bool autoch_id_matches(const struct autoch_drive_id *id,
					const u8 *pg80, unsigned int len80,
					const u8 *pg83, unsigned int len83)
{
	unsigned int off, end, dlen, idlen = min_t(unsigned int, id->id_len,
						   sizeof(id->id));
	const u8 *sn = id->id;
	unsigned int snlen;

	if (!idlen)
		return false;
	if (pg83 && len83 >= 4) {
		end = min_t(unsigned int, len83, 4 + get_unaligned_be16(pg83 + 2));
		for (off = 4; off + 4 <= end; off += 4 + dlen) {
			dlen = pg83[off + 3];
			if (off + 4 + dlen > end)
				break;
			if ((pg83[off + 1] & 0x30) == 0 &&	/* the LU */
			    (pg83[off + 1] & 0x0f) == id->id_type &&
			    dlen == idlen && !memcmp(pg83 + off + 4, id->id, dlen))
				return true;
		}
	}
	if (id->code_set != 2 && id->code_set != 3)	/* not ASCII, UTF-8 */
		return false;
	snlen = idlen;
	if (id->id_type == 1 && idlen > 24) {
		sn += 24;
		snlen -= 24;
	}
	while (snlen && *sn == ' ') {
		sn++;
		snlen--;
	}
	snlen = autoch_id_trim(sn, snlen);
	if (!snlen || !pg80 || len80 < 4)
		return false;
	len80 = min_t(unsigned int, len80 - 4, get_unaligned_be16(pg80 + 2));
	pg80 += 4;
	while (len80 && *pg80 == ' ') {
		pg80++;
		len80--;
	}
	len80 = autoch_id_trim(pg80, len80);
	return len80 == snlen && !memcmp(pg80, sn, snlen);
}

static bool autoch_sdev_matches(const struct autoch_drive_id *id,
				struct scsi_device *sdev)
{
	const struct scsi_vpd *v80, *v83;
	bool ret;

	rcu_read_lock();
	v80 = rcu_dereference(sdev->vpd_pg80);
	v83 = rcu_dereference(sdev->vpd_pg83);
	ret = autoch_id_matches(id, v80 ? v80->data : NULL, v80 ? v80->len : 0,
				v83 ? v83->data : NULL, v83 ? v83->len : 0);
	rcu_read_unlock();
	return ret;
}

/* The device has an identifier a changer could report (VPD 80h or 83h). */
static bool autoch_has_vpd_id(struct scsi_device *sdev)
{
	bool ret;

	rcu_read_lock();
	ret = rcu_access_pointer(sdev->vpd_pg80) ||
	      rcu_access_pointer(sdev->vpd_pg83);
	rcu_read_unlock();
	return ret;
}

/* "st3", "nst3", "sg5": a name, then digits only */
static bool autoch_node_is(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(name, prefix, n) || !name[n])
		return false;
	for (name += n; *name; name++)
		if (!isdigit(*name))
			return false;
	return true;
}

/* The st, nst (mode 0) and sg nodes among a scsi_device's children. */
static int autoch_find_node(struct device *dev, void *data)
{
	struct autoch_drive_devices *dd = data;
	const char *name = dev_name(dev);

	if (!dev->class || !dev->devt || !name)
		return 0;
	if (!strcmp(dev->class->name, "scsi_tape")) {
		if (autoch_node_is(name, "st")) {
			dd->st_major = MAJOR(dev->devt);
			dd->st_minor = MINOR(dev->devt);
			strscpy(dd->st_name, name, sizeof(dd->st_name));
			dd->flags |= AUTOCH_DRIVE_ST;
		} else if (autoch_node_is(name, "nst")) {
			dd->nst_major = MAJOR(dev->devt);
			dd->nst_minor = MINOR(dev->devt);
		}
	} else if (!strcmp(dev->class->name, "scsi_generic") &&
		   autoch_node_is(name, "sg")) {
		dd->sg_major = MAJOR(dev->devt);
		dd->sg_minor = MINOR(dev->devt);
		strscpy(dd->sg_name, name, sizeof(dd->sg_name));
		dd->flags |= AUTOCH_DRIVE_SG;
	}
	return 0;
}

/* Tell udev that the names of a drive's st, nst and sg nodes changed. */
static int autoch_node_changed(struct device *dev, void *data)
{
	if (dev->class && dev->devt &&
	    (!strcmp(dev->class->name, "scsi_tape") ||
	     !strcmp(dev->class->name, "scsi_generic")))
		kobject_uevent(&dev->kobj, KOBJ_CHANGE);
	return 0;
}

static void autoch_unlink(struct autoch_device *ach, unsigned int i,
			  bool notify)
{
	struct autoch_drive *d = &ach->drives[i];
	char name[AUTOCH_DRIVE_LINK_LEN];

	lockdep_assert_held(&autoch_drives_mutex);
	if (!d->sdev)
		return;
	snprintf(name, sizeof(name), AUTOCH_DRIVE_LINK, i + 1);
	sysfs_remove_link(&ach->dev.kobj, name);
	if (notify)
		device_for_each_child(&d->sdev->sdev_gendev, NULL,
				      autoch_node_changed);
	put_device(&d->sdev->sdev_gendev);
	d->sdev = NULL;
}

static void autoch_link(struct autoch_device *ach, unsigned int i,
			struct scsi_device *sdev)
{
	struct autoch_drive *d = &ach->drives[i];
	char name[AUTOCH_DRIVE_LINK_LEN];
	int err;

	lockdep_assert_held(&autoch_drives_mutex);
	snprintf(name, sizeof(name), AUTOCH_DRIVE_LINK, i + 1);
	err = sysfs_create_link(&ach->dev.kobj, &sdev->sdev_gendev.kobj, name);
	if (err) {
		dev_warn(&ach->dev, "no link %s: %d\n", name, err);
		return;
	}
	get_device(&sdev->sdev_gendev);
	d->sdev = sdev;
	device_for_each_child(&sdev->sdev_gendev, NULL, autoch_node_changed);
}

/* Give every drive of @ach without a device the first one that matches. */
static void autoch_match_all(struct autoch_device *ach)
{
	struct autoch_seen *s;
	unsigned int i;

	lockdep_assert_held(&autoch_drives_mutex);
	for (i = 0; i < ach->ndrives; i++) {
		if (ach->drives[i].sdev || !ach->drives[i].id.id_len)
			continue;
		list_for_each_entry(s, &autoch_seen_list, node) {
			if (autoch_sdev_matches(&ach->drives[i].id, s->sdev)) {
				autoch_link(ach, i, s->sdev);
				break;
			}
		}
	}
}

/* A drive's identifier as read: unlink it when it changed. */
static void autoch_set_id(struct autoch_device *ach, unsigned int i,
			  const struct autoch_drive_id *id)
{
	struct autoch_drive *d = &ach->drives[i];

	lockdep_assert_held(&autoch_drives_mutex);
	if (d->id.id_len == id->id_len && d->id.id_type == id->id_type &&
	    d->id.code_set == id->code_set &&
	    !memcmp(d->id.id, id->id, id->id_len))
		return;
	autoch_unlink(ach, i, true);
	d->id = *id;
}

/*
 * Install the identifiers @ids of the @n drives from @first: a new table
 * when the element map changed, else each drive whose identifier changed
 * loses its match; then the drives without one are matched.
 */
static void autoch_install(struct autoch_device *ach, u16 first,
			   unsigned int n, const struct autoch_drive_id *ids)
{
	struct autoch_drive *drives;
	unsigned int i;

	lockdep_assert_held(&autoch_drives_mutex);
	if (ach->drives_gone)
		return;
	if (!ach->drives || ach->drives_first != first || ach->ndrives != n) {
		drives = kcalloc(n, sizeof(*drives), GFP_KERNEL);
		if (!drives)
			return;
		for (i = 0; i < ach->ndrives; i++)
			autoch_unlink(ach, i, true);
		kfree(ach->drives);
		ach->drives = drives;
		ach->drives_first = first;
		ach->ndrives = n;
	}
	for (i = 0; i < n; i++)
		autoch_set_id(ach, i, &ids[i]);
	autoch_match_all(ach);
}

/* Read every drive's identifier (commands, no lock held), then install. */
void autoch_drives_work(struct work_struct *work)
{
	struct autoch_device *ach = container_of(work, struct autoch_device,
						 drives_work);
	struct autoch_drive_id *ids;
	unsigned int n, i, ua;
	u16 first;
	int err;

	if (autoch_lock_map(ach, NULL))
		return;		/* still stale: tried again after a call */
	first = ach->range[AUTOCH_DT - 1].first;
	n = ach->range[AUTOCH_DT - 1].count;
	/* what this reading covers: the unit attentions met so far */
	ua = ach->drives_ua;
	mutex_unlock(&ach->state_lock);

	ids = kcalloc(max(n, 1U), sizeof(*ids), GFP_KERNEL);
	if (!ids)
		return;
	/* one command for up to 255 drives */
	err = autoch_read_drive_ids(ach, first, n, ids);
	/* a changer that reports no identifiers: none match */
	if (err && err != -EOPNOTSUPP)
		goto out;	/* the matches stay as they are */
	for (i = 0; i < n; i++)
		ids[i].element = first + i;
	mutex_lock(&autoch_drives_mutex);
	autoch_install(ach, first, n, ids);
	mutex_unlock(&autoch_drives_mutex);
	mutex_lock(&ach->state_lock);
	WRITE_ONCE(ach->drives_ua_read, ua);
	mutex_unlock(&ach->state_lock);
out:
	kfree(ids);
}

/*
 * After a call, or the event work's TEST UNIT READY: when a unit attention
 * met since the identifiers were read may mean another drive in some
 * element, read them again now (one READ ELEMENT STATUS with DVCID for up
 * to 255 drives) and wait for it. Only with the element map loaded: the
 * reading never reloads a map a unit attention dropped (MODE SENSE of
 * its own, which a program that reads the map would miss); the call that
 * loads it again reads them at its end. Concurrent callers share the one
 * reading.
 */
void autoch_drives_refresh(struct autoch_device *ach)
{
	bool stale;

	/*
	 * Most calls met no such attention: no lock for them. A count this
	 * caller raised itself is seen here; one another caller raised is
	 * that caller's to refresh.
	 */
	if (READ_ONCE(ach->drives_ua) == READ_ONCE(ach->drives_ua_read))
		return;
	mutex_lock(&ach->state_lock);
	stale = !ach->dead && ach->map_valid &&
		ach->drives_ua != ach->drives_ua_read;
	mutex_unlock(&ach->state_lock);
	if (!stale)
		return;
	autoch_drives_changed(ach);
	flush_work(&ach->drives_work);
}

/* AUTOCH_DRIVE_ID read @id: the drive's match follows it. */
void autoch_drives_seen_id(struct autoch_device *ach,
			   const struct autoch_drive_id *id)
{
	mutex_lock(&autoch_drives_mutex);
	if (!ach->drives_gone && ach->drives &&
	    id->element >= ach->drives_first &&
	    id->element - ach->drives_first < ach->ndrives) {
		autoch_set_id(ach, id->element - ach->drives_first, id);
		autoch_match_all(ach);
	}
	mutex_unlock(&autoch_drives_mutex);
}

/* The library may have changed: read the drives' identifiers again. */
void autoch_drives_changed(struct autoch_device *ach)
{
	mutex_lock(&autoch_drives_mutex);
	if (!ach->drives_gone)
		queue_work(system_long_wq, &ach->drives_work);
	mutex_unlock(&autoch_drives_mutex);
}

/* After the changer's node exists: its drives are looked for. */
void autoch_drives_add(struct autoch_device *ach)
{
	mutex_lock(&autoch_drives_mutex);
	list_add_tail(&ach->drives_node, &autoch_changers);
	queue_work(system_long_wq, &ach->drives_work);
	mutex_unlock(&autoch_drives_mutex);
}

/* Before the changer's node goes: its links and references go first. */
void autoch_drives_del(struct autoch_device *ach)
{
	unsigned int i;

	mutex_lock(&autoch_drives_mutex);
	ach->drives_gone = true;
	list_del_init(&ach->drives_node);
	for (i = 0; i < ach->ndrives; i++)
		autoch_unlink(ach, i, true);
	kfree(ach->drives);
	ach->drives = NULL;
	ach->ndrives = 0;
	mutex_unlock(&autoch_drives_mutex);
	/* nothing schedules it any more; a running one installs nothing */
	cancel_work_sync(&ach->drives_work);
}

/*
 * AUTOCH_DRIVE_DEVICES: the element's identifier read again, then what
 * matches it. @dd->element is a data transfer element's address.
 */
int autoch_drive_devices(struct autoch_device *ach, struct autoch_file *af,
			 struct autoch_drive_devices *dd)
{
	u16 addr = dd->element;
	struct autoch_drive_id id;
	struct autoch_drive *d;
	struct scsi_device *sdev;
	unsigned int i;
	int err;

	memset(dd, 0, sizeof(*dd));
	dd->element = addr;
	/* the table as of probe or the last unit attention */
	flush_work(&ach->drives_work);
	err = autoch_read_drive_id(ach, af, addr, &id);
	/* a changer that reports no identifiers: none, and no error */
	if (err == -EOPNOTSUPP) {
		memset(&id, 0, sizeof(id));
		err = 0;
	} else if (err) {
		return err;
	}
	id.element = addr;

	mutex_lock(&autoch_drives_mutex);
	if (ach->drives_gone) {
		err = -ENXIO;
		goto out;
	}
	if (!ach->drives || addr < ach->drives_first ||
	    addr - ach->drives_first >= ach->ndrives) {
		/* the map changed since the table was read: read it again */
		mutex_unlock(&autoch_drives_mutex);
		autoch_drives_changed(ach);
		flush_work(&ach->drives_work);
		mutex_lock(&autoch_drives_mutex);
		if (!ach->drives || addr < ach->drives_first ||
		    addr - ach->drives_first >= ach->ndrives) {
			err = ach->drives_gone ? -ENXIO : -EAGAIN;
			goto out;
		}
	}
	i = addr - ach->drives_first;
	autoch_set_id(ach, i, &id);
	autoch_match_all(ach);
	d = &ach->drives[i];
	if (d->id.id_len)
		dd->flags |= AUTOCH_DRIVE_HAS_ID;
	sdev = d->sdev;
	if (sdev) {
		dd->flags |= AUTOCH_DRIVE_FOUND;
		dd->host = sdev->host->host_no;
		dd->channel = sdev->channel;
		dd->target = sdev->id;
		dd->lun = sdev->lun;
		dd->index = i + 1;
		device_for_each_child(&sdev->sdev_gendev, dd, autoch_find_node);
	}
out:
	mutex_unlock(&autoch_drives_mutex);
	return err;
}

/* ---- the class interface: SCSI devices coming and going ---- */

static int autoch_intf_add(AUTOCH_CLASS_INTF_ARGS)
{
	struct scsi_device *sdev = to_scsi_device(dev->parent);
	struct autoch_device *ach;
	struct autoch_seen *s;
	unsigned int i;

	if (sdev->type == TYPE_MEDIUM_CHANGER)
		return 0;
	s = kzalloc_obj(*s, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	get_device(&sdev->sdev_gendev);
	s->sdev = sdev;

	mutex_lock(&autoch_drives_mutex);
	list_add_tail(&s->node, &autoch_seen_list);
	list_for_each_entry(ach, &autoch_changers, drives_node) {
		bool linked = false, unlinked = false;

		for (i = 0; i < ach->ndrives; i++) {
			if (!ach->drives[i].sdev &&
			    autoch_sdev_matches(&ach->drives[i].id, sdev)) {
				autoch_link(ach, i, sdev);
				linked = true;
			}
			if (!ach->drives[i].sdev)
				unlinked = true;
		}
		/* a drive replaced? its identifier may be new to us */
		if (!linked && unlinked && autoch_has_vpd_id(sdev) &&
		    !ach->drives_gone)
			queue_work(system_long_wq, &ach->drives_work);
	}
	mutex_unlock(&autoch_drives_mutex);
	return 0;
}

static void autoch_intf_remove(AUTOCH_CLASS_INTF_ARGS)
{
	struct scsi_device *sdev = to_scsi_device(dev->parent);
	struct autoch_device *ach;
	struct autoch_seen *s, *tmp;
	unsigned int i;

	mutex_lock(&autoch_drives_mutex);
	list_for_each_entry_safe(s, tmp, &autoch_seen_list, node) {
		if (s->sdev != sdev)
			continue;
		list_del(&s->node);
		put_device(&sdev->sdev_gendev);
		kfree(s);
	}
	/* a drive seen through another path takes its place */
	list_for_each_entry(ach, &autoch_changers, drives_node) {
		for (i = 0; i < ach->ndrives; i++) {
			if (ach->drives[i].sdev == sdev)
				autoch_unlink(ach, i, false);
		}
		autoch_match_all(ach);
	}
	mutex_unlock(&autoch_drives_mutex);
}

static struct class_interface autoch_intf = {
	.add_dev = autoch_intf_add,
	.remove_dev = autoch_intf_remove,
};

int autoch_drives_init(void)
{
	return scsi_register_interface(&autoch_intf);
}

void autoch_drives_exit(void)
{
	scsi_unregister_interface(&autoch_intf);
}
