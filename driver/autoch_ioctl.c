// SPDX-License-Identifier: GPL-2.0
/*
 * The whole user ABI of /dev/autochN in one file: the ioctl dispatch
 * and one handler per command, each copying its argument in, validating
 * every field, acting through the other files and copying a fully
 * initialised reply out. Every copy_from_user() and copy_to_user() of the
 * driver is here, as are the build-time checks of the uapi struct layouts.
 */

#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pr.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

static_assert(sizeof(struct element_addresses) == 16);
static_assert(sizeof(struct element_status) == 252);
static_assert(offsetof(struct element_status, sense_code) == 4);
static_assert(offsetof(struct element_status, bus_address) == 7);
static_assert(offsetof(struct element_status, sub_lun) == 8);
static_assert(offsetof(struct element_status, source_element) == 10);
static_assert(offsetof(struct element_status, pri_vol_tag) == 12);
static_assert(offsetof(struct element_status, alt_vol_tag) == 48);
static_assert(offsetof(struct element_status, misc_bytes) == 84);
static_assert(sizeof(struct reservation_parms) == 4);
static_assert(sizeof(struct move_medium_parms) == 8);
static_assert(sizeof(struct exchange_medium_parms) == 10);
static_assert(sizeof(union inquiry_data) == 128);
static_assert(sizeof(struct inquiry_2) == 128);
static_assert(offsetof(struct inquiry_2, vendor_id) == 8);
static_assert(offsetof(struct inquiry_2, vendor_parm_bytes) == 96);
static_assert(sizeof(union sense_data) == 131);
static_assert(sizeof(struct sense_2_aligned) == 131);
static_assert(offsetof(struct sense_2_aligned, add_sense_bytes) == 18);
static_assert(sizeof(struct xsense_aligned) == 128);
static_assert(sizeof(struct autoch_inquiry) == 264);
static_assert(sizeof(struct autoch_xsense) == 128);
static_assert(sizeof(struct autoch_status_range) == 16);
static_assert(sizeof(struct autoch_drive_id) == 72);
static_assert(sizeof(struct autoch_drive_devices) == 88);
static_assert(sizeof(struct autoch_reservation_state) == 264);
static_assert(sizeof(struct autoch_capabilities) == 16);
static_assert(sizeof(struct autoch_events) == 8);
static_assert(sizeof(struct autoch_open_close_ie) == 8);
static_assert(sizeof(struct autoch_position) == 8);

static int autoch_ioctl_init_elem_stat(struct autoch_device *ach,
				       struct autoch_file *af)
{
	static const u8 cdb[6] = { INITIALIZE_ELEMENT_STATUS };
	int err;

	/* it touches every element: not while someone else reserved one */
	mutex_lock(&ach->state_lock);
	err = autoch_check_reserved(ach, af, NULL, 0);
	if (!err && autoch_others_hold_elements(ach, af))
		err = -EBUSY;
	mutex_unlock(&ach->state_lock);
	if (err)
		return err;

	err = autoch_simple_cmd(ach, af, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(autoch_init_timeout));
	/* success or not, the inventory may have changed what we know */
	mutex_lock(&ach->state_lock);
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
	if (!err)
		autoch_post_event(ach, AUTOCH_EVENT_INVENTORY);
	return err;
}

static int autoch_ioctl_element_addresses(struct autoch_device *ach,
					  struct autoch_file *af,
					  void __user *argp)
{
	struct element_addresses ea = {};
	int err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ea.first_transport = ach->range[AUTOCH_MT - 1].first;
	ea.num_transports = ach->range[AUTOCH_MT - 1].count;
	ea.first_storage = ach->range[AUTOCH_ST - 1].first;
	ea.num_storages = ach->range[AUTOCH_ST - 1].count;
	ea.first_import_export = ach->range[AUTOCH_IE - 1].first;
	ea.num_import_exports = ach->range[AUTOCH_IE - 1].count;
	ea.first_data_transfer = ach->range[AUTOCH_DT - 1].first;
	ea.num_data_transfers = ach->range[AUTOCH_DT - 1].count;
	mutex_unlock(&ach->state_lock);

	if (copy_to_user(argp, &ea, sizeof(ea)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_element_status(struct autoch_device *ach,
				       struct autoch_file *af,
				       void __user *argp)
{
	struct element_status es;
	struct autoch_elem e;
	int type, err;
	u16 addr;

	if (get_user(addr, (u16 __user *)argp))
		return -EFAULT;
	/* the whole struct must be writable before anything is sent */
	if (!access_ok(argp, sizeof(es)))
		return -EFAULT;

	err = autoch_get_status(ach, af, addr, 0, &e, &type);
	if (err)
		return err;

	autoch_fill_status(&es, addr, type, &e);
	if (copy_to_user(argp, &es, sizeof(es)))
		return -EFAULT;
	return 0;
}

/*
 * A command that moves the robot (@moves: media, so it counts as in
 * flight meanwhile) or changes an element, once autoch_move_begin() has
 * admitted it; @check judges @parms against the element map.
 */
static int autoch_robot_cmd(struct autoch_device *ach, struct autoch_file *af,
			    const u8 *cdb, const u16 *addrs, unsigned int n,
			    bool moves,
			    int (*check)(struct autoch_device *ach,
					 const void *parms),
			    const void *parms)
{
	struct autoch_busy busy, *b = moves ? &busy : NULL;
	int err;

	err = autoch_move_begin(ach, af, b, addrs, n, check, parms);
	if (err)
		return err;
	/* never sent again blindly after a path failure */
	if (cdb[0] == MOVE_MEDIUM || cdb[0] == EXCHANGE_MEDIUM)
		err = autoch_move_cmd(ach, af, cdb, addrs);
	else
		err = autoch_simple_cmd(ach, af, cdb, COMMAND_SIZE(cdb[0]),
					NULL, 0, READ_ONCE(autoch_move_timeout));
	autoch_move_end(ach, b, false);
	return err;
}

static int autoch_move_check(struct autoch_device *ach, const void *parms)
{
	const struct move_medium_parms *mp = parms;

	if (!autoch_transport_ok(ach, mp->transport, mp->invert) ||
	    !autoch_leg_ok(ach, ach->move_caps, mp->source, mp->destination))
		return -EINVAL;
	return 0;
}

static int autoch_ioctl_move_medium(struct autoch_device *ach,
				    struct autoch_file *af, void __user *argp)
{
	struct move_medium_parms mp;
	u8 cdb[12] = { MOVE_MEDIUM };
	u16 addrs[3];

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	addrs[0] = mp.transport;
	addrs[1] = mp.source;
	addrs[2] = mp.destination;
	/* mp.resv is padding HP-UX programs never set: ignored */
	if (mp.invert > 1)
		return -EINVAL;

	put_unaligned_be16(mp.transport, cdb + 2);
	put_unaligned_be16(mp.source, cdb + 4);
	put_unaligned_be16(mp.destination, cdb + 6);
	cdb[10] = mp.invert;
	return autoch_robot_cmd(ach, af, cdb, addrs, ARRAY_SIZE(addrs), true,
				autoch_move_check, &mp);
}

static int autoch_exchange_check(struct autoch_device *ach, const void *parms)
{
	const struct exchange_medium_parms *xp = parms;

	if (!autoch_transport_ok(ach, xp->transport,
				 xp->invert_first || xp->invert_second) ||
	    !autoch_type_of(ach->range, xp->source) ||
	    !autoch_type_of(ach->range, xp->first_destination) ||
	    !autoch_type_of(ach->range, xp->second_destination))
		return -EINVAL;
	/* page 1Fh: a changer that exchanges nothing (a SuperLoader) */
	if (!(ach->exch_caps[0] | ach->exch_caps[1] |
	      ach->exch_caps[2] | ach->exch_caps[3]))
		return -EOPNOTSUPP;
	if (!autoch_leg_ok(ach, ach->exch_caps, xp->source,
			   xp->first_destination))
		return -EINVAL;
	return 0;
}

static int autoch_ioctl_exchange_medium(struct autoch_device *ach,
					struct autoch_file *af,
					void __user *argp)
{
	struct exchange_medium_parms xp;
	u8 cdb[12] = { EXCHANGE_MEDIUM };
	u16 addrs[4];

	if (copy_from_user(&xp, argp, sizeof(xp)))
		return -EFAULT;
	addrs[0] = xp.transport;
	addrs[1] = xp.source;
	addrs[2] = xp.first_destination;
	addrs[3] = xp.second_destination;
	if (xp.invert_first > 1 || xp.invert_second > 1)
		return -EINVAL;

	put_unaligned_be16(xp.transport, cdb + 2);
	put_unaligned_be16(xp.source, cdb + 4);
	put_unaligned_be16(xp.first_destination, cdb + 6);
	put_unaligned_be16(xp.second_destination, cdb + 8);
	cdb[10] = (xp.invert_second << 1) | xp.invert_first;
	return autoch_robot_cmd(ach, af, cdb, addrs, ARRAY_SIZE(addrs), true,
				autoch_exchange_check, &xp);
}

static int autoch_ioctl_reserve(struct autoch_device *ach,
				struct autoch_file *af, void __user *argp,
				bool reserve)
{
	struct reservation_parms rp;
	bool ok;
	int err;

	if (copy_from_user(&rp, argp, sizeof(rp)))
		return -EFAULT;
	if (rp.all_elements > 1)
		return -EINVAL;
	if (rp.all_elements && (rp.element || rp.identification))
		return -EINVAL;

	if (!rp.all_elements) {
		err = autoch_lock_map(ach, af);
		if (err)
			return err;
		ok = autoch_type_of(ach->range, rp.element);
		mutex_unlock(&ach->state_lock);
		if (!ok)
			return -EINVAL;
	}

	if (mutex_lock_interruptible(&ach->resv_lock))
		return -ERESTARTSYS;
	autoch_retry_stale(ach);
	if (rp.all_elements)
		err = reserve ? autoch_reserve_unit(ach, af) :
				autoch_release_unit(ach, af);
	else
		err = reserve ? autoch_reserve_element(ach, af, rp.element,
						       rp.identification) :
				autoch_release_element(ach, af, rp.element,
						       rp.identification);
	mutex_unlock(&ach->resv_lock);
	return err;
}

static int autoch_ioctl_reservations(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct autoch_reservation_state *st;
	struct autoch_resv *r;
	int err = 0;

	st = kzalloc_obj(*st, GFP_KERNEL);
	if (!st)
		return -ENOMEM;

	mutex_lock(&ach->state_lock);
	st->unit = ach->unit_owner == af;
	st->unit_lost = af->unit_lost;
	list_for_each_entry(r, &ach->resv, node) {
		if (r->owner != af)
			continue;
		if (st->num_elements < AUTOCH_MAX_RESERVED)
			st->elements[st->num_elements] = r->element;
		st->num_elements++;
	}
	st->num_lost = af->nlost;
	memcpy(st->lost, af->lost,
	       min_t(unsigned int, af->nlost, AUTOCH_MAX_RESERVED) * sizeof(u16));
	mutex_unlock(&ach->state_lock);

	if (copy_to_user(argp, st, sizeof(*st)))
		err = -EFAULT;
	kfree(st);
	return err;
}

/*
 * What reaches beyond this host or outlives the file (persistent
 * reservations, PREVENT MEDIUM REMOVAL) needs a descriptor opened for
 * writing, or CAP_SYS_ADMIN as block devices ask for PR ioctls.
 */
static bool autoch_may_write(const struct autoch_file *af)
{
	return af->may_write || capable(CAP_SYS_ADMIN);
}

static int autoch_ioctl_pr_register(struct autoch_device *ach,
				    struct autoch_file *af, void __user *argp)
{
	struct pr_registration reg;

	if (copy_from_user(&reg, argp, sizeof(reg)))
		return -EFAULT;
	if (reg.flags & ~PR_FL_IGNORE_KEY)
		return -EOPNOTSUPP;
	if (reg.__pad)
		return -EINVAL;
	return autoch_pr_register(ach, af,
				  reg.flags & PR_FL_IGNORE_KEY ?
				  AUTOCH_PRO_REGISTER_AND_IGNORE :
				  AUTOCH_PRO_REGISTER,
				  reg.old_key, reg.new_key);
}

/*
 * A PERSISTENT RESERVE OUT that names a type: no flags (EOPNOTSUPP), a
 * type <linux/pr.h> has.
 */
static int autoch_pr_out_typed(struct autoch_device *ach,
			       struct autoch_file *af, u8 sa, u32 flags,
			       u32 pr_type, u64 key, u64 sa_key)
{
	int type;

	if (flags)
		return -EOPNOTSUPP;
	type = autoch_pr_type_to_scsi(pr_type);
	if (type < 0)
		return type;
	return autoch_pr_out(ach, af, sa, type, key, sa_key);
}

static int autoch_ioctl_pr_clear(struct autoch_device *ach,
				 struct autoch_file *af, void __user *argp)
{
	struct pr_clear c;

	if (copy_from_user(&c, argp, sizeof(c)))
		return -EFAULT;
	if (c.flags)
		return -EOPNOTSUPP;
	if (c.__pad)
		return -EINVAL;
	return autoch_pr_out(ach, af, AUTOCH_PRO_CLEAR, 0, c.key, 0);
}

/* The PR ioctls that change something: a writer's descriptor or CAP_SYS_ADMIN. */
static int autoch_ioctl_pr(struct autoch_device *ach, struct autoch_file *af,
			   unsigned int cmd, void __user *argp)
{
	struct pr_reservation rsv;
	struct pr_preempt p;

	if (!autoch_may_write(af))
		return -EPERM;

	switch (cmd) {
	case IOC_PR_REGISTER:
		return autoch_ioctl_pr_register(ach, af, argp);
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE:
		if (copy_from_user(&rsv, argp, sizeof(rsv)))
			return -EFAULT;
		return autoch_pr_out_typed(ach, af, cmd == IOC_PR_RESERVE ?
					   AUTOCH_PRO_RESERVE : AUTOCH_PRO_RELEASE,
					   rsv.flags, rsv.type, rsv.key, 0);
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT:
		if (copy_from_user(&p, argp, sizeof(p)))
			return -EFAULT;
		return autoch_pr_out_typed(ach, af, cmd == IOC_PR_PREEMPT ?
					   AUTOCH_PRO_PREEMPT :
					   AUTOCH_PRO_PREEMPT_AND_ABORT,
					   p.flags, p.type, p.old_key, p.new_key);
	case IOC_PR_CLEAR:
		return autoch_ioctl_pr_clear(ach, af, argp);
	}
	return -ENOTTY;
}

static int autoch_ioctl_pr_read_keys(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct pr_read_keys rk;
	unsigned int len, avail, i;
	u32 generation, total, n;
	u64 __user *keys;
	u8 *buf;
	int err;

	if (copy_from_user(&rk, argp, sizeof(rk)))
		return -EFAULT;
	keys = u64_to_user_ptr(rk.keys_ptr);

	/*
	 * The 16-bit allocation length bounds what one command returns, and
	 * so does what the host transfers in one (a smaller buffer than the
	 * keys announced is read as far as it goes, below).
	 */
	len = 8 + 8 * min_t(u32, min_t(u32, rk.num_keys, (U16_MAX - 8) / 8),
			    (autoch_xfer_max(ach) - 8) / 8);
	err = autoch_pr_in(ach, af, AUTOCH_PRI_READ_KEYS, len, &buf,
			   &avail);
	if (err)
		return err;

	/* the keys the header announces, up to the buffer, must have come */
	err = autoch_pr_parse_keys(buf, avail, len, rk.num_keys, &generation,
				   &total, &n);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		if (put_user(get_unaligned_be64(buf + 8 + 8 * i), keys + i)) {
			err = -EFAULT;
			goto out;
		}
	}
	rk.generation = generation;
	rk.num_keys = total;
	if (copy_to_user(argp, &rk, sizeof(rk)))
		err = -EFAULT;
out:
	kfree(buf);
	return err;
}

static int autoch_ioctl_pr_read_reservation(struct autoch_device *ach,
					    struct autoch_file *af,
					    void __user *argp)
{
	struct pr_read_reservation rr = {};
	unsigned int avail;
	u8 *buf;
	int err;

	err = autoch_pr_in(ach, af, AUTOCH_PRI_READ_RESERVATION, 24, &buf,
			   &avail);
	if (err)
		return err;
	err = autoch_pr_parse_reservation(buf, avail, &rr);
	kfree(buf);
	if (err)
		return err;
	if (copy_to_user(argp, &rr, sizeof(rr)))
		return -EFAULT;
	return 0;
}

/* ---- Linux extensions ---- */

static int autoch_ioctl_status_range(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct element_status __user *out;
	struct autoch_status_range sr;
	struct element_status es;
	struct autoch_elem e;
	unsigned int i;
	int type, err;
	u64 since;
	bool ok;

	if (copy_from_user(&sr, argp, sizeof(sr)))
		return -EFAULT;
	if (sr.flags || !sr.count || sr.first + sr.count - 1 > U16_MAX)
		return -EINVAL;
	out = u64_to_user_ptr(sr.statuses);
	if (!access_ok(out, array_size(sr.count, sizeof(es))))
		return -EFAULT;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ok = true;
	for (i = 0; i < sr.count && ok; i++)
		ok = autoch_type_of(ach->range, sr.first + i);
	/* what is stored from now on was read during this call (never 0) */
	since = ach->res_seq + 1;
	mutex_unlock(&ach->state_lock);
	if (!ok)
		return -EINVAL;

	for (i = 0; i < sr.count; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		err = autoch_get_status(ach, af, sr.first + i, since, &e,
					&type);
		if (err)
			return err;
		autoch_fill_status(&es, sr.first + i, type, &e);
		if (copy_to_user(out + i, &es, sizeof(es)))
			return -EFAULT;
	}
	return 0;
}

static int autoch_ioctl_prevent_allow(struct autoch_device *ach,
				      struct autoch_file *af, void __user *argp)
{
	u32 prevent;
	int err;

	if (get_user(prevent, (u32 __user *)argp))
		return -EFAULT;
	if (prevent > 1)
		return -EINVAL;
	if (!autoch_may_write(af))
		return -EPERM;

	if (mutex_lock_interruptible(&ach->resv_lock))
		return -ERESTARTSYS;
	mutex_lock(&ach->state_lock);
	err = ach->unit_owner && ach->unit_owner != af ? -EBUSY : 0;
	/*
	 * The device keeps one state per initiator: ALLOW goes to it only
	 * when no other file of this host prevents removal.
	 */
	if (!err && !prevent &&
	    ach->preventers > (af->prevents ? 1 : 0)) {
		if (af->prevents) {
			af->prevents = false;
			ach->preventers--;
		}
		err = 1;
	}
	mutex_unlock(&ach->state_lock);
	if (!err && prevent)
		err = autoch_prevent_removal(ach, af);
	else if (!err)
		err = autoch_allow_paths(ach, af, AUTOCH_WAIT_INTR);
	if (!err) {
		mutex_lock(&ach->state_lock);
		if (af->prevents != !!prevent) {
			af->prevents = prevent;
			if (prevent)
				ach->preventers++;
			else
				ach->preventers--;
		}
		mutex_unlock(&ach->state_lock);
	}
	mutex_unlock(&ach->resv_lock);
	return min(err, 0);
}

/*
 * The mail slot (SMC-3 6.7). Opening it hands the element to the operator
 * and changes what every host sees of it (Access, InEnab, ExEnab): a
 * writer's descriptor or CAP_SYS_ADMIN, as for PREVENT, and not while
 * another file holds it or the unit. A changer without import/export
 * elements has no mail slot to open: EOPNOTSUPP, as from one that refuses
 * the command (20/00).
 */
static int autoch_open_close_check(struct autoch_device *ach,
				   const void *parms)
{
	const struct autoch_open_close_ie *oc = parms;

	if (!ach->range[AUTOCH_IE - 1].count)
		return -EOPNOTSUPP;
	if (autoch_type_of(ach->range, oc->element) != AUTOCH_IE)
		return -EINVAL;
	return 0;
}

static int autoch_ioctl_open_close_ie(struct autoch_device *ach,
				      struct autoch_file *af,
				      void __user *argp)
{
	u8 cdb[6] = { AUTOCH_OPEN_CLOSE_IMPORT_EXPORT };
	struct autoch_open_close_ie oc;

	if (copy_from_user(&oc, argp, sizeof(oc)))
		return -EFAULT;
	if (oc.action > AUTOCH_IE_CLOSE || memchr_inv(oc.resv, 0, sizeof(oc.resv)))
		return -EINVAL;
	if (!autoch_may_write(af))
		return -EPERM;

	put_unaligned_be16(oc.element, cdb + 2);
	cdb[4] = oc.action;
	/* success or not, the element's Access and enable bits may differ */
	return autoch_robot_cmd(ach, af, cdb, &oc.element, 1, false,
				autoch_open_close_check, &oc);
}

/*
 * POSITION TO ELEMENT (SMC-3 6.8) moves the robot as MOVE MEDIUM does and
 * needs what a move needs: no more than an open descriptor, and elements
 * no other file holds. It counts as a move in flight meanwhile.
 */
static int autoch_position_check(struct autoch_device *ach,
				 const void *parms)
{
	const struct autoch_position *pos = parms;

	if (!autoch_transport_ok(ach, pos->transport, pos->invert) ||
	    !autoch_type_of(ach->range, pos->destination))
		return -EINVAL;
	return 0;
}

static int autoch_ioctl_position(struct autoch_device *ach,
				 struct autoch_file *af, void __user *argp)
{
	u8 cdb[10] = { POSITION_TO_ELEMENT };
	struct autoch_position pos;
	u16 addrs[2];

	if (copy_from_user(&pos, argp, sizeof(pos)))
		return -EFAULT;
	if (pos.invert > 1 || memchr_inv(pos.resv, 0, sizeof(pos.resv)))
		return -EINVAL;
	addrs[0] = pos.transport;
	addrs[1] = pos.destination;

	put_unaligned_be16(pos.transport, cdb + 2);
	put_unaligned_be16(pos.destination, cdb + 4);
	cdb[8] = pos.invert;
	return autoch_robot_cmd(ach, af, cdb, addrs, ARRAY_SIZE(addrs), true,
				autoch_position_check, &pos);
}

static int autoch_ioctl_drive_id(struct autoch_device *ach,
				 struct autoch_file *af, void __user *argp)
{
	struct autoch_drive_id id;
	u16 addr;
	int err;

	if (get_user(addr, (u16 __user *)argp))
		return -EFAULT;
	err = autoch_read_drive_id(ach, af, addr, &id);
	if (err)
		return err;
	/* the drive's link follows what the changer says now */
	autoch_drives_seen_id(ach, &id);
	if (copy_to_user(argp, &id, sizeof(id)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_drive_devices(struct autoch_device *ach,
				      struct autoch_file *af,
				      void __user *argp)
{
	struct autoch_drive_devices dd;
	int err;

	if (get_user(dd.element, (u16 __user *)argp))
		return -EFAULT;
	err = autoch_drive_devices(ach, af, &dd);
	if (err)
		return err;
	if (copy_to_user(argp, &dd, sizeof(dd)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_capabilities(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct autoch_capabilities caps = {};
	int err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	memcpy(caps.move_from, ach->move_caps, sizeof(caps.move_from));
	memcpy(caps.exchange_from, ach->exch_caps, sizeof(caps.exchange_from));
	caps.can_store = ach->store_caps;
	if (ach->rotate)
		caps.num_rotating = bitmap_weight(ach->rotate,
						  ach->range[AUTOCH_MT - 1].count);
	mutex_unlock(&ach->state_lock);

	if (copy_to_user(argp, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_inquiry(struct autoch_device *ach, void __user *argp)
{
	struct scsi_device *sdev = ach->sdev;
	struct autoch_inquiry inq = {};

	inq.dev_type = sdev->type;
	inq.length = min_t(unsigned int, sdev->inquiry_len, sizeof(inq.data));
	if (sdev->inquiry)
		memcpy(inq.data, sdev->inquiry, inq.length);
	else
		inq.length = 0;

	if (copy_to_user(argp, &inq, sizeof(inq)))
		return -EFAULT;
	return 0;
}

/*
 * HP-UX's SIOC_INQUIRY: the first 128 bytes of the INQUIRY data, as bytes
 * (the union's bit-fields are declared to read them in either byte
 * order); zero beyond what the device returned.
 */
static int autoch_ioctl_hpux_inquiry(struct autoch_device *ach,
				     void __user *argp)
{
	struct scsi_device *sdev = ach->sdev;
	u8 inq[sizeof(union inquiry_data)] = {};

	if (sdev->inquiry)
		memcpy(inq, sdev->inquiry,
		       min_t(unsigned int, sdev->inquiry_len, sizeof(inq)));
	if (copy_to_user(argp, inq, sizeof(inq)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_xsense(struct autoch_file *af, unsigned int cmd,
			       void __user *argp)
{
	u8 sense[sizeof(union sense_data)] = {};
	struct autoch_xsense xs;

	spin_lock(&af->xsense_lock);
	xs = af->xsense;
	spin_unlock(&af->xsense_lock);

	if (cmd == AUTOCH_XSENSE) {
		if (copy_to_user(argp, &xs, sizeof(xs)))
			return -EFAULT;
		return 0;
	}
	/* HP-UX's SIOC_XSENSE: the sense bytes alone, zero when none */
	memcpy(sense, xs.sense, min_t(unsigned int, xs.sense_len,
				      sizeof(xs.sense)));
	if (copy_to_user(argp, sense, sizeof(sense)))
		return -EFAULT;
	return 0;
}

/*
 * AUTOCH_GET_EVENTS and HP-UX's SIOC_MEDIUM_CHANGED keep separate state in
 * each open file: reading one never clears what the other would report.
 */
static int autoch_ioctl_events(struct autoch_device *ach,
			       struct autoch_file *af, unsigned int cmd,
			       void __user *argp)
{
	struct autoch_events ev;
	int changed;

	mutex_lock(&ach->state_lock);
	ev.events = af->events;
	ev.count = af->nevents;
	changed = af->medium_changed;
	if (cmd == AUTOCH_GET_EVENTS) {
		af->events = 0;
		af->nevents = 0;
	} else {
		af->medium_changed = false;
	}
	mutex_unlock(&ach->state_lock);

	if (cmd == SIOC_MEDIUM_CHANGED)
		return put_user(changed, (int __user *)argp);
	if (copy_to_user(argp, &ev, sizeof(ev)))
		return -EFAULT;
	return 0;
}

/*
 * What a call needs before it goes on (autoch_before_call()), in rising
 * order: each class needs what the one before it does.
 *
 * AUTOCH_CALL_LOCAL: answers from what the driver holds (the inquiry data
 * read at probe, the events, the sense) and sends nothing: it waits for
 * nothing.
 *
 * AUTOCH_CALL_TABLE: AUTOCH_RESERVATIONS sends nothing either, but its
 * answer is what a re-take pending after a failover settles (held or
 * lost): it waits for that.
 *
 * AUTOCH_CALL_SENDS: sends commands whose meaning a reset does not change
 * (element addresses and status, drive identifiers and devices,
 * capabilities, the PR IN calls; positioning and the import/export door,
 * which no reservation covers). They go after the re-take, so that they
 * run under the reservations held before the failover, as the program
 * expects (a unit reservation keeps other hosts out).
 *
 * AUTOCH_CALL_CHANGES: the calls whose meaning a reset changes, those
 * that change something on the changer (media, inventory, reservations,
 * prevention, a raw command) and would do it without the reservations
 * the reset took away. After a reset a file that held reservations hears
 * ECONNRESET once, from the first of these; the other classes neither
 * report nor consume that notice.
 */
enum autoch_call {
	AUTOCH_CALL_UNKNOWN,
	AUTOCH_CALL_LOCAL,
	AUTOCH_CALL_TABLE,
	AUTOCH_CALL_SENDS,
	AUTOCH_CALL_CHANGES,
};

static enum autoch_call autoch_call_class(unsigned int cmd)
{
	switch (cmd) {
	case SIOC_INQUIRY:
	case AUTOCH_INQUIRY:
	case AUTOCH_GET_EVENTS:
	case SIOC_MEDIUM_CHANGED:
	case SIOC_XSENSE:
	case AUTOCH_XSENSE:
		return AUTOCH_CALL_LOCAL;
	case AUTOCH_RESERVATIONS:
		return AUTOCH_CALL_TABLE;
	case SIOC_ELEMENT_ADDRESSES:
	case SIOC_ELEMENT_STATUS:
	case AUTOCH_ELEMENT_STATUS_RANGE:
	case AUTOCH_DRIVE_ID:
	case AUTOCH_DRIVE_DEVICES:
	case AUTOCH_CAPABILITIES:
	case AUTOCH_OPEN_CLOSE_IE:
	case AUTOCH_POSITION_TO_ELEMENT:
	case IOC_PR_READ_KEYS:
	case IOC_PR_READ_RESERVATION:
		return AUTOCH_CALL_SENDS;
	case SIOC_INIT_ELEM_STAT:
	case SIOC_RESERVE:
	case SIOC_RELEASE:
	case SIOC_MOVE_MEDIUM:
	case SIOC_EXCHANGE_MEDIUM:
	case AUTOCH_PREVENT_ALLOW:
	case AUTOCH_SIOC_IO64:
	case AUTOCH_SIOC_IO32:
	case IOC_PR_REGISTER:
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE:
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT:
	case IOC_PR_CLEAR:
		return AUTOCH_CALL_CHANGES;
	default:
		return AUTOCH_CALL_UNKNOWN;
	}
}

/*
 * Before a call of class @call: a number the driver does not know is
 * ENOTTY, and a call that needs nothing goes straight on. The others wait
 * for the reservations to be taken again after a failover (or a reset the
 * driver could not place), a wait a signal ends; then, HP-UX's rule, a
 * holder of reservations that a reset took away, or that could not be
 * taken again, hears of it once.
 */
static int autoch_before_call(struct autoch_device *ach,
			      struct autoch_file *af, enum autoch_call call)
{
	int err;

	if (call == AUTOCH_CALL_UNKNOWN)
		return -ENOTTY;
	if (call == AUTOCH_CALL_LOCAL)
		return 0;
	if (READ_ONCE(ach->retake_gen) != READ_ONCE(ach->retaken_gen)) {
		err = autoch_retake(ach, true);
		if (err)
			return err;
	}
	if (call == AUTOCH_CALL_CHANGES && autoch_take_reset(ach, af))
		return -ECONNRESET;
	return 0;
}

static long autoch_dispatch(struct autoch_device *ach, struct autoch_file *af,
			    unsigned int cmd, enum autoch_call call,
			    void __user *argp)
{
	int err = autoch_before_call(ach, af, call);

	if (err)
		return err;

	switch (cmd) {
	case AUTOCH_RESERVATIONS:
		return autoch_ioctl_reservations(ach, af, argp);
	case AUTOCH_GET_EVENTS:
	case SIOC_MEDIUM_CHANGED:
		return autoch_ioctl_events(ach, af, cmd, argp);
	case SIOC_INIT_ELEM_STAT:
		return autoch_ioctl_init_elem_stat(ach, af);
	case SIOC_ELEMENT_ADDRESSES:
		return autoch_ioctl_element_addresses(ach, af, argp);
	case SIOC_ELEMENT_STATUS:
		return autoch_ioctl_element_status(ach, af, argp);
	case SIOC_RESERVE:
		return autoch_ioctl_reserve(ach, af, argp, true);
	case SIOC_RELEASE:
		return autoch_ioctl_reserve(ach, af, argp, false);
	case SIOC_MOVE_MEDIUM:
		return autoch_ioctl_move_medium(ach, af, argp);
	case SIOC_EXCHANGE_MEDIUM:
		return autoch_ioctl_exchange_medium(ach, af, argp);
	case SIOC_INQUIRY:
		return autoch_ioctl_hpux_inquiry(ach, argp);
	case AUTOCH_INQUIRY:
		return autoch_ioctl_inquiry(ach, argp);
	case AUTOCH_ELEMENT_STATUS_RANGE:
		return autoch_ioctl_status_range(ach, af, argp);
	case AUTOCH_PREVENT_ALLOW:
		return autoch_ioctl_prevent_allow(ach, af, argp);
	case AUTOCH_DRIVE_ID:
		return autoch_ioctl_drive_id(ach, af, argp);
	case AUTOCH_CAPABILITIES:
		return autoch_ioctl_capabilities(ach, af, argp);
	case AUTOCH_DRIVE_DEVICES:
		return autoch_ioctl_drive_devices(ach, af, argp);
	case AUTOCH_OPEN_CLOSE_IE:
		return autoch_ioctl_open_close_ie(ach, af, argp);
	case AUTOCH_POSITION_TO_ELEMENT:
		return autoch_ioctl_position(ach, af, argp);
	case AUTOCH_SIOC_IO64:
	case AUTOCH_SIOC_IO32:
		return autoch_ioctl_sctl_io(ach, af, cmd, argp);
	case IOC_PR_REGISTER:
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE:
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT:
	case IOC_PR_CLEAR:
		return autoch_ioctl_pr(ach, af, cmd, argp);
	case IOC_PR_READ_KEYS:
		return autoch_ioctl_pr_read_keys(ach, af, argp);
	case IOC_PR_READ_RESERVATION:
		return autoch_ioctl_pr_read_reservation(ach, af, argp);
	default:
		return -ENOTTY;
	}
}

/*
 * SIOC_XSENSE reports the last command that failed in a call that failed:
 * a command the call recovered from does not count. Threads sharing one
 * open file share this record.
 */
long autoch_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;
	enum autoch_call call = autoch_call_class(cmd);
	long ret;

	if (autoch_is_dead(ach))
		return -ENXIO;
	if (cmd == SIOC_XSENSE || cmd == AUTOCH_XSENSE)
		return autoch_ioctl_xsense(af, cmd, (void __user *)arg);

	spin_lock(&af->xsense_lock);
	af->pending_valid = false;
	spin_unlock(&af->xsense_lock);

	ret = autoch_dispatch(ach, af, cmd, call, (void __user *)arg);
	/*
	 * A unit attention met on the way may mean another drive in some
	 * element: the identifiers are read again now, once, after the
	 * call's own commands; not after a call that sends none, nor after
	 * a raw command (SIOC_IO), whose caller owns what goes on the wire
	 * in its call, nor after a call that failed.
	 */
	if (!ret && call >= AUTOCH_CALL_SENDS && cmd != AUTOCH_SIOC_IO64 &&
	    cmd != AUTOCH_SIOC_IO32)
		autoch_drives_refresh(ach);

	spin_lock(&af->xsense_lock);
	if (ret && af->pending_valid) {
		/* what the program sees of a signal: never ERESTARTSYS */
		af->pending.error = ret == -ERESTARTSYS ? EINTR : -ret;
		af->xsense = af->pending;
	}
	spin_unlock(&af->xsense_lock);
	return ret;
}
