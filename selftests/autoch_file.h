/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing a sysfs or debugfs file in one call, for the
 * kselftest programs (through autoch.h) and the programs built without
 * the kselftest harness (debug/unplug.c).
 */
#ifndef AUTOCH_SELFTEST_FILE_H
#define AUTOCH_SELFTEST_FILE_H

#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Read @path into @buf in one read(), NUL terminated; 0, or -1 (errno). */
static inline int autoch_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* Write @s to @path in one write(); 0, or -1. */
static inline int autoch_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

#endif /* AUTOCH_SELFTEST_FILE_H */
