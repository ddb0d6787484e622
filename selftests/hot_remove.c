// SPDX-License-Identifier: GPL-2.0
/*
 * A changer removed under an open file: every call on that file answers
 * ENXIO, the node goes away, closing the file is fine, and a rescan of
 * the host brings the changer back under the same name. On the emulated
 * changer, a status whose command is in flight when the changer is
 * pulled (the emulation's "event remove fail") ends ENXIO, and the
 * emulation counts that command as lost: a race that happened, not one
 * hoped for.
 *
 * It deletes the SCSI device through sysfs, so the runner puts it last.
 */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "emul_ctl.h"
#include "../include/hpux/sys/scsi_ctl.h"

#define IN_FLIGHT_MS	3000	/* every command, while the status waits */

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
	ASSERT_EQ(0, autoch_write_file(path, "1"));
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
	ASSERT_EQ(0, autoch_write_file(path, "- - -"));
	ASSERT_TRUE(wait_for_node(dev, true));
	fd = open(dev, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	close(fd);
}

/* Commands of @opcode the emulation's removals failed in flight. */
static long lost_in_flight(int opcode)
{
	char buf[4096], *line, *save;
	unsigned int op;
	long n;

	if (emul_read_file(EMUL_DEBUGFS "/lost", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%x %ld", &op, &n) == 2 && (int)op == opcode)
			return n;
	return 0;
}

FIXTURE(pulled) {
	struct emul_params params;
	pid_t child;
	bool removed;
};

FIXTURE_SETUP(pulled)
{
	if (!emul_present())
		AUTOCH_SKIP(return, "no emulated changer: nothing fails a command in flight");
}

FIXTURE_TEARDOWN(pulled)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	EXPECT_EQ(0, emul_params_restore(&self->params));
	if (self->removed) {
		EXPECT_EQ(0, emul_ctl("event", "add"));
		EXPECT_TRUE(emul_wait_node(autoch_path(), true, 30000));
	}
	autoch_teardown_done(_metadata);
}

/*
 * A status in flight (every command takes IN_FLIGHT_MS, cache_ms is 0)
 * when the changer is pulled: the call ends ENXIO, long before its
 * command would have completed, and the emulation lost a READ ELEMENT
 * STATUS in flight. Then the changer comes back and answers.
 */
TEST_F(pulled, status_in_flight)
{
	struct element_addresses ea;
	struct element_status es = {};
	int fd, pipefd[2], err = -1;
	long sent, lost0;
	double t0;

	AUTOCH_SETUP_DONE();
	fd = open(autoch_path(), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	ASSERT_EQ(0, emul_param_set(&self->params, AUTOCH_MODULE, "cache_ms", 0));
	ASSERT_EQ(0, emul_ctl("lost", "0"));
	lost0 = lost_in_flight(0xb8);
	ASSERT_EQ(0, lost0);
	sent = emul_counter(0xb8, -1);
	ASSERT_EQ(0, emul_param_set(&self->params, EMUL_MODULE, "latency_ms",
				    IN_FLIGHT_MS));
	ASSERT_EQ(0, pipe(pipefd));
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (!self->child) {
		es.element = ea.first_storage;
		err = autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es);
		if (write(pipefd[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	/* the command has reached the changer: it is in flight */
	t0 = emul_now_ms();
	while (emul_counter(0xb8, -1) == sent && emul_now_ms() - t0 < IN_FLIGHT_MS / 2)
		emul_sleep_ms(5);
	ASSERT_LT(sent, emul_counter(0xb8, -1)) TH_LOG("the status never reached the changer");
	t0 = emul_now_ms();
	self->removed = true;
	ASSERT_EQ(0, emul_ctl("event", "remove fail"));
	ASSERT_EQ(sizeof(err), read(pipefd[0], &err, sizeof(err)));
	close(pipefd[0]);
	waitpid(self->child, NULL, 0);
	self->child = 0;
	EXPECT_EQ(ENXIO, err) TH_LOG("the status in flight ended %s", emul_errname(err));
	EXPECT_GT(IN_FLIGHT_MS, emul_now_ms() - t0)
		TH_LOG("the call waited for its command to run its course");
	EXPECT_LE(1, lost_in_flight(0xb8)) TH_LOG("the emulation lost no READ ELEMENT STATUS in flight");
	/* the file stays dead; the changer comes back under the same name */
	EXPECT_EQ(ENXIO, autoch_ioctl(fd, SIOC_ELEMENT_STATUS, &es));
	close(fd);
	EXPECT_EQ(0, emul_params_restore(&self->params));
	ASSERT_EQ(0, emul_ctl("event", "add"));
	self->removed = false;
	ASSERT_TRUE(emul_wait_node(autoch_path(), true, 30000));
	fd = -1;
	for (t0 = emul_now_ms(); fd < 0 && emul_now_ms() - t0 < 10000; emul_sleep_ms(50))
		fd = open(autoch_path(), O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, autoch_ioctl(fd, SIOC_ELEMENT_ADDRESSES, &ea));
	close(fd);
}

TEST_HARNESS_MAIN
