// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: requests the driver does not know (ENOTTY) and
 * arguments it cannot copy (EFAULT). A call whose argument cannot be read
 * does nothing; one whose result cannot be written says so.
 */
#include <sys/mman.h>

#include "autoch.h"

struct request {
	const char *name;
	unsigned long request;
};

/* Every autoch ioctl that has an argument. */
static const struct request with_arg[] = {
	{ "SIOC_ELEMENT_ADDRESSES", SIOC_ELEMENT_ADDRESSES },
	{ "SIOC_ELEMENT_STATUS", SIOC_ELEMENT_STATUS },
	{ "SIOC_RESERVE", SIOC_RESERVE },
	{ "SIOC_RELEASE", SIOC_RELEASE },
	{ "SIOC_MOVE_MEDIUM", SIOC_MOVE_MEDIUM },
	{ "SIOC_EXCHANGE_MEDIUM", SIOC_EXCHANGE_MEDIUM },
	{ "SIOC_INQUIRY", SIOC_INQUIRY },
	{ "SIOC_XSENSE", SIOC_XSENSE },
	{ "AUTOCH_INQUIRY", AUTOCH_INQUIRY },
	{ "AUTOCH_XSENSE", AUTOCH_XSENSE },
};

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
	free(self->before);
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/*
 * Unknown numbers, a known number with the wrong size or direction, a
 * foreign letter, and 0. The argument points at zeroed memory, so a
 * driver that dispatched on the number alone would answer otherwise.
 */
TEST_F(changer, unknown_request)
{
	const struct request unknown[] = {
		{ "_IO('S', 99)", _IO('S', 99) },
		{ "_IOR('S', 52, int)", _IOR('S', 52, int) },
		{ "_IOR('S', 53, struct element_status)",
		  _IOR('S', 53, struct element_status) },
		{ "_IOW('S', 56, struct exchange_medium_parms)",
		  _IOW('S', 56, struct exchange_medium_parms) },
		{ "_IO('X', 1)", _IO('X', 1) },
		{ "0", 0 },
	};
	static char arg[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		memset(arg, 0, sizeof(arg));
		EXPECT_EQ(ENOTTY, autoch_ioctl(self->dev.fd, unknown[i].request,
					       arg))
			TH_LOG("%s", unknown[i].name);
	}
}

TEST_F(changer, null_and_wild_pointers)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(with_arg); i++) {
		EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd,
					       with_arg[i].request, NULL))
			TH_LOG("%s", with_arg[i].name);
		EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd,
					       with_arg[i].request, (void *)1))
			TH_LOG("%s", with_arg[i].name);
	}
}

/*
 * The ioctls that return data (_IOR, _IOWR) fail on a read-only page.
 * SIOC_ELEMENT_STATUS finds a valid .element there, so its input copy
 * works and the output copy is what fails.
 */
TEST_F(changer, read_only_result)
{
	long page = sysconf(_SC_PAGESIZE);
	struct element_status *es;
	char *map;
	size_t i;
	int tried = 0;

	map = mmap(NULL, page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	es = (struct element_status *)map;
	es->element = self->dev.ea.first_storage;
	ASSERT_EQ(0, mprotect(map, page, PROT_READ));

	for (i = 0; i < ARRAY_SIZE(with_arg); i++) {
		if (!(_IOC_DIR(with_arg[i].request) & _IOC_READ))
			continue;
		tried++;
		EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd,
					       with_arg[i].request, map))
			TH_LOG("%s", with_arg[i].name);
	}
	EXPECT_EQ(6, tried);
	munmap(map, page);
}

/*
 * A move or exchange whose argument cannot be read moves nothing: not
 * with NULL, not with a wild pointer, and not with a struct that runs
 * from a readable page (transport and source) into an unmapped one.
 */
TEST_F(changer, unreadable_argument_moves_nothing)
{
	int src = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, NULL, 0);
	int dst = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	long page = sysconf(_SC_PAGESIZE);
	struct move_medium_parms mp = {
		.transport = self->dev.ea.first_transport,
		.source = src,
		.destination = dst,
	};
	struct exchange_medium_parms ep = {
		.transport = self->dev.ea.first_transport,
		.source = src,
		.first_destination = dst,
		.second_destination = src,
	};
	char *map, *edge;

	if (src < 0 || dst < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	edge = map + page - 4;

	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM, NULL));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM,
				       (void *)1));
	memcpy(edge, &mp, 4);
	memcpy(map + page, (char *)&mp + 4, sizeof(mp) - 4);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_MOVE_MEDIUM, edge));

	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_EXCHANGE_MEDIUM, NULL));
	ASSERT_EQ(0, mprotect(map + page, page, PROT_READ | PROT_WRITE));
	memcpy(edge, &ep, 4);
	memcpy(map + page, (char *)&ep + 4, sizeof(ep) - 4);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->dev.fd, SIOC_EXCHANGE_MEDIUM, edge));

	autoch_expect_unchanged(_metadata, &self->dev, self->before);
	munmap(map, 2 * page);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
