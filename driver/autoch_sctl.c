// SPDX-License-Identifier: GPL-2.0
/*
 * SIOC_IO, HP-UX's pass-through (sioc_io(7)): one SCSI command as the
 * caller wrote it, in struct sctl_io (both its 64-bit and 32-bit layouts,
 * struct autoch_sctl_io64/32 in autoch.h). Who may send what is Linux's
 * SCSI pass-through policy (scsi_cmd_allowed()). The command meets the
 * driver's state as its own commands do: MOVE and EXCHANGE MEDIUM are
 * checked against other files' reservations and count as moves in flight,
 * commands that change the library drop the status cache, reservation
 * commands and PREVENT ALLOW MEDIUM REMOVAL are refused (the driver's
 * table and count would lie), and a unit
 * attention reaches the reset and event handling. The dispatch is in
 * autoch_ioctl.c.
 *
 * Two commands go further than that policy: OPEN/CLOSE IMPORT/EXPORT
 * ELEMENT (1Bh), which it takes for START STOP UNIT and lets any
 * descriptor send, needs what AUTOCH_OPEN_CLOSE_IE needs (a writer's
 * descriptor or CAP_SYS_ADMIN) and meets other files' reservations of
 * its element; POSITION TO ELEMENT meets them as a move does and counts
 * as a move in flight.
 */

#include <linux/blkdev.h>
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

#define AUTOCH_SCTL_READ		0x1
#define AUTOCH_SCTL_FLAGS		0xf	/* READ, INIT_WDTR, INIT_SDTR, NO_ATN */
#define AUTOCH_SCTL_SELECT_TIMEOUT	0x200
#define AUTOCH_SCTL_INCOMPLETE		0x400

/* SMC-3 6.4: INITIALIZE ELEMENT STATUS WITH RANGE (no kernel name) */
#define AUTOCH_INIT_ELEM_STAT_RANGE	0x37

static_assert(sizeof(struct autoch_sctl_io64) == 376);
static_assert(offsetof(struct autoch_sctl_io64, data) == 24);
static_assert(sizeof(struct autoch_sctl_io32) == 372);
static_assert(offsetof(struct autoch_sctl_io32, t.data_length) == 28);

/*
 * Read either layout into the 64-bit one. The output fields come after
 * the input ones in both, so only the part up to data_xfer is read.
 */
static int autoch_sctl_get(struct autoch_sctl_io64 *io, unsigned int cmd,
			   void __user *argp)
{
	struct autoch_sctl_io32 io32;

	memset(io, 0, sizeof(*io));
	if (cmd == AUTOCH_SIOC_IO64)
		return copy_from_user(io, argp, sizeof(*io)) ? -EFAULT : 0;
	if (copy_from_user(&io32, argp, sizeof(io32)))
		return -EFAULT;
	io->h = io32.h;
	io->data = io32.data;
	io->t.data_length = io32.t.data_length;
	io->t.max_msecs = io32.t.max_msecs;
	memcpy(io->t.reserved, io32.t.reserved, sizeof(io->t.reserved));
	return 0;
}

static int autoch_sctl_put(const struct autoch_sctl_io64 *io, unsigned int cmd,
			   void __user *argp)
{
	struct autoch_sctl_io32 io32;

	if (cmd == AUTOCH_SIOC_IO64)
		return copy_to_user(argp, io, sizeof(*io)) ? -EFAULT : 0;
	memset(&io32, 0, sizeof(io32));
	io32.h = io->h;
	io32.data = io->data;
	io32.t = io->t;
	return copy_to_user(argp, &io32, sizeof(io32)) ? -EFAULT : 0;
}

/*
 * Commands after which the cached element status (and, for MODE SELECT,
 * the element map) may be wrong: SMC-3 6.x and SPC-4 6.x.
 */
static bool autoch_sctl_changes(u8 opcode, bool *map_too)
{
	*map_too = opcode == MODE_SELECT || opcode == MODE_SELECT_10;
	switch (opcode) {
	case INITIALIZE_ELEMENT_STATUS:
	case AUTOCH_INIT_ELEM_STAT_RANGE:
	case AUTOCH_OPEN_CLOSE_IMPORT_EXPORT:
	case POSITION_TO_ELEMENT:
	case MOVE_MEDIUM:
	case EXCHANGE_MEDIUM:
	case SEND_VOLUME_TAG:
	case MODE_SELECT:
	case MODE_SELECT_10:
	case WRITE_BUFFER:
		return true;
	}
	return false;
}

/*
 * Reservation commands would make the driver's table lie (it knows what
 * SIOC_RESERVE and IOC_PR_* did, not what a pass-through did), and so
 * would PREVENT ALLOW MEDIUM REMOVAL its count of the files that prevent
 * removal (ALLOW is sent when the last one goes): refused.
 */
static bool autoch_sctl_reservation(u8 opcode)
{
	switch (opcode) {
	case RESERVE_6:		/* RESERVE ELEMENT(6) */
	case RELEASE_6:		/* RELEASE ELEMENT(6) */
	case RESERVE_10:	/* RESERVE ELEMENT(10) */
	case RELEASE_10:	/* RELEASE ELEMENT(10) */
	case PERSISTENT_RESERVE_OUT:
	case ALLOW_MEDIUM_REMOVAL:	/* PREVENT ALLOW MEDIUM REMOVAL */
		return true;
	}
	return false;
}

/* The status HP-UX reports in cdb_status for a midlayer result. */
static u32 autoch_sctl_status(int result)
{
	switch (host_byte(result)) {
	case DID_OK:
		return result & 0xff;
	case DID_NO_CONNECT:
		return AUTOCH_SCTL_SELECT_TIMEOUT;
	default:
		return AUTOCH_SCTL_INCOMPLETE;
	}
}

/* A request that is refused before anything is sent: EINVAL or EPERM. */
static int autoch_sctl_check(struct autoch_device *ach,
			     struct autoch_file *af,
			     const struct autoch_sctl_io64 *io)
{
	unsigned int max_len, segs;
	u8 cdb[sizeof(io->h.cdb)];

	autoch_queue_limits(ach, false, &max_len, &segs);
	/*
	 * The midlayer sends as many CDB bytes as the opcode's group says,
	 * whatever cdb_length is: a length that disagrees is refused.
	 */
	if (io->h.flags & ~AUTOCH_SCTL_FLAGS || io->h.cdb_length < 6 ||
	    io->h.cdb_length > sizeof(io->h.cdb) ||
	    io->h.cdb_length != COMMAND_SIZE(io->h.cdb[0]) ||
	    io->t.data_length > max_len ||
	    memchr_inv(io->t.reserved, 0, sizeof(io->t.reserved)) ||
	    autoch_sctl_reservation(io->h.cdb[0]))
		return -EINVAL;
	memcpy(cdb, io->h.cdb, sizeof(cdb));
	if (!scsi_cmd_allowed(cdb, af->may_write))
		return -EPERM;
	/* the mail slot is the operator's: as AUTOCH_OPEN_CLOSE_IE */
	if (cdb[0] == AUTOCH_OPEN_CLOSE_IMPORT_EXPORT && !af->may_write &&
	    !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/* The command of @io in @sc, its data-out copied in. */
static int autoch_sctl_prepare(struct autoch_cmd *sc,
			       const struct autoch_sctl_io64 *io)
{
	unsigned int len = io->t.data_length;

	memcpy(sc->cdb, io->h.cdb, io->h.cdb_length);
	sc->cdb_len = io->h.cdb_length;
	sc->write = len && !(io->h.flags & AUTOCH_SCTL_READ);
	sc->len = len;
	/* 0: the driver's longest timeout, never an infinite one */
	sc->timeout = io->t.max_msecs ? msecs_to_jiffies(io->t.max_msecs) :
				      READ_ONCE(autoch_init_timeout) * HZ;
	if (!len)
		return 0;
	sc->buf = kvzalloc(len, GFP_KERNEL);
	if (!sc->buf)
		return -ENOMEM;
	if (sc->write && copy_from_user(sc->buf, u64_to_user_ptr(io->data), len))
		return -EFAULT;
	return 0;
}

/* cdb_status, data_xfer and the sense fields, as sioc_io(7) says. */
static void autoch_sctl_outcome(struct autoch_sctl_io64 *io,
				const struct autoch_cmd *sc)
{
	io->t.cdb_status = autoch_sctl_status(sc->result);
	if (io->t.cdb_status == SAM_STAT_GOOD ||
	    io->t.cdb_status == SAM_STAT_CHECK_CONDITION)
		io->t.data_xfer = autoch_cmd_avail(sc);
	if (io->t.cdb_status == SAM_STAT_CHECK_CONDITION) {
		io->t.sense_xfer = autoch_sense_len(sc->sense);
		memcpy(io->t.sense, sc->sense, io->t.sense_xfer);
		io->t.sense_status = io->t.sense_xfer ? SAM_STAT_GOOD :
						    AUTOCH_SCTL_INCOMPLETE;
	}
}

/*
 * Send @sc once. MOVE MEDIUM, EXCHANGE MEDIUM and POSITION TO ELEMENT meet
 * other files' reservations first, as SIOC_MOVE_MEDIUM does, and count as
 * moves in flight; OPEN/CLOSE IMPORT/EXPORT ELEMENT meets them as
 * AUTOCH_OPEN_CLOSE_IE does (EBUSY, nothing sent). A command that changes
 * the library drops the status cache after it (MODE SELECT: the element
 * map too).
 */
static int autoch_sctl_send(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_cmd *sc)
{
	struct autoch_busy busy, *b = NULL;
	unsigned int i, naddrs;
	bool map_too, changes;
	u8 op = sc->cdb[0];
	u16 addrs[4];
	int err;

	changes = autoch_sctl_changes(op, &map_too);
	if (op == MOVE_MEDIUM || op == EXCHANGE_MEDIUM ||
	    op == POSITION_TO_ELEMENT)
		b = &busy;
	if (b || op == AUTOCH_OPEN_CLOSE_IMPORT_EXPORT) {
		/*
		 * The elements from CDB byte 2 on: transport, source,
		 * destination(s); transport, destination (POSITION); the
		 * import/export element (OPEN/CLOSE).
		 */
		naddrs = op == MOVE_MEDIUM ? 3 : op == EXCHANGE_MEDIUM ? 4 :
			 op == POSITION_TO_ELEMENT ? 2 : 1;
		for (i = 0; i < naddrs; i++)
			addrs[i] = get_unaligned_be16(sc->cdb + 2 + 2 * i);
		err = autoch_move_begin(ach, af, b, addrs, naddrs, NULL, NULL);
		if (err)
			return err;
	}

	autoch_send_once(ach, af, sc);

	/* every command that moves is one that changes */
	if (changes)
		autoch_move_end(ach, b, map_too);
	return 0;
}

/*
 * One command as the caller wrote it, sent once: its SCSI status is the
 * caller's to judge (the call returns 0 whenever a command was
 * delivered).
 */
int autoch_ioctl_sctl_io(struct autoch_device *ach, struct autoch_file *af,
			 unsigned int cmd, void __user *argp)
{
	struct autoch_sctl_io64 io;
	struct autoch_cmd *sc;
	int err;

	err = autoch_sctl_get(&io, cmd, argp);
	if (err)
		return err;
	err = autoch_sctl_check(ach, af, &io);
	if (err)
		return err;

	sc = kzalloc_obj(*sc, GFP_KERNEL);
	if (!sc)
		return -ENOMEM;
	err = autoch_sctl_prepare(sc, &io);
	if (err)
		goto out_free;

	err = autoch_sctl_send(ach, af, sc);
	if (err)
		goto out_free;
	if (autoch_is_dead(ach)) {
		err = -ENXIO;
		goto out_free;
	}
	if (sc->result < 0) {
		/* nothing was delivered: the queue is going away */
		err = autoch_result_to_errno(sc->result, NULL);
		goto out_free;
	}

	autoch_sctl_outcome(&io, sc);
	err = 0;
	if (!sc->write && io.t.data_xfer &&
	    copy_to_user(u64_to_user_ptr(io.data), sc->buf, io.t.data_xfer))
		err = -EFAULT;
	if (!err)
		err = autoch_sctl_put(&io, cmd, argp);
out_free:
	kvfree(sc->buf);
	kfree(sc);
	return err;
}
