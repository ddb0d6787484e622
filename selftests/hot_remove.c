// SPDX-License-Identifier: GPL-2.0
/*
 * A changer removed under an open file: every call on that file answers
 * ENXIO, the node goes away, closing the file is fine, and a rescan of
 * the host brings the changer back under the same name.
 *
 * It deletes the SCSI device through sysfs, so the runner puts it last.
 */
#include <limits.h>
#include <time.h>

#include "autoch.h"
#include "../include/hpux/sys/scsi_ctl.h"

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static bool wait_for_node(const char *path, bool present)
{
	struct timespec ts = { .tv_nsec = 100 * 1000 * 1000 };
	int i;

	for (i = 0; i < 100; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

TEST(removed_under_open_file)
{
	const char *dev = getenv("AUTOCH_DEV") ?: AUTOCH_DEFAULT_DEV;
	char sysdev[PATH_MAX], path[PATH_MAX + 64], *name;
	struct element_addresses ea;
	struct move_medium_parms mp = {};
	struct element_status es = {};
	struct autoch_xsense xs;
	unsigned char buf[36];
	struct sctl_io io;
	unsigned int host;
	int fd, fd2;

	snprintf(path, sizeof(path), "/sys/class/autoch/%s/device",
		 strrchr(dev, '/') + 1);
	if (!realpath(path, sysdev))
		AUTOCH_SKIP(return, "no sysfs device for the changer");
	name = strrchr(sysdev, '/') + 1;
	ASSERT_EQ(1, sscanf(name, "%u:", &host));

	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));

	snprintf(path, sizeof(path), "%s/delete", sysdev);
	ASSERT_EQ(0, write_str(path, "1"));
	ASSERT_TRUE(wait_for_node(dev, false));

	EXPECT_EQ(-1, ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	EXPECT_EQ(ENXIO, errno);
	es.element = ea.first_storage;
	EXPECT_EQ(-1, ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	EXPECT_EQ(ENXIO, errno);
	mp.transport = ea.first_transport;
	mp.source = ea.first_storage;
	mp.destination = ea.first_storage + 1;
	EXPECT_EQ(-1, ioctl(fd, SIOC_MOVE_MEDIUM, &mp));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(fd, SIOC_INIT_ELEM_STAT, NULL));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(fd, AUTOCH_XSENSE, &xs));
	EXPECT_EQ(ENXIO, errno);
	/* SIOC_IO: nothing to deliver the command to */
	memset(&io, 0, sizeof(io));
	io.cdb[0] = 0x12;	/* INQUIRY */
	io.cdb[4] = sizeof(buf);
	io.cdb_length = 6;
	io.flags = SCTL_READ;
	io.data = buf;
	io.data_length = sizeof(buf);
	io.max_msecs = 10000;
	EXPECT_EQ(-1, ioctl(fd, SIOC_IO, &io));
	EXPECT_EQ(ENXIO, errno);

	fd2 = open(dev, O_RDONLY);
	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(0, close(fd));

	/* the same host adapter finds the changer again */
	snprintf(path, sizeof(path), "/sys/class/scsi_host/host%u/scan", host);
	ASSERT_EQ(0, write_str(path, "- - -"));
	ASSERT_TRUE(wait_for_node(dev, true));
	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	close(fd);
}

TEST_HARNESS_MAIN
