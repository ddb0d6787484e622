// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: the mail slot (AUTOCH_OPEN_CLOSE_IE, SMC-3 6.7
 * OPEN/CLOSE IMPORT/EXPORT ELEMENT) and AUTOCH_POSITION_TO_ELEMENT
 * (SMC-3 6.8 POSITION TO ELEMENT).
 *
 * What the changer can do comes from its INQUIRY (emul_profile()):
 * the emulation's library profile opens and closes its import/export
 * elements and positions; the SuperLoader positions and has no mail
 * slot; tgt (the test bed's and the emulation's copy of it) answers 20/00
 * to both, so there the answer to expect is EOPNOTSUPP. Only on a changer
 * no profile names (a real library) may a test skip on EOPNOTSUPP.
 * Argument checks, privileges and other files' reservations are decided
 * before anything is sent, so they are tested on every changer.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/capability.h>

#include "emul_ctl.h"
#include "../include/hpux/sys/scsi_ctl.h"

/* 1: the changer does it, 0: EOPNOTSUPP expected, -1: unknown changer */
static int mail_can_open_close(enum emul_profile p)
{
	switch (p) {
	case EMUL_LIBRARY:
		return 1;
	case EMUL_SUPERLOADER:	/* no import/export element */
	case EMUL_TGT:		/* 20/00 */
		return 0;
	default:
		return -1;
	}
}

static int mail_can_position(enum emul_profile p)
{
	switch (p) {
	case EMUL_LIBRARY:
	case EMUL_SUPERLOADER:
		return 1;
	case EMUL_TGT:		/* 20/00 */
		return 0;
	default:
		return -1;
	}
}

static int ie_open_close(int fd, int element, int action)
{
	struct autoch_open_close_ie oc = {
		.element = element,
		.action = action,
	};

	return autoch_ioctl(fd, AUTOCH_OPEN_CLOSE_IE, &oc);
}

static int ie_position(int fd, int transport, int dest)
{
	struct autoch_position pos = {
		.transport = transport,
		.destination = dest,
	};

	return autoch_ioctl(fd, AUTOCH_POSITION_TO_ELEMENT, &pos);
}

/* The same command through SIOC_IO: 0 when it was delivered, or the errno. */
static int sioc_open_close(int fd, int element, int action)
{
	struct sctl_io io;

	memset(&io, 0, sizeof(io));
	io.cdb[0] = 0x1b;
	io.cdb[2] = element >> 8;
	io.cdb[3] = element & 0xff;
	io.cdb[4] = action;
	io.cdb_length = 6;
	io.max_msecs = 60000;
	return autoch_ioctl(fd, SIOC_IO, &io);
}

static int sioc_position(int fd, int transport, int dest)
{
	struct sctl_io io;

	memset(&io, 0, sizeof(io));
	io.cdb[0] = 0x2b;
	io.cdb[2] = transport >> 8;
	io.cdb[3] = transport & 0xff;
	io.cdb[4] = dest >> 8;
	io.cdb[5] = dest & 0xff;
	io.cdb_length = 10;
	io.max_msecs = 60000;
	return autoch_ioctl(fd, SIOC_IO, &io);
}

FIXTURE(mail) {
	struct autoch_dev a, b;
	enum emul_profile profile;
	int ie, mt, slot;
	bool opened;
};

FIXTURE_SETUP(mail)
{
	ASSERT_EQ(0, autoch_open(&self->a));
	ASSERT_EQ(0, autoch_open(&self->b));
	self->profile = emul_profile(self->a.fd);
	self->ie = autoch_count(&self->a.ea, AUTOCH_IMPORT_EXPORT) ?
		   autoch_first(&self->a.ea, AUTOCH_IMPORT_EXPORT) : -1;
	self->mt = autoch_first(&self->a.ea, AUTOCH_TRANSPORT);
	self->slot = autoch_first(&self->a.ea, AUTOCH_STORAGE);
	self->opened = false;
}

FIXTURE_TEARDOWN(mail)
{
	/* a slot left open would stop the next test's moves */
	if (self->opened) {
		EXPECT_EQ(0, ie_open_close(self->a.fd, self->ie,
					   AUTOCH_IE_CLOSE));
	}
	EXPECT_EQ(0, autoch_undo(&self->a));
	autoch_close(&self->b);
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

TEST_F(mail, bad_args)
{
	struct autoch_open_close_ie oc = { .element = self->ie };
	struct autoch_position pos = {
		.transport = self->mt,
		.destination = self->slot,
	};
	int i;

	/* reserved fields, unknown actions: refused before anything else */
	for (i = 0; i < (int)sizeof(oc.resv); i++) {
		oc.resv[i] = 1;
		EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_OPEN_CLOSE_IE, &oc));
		oc.resv[i] = 0;
	}
	oc.action = 2;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_OPEN_CLOSE_IE, &oc));
	oc.action = 0xff;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_OPEN_CLOSE_IE, &oc));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_OPEN_CLOSE_IE, NULL));

	/* a storage element is no mail slot (no mail slot at all: EOPNOTSUPP) */
	EXPECT_EQ(self->ie < 0 ? EOPNOTSUPP : EINVAL,
		  ie_open_close(self->a.fd, self->slot, AUTOCH_IE_OPEN));
	EXPECT_EQ(self->ie < 0 ? EOPNOTSUPP : EINVAL,
		  ie_open_close(self->a.fd, autoch_unmapped(&self->a.ea),
				  AUTOCH_IE_CLOSE));

	pos.invert = 2;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_POSITION_TO_ELEMENT, &pos));
	pos.invert = 0;
	for (i = 0; i < (int)sizeof(pos.resv); i++) {
		pos.resv[i] = 1;
		EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_POSITION_TO_ELEMENT, &pos));
		pos.resv[i] = 0;
	}
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_POSITION_TO_ELEMENT, NULL));
	/* the transport must be one, the destination in the map */
	EXPECT_EQ(EINVAL, ie_position(self->a.fd, self->slot, self->slot));
	EXPECT_EQ(EINVAL, ie_position(self->a.fd, self->mt,
					autoch_unmapped(&self->a.ea)));
}

TEST_F(mail, open_close)
{
	int can = mail_can_open_close(self->profile);
	struct element_status es;
	int err, full, empty;

	err = ie_open_close(self->a.fd, self->ie < 0 ? self->slot : self->ie,
			      AUTOCH_IE_OPEN);
	if (can == -1 && err == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer has no OPEN/CLOSE IMPORT/EXPORT ELEMENT");
	if (can == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
		if (self->ie >= 0) {
			struct autoch_xsense xs;

			/* it was sent, and the changer refused it: 20/00 */
			ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_XSENSE, &xs));
			EXPECT_EQ(1, xs.valid);
			EXPECT_EQ(0x1b, xs.cdb[0]);
			EXPECT_EQ(EOPNOTSUPP, xs.error);
		}
		return;
	}
	ASSERT_EQ(0, err);
	self->opened = true;
	/* opening an open slot is no error (SMC-3) */
	EXPECT_EQ(0, ie_open_close(self->a.fd, self->ie, AUTOCH_IE_OPEN));

	/* the robot cannot reach it while the operator has it */
	ASSERT_EQ(0, autoch_status(self->b.fd, self->ie, &es));
	if (self->profile == EMUL_LIBRARY) {
		EXPECT_EQ(0, (int)es.access);
		full = autoch_find(&self->a, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
		if (!es.full && full >= 0) {
			struct move_medium_parms mp = {
				.transport = self->mt,
				.source = full,
				.destination = self->ie,
			};

			EXPECT_NE(0, autoch_try_move(&self->a, &mp));
		}
	}

	ASSERT_EQ(0, ie_open_close(self->a.fd, self->ie, AUTOCH_IE_CLOSE));
	self->opened = false;
	ASSERT_EQ(0, autoch_status(self->b.fd, self->ie, &es));
	EXPECT_EQ(1, (int)es.access);

	/* and the robot reaches it again */
	empty = autoch_find(&self->a, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	if (es.full && empty >= 0)
		EXPECT_EQ(0, autoch_move(&self->a, self->ie, empty));
}

static int mail_poll(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/*
 * The documented "hand a cartridge out" flow
 * (userspace-examples/hand-out.c): move it to an empty mail slot, open
 * the slot, the operator takes it (the emulation's "take" event), close;
 * every open file hears of the operator's access. Then the operator puts
 * it back and it returns to its slot.
 */
TEST_F(mail, hand_out)
{
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;
	struct autoch_events ev;
	int i, n, out = -1, full;

	if (mail_can_open_close(self->profile) != 1)
		AUTOCH_SKIP(return, "needs the emulation's library profile (a mail slot that opens)");
	if (!emul_present())
		AUTOCH_SKIP(return, "needs the emulation's operator events (%s)", EMUL_DEBUGFS);
	n = autoch_count(&self->a.ea, AUTOCH_IMPORT_EXPORT);
	for (i = 0; i < n && out < 0; i++) {
		ASSERT_EQ(0, autoch_status(self->a.fd, self->ie + i, &es));
		if (!es.full)
			out = self->ie + i;
	}
	full = autoch_find(&self->a, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	if (out < 0 || full < 0)
		AUTOCH_SKIP(return, "no empty mail slot or no cartridge");
	ASSERT_EQ(0, autoch_status(self->a.fd, full, &es));
	autoch_tag((const char *)es.pri_vol_tag, tag);

	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &ev));
	ASSERT_EQ(0, autoch_move(&self->a, full, out));
	self->ie = out;
	ASSERT_EQ(0, ie_open_close(self->a.fd, out, AUTOCH_IE_OPEN));
	self->opened = true;
	ASSERT_EQ(0, emul_ctl("event", "take %d", out));
	ASSERT_EQ(0, ie_open_close(self->a.fd, out, AUTOCH_IE_CLOSE));
	self->opened = false;

	ASSERT_EQ(0, autoch_status(self->b.fd, out, &es));
	EXPECT_EQ(0, (int)es.full);
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_NE(0, ev.events & (AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT));

	/*
	 * The operator hands it back. Nothing is sent meanwhile, so the
	 * driver hears of it through poll(), which sends TEST UNIT READY
	 * while someone waits; the undo then returns it to its slot.
	 */
	ASSERT_EQ(0, emul_ctl("event", "import %d %s", out, tag));
	EXPECT_NE(0, mail_poll(self->b.fd, 10000) & POLLIN);
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &ev));
	EXPECT_NE(0, ev.events & (AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT));
	ASSERT_EQ(0, autoch_status(self->a.fd, out, &es));
	EXPECT_EQ(1, (int)es.full);
}

TEST_F(mail, reserved_by_other)
{
	struct reservation_parms rp = {};
	int target = self->ie < 0 ? self->slot : self->ie;

	/* another file's reservation wins before anything is sent */
	rp.element = target;
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, SIOC_RESERVE, &rp));
	if (self->ie >= 0)
		EXPECT_EQ(EBUSY, ie_open_close(self->a.fd, self->ie,
						 AUTOCH_IE_OPEN));
	EXPECT_EQ(EBUSY, ie_position(self->a.fd, self->mt, target));
	/* the holder itself is not refused by the driver */
	if (mail_can_position(self->profile) == 1)
		EXPECT_EQ(0, ie_position(self->b.fd, self->mt, target));
	/* and through the pass-through: the same policy */
	EXPECT_EQ(EBUSY, sioc_open_close(self->a.fd, target, AUTOCH_IE_CLOSE));
	EXPECT_EQ(EBUSY, sioc_position(self->a.fd, self->mt, target));
	EXPECT_EQ(0, autoch_ioctl(self->b.fd, SIOC_RELEASE, &rp));

	rp.element = 0;
	rp.all_elements = 1;
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, SIOC_RESERVE, &rp));
	EXPECT_EQ(EBUSY, ie_position(self->a.fd, self->mt, self->slot));
	if (self->ie >= 0)
		EXPECT_EQ(EBUSY, ie_open_close(self->a.fd, self->ie,
						 AUTOCH_IE_CLOSE));
	EXPECT_EQ(0, autoch_ioctl(self->b.fd, SIOC_RELEASE, &rp));
}

TEST_F(mail, position)
{
	int can = mail_can_position(self->profile);
	struct autoch_xsense xs;
	int err;

	err = ie_position(self->a.fd, self->mt, self->slot);
	if (can == -1 && err == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer has no POSITION TO ELEMENT");
	if (can == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
		ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_XSENSE, &xs));
		EXPECT_EQ(1, xs.valid);
		EXPECT_EQ(0x2b, xs.cdb[0]);
		EXPECT_EQ(self->mt, xs.cdb[2] << 8 | xs.cdb[3]);
		EXPECT_EQ(self->slot, xs.cdb[4] << 8 | xs.cdb[5]);
		return;
	}
	EXPECT_EQ(0, err);
	EXPECT_EQ(0, ie_position(self->a.fd, self->mt,
				   autoch_first(&self->a.ea, AUTOCH_DATA_TRANSFER)));
}

static void mail_drop_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};
	int i = CAP_TO_INDEX(CAP_SYS_ADMIN);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
	    syscall(SYS_capget, &hdr, data))
		_exit(100);
	data[i].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[i].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		_exit(101);
}

enum mail_call {
	MAIL_CLOSE,		/* AUTOCH_OPEN_CLOSE_IE, CLOSE */
	MAIL_POSITION,		/* AUTOCH_POSITION_TO_ELEMENT */
	MAIL_SIOC_CLOSE,	/* 1Bh CLOSE through SIOC_IO */
	MAIL_SIOC_POSITION,	/* 2Bh through SIOC_IO */
};

/*
 * In a child without CAP_SYS_ADMIN, on a descriptor opened with @flags:
 * the errno of the mail slot call (exit code), or 100+ when the child
 * could not get there.
 */
static int mail_child(int flags, int element, enum mail_call call, int mt)
{
	int status, fd, err;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		mail_drop_admin();
		fd = open(autoch_path(), flags | O_CLOEXEC);
		if (fd < 0)
			_exit(102);
		switch (call) {
		case MAIL_CLOSE:
			err = ie_open_close(fd, element, AUTOCH_IE_CLOSE);
			break;
		case MAIL_POSITION:
			err = ie_position(fd, mt, element);
			break;
		case MAIL_SIOC_CLOSE:
			err = sioc_open_close(fd, element, AUTOCH_IE_CLOSE);
			break;
		default:
			err = sioc_position(fd, mt, element);
			break;
		}
		_exit(err < 0 || err > 99 ? 103 : err);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(mail, privilege)
{
	int can = mail_can_open_close(self->profile);
	int target = self->ie < 0 ? self->slot : self->ie;
	int err;

	if (geteuid())
		AUTOCH_SKIP(return, "must run as root to drop CAP_SYS_ADMIN in a child");
	/* read-only and no CAP_SYS_ADMIN: the operator's slot is not yours */
	EXPECT_EQ(EPERM, mail_child(O_RDONLY, target, MAIL_CLOSE, 0));
	/*
	 * Linux's pass-through policy takes 1Bh for START STOP UNIT, which
	 * any descriptor may send: the driver holds the mail slot's line
	 */
	EXPECT_EQ(EPERM, mail_child(O_RDONLY, target, MAIL_SIOC_CLOSE, 0));
	/* delivered, whatever the changer said of it */
	EXPECT_EQ(0, mail_child(O_RDWR, target, MAIL_SIOC_CLOSE, 0));
	EXPECT_EQ(0, mail_child(O_RDONLY, self->slot, MAIL_SIOC_POSITION, self->mt));
	/* a writer's descriptor may (CLOSE: harmless where it works) */
	err = mail_child(O_RDWR, target, MAIL_CLOSE, 0);
	if (can == 1) {
		EXPECT_EQ(0, err);
	} else if (can == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
	} else {
		EXPECT_TRUE(err == 0 || err == EOPNOTSUPP);
	}
	/* positioning needs what a move needs: any open descriptor */
	err = mail_child(O_RDONLY, self->slot, MAIL_POSITION, self->mt);
	can = mail_can_position(self->profile);
	if (can == 1) {
		EXPECT_EQ(0, err);
	} else if (can == 0) {
		EXPECT_EQ(EOPNOTSUPP, err);
	} else {
		EXPECT_TRUE(err == 0 || err == EOPNOTSUPP);
	}
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
