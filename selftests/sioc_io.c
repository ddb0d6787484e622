// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_IO, HP-UX's pass-through (sioc_io(7)), with
 * HP-UX's struct sctl_io from include/hpux/sys/scsi_ctl.h. The call
 * returns 0 whenever a command was delivered and reports its SCSI status
 * in cdb_status; it fails only for a bad request. Who may send what is
 * scsi_cmd_allowed()'s policy, as for sg. MOVE MEDIUM through SIOC_IO
 * meets other files' reservations as SIOC_MOVE_MEDIUM does, and the
 * driver's cached status follows what it did. Reservation commands are
 * refused (EINVAL): the driver's reservation table must not lie.
 */
#define _GNU_SOURCE
#include "emul_ctl.h"
#include "../include/hpux/sys/scsi_ctl.h"

#include <grp.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>
#include <linux/pr.h>
#include <scsi/sg.h>

FIXTURE(changer) {
	struct autoch_dev dev;
	struct emul_params params;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
	if (emul_present())
		emul_ctl("fault", "clear");
	EXPECT_EQ(0, emul_params_restore(&self->params));
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* A command with no data phase, or a data-in one into @buf. */
static void sctl_init(struct sctl_io *io, const unsigned char *cdb,
		      unsigned int cdb_len, void *buf, unsigned int len)
{
	memset(io, 0, sizeof(*io));
	memcpy(io->cdb, cdb, cdb_len);
	io->cdb_length = cdb_len;
	io->data = buf;
	io->data_length = len;
	if (len)
		io->flags = SCTL_READ;
	io->max_msecs = 60000;
}

static void put_be16(unsigned char *p, int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* MOVE MEDIUM (SMC-3 6.5) with the first transport. */
static void move_cdb(unsigned char cdb[12], const struct autoch_dev *d,
		     int src, int dst)
{
	memset(cdb, 0, 12);
	cdb[0] = AUTOCH_OP_MOVE_MEDIUM;
	cdb[2] = d->ea.first_transport >> 8;
	cdb[3] = d->ea.first_transport & 0xff;
	cdb[4] = src >> 8;
	cdb[5] = src & 0xff;
	cdb[6] = dst >> 8;
	cdb[7] = dst & 0xff;
}

/* Commands the emulation received with opcode @op, all hosts; -1 without it. */
static long long emul_sent(unsigned int op)
{
	char buf[8192], *line, *save;
	unsigned long long total;
	unsigned int o;

	if (!emul_present() ||
	    emul_read_file(EMUL_DEBUGFS "/counters", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%x %llu", &o, &total) == 2 && o == op)
			return total;
	return 0;
}

/*
 * MOVE MEDIUM through the sg node @sg, behind the driver's back (the
 * same initiator, so no unit attention tells it). 0 when it ended GOOD.
 */
static int sg_move(const char *sg, const struct autoch_dev *d, int src, int dst)
{
	unsigned char cdb[12], sense[32];
	struct sg_io_hdr h;
	int fd, i, ret = -1;

	fd = open(sg, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	move_cdb(cdb, d, src, dst);
	/* a unit attention pending for this initiator: once more */
	for (i = 0; i < 3 && ret; i++) {
		memset(&h, 0, sizeof(h));
		h.interface_id = 'S';
		h.dxfer_direction = SG_DXFER_NONE;
		h.cmd_len = sizeof(cdb);
		h.cmdp = cdb;
		h.mx_sb_len = sizeof(sense);
		h.sbp = sense;
		h.timeout = 60000;
		if (ioctl(fd, SG_IO, &h))
			break;
		ret = h.status || h.host_status || h.driver_status;
		if (ret && !(h.sb_len_wr > 2 && (sense[2] & 0xf) == 6))
			break;
	}
	close(fd);
	return ret;
}

/* INQUIRY through SIOC_IO: the bytes SIOC_INQUIRY gives. */
TEST_F(changer, inquiry)
{
	static const unsigned char cdb[6] = { 0x12, 0, 0, 0, 96, 0 };
	unsigned char buf[96], hpux[128];
	struct sctl_io io;

	memset(buf, 0xa5, sizeof(buf));
	sctl_init(&io, cdb, sizeof(cdb), buf, sizeof(buf));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);
	ASSERT_LE(36u, io.data_xfer);
	ASSERT_GE(sizeof(buf), io.data_xfer);
	EXPECT_EQ(0u, io.sense_xfer);
	EXPECT_EQ(SCSI_AUTOCHANGER, buf[0] & 0x1f);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_INQUIRY, hpux));
	EXPECT_EQ(0, memcmp(buf, hpux, 36));
}

/* TEST UNIT READY: no data phase, GOOD (after at most a unit attention). */
TEST_F(changer, test_unit_ready)
{
	static const unsigned char cdb[6] = { 0 };
	struct sctl_io io;
	int i;

	for (i = 0; i < 3; i++) {
		sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
		if (io.cdb_status == 0u)
			break;
	}
	EXPECT_EQ(0u, io.cdb_status);
	EXPECT_EQ(0u, io.data_xfer);
}

/*
 * MOVE MEDIUM from an empty element: the call returns 0; cdb_status is
 * CHECK CONDITION, the sense (ILLEGAL REQUEST 3B/0E) is in sense, and
 * SIOC_XSENSE has the same bytes afterwards.
 */
TEST_F(changer, check_condition)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, &src, 1);
	unsigned char cdb[12], sense[131];
	struct sctl_io io;

	if (src < 0 || dst < 0)
		SKIP(return, "needs two empty storage elements");
	move_cdb(cdb, &self->dev, src, dst);
	sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(AUTOCH_CHECK_CONDITION, io.cdb_status);
	EXPECT_EQ(0u, io.sense_status);
	ASSERT_LE(14u, io.sense_xfer);
	ASSERT_GE(sizeof(io.sense), io.sense_xfer);
	EXPECT_EQ(0, autoch_nonzero(io.sense + io.sense_xfer,
				    sizeof(io.sense) - io.sense_xfer));
	if ((io.sense[0] & 0x7f) == 0x70 || (io.sense[0] & 0x7f) == 0x71) {
		EXPECT_EQ(AUTOCH_ILLEGAL_REQUEST, io.sense[2] & 0xf);
		EXPECT_EQ(0x3b, io.sense[12]);
		EXPECT_EQ(0x0e, io.sense[13]);
	} else {
		EXPECT_EQ(AUTOCH_ILLEGAL_REQUEST, io.sense[1] & 0xf);
		EXPECT_EQ(0x3b, io.sense[2]);
		EXPECT_EQ(0x0e, io.sense[3]);
	}
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_XSENSE, sense));
	EXPECT_EQ(0, memcmp(sense, io.sense, io.sense_xfer));
}

/* Bad requests fail before anything is sent. */
TEST_F(changer, bad_requests)
{
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	unsigned char buf[96], cdb[16];
	struct sctl_io io;

	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	io.cdb_length = 5;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	io.cdb_length = 17;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	io.cdb_length = 10;	/* INQUIRY is a 6-byte command */
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));

	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	io.flags |= 0x10;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	io.reserved[15] = 1;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	sctl_init(&io, inquiry, sizeof(inquiry), buf, 1u << 30);
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));

	/* reservation commands: the driver's own bookkeeping only */
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = AUTOCH_OP_RESERVE_ELEMENT_6;
	sctl_init(&io, cdb, 6, NULL, 0);
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	cdb[0] = 0x17;		/* RELEASE ELEMENT(6) */
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	cdb[0] = AUTOCH_OP_RESERVE_ELEMENT_10;
	sctl_init(&io, cdb, 10, NULL, 0);
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	cdb[0] = 0x5f;		/* PERSISTENT RESERVE OUT */
	EXPECT_EQ(EINVAL, autoch_ioctl(self->dev.fd, SIOC_IO, &io));

	sctl_init(&io, inquiry, sizeof(inquiry), (void *)8, sizeof(buf));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_IO, NULL));
}

/*
 * A MOVE MEDIUM through SIOC_IO is seen at once by SIOC_ELEMENT_STATUS,
 * whose cache was filled just before.
 */
TEST_F(changer, move_seen_at_once)
{
	int full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct element_status es;
	unsigned char cdb[12];
	struct sctl_io io;

	if (full < 0 || empty < 0)
		SKIP(return, "needs a full and an empty storage element");
	ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es));
	ASSERT_EQ(1, (int)es.full);
	ASSERT_EQ(0, autoch_status(self->dev.fd, empty, &es));
	ASSERT_EQ(0, (int)es.full);

	move_cdb(cdb, &self->dev, full, empty);
	sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	ASSERT_EQ(0u, io.cdb_status) TH_LOG("sense %x/%02x/%02x",
						io.sense[2] & 0xf,
						io.sense[12], io.sense[13]);
	autoch_remember(&self->dev, false, full, empty);

	ASSERT_EQ(0, autoch_status(self->dev.fd, full, &es));
	EXPECT_EQ(0, (int)es.full);
	ASSERT_EQ(0, autoch_status(self->dev.fd, empty, &es));
	EXPECT_EQ(1, (int)es.full);
	EXPECT_EQ(1, (int)es.source_valid);
	EXPECT_EQ(full, es.source_element);
}

/*
 * Another open file holds the unit, then one of the elements: a MOVE
 * MEDIUM through SIOC_IO is EBUSY and moves nothing, as SIOC_MOVE_MEDIUM.
 */
TEST_F(changer, reservations_hold)
{
	int full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct reservation_parms rp = { 0 };
	struct autoch_inventory *before;
	unsigned char cdb[12];
	struct sctl_io io;
	int other;

	if (full < 0 || empty < 0)
		SKIP(return, "needs a full and an empty storage element");
	other = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, other);
	before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, before);
	move_cdb(cdb, &self->dev, full, empty);

	rp.all_elements = 1;
	ASSERT_EQ(0, autoch_ioctl(other, SIOC_RESERVE, &rp));
	sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
	EXPECT_EQ(EBUSY, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0, autoch_ioctl(other, SIOC_RELEASE, &rp));

	rp.all_elements = 0;
	rp.element = empty;
	rp.identification = 7;
	if (!autoch_ioctl(other, SIOC_RESERVE, &rp)) {
		sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
		EXPECT_EQ(EBUSY, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
		EXPECT_EQ(0, autoch_ioctl(other, SIOC_RELEASE, &rp));
	}
	autoch_expect_unchanged(_metadata, &self->dev, before);
	free(before);
	close(other);
}

/*
 * The fields not seen above: the hint flags are accepted; 10- and
 * 16-byte CDBs are sent (a 16-byte command a changer lacks comes back as
 * CHECK CONDITION, the call still 0); a data-out phase (MODE SELECT with
 * a header) leaves the caller's buffer alone and reports data_xfer;
 * max_msecs 0 is a timeout, not an error; EFAULT for a data-out buffer
 * that cannot be read; ENOTTY for a size neither layout has.
 */
TEST_F(changer, fields)
{
	static const unsigned char mode_sense10[10] = { 0x5a, 0x08, 0x1d, 0, 0, 0, 0, 0, 64, 0 };
	static const unsigned char rc16[16] = { 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 };
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	static const unsigned char mode_select[6] = { 0x15, 0x10, 0, 0, 4, 0 };
	unsigned char buf[96], hdr[4] = { 0 };
	struct sctl_io io;

	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	io.flags |= SCTL_INIT_WDTR | SCTL_INIT_SDTR | SCTL_NO_ATN;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);
	EXPECT_LE(36u, io.data_xfer);

	sctl_init(&io, mode_sense10, sizeof(mode_sense10), buf, 64);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status) TH_LOG("sense %x/%02x/%02x",
					    io.sense[2] & 0xf, io.sense[12],
					    io.sense[13]);
	EXPECT_LE(8u + 20u, io.data_xfer) TH_LOG("MODE SENSE(10) 1Dh: %u bytes",
						 io.data_xfer);
	EXPECT_EQ(0x1d, buf[8] & 0x3f);

	sctl_init(&io, rc16, sizeof(rc16), buf, 32);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_TRUE(io.cdb_status == 0 || io.cdb_status == AUTOCH_CHECK_CONDITION)
		TH_LOG("16-byte CDB: cdb_status %#x", io.cdb_status);

	/* data out: 4 bytes of mode parameter header */
	sctl_init(&io, mode_select, sizeof(mode_select), hdr, sizeof(hdr));
	io.flags = 0;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_TRUE(io.cdb_status == 0 || io.cdb_status == AUTOCH_CHECK_CONDITION);
	if (io.cdb_status == 0)
		EXPECT_EQ(4u, io.data_xfer);
	EXPECT_EQ(0, autoch_nonzero(hdr, sizeof(hdr)));
	io.data = (void *)8;
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_IO, &io));

	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	io.max_msecs = 0;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);

	EXPECT_EQ(ENOTTY, autoch_ioctl(self->dev.fd,
				       _IOWR('S', 22, unsigned char[200]), &io));
}

/*
 * SCSI outcomes other than GOOD and CHECK CONDITION with sense, from the
 * emulation's faults; each call returns 0: RESERVATION CONFLICT in
 * cdb_status; a short transfer in data_xfer; a CHECK CONDITION without
 * sense data; a transport failure (SCTL_INCOMPLETE) and a device that
 * does not answer (SCTL_SELECT_TIMEOUT).
 */
TEST_F(changer, statuses)
{
	static const unsigned char tur[6] = { 0 };
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	unsigned char buf[96];
	struct sctl_io io;

	if (!emul_present())
		SKIP(return, "needs the emulated changer (selftests/emul) for faults");

	ASSERT_EQ(0, emul_ctl("fault", "opcode=00 count=1 fault=conflict"));
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0x18u, io.cdb_status);	/* S_RESV_CONFLICT */
	EXPECT_EQ(0u, io.sense_xfer);

	ASSERT_EQ(0, emul_ctl("fault", "opcode=12 count=1 fault=short bytes=10"));
	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);
	EXPECT_EQ(10u, io.data_xfer);

	/*
	 * CHECK CONDITION without sense data: the midlayer's error handler
	 * sends REQUEST SENSE itself, and its answer (NO SENSE here) is the
	 * sense, with sense_status GOOD, as HP-UX's automatic REQUEST SENSE.
	 */
	ASSERT_EQ(0, emul_ctl("fault", "opcode=00 count=1 fault=nosense"));
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(AUTOCH_CHECK_CONDITION, io.cdb_status);
	EXPECT_EQ(0u, io.sense_status);
	ASSERT_LE(14u, io.sense_xfer);
	EXPECT_EQ(0, io.sense[2] & 0xf) TH_LOG("sense key %x", io.sense[2] & 0xf);

	ASSERT_EQ(0, emul_ctl("fault", "opcode=00 count=0 fault=did did=error"));
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ((unsigned int)SCTL_INCOMPLETE, io.cdb_status);
	ASSERT_EQ(0, emul_ctl("fault", "clear"));

	ASSERT_EQ(0, emul_ctl("fault", "opcode=00 count=0 fault=did did=no_connect"));
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ((unsigned int)SCTL_SELECT_TIMEOUT, io.cdb_status);
	ASSERT_EQ(0, emul_ctl("fault", "clear"));

	/* and the changer answers as before */
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
}

/*
 * Cache coherence: with cache_ms at ten minutes, a move through the sg
 * node behind the driver's back stays unseen after a TEST UNIT READY
 * through SIOC_IO (the control: the cache is in use), and is seen at
 * once after each command that can change the library: INITIALIZE
 * ELEMENT STATUS, POSITION TO ELEMENT, MODE SELECT, whatever the
 * changer answered to it.
 */
TEST_F(changer, cache_coherence)
{
	static const struct {
		const char *name;
		unsigned char cdb[10];
		unsigned int len;
	} drops[] = {
		{ "INITIALIZE ELEMENT STATUS", { 0x07 }, 6 },
		{ "POSITION TO ELEMENT", { 0x2b }, 10 },
		{ "MODE SELECT(6)", { 0x15, 0x10 }, 6 },
	};
	static const unsigned char tur[6] = { 0 };
	int full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct element_status es;
	unsigned char cdb[10];
	struct sctl_io io;
	char sg[64];
	size_t i;
	int pass;

	if (full < 0 || empty < 0)
		SKIP(return, "needs a full and an empty storage element");
	if (emul_sg_of(autoch_path(), sg, sizeof(sg)))
		SKIP(return, "no sg node for %s", autoch_path());
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 600000));

	for (i = 0; i < ARRAY_SIZE(drops); i++) {
		memcpy(cdb, drops[i].cdb, sizeof(cdb));
		if (cdb[0] == 0x2b) {
			put_be16(cdb + 2, self->dev.ea.first_transport);
			put_be16(cdb + 4, full);
		}
		for (pass = 0; pass < 2; pass++) {
			int from = pass ? empty : full, to = pass ? full : empty;

			/* the cache: both elements as they are */
			ASSERT_EQ(0, autoch_status(self->dev.fd, from, &es));
			ASSERT_EQ(1, (int)es.full);
			ASSERT_EQ(0, autoch_status(self->dev.fd, to, &es));
			ASSERT_EQ(0, (int)es.full);

			ASSERT_EQ(0, sg_move(sg, &self->dev, from, to))
				TH_LOG("MOVE MEDIUM through %s", sg);
			if (pass)
				self->dev.nr_undo--;
			else
				autoch_remember(&self->dev, false, from, to);

			sctl_init(&io, tur, sizeof(tur), NULL, 0);
			ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
			ASSERT_EQ(0, autoch_status(self->dev.fd, from, &es));
			EXPECT_EQ(1, (int)es.full)
				TH_LOG("the cache is not in use: the checks below prove nothing");

			sctl_init(&io, cdb, drops[i].len, NULL, 0);
			ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io))
				TH_LOG("%s", drops[i].name);
			ASSERT_EQ(0, autoch_status(self->dev.fd, from, &es));
			EXPECT_EQ(0, (int)es.full)
				TH_LOG("after %s the cache still says full", drops[i].name);
			ASSERT_EQ(0, autoch_status(self->dev.fd, to, &es));
			EXPECT_EQ(1, (int)es.full)
				TH_LOG("after %s the cache still says empty", drops[i].name);
		}
	}
}

/*
 * The interlock beyond reservations_hold: an EXCHANGE MEDIUM through
 * SIOC_IO meets another file's element reservation (EBUSY, nothing
 * sent, whatever the changer could do), and a file's own reservation
 * does not stop its own MOVE MEDIUM through SIOC_IO.
 */
TEST_F(changer, reservations_exchange_and_holder)
{
	int full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct reservation_parms rp = { .identification = 7 };
	unsigned char cdb[12];
	struct sctl_io io;
	long long sent;
	int other;

	if (full < 0 || empty < 0)
		SKIP(return, "needs a full and an empty storage element");
	other = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, other);

	rp.element = empty;
	ASSERT_EQ(0, autoch_ioctl(other, SIOC_RESERVE, &rp));
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = AUTOCH_OP_EXCHANGE_MEDIUM;
	put_be16(cdb + 2, self->dev.ea.first_transport);
	put_be16(cdb + 4, full);
	put_be16(cdb + 6, empty);
	put_be16(cdb + 8, full);
	sent = emul_sent(AUTOCH_OP_EXCHANGE_MEDIUM);
	sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
	EXPECT_EQ(EBUSY, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(sent, emul_sent(AUTOCH_OP_EXCHANGE_MEDIUM));
	EXPECT_EQ(0, autoch_ioctl(other, SIOC_RELEASE, &rp));
	close(other);

	/* the holder itself moves */
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RESERVE, &rp));
	move_cdb(cdb, &self->dev, full, empty);
	sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);
	if (io.cdb_status == 0)
		autoch_remember(&self->dev, false, full, empty);
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RELEASE, &rp));
}

/*
 * A MOVE MEDIUM through SIOC_IO counts as a move in flight: while the
 * robot is busy with it (move_ms), another file can reserve neither its
 * destination nor the unit (EBUSY); afterwards it can.
 */
TEST_F(changer, move_in_flight)
{
	int full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct reservation_parms rp = { .identification = 9 };
	struct reservation_parms unit = { .all_elements = 1 };
	long long before;
	int other, status, i;
	pid_t pid;

	if (!emul_present())
		SKIP(return, "needs the emulated changer (selftests/emul) for a slow move");
	if (full < 0 || empty < 0)
		SKIP(return, "needs a full and an empty storage element");
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "move_ms", 4000));
	before = emul_sent(AUTOCH_OP_MOVE_MEDIUM);
	ASSERT_LE(0, before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned char cdb[12];
		struct sctl_io io;

		move_cdb(cdb, &self->dev, full, empty);
		sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
		_exit(autoch_ioctl(self->dev.fd, SIOC_IO, &io) || io.cdb_status);
	}
	/* the MOVE MEDIUM has reached the changer */
	for (i = 0; i < 300 && emul_sent(AUTOCH_OP_MOVE_MEDIUM) == before; i++)
		emul_sleep_ms(10);
	other = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, other);
	rp.element = empty;
	EXPECT_EQ(EBUSY, autoch_ioctl(other, SIOC_RESERVE, &rp));
	EXPECT_EQ(EBUSY, autoch_ioctl(other, SIOC_RESERVE, &unit));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		autoch_remember(&self->dev, false, full, empty);
	EXPECT_EQ(0, autoch_ioctl(other, SIOC_RESERVE, &rp));
	EXPECT_EQ(0, autoch_ioctl(other, SIOC_RELEASE, &rp));
	close(other);
}

/*
 * PREVENT ALLOW MEDIUM REMOVAL is the driver's to count: it sends ALLOW
 * when the last file that prevented removal goes (Documentation/sharing.rst),
 * which a PREVENT through SIOC_IO would escape, and an ALLOW through it
 * would undo another file's PREVENT. Both are refused (EINVAL) like the
 * reservation commands, on a descriptor opened for writing too, and
 * nothing is sent; on the emulation the door still opens afterwards.
 */
TEST_F(changer, prevent_allow_refused)
{
	static const unsigned char prevent[6] = { 0x1e, 0, 0, 0, 1, 0 };
	static const unsigned char allow[6] = { 0x1e };
	long long sent = emul_sent(0x1e);
	__u32 one = 1, zero = 0;
	struct sctl_io io;
	int rw, err;

	/* a PREVENT, and the file closed without an ALLOW */
	rw = open(autoch_path(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, rw);
	sctl_init(&io, prevent, sizeof(prevent), NULL, 0);
	EXPECT_EQ(EINVAL, autoch_ioctl(rw, SIOC_IO, &io));
	close(rw);
	if (sent >= 0) {
		EXPECT_EQ(sent, emul_sent(0x1e)) TH_LOG("PREVENT sent");
		/* no file holds removal prevented: the door opens */
		err = emul_ctl("event", "door open");
		EXPECT_EQ(0, err) TH_LOG("the door stays locked: %s",
					 emul_errname(err));
		if (!err)
			EXPECT_EQ(0, emul_ctl("event", "door close"));
	}
	/* unlock it the driver's way, whatever happened */
	rw = open(autoch_path(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, rw);
	autoch_ioctl(rw, AUTOCH_PREVENT_ALLOW, &one);
	autoch_ioctl(rw, AUTOCH_PREVENT_ALLOW, &zero);

	sctl_init(&io, allow, sizeof(allow), NULL, 0);
	EXPECT_EQ(EINVAL, autoch_ioctl(rw, SIOC_IO, &io));
	close(rw);
}

/*
 * Who may send what through SIOC_IO, and the other ioctls, as
 * Documentation/sharing.rst ("Who may do what") says. The node is given
 * to root:tape, mode 0660, for these tests and put back afterwards, and
 * each caller is a forked child that opens the node itself:
 *
 * - an operator: uid 1000, group tape as a supplementary group (and, in
 *   tape_primary_group, as its only group);
 * - root without CAP_SYS_RAWIO (dropped from its sets);
 * - root, with every capability;
 * - uid 1001 in no group of the node: EACCES at open.
 *
 * SIOC_IO follows scsi_cmd_allowed(): its read-only list for any
 * descriptor (which, by the MMC names it knows opcodes by, includes
 * POSITION TO ELEMENT, 2Bh, as SEEK), its write list for a descriptor
 * opened for writing (MODE SELECT, LOG SELECT, and EXCHANGE MEDIUM, A6h,
 * as LOAD/UNLOAD), everything else (READ ELEMENT
 * STATUS, MOVE MEDIUM, INITIALIZE ELEMENT STATUS) only with
 * CAP_SYS_RAWIO. EPERM comes before anything is sent, which the
 * emulation's command counters show where it is present.
 */
#define TAPE_USER_UID	1000	/* an operator's account, not root */
#define OTHER_UID	1001	/* a user in no group of the node */
#define TAPE_GID	26	/* Debian's tape, when /etc/group lacks it */
#define MAX_RESULTS	32

enum who {
	WHO_TAPE_USER,		/* uid 1000, supplementary group tape */
	WHO_TAPE_PRIMARY,	/* uid 1000, gid tape, no other group */
	WHO_OTHER_USER,		/* uid 1001, gid 1001 */
	WHO_ROOT_NO_RAWIO,	/* uid 0 without CAP_SYS_RAWIO */
	WHO_ROOT,		/* uid 0, every capability */
};

static const char *const who_name[] = {
	[WHO_TAPE_USER] = "uid 1000 in group tape",
	[WHO_TAPE_PRIMARY] = "uid 1000 with gid tape",
	[WHO_OTHER_USER] = "uid 1001, not in group tape",
	[WHO_ROOT_NO_RAWIO] = "root without CAP_SYS_RAWIO",
	[WHO_ROOT] = "root",
};

/* What a child found: the errnos of its calls, in order. */
struct results {
	int n;
	int err[MAX_RESULTS];
};

static void record(struct results *r, int err)
{
	if (r->n < MAX_RESULTS)
		r->err[r->n++] = err;
}

/* Group tape's gid from /etc/group (no NSS in a static program). */
static gid_t tape_gid(void)
{
	char buf[16384], *p;
	unsigned int gid;
	ssize_t len;
	int fd = open("/etc/group", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return TAPE_GID;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return TAPE_GID;
	buf[len] = '\0';
	for (p = buf; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "tape:%*[^:]:%u:", &gid) == 1)
			return gid;
	return TAPE_GID;
}

/* Drop CAP_SYS_RAWIO from every set of this (root) process. */
static int drop_rawio(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	unsigned int i = CAP_TO_INDEX(CAP_SYS_RAWIO);
	__u32 mask = CAP_TO_MASK(CAP_SYS_RAWIO);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_RAWIO, 0, 0, 0) ||
	    syscall(SYS_capget, &hdr, data))
		return -1;
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

/* Become @who; 0, or -1 when a step failed or did not hold. */
static int become(enum who who, gid_t tape)
{
	gid_t groups[NGROUPS_MAX];
	uid_t uid = who == WHO_OTHER_USER ? OTHER_UID : TAPE_USER_UID;
	gid_t gid = who == WHO_TAPE_PRIMARY ? tape :
		    who == WHO_OTHER_USER ? OTHER_UID : TAPE_USER_UID;
	int n, i, in_tape = 0;

	switch (who) {
	case WHO_ROOT:
		return 0;
	case WHO_ROOT_NO_RAWIO:
		return drop_rawio();
	default:
		break;
	}
	groups[0] = tape;
	if (setgroups(who == WHO_TAPE_USER ? 1 : 0, groups) ||
	    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		return -1;
	if (!geteuid() || !getuid() || geteuid() != uid)
		return -1;
	n = getgroups(NGROUPS_MAX, groups);
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		in_tape |= groups[i] == tape;
	in_tape |= getegid() == tape;
	return in_tape == (who != WHO_OTHER_USER) ? 0 : -1;
}

/*
 * Run @fn(@arg, results) in a child that has become @who; 0, or -1 when
 * the child could not become @who or did not report.
 */
static int run_as(enum who who, gid_t tape,
		  void (*fn)(const void *arg, struct results *r),
		  const void *arg, struct results *out)
{
	int pipefd[2], status;
	ssize_t got;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		struct results r = {};

		close(pipefd[0]);
		if (become(who, tape))
			_exit(3);
		fn(arg, &r);
		_exit(write(pipefd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 4);
	}
	close(pipefd[1]);
	got = read(pipefd[0], out, sizeof(*out));
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || got != sizeof(*out))
		return -1;
	return 0;
}

/* One SIOC_IO command of the policy table. */
struct sctl_case {
	const char *name;
	unsigned char cdb[12];
	unsigned int cdb_len;
	unsigned int data_len;	/* data in */
	int ro;			/* errno on O_RDONLY without CAP_SYS_RAWIO */
	int rw;			/* errno on O_RDWR without CAP_SYS_RAWIO */
};

#define SCTL_CASES	11

/*
 * The table, with element addresses of @d: every command either does
 * nothing or fails on the changer (a MOVE MEDIUM of a slot onto itself,
 * an EXCHANGE MEDIUM from an empty slot, a MODE SELECT and a LOG SELECT
 * with no parameter list), so that sending one changes nothing.
 */
static void sctl_cases(struct sctl_case *c, const struct autoch_dev *d,
		       int empty, int empty2)
{
	int mt = d->ea.first_transport, st = d->ea.first_storage;
	static const struct sctl_case fixed[SCTL_CASES] = {
		{ "INQUIRY", { 0x12, 0, 0, 0, 96 }, 6, 96, 0, 0 },
		{ "TEST UNIT READY", { 0 }, 6, 0, 0, 0 },
		{ "REQUEST SENSE", { 0x03, 0, 0, 0, 18 }, 6, 18, 0, 0 },
		{ "MODE SENSE(6) 1Dh", { 0x1a, 0x08, 0x1d, 0, 64 }, 6, 64, 0, 0 },
		{ "POSITION TO ELEMENT", { 0x2b }, 10, 0, 0, 0 },
		{ "MODE SELECT(6)", { 0x15, 0x10 }, 6, 0, EPERM, 0 },
		{ "LOG SELECT", { 0x4c }, 10, 0, EPERM, 0 },
		{ "EXCHANGE MEDIUM", { 0xa6 }, 12, 0, EPERM, 0 },
		{ "READ ELEMENT STATUS", { 0xb8, 0x02, 0, 0, 0, 1, 0, 0, 4 }, 12,
		  1024, EPERM, EPERM },
		{ "MOVE MEDIUM", { 0xa5 }, 12, 0, EPERM, EPERM },
		{ "INITIALIZE ELEMENT STATUS", { 0x07 }, 6, 0, EPERM, EPERM },
	};
	int i;

	memcpy(c, fixed, sizeof(fixed));
	for (i = 0; i < SCTL_CASES; i++) {
		unsigned char *cdb = c[i].cdb;

		switch (cdb[0]) {
		case 0x2b:	/* transport, destination */
			put_be16(cdb + 2, mt);
			put_be16(cdb + 4, st);
			break;
		case 0xa5:	/* transport, source = destination */
			put_be16(cdb + 2, mt);
			put_be16(cdb + 4, st);
			put_be16(cdb + 6, st);
			break;
		case 0xa6:	/* from an empty slot, back to it */
			put_be16(cdb + 2, mt);
			put_be16(cdb + 4, empty);
			put_be16(cdb + 6, empty2);
			put_be16(cdb + 8, empty);
			break;
		case 0xb8:	/* storage, the first one */
			put_be16(cdb + 2, st);
			break;
		}
	}
}

struct sctl_run {
	int mode;		/* O_RDONLY or O_RDWR */
	struct sctl_case cases[SCTL_CASES];
};

/* Every command of the table on a descriptor opened with its mode. */
static void sctl_policy(const void *arg, struct results *r)
{
	const struct sctl_run *run = arg;
	unsigned char buf[1024];
	struct sctl_io io;
	int fd, i;

	fd = open(autoch_path(), run->mode | O_CLOEXEC);
	if (fd < 0) {
		record(r, errno + 1000);
		return;
	}
	for (i = 0; i < SCTL_CASES; i++) {
		const struct sctl_case *c = &run->cases[i];

		sctl_init(&io, c->cdb, c->cdb_len, c->data_len ? buf : NULL,
			  c->data_len);
		record(r, autoch_ioctl(fd, SIOC_IO, &io));
	}
	close(fd);
}

FIXTURE(tape) {
	struct autoch_dev dev;
	struct stat node;
	gid_t tape;
	bool chowned;
	int empty, empty2;
};

FIXTURE_SETUP(tape)
{
	const char *path = autoch_path();

	self->dev.fd = -1;
	if (getuid())
		SKIP(return, "must run as root to become other users");
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", path, strerror(errno));
	self->empty = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	self->empty2 = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY,
				   &self->empty, 1);
	ASSERT_LE(0, self->empty2) TH_LOG("needs two empty storage elements");
	ASSERT_EQ(0, stat(path, &self->node));
	self->tape = tape_gid();
	ASSERT_EQ(0, chown(path, 0, self->tape));
	self->chowned = true;
	ASSERT_EQ(0, chmod(path, 0660));
}

FIXTURE_TEARDOWN(tape)
{
	if (self->chowned &&
	    (chown(autoch_path(), self->node.st_uid, self->node.st_gid) ||
	     chmod(autoch_path(), self->node.st_mode & 07777)))
		TH_LOG("%s not given back: %s", autoch_path(), strerror(errno));
	EXPECT_EQ(0, autoch_undo(&self->dev)) TH_LOG("could not put the media back");
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/*
 * The SIOC_IO table as @who on an O_RDONLY and an O_RDWR descriptor:
 * EPERM exactly where the table says (root: never), nothing sent for an
 * EPERM, and nothing moved.
 */
static void expect_sctl_policy(struct __test_metadata *_metadata,
			       FIXTURE_DATA(tape) *self, enum who who)
{
	struct autoch_inventory *before = autoch_inventory(&self->dev);
	struct sctl_run run;
	struct results r;
	int m, i;

	ASSERT_NE(NULL, before);
	sctl_cases(run.cases, &self->dev, self->empty, self->empty2);
	for (m = 0; m < 2; m++) {
		long long sent[SCTL_CASES];

		run.mode = m ? O_RDWR : O_RDONLY;
		for (i = 0; i < SCTL_CASES; i++)
			sent[i] = emul_sent(run.cases[i].cdb[0]);
		ASSERT_EQ(0, run_as(who, self->tape, sctl_policy, &run, &r))
			TH_LOG("could not run as %s", who_name[who]);
		ASSERT_EQ(SCTL_CASES, r.n)
			TH_LOG("%s: open(%s): %s", who_name[who],
			       m ? "O_RDWR" : "O_RDONLY",
			       r.n ? strerror(r.err[0] - 1000) : "?");
		for (i = 0; i < SCTL_CASES; i++) {
			const struct sctl_case *c = &run.cases[i];
			int want = who == WHO_ROOT ? 0 : m ? c->rw : c->ro;
			long long now = emul_sent(c->cdb[0]);

			EXPECT_EQ(want, r.err[i]) {
				TH_LOG("%s, %s: SIOC_IO %s: %s, not %s",
				       who_name[who], m ? "O_RDWR" : "O_RDONLY",
				       c->name, emul_errname(r.err[i]),
				       emul_errname(want));
			}
			if (want == EPERM && sent[i] >= 0) {
				EXPECT_EQ(sent[i], now)
					TH_LOG("%s sent although refused", c->name);
			}
		}
	}
	autoch_expect_unchanged(_metadata, &self->dev, before);
	free(before);
}

TEST_F(tape, sioc_io_tape_user)
{
	if (_metadata->skip)
		return;
	expect_sctl_policy(_metadata, self, WHO_TAPE_USER);
}

TEST_F(tape, sioc_io_root_without_rawio)
{
	if (_metadata->skip)
		return;
	expect_sctl_policy(_metadata, self, WHO_ROOT_NO_RAWIO);
}

TEST_F(tape, sioc_io_root)
{
	if (_metadata->skip)
		return;
	expect_sctl_policy(_metadata, self, WHO_ROOT);
}

struct ioctl_run {
	struct element_addresses ea;
	int full, empty;
};

/*
 * The other ioctls on an O_RDONLY descriptor, in this order: addresses,
 * status, inquiry, sense, events, capabilities, INIT ELEMENT STATUS,
 * move there and back, reserve and release an element, PREVENT (EPERM
 * expected), PR REGISTER (EPERM expected), PR READ KEYS; then on an
 * O_RDWR descriptor PREVENT and ALLOW.
 */
#define IOCTL_RO_CALLS	14
static void other_ioctls(const void *arg, struct results *r)
{
	const struct ioctl_run *run = arg;
	struct move_medium_parms mp = { .transport = run->ea.first_transport };
	struct reservation_parms rp = { .element = run->empty, .identification = 1 };
	struct pr_registration reg = { .new_key = 0x7461706555ULL,
				       .flags = PR_FL_IGNORE_KEY };
	struct element_status es = { .element = run->full };
	struct autoch_capabilities caps;
	struct element_addresses ea;
	union inquiry_data inq;
	union sense_data sense;
	struct autoch_events ev;
	__u64 keys[4];
	struct pr_read_keys rk = { .num_keys = 4,
				   .keys_ptr = (unsigned long)keys };
	__u32 prevent = 1, allow = 0;
	int fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		record(r, errno + 1000);
		return;
	}
	record(r, autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	record(r, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	record(r, autoch_ioctl(fd, SIOC_INQUIRY, &inq));
	record(r, autoch_ioctl(fd, SIOC_XSENSE, &sense));
	record(r, autoch_ioctl(fd, AUTOCH_GET_EVENTS, &ev));
	record(r, autoch_ioctl(fd, AUTOCH_CAPABILITIES, &caps));
	record(r, autoch_ioctl(fd, SIOC_INIT_ELEM_STAT, NULL));
	mp.source = run->full;
	mp.destination = run->empty;
	record(r, autoch_ioctl(fd, SIOC_MOVE_MEDIUM, &mp));
	mp.source = run->empty;
	mp.destination = run->full;
	record(r, r->err[r->n - 1] ? -1 : autoch_ioctl(fd, SIOC_MOVE_MEDIUM, &mp));
	record(r, autoch_ioctl(fd, SIOC_RESERVE, &rp));
	record(r, autoch_ioctl(fd, SIOC_RELEASE, &rp));
	record(r, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &prevent));
	record(r, autoch_ioctl(fd, IOC_PR_REGISTER, &reg));
	record(r, autoch_ioctl(fd, IOC_PR_READ_KEYS, &rk));
	close(fd);

	fd = open(autoch_path(), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		record(r, errno + 1000);
		return;
	}
	record(r, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &prevent));
	record(r, autoch_ioctl(fd, AUTOCH_PREVENT_ALLOW, &allow));
	close(fd);
}

/*
 * The autochanger ioctls as a user of group tape on an O_RDONLY
 * descriptor: everything of sharing.rst's first rows works (the moves
 * too); PREVENT and PR OUT are EPERM; PR IN is open where the changer
 * has persistent reservations. PREVENT on an O_RDWR descriptor is not
 * EPERM (it works where the changer has the command).
 */
TEST_F(tape, other_ioctls_tape_user)
{
	static const char *const names[] = {
		"SIOC_ELEMENT_ADDRESSES", "SIOC_ELEMENT_STATUS", "SIOC_INQUIRY",
		"SIOC_XSENSE", "AUTOCH_GET_EVENTS", "AUTOCH_CAPABILITIES",
		"SIOC_INIT_ELEM_STAT", "SIOC_MOVE_MEDIUM", "SIOC_MOVE_MEDIUM back",
		"SIOC_RESERVE", "SIOC_RELEASE",
	};
	struct ioctl_run run = { .ea = self->dev.ea };
	int has_pr = autoch_profile_has(AUTOCH_HAS_PR);
	int has_prevent = autoch_profile_has(AUTOCH_HAS_PREVENT);
	struct autoch_inventory *before;
	struct results r;
	int i;

	if (_metadata->skip)
		return;
	run.full = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	run.empty = self->empty;
	ASSERT_LE(0, run.full) TH_LOG("needs a full storage element");
	before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, before);
	ASSERT_EQ(0, run_as(WHO_TAPE_USER, self->tape, other_ioctls, &run, &r));
	ASSERT_LE(1, r.n);
	ASSERT_GT(1000, r.err[0]) TH_LOG("open: %s", strerror(r.err[0] - 1000));
	if (r.n > 7 && !r.err[7] && (r.n < 9 || r.err[8]))
		autoch_remember(&self->dev, false, run.full, run.empty);
	ASSERT_EQ(IOCTL_RO_CALLS + 2, r.n);
	for (i = 0; i < (int)ARRAY_SIZE(names); i++) {
		EXPECT_EQ(0, r.err[i]) TH_LOG("O_RDONLY %s: %s", names[i],
					      emul_errname(r.err[i]));
	}
	EXPECT_EQ(EPERM, r.err[11]) TH_LOG("O_RDONLY PREVENT: %s",
					   emul_errname(r.err[11]));
	EXPECT_EQ(EPERM, r.err[12]) TH_LOG("O_RDONLY IOC_PR_REGISTER: %s",
					   emul_errname(r.err[12]));
	if (has_pr == 1) {
		EXPECT_EQ(0, r.err[13]) TH_LOG("O_RDONLY IOC_PR_READ_KEYS: %s",
					       emul_errname(r.err[13]));
	} else {
		EXPECT_NE(EPERM, r.err[13]);
	}
	for (i = 14; i < 16; i++) {
		if (has_prevent == 1) {
			EXPECT_EQ(0, r.err[i]) TH_LOG("O_RDWR %s: %s",
						      i == 14 ? "PREVENT" : "ALLOW",
						      emul_errname(r.err[i]));
		} else {
			EXPECT_NE(EPERM, r.err[i]);
		}
	}
	autoch_expect_unchanged(_metadata, &self->dev, before);
	free(before);
}

/* What opening the node and a call or two give to @who. */
static void open_and_call(const void *arg, struct results *r)
{
	static const unsigned char move[12] = { 0xa5 };
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96 };
	const struct autoch_dev *d = arg;
	struct element_status es = { .element = d->ea.first_storage };
	unsigned char buf[96];
	struct sctl_io io;
	int fd;

	fd = open(autoch_path(), O_RDWR | O_CLOEXEC);
	record(r, fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	record(r, fd < 0 ? errno : 0);
	if (fd < 0)
		return;
	record(r, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	record(r, autoch_ioctl(fd, SIOC_IO, &io));
	sctl_init(&io, move, sizeof(move), NULL, 0);
	record(r, autoch_ioctl(fd, SIOC_IO, &io));
	close(fd);
}

/* Group tape as the only group does as well as a supplementary one. */
TEST_F(tape, tape_primary_group)
{
	struct results r;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, run_as(WHO_TAPE_PRIMARY, self->tape, open_and_call,
			    &self->dev, &r));
	ASSERT_EQ(5, r.n) TH_LOG("open: %s", strerror(r.err[r.n - 1]));
	EXPECT_EQ(0, r.err[0]) TH_LOG("open O_RDWR: %s", strerror(r.err[0]));
	EXPECT_EQ(0, r.err[1]) TH_LOG("open O_RDONLY: %s", strerror(r.err[1]));
	EXPECT_EQ(0, r.err[2]);
	EXPECT_EQ(0, r.err[3]);
	EXPECT_EQ(EPERM, r.err[4]) TH_LOG("SIOC_IO MOVE MEDIUM: %s",
					  emul_errname(r.err[4]));
}

/* A user in no group of the node cannot open it at all. */
TEST_F(tape, other_user)
{
	struct results r;

	if (_metadata->skip)
		return;
	ASSERT_EQ(0, run_as(WHO_OTHER_USER, self->tape, open_and_call,
			    &self->dev, &r));
	ASSERT_EQ(2, r.n);
	EXPECT_EQ(EACCES, r.err[0]) TH_LOG("open O_RDWR: %s", strerror(r.err[0]));
	EXPECT_EQ(EACCES, r.err[1]) TH_LOG("open O_RDONLY: %s", strerror(r.err[1]));
}

/*
 * On the emulated changer: a reset's unit attention met by SIOC_IO reaches
 * the caller as CHECK CONDITION 6/29/xx, and the driver's own handling
 * too: the reset event is posted, and a file that held a reservation
 * hears ECONNRESET on its next call.
 */
TEST_F(changer, unit_attention)
{
	static const unsigned char tur[6] = { 0 };
	struct reservation_parms rp = { .all_elements = 1 };
	struct autoch_events ev;
	struct sctl_io io;
	int holder, held;

	if (!emul_present())
		SKIP(return, "needs the emulated changer (selftests/emul)");
	holder = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, holder);
	held = !autoch_ioctl(holder, SIOC_RESERVE, &rp);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_GET_EVENTS, &ev));

	ASSERT_EQ(0, emul_ctl("event", "reset"));
	sctl_init(&io, tur, sizeof(tur), NULL, 0);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(AUTOCH_CHECK_CONDITION, io.cdb_status);
	ASSERT_LE(14u, io.sense_xfer);
	EXPECT_EQ(6, io.sense[2] & 0xf);
	EXPECT_EQ(0x29, io.sense[12]);

	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_EQ(AUTOCH_EVENT_RESET, ev.events & AUTOCH_EVENT_RESET);
	if (held) {
		/* the holder's next call, SIOC_IO too, hears of it once */
		sctl_init(&io, tur, sizeof(tur), NULL, 0);
		EXPECT_EQ(ECONNRESET, autoch_ioctl(holder, SIOC_IO, &io));
		sctl_init(&io, tur, sizeof(tur), NULL, 0);
		EXPECT_EQ(0, autoch_ioctl(holder, SIOC_IO, &io));
	} else {
		TH_LOG("the unit reservation was refused: no ECONNRESET check");
	}
	close(holder);
}

/*
 * max_msecs bounds the command: an INQUIRY the emulation never completes
 * comes back within a few timeouts (the midlayer aborts it, and retries
 * it once) with cdb_status SCTL_INCOMPLETE, the call 0; max_msecs 0 is
 * init_timeout (2 s here), not an infinite wait.
 */
TEST_F_TIMEOUT(changer, timeout, 120)
{
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	static const unsigned int msecs[] = { 1000, 0 };
	unsigned char buf[96];
	struct sctl_io io;
	double start, took;
	size_t i;

	if (!emul_present())
		SKIP(return, "needs the emulated changer (selftests/emul) for a lost command");
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "init_timeout", 2));
	for (i = 0; i < ARRAY_SIZE(msecs); i++) {
		ASSERT_EQ(0, emul_ctl("fault", "opcode=12 count=0 fault=timeout"));
		sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
		io.max_msecs = msecs[i];
		start = emul_now_ms();
		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
		took = emul_now_ms() - start;
		ASSERT_EQ(0, emul_ctl("fault", "clear"));
		EXPECT_EQ((unsigned int)SCTL_INCOMPLETE, io.cdb_status)
			TH_LOG("max_msecs %u: cdb_status %#x", msecs[i], io.cdb_status);
		EXPECT_LE(msecs[i] ? msecs[i] : 2000, took);
		EXPECT_GE(30000, took) TH_LOG("max_msecs %u: %.0f ms", msecs[i], took);
		TH_LOG("max_msecs %u: SCTL_INCOMPLETE after %.0f ms", msecs[i], took);
	}
	/* the changer answers again */
	sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_IO, &io));
	EXPECT_EQ(0u, io.cdb_status);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
