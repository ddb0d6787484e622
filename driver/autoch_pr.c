// SPDX-License-Identifier: GPL-2.0
/*
 * Persistent reservations (SPC-4 6.15, 6.16): PERSISTENT RESERVE IN and
 * OUT and the mapping between <linux/pr.h> reservation types and SCSI's.
 * The IOC_PR_* ioctls that use them are in autoch_ioctl.c.
 */

#include <linux/blkdev.h>
#include <linux/pr.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/* ---- persistent reservations (SPC-4 6.15, 6.16; <linux/pr.h>) ---- */

/*
 * <linux/pr.h> reservation types to SPC-4's (table 169). Newer kernels
 * have this mapping in <scsi/scsi_common.h> (block_pr_type_to_scsi()), 6.1
 * has it only inside sd.c, hence this table.
 */
static const u8 autoch_pr_types[] = {
	[PR_WRITE_EXCLUSIVE] = 0x01,
	[PR_EXCLUSIVE_ACCESS] = 0x03,
	[PR_WRITE_EXCLUSIVE_REG_ONLY] = 0x05,
	[PR_EXCLUSIVE_ACCESS_REG_ONLY] = 0x06,
	[PR_WRITE_EXCLUSIVE_ALL_REGS] = 0x07,
	[PR_EXCLUSIVE_ACCESS_ALL_REGS] = 0x08,
};

int autoch_pr_type_to_scsi(u32 type)
{
	if (type >= ARRAY_SIZE(autoch_pr_types) || !autoch_pr_types[type])
		return -EINVAL;
	return autoch_pr_types[type];
}

u32 autoch_pr_type_from_scsi(u8 scsi_type)
{
	u32 t;

	for (t = 0; t < ARRAY_SIZE(autoch_pr_types); t++)
		if (autoch_pr_types[t] && autoch_pr_types[t] == scsi_type)
			return t;
	return 0;
}

/*
 * PERSISTENT RESERVE OUT @sa on @path, or on the path picked for it as
 * for every command (NULL).
 */
static int autoch_pr_out_on(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_path *path, u8 sa, u8 scsi_type,
			    u64 key, u64 sa_key)
{
	u8 cdb[10] = { PERSISTENT_RESERVE_OUT, sa, scsi_type };
	u8 param[AUTOCH_PR_PARAM_LEN] = {};
	struct scsi_sense_hdr sshdr;
	int err;

	put_unaligned_be32(sizeof(param), cdb + 5);
	put_unaligned_be64(key, param);
	put_unaligned_be64(sa_key, param + 8);
	/*
	 * SPC-4 6.16.3: APTPL, the registrations survive a power loss of
	 * the changer, as Linux's sd asks for every REGISTER (6.1 and the
	 * newest alike). A changer without persist through power loss
	 * refuses it (26/00): register without, and remember that until the
	 * next reset.
	 */
	if ((sa == AUTOCH_PRO_REGISTER || sa == AUTOCH_PRO_REGISTER_AND_IGNORE) &&
	    !test_bit(AUTOCH_QUIRK_NO_APTPL, &ach->quirks))
		param[20] = 0x01;
	err = autoch_simple_cmd_path(ach, af, path, cdb, sizeof(cdb), param,
				     sizeof(param),
				     READ_ONCE(autoch_cmd_timeout), &sshdr,
				     AUTOCH_WAIT_INTR);
	if (param[20] && err == -EINVAL && sshdr.asc == 0x26) {
		set_bit(AUTOCH_QUIRK_NO_APTPL, &ach->quirks);
		autoch_recovered(af);
		param[20] = 0;
		err = autoch_simple_cmd_path(ach, af, path, cdb, sizeof(cdb),
					     param, sizeof(param),
					     READ_ONCE(autoch_cmd_timeout),
					     NULL, AUTOCH_WAIT_INTR);
	}
	return err;
}

int autoch_pr_out(struct autoch_device *ach, struct autoch_file *af,
		  u8 sa, u8 scsi_type, u64 key, u64 sa_key)
{
	return autoch_pr_out_on(ach, af, NULL, sa, scsi_type, key, sa_key);
}

static void autoch_pr_note(struct autoch_device *ach, struct autoch_path *path,
			   int err)
{
	mutex_lock(&ach->state_lock);
	path->pr_error = err;
	mutex_unlock(&ach->state_lock);
}

/*
 * After the active path @done registered @sa_key (0: unregistered): the
 * same on every other path neither failed nor disabled, with REGISTER AND
 * IGNORE EXISTING KEY (SPC-4 5.13), which needs no old key there. No
 * caller's file: a unit attention or a reset notice met there is not the
 * call's. One that fails is recorded (pr_error of the path, the log).
 */
static void autoch_pr_register_others(struct autoch_device *ach,
				      struct autoch_path *done, u64 sa_key)
{
	struct autoch_path *paths[AUTOCH_PATHS_MAX];
	unsigned int n, i;
	int err;

	n = autoch_paths_usable(ach, done, paths, ARRAY_SIZE(paths));
	for (i = 0; i < n; i++) {
		err = autoch_pr_out_on(ach, NULL, paths[i],
				       AUTOCH_PRO_REGISTER_AND_IGNORE, 0, 0,
				       sa_key);
		autoch_pr_note(ach, paths[i], err);
		if (err)
			dev_warn_ratelimited(&ach->dev,
					     "path %s: PR registration failed: %d\n",
					     dev_name(&paths[i]->sdev->sdev_gendev),
					     err);
		autoch_path_put(paths[i]);
	}
}

/**
 * autoch_pr_register() - PR OUT REGISTER on every path
 * @ach: the changer
 * @af: the caller's open file
 * @sa: REGISTER or REGISTER AND IGNORE EXISTING KEY
 * @key: the reservation key the caller holds (REGISTER)
 * @sa_key: the key to register, 0 to unregister
 *
 * Each path is another I_T nexus, registered on its own (SPC-4 5.13):
 * the call goes to the active path first, as the caller asked; when the
 * changer accepts it there, to every other path that works, so that a
 * failover finds the new path registered with the same key. The call's
 * result is the active path's: a standby that fails does not fail it.
 *
 * Return: 0 or the errno of the active path's command.
 */
int autoch_pr_register(struct autoch_device *ach, struct autoch_file *af,
		       u8 sa, u64 key, u64 sa_key)
{
	struct autoch_path *path;
	int err;

	path = autoch_path_get(ach, NULL);
	if (!path)
		return -ENXIO;
	err = autoch_pr_out_on(ach, af, path, sa, 0, key, sa_key);
	autoch_pr_note(ach, path, err);
	if (!err)
		autoch_pr_register_others(ach, path, sa_key);
	autoch_path_put(path);
	return err;
}

/*
 * PERSISTENT RESERVE IN into a fresh buffer of @len bytes, which the
 * caller bounds by autoch_xfer_max(); *@availp is what arrived (the rest
 * of the buffer is zero).
 */
int autoch_pr_in(struct autoch_device *ach, struct autoch_file *af,
		 u8 sa, unsigned int len, u8 **bufp,
		 unsigned int *availp)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->buf = kzalloc(len, GFP_KERNEL);
	if (!cmd->buf) {
		kfree(cmd);
		return -ENOMEM;
	}
	cmd->cdb[0] = PERSISTENT_RESERVE_IN;
	cmd->cdb[1] = sa;
	put_unaligned_be16(len, cmd->cdb + 7);
	cmd->cdb_len = 10;
	cmd->len = len;
	cmd->timeout = READ_ONCE(autoch_cmd_timeout) * HZ;
	err = autoch_do_cmd(ach, af, cmd);
	if (err) {
		kfree(cmd->buf);
	} else {
		*bufp = cmd->buf;
		*availp = autoch_cmd_avail(cmd);
	}
	kfree(cmd);
	return err;
}

/*
 * A READ KEYS reply of @avail bytes to an allocation length of @len: the
 * PRgeneration, the number of keys registered (*@total) and how many of
 * them, up to @room, the reply holds from byte 8 on (*@n). -EIO when fewer
 * keys arrived than the header announces, up to the allocation length.
 */
int autoch_pr_parse_keys(const u8 *buf, unsigned int avail, unsigned int len,
			 u32 room, u32 *generation, u32 *total, u32 *n)
{
	if (avail < 8 ||
	    avail < min_t(u64, len, 8ULL + get_unaligned_be32(buf + 4)))
		return -EIO;
	*generation = get_unaligned_be32(buf);
	*total = get_unaligned_be32(buf + 4) / 8;
	*n = min3(*total, room, (len - 8) / 8);
	return 0;
}

/*
 * A READ RESERVATION reply of @avail bytes into @rr (zeroed by the
 * caller): the generation, and the holder's key and type when there is a
 * reservation; -EIO when less arrived than the header announces.
 */
int autoch_pr_parse_reservation(const u8 *buf, unsigned int avail,
				struct pr_read_reservation *rr)
{
	if (avail < 8 || (get_unaligned_be32(buf + 4) >= 16 && avail < 24))
		return -EIO;
	rr->generation = get_unaligned_be32(buf);
	if (get_unaligned_be32(buf + 4) >= 16) {
		rr->key = get_unaligned_be64(buf + 8);
		rr->type = autoch_pr_type_from_scsi(buf[21] & 0x0f);
	}
	return 0;
}
