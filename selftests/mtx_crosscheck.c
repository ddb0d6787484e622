// SPDX-License-Identifier: GPL-2.0
/*
 * autoch selftests: the driver's view of the changer against mtx's.
 *
 * mtx talks to the same changer through its SCSI generic node, with its
 * own READ ELEMENT STATUS parsing, so it is an independent witness. After
 * a series of moves through /dev/autochN (into a drive, out of it to
 * another slot, out to and in from import/export) every element must
 * read the same both ways: full or empty, barcode, and which slot a drive
 * was loaded from. Then everything goes back and is compared again.
 *
 * mtx status numbers storage elements 1..N in address order and lists
 * the import/export elements after them marked IMPORT/EXPORT; drives are
 * numbered from 0:
 *
 *   Storage Changer /dev/sg1:2 Drives, 26 Slots ( 2 Import/Export )
 * Data Transfer Element 0:Full (Storage Element 2 Loaded):VolumeTag = ACT002
 * Data Transfer Element 1:Empty
 *       Storage Element 1:Full :VolumeTag=ACT013
 *       Storage Element 25 IMPORT/EXPORT:Empty
 */
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <sys/wait.h>

#include "autoch.h"

#define MTX_NOT_FOUND	127	/* exit status of sh when mtx is missing */

struct mtx_element {
	bool seen;
	bool full;
	bool import_export;
	int loaded_from;	/* drives: storage number, 0 if unknown */
	char tag[64];
};

struct mtx_status {
	int drives, slots, import_exports;
	int nr_dt, nr_st;
	struct mtx_element *dt, *st;
};

FIXTURE(changer) {
	struct autoch_dev dev;
	char sg[PATH_MAX];
};

/* The changer's sg node: /sys/class/autoch/<name>/device/scsi_generic/sgN. */
static int find_sg(char *sg, size_t len)
{
	char real[PATH_MAX], dir[PATH_MAX + 64];
	struct dirent *de;
	DIR *d;
	int ret = -1;

	if (!realpath(autoch_path(), real))
		return -1;
	snprintf(dir, sizeof(dir), "/sys/class/autoch/%s/device/scsi_generic",
		 basename(real));
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strncmp(de->d_name, "sg", 2)) {
			snprintf(sg, len, "/dev/%s", de->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

FIXTURE_SETUP(changer)
{
	ASSERT_EQ(0, autoch_open(&self->dev))
		TH_LOG("%s: %s", autoch_path(), strerror(errno));
	if (find_sg(self->sg, sizeof(self->sg)))
		self->sg[0] = '\0';
}

FIXTURE_TEARDOWN(changer)
{
	EXPECT_EQ(0, autoch_undo(&self->dev))
		TH_LOG("could not put the media back");
	autoch_close(&self->dev);
	autoch_teardown_done(_metadata);
}

/* The rest of a line after ":VolumeTag", up to the next ':'. */
static void parse_tag(const char *line, char *tag, size_t len)
{
	const char *p = strstr(line, ":VolumeTag");
	size_t n = 0;

	tag[0] = '\0';
	if (!p)
		return;
	p += strlen(":VolumeTag");
	while (*p == ' ' || *p == '=')
		p++;
	while (p[n] && p[n] != ':' && p[n] != '\n' && n + 1 < len)
		n++;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	memcpy(tag, p, n);
	tag[n] = '\0';
}

static void parse_line(struct mtx_status *ms, const char *line)
{
	const char *colon = strchr(line, ':');
	struct mtx_element *el;
	int n;

	if (!colon)
		return;
	if (strstr(line, "Storage Changer")) {
		if (sscanf(colon + 1, "%d Drives, %d Slots ( %d Import/Export )",
			   &ms->drives, &ms->slots, &ms->import_exports) != 3)
			ms->drives = -1;
	} else if (sscanf(line, " Data Transfer Element %d:", &n) == 1) {
		if (n < 0 || n >= ms->nr_dt)
			return;
		el = &ms->dt[n];
		el->seen = true;
		el->full = !strncmp(colon + 1, "Full", 4);
		if (sscanf(colon + 1, "Full (Storage Element %d Loaded)",
			   &el->loaded_from) != 1)
			el->loaded_from = 0;
		parse_tag(line, el->tag, sizeof(el->tag));
	} else if (sscanf(line, " Storage Element %d", &n) == 1) {
		if (n < 1 || n > ms->nr_st)
			return;
		el = &ms->st[n - 1];
		el->seen = true;
		el->import_export = strstr(line, "IMPORT/EXPORT") &&
				    strstr(line, "IMPORT/EXPORT") < colon;
		el->full = !strncmp(colon + 1, "Full", 4);
		parse_tag(line, el->tag, sizeof(el->tag));
	}
}

/*
 * Run mtx status on @sg and parse it; the exit status of the command goes
 * to @status (MTX_NOT_FOUND when there is no mtx). The first command
 * after a new login may get a unit attention that mtx does not retry, so
 * a failed run is tried once more.
 */
static int run_mtx(const char *sg, struct mtx_status *ms, char *out,
		   size_t len)
{
	char cmd[PATH_MAX + 64], line[512];
	int attempt, status = -1;
	size_t used;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "mtx -f %s status 2>&1", sg);
	for (attempt = 0; attempt < 2; attempt++) {
		memset(ms->dt, 0, ms->nr_dt * sizeof(*ms->dt));
		memset(ms->st, 0, ms->nr_st * sizeof(*ms->st));
		ms->drives = -1;
		ms->slots = -1;
		ms->import_exports = -1;
		out[0] = '\0';
		used = 0;
		p = popen(cmd, "r");
		if (!p)
			return -1;
		while (fgets(line, sizeof(line), p)) {
			parse_line(ms, line);
			if (used + strlen(line) < len) {
				strcpy(out + used, line);
				used += strlen(line);
			}
		}
		status = pclose(p);
		if (status == -1 || !WIFEXITED(status))
			return -1;
		status = WEXITSTATUS(status);
		if (status == 0 || status == MTX_NOT_FOUND)
			break;
	}
	return status;
}

/* Every element as the driver sees it against mtx's line for it. */
static void compare(struct __test_metadata *_metadata,
		    const struct autoch_dev *d, const char *sg,
		    struct mtx_status *ms, char *out, size_t len)
{
	const struct element_addresses *ea = &d->ea;
	char tag[AUTOCH_TAG_ID_LEN + 1];
	struct element_status es;
	struct mtx_element *el;
	int i, address;

	ASSERT_EQ(0, run_mtx(sg, ms, out, len)) TH_LOG("%s", out);
	EXPECT_EQ(ea->num_data_transfers, ms->drives);
	EXPECT_EQ(ea->num_storages + ea->num_import_exports, ms->slots);
	EXPECT_EQ(ea->num_import_exports, ms->import_exports);

	for (i = 0; i < ms->nr_dt; i++) {
		address = ea->first_data_transfer + i;
		el = &ms->dt[i];
		ASSERT_EQ(0, autoch_status(d->fd, address, &es));
		autoch_tag(es.pri_vol_tag, tag);
		ASSERT_TRUE(el->seen) TH_LOG("no drive %d in:\n%s", i, out);
		EXPECT_EQ((int)es.full, el->full) TH_LOG("drive %d", address);
		if (!es.full || !el->full)
			continue;
		EXPECT_STREQ(tag, el->tag) TH_LOG("drive %d", address);
		/* mtx numbers the slot a drive was loaded from, if storage. */
		if (es.source_valid &&
		    autoch_in_type(ea, AUTOCH_STORAGE, es.source_element)) {
			EXPECT_EQ(es.source_element - ea->first_storage + 1,
				  el->loaded_from) TH_LOG("drive %d", address);
		}
	}
	for (i = 0; i < ms->nr_st; i++) {
		bool ie = i >= ea->num_storages;

		address = ie ? ea->first_import_export + i - ea->num_storages :
			       ea->first_storage + i;
		el = &ms->st[i];
		ASSERT_EQ(0, autoch_status(d->fd, address, &es));
		autoch_tag(es.pri_vol_tag, tag);
		ASSERT_TRUE(el->seen) TH_LOG("no slot %d in:\n%s", i + 1, out);
		EXPECT_EQ(ie, el->import_export) TH_LOG("slot %d", i + 1);
		EXPECT_EQ((int)es.full, el->full) TH_LOG("element %d", address);
		if (es.full && el->full)
			EXPECT_STREQ(tag, el->tag) TH_LOG("element %d", address);
	}
}

TEST_F_TIMEOUT(changer, mtx_agrees, 300)
{
	const struct element_addresses *ea = &self->dev.ea;
	struct autoch_inventory *before;
	int sa, sb, sc, se, drive, ie_empty, ie_full;
	struct mtx_status ms;
	static char out[16384];
	int skip[3];

	if (!self->sg[0])
		AUTOCH_SKIP(return, "no scsi_generic node for %s", autoch_path());
	ms.nr_dt = ea->num_data_transfers;
	ms.nr_st = ea->num_storages + ea->num_import_exports;
	ms.dt = calloc(ms.nr_dt + 1, sizeof(*ms.dt));
	ms.st = calloc(ms.nr_st + 1, sizeof(*ms.st));
	ASSERT_TRUE(ms.dt && ms.st);
	if (run_mtx(self->sg, &ms, out, sizeof(out)) == MTX_NOT_FOUND)
		AUTOCH_SKIP(return, "no mtx");

	before = autoch_inventory(&self->dev);
	ASSERT_NE(NULL, before) TH_LOG("inventory: %s", strerror(errno));
	compare(_metadata, &self->dev, self->sg, &ms, out, sizeof(out));

	/* Two cartridges a drive takes, one more, an empty slot. */
	sa = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_LOADABLE, NULL, 0);
	skip[0] = sa;
	sc = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_LOADABLE, skip, 1);
	skip[1] = sc;
	sb = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_FULL, skip, 2);
	se = autoch_find(&self->dev, AUTOCH_STORAGE, AUTOCH_EMPTY, NULL, 0);
	drive = autoch_find(&self->dev, AUTOCH_DATA_TRANSFER, AUTOCH_EMPTY,
			    NULL, 0);
	ie_empty = autoch_find(&self->dev, AUTOCH_IMPORT_EXPORT, AUTOCH_EMPTY,
			       NULL, 0);
	ie_full = autoch_find(&self->dev, AUTOCH_IMPORT_EXPORT, AUTOCH_FULL,
			      NULL, 0);
	if (sa < 0 || se < 0)
		AUTOCH_SKIP(return, "needs a full and an empty storage element");

	if (drive >= 0) {
		ASSERT_EQ(0, autoch_move(&self->dev, sa, drive));
		ASSERT_EQ(0, autoch_move(&self->dev, drive, se));
	} else {
		ASSERT_EQ(0, autoch_move(&self->dev, sa, se));
	}
	if (sb >= 0 && ie_empty >= 0)
		ASSERT_EQ(0, autoch_move(&self->dev, sb, ie_empty));
	if (ie_full >= 0)
		ASSERT_EQ(0, autoch_move(&self->dev, ie_full, sa));
	if (sc >= 0 && drive >= 0)
		ASSERT_EQ(0, autoch_move(&self->dev, sc, drive));
	compare(_metadata, &self->dev, self->sg, &ms, out, sizeof(out));

	ASSERT_EQ(0, autoch_undo(&self->dev));
	compare(_metadata, &self->dev, self->sg, &ms, out, sizeof(out));
	autoch_expect_unchanged(_metadata, &self->dev, before);
	free(before);
	free(ms.dt);
	free(ms.st);
}

int main(int argc, char **argv)
{
	autoch_require_changer();
	return test_harness_run(argc, argv);
}
