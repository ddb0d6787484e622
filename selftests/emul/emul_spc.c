// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the logical unit's identity (SPC-4). Owns INQUIRY with
 * its VPD pages 00h, 80h and 83h (vendor, product, serial number, NAA and
 * relative target port per host), TEST UNIT READY and REPORT LUNS.
 * Called from emul_execute() with emul_state.lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "emul.h"

static void emul_pad(u8 *dst, const char *s, unsigned int len)
{
	unsigned int n = min_t(unsigned int, strlen(s), len);

	memcpy(dst, s, n);
	memset(dst + n, ' ', len - n);
}

/*
 * INQUIRY (SPC-4 6.6): standard data, or one of the VPD pages, one case
 * each; page 83h lists its three designators inline, in reply order.
 */
void emul_inquiry(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	unsigned int alloc = get_unaligned_be16(cdb + 3), len, n;
	u8 *b = st->scratch;

	memset(b, 0, 96);
	b[0] = TYPE_MEDIUM_CHANGER;
	if (!(cdb[1] & 0x01)) {
		if (cdb[2]) {
			emul_invalid_cdb(ec);
			return;
		}
		b[2] = 0x06;			/* SPC-4 */
		b[3] = 0x12;			/* HiSup, response format 2 */
		b[6] = st->nhosts > 1 ? 0x10 : 0;	/* MultiP */
		b[7] = 0x02;			/* CmdQue */
		emul_pad(b + 8, st->vendor, 8);
		emul_pad(b + 16, st->product, 16);
		emul_pad(b + 32, st->revision, 4);
		b[4] = 36 - 5;
		emul_reply(ec, b, 36, alloc);
		return;
	}

	b[1] = cdb[2];
	switch (cdb[2]) {
	case 0x00:			/* supported VPD pages */
		b[4] = 0x00;
		b[5] = 0x80;
		b[6] = 0x83;
		len = 3;
		break;
	case 0x80:			/* unit serial number */
		len = strlen(st->serial);
		memcpy(b + 4, st->serial, len);
		break;
	case 0x83:			/* device identification */
		/* T10 vendor ID based: vendor, then the serial number */
		n = 4;
		b[n] = 0x02;		/* ASCII */
		b[n + 1] = 0x01;	/* LU, T10 vendor ID */
		b[n + 3] = 8 + strlen(st->serial);
		emul_pad(b + n + 4, st->vendor, 8);
		memcpy(b + n + 12, st->serial, strlen(st->serial));
		n += 4 + b[n + 3];
		/* NAA 3 (locally assigned) from the serial number */
		b[n] = 0x01;		/* binary */
		b[n + 1] = 0x03;	/* LU, NAA */
		b[n + 3] = 8;
		put_unaligned_be64(st->naa, b + n + 4);
		n += 12;
		/* relative target port: one per host (I_T nexus) */
		b[n] = 0x01;
		b[n + 1] = 0x14;	/* target port, relative port */
		b[n + 3] = 4;
		put_unaligned_be16(ec->host->index + 1, b + n + 6);
		n += 8;
		len = n - 4;
		break;
	default:
		emul_invalid_cdb(ec);
		return;
	}
	put_unaligned_be16(len, b + 2);
	emul_reply(ec, b, len + 4, alloc);
}

void emul_test_unit_ready(struct emul_state *st, struct emul_cmd *ec)
{
	if (st->door_open)
		emul_sense(ec, NOT_READY, 0x04, 0x03);
}

void emul_report_luns(struct emul_state *st, struct emul_cmd *ec)
{
	const u8 *cdb = ec->cmd->cmnd;
	u8 *b = st->scratch;

	if (get_unaligned_be32(cdb + 6) < 16) {
		emul_invalid_cdb(ec);
		return;
	}
	memset(b, 0, 16);
	b[3] = 8;		/* one LUN: 0 */
	emul_reply(ec, b, 16, get_unaligned_be32(cdb + 6));
}
