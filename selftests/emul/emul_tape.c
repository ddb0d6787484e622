// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the library's tape drives as SCSI devices of their own, so
 * that the driver's drive mapping (which /dev/nst* is in which data
 * transfer element) can be tested. They sit on a host of their own per
 * library ("autoch_emul_tape"), apart from the changer's, as drives often
 * do, made when the library's first one is added (debugfs "event tape add
 * LUN DRIVE") and removed with the module. Each is a sequential-access
 * device (type 01h) that answers INQUIRY with the VPD pages 80h and 83h
 * carrying the identifier the changer reports for the drive that was in
 * element DRIVE when it was added (emul_drive_serial()), TEST UNIT READY
 * with "no medium", and nothing else: enough for the midlayer to read its
 * identifiers and for st and sg to bind. The LU stays that drive when the
 * drive leaves the element ("event drive"), as a real drive's device does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_proto.h>

#include "emul.h"

/*
 * Serialises adding and removing tape LUs and the creation of a library's
 * tape host (emul_state @tape_shost, @tape_ident).
 */
static DEFINE_MUTEX(emul_tape_mutex);

/*
 * The identifier of drive @ident (emul_elem @ident: drive N of library L
 * is L * EMUL_LIB_DRIVES + N) as READ ELEMENT STATUS reports it (DVCID):
 * library, a vendor-specific ASCII serial number (type 0); tgt, the tape
 * LU's T10 vendor ID designator (type 1) as tgt's changer reports it. Its
 * length, at most EMUL_DVCID_LEN; @type its identifier type; @serial,
 * when not NULL, gets the unit serial number (VPD 80h).
 */
unsigned int emul_drive_serial(const struct emul_state *st, u32 ident,
			       char *id, u8 *type, char *serial)
{
	char buf[EMUL_DVCID_LEN + 1];

	if (emul_tgt(st)) {
		*type = 0x01;
		snprintf(buf, sizeof(buf), "IET     VIRTUAL-TAPE    beaf1%-5u",
			 ident % 100000);
		if (serial)
			snprintf(serial, EMUL_DVCID_LEN + 1, "beaf1%u",
				 ident % 100000);
	} else {
		*type = 0x00;
		snprintf(buf, sizeof(buf), "EMULDRV%09u", ident);
		if (serial)
			strscpy(serial, buf, EMUL_DVCID_LEN + 1);
	}
	memcpy(id, buf, st->dvcid_len);
	return st->dvcid_len;
}

static void emul_tape_reply(struct scsi_cmnd *cmd, const u8 *b,
			    unsigned int len, unsigned int alloc)
{
	unsigned int n = min3(len, alloc, scsi_bufflen(cmd));

	scsi_sg_copy_from_buffer(cmd, b, n);
	scsi_set_resid(cmd, scsi_bufflen(cmd) - n);
}

/* INQUIRY: standard data, or VPD 00h, 80h or 83h of drive @ident. */
static void emul_tape_inquiry(struct emul_state *st, struct scsi_cmnd *cmd,
			      u32 ident)
{
	const u8 *cdb = cmd->cmnd;
	unsigned int alloc = get_unaligned_be16(cdb + 3), len = 0, n;
	char serial[EMUL_DVCID_LEN + 1], id[EMUL_DVCID_LEN];
	u8 b[128] = {}, type;

	b[0] = TYPE_TAPE;
	if (!(cdb[1] & 0x01)) {
		if (cdb[2])
			goto invalid;
		b[1] = 0x80;			/* RMB */
		b[2] = 0x06;			/* SPC-4 */
		b[3] = 0x02;			/* response format 2 */
		b[4] = 36 - 5;
		memcpy(b + 8, "AUTOCH  EMUL-TAPE       0001", 28);
		emul_tape_reply(cmd, b, 36, alloc);
		return;
	}
	b[1] = cdb[2];
	switch (cdb[2]) {
	case 0x00:
		b[4] = 0x00;
		b[5] = 0x80;
		b[6] = 0x83;
		len = 3;
		break;
	case 0x80:
		emul_drive_serial(st, ident, id, &type, serial);
		len = strlen(serial);
		memcpy(b + 4, serial, len);
		break;
	case 0x83:
		/* the changer's identifier for the drive, as a designator */
		b[4] = 0x02;			/* ASCII */
		n = emul_drive_serial(st, ident, (char *)b + 8, &type, NULL);
		if (type == 0x00) {
			/* T10 vendor ID: vendor, then the serial number */
			memmove(b + 16, b + 8, n);
			memcpy(b + 8, "AUTOCH  ", 8);
			n += 8;
			type = 0x01;
		}
		b[5] = type;			/* the LU */
		b[7] = n;
		len = 4 + n;
		break;
	default:
		goto invalid;
	}
	put_unaligned_be16(len, b + 2);
	emul_tape_reply(cmd, b, len + 4, alloc);
	return;
invalid:
	scsi_build_sense(cmd, 0, ILLEGAL_REQUEST, 0x24, 0x00);
}

static emul_qc_status emul_tape_queuecommand(struct Scsi_Host *shost,
					     struct scsi_cmnd *cmd)
{
	struct emul_state *st = *(struct emul_state **)shost_priv(shost);
	u32 ident = 0;

	if (cmd->device->lun < EMUL_TAPE_LUNS)
		ident = READ_ONCE(st->tape_ident[cmd->device->lun]);
	cmd->result = 0;
	if (!ident)
		set_host_byte(cmd, DID_BAD_TARGET);
	else if (cmd->cmnd[0] == INQUIRY)
		emul_tape_inquiry(st, cmd, ident);
	else if (cmd->cmnd[0] == TEST_UNIT_READY)
		scsi_build_sense(cmd, 0, NOT_READY, 0x3a, 0x00);
	else
		scsi_build_sense(cmd, 0, ILLEGAL_REQUEST, 0x20, 0x00);
	scsi_done(cmd);
	return 0;
}

static struct scsi_host_template emul_tape_template = {
	EMUL_BASE_SHT("autoch_emul_tape"),
	.proc_name = "autoch_emul_tape",
	.queuecommand = emul_tape_queuecommand,
	.can_queue = 16,
	.cmd_per_lun = 1,
	.max_sectors = 1024,
};

/* The library's tape host, made at its first tape LU. */
static int emul_tape_host(struct emul_state *st, struct device *parent)
{
	struct Scsi_Host *shost;
	int err;

	lockdep_assert_held(&emul_tape_mutex);
	if (st->tape_shost)
		return 0;
	shost = scsi_host_alloc(&emul_tape_template, sizeof(st));
	if (!shost)
		return -ENOMEM;
	*(struct emul_state **)shost_priv(shost) = st;
	err = emul_add_host(shost, parent, EMUL_TAPE_LUNS);
	if (!err)
		st->tape_shost = shost;
	return err;
}

/*
 * debugfs "event tape add LUN DRIVE": LUN becomes the drive that is in
 * the DRIVEth data transfer element now.
 */
int emul_tape_add(struct emul_state *st, struct device *parent,
		  unsigned int lun, unsigned int drive)
{
	unsigned long flags;
	u32 ident;
	int err;

	if (lun >= EMUL_TAPE_LUNS || !drive ||
	    drive > st->range[EMUL_DT].count)
		return -EINVAL;
	spin_lock_irqsave(&st->lock, flags);
	ident = st->elems[st->range[EMUL_DT].base + drive - 1].ident;
	spin_unlock_irqrestore(&st->lock, flags);
	mutex_lock(&emul_tape_mutex);
	err = emul_tape_host(st, parent);
	if (err)
		goto out;
	if (READ_ONCE(st->tape_ident[lun])) {
		err = -EEXIST;
		goto out;
	}
	WRITE_ONCE(st->tape_ident[lun], ident);
	err = scsi_add_device(st->tape_shost, 0, 0, lun);
	if (err)
		WRITE_ONCE(st->tape_ident[lun], 0);
out:
	mutex_unlock(&emul_tape_mutex);
	return err;
}

/* debugfs "event tape remove LUN": the drive's LU goes away. */
int emul_tape_remove(struct emul_state *st, unsigned int lun)
{
	struct scsi_device *sdev;
	int err = -ENODEV;

	if (lun >= EMUL_TAPE_LUNS)
		return -EINVAL;
	mutex_lock(&emul_tape_mutex);
	if (st->tape_shost && READ_ONCE(st->tape_ident[lun])) {
		sdev = scsi_device_lookup(st->tape_shost, 0, 0, lun);
		if (sdev) {
			scsi_remove_device(sdev);
			scsi_device_put(sdev);
		}
		WRITE_ONCE(st->tape_ident[lun], 0);
		err = 0;
	}
	mutex_unlock(&emul_tape_mutex);
	return err;
}

/*
 * The tape LUs for debugfs "state", from the elements' snapshot @snap:
 * "# tape LUN drive D host H ident I", D the data transfer element (from
 * 1) the LU's drive is in now, 0 when it is in none.
 */
void emul_tape_show(struct emul_state *st, struct seq_file *m,
		    const struct emul_elem *snap)
{
	const struct emul_range *r = &st->range[EMUL_DT];
	unsigned int i, d, k;

	mutex_lock(&emul_tape_mutex);
	for (i = 0; i < EMUL_TAPE_LUNS; i++) {
		k = READ_ONCE(st->tape_ident[i]);
		if (!k)
			continue;
		for (d = 0; d < r->count && snap[r->base + d].ident != k; d++)
			;
		seq_printf(m, "# tape %u drive %u host %d ident %u\n", i,
			   d < r->count ? d + 1 : 0,
			   st->tape_shost ? st->tape_shost->host_no : -1, k);
	}
	mutex_unlock(&emul_tape_mutex);
}

void emul_tape_exit(struct emul_state *st)
{
	mutex_lock(&emul_tape_mutex);
	if (st->tape_shost) {
		scsi_remove_host(st->tape_shost);
		scsi_host_put(st->tape_shost);
		st->tape_shost = NULL;
	}
	memset(st->tape_ident, 0, sizeof(st->tape_ident));
	mutex_unlock(&emul_tape_mutex);
}
