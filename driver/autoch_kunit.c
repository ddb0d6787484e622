// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the parts of autoch that need no device, for commands
 * and their outcome: the sense table and the midlayer result, the sense
 * data's length and progress indication, the element_status bit mapping
 * and the persistent reservation types; and the suite "autoch", which
 * lists them, the parser cases of autoch_kunit_parse.c (READ ELEMENT
 * STATUS, volume tags, drive identifiers) and, last, the fuzz cases of
 * autoch_kunit_fuzz.c (module parameter fuzz=1).
 *
 * It is linked into autoch.ko when the build sets CONFIG_AUTOCH_KUNIT_TEST=y
 * (driver/Kbuild), against a kernel with CONFIG_KUNIT, where the helpers it
 * calls are visible (VISIBLE_IF_KUNIT, declared in autoch.h). The suite
 * runs when the module is loaded and prints KTAP to the kernel log (make
 * check-debug).
 *
 * Expected values are written out from the documentation
 * (Documentation/autochanger-ioctl.rst, SMC-3, SPC-4), not computed from
 * the driver's own tables, except where a test checks the tables against
 * themselves (no row shadowed by an earlier one).
 */

#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/moduleparam.h>
#include <linux/pr.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"
#include "autoch_kunit.h"

/* ---- sense data and midlayer results ---- */

struct autoch_test_sense {
	u8 key;
	u8 asc;
	u8 ascq;
	int err;
};

static const struct autoch_test_sense autoch_test_senses[] = {
	{ ILLEGAL_REQUEST, 0x20, 0x00, -EOPNOTSUPP },
	{ ILLEGAL_REQUEST, 0x20, 0x01, -EIO },
	{ ILLEGAL_REQUEST, 0x21, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x21, 0x01, -EINVAL },
	{ ILLEGAL_REQUEST, 0x24, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x24, 0x07, -EINVAL },
	{ ILLEGAL_REQUEST, 0x26, 0x00, -EINVAL },
	{ ILLEGAL_REQUEST, 0x26, 0x02, -EINVAL },
	{ ILLEGAL_REQUEST, 0x25, 0x00, -EIO },
	{ ILLEGAL_REQUEST, 0x3b, 0x0d, -EXFULL },
	{ ILLEGAL_REQUEST, 0x3b, 0x0e, -ENOMEDIUM },
	{ ILLEGAL_REQUEST, 0x3b, 0x0f, -EIO },
	{ ILLEGAL_REQUEST, 0x3b, 0x00, -EIO },
	{ ILLEGAL_REQUEST, 0x53, 0x02, -EBUSY },
	{ ILLEGAL_REQUEST, 0x53, 0x00, -EIO },
	{ NOT_READY, 0x04, 0x01, -EBUSY },
	{ NOT_READY, 0x04, 0x03, -EBUSY },
	{ NOT_READY, 0x3a, 0x00, -EBUSY },
	{ NOT_READY, 0x00, 0x00, -EBUSY },
	{ UNIT_ATTENTION, 0x29, 0x00, -ECONNRESET },
	{ UNIT_ATTENTION, 0x29, 0x02, -ECONNRESET },
	{ UNIT_ATTENTION, 0x28, 0x00, -EIO },
	{ UNIT_ATTENTION, 0x2a, 0x01, -EIO },
	{ HARDWARE_ERROR, 0x15, 0x01, -EIO },
	{ HARDWARE_ERROR, 0x3b, 0x0e, -EIO },
	{ MEDIUM_ERROR, 0x00, 0x00, -EIO },
	{ ABORTED_COMMAND, 0x00, 0x00, -EIO },
	{ ABORTED_COMMAND, 0x20, 0x00, -EIO },
	{ NO_SENSE, 0x00, 0x00, -EIO },
	{ RECOVERED_ERROR, 0x00, 0x00, -EIO },
	{ DATA_PROTECT, 0x27, 0x00, -EIO },
};

static void autoch_test_sshdr(struct scsi_sense_hdr *sshdr, u8 key, u8 asc,
			      u8 ascq)
{
	memset(sshdr, 0, sizeof(*sshdr));
	sshdr->response_code = 0x70;
	sshdr->sense_key = key;
	sshdr->asc = asc;
	sshdr->ascq = ascq;
}

/* The documented mapping, condition by condition. */
static void autoch_test_sense_documented(struct kunit *test)
{
	const struct autoch_test_sense *t;
	struct scsi_sense_hdr sshdr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoch_test_senses); i++) {
		t = &autoch_test_senses[i];
		autoch_test_sshdr(&sshdr, t->key, t->asc, t->ascq);
		KUNIT_EXPECT_EQ_MSG(test, autoch_sense_to_errno(&sshdr), t->err,
				    "sense %x/%02x/%02x", t->key, t->asc, t->ascq);
	}
}

/* Does a row before @n match this sense data? */
static bool autoch_test_shadowed(unsigned int n, u8 key, u8 asc, u8 ascq)
{
	const struct autoch_sense_errno *row;
	unsigned int i;

	for (i = 0; i < n; i++) {
		row = autoch_sense_row(i);
		if (row->key == key &&
		    (row->asc == AUTOCH_ANY || row->asc == asc) &&
		    (row->ascq == AUTOCH_ANY || row->ascq == ascq))
			return true;
	}
	return false;
}

/*
 * Every row of the table is reachable and gives its own errno: sense data
 * that matches a row exactly, with its ASC/ASCQ wildcards replaced by
 * sample values that no earlier row takes.
 */
static void autoch_test_sense_rows(struct kunit *test)
{
	static const u8 anys[] = { 0x00, 0x01, 0x04, 0x7e, 0xfe };
	const struct autoch_sense_errno *row;
	struct scsi_sense_hdr sshdr;
	unsigned int i, a, q, tried;
	u8 asc, ascq;

	for (i = 0; (row = autoch_sense_row(i)); i++) {
		KUNIT_EXPECT_GT(test, row->err, 0);
		tried = 0;
		for (a = 0; a < ARRAY_SIZE(anys); a++) {
			for (q = 0; q < ARRAY_SIZE(anys); q++) {
				asc = row->asc == AUTOCH_ANY ? anys[a] : row->asc;
				ascq = row->ascq == AUTOCH_ANY ? anys[q] : row->ascq;
				if (autoch_test_shadowed(i, row->key, asc, ascq))
					continue;
				tried++;
				autoch_test_sshdr(&sshdr, row->key, asc, ascq);
				KUNIT_EXPECT_EQ_MSG(test,
						    autoch_sense_to_errno(&sshdr),
						    -row->err, "row %u: %x/%02x/%02x",
						    i, row->key, asc, ascq);
			}
		}
		KUNIT_EXPECT_GT_MSG(test, tried, 0U, "row %u is shadowed", i);
	}
}

static void autoch_test_result(struct kunit *test)
{
	struct scsi_sense_hdr sshdr, invalid = {};
	int cc = SAM_STAT_CHECK_CONDITION;

	autoch_test_sshdr(&sshdr, ILLEGAL_REQUEST, 0x3b, 0x0e);

	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0, NULL), 0);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0, &sshdr), 0);

	/* no command could be issued */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-ENODEV, NULL), -ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-ENOMEM, NULL), -ENOMEM);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(-EIO, &sshdr), -EIO);

	/* the host byte comes first, whatever the status says */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TIME_OUT << 16, NULL),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TIME_OUT << 16 | cc,
						     &sshdr), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_NO_CONNECT << 16, NULL),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_BAD_TARGET << 16, NULL),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(0x11 << 16, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_ERROR << 16, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_ABORT << 16, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_RESET << 16 | cc,
						     &sshdr), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(DID_TRANSPORT_DISRUPTED << 16,
						     NULL), -EIO);

	/* status byte */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_RESERVATION_CONFLICT,
						     NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_BUSY, NULL), -EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_TASK_SET_FULL, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(SAM_STAT_TASK_ABORTED, NULL),
			-EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), -ENOMEDIUM);
	/* CHECK CONDITION without (valid) sense data is still a failure */
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, NULL), -EIO);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &invalid), -EIO);
	invalid.sense_key = ILLEGAL_REQUEST;
	invalid.asc = 0x3b;
	invalid.ascq = 0x0e;
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &invalid), -EIO);

	/* SPC-4 4.5.6: RECOVERED ERROR, the command completed */
	autoch_test_sshdr(&sshdr, RECOVERED_ERROR, 0x17, 0x01);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), 0);
	autoch_test_sshdr(&sshdr, RECOVERED_ERROR, 0x5d, 0x00);
	KUNIT_EXPECT_EQ(test, autoch_result_to_errno(cc, &sshdr), 0);
}

static void autoch_test_sense_len(struct kunit *test)
{
	u8 sense[SCSI_SENSE_BUFFERSIZE] = {};

	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
	sense[0] = 0x70;
	sense[7] = 10;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 18U);
	sense[0] = 0xf0;	/* VALID bit */
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 18U);
	sense[0] = 0x72;
	sense[7] = 0;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 8U);
	sense[7] = 0xff;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), (unsigned int)SCSI_SENSE_BUFFERSIZE);
	sense[0] = 0x74;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
	sense[0] = 0x7f;
	KUNIT_EXPECT_EQ(test, autoch_sense_len(sense), 0U);
}

/* The progress indication of NOT READY sense, fixed and descriptor. */
static void autoch_test_sense_progress(struct kunit *test)
{
	u8 sense[SCSI_SENSE_BUFFERSIZE] = {};

	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	/* fixed: SKSV and bytes 16-17 */
	sense[0] = 0x70;
	sense[2] = NOT_READY;
	sense[7] = 10;
	sense[12] = 0x04;
	sense[13] = 0x01;
	sense[16] = 0x40;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	sense[15] = 0x80;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), 0x4000);
	/* the bytes must be there */
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 17), -1);
	sense[7] = 6;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);

	/*
	 * descriptor: a sense-key specific descriptor (02h, SPC-4 4.5.2.5):
	 * SKSV in its byte 4, the progress in bytes 5-6
	 */
	memset(sense, 0, sizeof(sense));
	sense[0] = 0x72;
	sense[1] = NOT_READY;
	sense[2] = 0x04;
	sense[3] = 0x01;
	sense[7] = 8;
	sense[8] = 0x02;
	sense[9] = 6;
	sense[12] = 0x80;
	sense[13] = 0xff;
	sense[14] = 0xff;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), 0xffff);
	sense[12] = 0;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	sense[12] = 0x80;
	sense[8] = 0x03;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, sizeof(sense)), -1);
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 4), -1);
	/* a descriptor cut off by the end of the buffer */
	sense[8] = 0x02;
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 14), -1);
	KUNIT_EXPECT_EQ(test, autoch_sense_progress(sense, 15), 0xffff);
}

/* ---- struct element_status ---- */

/* typeof() cannot take a bit-field */
#define AUTOCH_TEST_BF(x)	((unsigned int)(x))

/* Bytes of struct element_status that hold no field the driver sets. */
static bool autoch_test_status_reserved_zero(const struct element_status *es)
{
	return !es->resv1 && !es->resv2 && !es->sublu_valid && !es->resv3 &&
	       !es->sub_lun && !es->resv4 &&
	       !memchr_inv(es->misc_bytes, 0, sizeof(es->misc_bytes));
}

/* Longer than 60 lines: one bit of element_status after another. */
static void autoch_test_fill_status(struct kunit *test)
{
	static const struct {
		u8 flag;
		unsigned int full, operator, except, access, exp, imp;
	} bits[] = {
		{ 0x01, 1, 0, 0, 0, 0, 0 },
		{ 0x02, 0, 1, 0, 0, 0, 0 },
		{ 0x04, 0, 0, 1, 0, 0, 0 },
		{ 0x08, 0, 0, 0, 1, 0, 0 },
		{ 0x10, 0, 0, 0, 0, 1, 0 },
		{ 0x20, 0, 0, 0, 0, 0, 1 },
		{ 0xc0, 0, 0, 0, 0, 0, 0 },	/* reserved bits */
	};
	struct element_status *es;
	struct autoch_elem e = {};
	unsigned int i;

	es = kunit_kmalloc(test, sizeof(*es), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, es);

	/* nothing set: an all-zero struct but the address */
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1030, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, es->element, 1030);
	KUNIT_EXPECT_NULL(test, memchr_inv((u8 *)es + 2, 0, sizeof(*es) - 2));

	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		e.flags = bits[i].flag;
		memset(es, 0xff, sizeof(*es));
		autoch_fill_status(es, 16, AUTOCH_IE, &e);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->full), bits[i].full);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->operator), bits[i].operator);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->except), bits[i].except);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->access), bits[i].access);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->export_enable), bits[i].exp);
		KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->import_enable), bits[i].imp);
		KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));
	}

	/* everything at once, for a drive */
	memset(&e, 0, sizeof(e));
	e.flags = 0xff;
	e.asc = 0x83;
	e.ascq = 0x04;
	e.id_flags = 0xb5;	/* NotBus, IDValid, LUValid, LUN 5; 0x08 reserved */
	e.bus_addr = 7;
	e.src_flags = 0xff;
	e.src = 1029;
	autoch_test_tag(e.pvoltag, "ACT001", 1);
	autoch_test_tag(e.avoltag, "ALT001", 2);
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 256, AUTOCH_DT, &e);
	KUNIT_EXPECT_EQ(test, es->element, 256);
	KUNIT_EXPECT_EQ(test, es->full + es->operator + es->except + es->access +
			es->export_enable + es->import_enable, 6);
	KUNIT_EXPECT_EQ(test, es->sense_code, 0x83);
	KUNIT_EXPECT_EQ(test, es->sense_qualifier, 0x04);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 5);
	KUNIT_EXPECT_EQ(test, es->bus_address, 7);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->source_valid), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->invert), 1U);
	KUNIT_EXPECT_EQ(test, es->source_element, 1029);
	KUNIT_EXPECT_EQ(test, memcmp(es->pri_vol_tag, e.pvoltag, 36), 0);
	KUNIT_EXPECT_EQ(test, memcmp(es->alt_vol_tag, e.avoltag, 36), 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));

	/* LUN and bus address only when flagged valid */
	e.id_flags = 0x87;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 256, AUTOCH_DT, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 1U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 0U);
	KUNIT_EXPECT_EQ(test, es->bus_address, 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));

	/* bytes 6-7 mean nothing for other element types */
	e.id_flags = 0xb5;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1024, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->not_bus), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->id_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lu_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->lun), 0U);
	KUNIT_EXPECT_EQ(test, es->bus_address, 0);

	/* the source only when SValid; Invert on its own */
	e.src_flags = 0x40;
	memset(es, 0xff, sizeof(*es));
	autoch_fill_status(es, 1024, AUTOCH_ST, &e);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->source_valid), 0U);
	KUNIT_EXPECT_EQ(test, AUTOCH_TEST_BF(es->invert), 1U);
	KUNIT_EXPECT_EQ(test, es->source_element, 0);
	KUNIT_EXPECT_TRUE(test, autoch_test_status_reserved_zero(es));
}

/* ---- persistent reservation types (SPC-4 table 169, <linux/pr.h>) ---- */

static void autoch_test_pr_types(struct kunit *test)
{
	static const struct {
		u32 pr;
		int scsi;
	} types[] = {
		{ PR_WRITE_EXCLUSIVE, 0x01 },
		{ PR_EXCLUSIVE_ACCESS, 0x03 },
		{ PR_WRITE_EXCLUSIVE_REG_ONLY, 0x05 },
		{ PR_EXCLUSIVE_ACCESS_REG_ONLY, 0x06 },
		{ PR_WRITE_EXCLUSIVE_ALL_REGS, 0x07 },
		{ PR_EXCLUSIVE_ACCESS_ALL_REGS, 0x08 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(types[i].pr),
				types[i].scsi);
		KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(types[i].scsi),
				types[i].pr);
	}
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(0), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(7), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(0x80000000), -EINVAL);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_to_scsi(U32_MAX), -EINVAL);
	/* SCSI types with no <linux/pr.h> name: none */
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x00), 0U);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x02), 0U);
	KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(0x04), 0U);
	for (i = 0x09; i <= 0x0f; i++)
		KUNIT_EXPECT_EQ(test, autoch_pr_type_from_scsi(i), 0U);
}

static struct kunit_case autoch_test_cases[] = {
	KUNIT_CASE(autoch_test_sense_documented),
	KUNIT_CASE(autoch_test_sense_rows),
	KUNIT_CASE(autoch_test_result),
	KUNIT_CASE(autoch_test_sense_len),
	KUNIT_CASE(autoch_test_sense_progress),
	KUNIT_CASE(autoch_test_voltag_blank),
	KUNIT_CASE(autoch_test_parse_desc),
	KUNIT_CASE(autoch_test_res_good),
	KUNIT_CASE(autoch_test_res_truncated),
	KUNIT_CASE(autoch_test_res_oversized),
	KUNIT_CASE(autoch_test_res_short_desc),
	KUNIT_CASE(autoch_test_res_tags),
	KUNIT_CASE(autoch_test_res_pages),
	KUNIT_CASE(autoch_test_res_stale_map),
	KUNIT_CASE(autoch_test_res_cdb),
	KUNIT_CASE(autoch_test_res_alloc),
	KUNIT_CASE(autoch_test_res_alloc16_reply),
	KUNIT_CASE(autoch_test_res_cut_short),
	KUNIT_CASE(autoch_test_type_of),
	KUNIT_CASE(autoch_test_fill_status),
	KUNIT_CASE(autoch_test_pr_types),
	KUNIT_CASE(autoch_test_res_first_match),
	KUNIT_CASE(autoch_test_drive_id_tags),
	KUNIT_CASE(autoch_test_id_matches),
	KUNIT_CASE_PARAM(autoch_test_fuzz, autoch_fuzz_params),
	KUNIT_CASE(autoch_test_fuzz_total),
	{}
};

static struct kunit_suite autoch_test_suite = {
	.name = "autoch",
	.test_cases = autoch_test_cases,
};

kunit_test_suite(autoch_test_suite);
