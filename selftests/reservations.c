// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: the interlock SIOC_RESERVE and SIOC_RELEASE give the
 * processes of one host, persistent reservations where the changer has
 * none, and the Linux extensions (range status, drive identifier,
 * capabilities, prevent/allow).
 *
 * Two open files stand for two processes. The driver arbitrates between
 * them whether or not the changer itself knows reservations, so these
 * tests run on every changer.
 */
#include <sys/mman.h>

#include "autoch.h"

FIXTURE(two) {
	struct autoch_dev a;	/* the process that reserves */
	struct autoch_dev b;	/* another process */
	int full, empty, other_full, other_empty;
};

FIXTURE_SETUP(two)
{

	ASSERT_EQ(0, autoch_open(&self->a));
	ASSERT_EQ(0, autoch_open(&self->b));
	autoch_find_four(&self->a, &self->full, &self->empty,
			 &self->other_full, &self->other_empty);
	ASSERT_LE(0, self->full);
	ASSERT_LE(0, self->empty);
	ASSERT_LE(0, self->other_full);
	ASSERT_LE(0, self->other_empty);
}

FIXTURE_TEARDOWN(two)
{
	struct reservation_parms unit = { .all_elements = 1 };

	/* whatever a failed test left reserved must not block the undo */
	ioctl(self->a.fd, SIOC_RELEASE, &unit);
	EXPECT_EQ(0, autoch_undo(&self->b));
	EXPECT_EQ(0, autoch_undo(&self->a));
	autoch_close(&self->b);
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

static int resv(int fd, unsigned long req, int element, int id, int all)
{
	struct reservation_parms rp = {
		.element = element,
		.identification = id,
		.all_elements = all,
	};

	return autoch_ioctl(fd, req, &rp);
}

TEST_F(two, element_interlock)
{
	struct autoch_reservation_state st;
	struct element_status es;

	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 1, 0));
	/* again, same file and identification: nothing changes */
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RESERVE, self->full, 1, 0));
	/* HP-UX: a different identification cannot have it */
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RESERVE, self->full, 2, 0));
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RESERVE, self->full, 2, 0));
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RESERVE, self->full, 1, 0));

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.unit);
	EXPECT_EQ(0, st.unit_lost);
	EXPECT_EQ(1, st.num_elements);
	EXPECT_EQ(self->full, st.elements[0]);
	EXPECT_EQ(0, st.num_lost);
	EXPECT_EQ(0, st.resv);
	EXPECT_EQ(0, autoch_nonzero(st.elements + 1, sizeof(st.elements) - 2));
	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(0, st.num_elements);

	/* the other process cannot touch it; nothing moves */
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	ASSERT_EQ(0, autoch_status(self->b.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full);
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->other_full, self->full));
	/* but every other element */
	EXPECT_EQ(0, autoch_move(&self->b, self->other_full, self->other_empty));
	EXPECT_EQ(0, autoch_undo(&self->b));
	/* and the holder itself */
	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));

	/* only the holder, under its identification, releases */
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RELEASE, self->full, 1, 0));
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RELEASE, self->full, 2, 0));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 1, 0));
	/* releasing what nobody holds is not an error (SMC) */
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, self->full, 1, 0));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
}

TEST_F(two, unit_interlock)
{
	struct autoch_reservation_state st;
	struct element_status es;

	ASSERT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_RESERVATIONS, &st));
	EXPECT_EQ(1, st.unit);

	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RESERVE, self->other_full, 3, 0));
	EXPECT_EQ(EBUSY, resv(self->b.fd, SIOC_RELEASE, 0, 0, 1));
	EXPECT_EQ(EBUSY, autoch_ioctl(self->b.fd, SIOC_INIT_ELEM_STAT, NULL));
	/* status queries go on */
	EXPECT_EQ(0, autoch_status(self->b.fd, self->full, &es));
	EXPECT_EQ(1, (int)es.full);

	EXPECT_EQ(0, autoch_move(&self->a, self->full, self->empty));
	EXPECT_EQ(0, autoch_undo(&self->a));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, 0, 0, 1));
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));
}

TEST_F(two, unit_waits_for_elements)
{
	ASSERT_EQ(0, resv(self->b.fd, SIOC_RESERVE, self->other_full, 7, 0));
	EXPECT_EQ(EBUSY, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(EBUSY, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(0, resv(self->b.fd, SIOC_RELEASE, self->other_full, 7, 0));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(0, resv(self->a.fd, SIOC_RELEASE, 0, 0, 1));
}

TEST_F(two, close_releases)
{
	struct autoch_dev c;

	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, self->full, 1, 0));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, self->empty, 1, 0));
	EXPECT_EQ(EBUSY, autoch_move(&self->b, self->full, self->empty));
	autoch_close(&c);		/* a crashed backup job */
	EXPECT_EQ(0, autoch_move(&self->b, self->full, self->empty));

	ASSERT_EQ(0, autoch_open(&c));
	ASSERT_EQ(0, resv(c.fd, SIOC_RESERVE, 0, 0, 1));
	EXPECT_EQ(EBUSY, autoch_move(&self->a, self->other_full,
				     self->other_empty));
	autoch_close(&c);
	EXPECT_EQ(0, autoch_move(&self->a, self->other_full, self->other_empty));
}

TEST_F(two, persistent_tgt24)
{
	struct pr_registration reg = { .new_key = 0x1234 };
	struct pr_reservation rsv = { .key = 0x1234, .type = PR_WRITE_EXCLUSIVE };
	struct pr_read_reservation rr;
	struct pr_read_keys rk = { 0 };

	if (!autoch_profile(AUTOCH_TGT24))
		AUTOCH_SKIP(return, "tgt's changer has no persistent reservations");
	EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->a.fd, IOC_PR_REGISTER, &reg));
	autoch_expect_sense(_metadata, self->a.fd, EOPNOTSUPP, 0x5f,
			    AUTOCH_ILLEGAL_REQUEST, 0x20, 0x00);
	EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->a.fd, IOC_PR_RESERVE, &rsv));
	EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->a.fd, IOC_PR_READ_KEYS, &rk));
	autoch_expect_sense(_metadata, self->a.fd, EOPNOTSUPP, 0x5e,
			    AUTOCH_ILLEGAL_REQUEST, 0x20, 0x00);
	EXPECT_EQ(EOPNOTSUPP,
		  autoch_ioctl(self->a.fd, IOC_PR_READ_RESERVATION, &rr));
}

/* Rejected before anything is sent: SIOC_XSENSE stays as it was. */
TEST_F(two, persistent_invalid)
{
	struct pr_registration reg = { .new_key = 1, .flags = 2 };
	struct pr_reservation rsv = { .key = 1 };
	struct pr_preempt pre = { .old_key = 1, .new_key = 2, .type = 99 };
	struct pr_clear clr = { .key = 1, .__pad = 1 };
	struct autoch_xsense xs;

	EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->b.fd, IOC_PR_REGISTER, &reg));
	reg.flags = 0;
	reg.__pad = 1;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_REGISTER, &reg));
	rsv.type = 0;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_RESERVE, &rsv));
	rsv.type = 7;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_RELEASE, &rsv));
	rsv.type = PR_WRITE_EXCLUSIVE;
	rsv.flags = 1;
	EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->b.fd, IOC_PR_RESERVE, &rsv));
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_PREEMPT, &pre));
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_PREEMPT_ABORT, &pre));
	EXPECT_EQ(EINVAL, autoch_ioctl(self->b.fd, IOC_PR_CLEAR, &clr));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->b.fd, IOC_PR_REGISTER, NULL));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->b.fd, IOC_PR_READ_KEYS, NULL));
	memset(&xs, 0xa5, sizeof(xs));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_XSENSE, &xs));
	EXPECT_EQ(0, xs.valid);
	EXPECT_EQ(0, autoch_nonzero(&xs, sizeof(xs)));
}

/* AUTOCH_ELEMENT_STATUS_RANGE agrees with SIOC_ELEMENT_STATUS. */
TEST_F(two, status_range)
{
	struct autoch_status_range sr = { 0 };
	struct element_status one, *all;
	enum autoch_type t;
	int i, n, first;

	for (t = 0; t < AUTOCH_NR_TYPES; t++) {
		n = autoch_count(&self->a.ea, t);
		first = autoch_first(&self->a.ea, t);
		if (!n)
			continue;
		all = calloc(n, sizeof(*all));
		ASSERT_NE(NULL, all);
		memset(all, 0xa5, n * sizeof(*all));
		sr.first = first;
		sr.count = n;
		sr.statuses = (unsigned long)all;
		ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(0, autoch_status(self->a.fd, first + i, &one));
			EXPECT_EQ(0, memcmp(&one, &all[i], sizeof(one)))
				TH_LOG("element %d differs", first + i);
		}
		free(all);
	}

	sr.first = self->a.ea.first_storage;
	sr.count = 0;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr));
	sr.count = self->a.ea.num_storages + 1;	/* runs off the range */
	if (!autoch_in_map(&self->a.ea, sr.first + sr.count - 1))
		EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd,
					       AUTOCH_ELEMENT_STATUS_RANGE, &sr));
	sr.count = 1;
	sr.flags = 1;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr));
	sr.flags = 0;
	sr.statuses = 1;
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_ELEMENT_STATUS_RANGE, &sr));
}

TEST_F(two, capabilities_tgt24)
{
	struct autoch_capabilities caps;
	int t;

	memset(&caps, 0xa5, sizeof(caps));
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_CAPABILITIES, &caps));
	EXPECT_EQ(0, caps.resv1);
	EXPECT_EQ(0, caps.resv);
	for (t = 0; t < 4; t++) {
		EXPECT_EQ(0, caps.move_from[t] & 0xf0);
		EXPECT_EQ(0, caps.exchange_from[t] & 0xf0);
	}
	/* a changer moves at least from storage to storage */
	EXPECT_TRUE(caps.move_from[1] & 0x02);
	if (!autoch_profile(AUTOCH_TGT24))
		return;
	/* tgt's page 1Fh claims everything, its page 1Eh no rotation */
	for (t = 0; t < 4; t++) {
		EXPECT_EQ(0x0f, caps.move_from[t]);
		EXPECT_EQ(0x0f, caps.exchange_from[t]);
	}
	EXPECT_EQ(0x0f, caps.can_store);
	EXPECT_EQ(0, caps.num_rotating);
}

TEST_F(two, drive_id)
{
	struct autoch_drive_id id;
	int ret, has;

	if (!self->a.ea.num_data_transfers)
		AUTOCH_SKIP(return, "no drives");
	has = autoch_profile_has(AUTOCH_HAS_DVCID);
	memset(&id, 0xa5, sizeof(id));
	id.element = self->a.ea.first_data_transfer;
	ret = autoch_ioctl(self->a.fd, AUTOCH_DRIVE_ID, &id);
	if (has < 0 && ret == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer reports no drive identifiers (no AUTOCH_PROFILE says whether it should)");
	id.element = self->a.ea.first_storage;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_DRIVE_ID, &id));
	if (has == 0) {
		/* the SuperLoader refuses DVCID (24/00) */
		EXPECT_EQ(EOPNOTSUPP, ret);
		return;
	}
	ASSERT_EQ(0, ret);
	memset(&id, 0xa5, sizeof(id));
	id.element = self->a.ea.first_data_transfer;
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_DRIVE_ID, &id));
	EXPECT_EQ(self->a.ea.first_data_transfer, id.element);
	EXPECT_EQ(0, autoch_nonzero(id.resv, sizeof(id.resv)));
	EXPECT_GE((int)sizeof(id.id), id.id_len);
	EXPECT_EQ(0, autoch_nonzero(id.id + id.id_len, sizeof(id.id) - id.id_len));
	if (autoch_profile(AUTOCH_TGT24)) {
		/* tgt: ASCII vendor, product and serial of the tape LU */
		EXPECT_EQ(2, id.code_set);
		EXPECT_EQ(34, id.id_len);
		EXPECT_EQ(0, memcmp(id.id, "IET     VIRTUAL-TAPE", 20));
	}
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_DRIVE_ID, NULL));
}

TEST_F(two, prevent_allow)
{
	unsigned int v = 1;
	int ret, has = autoch_profile_has(AUTOCH_HAS_PREVENT);

	ret = autoch_ioctl(self->a.fd, AUTOCH_PREVENT_ALLOW, &v);
	if (has < 0 && ret == EOPNOTSUPP)
		AUTOCH_SKIP(return, "the changer cannot prevent removal (no AUTOCH_PROFILE says whether it should)");
	v = 2;
	EXPECT_EQ(EINVAL, autoch_ioctl(self->a.fd, AUTOCH_PREVENT_ALLOW, &v));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_PREVENT_ALLOW, NULL));
	if (has == 0) {
		/* tgt: 20/00 */
		EXPECT_EQ(EOPNOTSUPP, ret);
		v = 1;
		EXPECT_EQ(EOPNOTSUPP, autoch_ioctl(self->a.fd, AUTOCH_PREVENT_ALLOW, &v));
		autoch_expect_sense(_metadata, self->a.fd, EOPNOTSUPP, 0x1e,
				    AUTOCH_ILLEGAL_REQUEST, 0x20, 0x00);
		return;
	}
	EXPECT_EQ(0, ret);
	v = 0;
	EXPECT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_PREVENT_ALLOW, &v));
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
