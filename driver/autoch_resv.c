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
 * Under @state_lock: element reservation @r is gone from the device; its
 * file hears ECONNRESET once and AUTOCH_RESERVATIONS lists it as lost.
 * @r leaves the table and is freed.
 */
void autoch_resv_lost(struct autoch_resv *r)
{
	struct autoch_file *af = r->owner;

	if (af->nlost < AUTOCH_MAX_RESERVED)
		af->lost[af->nlost] = r->element;
	if (af->nlost < U16_MAX)
		af->nlost++;
	af->reset_pending = true;
	list_del(&r->node);
	kfree(r);
}

/*
 * The device forgot every reservation: empty the table and tell each file
 * that held one, once, with ECONNRESET.
 */
void autoch_forget_reservations(struct autoch_device *ach)
{
	struct autoch_resv *r, *tmp;
	struct autoch_file *af;

	lockdep_assert_held(&ach->state_lock);

	list_for_each_entry_safe(r, tmp, &ach->resv, node)
		autoch_resv_lost(r);
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
	ach->unit_puts = 0;
	ach->unit_release = false;
	ach->allow_pending = false;
	/* reservations on their way learn that their identification went */
	ach->reset_seq++;
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

struct autoch_resv *autoch_find_resv(struct autoch_device *ach, u16 addr)
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

/**
 * autoch_move_begin() - admit a command that moves the robot or changes an element
 * @ach: the changer
 * @af: the open file that sends it
 * @busy: for a command that moves media (MOVE, EXCHANGE, POSITION TO
 *	ELEMENT): filled and put on autoch_device.busy, so that it counts as
 *	in flight; NULL for one that does not (OPEN/CLOSE IMPORT/EXPORT)
 * @addrs: the elements it involves, as its CDB names them; they must
 *	outlive the command
 * @n: how many
 * @check: judges the command against the element map, called with the map
 *	loaded and @state_lock held; returns 0 or the call's errno. NULL for
 *	SIOC_IO, whose command goes as the caller wrote it: the map is then
 *	neither loaded nor consulted.
 * @parms: the ioctl's argument, for @check
 *
 * Return: 0, and the caller sends the command and then calls
 * autoch_move_end() with the same @busy; else the error of loading the
 * map, what @check said, or EBUSY when another file holds the unit or one
 * of the elements, in that order.
 */
int autoch_move_begin(struct autoch_device *ach, struct autoch_file *af,
		      struct autoch_busy *busy, const u16 *addrs,
		      unsigned int n,
		      int (*check)(struct autoch_device *ach, const void *parms),
		      const void *parms)
{
	int bad = 0, err;

	if (check) {
		err = autoch_lock_map(ach, af);
		if (err)
			return err;
		bad = check(ach, parms);
	} else {
		mutex_lock(&ach->state_lock);
	}
	err = autoch_check_reserved(ach, af, addrs, n);
	if (!bad && !err && busy) {
		busy->owner = af;
		busy->addrs = addrs;
		busy->n = n;
		list_add_tail(&busy->node, &ach->busy);
	}
	mutex_unlock(&ach->state_lock);
	return bad ?: err;
}

/*
 * The command ended (@busy: the one autoch_move_begin() was given, NULL
 * for a command that was not in flight). Success or failure, the robot
 * may have touched the elements; @map_too: the element map may have
 * changed too (MODE SELECT through SIOC_IO).
 */
void autoch_move_end(struct autoch_device *ach, struct autoch_busy *busy,
		     bool map_too)
{
	mutex_lock(&ach->state_lock);
	if (busy)
		list_del(&busy->node);
	autoch_drop_cache(ach, map_too);
	mutex_unlock(&ach->state_lock);
}

/* ---- reservations ---- */

/*
 * How a command of the reservation code waits for a changer becoming
 * ready: a caller's interruptibly; one nobody can send again (@af NULL:
 * the driver's work) regardless of signals; a close's not at all.
 */
enum autoch_wait autoch_resv_wait(struct autoch_device *ach,
				  struct autoch_file *af)
{
	lockdep_assert_held(&ach->resv_lock);
	if (af)
		return AUTOCH_WAIT_INTR;
	return ach->resv_closing ? AUTOCH_WAIT_NONE : AUTOCH_WAIT_NOINTR;
}

/* A close's command met a changer becoming ready: @resv_work sends it. */
static void autoch_resv_note(struct autoch_device *ach, int err)
{
	lockdep_assert_held(&ach->resv_lock);
	if (err == -EAGAIN)
		ach->resv_deferred = true;
}

/*
 * One RESERVE or RELEASE (ELEMENT) in the 6-byte (SMC-2 6.7/6.8) or the
 * 10-byte form; a reservation of an element carries a one-element list.
 */
static int autoch_dev_resv_form(struct autoch_device *ach,
				struct autoch_file *af, bool ten, bool reserve,
				bool element, u16 addr, u8 id,
				struct scsi_sense_hdr *sshdr)
{
	bool with_list = reserve && element;
	u8 list[6] = {}, cdb[10] = {};
	int err;

	/* one element list descriptor: two reserved bytes, count 1, address */
	put_unaligned_be16(1, list + 2);
	put_unaligned_be16(addr, list + 4);

	if (ten)
		cdb[0] = reserve ? RESERVE_10 : RELEASE_10;
	else
		cdb[0] = reserve ? RESERVE_6 : RELEASE_6;
	cdb[1] = element;
	cdb[2] = element ? id : 0;
	if (with_list)
		put_unaligned_be16(sizeof(list), cdb + (ten ? 7 : 3));
	err = autoch_simple_cmd_ex(ach, af, cdb, ten ? 10 : 6,
				   with_list ? list : NULL,
				   with_list ? sizeof(list) : 0,
				   READ_ONCE(autoch_cmd_timeout), sshdr,
				   autoch_resv_wait(ach, af));
	autoch_resv_note(ach, err);
	return err;
}

/*
 * RESERVE/RELEASE (ELEMENT) on the device, in the 6-byte form or, where
 * the device does not know it, the 10-byte form. Returns -EOPNOTSUPP when
 * the device has neither, or refuses the Element bit of a reservation
 * (24/00: unit reservations only).
 */
int autoch_dev_resv(struct autoch_device *ach, struct autoch_file *af,
		    bool reserve, bool element, u16 addr, u8 id)
{
	static const enum autoch_quirk no_form[] = {
		AUTOCH_QUIRK_NO_RESV6, AUTOCH_QUIRK_NO_RESV10,
	};
	struct scsi_sense_hdr sshdr;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(no_form); i++) {
		if (test_bit(no_form[i], &ach->quirks))
			continue;
		err = autoch_dev_resv_form(ach, af, i, reserve, element, addr,
					   id, &sshdr);
		if (reserve && element && err == -EINVAL && sshdr.asc == 0x24)
			return -EOPNOTSUPP;
		if (err != -EOPNOTSUPP)
			return err;
		set_bit(no_form[i], &ach->quirks);
		autoch_recovered(af);
	}
	return -EOPNOTSUPP;
}

/*
 * Take one more reference on the device's unit reservation, reserving the
 * unit when nothing held it yet. *@held says whether the device holds it
 * (false: the changer has no reservations at all); *@seqp is the reset
 * sequence the reference was taken in. Returns 0 or an errno.
 */
static int autoch_unit_get(struct autoch_device *ach, struct autoch_file *af,
			   bool *held, unsigned int *seqp)
{
	unsigned int tries;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	for (tries = 0; ; tries++) {
		mutex_lock(&ach->state_lock);
		*seqp = ach->reset_seq;
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
		if (*seqp == ach->reset_seq) {
			ach->unit_on_device = true;
			ach->unit_release = false;
			ach->unit_refs = 1;
			mutex_unlock(&ach->state_lock);
			*held = true;
			return 0;
		}
		/*
		 * A reset while the RESERVE was on its way: the changer may
		 * or may not hold the unit now. Ask again; after too many,
		 * leave a RELEASE to send.
		 */
		if (tries == AUTOCH_UA_RETRIES && !ach->unit_on_device)
			ach->unit_release = true;
		mutex_unlock(&ach->state_lock);
		if (tries == AUTOCH_UA_RETRIES)
			return -ECONNRESET;
	}
}

/*
 * Copy what to send again: the elements the table holds with RESERVE
 * ELEMENT on the device and their identifications (at most
 * AUTOCH_DEV_RESV_IDS), and the reset sequence; a reset met by one of
 * these commands empties the table under @state_lock alone. Returns how
 * many; 0 when the copies cannot be allocated. The caller frees both.
 */
unsigned int autoch_resv_snapshot(struct autoch_device *ach,
				  u16 **addrsp, u8 **idsp,
				  unsigned int *seqp)
{
	struct autoch_resv *r;
	unsigned int n = 0;

	*addrsp = kmalloc_array(AUTOCH_DEV_RESV_IDS, sizeof(**addrsp),
				GFP_KERNEL);
	*idsp = kmalloc(AUTOCH_DEV_RESV_IDS, GFP_KERNEL);
	if (!*addrsp || !*idsp)
		return 0;
	mutex_lock(&ach->state_lock);
	*seqp = ach->reset_seq;
	list_for_each_entry(r, &ach->resv, node) {
		if (r->how != AUTOCH_RESV_ELEMENT || n == AUTOCH_DEV_RESV_IDS)
			continue;
		(*addrsp)[n] = r->element;
		(*idsp)[n++] = r->dev_id;
	}
	mutex_unlock(&ach->state_lock);
	return n;
}

/*
 * A RELEASE without the Element bit dropped every reservation this
 * initiator held on the device (SMC-2 6.8): take the element ones again.
 */
static void autoch_rereserve(struct autoch_device *ach, struct autoch_file *af)
{
	unsigned int n, i, seq;
	bool reset;
	u16 *addrs;
	u8 *ids;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	n = autoch_resv_snapshot(ach, &addrs, &ids, &seq);

	for (i = 0; i < n; i++) {
		err = autoch_dev_resv(ach, af, true, true, addrs[i], ids[i]);
		mutex_lock(&ach->state_lock);
		reset = seq != ach->reset_seq;
		mutex_unlock(&ach->state_lock);
		/*
		 * A reset emptied the table: what this RESERVE may have left
		 * on the changer belongs to nobody, and the rest is not ours
		 * to send.
		 */
		if (reset) {
			if (!err)
				autoch_dev_resv(ach, af, false, true, addrs[i],
						ids[i]);
			break;
		}
		if (err)
			dev_warn_ratelimited(&ach->dev,
					     "element %u not reserved again: %d\n",
					     addrs[i], err);
	}
	kfree(ids);
	kfree(addrs);
}

/* RELEASE of the unit; a refusal is kept in @unit_release to send again. */
static int autoch_unit_release(struct autoch_device *ach,
			       struct autoch_file *af, unsigned int seq)
{
	int err;

	lockdep_assert_held(&ach->resv_lock);

	err = autoch_dev_resv(ach, af, false, false, 0, 0);
	mutex_lock(&ach->state_lock);
	/* a reset or a removed device ends it as a success would */
	if (seq == ach->reset_seq && !ach->unit_on_device)
		ach->unit_release = err && err != -ECONNRESET &&
				    err != -ENXIO && !ach->dead;
	mutex_unlock(&ach->state_lock);
	/* becoming ready at close: the unit is still held, @resv_work sends it */
	if (err == -EAGAIN)
		return err;
	if (err && err != -ECONNRESET && err != -ENXIO)
		dev_warn_ratelimited(&ach->dev,
				     "unit: RELEASE failed (%d), kept to retry\n",
				     err);
	autoch_rereserve(ach, af);
	return err;
}

static int autoch_unit_put(struct autoch_device *ach, struct autoch_file *af)
{
	bool release = false;
	unsigned int seq;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	seq = ach->reset_seq;
	/* a reset may have taken the reservation away meanwhile */
	if (ach->unit_on_device && !--ach->unit_refs) {
		ach->unit_on_device = false;
		release = true;
	}
	mutex_unlock(&ach->state_lock);
	if (!release || autoch_is_dead(ach))
		return 0;
	return autoch_unit_release(ach, af, seq);
}

static void autoch_clear_lost(struct autoch_device *ach, struct autoch_file *af)
{
	lockdep_assert_held(&ach->state_lock);
	af->unit_lost = false;
	af->nlost = 0;
}

/*
 * RELEASE one element reservation on the device, taken off its list in
 * reset sequence @seq. When the device refuses, the reservation is kept
 * on @stale with its identification, so that it is neither reused nor
 * forgotten while the changer still holds it: false. A reset since @seq
 * or a removed device ends it as a success would.
 */
static bool autoch_release_dev_id(struct autoch_device *ach,
				  struct autoch_file *af, struct autoch_resv *r,
				  unsigned int seq, int *errp)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (!autoch_is_dead(ach))
		err = autoch_dev_resv(ach, af, false, true, r->element,
				      r->dev_id);
	*errp = err;
	mutex_lock(&ach->state_lock);
	if (err && err != -ECONNRESET && err != -ENXIO && !ach->dead &&
	    seq == ach->reset_seq) {
		r->owner = NULL;
		/* becoming ready at close is no refusal: @resv_work sends it */
		if (err != -EAGAIN)
			r->refused = true;
		list_add_tail(&r->node, &ach->stale);
		mutex_unlock(&ach->state_lock);
		if (err != -EAGAIN)
			dev_warn_ratelimited(&ach->dev,
					     "element %u: RELEASE failed (%d), kept to retry\n",
					     r->element, err);
		return false;
	}
	/* a reset emptied the bitmap: nothing of ours to clear */
	if (seq == ach->reset_seq)
		__clear_bit(r->dev_id, ach->dev_ids);
	mutex_unlock(&ach->state_lock);
	return true;
}

/*
 * Send what no file waits for any more, under @resv_lock: ALLOW for a
 * closed last preventer, the RELEASEs of closed files and those the
 * device refused before, the unit references closed files dropped.
 */
void autoch_retry_stale(struct autoch_device *ach)
{
	unsigned int puts, seq;
	bool allow, unit, refused;
	struct autoch_resv *r;
	LIST_HEAD(todo);
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	/* another file may have prevented removal again meanwhile */
	allow = ach->allow_pending && !ach->preventers && !ach->dead;
	ach->allow_pending = false;
	list_splice_init(&ach->stale, &todo);
	seq = ach->reset_seq;
	puts = ach->unit_puts;
	ach->unit_puts = 0;
	mutex_unlock(&ach->state_lock);

	/* so that a crashed job does not leave the mail slots locked */
	if (allow) {
		err = autoch_allow_paths(ach, NULL, autoch_resv_wait(ach, NULL));
		autoch_resv_note(ach, err);
		if (err == -EAGAIN) {
			/* becoming ready at close: @resv_work sends it */
			mutex_lock(&ach->state_lock);
			ach->allow_pending = true;
			mutex_unlock(&ach->state_lock);
		} else if (err) {
			dev_warn_ratelimited(&ach->dev,
					     "ALLOW MEDIUM REMOVAL at close failed: %d\n",
					     err);
		}
	}

	while (!list_empty(&todo)) {
		r = list_first_entry(&todo, struct autoch_resv, node);
		list_del(&r->node);
		refused = r->refused;
		if (!autoch_release_dev_id(ach, NULL, r, seq, &err))
			continue;	/* back on @stale */
		if (refused)
			dev_info_ratelimited(&ach->dev,
					     "element %u: RELEASE sent again: %d\n",
					     r->element, err);
		kfree(r);
	}

	while (puts--)
		autoch_unit_put(ach, NULL);

	mutex_lock(&ach->state_lock);
	unit = ach->unit_release && !ach->unit_on_device && !ach->dead;
	seq = ach->reset_seq;
	mutex_unlock(&ach->state_lock);
	if (unit && !autoch_unit_release(ach, NULL, seq))
		dev_info_ratelimited(&ach->dev, "unit: RELEASE sent again\n");
}

/*
 * What a close left to send because @resv_lock was busy or the changer
 * was becoming ready: its commands wait up to ready_timeout for that,
 * and what still fails stays kept (logged) for the next try.
 */
void autoch_resv_work(struct work_struct *work)
{
	struct autoch_device *ach = container_of(work, struct autoch_device,
						 resv_work);

	mutex_lock(&ach->resv_lock);
	autoch_retry_stale(ach);
	mutex_unlock(&ach->resv_lock);
	put_device(&ach->dev);
}

/*
 * Drop @r, which the caller took off the list in reset sequence @seq, on
 * the device too.
 */
static int autoch_drop_resv(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_resv *r, unsigned int seq)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (r->how == AUTOCH_RESV_ELEMENT) {
		if (!autoch_release_dev_id(ach, af, r, seq, &err))
			return err;	/* @r is on @stale now */
	} else if (r->how == AUTOCH_RESV_UNIT) {
		err = autoch_unit_put(ach, af);
	}
	kfree(r);
	return err;
}

/*
 * RESERVE ELEMENT for @r under an identification of the driver's own: its
 * own again when @again and it is free (a reset met on the way freed it),
 * else the first free one; *@seqp is the reset sequence it was taken in.
 * -EBUSY when all identifications are in use, -EOPNOTSUPP when the
 * changer has no element reservations (remembered until the next reset).
 */
static int autoch_reserve_on_device(struct autoch_device *ach,
				    struct autoch_file *af,
				    struct autoch_resv *r, bool again,
				    unsigned int *seqp)
{
	unsigned long dev_id;
	int err;

	mutex_lock(&ach->state_lock);
	if (again && !test_bit(r->dev_id, ach->dev_ids))
		dev_id = r->dev_id;
	else
		dev_id = find_first_zero_bit(ach->dev_ids, AUTOCH_DEV_RESV_IDS);
	if (dev_id < AUTOCH_DEV_RESV_IDS) {
		__set_bit(dev_id, ach->dev_ids);
		r->dev_id = dev_id;
	}
	*seqp = ach->reset_seq;
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

/*
 * Reserve @r on the device, by element or through the unit, and return
 * with @state_lock held and the reset sequence unchanged since: a reset
 * that came meanwhile freed what was taken, so it is taken again.
 * On failure, @state_lock is not held and @r is gone.
 */
static int autoch_reserve_locked(struct autoch_device *ach,
				 struct autoch_file *af, struct autoch_resv *r)
{
	unsigned int tries, seq;
	bool held;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	for (tries = 0; ; tries++) {
		err = -EOPNOTSUPP;
		if (!test_bit(AUTOCH_QUIRK_NO_ELEM_RESV, &ach->quirks))
			err = autoch_reserve_on_device(ach, af, r, tries &&
						       r->how == AUTOCH_RESV_ELEMENT,
						       &seq);
		if (!err) {
			r->how = AUTOCH_RESV_ELEMENT;
		} else if (err == -EOPNOTSUPP) {
			/* no element reservations: the unit underneath */
			autoch_recovered(af);
			err = autoch_unit_get(ach, af, &held, &seq);
			if (err)
				goto err_free;
			r->how = held ? AUTOCH_RESV_UNIT : AUTOCH_RESV_LOCAL;
		} else {
			goto err_free;
		}
		mutex_lock(&ach->state_lock);
		if (seq == ach->reset_seq)
			return 0;
		if (tries == AUTOCH_UA_RETRIES)
			break;
		mutex_unlock(&ach->state_lock);
	}
	/* resets keep coming: what the changer may hold is released later */
	if (r->how == AUTOCH_RESV_ELEMENT) {
		__set_bit(r->dev_id, ach->dev_ids);
		r->owner = NULL;
		r->refused = true;
		list_add_tail(&r->node, &ach->stale);
	} else {
		if (r->how == AUTOCH_RESV_UNIT && !ach->unit_on_device)
			ach->unit_release = true;
		kfree(r);
	}
	mutex_unlock(&ach->state_lock);
	return -ECONNRESET;

err_free:
	kfree(r);
	return err;
}

/*
 * May @af reserve element @addr as @id? 0, with @again set when it holds
 * it so already (nothing to do); EBUSY when another file holds it or the
 * unit, or moves something through it; ENOSPC when the file holds as many
 * elements as the device has identifications for it.
 */
static int autoch_may_reserve(struct autoch_device *ach,
			      struct autoch_file *af, u16 addr, u8 id,
			      bool *again)
{
	unsigned int nheld = 0;
	struct autoch_resv *r, *old;
	bool elem_ok;
	int err = 0;

	*again = false;
	mutex_lock(&ach->state_lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->owner == af && r->how == AUTOCH_RESV_ELEMENT)
			nheld++;
	if ((ach->unit_owner && ach->unit_owner != af) ||
	    autoch_busy_by_others(ach, af, addr)) {
		err = -EBUSY;
	} else {
		old = autoch_find_resv(ach, addr);
		if (old && old->owner == af && old->id == id)
			*again = true;	/* already reserved: nothing to do */
		else if (old)
			err = -EBUSY;
	}
	elem_ok = !test_bit(AUTOCH_QUIRK_NO_ELEM_RESV, &ach->quirks);
	mutex_unlock(&ach->state_lock);
	if (err || *again)
		return err;
	/* a file may not take every identification of the device */
	if (elem_ok && nheld >= AUTOCH_FILE_RESV_IDS)
		return -ENOSPC;
	return 0;
}

int autoch_reserve_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id)
{
	struct autoch_resv *r;
	unsigned int seq;
	bool again;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	err = autoch_may_reserve(ach, af, addr, id, &again);
	if (err || again)
		return err;

	r = kzalloc_obj(*r, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->owner = af;
	r->element = addr;
	r->id = id;

	err = autoch_reserve_locked(ach, af, r);
	if (err)
		return err;

	/*
	 * A move that passed its check while the device was reserving must
	 * not land on a reserved element; one checked from now on sees @r.
	 */
	if (autoch_busy_by_others(ach, af, addr)) {
		seq = ach->reset_seq;
		mutex_unlock(&ach->state_lock);
		autoch_drop_resv(ach, af, r, seq);
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
}

int autoch_release_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id)
{
	unsigned int seq;
	struct autoch_resv *r;
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->state_lock);
	seq = ach->reset_seq;
	r = autoch_find_resv(ach, addr);
	if (r && (r->owner != af || r->id != id))
		err = -EBUSY;
	else if (r)
		list_del(&r->node);
	mutex_unlock(&ach->state_lock);
	/* nothing to release is not an error */
	if (err || !r)
		return err;
	return autoch_drop_resv(ach, af, r, seq);
}

int autoch_reserve_unit(struct autoch_device *ach, struct autoch_file *af)
{
	unsigned int tries, seq;
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

	/* a reset after the reference was taken dropped it: take it again */
	for (tries = 0; ; tries++) {
		err = autoch_unit_get(ach, af, &held, &seq);
		if (err)
			return err;
		mutex_lock(&ach->state_lock);
		if (seq == ach->reset_seq)
			break;
		mutex_unlock(&ach->state_lock);
		if (tries == AUTOCH_UA_RETRIES)
			return -ECONNRESET;
	}
	/* as for an element: no move of another file may still be on its way */
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
 * Everything @af holds goes when it is closed. What it held is detached
 * at once; the commands that undo it on the changer are sent here when
 * @resv_lock is free, else by @resv_work once the command that holds it
 * (another file's RESERVE may wait minutes for a changer becoming ready)
 * is done, so that close never waits behind it. Close does not wait for a
 * changer becoming ready either: what meets NOT READY 04/01 here is left
 * to @resv_work too.
 */
void autoch_release_all(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_resv *r, *tmp;
	bool deferred;

	mutex_lock(&ach->state_lock);
	list_for_each_entry_safe(r, tmp, &ach->resv, node) {
		if (r->owner != af)
			continue;
		list_del(&r->node);
		if (r->how == AUTOCH_RESV_ELEMENT) {
			r->owner = NULL;
			list_add_tail(&r->node, &ach->stale);
			continue;
		}
		if (r->how == AUTOCH_RESV_UNIT)
			ach->unit_puts++;
		kfree(r);
	}
	if (ach->unit_owner == af) {
		ach->unit_owner = NULL;
		ach->unit_puts++;
	}
	if (af->prevents) {
		af->prevents = false;
		if (!--ach->preventers)
			ach->allow_pending = true;
	}
	list_del(&af->node);
	mutex_unlock(&ach->state_lock);

	if (mutex_trylock(&ach->resv_lock)) {
		ach->resv_closing = true;
		ach->resv_deferred = false;
		autoch_retry_stale(ach);
		ach->resv_closing = false;
		deferred = ach->resv_deferred;
		mutex_unlock(&ach->resv_lock);
		if (!deferred)
			return;
	}
	mutex_lock(&ach->state_lock);
	/* remove flushes the work after it marked the device dead */
	if (!ach->dead) {
		get_device(&ach->dev);
		if (!queue_work(system_long_wq, &ach->resv_work))
			put_device(&ach->dev);
	}
	mutex_unlock(&ach->state_lock);
}
