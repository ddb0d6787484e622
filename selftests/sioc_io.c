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
#include "emul_ctl.h"
#include "../include/hpux/sys/scsi_ctl.h"

#include <grp.h>
#include <sys/wait.h>

FIXTURE(changer) {
	struct autoch_dev dev;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	autoch_close(&self->dev);
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
 * As an unprivileged user (no CAP_SYS_RAWIO): on a read-only descriptor
 * the read-only commands of scsi_cmd_allowed() (INQUIRY), and EPERM for
 * the rest (MOVE MEDIUM, MODE SELECT); on a descriptor opened for
 * writing, its write list too (MODE SELECT with a zero-length parameter
 * list, a no-op).
 */
TEST_F(changer, unprivileged)
{
	static const unsigned char inquiry[6] = { 0x12, 0, 0, 0, 96, 0 };
	static const unsigned char mode_select[6] = { 0x15, 0x10, 0, 0, 0, 0 };
	int rw = open(autoch_path(), O_RDWR | O_CLOEXEC);
	unsigned char cdb[12], buf[96];
	struct sctl_io io;
	int status;
	pid_t pid;

	ASSERT_LE(0, rw);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(2);
		sctl_init(&io, inquiry, sizeof(inquiry), buf, sizeof(buf));
		bad |= autoch_ioctl(self->dev.fd, SIOC_IO, &io) != 0;
		move_cdb(cdb, &self->dev, self->dev.ea.first_storage,
			 self->dev.ea.first_storage);
		sctl_init(&io, cdb, sizeof(cdb), NULL, 0);
		bad |= (autoch_ioctl(self->dev.fd, SIOC_IO, &io) != EPERM) << 1;
		bad |= (autoch_ioctl(rw, SIOC_IO, &io) != EPERM) << 2;
		sctl_init(&io, mode_select, sizeof(mode_select), NULL, 0);
		bad |= (autoch_ioctl(self->dev.fd, SIOC_IO, &io) != EPERM) << 3;
		bad |= (autoch_ioctl(rw, SIOC_IO, &io) != 0) << 4;
		_exit(bad ? 16 + bad : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(rw);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(2, WEXITSTATUS(status)) TH_LOG("could not become nobody");
	/* bit 0: INQUIRY refused; 1, 2: MOVE allowed; 3: MODE SELECT on a
	 * read-only descriptor allowed; 4: refused on a writable one
	 */
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("failed checks: %#x", WEXITSTATUS(status) - 16);
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
		EXPECT_EQ(ECONNRESET, autoch_ioctl(holder, SIOC_RELEASE, &rp));
	} else {
		TH_LOG("the unit reservation was refused: no ECONNRESET check");
	}
	close(holder);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
