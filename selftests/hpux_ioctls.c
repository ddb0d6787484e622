// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: HP-UX's SIOC_INQUIRY and SIOC_XSENSE write exactly
 * HP-UX's objects, union inquiry_data (128 bytes) and union sense_data
 * (131 bytes): each call gets an object of that size with guard bytes on
 * both sides, and no guard byte may change. Every byte of the object is
 * written (two calls over different fill patterns agree), and it holds
 * what AUTOCH_INQUIRY and AUTOCH_XSENSE, the Linux-defined variants, say.
 *
 * The sizes are HP-UX's, written here as numbers, so that this program
 * shows the overrun when built against a header whose SIOC_INQUIRY and
 * SIOC_XSENSE are encoded with another size.
 */
#include "autoch.h"

#define HPUX_INQUIRY_SIZE	128
#define HPUX_SENSE_SIZE		131
#define GUARD			64

/*
 * An object of @size bytes at the middle of a buffer filled with @fill;
 * @request on it. Returns the errno of the call; *@overrun counts guard
 * bytes that changed, *@obj gets the object.
 */
static int guarded(int fd, unsigned long request, size_t size,
		   unsigned char fill, unsigned char *obj, int *overrun)
{
	unsigned char buf[GUARD + 256 + GUARD];
	size_t i;
	int err;

	memset(buf, fill, sizeof(buf));
	err = autoch_ioctl(fd, request, buf + GUARD);
	*overrun = 0;
	for (i = 0; i < sizeof(buf); i++)
		if ((i < GUARD || i >= GUARD + size) && buf[i] != fill)
			++*overrun;
	memcpy(obj, buf + GUARD, size);
	return err;
}

/*
 * @request twice, over 0xa5 and over 0x5a: nothing past either end of the
 * @size-byte object, every byte of it written. The object in @obj.
 */
static void exact(struct __test_metadata *_metadata, int fd,
		  unsigned long request, size_t size, unsigned char *obj)
{
	unsigned char a[256], b[256];
	int over_a, over_b;
	size_t i;

	ASSERT_EQ(0, guarded(fd, request, size, 0xa5, a, &over_a));
	ASSERT_EQ(0, guarded(fd, request, size, 0x5a, b, &over_b));
	EXPECT_EQ(0, over_a) TH_LOG("%d guard bytes written past a %zu-byte object",
				    over_a, size);
	EXPECT_EQ(0, over_b);
	for (i = 0; i < size && a[i] == b[i]; i++)
		;
	EXPECT_EQ(size, i) TH_LOG("byte %zu of %zu left unwritten", i, size);
	memcpy(obj, a, size);
}

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

TEST_F(changer, inquiry_exact)
{
	unsigned char inq[HPUX_INQUIRY_SIZE];

	exact(_metadata, self->dev.fd, SIOC_INQUIRY, sizeof(inq), inq);
	EXPECT_EQ(HPUX_INQUIRY_SIZE, _IOC_SIZE(SIOC_INQUIRY))
		TH_LOG("SIOC_INQUIRY is encoded with %u bytes",
		       (unsigned int)_IOC_SIZE(SIOC_INQUIRY));
	EXPECT_EQ(SCSI_AUTOCHANGER, inq[0] & 0x1f);
}

#ifdef AUTOCH_INQUIRY
/* The same bytes as AUTOCH_INQUIRY's data, zero beyond its length. */
TEST_F(changer, inquiry_content)
{
	unsigned char inq[HPUX_INQUIRY_SIZE];
	struct autoch_inquiry full;
	union inquiry_data id;
	size_t n;

	exact(_metadata, self->dev.fd, SIOC_INQUIRY, sizeof(inq), inq);
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_INQUIRY, &full));
	n = full.length < sizeof(inq) ? full.length : sizeof(inq);
	ASSERT_LE(36, n) TH_LOG("INQUIRY data of %zu bytes", n);
	EXPECT_EQ(0, memcmp(inq, full.data, n));
	EXPECT_EQ(0, autoch_nonzero(inq + n, sizeof(inq) - n));

	/* what an HP-UX program reads */
	memcpy(&id, inq, sizeof(id));
	EXPECT_EQ(SCSI_AUTOCHANGER, (int)id.inq2.dev_type);
	EXPECT_EQ(0, (int)id.inq2.periph_qualifier);
	EXPECT_EQ(full.dev_type, (int)id.inq2.dev_type);
	EXPECT_EQ(full.data[0], (int)id.inq1.dev_type);
	EXPECT_EQ(full.data[4], (int)id.inq2.added_len);
	EXPECT_EQ(full.data[2] & 7, (int)id.inq2.ansi);
	EXPECT_EQ(full.data[3] & 0xf, (int)id.inq2.rdf);
	EXPECT_EQ(!!(full.data[1] & 0x80), (int)id.inq2.rmb);
	EXPECT_EQ(!!(full.data[7] & 0x02), (int)id.inq2.cmdque);
	EXPECT_EQ(0, memcmp(id.inq2.vendor_id, full.data + 8, 8));
	EXPECT_EQ(0, memcmp(id.inq2.product_id, full.data + 16, 16));
	EXPECT_EQ(0, memcmp(id.inq2.rev_num, full.data + 32, 4));
}
#endif

/* A file that never had a command fail: 131 zero bytes. */
TEST_F(changer, xsense_none)
{
	unsigned char sense[HPUX_SENSE_SIZE];
	int fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	exact(_metadata, fd, SIOC_XSENSE, sizeof(sense), sense);
	EXPECT_EQ(HPUX_SENSE_SIZE, _IOC_SIZE(SIOC_XSENSE))
		TH_LOG("SIOC_XSENSE is encoded with %u bytes",
		       (unsigned int)_IOC_SIZE(SIOC_XSENSE));
	EXPECT_EQ(0, autoch_nonzero(sense, sizeof(sense)));
	close(fd);
}

/*
 * MOVE MEDIUM from an empty element: the sense data (ILLEGAL REQUEST,
 * 3B/0E) in HP-UX's union, the bytes AUTOCH_XSENSE reports, zero beyond;
 * another open file still reads zero.
 */
TEST_F(changer, xsense_failed_move)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, &src, 1);
	unsigned char sense[HPUX_SENSE_SIZE], other[HPUX_SENSE_SIZE];
	int fd;

	if (src < 0 || dst < 0)
		SKIP(return, "needs two empty storage elements");
	fd = open(autoch_path(), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(ENOMEDIUM, autoch_move(&self->dev, src, dst));
	exact(_metadata, self->dev.fd, SIOC_XSENSE, sizeof(sense), sense);
	exact(_metadata, fd, SIOC_XSENSE, sizeof(other), other);
	EXPECT_EQ(0, autoch_nonzero(other, sizeof(other)));
	close(fd);

#ifdef AUTOCH_XSENSE
	{
		struct autoch_xsense xs;
		union sense_data sd;

		ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_XSENSE, &xs));
		ASSERT_EQ(1, xs.valid);
		ASSERT_LT(0, xs.sense_len);
		EXPECT_EQ(0, memcmp(sense, xs.sense, xs.sense_len));
		EXPECT_EQ(0, autoch_nonzero(sense + xs.sense_len,
					    sizeof(sense) - xs.sense_len));
		memcpy(&sd, sense, sizeof(sd));
		switch (sense[0] & 0x7f) {
		case 0x70:
		case 0x71:
			/* fixed format: what an HP-UX program reads */
			EXPECT_EQ(sense[0] & 0x7f, (int)sd.r_sense2a.error_code);
			EXPECT_EQ(AUTOCH_ILLEGAL_REQUEST, (int)sd.r_sense2a.key);
			EXPECT_EQ(AUTOCH_ILLEGAL_REQUEST, (int)sd.r_sense1a.sense_key);
			EXPECT_EQ(0x3b, (int)sd.r_sense2a.code);
			EXPECT_EQ(0x0e, (int)sd.r_sense2a.qualifier);
			EXPECT_EQ(0x3b, (int)sd.r_sense1a.sense_code);
			EXPECT_EQ(7, (int)sd.r_sense1a.error_class);
			break;
		default:
			/* descriptor format: key, ASC, ASCQ in bytes 1-3 */
			EXPECT_EQ(AUTOCH_ILLEGAL_REQUEST, sense[1] & 0xf);
			EXPECT_EQ(0x3b, sense[2]);
			EXPECT_EQ(0x0e, sense[3]);
		}
	}
#endif
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
