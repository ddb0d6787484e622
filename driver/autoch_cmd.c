// SPDX-License-Identifier: GPL-2.0
/*
 * Command execution: sending one SCSI command and riding out unit
 * attentions and a changer that is becoming ready (autoch_send()), the one
 * place that turns a midlayer result and sense data into an errno (the
 * sense table), and the record of the last failed command that
 * SIOC_XSENSE returns. Every command the driver sends goes through here.
 */

#include <kunit/visibility.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <scsi/scsi.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/*
 * The most one command of this host may transfer into a kmalloc'ed
 * buffer: the queue's limit in sectors and in segments (one a page).
 */
unsigned int autoch_xfer_max(struct autoch_device *ach)
{
	unsigned int bytes, segs;

	autoch_queue_limits(ach, false, &bytes, &segs);
	return min(bytes, segs);
}

/* Bytes of a data-in command's buffer that arrived, bounded by the buffer. */
unsigned int autoch_cmd_avail(const struct autoch_cmd *cmd)
{
	return cmd->len - min_t(unsigned int, cmd->resid, cmd->len);
}

/*
 * Sense data to errno, first match wins. ASC/ASCQ AUTOCH_ANY matches any
 * value. Rows cite the clause that defines the condition.
 */
static const struct autoch_sense_errno autoch_sense_table[] = {
	/* SPC-4 table 49: INVALID COMMAND OPERATION CODE (optional command) */
	{ ILLEGAL_REQUEST, 0x20, 0x00, EOPNOTSUPP },
	/* SMC-3 6.2/6.6: INVALID ELEMENT ADDRESS and LBA out of range */
	{ ILLEGAL_REQUEST, 0x21, AUTOCH_ANY, EINVAL },
	/* SPC-4 4.5.6: INVALID FIELD IN CDB */
	{ ILLEGAL_REQUEST, 0x24, AUTOCH_ANY, EINVAL },
	/* SPC-4 4.5.6: INVALID FIELD IN PARAMETER LIST and its relatives */
	{ ILLEGAL_REQUEST, 0x26, AUTOCH_ANY, EINVAL },
	/* SMC-3 6.6: MEDIUM DESTINATION ELEMENT FULL (EXFULL as Linux ch) */
	{ ILLEGAL_REQUEST, 0x3b, 0x0d, EXFULL },
	/* SMC-3 6.6: MEDIUM SOURCE ELEMENT EMPTY */
	{ ILLEGAL_REQUEST, 0x3b, 0x0e, ENOMEDIUM },
	/* SMC-3 6.6: MEDIUM REMOVAL PREVENTED */
	{ ILLEGAL_REQUEST, 0x53, 0x02, EBUSY },
	/* SPC-4 4.5.6: LOGICAL UNIT NOT READY, after the wait for 04/01 */
	{ NOT_READY, 0x04, AUTOCH_ANY, EBUSY },
	/* SPC-4: any other NOT READY (magazine out, door open) */
	{ NOT_READY, AUTOCH_ANY, AUTOCH_ANY, EBUSY },
	/* SAM-5 5.14: power on, reset, I_T nexus loss (retries exhausted) */
	{ UNIT_ATTENTION, 0x29, AUTOCH_ANY, ECONNRESET },
};

VISIBLE_IF_KUNIT int autoch_sense_to_errno(const struct scsi_sense_hdr *sshdr)
{
	const struct autoch_sense_errno *row;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoch_sense_table); i++) {
		row = &autoch_sense_table[i];
		if (row->key != sshdr->sense_key)
			continue;
		if (row->asc != AUTOCH_ANY && row->asc != sshdr->asc)
			continue;
		if (row->ascq != AUTOCH_ANY && row->ascq != sshdr->ascq)
			continue;
		return -row->err;
	}
	/* hardware error, aborted command, medium error, anything else */
	return -EIO;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* Row @i of the sense table, NULL past its end: for the KUnit suite. */
const struct autoch_sense_errno *autoch_sense_row(unsigned int i)
{
	return i < ARRAY_SIZE(autoch_sense_table) ? &autoch_sense_table[i] : NULL;
}
#endif

/*
 * The one place that turns a midlayer result into an errno. A non-zero
 * result is never success, whether or not sense data came with it.
 */
int autoch_result_to_errno(int result, const struct scsi_sense_hdr *sshdr)
{
	if (result < 0)
		return result == -ENODEV ? -ENXIO : result;
	if (!result)
		return 0;

	switch (host_byte(result)) {
	case DID_OK:
		break;
	case DID_TIME_OUT:
		return -ETIMEDOUT;
	case DID_NO_CONNECT:
	case DID_BAD_TARGET:
		return -ENXIO;
	case AUTOCH_DID_NEXUS_FAILURE:
		return -EBUSY;
	default:
		return -EIO;
	}

	switch (result & 0xff) {
	case SAM_STAT_RESERVATION_CONFLICT:
	case SAM_STAT_BUSY:
	case SAM_STAT_TASK_SET_FULL:
		return -EBUSY;
	case SAM_STAT_CHECK_CONDITION:
		if (!scsi_sense_valid(sshdr))
			return -EIO;
		/* SPC-4 4.5.6: the command completed, with recovery */
		if (sshdr->sense_key == RECOVERED_ERROR)
			return 0;
		return autoch_sense_to_errno(sshdr);
	default:
		return -EIO;
	}
}

unsigned int autoch_sense_len(const u8 *sense)
{
	unsigned int len;

	if ((sense[0] & 0x7f) < 0x70 || (sense[0] & 0x7f) > 0x73)
		return 0;
	len = 8 + sense[7];
	return min_t(unsigned int, len, SCSI_SENSE_BUFFERSIZE);
}

static void autoch_record_failure(struct autoch_file *af,
				  const struct autoch_cmd *cmd, int err)
{
	struct autoch_xsense xs = {};

	if (!af || cmd->result <= 0)
		return;

	xs.valid = 1;
	xs.status = cmd->result & 0xff;
	xs.host_status = host_byte(cmd->result);
	xs.cdb_len = cmd->cdb_len;
	memcpy(xs.cdb, cmd->cdb, cmd->cdb_len);
	xs.sense_len = autoch_sense_len(cmd->sense);
	memcpy(xs.sense, cmd->sense, xs.sense_len);
	xs.error = -err;

	spin_lock(&af->xsense_lock);
	af->pending = xs;
	af->pending_valid = true;
	spin_unlock(&af->xsense_lock);
}

/*
 * The call recovered from the commands that failed so far (it asks again
 * another way, or goes on without what was refused): they are not what
 * SIOC_XSENSE reports should the call fail later for another reason.
 */
void autoch_recovered(struct autoch_file *af)
{
	if (!af)
		return;
	spin_lock(&af->xsense_lock);
	af->pending_valid = false;
	spin_unlock(&af->xsense_lock);
}

/*
 * The progress indication of sense data (SPC-4 4.5.2.4.4: sense-key
 * specific bytes with SKSV set, fixed or descriptor format), 0 to 65535
 * of 65536; -1 when there is none.
 */
VISIBLE_IF_KUNIT int autoch_sense_progress(const u8 *sense, unsigned int len)
{
	const u8 *d;

	if (len < 8)
		return -1;
	switch (sense[0] & 0x7f) {
	case 0x70:
	case 0x71:
		if (len >= 18 && sense[7] >= 10 && (sense[15] & 0x80))
			return get_unaligned_be16(sense + 16);
		break;
	case 0x72:
	case 0x73:
		d = scsi_sense_desc_find(sense, len, 0x02);
		/* the descriptor may start near the end of the buffer */
		if (d && d + 7 <= sense + len && d[1] >= 6 && (d[4] & 0x80))
			return get_unaligned_be16(d + 5);
		break;
	}
	return -1;
}

/*
 * A call waits for the changer to become ready (*@waiting false: it starts
 * now), which reported @progress (-1: none). What sysfs becoming_ready/ shows.
 */
static void autoch_ready_wait(struct autoch_device *ach, bool *waiting,
			      int progress)
{
	mutex_lock(&ach->state_lock);
	if (!*waiting && !ach->ready_waiters++)
		ach->ready_since = jiffies;
	*waiting = true;
	ach->ready_progress = progress;
	mutex_unlock(&ach->state_lock);
}

/*
 * The error handler reset the LU or the host: the unit attention that
 * says so went to its own TEST UNIT READY (the midlayer expects it), so
 * sdev->was_reset is the only word of it. The midlayer never clears it
 * (st.c does the same).
 */
static void autoch_note_reset(struct autoch_device *ach,
			      struct scsi_device *sdev)
{
	static const struct scsi_sense_hdr reset = {
		.response_code = 0x70,
		.sense_key = UNIT_ATTENTION,
		.asc = 0x29,
	};
	spinlock_t *host_lock = sdev->host->host_lock;
	unsigned long flags;
	bool was_reset;

	/*
	 * was_reset shares its word with the midlayer's other bit-fields:
	 * test and clear it under the host lock, under which the error
	 * handler sets it after a host, bus or target reset. After a LU
	 * reset it sets it without (6.1's scsi_try_bus_device_reset), so
	 * that window stays; it is the width of this read and write.
	 */
	spin_lock_irqsave(host_lock, flags);
	was_reset = sdev->was_reset;
	sdev->was_reset = 0;
	spin_unlock_irqrestore(host_lock, flags);
	if (was_reset)
		autoch_unit_attention(ach, &reset);
}

/* A call that waited for the changer to become ready stops waiting. */
static void autoch_ready_done(struct autoch_device *ach, bool *waiting)
{
	mutex_lock(&ach->state_lock);
	if (*waiting && !--ach->ready_waiters)
		ach->ready_progress = -1;
	*waiting = false;
	mutex_unlock(&ach->state_lock);
}

/*
 * Send one command on @path, riding out unit attentions
 * and a device that is becoming ready (*@waiting set while it waits for
 * that). Every failure is recorded for SIOC_XSENSE of @af; @cmd->result
 * is 0 unless the command was sent.
 *
 * Longer than 60 lines: one retry loop whose every exit must pass the same
 * checks in the same order (dead device, reset notice, retries, deadline);
 * cut in pieces, the order would be spread over several functions.
 */
static int autoch_send_path(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_cmd *cmd, bool *waiting,
			    struct autoch_path *path)
{
	struct scsi_device *sdev = path->sdev;
	unsigned long ready_deadline = jiffies + READ_ONCE(autoch_ready_timeout) * HZ;
	const struct scsi_exec_args args = {
		.sense = cmd->sense,
		.sense_len = sizeof(cmd->sense),
		.sshdr = &cmd->sshdr,
		.resid = &cmd->resid,
	};
	unsigned int ua_retries = 0, deferred = 0, resv_done;
	int err;

	for (;;) {
		if (autoch_is_dead(ach))
			return -ENXIO;
		/* a reset met earlier in this call: nothing changes without */
		if (af && autoch_reset_blocks(cmd->cdb) &&
		    autoch_take_reset(ach, af))
			return -ECONNRESET;

		if (cmd->buf && !cmd->write)
			memset(cmd->buf, 0, cmd->len);
		/*
		 * The midlayer zeroes the part of a buffer the device reports
		 * a residual for, data-out included: a command sent again
		 * (unit attention, becoming ready) would carry zeros.
		 */
		if (cmd->buf && cmd->write)
			memcpy(cmd->buf, cmd->data, cmd->len);
		memset(cmd->sense, 0, sizeof(cmd->sense));
		memset(&cmd->sshdr, 0, sizeof(cmd->sshdr));
		cmd->resid = 0;
		/*
		 * The midlayer retries nothing that matters here: passthrough
		 * CHECK CONDITIONs are never retried, so this loop does.
		 */
		/* what completed on @path meanwhile, for a reset it meets */
		resv_done = READ_ONCE(path->resv_done);
		cmd->result = scsi_execute_cmd(sdev, cmd->cdb,
					       cmd->write ? REQ_OP_DRV_OUT :
							    REQ_OP_DRV_IN,
					       cmd->buf, cmd->len, cmd->timeout,
					       1, &args);
		autoch_note_reset(ach, sdev);
		if (!cmd->result)
			return 0;
		autoch_path_check_going(ach, path);
		if (autoch_is_dead(ach))
			return -ENXIO;
		if (cmd->result < 0)
			return autoch_result_to_errno(cmd->result, NULL);

		if (scsi_sense_valid(&cmd->sshdr) &&
		    cmd->sshdr.sense_key == UNIT_ATTENTION) {
			autoch_unit_attention_on(ach, &cmd->sshdr, path,
						 resv_done);
			/*
			 * A caller that held reservations learns that they are
			 * gone before anything runs without them.
			 */
			if (af && autoch_reset_blocks(cmd->cdb) &&
			    autoch_take_reset(ach, af)) {
				autoch_record_failure(af, cmd, -ECONNRESET);
				return -ECONNRESET;
			}
			if (++ua_retries <= AUTOCH_UA_RETRIES) {
				dev_dbg(&ach->dev, "unit attention %02x/%02x, retrying\n",
					cmd->sshdr.asc, cmd->sshdr.ascq);
				continue;
			}
		}

		/*
		 * SPC-4 4.5.5: deferred sense is an earlier command's error;
		 * this one was not performed. Say so, and send it again.
		 */
		if (scsi_sense_valid(&cmd->sshdr) &&
		    scsi_sense_is_deferred(&cmd->sshdr) &&
		    ++deferred <= AUTOCH_UA_RETRIES) {
			dev_warn_ratelimited(&ach->dev,
					     "deferred error %x/%02x/%02x of an earlier command, opcode %02x sent again\n",
					     cmd->sshdr.sense_key, cmd->sshdr.asc,
					     cmd->sshdr.ascq, cmd->cdb[0]);
			continue;
		}

		if (scsi_sense_valid(&cmd->sshdr) &&
		    cmd->sshdr.sense_key == NOT_READY &&
		    cmd->sshdr.asc == 0x04 && cmd->sshdr.ascq == 0x01 &&
		    cmd->wait == AUTOCH_WAIT_NONE)
			return -EAGAIN;	/* the caller leaves it to a worker */
		if (scsi_sense_valid(&cmd->sshdr) &&
		    cmd->sshdr.sense_key == NOT_READY &&
		    cmd->sshdr.asc == 0x04 && cmd->sshdr.ascq == 0x01 &&
		    time_before(jiffies, ready_deadline)) {
			dev_dbg(&ach->dev, "becoming ready, waiting\n");
			autoch_ready_wait(ach, waiting,
					  autoch_sense_progress(cmd->sense,
								sizeof(cmd->sense)));
			if (cmd->wait == AUTOCH_WAIT_NOINTR)
				msleep(AUTOCH_READY_POLL_MS);
			else if (msleep_interruptible(AUTOCH_READY_POLL_MS))
				return -ERESTARTSYS;
			continue;
		}
		break;
	}

	err = autoch_result_to_errno(cmd->result, &cmd->sshdr);
	if (!err) {
		dev_info_ratelimited(&ach->dev, "opcode %02x: recovered error %02x/%02x\n",
				     cmd->cdb[0], cmd->sshdr.asc, cmd->sshdr.ascq);
		return 0;
	}
	autoch_record_failure(af, cmd, err);
	dev_dbg(&ach->dev, "opcode %02x failed: result %#x sense %x/%02x/%02x: %d\n",
		cmd->cdb[0], cmd->result, cmd->sshdr.sense_key,
		cmd->sshdr.asc, cmd->sshdr.ascq, err);
	return err;
}

/*
 * Send one command on the active path (autoch_send_path()). A transport
 * failure marks the path failed; a command safe to repeat is then sent
 * again on another path, and the caller sees the answer of that one
 * (its failure record on the first path forgotten). A command that is
 * not, or one that no other path is left for, returns the errno of the
 * failure, as with one path.
 */
static int autoch_send(struct autoch_device *ach, struct autoch_file *af,
		       struct autoch_cmd *cmd, bool *waiting)
{
	struct autoch_path *path, *next;
	ktime_t sent, failed_at = 0;
	unsigned int switches = 0;
	int err;

	path = autoch_path_get(ach, NULL);
	if (!path)
		return -ENXIO;
	for (;;) {
		cmd->result = 0;
		sent = ktime_get();
		err = autoch_send_path(ach, af, cmd, waiting, path);
		if (!err) {
			autoch_path_ok(ach, path, failed_at);
			autoch_path_resv_sent(ach, path, cmd->cdb);
			if (failed_at)
				autoch_recovered(af);
			break;
		}
		/* a path whose SCSI device goes fails as the transport would */
		if (!(autoch_path_transport_error(cmd->result) ||
		      autoch_path_check_going(ach, path)) ||
		    autoch_is_dead(ach))
			break;
		autoch_path_failed(ach, path, cmd->result);
		if (!autoch_path_repeatable(cmd->cdb) ||
		    ++switches > AUTOCH_PATH_SWITCHES)
			break;
		next = autoch_path_get(ach, path);
		if (!next)
			break;
		if (!failed_at)
			failed_at = sent;
		dev_dbg(&ach->dev, "opcode %02x sent again on path %s\n",
			cmd->cdb[0], dev_name(&next->sdev->sdev_gendev));
		autoch_path_put(path);
		path = next;
	}
	autoch_path_put(path);
	return err;
}

/*
 * Send @cmd once, as it is: no retry, no wait, its SCSI status left to the
 * caller (SIOC_IO). A reset the error handler performed and a unit
 * attention in the reply still reach the driver's reset and event
 * handling; a failed command becomes @af's SIOC_XSENSE record at once,
 * since the call itself succeeds.
 */
void autoch_send_once(struct autoch_device *ach, struct autoch_file *af,
		      struct autoch_cmd *cmd)
{
	const struct scsi_exec_args args = {
		.sense = cmd->sense,
		.sense_len = sizeof(cmd->sense),
		.sshdr = &cmd->sshdr,
		.resid = &cmd->resid,
	};
	struct autoch_path *path;

	path = autoch_path_get(ach, NULL);
	if (!path) {
		cmd->result = -ENXIO;
		return;
	}
	cmd->result = scsi_execute_cmd(path->sdev, cmd->cdb,
				       cmd->write ? REQ_OP_DRV_OUT :
						    REQ_OP_DRV_IN,
				       cmd->buf, cmd->len, cmd->timeout, 1,
				       &args);
	autoch_note_reset(ach, path->sdev);
	if (cmd->result)
		autoch_path_check_going(ach, path);
	/* never sent again: the caller sees the failure, the path is marked */
	if (autoch_path_transport_error(cmd->result))
		autoch_path_failed(ach, path, cmd->result);
	else if (!cmd->result)
		autoch_path_ok(ach, path, 0);
	autoch_path_put(path);
	if (cmd->result <= 0)
		return;
	if (scsi_sense_valid(&cmd->sshdr) &&
	    cmd->sshdr.sense_key == UNIT_ATTENTION)
		autoch_unit_attention(ach, &cmd->sshdr);
	autoch_record_failure(af, cmd, 0);
	spin_lock(&af->xsense_lock);
	af->xsense = af->pending;
	spin_unlock(&af->xsense_lock);
}

int autoch_do_cmd(struct autoch_device *ach, struct autoch_file *af,
		  struct autoch_cmd *cmd)
{
	bool waiting = false;
	int err;

	err = autoch_send(ach, af, cmd, &waiting);
	if (waiting)
		autoch_ready_done(ach, &waiting);
	return err;
}

/*
 * Send @cmd on @path alone, never on another: a transport failure marks
 * @path failed and is the caller's errno, a success makes it work again.
 */
static int autoch_do_cmd_path(struct autoch_device *ach,
			      struct autoch_file *af, struct autoch_cmd *cmd,
			      struct autoch_path *path)
{
	bool waiting = false;
	int err;

	cmd->result = 0;
	err = autoch_send_path(ach, af, cmd, &waiting, path);
	if (waiting)
		autoch_ready_done(ach, &waiting);
	if (!err) {
		autoch_path_ok(ach, path, 0);
		autoch_path_resv_sent(ach, path, cmd->cdb);
	} else if (autoch_path_transport_error(cmd->result) ||
		   autoch_path_check_going(ach, path)) {
		autoch_path_failed(ach, path, cmd->result);
	}
	return err;
}

/*
 * One command, on @path (held with autoch_path_get(),
 * autoch_paths_usable() or autoch_paths_prevented()) or, for NULL, on
 * the path picked for it as every command is (autoch_send()); its
 * decoded sense in *@sshdr when that is not NULL. @wait says how it
 * waits for a changer becoming ready: interruptibly (a caller's ioctl),
 * not cut short by signals (a command that nobody can ask for again: the
 * driver's own work), or not at all (close: -EAGAIN, and the work sends
 * it).
 */
int autoch_simple_cmd_path(struct autoch_device *ach, struct autoch_file *af,
			   struct autoch_path *path, const u8 *cdb,
			   unsigned int cdb_len, void *data,
			   unsigned int data_len, unsigned int timeout_s,
			   struct scsi_sense_hdr *sshdr, enum autoch_wait wait)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	memcpy(cmd->cdb, cdb, cdb_len);
	cmd->cdb_len = cdb_len;
	if (data_len) {
		cmd->buf = kmemdup(data, data_len, GFP_KERNEL);
		if (!cmd->buf) {
			kfree(cmd);
			return -ENOMEM;
		}
		cmd->data = data;
		cmd->len = data_len;
		cmd->write = true;
	}
	cmd->timeout = timeout_s * HZ;
	cmd->wait = wait;
	if (path)
		err = autoch_do_cmd_path(ach, af, cmd, path);
	else
		err = autoch_do_cmd(ach, af, cmd);
	if (sshdr)
		*sshdr = cmd->sshdr;
	kfree(cmd->buf);
	kfree(cmd);
	return err;
}

int autoch_simple_cmd_ex(struct autoch_device *ach, struct autoch_file *af,
			 const u8 *cdb, unsigned int cdb_len, void *data,
			 unsigned int data_len, unsigned int timeout_s,
			 struct scsi_sense_hdr *sshdr, enum autoch_wait wait)
{
	return autoch_simple_cmd_path(ach, af, NULL, cdb, cdb_len, data,
				      data_len, timeout_s, sshdr, wait);
}

int autoch_simple_cmd_sense(struct autoch_device *ach,
			    struct autoch_file *af, const u8 *cdb,
			    unsigned int cdb_len, void *data,
			    unsigned int data_len, unsigned int timeout_s,
			    struct scsi_sense_hdr *sshdr)
{
	return autoch_simple_cmd_ex(ach, af, cdb, cdb_len, data, data_len,
				    timeout_s, sshdr, AUTOCH_WAIT_INTR);
}

int autoch_simple_cmd(struct autoch_device *ach, struct autoch_file *af,
		      const u8 *cdb, unsigned int cdb_len, void *data,
		      unsigned int data_len, unsigned int timeout_s)
{
	return autoch_simple_cmd_sense(ach, af, cdb, cdb_len, data, data_len,
				       timeout_s, NULL);
}
