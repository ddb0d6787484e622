// SPDX-License-Identifier: GPL-2.0
/*
 * After a failover, or a reset the driver cannot place: the reservations
 * of the table and the prevention of medium removal taken again on the
 * path now in use (autoch_retake()), and what the changer refuses there
 * marked lost; PREVENT and ALLOW MEDIUM REMOVAL, which the re-take and
 * AUTOCH_PREVENT_ALLOW share. The table itself is autoch_resv.c's. See
 * "Paths" in autoch.h.
 */

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <scsi/scsi_proto.h>

#include "autoch.h"

/*
 * Under @state_lock: the element reservation of @addr under device
 * identification @dev_id, if the table still has it, is lost: its owner
 * hears ECONNRESET once (as after a reset) and AUTOCH_RESERVATIONS lists
 * it as lost. The changer does not hold it (the RESERVE failed).
 */
static void autoch_retake_lost(struct autoch_device *ach, u16 addr, u8 dev_id)
{
	struct autoch_resv *r = autoch_find_resv(ach, addr);

	lockdep_assert_held(&ach->state_lock);
	if (!r || r->how != AUTOCH_RESV_ELEMENT || r->dev_id != dev_id)
		return;
	clear_bit(r->dev_id, ach->dev_ids);
	autoch_resv_lost(r);
	ach->resv_lost++;
}

/*
 * Under @resv_lock: take the unit reservation again, if the device held
 * one. When it cannot be, everything that relied on it is lost, as after
 * a reset (autoch_forget_reservations()): false.
 */
static bool autoch_retake_unit(struct autoch_device *ach)
{
	unsigned int seq;
	bool unit;
	int err;

	mutex_lock(&ach->state_lock);
	unit = ach->unit_on_device;
	seq = ach->reset_seq;
	mutex_unlock(&ach->state_lock);
	if (!unit)
		return true;
	err = autoch_dev_resv(ach, NULL, true, false, 0, 0);
	mutex_lock(&ach->state_lock);
	if (err && seq == ach->reset_seq) {
		dev_warn_ratelimited(&ach->dev,
				     "unit reservation not taken again on the new path: %d\n",
				     err);
		ach->resv_lost++;
		autoch_forget_reservations(ach);
	} else if (!err) {
		ach->resv_retaken++;
	}
	mutex_unlock(&ach->state_lock);
	return !err;
}

/*
 * Under @resv_lock: RESERVE ELEMENT again for every element reservation
 * of the table, on the path now active. One the changer refuses is lost
 * (autoch_retake_lost()). A reset meanwhile ends it: the table is empty.
 */
static void autoch_retake_elements(struct autoch_device *ach)
{
	unsigned int n, i, seq;
	u16 *addrs;
	bool reset;
	u8 *ids;
	int err;

	n = autoch_resv_snapshot(ach, &addrs, &ids, &seq);
	for (i = 0; i < n; i++) {
		err = autoch_dev_resv(ach, NULL, true, true, addrs[i], ids[i]);
		mutex_lock(&ach->state_lock);
		reset = seq != ach->reset_seq;
		if (!reset && err) {
			dev_warn_ratelimited(&ach->dev,
					     "element %u not reserved again on the new path: %d\n",
					     addrs[i], err);
			autoch_retake_lost(ach, addrs[i], ids[i]);
		} else if (!reset) {
			ach->resv_retaken++;
		}
		mutex_unlock(&ach->state_lock);
		if (reset)
			break;
	}
	kfree(ids);
	kfree(addrs);
}

/*
 * Under @resv_lock: PREVENT MEDIUM REMOVAL again on the path now active
 * while a file prevents removal. The changer keeps a prevention per I_T
 * nexus and ends it when that nexus is lost (SMC-3, PREVENT ALLOW MEDIUM
 * REMOVAL), which a path failure may have done. Refused: the files that prevented removal hear
 * ECONNRESET once, as after a reset, and prevent it no more.
 */
static void autoch_retake_prevent(struct autoch_device *ach)
{
	struct autoch_file *af;
	unsigned int seq;
	bool prevent;
	int err;

	mutex_lock(&ach->state_lock);
	prevent = ach->preventers && !ach->dead;
	seq = ach->reset_seq;
	mutex_unlock(&ach->state_lock);
	if (!prevent)
		return;
	err = autoch_prevent_removal(ach, NULL);
	mutex_lock(&ach->state_lock);
	if (seq != ach->reset_seq) {
		/* a reset ended every prevention meanwhile */
	} else if (err) {
		dev_warn_ratelimited(&ach->dev,
				     "PREVENT MEDIUM REMOVAL not sent again on the new path: %d\n",
				     err);
		list_for_each_entry(af, &ach->files, node) {
			if (!af->prevents)
				continue;
			af->prevents = false;
			af->reset_pending = true;
		}
		ach->preventers = 0;
	} else {
		ach->prevent_resent++;
	}
	mutex_unlock(&ach->state_lock);
}

/*
 * Under @state_lock: when the device holds reservations for us or a file
 * prevents medium removal, have them taken again (autoch_retake()):
 * every ioctl that sends a command, and AUTOCH_RESERVATIONS, whose answer
 * the re-take settles, do it first; @retake_work does it for holders that
 * make no call. After a failover, and after a reset the driver cannot
 * place.
 */
void autoch_retake_request(struct autoch_device *ach)
{
	lockdep_assert_held(&ach->state_lock);
	if (ach->dead || (!ach->unit_on_device && list_empty(&ach->resv) &&
			  !ach->preventers))
		return;
	WRITE_ONCE(ach->retake_gen, ach->retake_gen + 1);
	schedule_work(&ach->retake_work);
}

/**
 * autoch_retake() - take the reservations again after a failover
 * @ach: the changer
 * @intr: a caller's ioctl: a signal ends the wait for @resv_lock
 *
 * The changer holds RESERVE reservations per initiator port, and the new
 * path is another port: what the table holds on the device (the unit
 * reservation, then every RESERVE ELEMENT) is sent again there, and so is
 * PREVENT MEDIUM REMOVAL while a file prevents removal. What the changer
 * refuses is lost, and its holder hears ECONNRESET once from its next
 * changing call. Called while a failover's re-take is pending by every
 * ioctl that sends a command, so that the holder's next command runs with
 * its reservations, and by AUTOCH_RESERVATIONS, so that it reports what
 * the re-take kept (autoch_before_call()); and from @retake_work for
 * holders that make no call.
 *
 * Return: 0, or -ERESTARTSYS when @intr and a signal came first.
 */
int autoch_retake(struct autoch_device *ach, bool intr)
{
	unsigned int gen;

	if (intr && mutex_lock_interruptible(&ach->resv_lock))
		return -ERESTARTSYS;
	if (!intr)
		mutex_lock(&ach->resv_lock);
	mutex_lock(&ach->state_lock);
	gen = ach->retake_gen;
	mutex_unlock(&ach->state_lock);
	if (gen != READ_ONCE(ach->retaken_gen) && !autoch_is_dead(ach)) {
		dev_info_ratelimited(&ach->dev,
				     "taking the reservations again on the new path\n");
		if (autoch_retake_unit(ach))
			autoch_retake_elements(ach);
		autoch_retake_prevent(ach);
	}
	WRITE_ONCE(ach->retaken_gen, gen);
	mutex_unlock(&ach->resv_lock);
	return 0;
}

void autoch_retake_work(struct work_struct *work)
{
	struct autoch_device *ach = container_of(work, struct autoch_device,
						 retake_work);

	autoch_retake(ach, false);
}

/**
 * autoch_prevent_removal() - PREVENT MEDIUM REMOVAL, under @resv_lock
 * @ach: the changer
 * @af: the caller's open file, NULL for the driver's re-take
 *
 * Sent on the path picked for it as every command; that path's
 * autoch_path.prevented records it when it succeeds (autoch_allow_paths()
 * ends it there).
 *
 * Return: 0, or the command's errno.
 */
int autoch_prevent_removal(struct autoch_device *ach, struct autoch_file *af)
{
	static const u8 cdb[6] = { ALLOW_MEDIUM_REMOVAL, 0, 0, 0, 0x01 };

	return autoch_simple_cmd_ex(ach, af, cdb, sizeof(cdb), NULL, 0,
				    READ_ONCE(autoch_cmd_timeout), NULL,
				    autoch_resv_wait(ach, af));
}

/**
 * autoch_allow_paths() - ALLOW MEDIUM REMOVAL on every path that prevents it
 * @ach: the changer
 * @af: the caller's open file, NULL for the driver's own
 * @wait: how it waits for a changer becoming ready
 *
 * The changer ends a prevention when each I_T nexus that prevented removal
 * allows it (SMC-3, PREVENT ALLOW MEDIUM REMOVAL), so ALLOW goes to every
 * present path whose nexus a PREVENT went through (autoch_path.prevented), the failed and
 * disabled ones too; with none (one path, or a reset ended it), to the
 * path picked for it as every command. A path that cannot be reached
 * keeps its mark (the next ALLOW tries it again; its nexus loss ended the
 * prevention there anyway): the call fails only when no path took it or
 * a reachable one refused it.
 *
 * Return: 0, or the first refusal's errno, else the transport's.
 */
int autoch_allow_paths(struct autoch_device *ach, struct autoch_file *af,
		       enum autoch_wait wait)
{
	static const u8 cdb[6] = { ALLOW_MEDIUM_REMOVAL };
	struct autoch_path *paths[AUTOCH_PATHS_MAX];
	int err, refused = 0, unreached = 0;
	unsigned int n, i, ok = 0;
	bool failed;

	n = autoch_paths_prevented(ach, paths, ARRAY_SIZE(paths));
	if (!n)
		return autoch_simple_cmd_ex(ach, af, cdb, sizeof(cdb), NULL, 0,
					    READ_ONCE(autoch_cmd_timeout),
					    NULL, wait);
	for (i = 0; i < n; i++) {
		/* a reset met on the way: the caller hears of it, no more sent */
		err = refused == -ECONNRESET ? -ECONNRESET :
		      autoch_simple_cmd_path(ach, af, paths[i], cdb,
					     sizeof(cdb), NULL, 0,
					     READ_ONCE(autoch_cmd_timeout),
					     NULL, wait);
		mutex_lock(&ach->state_lock);
		failed = paths[i]->failed;
		mutex_unlock(&ach->state_lock);
		if (!err)
			ok++;
		else if (failed && !unreached)
			unreached = err;
		else if (!failed && !refused)
			refused = err;
		autoch_path_put(paths[i]);
	}
	if (refused)
		return refused;
	return ok ? 0 : unreached;
}
