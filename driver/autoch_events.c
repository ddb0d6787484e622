// SPDX-License-Identifier: GPL-2.0
/*
 * Events: what a unit attention does to the in-memory state (the cache,
 * the quirks, the reservation table) and how it reaches programs: queued
 * on every open file for AUTOCH_GET_EVENTS and SIOC_MEDIUM_CHANGED, a
 * change uevent, poll(), and the TEST UNIT READY sent every event_poll_ms
 * while someone waits in poll(); and which of them make the drives'
 * identifiers stale (autoch_drives.c reads them again).
 */

#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/* Queue @events on every open file, wake poll(), tell udev. */
void autoch_post_event(struct autoch_device *ach, u32 events)
{
	static const char * const names[] = {
		"medium", "import_export", "reset", "changed", "inventory",
		"move_unknown",
	};
	char env[64];
	char *envp[2] = { env, NULL };
	struct autoch_file *af;
	unsigned int i, n;

	n = scnprintf(env, sizeof(env), "AUTOCH_EVENT=");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (events & BIT(i))
			n += scnprintf(env + n, sizeof(env) - n, "%s%s",
				       n > 13 ? "," : "", names[i]);

	mutex_lock(&ach->state_lock);
	list_for_each_entry(af, &ach->files, node) {
		af->events |= events;
		af->nevents++;
		if (events & AUTOCH_MEDIUM_CHANGED_EVENTS)
			af->medium_changed = true;
	}
	/* remove marks the device dead before it deletes the kobject */
	if (!ach->dead)
		kobject_uevent_env(&ach->dev.kobj, KOBJ_CHANGE, envp);
	mutex_unlock(&ach->state_lock);
	wake_up_interruptible(&ach->events_wq);
}

/*
 * May the unit attention mean that another drive is in some data
 * transfer element (a drive replaced or moved), so that the identifiers
 * the changer reports (DVCID) differ? 28/xx (not ready to ready change:
 * a library reports it when its door closes after a service, and the
 * drives are serviced with it open), 29/xx (power on, reset), 2A/xx
 * (parameters changed) and 3F/xx (operating conditions, reported LUNs or
 * inquiry data changed). Not 28/01: an operator at an import/export
 * element changes no drive.
 */
static bool autoch_ua_drives(const struct scsi_sense_hdr *sshdr)
{
	switch (sshdr->asc) {
	case 0x28:
		return sshdr->ascq != 0x01;
	case 0x29:
	case 0x2a:
	case 0x3f:
		return true;
	default:
		return false;
	}
}

/*
 * A unit attention the driver met. 29/xx (power on, reset), 2A/xx
 * (parameters changed) and 3F/xx (operating conditions changed) may have
 * changed the element map too; 28/xx says media may have changed (28/01:
 * an import/export element was used). Any other unit attention (2F/00
 * commands cleared by another initiator, 5D/xx failure prediction, ...)
 * changes no medium: the status cache is dropped, as after any unit
 * attention, and no event is raised.
 */
void autoch_unit_attention(struct autoch_device *ach,
			   const struct scsi_sense_hdr *sshdr)
{
	autoch_unit_attention_on(ach, sshdr, NULL, 0);
}

/*
 * As autoch_unit_attention(), for one that came through @path (NULL: not
 * known) on a command sent when @path's autoch_path.resv_done was
 * @resv_done. A 29/xx reports a reset, power on or I_T nexus loss of that
 * path's I_T nexus: it took the RESERVE reservations away only when they
 * are held through that path (autoch_device.resv_path). One met on
 * another path, the first commands on the path a failover moved to
 * (which reports what its nexus saw meanwhile), leaves them: they are
 * taken again on that path (autoch_retake()), which restores them after a
 * real reset too. When a RESERVE, RELEASE, PREVENT or ALLOW completed on
 * @path while the command was on its way, the changer may have acted on
 * it after the reset, not before (a unit attention goes to the first
 * command after the reset, whose answer may come back last): what it took
 * may still be held, and most likely is. Then nothing is forgotten: the
 * reservations and the prevention are taken again on the path, as after
 * a failover (autoch_retake_request()), and only what the changer
 * refuses there is lost. Nothing is left behind on the changer and
 * nothing held is forgotten, whichever came first.
 */
void autoch_unit_attention_on(struct autoch_device *ach,
			      const struct scsi_sense_hdr *sshdr,
			      struct autoch_path *path, unsigned int resv_done)
{
	u32 event;

	switch (sshdr->asc) {
	case 0x28:
		event = sshdr->ascq == 0x01 ? AUTOCH_EVENT_IMPORT_EXPORT :
					      AUTOCH_EVENT_MEDIUM;
		break;
	case 0x29:
		event = AUTOCH_EVENT_RESET;
		break;
	case 0x2a:
	case 0x3f:
		event = AUTOCH_EVENT_CHANGED;
		break;
	default:
		event = 0;
		break;
	}

	mutex_lock(&ach->state_lock);
	/* the drives' identifiers: read again at the end of the call */
	if (autoch_ua_drives(sshdr))
		WRITE_ONCE(ach->drives_ua, ach->drives_ua + 1);
	switch (sshdr->asc) {
	case 0x29:	/* power on or reset: quirks may have gone too */
		WRITE_ONCE(ach->quirks, 0);
		/* not when they are held through another path */
		if (!path || !ach->resv_path || path == ach->resv_path) {
			if (path && path->resv_done != resv_done)
				autoch_retake_request(ach);
			else
				autoch_forget_reservations(ach);
		}
		autoch_drop_cache(ach, true);
		break;
	case 0x2a:	/* parameters changed: the mode pages may differ */
	case 0x3f:	/* operating conditions or inquiry data changed */
		autoch_drop_cache(ach, true);
		break;
	default:	/* 28/xx medium may have changed, door, magazine */
		autoch_drop_cache(ach, false);
		break;
	}
	mutex_unlock(&ach->state_lock);
	if (event)
		autoch_post_event(ach, event);
}

/*
 * The commands that change something on the changer: one of them that a
 * file sends after a reset took its reservations is not sent (or, when it
 * met the reset's unit attention, was not executed) and the call gets
 * ECONNRESET instead. Reads that meet the reset leave the notice for the
 * next call that changes something.
 */
bool autoch_reset_blocks(const u8 *cdb)
{
	switch (cdb[0]) {
	case INITIALIZE_ELEMENT_STATUS:
	case 0x37:	/* INITIALIZE ELEMENT STATUS WITH RANGE */
	case RESERVE_6:
	case RELEASE_6:
	case RESERVE_10:
	case RELEASE_10:
	case MOVE_MEDIUM:
	case EXCHANGE_MEDIUM:
	case POSITION_TO_ELEMENT:
	case AUTOCH_OPEN_CLOSE_IMPORT_EXPORT:
	case ALLOW_MEDIUM_REMOVAL:
	case PERSISTENT_RESERVE_OUT:
		return true;
	default:
		return false;
	}
}

void autoch_event_work(struct work_struct *work)
{
	struct autoch_device *ach = container_of(to_delayed_work(work),
						 struct autoch_device,
						 event_work);
	static const u8 tur[6] = { TEST_UNIT_READY };
	unsigned int ms = READ_ONCE(autoch_event_poll_ms);

	if (!ms || !wq_has_sleeper(&ach->events_wq))
		return;
	/* a unit attention it meets is posted by autoch_unit_attention() */
	if (!autoch_simple_cmd(ach, NULL, tur, sizeof(tur), NULL, 0,
			       READ_ONCE(autoch_cmd_timeout)))
		autoch_drives_refresh(ach);	/* when that made them stale */

	/* system_long_wq: the work sleeps as long as a command may take */
	mutex_lock(&ach->state_lock);
	if (!ach->dead)
		queue_delayed_work(system_long_wq, &ach->event_work,
				   msecs_to_jiffies(ms));
	mutex_unlock(&ach->state_lock);
}

__poll_t autoch_poll(struct file *file, poll_table *wait)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;
	unsigned int ms = READ_ONCE(autoch_event_poll_ms);
	__poll_t mask = 0;

	poll_wait(file, &ach->events_wq, wait);

	mutex_lock(&ach->state_lock);
	if (ach->dead)
		mask = EPOLLHUP | EPOLLERR;
	if (af->events)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (af->medium_changed)
		mask |= EPOLLPRI;
	/*
	 * Nothing the caller waits for (POLLIN for AUTOCH_GET_EVENTS, POLLPRI
	 * for SIOC_MEDIUM_CHANGED) yet: ask the changer while it waits.
	 */
	if (!(mask & poll_requested_events(wait)) && ms &&
	    !delayed_work_pending(&ach->event_work))
		queue_delayed_work(system_long_wq, &ach->event_work,
				   msecs_to_jiffies(ms));
	mutex_unlock(&ach->state_lock);
	return mask;
}
