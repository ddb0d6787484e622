// SPDX-License-Identifier: GPL-2.0
/*
 * Element and unit reservations (SIOC_RESERVE, SIOC_RELEASE): the
 * driver's table of them and of the moves in flight, the RESERVE and
 * RELEASE (6) and (10) commands that mirror them on the changer, the
 * fallback to a unit reservation or to the table alone, and what a reset
 * does to them. See "Reservations" in autoch.h.
 */

#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/*
 * The device forgot every reservation: empty the table and tell each file
 * that held one, once, with ECONNRESET.
 */
void autoch_forget_reservations(struct autoch_device *ach)
{
	struct autoch_resv *r, *tmp;
	struct autoch_file *af;

	lockdep_assert_held(&ach->state_lock);

	list_for_each_entry_safe(r, tmp, &ach->resv, node) {
		af = r->owner;
		if (af->nlost < AUTOCH_MAX_RESERVED)
			af->lost[af->nlost] = r->element;
		if (af->nlost < U16_MAX)
			af->nlost++;
		af->reset_pending = true;
		list_del(&r->node);
		kfree(r);
	}
	if (ach->unit_owner) {
		ach->unit_owner->unit_lost = true;
		ach->unit_owner->reset_pending = true;
		ach->unit_owner = NULL;
	}
	ach->unit_on_device = false;
	ach->unit_refs = 0;
	list_for_each_entry_safe(r, tmp, &ach->stale, node) {
		list_del(&r->node);
		kfree(r);
	}
	bitmap_zero(ach->dev_ids, AUTOCH_DEV_RESV_IDS);
	/* SPC-4 6.13: a reset ends the prevention of medium removal too */
	list_for_each_entry(af, &ach->files, node)
		af->prevents = false;
	ach->preventers = 0;
}

/* Consume the reset notice of @af; true when there was one. */
bool autoch_take_reset(struct autoch_device *ach, struct autoch_file *af)
{
	bool pending;

	mutex_lock(&ach->state_lock);
	pending = af->reset_pending;
	af->reset_pending = false;
	mutex_unlock(&ach->state_lock);
	return pending;
}

static struct autoch_resv *autoch_find_resv(struct autoch_device *ach, u16 addr)
{
	struct autoch_resv *r;

	lockdep_assert_held(&ach->state_lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->element == addr)
			return r;
	return NULL;
}

bool autoch_others_hold_elements(struct autoch_device *ach,
				 struct autoch_file *af)
{
	struct autoch_resv *r;

	lockdep_assert_held(&ach->state_lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->owner != af)
			return true;
	return false;
}

/* Has another file a move or exchange in flight on @addr (on any, < 0)? */
static bool autoch_busy_by_others(struct autoch_device *ach,
				  struct autoch_file *af, int addr)
{
	struct autoch_busy *b;
	unsigned int i;

	lockdep_assert_held(&ach->state_lock);
	list_for_each_entry(b, &ach->busy, node) {
		if (b->owner == af)
			continue;
		if (addr < 0)
			return true;
		for (i = 0; i < b->n; i++)
			if (b->addrs[i] == addr)
				return true;
	}
	return false;
}

/*
 * May @af act on these elements? Not when another open file holds the
 * unit or one of them (HP-UX: EBUSY). Called with @state_lock held.
 */
int autoch_check_reserved(struct autoch_device *ach,
			  struct autoch_file *af,
			  const u16 *addrs, unsigned int n)
{
	struct autoch_resv *r;
	unsigned int i;

	lockdep_assert_held(&ach->state_lock);
	if (ach->unit_owner && ach->unit_owner != af)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		r = autoch_find_resv(ach, addrs[i]);
		if (r && r->owner != af)
			return -EBUSY;
	}
	return 0;
}

/* @b passed the reservation check: from now on it counts as in flight. */
void autoch_busy_start(struct autoch_device *ach, struct autoch_busy *b,
		       struct autoch_file *af, const u16 *addrs,
		       unsigned int n)
{
	lockdep_assert_held(&ach->state_lock);
	b->owner = af;
	b->addrs = addrs;
	b->n = n;
	list_add_tail(&b->node, &ach->busy);
}

void autoch_moved(struct autoch_device *ach, struct autoch_busy *b)
{
	mutex_lock(&ach->state_lock);
	list_del(&b->node);
	/* Success or failure, the robot may have touched the elements. */
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
}

/* ---- reservations ---- */

/*
 * RESERVE/RELEASE (ELEMENT) on the device, in the 6-byte form (SMC-2
 * 6.7/6.8) or, where the device does not know it, the 10-byte form.
 * Returns -EOPNOTSUPP when the device has neither, or refuses the Element
 * bit of a reservation (24/00: unit reservations only).
 */
static int autoch_dev_resv(struct autoch_device *ach, struct autoch_file *af,
			   bool reserve, bool element, u16 addr, u8 id)
{
	u8 list[6] = {}, cdb[10] = {};
	struct scsi_sense_hdr sshdr;
	bool try6, try10;
	int err;

	try6 = !test_bit(AUTOCH_QUIRK_NO_RESV6, &ach->quirks);
	try10 = !test_bit(AUTOCH_QUIRK_NO_RESV10, &ach->quirks);

	/* one element list descriptor: two reserved bytes, count 1, address */
	put_unaligned_be16(1, list + 2);
	put_unaligned_be16(addr, list + 4);

	if (try6) {
		cdb[0] = reserve ? RESERVE_6 : RELEASE_6;
		cdb[1] = element;
		cdb[2] = element ? id : 0;
		if (reserve && element)
			put_unaligned_be16(sizeof(list), cdb + 3);
		err = autoch_simple_cmd_sense(ach, af, cdb, 6,
					      reserve && element ? list : NULL,
					      reserve && element ? sizeof(list) : 0,
					      READ_ONCE(autoch_cmd_timeout), &sshdr);
		if (reserve && element && err == -EINVAL && sshdr.asc == 0x24)
			return -EOPNOTSUPP;
		if (err != -EOPNOTSUPP)
			return err;
		set_bit(AUTOCH_QUIRK_NO_RESV6, &ach->quirks);
	}
	if (try10) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = reserve ? RESERVE_10 : RELEASE_10;
		cdb[1] = element;
		cdb[2] = element ? id : 0;
		if (reserve && element)
			put_unaligned_be16(sizeof(list), cdb + 7);
		err = autoch_simple_cmd_sense(ach, af, cdb, 10,
					      reserve && element ? list : NULL,
					      reserve && element ? sizeof(list) : 0,
					      READ_ONCE(autoch_cmd_timeout), &sshdr);
		if (reserve && element && err == -EINVAL && sshdr.asc == 0x24)
			return -EOPNOTSUPP;
		if (err != -EOPNOTSUPP)
			return err;
		set_bit(AUTOCH_QUIRK_NO_RESV10, &ach->quirks);
	}
	return -EOPNOTSUPP;
}

/*
 * Take one more reference on the device's unit reservation, reserving the
 * unit when nothing held it yet. *@held says whether the device holds it
 * (false: the changer has no reservations at all). Returns 0 or an errno.
 */
static int autoch_unit_get(struct autoch_device *ach, struct autoch_file *af,
			   bool *held)
{
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	*held = ach->unit_on_device;
	if (*held)
		ach->unit_refs++;
	mutex_unlock(&ach->state_lock);
	if (*held)
		return 0;

	err = autoch_dev_resv(ach, af, true, false, 0, 0);
	if (err == -EOPNOTSUPP)
		return 0;
	if (err)
		return err;
	mutex_lock(&ach->state_lock);
	ach->unit_on_device = true;
	ach->unit_refs = 1;
	mutex_unlock(&ach->state_lock);
	*held = true;
	return 0;
}

/*
 * A RELEASE without the Element bit dropped every reservation this
 * initiator held on the device (SMC-2 6.8): take the element ones again.
 */
static void autoch_rereserve(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_resv *r;
	unsigned int n = 0, i;
	u16 *addrs;
	u8 *ids;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	/*
	 * Copy what to send: a reset met by one of these commands empties
	 * the table under @state_lock alone.
	 */
	addrs = kmalloc_array(AUTOCH_DEV_RESV_IDS, sizeof(*addrs), GFP_KERNEL);
	ids = kmalloc(AUTOCH_DEV_RESV_IDS, GFP_KERNEL);
	if (!addrs || !ids)
		goto out;
	mutex_lock(&ach->state_lock);
	list_for_each_entry(r, &ach->resv, node) {
		if (r->how != AUTOCH_RESV_ELEMENT || n == AUTOCH_DEV_RESV_IDS)
			continue;
		addrs[n] = r->element;
		ids[n++] = r->dev_id;
	}
	mutex_unlock(&ach->state_lock);

	for (i = 0; i < n; i++) {
		err = autoch_dev_resv(ach, af, true, true, addrs[i], ids[i]);
		if (err)
			dev_warn_ratelimited(&ach->dev,
					     "element %u not reserved again: %d\n",
					     addrs[i], err);
	}
out:
	kfree(ids);
	kfree(addrs);
}

static int autoch_unit_put(struct autoch_device *ach, struct autoch_file *af)
{
	bool release = false;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	/* a reset may have taken the reservation away meanwhile */
	if (ach->unit_on_device && !--ach->unit_refs) {
		ach->unit_on_device = false;
		release = true;
	}
	mutex_unlock(&ach->state_lock);
	if (!release || autoch_is_dead(ach))
		return 0;
	err = autoch_dev_resv(ach, af, false, false, 0, 0);
	autoch_rereserve(ach, af);
	return err;
}

static void autoch_clear_lost(struct autoch_device *ach, struct autoch_file *af)
{
	lockdep_assert_held(&ach->state_lock);
	af->unit_lost = false;
	af->nlost = 0;
}

/*
 * RELEASE one element reservation on the device. When the device refuses,
 * the reservation is kept on @stale with its identification, so that it is
 * neither reused nor forgotten while the changer still holds it: false.
 * A reset (ECONNRESET) or a removed device ends it as a success would.
 */
static bool autoch_release_dev_id(struct autoch_device *ach,
				  struct autoch_file *af, struct autoch_resv *r,
				  int *errp)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (!autoch_is_dead(ach))
		err = autoch_dev_resv(ach, af, false, true, r->element,
				      r->dev_id);
	*errp = err;
	mutex_lock(&ach->state_lock);
	if (err && err != -ECONNRESET && err != -ENXIO && !ach->dead) {
		r->owner = NULL;
		list_add_tail(&r->node, &ach->stale);
		mutex_unlock(&ach->state_lock);
		dev_warn_ratelimited(&ach->dev,
				     "element %u: RELEASE failed (%d), kept to retry\n",
				     r->element, err);
		return false;
	}
	/* a reset meanwhile emptied the bitmap: nothing of ours to clear */
	if (err != -ECONNRESET)
		__clear_bit(r->dev_id, ach->dev_ids);
	mutex_unlock(&ach->state_lock);
	return true;
}

/* Send again the RELEASEs the device refused before; under @resv_lock. */
void autoch_retry_stale(struct autoch_device *ach)
{
	struct autoch_resv *r;
	LIST_HEAD(todo);
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	list_splice_init(&ach->stale, &todo);
	mutex_unlock(&ach->state_lock);
	while (!list_empty(&todo)) {
		r = list_first_entry(&todo, struct autoch_resv, node);
		list_del(&r->node);
		if (autoch_release_dev_id(ach, NULL, r, &err)) {
			dev_info_ratelimited(&ach->dev,
					     "element %u: RELEASE sent again: %d\n",
					     r->element, err);
			kfree(r);
		}
	}
}

/* Drop @r, which the caller took off the list, on the device too. */
static int autoch_drop_resv(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_resv *r)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (r->how == AUTOCH_RESV_ELEMENT) {
		if (!autoch_release_dev_id(ach, af, r, &err))
			return err;	/* @r is on @stale now */
	} else if (r->how == AUTOCH_RESV_UNIT) {
		err = autoch_unit_put(ach, af);
	}
	kfree(r);
	return err;
}

/*
 * RESERVE ELEMENT for @r under an identification of the driver's own.
 * -EBUSY when all identifications are in use, -EOPNOTSUPP when the changer
 * has no element reservations (remembered until the next reset).
 */
static int autoch_reserve_on_device(struct autoch_device *ach,
				    struct autoch_file *af,
				    struct autoch_resv *r)
{
	unsigned long dev_id;
	int err;

	mutex_lock(&ach->state_lock);
	dev_id = find_first_zero_bit(ach->dev_ids, AUTOCH_DEV_RESV_IDS);
	if (dev_id < AUTOCH_DEV_RESV_IDS) {
		__set_bit(dev_id, ach->dev_ids);
		r->dev_id = dev_id;
	}
	mutex_unlock(&ach->state_lock);
	/* 256 elements reserved at once: that many is a conflict */
	if (dev_id >= AUTOCH_DEV_RESV_IDS)
		return -EBUSY;
	err = autoch_dev_resv(ach, af, true, true, r->element, r->dev_id);
	if (err) {
		mutex_lock(&ach->state_lock);
		__clear_bit(r->dev_id, ach->dev_ids);
		mutex_unlock(&ach->state_lock);
	}
	/* no RESERVE, or 24/00 for the Element bit: unit only */
	if (err == -EOPNOTSUPP)
		set_bit(AUTOCH_QUIRK_NO_ELEM_RESV, &ach->quirks);
	return err;
}

int autoch_reserve_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id)
{
	bool elem_ok, held, again = false;
	struct autoch_resv *r, *old;
	unsigned int nheld = 0;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->owner == af && r->how == AUTOCH_RESV_ELEMENT)
			nheld++;
	err = 0;
	if ((ach->unit_owner && ach->unit_owner != af) ||
	    autoch_busy_by_others(ach, af, addr)) {
		err = -EBUSY;
	} else {
		old = autoch_find_resv(ach, addr);
		if (old && old->owner == af && old->id == id)
			again = true;	/* already reserved: nothing to do */
		else if (old)
			err = -EBUSY;
	}
	elem_ok = !test_bit(AUTOCH_QUIRK_NO_ELEM_RESV, &ach->quirks);
	mutex_unlock(&ach->state_lock);
	if (err || again)
		return err;
	/* a file may not take every identification of the device */
	if (elem_ok && nheld >= AUTOCH_FILE_RESV_IDS)
		return -ENOSPC;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->owner = af;
	r->element = addr;
	r->id = id;

	err = elem_ok ? autoch_reserve_on_device(ach, af, r) : -EOPNOTSUPP;
	if (!err) {
		r->how = AUTOCH_RESV_ELEMENT;
	} else if (err == -EOPNOTSUPP) {
		err = autoch_unit_get(ach, af, &held);
		if (err)
			goto err_free;
		r->how = held ? AUTOCH_RESV_UNIT : AUTOCH_RESV_LOCAL;
	} else {
		goto err_free;
	}

	/*
	 * A move that passed its check while the device was reserving must
	 * not land on a reserved element; one checked from now on sees @r.
	 */
	mutex_lock(&ach->state_lock);
	if (autoch_busy_by_others(ach, af, addr)) {
		mutex_unlock(&ach->state_lock);
		autoch_drop_resv(ach, af, r);
		return -EBUSY;
	}
	list_add_tail(&r->node, &ach->resv);
	autoch_clear_lost(ach, af);
	/*
	 * What the cache says of the element may predate another host's
	 * last move; from now on nobody else can change it, so the next
	 * status read after SIOC_RESERVE goes to the changer.
	 */
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
	return 0;

err_free:
	kfree(r);
	return err;
}

int autoch_release_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id)
{
	struct autoch_resv *r;
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	r = autoch_find_resv(ach, addr);
	if (r && (r->owner != af || r->id != id))
		err = -EBUSY;
	else if (r)
		list_del(&r->node);
	mutex_unlock(&ach->state_lock);
	/* nothing to release is not an error */
	if (err || !r)
		return err;
	return autoch_drop_resv(ach, af, r);
}

int autoch_reserve_unit(struct autoch_device *ach, struct autoch_file *af)
{
	bool mine, held;
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	mine = ach->unit_owner == af;	/* already reserved: nothing to do */
	if (!mine &&
	    (ach->unit_owner || autoch_others_hold_elements(ach, af) ||
	     autoch_busy_by_others(ach, af, -1)))
		err = -EBUSY;
	mutex_unlock(&ach->state_lock);
	if (err || mine)
		return err;

	err = autoch_unit_get(ach, af, &held);
	if (err)
		return err;
	/* as for an element: no move of another file may still be on its way */
	mutex_lock(&ach->state_lock);
	if (autoch_busy_by_others(ach, af, -1)) {
		mutex_unlock(&ach->state_lock);
		if (held)
			autoch_unit_put(ach, af);
		return -EBUSY;
	}
	ach->unit_owner = af;
	autoch_clear_lost(ach, af);
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
	return 0;
}

int autoch_release_unit(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_file *owner;
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	owner = ach->unit_owner;
	if (owner && owner != af)
		err = -EBUSY;
	else if (owner)
		ach->unit_owner = NULL;
	mutex_unlock(&ach->state_lock);
	/* nothing to release is not an error */
	if (err || !owner)
		return err;
	return autoch_unit_put(ach, af);
}

/*
 * A closing file that prevented medium removal: ALLOW when it was the
 * last, so that a crashed job does not leave the mail slots locked.
 */
static void autoch_allow_on_close(struct autoch_device *ach,
				  struct autoch_file *af)
{
	u8 cdb[6] = { ALLOW_MEDIUM_REMOVAL };
	bool send;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	send = af->prevents && ach->preventers == 1 && !ach->dead;
	if (af->prevents) {
		af->prevents = false;
		ach->preventers--;
	}
	mutex_unlock(&ach->state_lock);
	if (!send)
		return;
	err = autoch_simple_cmd(ach, NULL, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(autoch_cmd_timeout));
	if (err)
		dev_warn_ratelimited(&ach->dev,
				     "ALLOW MEDIUM REMOVAL at close failed: %d\n",
				     err);
}

/* Everything @af holds goes when it is closed. */
void autoch_release_all(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_resv *r, *tmp;
	LIST_HEAD(mine);
	bool unit;

	mutex_lock(&ach->resv_lock);
	mutex_lock(&ach->state_lock);
	list_for_each_entry_safe(r, tmp, &ach->resv, node)
		if (r->owner == af)
			list_move_tail(&r->node, &mine);
	unit = ach->unit_owner == af;
	if (unit)
		ach->unit_owner = NULL;
	mutex_unlock(&ach->state_lock);

	autoch_allow_on_close(ach, af);
	mutex_lock(&ach->state_lock);
	list_del(&af->node);
	mutex_unlock(&ach->state_lock);

	list_for_each_entry_safe(r, tmp, &mine, node) {
		list_del(&r->node);
		autoch_drop_resv(ach, NULL, r);
	}
	if (unit)
		autoch_unit_put(ach, NULL);
	autoch_retry_stale(ach);
	mutex_unlock(&ach->resv_lock);
}
