// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: no kernel memory reaches user space. Every ioctl that
 * writes a structure back is called twice with the same input, once over
 * a buffer of 0x00 bytes and once over 0xff bytes: a byte the driver
 * leaves unwritten differs between the two, so the results must be equal
 * byte for byte (the changer's state does not change in between). The
 * reserved fields must also be zero.
 */
#include <linux/pr.h>

#include "autoch.h"

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
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/*
 * Call @request twice on copies of @in (@len bytes) whose bytes past the
 * first @in_len were set to 0x00 and to 0xff; the two results in @out.
 * Returns the errno of the first call, or -1 when the two calls disagree.
 */
static int twice(int fd, unsigned long request, const void *in,
		 size_t in_len, size_t len, void *out)
{
	unsigned char *a = malloc(len), *b = malloc(len);
	int ea, eb;

	if (!a || !b)
		abort();
	memset(a, 0x00, len);
	memset(b, 0xff, len);
	memcpy(a, in, in_len);
	memcpy(b, in, in_len);
	ea = autoch_ioctl(fd, request, a);
	eb = autoch_ioctl(fd, request, b);
	if (ea != eb) {
		free(a);
		free(b);
		return -1;
	}
	if (!ea && memcmp(a, b, len)) {
		size_t i;

		for (i = 0; i < len && a[i] == b[i]; i++)
			;
		fprintf(stderr, "# byte %zu of %zu left unwritten (%#x / %#x)\n",
			i, len, a[i], b[i]);
		ea = -1;
	}
	memcpy(out, a, len);
	free(a);
	free(b);
	return ea;
}

TEST_F(changer, inquiry)
{
	struct autoch_inquiry inq;

	ASSERT_EQ(0, twice(self->dev.fd, AUTOCH_INQUIRY, NULL, 0, sizeof(inq),
			   &inq));
	EXPECT_EQ(0, inq.resv1);
	EXPECT_EQ(0, inq.resv2);
	ASSERT_LE(inq.length, sizeof(inq.data));
	EXPECT_EQ(0, autoch_nonzero(inq.data + inq.length,
				    sizeof(inq.data) - inq.length));
}

TEST_F(changer, element_addresses)
{
	struct element_addresses ea;

	ASSERT_EQ(0, twice(self->dev.fd, SIOC_ELEMENT_ADDRESSES, NULL, 0,
			   sizeof(ea), &ea));
	EXPECT_EQ(0, memcmp(&ea, &self->dev.ea, sizeof(ea)));
}

TEST_F(changer, element_status)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct element_status es;
	int t, address, n = 0;

	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		address = autoch_first(ea, t);
		if (!autoch_count(ea, t))
			continue;
		es.element = address;
		EXPECT_EQ(0, twice(self->dev.fd, SIOC_ELEMENT_STATUS, &es,
				   sizeof(es.element), sizeof(es), &es))
			TH_LOG("element %d", address);
		n++;
	}
	EXPECT_LT(0, n);
}

TEST_F(changer, status_range)
{
	const struct element_addresses *ea = &self->dev.ea;
	int first = autoch_first(ea, AUTOCH_STORAGE);
	int count = autoch_count(ea, AUTOCH_STORAGE);
	struct element_status *a, *b;
	struct autoch_status_range r = {};

	ASSERT_LT(0, count);
	if (count > 64)
		count = 64;
	a = malloc(count * sizeof(*a));
	b = malloc(count * sizeof(*b));
	ASSERT_TRUE(a && b);
	memset(a, 0x00, count * sizeof(*a));
	memset(b, 0xff, count * sizeof(*b));
	r.first = first;
	r.count = count;
	r.statuses = (unsigned long)a;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_ELEMENT_STATUS_RANGE,
				  &r));
	r.statuses = (unsigned long)b;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_ELEMENT_STATUS_RANGE,
				  &r));
	EXPECT_EQ(0, memcmp(a, b, count * sizeof(*a)));
	free(a);
	free(b);
}

TEST_F(changer, drive_id)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct autoch_drive_id id = {};
	int err, has = autoch_profile_has(AUTOCH_HAS_DVCID);

	if (!autoch_count(ea, AUTOCH_DATA_TRANSFER))
		AUTOCH_SKIP(return, "the changer has no data transfer element");
	id.element = autoch_first(ea, AUTOCH_DATA_TRANSFER);
	err = twice(self->dev.fd, AUTOCH_DRIVE_ID, &id, sizeof(id.element),
		    sizeof(id), &id);
	if (has < 0 && err == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer reports no drive identifiers (no AUTOCH_PROFILE says whether it should)");
	if (has == 0) {
		/* the SuperLoader refuses DVCID (24/00) */
		EXPECT_EQ(EOPNOTSUPP, err);
		return;
	}
	ASSERT_EQ(0, err);
	EXPECT_EQ(0, autoch_nonzero(id.resv, sizeof(id.resv)));
	ASSERT_LE(id.id_len, sizeof(id.id));
	EXPECT_EQ(0, autoch_nonzero(id.id + id.id_len,
				    sizeof(id.id) - id.id_len));
}

TEST_F(changer, capabilities)
{
	struct autoch_capabilities cap;

	ASSERT_EQ(0, twice(self->dev.fd, AUTOCH_CAPABILITIES, NULL, 0,
			   sizeof(cap), &cap));
	EXPECT_EQ(0, cap.resv1);
	EXPECT_EQ(0, cap.resv);
}

/* A file holding one reservation: the lists are partly filled. */
TEST_F(changer, reservations)
{
	struct reservation_parms rp = {};
	struct autoch_reservation_state rs;
	int err;

	/*
	 * 0 on every changer: one without element reservations gets a unit
	 * reservation underneath, one without any the driver's own.
	 */
	rp.element = autoch_first(&self->dev.ea, AUTOCH_STORAGE);
	err = autoch_ioctl(self->dev.fd, SIOC_RESERVE, &rp);
	ASSERT_EQ(0, err) TH_LOG("%s", strerror(err));
	ASSERT_EQ(0, twice(self->dev.fd, AUTOCH_RESERVATIONS, NULL, 0,
			   sizeof(rs), &rs));
	EXPECT_EQ(0, rs.resv);
	EXPECT_EQ(1, rs.num_elements);
	EXPECT_EQ(rp.element, rs.elements[0]);
	EXPECT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_RELEASE, &rp));
	EXPECT_EQ(0, autoch_nonzero(rs.elements + rs.num_elements,
				    sizeof(rs.elements) -
				    rs.num_elements * sizeof(rs.elements[0])));
}

/* Events and media-changed are read-and-clear: read them quiet first. */
TEST_F(changer, events_and_medium_changed)
{
	struct autoch_events ev;
	int changed;

	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, AUTOCH_GET_EVENTS, &ev));
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, SIOC_MEDIUM_CHANGED, &changed));
	ASSERT_EQ(0, twice(self->dev.fd, AUTOCH_GET_EVENTS, NULL, 0,
			   sizeof(ev), &ev));
	ASSERT_EQ(0, twice(self->dev.fd, SIOC_MEDIUM_CHANGED, NULL, 0,
			   sizeof(changed), &changed));
	EXPECT_TRUE(changed == 0 || changed == 1);
}

/* The record of a failed command: the device's refusal of a bad move. */
TEST_F(changer, xsense)
{
	struct move_medium_parms mp = {};
	struct autoch_xsense xs;
	int src, dst, err;

	src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, &src, 1);
	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "no two empty storage elements");
	mp.transport = autoch_first(&self->dev.ea, AUTOCH_TRANSPORT);
	mp.source = src;
	mp.destination = dst;
	err = autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM, &mp);
	if (!err)
		autoch_remember(&self->dev, false, src, dst);
	ASSERT_NE(0, err) TH_LOG("a move from an empty slot succeeded");
	ASSERT_EQ(0, twice(self->dev.fd, AUTOCH_XSENSE, NULL, 0, sizeof(xs),
			   &xs));
	EXPECT_EQ(1, xs.valid);
	EXPECT_EQ(err, xs.error);
	EXPECT_EQ(0, xs.resv1);
	EXPECT_EQ(0, xs.resv2);
	ASSERT_LE(xs.cdb_len, sizeof(xs.cdb));
	ASSERT_LE(xs.sense_len, sizeof(xs.sense));
	EXPECT_EQ(0, autoch_nonzero(xs.cdb + xs.cdb_len,
				    sizeof(xs.cdb) - xs.cdb_len));
	EXPECT_EQ(0, autoch_nonzero(xs.sense + xs.sense_len,
				    sizeof(xs.sense) - xs.sense_len));
}

TEST_F(changer, pr_read_keys)
{
	struct pr_read_keys rk = {};
	__u64 a[8], b[8];
	int err, has = autoch_profile_has(AUTOCH_HAS_PR);

	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	rk.num_keys = 8;
	rk.keys_ptr = (unsigned long)a;
	err = autoch_ioctl(self->dev.fd, IOC_PR_READ_KEYS, &rk);
	if (has < 0 && err == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer has no persistent reservations (no AUTOCH_PROFILE says whether it should)");
	if (has == 0) {
		/* tgt: 20/00 */
		EXPECT_EQ(EOPNOTSUPP, err);
		return;
	}
	ASSERT_EQ(0, err);
	rk.num_keys = 8;
	rk.keys_ptr = (unsigned long)b;
	ASSERT_EQ(0, autoch_ioctl(self->dev.fd, IOC_PR_READ_KEYS, &rk));
	/* the keys past num_keys are not the driver's to write */
	ASSERT_LE(0, (int)rk.num_keys);
	EXPECT_EQ(0, memcmp(a, b, (rk.num_keys < 8 ? rk.num_keys : 8) *
			    sizeof(a[0])));
}

TEST_F(changer, pr_read_reservation)
{
	struct pr_read_reservation rr;
	int err, has = autoch_profile_has(AUTOCH_HAS_PR);

	err = twice(self->dev.fd, IOC_PR_READ_RESERVATION, NULL, 0,
		    sizeof(rr), &rr);
	if (has < 0 && err == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer has no persistent reservations (no AUTOCH_PROFILE says whether it should)");
	/* tgt: 20/00 */
	ASSERT_EQ(has ? 0 : EOPNOTSUPP, err);
}

TEST_HARNESS_MAIN
