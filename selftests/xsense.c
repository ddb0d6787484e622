// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_XSENSE, the details of an open file's last
 * failed command. Each open file has its own record; a call refused by
 * the driver's own checks sends nothing and leaves the record alone.
 */
#include "autoch.h"

FIXTURE(changer) {
	struct autoch_dev dev;
	int src, dst;	/* two empty storage elements */
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	self->src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY,
				NULL, 0);
	self->dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY,
				&self->src, 1);
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* The record of @fd, read over a pattern so that stale bytes show. */
static void read_xsense(struct __test_metadata *_metadata, int fd,
			struct autoch_xsense *xs)
{
	memset(xs, 0xa5, sizeof(*xs));
	ASSERT_EQ(0, autoch_ioctl(fd, AUTOCH_XSENSE, xs));
}

/* The record of a file that never had a command fail is all zero. */
static void expect_clear(struct __test_metadata *_metadata, int fd)
{
	struct autoch_xsense xs;

	read_xsense(_metadata, fd, &xs);
	EXPECT_EQ(0, xs.valid);
	EXPECT_EQ(0, autoch_nonzero(&xs, sizeof(xs)));
}

static int open_changer(void)
{
	return open(autoch_path(), O_RDONLY | O_CLOEXEC);
}

TEST_F(changer, fresh_file)
{
	int fd = open_changer();

	ASSERT_LE(0, fd);
	expect_clear(_metadata, fd);
	close(fd);
}

/*
 * MOVE MEDIUM from an empty element: CHECK CONDITION, ILLEGAL REQUEST
 * 3B/0E (medium source element empty), ENOMEDIUM; the record holds the
 * 12-byte CDB with the two addresses. Another open file, opened before
 * or after, still has a clear record.
 */
TEST_F(changer, source_empty)
{
	struct autoch_xsense xs;
	int early, late;

	if (self->src < 0 || self->dst < 0)
		AUTOCH_SKIP(return, "needs two empty storage elements");
	early = open_changer();
	ASSERT_LE(0, early);

	EXPECT_EQ(ENOMEDIUM, autoch_move(&self->dev, self->src, self->dst));
	autoch_expect_sense(_metadata, self->dev.fd, ENOMEDIUM,
			    AUTOCH_OP_MOVE_MEDIUM, AUTOCH_ILLEGAL_REQUEST,
			    0x3b, 0x0e);
	read_xsense(_metadata, self->dev.fd, &xs);
	EXPECT_EQ(12, xs.cdb_len);
	EXPECT_EQ(self->src, xs.cdb[4] << 8 | xs.cdb[5]);
	EXPECT_EQ(self->dst, xs.cdb[6] << 8 | xs.cdb[7]);
	if ((xs.sense[0] & 0x7f) <= 0x71) {
		/* Fixed format: ASC and ASCQ are bytes 12 and 13. */
		EXPECT_LE(14, xs.sense_len);
	}
	EXPECT_EQ(0, xs.host_status);
	EXPECT_EQ(0, xs.driver_status);
	EXPECT_EQ(0, xs.resv1);
	EXPECT_EQ(0u, xs.resv2);

	late = open_changer();
	ASSERT_LE(0, late);
	expect_clear(_metadata, early);
	expect_clear(_metadata, late);
	close(early);
	close(late);
}

/* MOVE MEDIUM to a full element: 3B/0D (destination full), EXFULL. */
TEST_F(changer, destination_full)
{
	int a = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int b = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, &a, 1);

	if (a < 0 || b < 0)
		AUTOCH_SKIP(return, "needs two full storage elements");
	EXPECT_EQ(EXFULL, autoch_move(&self->dev, a, b));
	autoch_expect_sense(_metadata, self->dev.fd, EXFULL,
			    AUTOCH_OP_MOVE_MEDIUM, AUTOCH_ILLEGAL_REQUEST,
			    0x3b, 0x0d);
}

/*
 * Calls refused by the driver's own checks send no command: the record of
 * the last failed command stays as it was, and a clear one stays clear.
 */
TEST_F(changer, refused_call_keeps_record)
{
	struct autoch_xsense before, after;
	struct element_status es;
	int bad = autoch_unmapped(&self->dev.ea);
	int fd;

	if (self->src < 0 || self->dst < 0 || bad < 0)
		AUTOCH_SKIP(return, "needs two empty storage elements");
	EXPECT_EQ(ENOMEDIUM, autoch_move(&self->dev, self->src, self->dst));
	read_xsense(_metadata, self->dev.fd, &before);
	ASSERT_EQ(1, before.valid);

	EXPECT_EQ(EINVAL, autoch_move(&self->dev, bad, self->dst));
	EXPECT_EQ(EINVAL, autoch_status(self->dev.fd, bad, &es));
	read_xsense(_metadata, self->dev.fd, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));

	fd = open_changer();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EINVAL, autoch_status(fd, bad, &es));
	expect_clear(_metadata, fd);
	close(fd);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
