// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the library's tape drives as SCSI devices of their own, so
 * that the driver's drive mapping (which /dev/nst* is in which data
 * transfer element) can be tested. They sit on a host of their own
 * ("autoch_emul_tape"), apart from the changer's, as drives often do, made
 * when the first one is added (debugfs "event tape add LUN DRIVE") and
 * removed with the module. Each is a sequential-access device (type 01h)
 * that answers INQUIRY with the VPD pages 80h and 83h carrying the
 * identifier the changer reports for DRIVE (emul_drive_serial()), TEST
 * UNIT READY with "no medium", and nothing else: enough for the midlayer
 * to read its identifiers and for st and sg to bind.
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

/* serialises adding and removing tape LUs and the host's creation */
static DEFINE_MUTEX(emul_tape_mutex);
static struct Scsi_Host *emul_tape_shost;
/* the drive number (1-based) each LUN is, 0 for none; read unlocked */
static unsigned int emul_tape_drive[EMUL_TAPE_LUNS];

/*
 * The identifier of drive @drive (1-based) as READ ELEMENT STATUS reports
 * it (DVCID): library, a vendor-specific ASCII serial number (type 0);
 * tgt, the tape LU's T10 vendor ID designator (type 1) as tgt's changer
 * reports it. Its length, at most EMUL_DVCID_LEN; @type its identifier
 * type; @serial, when not NULL, gets the unit serial number (VPD 80h).
 */
unsigned int emul_drive_serial(const struct emul_state *st,
			       unsigned int drive, char *id, u8 *type,
			       char *serial)
{
	char buf[EMUL_DVCID_LEN + 1];

	if (emul_tgt(st)) {
		*type = 0x01;
		snprintf(buf, sizeof(buf), "IET     VIRTUAL-TAPE    beaf1%-5u",
			 drive);
		if (serial)
			snprintf(serial, EMUL_DVCID_LEN + 1, "beaf1%u", drive);
	} else {
		*type = 0x00;
		snprintf(buf, sizeof(buf), "EMULDRV%09u", drive);
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

/* INQUIRY: standard data, or VPD 00h, 80h or 83h of drive @drive. */
static void emul_tape_inquiry(struct scsi_cmnd *cmd, unsigned int drive)
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
		emul_drive_serial(emul, drive, id, &type, serial);
		len = strlen(serial);
		memcpy(b + 4, serial, len);
		break;
	case 0x83:
		/* the changer's identifier for the drive, as a designator */
		b[4] = 0x02;			/* ASCII */
		n = emul_drive_serial(emul, drive, (char *)b + 8, &type, NULL);
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
	unsigned int drive = 0;

	if (cmd->device->lun < EMUL_TAPE_LUNS)
		drive = READ_ONCE(emul_tape_drive[cmd->device->lun]);
	cmd->result = 0;
	if (!drive)
		set_host_byte(cmd, DID_BAD_TARGET);
	else if (cmd->cmnd[0] == INQUIRY)
		emul_tape_inquiry(cmd, drive);
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

/* debugfs "event tape add LUN DRIVE": LUN becomes drive DRIVE. */
int emul_tape_add(struct device *parent, unsigned int lun, unsigned int drive)
{
	struct Scsi_Host *shost;
	int err;

	if (lun >= EMUL_TAPE_LUNS || !drive ||
	    drive > emul->range[EMUL_DT].count)
		return -EINVAL;
	mutex_lock(&emul_tape_mutex);
	if (!emul_tape_shost) {
		shost = emul_host_alloc(&emul_tape_template, 0,
					EMUL_TAPE_LUNS);
		if (!shost) {
			err = -ENOMEM;
			goto out;
		}
		err = emul_host_add(shost, parent);
		if (err)
			goto out;
		emul_tape_shost = shost;
	}
	if (READ_ONCE(emul_tape_drive[lun])) {
		err = -EEXIST;
		goto out;
	}
	WRITE_ONCE(emul_tape_drive[lun], drive);
	err = scsi_add_device(emul_tape_shost, 0, 0, lun);
	if (err)
		WRITE_ONCE(emul_tape_drive[lun], 0);
out:
	mutex_unlock(&emul_tape_mutex);
	return err;
}

/* debugfs "event tape remove LUN": the drive's LU goes away. */
int emul_tape_remove(unsigned int lun)
{
	struct scsi_device *sdev;
	int err = -ENODEV;

	if (lun >= EMUL_TAPE_LUNS)
		return -EINVAL;
	mutex_lock(&emul_tape_mutex);
	if (emul_tape_shost && READ_ONCE(emul_tape_drive[lun])) {
		sdev = scsi_device_lookup(emul_tape_shost, 0, 0, lun);
		if (sdev) {
			scsi_remove_device(sdev);
			scsi_device_put(sdev);
		}
		WRITE_ONCE(emul_tape_drive[lun], 0);
		err = 0;
	}
	mutex_unlock(&emul_tape_mutex);
	return err;
}

/* The tape LUs for debugfs "state": "# tape LUN drive D". */
void emul_tape_show(struct seq_file *m)
{
	unsigned int i, d;

	mutex_lock(&emul_tape_mutex);
	for (i = 0; i < EMUL_TAPE_LUNS; i++) {
		d = READ_ONCE(emul_tape_drive[i]);
		if (d)
			seq_printf(m, "# tape %u drive %u host %d\n", i, d,
				   emul_tape_shost ? emul_tape_shost->host_no : -1);
	}
	mutex_unlock(&emul_tape_mutex);
}

void emul_tape_exit(void)
{
	mutex_lock(&emul_tape_mutex);
	if (emul_tape_shost) {
		scsi_remove_host(emul_tape_shost);
		scsi_host_put(emul_tape_shost);
		emul_tape_shost = NULL;
	}
	memset(emul_tape_drive, 0, sizeof(emul_tape_drive));
	mutex_unlock(&emul_tape_mutex);
}
