// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: SIOC_MOVE_MEDIUM. Moves between every kind of
 * element, on a descriptor opened O_RDONLY as HP-UX tools do; what the
 * element status says right after a move; the checks made before a
 * command is sent; and how device errors come back.
 */
#include "autoch.h"

FIXTURE(changer) {
	struct autoch_dev dev;
	struct autoch_inventory *before;
};

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	self->before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, self->before) TH_LOG("inventory: %s", strerror(errno));
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	free(self->before);
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* @address holds a medium tagged @tag (full) or nothing (tag NULL). */
static void expect_element(struct __test_metadata *_metadata, int fd,
			   int address, const char *tag)
{
	char now[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;

	ASSERT_EQ(0, autoch_status(fd, address, &es));
	EXPECT_EQ(!!tag, (int)es.full) TH_LOG("element %d", address);
	if (!tag)
		return;
	autoch_tag(es.pri_vol_tag, now);
	EXPECT_STREQ(tag, now) TH_LOG("element %d", address);
}

static void get_tag(struct __test_metadata *_metadata, int fd, int address,
		    char tag[AUTOCH_TAG_ID_LEN + 1])
{
	struct element_status es;

	ASSERT_EQ(0, autoch_status(fd, address, &es));
	ASSERT_EQ(1, (int)es.full) TH_LOG("element %d", address);
	autoch_tag(es.pri_vol_tag, tag);
}

static struct move_medium_parms parms(int transport, int source, int dest,
				      int invert)
{
	struct move_medium_parms mp = {
		.transport = transport,
		.source = source,
		.destination = dest,
		.invert = invert,
	};

	return mp;
}

/*
 * Move @src to @dst, check both elements at once (the driver refreshes
 * what its own moves touch) and that @dst knows where the medium came
 * from; then move it back and check again.
 */
static void move_and_back(struct __test_metadata *_metadata,
			  struct autoch_dev *d, int src, int dst)
{
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;
	int fd = d->fd;

	get_tag(_metadata, fd, src, tag);
	ASSERT_EQ(0, autoch_move(d, src, dst)) TH_LOG("%d -> %d", src, dst);
	expect_element(_metadata, fd, src, NULL);
	expect_element(_metadata, fd, dst, tag);
	ASSERT_EQ(0, autoch_status(fd, dst, &es));
	EXPECT_EQ(1, (int)es.source_valid);
	EXPECT_EQ(src, es.source_element);
	ASSERT_EQ(0, autoch_undo(d)) TH_LOG("%d -> %d", dst, src);
	expect_element(_metadata, fd, src, tag);
	expect_element(_metadata, fd, dst, NULL);
}

TEST_F(changer, storage_to_storage_rdonly)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");
	/* HP-UX tools open the changer read-only and still move media. */
	ASSERT_EQ(O_RDONLY, fcntl(self->dev.fd, F_GETFL) & O_ACCMODE);
	move_and_back(_metadata, &self->dev, src, dst);
}

TEST_F(changer, storage_to_drive)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_LOADABLE, NULL, 0);
	int drive = autoch_find(&self->dev, AUTOCH_DATA_TRANSFER, AUTOCH_EMPTY,
				NULL, 0);

	if (src < 0 || drive < 0)
		AUTOCH_SKIP(return, "needs a loadable cartridge and an empty drive");
	move_and_back(_metadata, &self->dev, src, drive);
}

TEST_F(changer, storage_to_import_export)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int ie = autoch_find(&self->dev, AUTOCH_IMPORT_EXPORT, AUTOCH_EMPTY,
			     NULL, 0);

	if (src < 0 || ie < 0)
		AUTOCH_SKIP(return, "needs a full storage and an empty import/export element");
	move_and_back(_metadata, &self->dev, src, ie);
}

TEST_F(changer, import_export_to_storage)
{
	int ie = autoch_find(&self->dev, AUTOCH_IMPORT_EXPORT, AUTOCH_FULL,
			     NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);

	if (ie < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs a full import/export and an empty storage element");
	move_and_back(_metadata, &self->dev, ie, dst);
}

/* The padding byte HP-UX code never sets is ignored. */
TEST_F(changer, padding_ignored)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct move_medium_parms mp = {
		.transport = self->dev.ea.first_transport,
		.resv = 0xff,
	};
	char tag[AUTOCH_TAG_ID_LEN + 1];

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");
	get_tag(_metadata, self->dev.fd, src, tag);
	mp.source = src;
	mp.destination = dst;
	ASSERT_EQ(0, autoch_try_move(&self->dev, &mp));
	expect_element(_metadata, self->dev.fd, dst, tag);
}

TEST_F(changer, source_empty)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, &src, 1);

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs two empty storage elements");
	EXPECT_EQ(ENOMEDIUM, autoch_move(&self->dev, src, dst));
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

TEST_F(changer, destination_full)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, &src, 1);

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs two full storage elements");
	EXPECT_EQ(EXFULL, autoch_move(&self->dev, src, dst));
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/*
 * The transport must be a transport element and source and destination
 * elements of the map; otherwise EINVAL, with nothing sent (a device would
 * answer with other errors, or move).
 */
TEST_F(changer, invalid_elements)
{
	const struct element_addresses *ea = &self->dev.ea;
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	int bad = autoch_unmapped(ea);
	struct move_medium_parms mp;
	int t;

	if (src < 0 || dst < 0 || bad < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");
	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		if (t == AUTOCH_TRANSPORT || !autoch_count(ea, t))
			continue;
		mp = parms(autoch_first(ea, t), src, dst, 0);
		EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp))
			TH_LOG("%s element as transport", autoch_type_name[t]);
	}
	mp = parms(bad, src, dst, 0);
	EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp));
	mp = parms(ea->first_transport, bad, dst, 0);
	EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp));
	mp = parms(ea->first_transport, src, bad, 0);
	EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp));
	if (!autoch_in_map(ea, 0xffff)) {
		mp = parms(ea->first_transport, src, 0xffff, 0);
		EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp));
	}
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/* invert is a flag: 0 or 1. */
TEST_F(changer, invert_not_a_flag)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	const int values[] = { 2, 0x80, 0xff };
	struct move_medium_parms mp;
	int i;

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");
	for (i = 0; i < 3; i++) {
		mp = parms(self->dev.ea.first_transport, src, dst, values[i]);
		EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp))
			TH_LOG("invert %d", values[i]);
	}
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/*
 * tgt's page 1Eh says its transport cannot rotate media, yet tgt performs
 * a move with Invert set: only the driver's check stops it.
 */
TEST_F(changer, invert_without_rotation_tgt24)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	struct move_medium_parms mp;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "rotation capability known for AUTOCH_PROFILE=tgt24 only");
	ASSERT_LE(0, src);
	ASSERT_LE(0, dst);
	mp = parms(self->dev.ea.first_transport, src, dst, 1);
	EXPECT_EQ(EINVAL, autoch_try_move(&self->dev, &mp));
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

/*
 * tgt has tape images for ACT001..ACT004 only: loading another cartridge
 * fails with HARDWARE ERROR 15/01, which is EIO, and leaves the cartridge
 * where it was. tgt leaves the cartridge's barcode on the empty drive; a
 * load and unload of a loadable cartridge clears it again.
 */
TEST_F(changer, hardware_error_tgt24)
{
	int src, drive, good;
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "no known failing load outside AUTOCH_PROFILE=tgt24");
	src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_UNLOADABLE, NULL, 0);
	drive = autoch_find(&self->dev, AUTOCH_DATA_TRANSFER, AUTOCH_EMPTY, NULL, 0);
	good = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_LOADABLE, NULL, 0);
	ASSERT_LE(0, src);
	ASSERT_LE(0, drive);
	ASSERT_LE(0, good);
	get_tag(_metadata, self->dev.fd, src, tag);

	EXPECT_EQ(EIO, autoch_move(&self->dev, src, drive));
	autoch_expect_sense(_metadata, self->dev.fd, EIO, AUTOCH_OP_MOVE_MEDIUM,
			    AUTOCH_HARDWARE_ERROR, 0x15, 0x01);
	expect_element(_metadata, self->dev.fd, src, tag);
	expect_element(_metadata, self->dev.fd, drive, NULL);

	ASSERT_EQ(0, autoch_move(&self->dev, good, drive));
	ASSERT_EQ(0, autoch_undo(&self->dev));
	ASSERT_EQ(0, autoch_status(self->dev.fd, drive, &es));
	EXPECT_EQ(0, (int)es.full);
	EXPECT_EQ(0, autoch_nonzero(es.pri_vol_tag, sizeof(es.pri_vol_tag)))
		TH_LOG("drive %d: tag of spaces not zeroed", drive);
	autoch_expect_unchanged(_metadata, &self->dev, self->before);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
