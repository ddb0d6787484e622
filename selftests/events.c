// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: events (AUTOCH_GET_EVENTS, SIOC_MEDIUM_CHANGED, poll()
 * and the change uevent) and the sysfs attributes of /dev/autochN.
 *
 * The event every changer can produce on demand is the end of an
 * inventory (SIOC_INIT_ELEM_STAT); unit attentions from doors and
 * magazines need an emulation that raises them.
 */
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>

#include "autoch.h"

FIXTURE(ev) {
	struct autoch_dev a, b;
};

FIXTURE_SETUP(ev)
{
	ASSERT_EQ(0, autoch_open(&self->a));
	ASSERT_EQ(0, autoch_open(&self->b));
}

FIXTURE_TEARDOWN(ev)
{
	autoch_close(&self->b);
	autoch_close(&self->a);
	autoch_teardown_done(_metadata);
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

	return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

TEST_F(ev, inventory_event)
{
	struct autoch_events e;
	int changed = -1;

	/* drain whatever came before (the first command's reset) */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &e));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &e));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &e));
	EXPECT_EQ(0, e.events);
	EXPECT_EQ(0, e.count);
	EXPECT_EQ(0, poll_in(self->b.fd, 0));

	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	/* every open file hears of it, not only the one that asked */
	EXPECT_NE(0, poll_in(self->b.fd, 0) & POLLIN);
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &e));
	EXPECT_EQ(AUTOCH_EVENT_INVENTORY, e.events & AUTOCH_EVENT_INVENTORY);
	EXPECT_LE(1, e.count);
	/* reading cleared them */
	EXPECT_EQ(0, poll_in(self->b.fd, 0));
	ASSERT_EQ(0, autoch_ioctl(self->b.fd, AUTOCH_GET_EVENTS, &e));
	EXPECT_EQ(0, e.events);
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, &e));
	EXPECT_EQ(AUTOCH_EVENT_INVENTORY, e.events & AUTOCH_EVENT_INVENTORY);

	/* an inventory is not a medium change for HP-UX's ioctl */
	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, &changed));
	EXPECT_EQ(0, changed);
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, AUTOCH_GET_EVENTS, NULL));
	EXPECT_EQ(EFAULT, autoch_ioctl(self->a.fd, SIOC_MEDIUM_CHANGED, NULL));
}

TEST_F(ev, uevent)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct timeval tv = { .tv_sec = 5 };
	const char *name = strrchr(autoch_path(), '/') + 1;
	char buf[4096], want[64];
	bool seen = false;
	ssize_t n, off;
	int s;

	s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT);
	if (s < 0)
		AUTOCH_SKIP(return, "no uevent socket: %s", strerror(errno));
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));

	ASSERT_EQ(0, autoch_ioctl(self->a.fd, SIOC_INIT_ELEM_STAT, NULL));
	snprintf(want, sizeof(want), "DEVNAME=%s", name);
	while (!seen && (n = recv(s, buf, sizeof(buf) - 1, 0)) > 0) {
		bool change = false, dev = false, inv = false;

		buf[n] = 0;
		for (off = 0; off < n; off += strlen(buf + off) + 1) {
			change |= !strcmp(buf + off, "ACTION=change");
			dev |= !strcmp(buf + off, want);
			inv |= !strcmp(buf + off, "AUTOCH_EVENT=inventory");
		}
		seen = change && dev && inv;
	}
	EXPECT_TRUE(seen);
	close(s);
}

static int read_sysfs(const char *attr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/class/autoch/%s/%s",
		 strrchr(autoch_path(), '/') + 1, attr);
	return autoch_read_file(path, buf, len);
}

static long sysfs_num(const char *attr)
{
	char buf[64];

	if (read_sysfs(attr, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

TEST_F(ev, sysfs)
{
	const struct element_addresses *ea = &self->a.ea;
	char buf[4096], *line;
	int lines = 0;

	EXPECT_EQ(ea->first_transport, sysfs_num("first_transport"));
	EXPECT_EQ(ea->num_transports, sysfs_num("num_transports"));
	EXPECT_EQ(ea->first_storage, sysfs_num("first_storage"));
	EXPECT_EQ(ea->num_storages, sysfs_num("num_storages"));
	EXPECT_EQ(ea->first_import_export, sysfs_num("first_import_export"));
	EXPECT_EQ(ea->num_import_exports, sysfs_num("num_import_exports"));
	EXPECT_EQ(ea->first_data_transfer, sysfs_num("first_data_transfer"));
	EXPECT_EQ(ea->num_data_transfers, sysfs_num("num_data_transfers"));

	/* one line per drive, an empty one for a drive without identifier */
	ASSERT_EQ(0, read_sysfs("drive_ids", buf, sizeof(buf)));
	for (line = buf; (line = strchr(line, '\n')); line++)
		lines++;
	EXPECT_EQ(ea->num_data_transfers, lines) TH_LOG("%s", buf);

	ASSERT_EQ(0, read_sysfs("vendor", buf, sizeof(buf)));
	EXPECT_LT(1, (int)strlen(buf));
	ASSERT_EQ(0, read_sysfs("model", buf, sizeof(buf)));
	EXPECT_LT(1, (int)strlen(buf));
	ASSERT_EQ(0, read_sysfs("serial", buf, sizeof(buf)));
	if (!autoch_profile(AUTOCH_TGT24))
		return;
	ASSERT_EQ(0, read_sysfs("vendor", buf, sizeof(buf)));
	EXPECT_STREQ("IET\n", buf);
	ASSERT_EQ(0, read_sysfs("model", buf, sizeof(buf)));
	EXPECT_STREQ("VIRTUAL-CHANGER\n", buf);
	/* drive 256 first: tgt's identifier, spaces shown as '_' */
	ASSERT_EQ(0, read_sysfs("drive_ids", buf, sizeof(buf)));
	EXPECT_EQ(0, strncmp(buf, "IET_____VIRTUAL-TAPE", 20)) TH_LOG("%s", buf);
	EXPECT_EQ(NULL, strchr(buf, ' ')) TH_LOG("%s", buf);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
