// SPDX-License-Identifier: GPL-2.0
/*
 * Module init and exit, the SCSI driver (probe, remove), the lifetime of
 * struct autoch_device and the character device's open and release: the
 * object model is described in autoch.h. Also the module parameters,
 * which every other file reads with READ_ONCE().
 */

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>

#include "autoch.h"

unsigned int autoch_cmd_timeout = 60;
module_param_named(cmd_timeout, autoch_cmd_timeout, uint, 0644);
MODULE_PARM_DESC(cmd_timeout, "timeout in seconds of non-mechanical commands (default 60)");

unsigned int autoch_move_timeout = 900;
module_param_named(move_timeout, autoch_move_timeout, uint, 0644);
MODULE_PARM_DESC(move_timeout, "timeout in seconds of MOVE and EXCHANGE MEDIUM (default 900)");

unsigned int autoch_init_timeout = 3600;
module_param_named(init_timeout, autoch_init_timeout, uint, 0644);
MODULE_PARM_DESC(init_timeout, "timeout in seconds of INITIALIZE ELEMENT STATUS (default 3600)");

unsigned int autoch_ready_timeout = 300;
module_param_named(ready_timeout, autoch_ready_timeout, uint, 0644);
MODULE_PARM_DESC(ready_timeout, "seconds to wait while the changer reports becoming ready (default 300)");

unsigned int autoch_event_poll_ms = 2000;
module_param_named(event_poll_ms, autoch_event_poll_ms, uint, 0644);
MODULE_PARM_DESC(event_poll_ms, "interval of TEST UNIT READY while a program waits for events in poll() (default 2000, 0 never)");

bool autoch_multipath;
module_param_named(multipath, autoch_multipath, bool, 0644);
MODULE_PARM_DESC(multipath, "one node per changer: a SCSI device with the identity (VPD 83h designator, else unit serial) of a changer already bound becomes another path to it (default N: one node per SCSI device); read at probe");

unsigned int autoch_cache_ms = 1000;
module_param_named(cache_ms, autoch_cache_ms, uint, 0644);
MODULE_PARM_DESC(cache_ms, "milliseconds an element status read from the changer is reused (default 1000, 0 disables the cache)");

static dev_t autoch_devt;
static DEFINE_IDA(autoch_ida);
/* the changers bound, for probe to find the one a new path belongs to */
static LIST_HEAD(autoch_changers);
static DEFINE_MUTEX(autoch_changers_lock);

/*
 * The changer is gone: autoch_remove() marked it, or no path is live any
 * more: every path was removed, or the removal of its SCSI device was seen
 * to have begun (autoch_path_check_going(): before autoch_remove() runs,
 * the midlayer refuses commands with DID_ERROR, which would read as EIO
 * after a command lost with the device, ENXIO). With several paths, one
 * path going is a failover, not the changer going. Called on every ioctl
 * and command: it reads two words the path code keeps up to date under
 * @state_lock, and takes no lock.
 */
bool autoch_is_dead(struct autoch_device *ach)
{
	return READ_ONCE(ach->dead) || !READ_ONCE(ach->live_paths);
}

/* ---- open, release, lifetime ---- */

static int autoch_open(struct inode *inode, struct file *file)
{
	struct autoch_device *ach = container_of(inode->i_cdev,
						 struct autoch_device, cdev);
	struct autoch_file *af;
	int err;

	af = kzalloc_obj(*af, GFP_KERNEL);
	if (!af)
		return -ENOMEM;
	spin_lock_init(&af->xsense_lock);

	get_device(&ach->dev);
	if (autoch_is_dead(ach)) {
		err = -ENXIO;
		goto err_put;
	}
	/*
	 * scsi_device_get() of a path pins its host adapter's module and
	 * refuses a device being deleted
	 */
	af->path = autoch_path_get(ach, NULL);
	if (!af->path) {
		err = -ENXIO;
		goto err_put;
	}
	af->ach = ach;
	af->may_write = file->f_mode & FMODE_WRITE;
	mutex_lock(&ach->state_lock);
	list_add_tail(&af->node, &ach->files);
	mutex_unlock(&ach->state_lock);
	file->private_data = af;
	return nonseekable_open(inode, file);

err_put:
	put_device(&ach->dev);
	kfree(af);
	return err;
}

static int autoch_release(struct inode *inode, struct file *file)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;

	autoch_release_all(ach, af);
	autoch_path_put(af->path);
	put_device(&ach->dev);
	kfree(af);
	return 0;
}

static const struct file_operations autoch_fops = {
	.owner = THIS_MODULE,
	.open = autoch_open,
	.release = autoch_release,
	.unlocked_ioctl = autoch_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = autoch_poll,
};

static void autoch_dev_release(struct device *dev)
{
	struct autoch_device *ach = container_of(dev, struct autoch_device, dev);
	struct autoch_resv *r, *tmp;

	/* RELEASEs still refused when the device went away */
	list_for_each_entry_safe(r, tmp, &ach->stale, node)
		kfree(r);
	autoch_free_map(ach->range, ach->rotate);
	put_device(&ach->sdev->sdev_gendev);
	ida_free(&autoch_ida, ach->minor);
	kfree(ach);
}

/* Under autoch_changers_lock: the changer @id belongs to, if bound. */
static struct autoch_device *autoch_find(const struct autoch_ident *id)
{
	struct autoch_device *ach;

	lockdep_assert_held(&autoch_changers_lock);
	list_for_each_entry(ach, &autoch_changers, node)
		if (autoch_ident_equal(&ach->ident, id))
			return ach;
	return NULL;
}

/* @sdev is another path to @ach, which was bound through an earlier one. */
static int autoch_probe_path(struct autoch_device *ach,
			     struct scsi_device *sdev)
{
	struct autoch_path *path;
	int err;

	path = autoch_path_new(ach, sdev);
	if (!path)
		return -ENOMEM;
	err = autoch_path_add(ach, path);
	if (err) {
		kobject_put(&path->kobj);
		return err;
	}
	dev_set_drvdata(&sdev->sdev_gendev, path);
	sdev_printk(KERN_INFO, sdev, "Attached path %u to autochanger %s\n",
		    ach->npaths, dev_name(&ach->dev));
	return 0;
}

/*
 * A new changer and its first path. Longer than 60 lines: the set-up of
 * the object and its unwinding, in one place and in order.
 */
static int autoch_probe_changer(struct scsi_device *sdev,
				const struct autoch_ident *id)
{
	struct autoch_device *ach;
	struct autoch_path *path;
	int minor, err;

	minor = ida_alloc_max(&autoch_ida, AUTOCH_MAX_DEVS - 1, GFP_KERNEL);
	if (minor < 0)
		return minor;

	ach = kzalloc_obj(*ach, GFP_KERNEL);
	if (!ach) {
		ida_free(&autoch_ida, minor);
		return -ENOMEM;
	}
	ach->minor = minor;
	ach->sdev = sdev;
	ach->ident = *id;
	ach->cache_gen = 1;
	ach->ready_progress = -1;
	mutex_init(&ach->state_lock);
	mutex_init(&ach->io_lock);
	mutex_init(&ach->resv_lock);
	INIT_LIST_HEAD(&ach->files);
	INIT_LIST_HEAD(&ach->resv);
	INIT_LIST_HEAD(&ach->stale);
	INIT_LIST_HEAD(&ach->busy);
	INIT_LIST_HEAD(&ach->paths);
	INIT_LIST_HEAD(&ach->node);
	init_waitqueue_head(&ach->events_wq);
	INIT_DELAYED_WORK(&ach->event_work, autoch_event_work);
	INIT_WORK(&ach->resv_work, autoch_resv_work);
	INIT_WORK(&ach->retake_work, autoch_retake_work);
	INIT_WORK(&ach->drives_work, autoch_drives_work);
	INIT_LIST_HEAD(&ach->drives_node);
	get_device(&sdev->sdev_gendev);

	/* from here on, autoch_dev_release() undoes everything above */
	device_initialize(&ach->dev);
	ach->dev.class = &autoch_class;
	ach->dev.parent = &sdev->sdev_gendev;
	ach->dev.devt = MKDEV(MAJOR(autoch_devt), minor);
	ach->dev.release = autoch_dev_release;
	err = dev_set_name(&ach->dev, "autoch%d", minor);
	if (err)
		goto err_put;
	path = autoch_path_new(ach, sdev);
	if (!path) {
		err = -ENOMEM;
		goto err_put;
	}

	cdev_init(&ach->cdev, &autoch_fops);
	ach->cdev.owner = THIS_MODULE;
	dev_set_drvdata(&sdev->sdev_gendev, path);

	/*
	 * The node appears once everything is in place, its paths/ right
	 * after: until the first path is listed, an open finds no path and
	 * answers ENXIO, as it would a removed changer.
	 */
	err = cdev_device_add(&ach->cdev, &ach->dev);
	if (err)
		goto err_path;
	ach->paths_kobj = kobject_create_and_add("paths", &ach->dev.kobj);
	if (!ach->paths_kobj) {
		err = -ENOMEM;
		goto err_del;
	}
	err = autoch_path_add(ach, path);
	if (err)
		goto err_paths;
	list_add_tail(&ach->node, &autoch_changers);

	sdev_printk(KERN_INFO, sdev, "Attached autochanger %s\n",
		    dev_name(&ach->dev));
	/* its drives' devices, looked for in the background */
	autoch_drives_add(ach);
	return 0;

err_paths:
	kobject_put(ach->paths_kobj);
err_del:
	mutex_lock(&ach->state_lock);
	WRITE_ONCE(ach->dead, true);
	mutex_unlock(&ach->state_lock);
	cdev_device_del(&ach->cdev, &ach->dev);
err_path:
	dev_set_drvdata(&sdev->sdev_gendev, NULL);
	kobject_put(&path->kobj);
err_put:
	put_device(&ach->dev);
	return err;
}

int autoch_probe(struct scsi_device *sdev)
{
	struct autoch_device *ach = NULL;
	struct autoch_ident *id;
	int err;

	if (sdev->type != TYPE_MEDIUM_CHANGER)
		return -ENODEV;

	id = kmalloc_obj(*id, GFP_KERNEL);
	if (!id)
		return -ENOMEM;
	autoch_path_ident(sdev, id);

	mutex_lock(&autoch_changers_lock);
	if (READ_ONCE(autoch_multipath))
		ach = autoch_find(id);
	if (ach)
		err = autoch_probe_path(ach, sdev);
	else
		err = autoch_probe_changer(sdev, id);
	mutex_unlock(&autoch_changers_lock);
	kfree(id);
	return err;
}

/* Under autoch_changers_lock: the last path of @ach goes, and @ach with it. */
static void autoch_remove_changer(struct autoch_device *ach)
{
	list_del_init(&ach->node);
	/*
	 * First step: every open, call and event from now on sees a dead
	 * device (ENXIO, EPOLLHUP, no uevent); then the node goes.
	 */
	mutex_lock(&ach->state_lock);
	WRITE_ONCE(ach->dead, true);
	mutex_unlock(&ach->state_lock);
	cancel_delayed_work_sync(&ach->event_work);
	/* the driveK links go with the class device's kobject */
	autoch_drives_del(ach);
	/* what a close left to send: it fails at once now (ENXIO) */
	flush_work(&ach->resv_work);
	cancel_work_sync(&ach->retake_work);
	wake_up_interruptible(&ach->events_wq);
	kobject_del(ach->paths_kobj);
	kobject_put(ach->paths_kobj);
	cdev_device_del(&ach->cdev, &ach->dev);
}

void autoch_remove(struct scsi_device *sdev)
{
	struct autoch_path *path = dev_get_drvdata(&sdev->sdev_gendev);
	struct autoch_device *ach = path->ach;
	struct autoch_path *next = NULL;
	bool last;
	int err;

	mutex_lock(&autoch_changers_lock);
	/* the path's files go first: nothing of it is shown after this */
	sysfs_remove_link(&path->kobj, "device");
	kobject_del(&path->kobj);
	last = autoch_path_remove(ach, path);
	if (last) {
		autoch_remove_changer(ach);
	} else if (ach->dev.parent == &sdev->sdev_gendev) {
		/* the node must not outlive its parent in sysfs: another path */
		mutex_lock(&ach->state_lock);
		next = list_first_entry(&ach->paths, struct autoch_path, node);
		kobject_get(&next->kobj);
		mutex_unlock(&ach->state_lock);
		err = device_move(&ach->dev, &next->sdev->sdev_gendev,
				  DPM_ORDER_NONE);
		if (err)
			dev_warn(&ach->dev, "cannot move under path %s: %d\n",
				 dev_name(&next->sdev->sdev_gendev), err);
		kobject_put(&next->kobj);
	}
	mutex_unlock(&autoch_changers_lock);

	dev_set_drvdata(&sdev->sdev_gendev, NULL);
	kobject_put(&path->kobj);
	/* the reference probe took for the changer */
	if (last)
		put_device(&ach->dev);
}

static struct scsi_driver autoch_template = {
	.gendrv.name = "autoch",
	.gendrv.owner = THIS_MODULE,
	AUTOCH_SCSI_DRIVER_OPS,
};

static int __init autoch_init(void)
{
	int err;

	err = class_register(&autoch_class);
	if (err)
		return err;

	err = alloc_chrdev_region(&autoch_devt, 0, AUTOCH_MAX_DEVS, "autoch");
	if (err)
		goto err_class;

	err = autoch_drives_init();
	if (err)
		goto err_chrdev;

	err = scsi_register_driver(&autoch_template);
	if (err)
		goto err_drives;

	return 0;

err_drives:
	autoch_drives_exit();
err_chrdev:
	unregister_chrdev_region(autoch_devt, AUTOCH_MAX_DEVS);
err_class:
	class_unregister(&autoch_class);
	return err;
}

static void __exit autoch_exit(void)
{
	scsi_unregister_driver(&autoch_template);
	autoch_drives_exit();
	unregister_chrdev_region(autoch_devt, AUTOCH_MAX_DEVS);
	class_unregister(&autoch_class);
}

module_init(autoch_init);
module_exit(autoch_exit);

MODULE_DESCRIPTION("HP-UX autochanger interface for SCSI media changers");
MODULE_LICENSE("GPL");
MODULE_ALIAS_SCSI_DEVICE(TYPE_MEDIUM_CHANGER);
