// SPDX-License-Identifier: GPL-2.0
/*
 * The element map and the element status cache: MODE SENSE pages 1Dh
 * (element address assignment), 1Eh (transport geometry) and 1Fh (device
 * capabilities); READ ELEMENT STATUS, its allocation length and reply
 * parser, the VOLTAG and DVCID quirks; the status cache and its freshness;
 * the checks of a move or exchange against the map; the translation of a
 * cached element into the HP-UX struct element_status.
 */

#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "autoch.h"

/* Forget everything the library may have changed behind our back. */
void autoch_drop_cache(struct autoch_device *ach, bool map_too)
{
	lockdep_assert_held(&ach->state_lock);

	if (++ach->cache_gen == 0)
		ach->cache_gen = 1;
	if (map_too) {
		ach->map_valid = false;
		ach->map_gen++;
	}
}

/*
 * A mode page the changer does not have: 20/00 (no MODE SENSE) or 24/xx
 * (no such page), the only sense that gives EOPNOTSUPP or EINVAL to
 * MODE SENSE. Anything else (a busy, broken or removed changer, a signal)
 * is not an answer about the page.
 */
static bool autoch_page_absent(int err)
{
	return err == -EOPNOTSUPP || err == -EINVAL;
}

/* ---- element map: MODE SENSE pages 1Dh, 1Eh, 1Fh ---- */

/*
 * Find mode page @page in a MODE SENSE(6) reply of which @avail bytes
 * arrived: a pointer to it and its length in *@plen, or -EIO. The page is
 * checked against the bytes the device said it returned, bounded by what
 * arrived.
 */
VISIBLE_IF_KUNIT int autoch_mode_page_find(u8 *buf, unsigned int avail, u8 page,
					   u8 **pagep, unsigned int *plen)
{
	unsigned int off;

	/* the 4-byte header: without it no page can follow */
	if (avail < 4)
		return -EIO;
	avail = min_t(unsigned int, buf[0] + 1, avail);
	off = 4 + buf[3];
	if (off + 2 > avail || (buf[off] & 0x3f) != page)
		return -EIO;
	*pagep = buf + off;
	*plen = min_t(unsigned int, buf[off + 1] + 2, avail - off);
	return 0;
}

/*
 * Read one mode page into @buf and return a pointer to it and its length
 * in *@plen, or an errno (autoch_mode_page_find()).
 */
static int autoch_mode_page(struct autoch_device *ach, struct autoch_file *af,
			    u8 page, u8 *buf, u8 **pagep, unsigned int *plen)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;

	cmd->cdb[0] = MODE_SENSE;
	cmd->cdb[1] = AUTOCH_MODE_SENSE_DBD;
	cmd->cdb[2] = page;
	cmd->cdb[4] = AUTOCH_MODE_BUF_LEN;
	cmd->cdb_len = 6;
	cmd->buf = buf;
	cmd->len = AUTOCH_MODE_BUF_LEN;
	cmd->timeout = READ_ONCE(autoch_cmd_timeout) * HZ;

	err = autoch_do_cmd(ach, af, cmd);
	if (!err)
		err = autoch_mode_page_find(buf, autoch_cmd_avail(cmd), page,
					    pagep, plen);
	kfree(cmd);
	return err;
}

int autoch_type_of(const struct autoch_range *range, u16 addr)
{
	int t;

	for (t = 0; t < AUTOCH_NTYPES; t++) {
		if (range[t].count && addr >= range[t].first &&
		    addr - range[t].first < range[t].count)
			return t + 1;
	}
	return 0;
}

/*
 * Page 1Dh (element address assignment) of @plen bytes: the four address
 * ranges into @range; -EIO when the page is too short or a range wraps.
 */
VISIBLE_IF_KUNIT int autoch_parse_page_1d(const u8 *pg, unsigned int plen,
					  struct autoch_range *range)
{
	static const u8 off[AUTOCH_NTYPES] = { 2, 6, 10, 14 };
	int t;

	if (plen < 18)
		return -EIO;
	for (t = 0; t < AUTOCH_NTYPES; t++) {
		range[t].first = get_unaligned_be16(pg + off[t]);
		range[t].count = get_unaligned_be16(pg + off[t] + 2);
		/* an address range cannot wrap around 65535 */
		if (range[t].first + range[t].count > 0x10000)
			return -EIO;
		range[t].desc_len = AUTOCH_DESC_GUESS;
	}
	return 0;
}

/*
 * Page 1Fh (device capabilities) of @plen bytes: what can be stored, moved
 * and exchanged; left as they are when the page is too short.
 */
VISIBLE_IF_KUNIT void autoch_parse_page_1f(const u8 *pg, unsigned int plen,
					   u8 *move_caps, u8 *exch_caps,
					   u8 *store_caps)
{
	int t;

	if (plen < 16)
		return;
	*store_caps = pg[2] & 0x0f;
	for (t = 0; t < AUTOCH_NTYPES; t++) {
		move_caps[t] = pg[4 + t] & 0x0f;
		exch_caps[t] = pg[12 + t] & 0x0f;
	}
}

/*
 * Page 1Eh (transport geometry) of @plen bytes: the bit of each of the
 * @count transports that can rotate is set in @rotate.
 */
VISIBLE_IF_KUNIT void autoch_parse_page_1e(const u8 *pg, unsigned int plen,
					   unsigned int count,
					   unsigned long *rotate)
{
	unsigned int i;

	for (i = 0; i < count && 2 + 2 * i < plen; i++)
		if (pg[2 + 2 * i] & 0x01)
			__set_bit(i, rotate);
}

void autoch_free_map(struct autoch_range *range, unsigned long *rotate)
{
	int t;

	for (t = 0; t < AUTOCH_NTYPES; t++)
		kvfree(range[t].elems);
	bitmap_free(rotate);
}

/*
 * Read the element map and capabilities and install them with a fresh
 * cache. Called with @io_lock held, so only one load runs at a time.
 * -EAGAIN when a unit attention dropped the map while it was read: what
 * was read may predate the change, so nothing is installed.
 *
 * Longer than 60 lines: three MODE SENSE pages read into locals that are
 * installed together or not at all; one unwinding frees whichever arrays
 * are not installed.
 */
static int autoch_load_map(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_range range[AUTOCH_NTYPES] = {};
	u8 move_caps[AUTOCH_NTYPES], exch_caps[AUTOCH_NTYPES], store_caps;
	unsigned long *rotate = NULL;
	unsigned int plen, gen;
	u8 *buf, *pg;
	int t, err;

	lockdep_assert_held(&ach->io_lock);

	buf = kzalloc(AUTOCH_MODE_BUF_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&ach->state_lock);
	gen = ach->map_gen;
	mutex_unlock(&ach->state_lock);

	/*
	 * Every changer has page 1Dh: a refusal (ILLEGAL REQUEST 24/00, 20/00
	 * ...) says nothing about the caller's arguments, it is the changer
	 * failing the call.
	 */
	err = autoch_mode_page(ach, af, AUTOCH_PAGE_ELEMENT_ADDRESS, buf, &pg, &plen);
	if (err == -EINVAL || err == -EOPNOTSUPP)
		err = -EIO;
	if (!err)
		err = autoch_parse_page_1d(pg, plen, range);
	if (err)
		goto out;

	/*
	 * Page 1Fh is optional: without it, let the device judge every
	 * move. Any other failure ends the load.
	 */
	memset(move_caps, 0xff, sizeof(move_caps));
	memset(exch_caps, 0xff, sizeof(exch_caps));
	store_caps = 0x0f;
	err = autoch_mode_page(ach, af, AUTOCH_PAGE_DEVICE_CAPS, buf, &pg, &plen);
	if (err && !autoch_page_absent(err))
		goto out;
	if (err)
		autoch_recovered(af);
	else
		autoch_parse_page_1f(pg, plen, move_caps, exch_caps, &store_caps);

	/* Page 1Eh is optional too: without it no transport rotates. */
	err = autoch_mode_page(ach, af, AUTOCH_PAGE_TRANSPORT_GEOMETRY,
			       buf, &pg, &plen);
	if (err && !autoch_page_absent(err))
		goto out;
	if (err)
		autoch_recovered(af);
	if (!err && range[0].count) {
		rotate = bitmap_zalloc(range[0].count, GFP_KERNEL);
		if (!rotate) {
			err = -ENOMEM;
			goto out;
		}
		autoch_parse_page_1e(pg, plen, range[0].count, rotate);
	}

	for (t = 0; t < AUTOCH_NTYPES; t++) {
		if (!range[t].count)
			continue;
		range[t].elems = kvcalloc(range[t].count,
					  sizeof(*range[t].elems), GFP_KERNEL);
		if (!range[t].elems) {
			err = -ENOMEM;
			goto out;
		}
	}

	mutex_lock(&ach->state_lock);
	if (ach->map_gen != gen) {
		mutex_unlock(&ach->state_lock);
		err = -EAGAIN;
		goto out;
	}
	swap(ach->rotate, rotate);
	for (t = 0; t < AUTOCH_NTYPES; t++)
		swap(ach->range[t], range[t]);
	memcpy(ach->move_caps, move_caps, sizeof(move_caps));
	memcpy(ach->exch_caps, exch_caps, sizeof(exch_caps));
	ach->store_caps = store_caps;
	ach->map_valid = true;
	ach->map_seq++;
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->state_lock);
	err = 0;
out:
	/* on success these are the old arrays, swapped out above */
	autoch_free_map(range, rotate);
	kfree(buf);
	return err;
}

/* Make sure the element map is loaded; returns with @state_lock held on success. */
int autoch_lock_map(struct autoch_device *ach, struct autoch_file *af)
{
	unsigned int loads = 0;
	bool valid;
	int err;

	mutex_lock(&ach->state_lock);
	/* a unit attention may drop the map again before we look */
	while (!ach->map_valid) {
		mutex_unlock(&ach->state_lock);
		if (mutex_lock_interruptible(&ach->io_lock))
			return -ERESTARTSYS;
		mutex_lock(&ach->state_lock);
		valid = ach->map_valid;
		mutex_unlock(&ach->state_lock);
		err = valid ? 0 : autoch_load_map(ach, af);
		mutex_unlock(&ach->io_lock);
		/* dropped while it was read: read it again, a few times */
		if (err == -EAGAIN && ++loads <= AUTOCH_UA_RETRIES)
			err = 0;
		if (err)
			return err == -EAGAIN ? -EIO : err;
		mutex_lock(&ach->state_lock);
	}
	return 0;
}

/* ---- READ ELEMENT STATUS ---- */

VISIBLE_IF_KUNIT bool autoch_voltag_blank(const u8 *tag)
{
	unsigned int i;

	/* SMC-3 6.12: the identifier is space padded; all spaces: no tag */
	for (i = 0; i < 32; i++)
		if (tag[i] != ' ' && tag[i] != '\0')
			return false;
	return true;
}

static void autoch_parse_voltag(u8 *dst, const u8 *src)
{
	if (autoch_voltag_blank(src))
		memset(dst, 0, AUTOCH_VOLTAG_LEN);
	else
		memcpy(dst, src, AUTOCH_VOLTAG_LEN);
}

/*
 * Decode one element descriptor of @dlen bytes. The tags are taken only
 * when the page says they are there and the descriptor is long enough to
 * hold them.
 */
VISIBLE_IF_KUNIT void autoch_parse_desc(struct autoch_elem *e, const u8 *d,
					unsigned int dlen, bool pvol, bool avol)
{
	unsigned int off = AUTOCH_DESC_MIN_LEN;

	memset(e, 0, sizeof(*e));
	e->flags = d[2];
	e->asc = d[4];
	e->ascq = d[5];
	e->id_flags = d[6];
	e->bus_addr = d[7];
	e->src_flags = d[9];
	e->src = get_unaligned_be16(d + 10);

	if (pvol) {
		if (off + AUTOCH_VOLTAG_LEN <= dlen)
			autoch_parse_voltag(e->pvoltag, d + off);
		off += AUTOCH_VOLTAG_LEN;
	}
	if (avol && off + AUTOCH_VOLTAG_LEN <= dlen)
		autoch_parse_voltag(e->avoltag, d + off);
}

/*
 * Parse a READ ELEMENT STATUS reply of @avail valid bytes: every page of
 * type @type, every complete descriptor, whatever order and count the
 * device chose. Descriptors inside the range are stored in the cache
 * under @gen (when the map is still @map_seq); the first one for @want is
 * also copied to @out. Addresses ascend (SMC-3 6.12): one that does not
 * (a zero-filled tail, a repeat) ends the report, so that it cannot
 * overwrite what was read of a lower address. Returns the number of
 * descriptors seen and the highest address seen in *@last, or -EIO for a
 * malformed reply.
 */
VISIBLE_IF_KUNIT int autoch_parse_res(struct autoch_device *ach, int type,
				      const u8 *buf, unsigned int avail,
				      unsigned int map_seq, u32 gen, u16 want,
				      struct autoch_elem *out, bool *found, u16 *last)
{
	unsigned int pos = AUTOCH_RES_HDR_LEN, pend, dlen, nseen = 0;
	struct autoch_range *r;
	struct autoch_elem e;
	bool pvol, avol;
	u16 addr;

	avail = min(avail, AUTOCH_RES_HDR_LEN + get_unaligned_be24(buf + 5));

	while (pos + AUTOCH_RES_PAGE_HDR_LEN <= avail) {
		const u8 *ph = buf + pos;

		pvol = ph[1] & 0x80;
		avol = ph[1] & 0x40;
		dlen = get_unaligned_be16(ph + 2);
		pos += AUTOCH_RES_PAGE_HDR_LEN;
		pend = min(avail, pos + get_unaligned_be24(ph + 5));
		if (dlen < AUTOCH_DESC_MIN_LEN)
			return -EIO;

		for (; pos + dlen <= pend; pos += dlen) {
			if ((ph[0] & 0x0f) != type)
				continue;
			addr = get_unaligned_be16(buf + pos);
			if (nseen && addr <= *last)
				return nseen;
			autoch_parse_desc(&e, buf + pos, dlen, pvol, avol);
			e.gen = gen;
			e.when = jiffies;
			if (addr == want && !*found) {
				*out = e;
				*found = true;
			}
			*last = addr;
			nseen++;

			mutex_lock(&ach->state_lock);
			r = &ach->range[type - 1];
			if (ach->map_seq == map_seq && r->elems &&
			    addr >= r->first && addr - r->first < r->count) {
				e.seq = ++ach->res_seq;
				r->elems[addr - r->first] = e;
				r->desc_len = dlen;
			}
			mutex_unlock(&ach->state_lock);
		}
		pos = max(pos, pend);
	}
	return nseen;
}

VISIBLE_IF_KUNIT void autoch_res_cdb(struct autoch_cmd *cmd, int type, bool voltag,
				     u16 start, u16 count, unsigned int alloc)
{
	memset(cmd->cdb, 0, sizeof(cmd->cdb));
	cmd->cdb[0] = READ_ELEMENT_STATUS;
	cmd->cdb[1] = (voltag ? AUTOCH_RES_VOLTAG : 0) | type;
	put_unaligned_be16(start, cmd->cdb + 2);
	put_unaligned_be16(count, cmd->cdb + 4);
	put_unaligned_be24(alloc, cmd->cdb + 7);
	cmd->cdb_len = 12;
}

/*
 * The allocation length of a READ ELEMENT STATUS that wants @want bytes,
 * within the host's @limit. Past 64 KiB it is a multiple of 64 KiB, so
 * that a changer reading only the low two bytes of it sees 0 and sends
 * nothing, which tells it apart from a changer that sent less than it
 * had; after such a changer has been seen (@alloc16), 65,535 at most.
 */
VISIBLE_IF_KUNIT unsigned int autoch_res_alloc(unsigned int want, bool alloc16,
					       unsigned int limit)
{
	if (want <= AUTOCH_RES_MAX_ALLOC16 || alloc16 ||
	    limit <= AUTOCH_RES_MAX_ALLOC16)
		return min3(want, limit, AUTOCH_RES_MAX_ALLOC16);
	return min3(round_up(want, SZ_64K), rounddown(limit, SZ_64K),
		    AUTOCH_RES_MAX_ALLOC);
}

/* A READ ELEMENT STATUS that succeeded but brought no report. */
VISIBLE_IF_KUNIT bool autoch_res_empty(const struct autoch_cmd *cmd)
{
	/* autoch_send() zeroed the buffer: a header that did not come reads 0 */
	return autoch_cmd_avail(cmd) < AUTOCH_RES_HDR_LEN ||
	       !get_unaligned_be24((u8 *)cmd->buf + 5);
}

/*
 * A reply to an allocation length past 64 KiB that a changer reading two
 * bytes of it would give: nothing at all (the length it saw is 0), or
 * INVALID FIELD IN CDB.
 */
VISIBLE_IF_KUNIT bool autoch_res_alloc16_reply(const struct autoch_cmd *cmd, int err)
{
	if (cmd->len <= AUTOCH_RES_MAX_ALLOC16)
		return false;
	if (err)
		return err == -EINVAL && cmd->sshdr.asc == 0x24;
	return autoch_res_empty(cmd);
}

/*
 * What one READ ELEMENT STATUS may bring through every path's host: into
 * a buffer in one piece (@contig), segments of the queue's largest
 * segment size; into a vmalloc'ed one, a page per segment.
 */
static unsigned int autoch_res_limit(struct autoch_device *ach, bool contig)
{
	unsigned int bytes, segs;

	autoch_queue_limits(ach, contig, &bytes, &segs);
	return min3(bytes, segs, AUTOCH_RES_MAX_ALLOC);
}

/*
 * The reply buffer of a READ ELEMENT STATUS that wants @want bytes and
 * its length in *@alloc (autoch_res_alloc()): in one piece when memory
 * allows, which the host takes in fewer segments, else vmalloc'ed and
 * as long as a page per segment allows.
 */
static void *autoch_res_buf(struct autoch_device *ach, unsigned int want,
			    bool alloc16, unsigned int *alloc)
{
	void *buf;

	*alloc = autoch_res_alloc(want, alloc16, autoch_res_limit(ach, true));
	buf = kmalloc(*alloc, GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY);
	if (buf)
		return buf;
	*alloc = autoch_res_alloc(want, alloc16, autoch_res_limit(ach, false));
	return kvmalloc(*alloc, GFP_KERNEL);
}

/*
 * A reply of @n descriptors to a READ ELEMENT STATUS for @count that the
 * changer cut short itself: its whole report arrived (the allocation
 * length and the host did not cut it) and it has fewer elements than
 * were asked for.
 */
VISIBLE_IF_KUNIT bool autoch_res_cut_short(const struct autoch_cmd *cmd,
					   unsigned int count, int n)
{
	const u8 *buf = cmd->buf;

	return n > 0 && n < count &&
	       AUTOCH_RES_HDR_LEN + get_unaligned_be24(buf + 5) <=
	       autoch_cmd_avail(cmd);
}

/*
 * Read the status of @addr and the elements after it into the cache and
 * copy the status of @addr to @out. A caller walking the elements (@addr
 * is the first of its type, or where the last read of the type ended)
 * gets every one of its type after it (AUTOCH_RES_MAX_ELEMS once the
 * changer was seen to need it), as many as the host can transfer in one
 * command; any other miss, AUTOCH_RES_MAX_ELEMS, so that one query
 * does not cost a whole library's report. Called with @io_lock held.
 *
 * Longer than 60 lines: the snapshot of the map taken under @state_lock, the
 * command and its three fallbacks (AUTOCH_RES_MAX_ELEMS elements, two-byte
 * allocation length, no VOLTAG) share one command buffer and one unwinding.
 */
static int autoch_read_status(struct autoch_device *ach, struct autoch_file *af,
			      u16 addr, struct autoch_elem *out)
{
	unsigned int map_seq, alloc, count, desc_len;
	struct autoch_range *r;
	struct autoch_cmd *cmd;
	bool voltag, alloc16, found = false;
	int type, err, n;
	u32 gen;
	u16 last;

	lockdep_assert_held(&ach->io_lock);

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;

	mutex_lock(&ach->state_lock);
	type = autoch_type_of(ach->range, addr);
	if (!type) {
		mutex_unlock(&ach->state_lock);
		err = -EINVAL;
		goto out;
	}
	r = &ach->range[type - 1];
	count = r->first + r->count - addr;
	desc_len = r->desc_len;
	if (addr != r->first && addr != r->next)
		count = min_t(unsigned int, count, AUTOCH_RES_MAX_ELEMS);
	map_seq = ach->map_seq;
	gen = ach->cache_gen;
	voltag = !test_bit(AUTOCH_QUIRK_NO_VOLTAG, &ach->quirks);
	alloc16 = test_bit(AUTOCH_QUIRK_ALLOC16, &ach->quirks);
	if (test_bit(AUTOCH_QUIRK_RES_CHUNK, &ach->quirks))
		count = min_t(unsigned int, count, AUTOCH_RES_MAX_ELEMS);
	mutex_unlock(&ach->state_lock);

	/*
	 * Every element asked for; a reply longer than the buffer is cut
	 * at the allocation length, and the next miss reads on from there.
	 */
	cmd->buf = autoch_res_buf(ach, AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN +
				  count * desc_len, alloc16, &alloc);
	if (!cmd->buf) {
		err = -ENOMEM;
		goto out;
	}
	/* The allocation length always equals the buffer: tgt insists. */
	cmd->len = alloc;
	cmd->timeout = READ_ONCE(autoch_cmd_timeout) * HZ;

	autoch_res_cdb(cmd, type, voltag, addr, count, cmd->len);
	err = autoch_do_cmd(ach, af, cmd);
	if (err == -EINVAL && cmd->sshdr.asc == 0x24 &&
	    count > AUTOCH_RES_MAX_ELEMS) {
		/* Some changers refuse more elements: ask for fewer, remember it. */
		autoch_recovered(af);
		count = AUTOCH_RES_MAX_ELEMS;
		autoch_res_cdb(cmd, type, voltag, addr, count, cmd->len);
		err = autoch_do_cmd(ach, af, cmd);
		if (!err && !autoch_res_empty(cmd) &&
		    !test_and_set_bit(AUTOCH_QUIRK_RES_CHUNK, &ach->quirks))
			dev_info(&ach->dev, "READ ELEMENT STATUS for more than %u elements was refused, asking for at most that\n",
				 AUTOCH_RES_MAX_ELEMS);
	}
	if (autoch_res_alloc16_reply(cmd, err)) {
		/* Ask again within two bytes; remember it if that works. */
		autoch_recovered(af);
		cmd->len = AUTOCH_RES_MAX_ALLOC16;
		autoch_res_cdb(cmd, type, voltag, addr, count, cmd->len);
		err = autoch_do_cmd(ach, af, cmd);
		if (!err && !autoch_res_empty(cmd)) {
			dev_info(&ach->dev, "READ ELEMENT STATUS past %u bytes was refused or came back empty, asking for at most that\n",
				 AUTOCH_RES_MAX_ALLOC16);
			set_bit(AUTOCH_QUIRK_ALLOC16, &ach->quirks);
		}
	}
	if (err == -EINVAL && voltag && cmd->sshdr.asc == 0x24) {
		/* Some changers refuse VOLTAG: ask without, remember it. */
		dev_info(&ach->dev, "changer refused volume tags, reading without\n");
		set_bit(AUTOCH_QUIRK_NO_VOLTAG, &ach->quirks);
		autoch_recovered(af);
		autoch_res_cdb(cmd, type, false, addr, count, cmd->len);
		err = autoch_do_cmd(ach, af, cmd);
	}
	if (err)
		goto out_buf;

	/*
	 * Trust the reply's own byte counts, bounded by what arrived: some
	 * transports report no residual, so autoch_send() zeroed the buffer.
	 */
	n = autoch_parse_res(ach, type, cmd->buf, autoch_cmd_avail(cmd),
			     map_seq, gen, addr, out, &found, &last);
	if (n < 0) {
		err = n;
		goto out_buf;
	}
	mutex_lock(&ach->state_lock);
	if (n && ach->map_seq == map_seq)
		ach->range[type - 1].next = (u32)last + 1;
	mutex_unlock(&ach->state_lock);
	/* Some cut a long report short: ask for fewer from now on. */
	if (count > AUTOCH_RES_MAX_ELEMS && autoch_res_cut_short(cmd, count, n) &&
	    !test_and_set_bit(AUTOCH_QUIRK_RES_CHUNK, &ach->quirks))
		dev_info(&ach->dev, "READ ELEMENT STATUS for %u elements reported %d, asking for at most %u\n",
			 count, n, AUTOCH_RES_MAX_ELEMS);
	if (!found) {
		dev_dbg(&ach->dev, "no descriptor for element %u in %d\n", addr, n);
		err = -EIO;
	}
out_buf:
	kvfree(cmd->buf);
out:
	kfree(cmd);
	return err;
}

/*
 * An entry is fresh when no unit attention came since it was read and it
 * is younger than cache_ms, or when it was read during the call asking
 * (stored as @since or later, when that is not 0: a sequence number, not
 * a time, so that an entry an earlier call read in the same jiffy is not
 * taken for this call's): one call never reads the same chunk twice,
 * even with the cache disabled.
 */
static bool autoch_elem_fresh(struct autoch_device *ach,
			      const struct autoch_elem *e, u64 since)
{
	unsigned int ms = READ_ONCE(autoch_cache_ms);

	lockdep_assert_held(&ach->state_lock);
	if (e->gen != ach->cache_gen)
		return false;
	if (since && e->seq >= since)
		return true;
	return ms && time_before(jiffies, e->when + msecs_to_jiffies(ms));
}

/*
 * The status of one element, from the cache when it is fresh; @since as
 * for autoch_elem_fresh().
 */
int autoch_get_status(struct autoch_device *ach, struct autoch_file *af,
		      u16 addr, u64 since,
		      struct autoch_elem *out, int *typep)
{
	struct autoch_range *r;
	int type, err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	type = autoch_type_of(ach->range, addr);
	if (!type) {
		mutex_unlock(&ach->state_lock);
		return -EINVAL;
	}
	*typep = type;
	r = &ach->range[type - 1];
	if (autoch_elem_fresh(ach, &r->elems[addr - r->first], since)) {
		*out = r->elems[addr - r->first];
		mutex_unlock(&ach->state_lock);
		return 0;
	}
	mutex_unlock(&ach->state_lock);

	if (mutex_lock_interruptible(&ach->io_lock))
		return -ERESTARTSYS;

	/* Someone may have read it while we waited for the lock. */
	mutex_lock(&ach->state_lock);
	err = -EAGAIN;
	if (ach->map_valid && autoch_type_of(ach->range, addr) == type) {
		r = &ach->range[type - 1];
		if (autoch_elem_fresh(ach, &r->elems[addr - r->first],
				      since)) {
			*out = r->elems[addr - r->first];
			err = 0;
		}
	}
	mutex_unlock(&ach->state_lock);

	if (err == -EAGAIN)
		err = autoch_read_status(ach, af, addr, out);
	mutex_unlock(&ach->io_lock);
	return err;
}

void autoch_fill_status(struct element_status *es, u16 addr, int type,
			const struct autoch_elem *e)
{
	memset(es, 0, sizeof(*es));
	es->element = addr;
	es->full = !!(e->flags & 0x01);
	es->operator = !!(e->flags & 0x02);
	es->except = !!(e->flags & 0x04);
	es->access = !!(e->flags & 0x08);
	es->export_enable = !!(e->flags & 0x10);
	es->import_enable = !!(e->flags & 0x20);
	es->sense_code = e->asc;
	es->sense_qualifier = e->ascq;
	/* SMC-3 6.12.4: bytes 6-7 are defined for data transfer elements only */
	if (type == AUTOCH_DT) {
		es->not_bus = !!(e->id_flags & 0x80);
		es->id_valid = !!(e->id_flags & 0x20);
		es->lu_valid = !!(e->id_flags & 0x10);
		if (es->lu_valid)
			es->lun = e->id_flags & 0x07;
		if (es->id_valid)
			es->bus_address = e->bus_addr;
	}
	es->source_valid = !!(e->src_flags & 0x80);
	es->invert = !!(e->src_flags & 0x40);
	if (es->source_valid)
		es->source_element = e->src;
	memcpy(es->pri_vol_tag, e->pvoltag, sizeof(es->pri_vol_tag));
	memcpy(es->alt_vol_tag, e->avoltag, sizeof(es->alt_vol_tag));
}

/*
 * Check a move or exchange leg against the element map and page 1Fh;
 * called with @state_lock held and the map loaded.
 */
bool autoch_leg_ok(struct autoch_device *ach, const u8 *caps,
		   u16 from, u16 to)
{
	int ft = autoch_type_of(ach->range, from);
	int tt = autoch_type_of(ach->range, to);

	lockdep_assert_held(&ach->state_lock);
	return ft && tt && (caps[ft - 1] & BIT(tt - 1));
}

bool autoch_transport_ok(struct autoch_device *ach, u16 transport,
			 bool invert)
{
	const struct autoch_range *mt = &ach->range[AUTOCH_MT - 1];

	lockdep_assert_held(&ach->state_lock);
	if (autoch_type_of(ach->range, transport) != AUTOCH_MT)
		return false;
	/* page 1Eh: only a transport that can rotate may invert */
	return !invert ||
	       (ach->rotate && test_bit(transport - mt->first, ach->rotate));
}

/*
 * Decode the DVCID reply for @addr, of @avail bytes that arrived, into @id:
 * the first descriptor of the first page must be the element. The
 * identifier follows the volume tags the page header says are there
 * (SMC-3 6.12.3), asked for or not.
 */
VISIBLE_IF_KUNIT int autoch_parse_drive_id(const u8 *buf, unsigned int avail,
					   u16 addr, struct autoch_drive_id *id)
{
	unsigned int pos, dlen, idlen, off = AUTOCH_DESC_MIN_LEN;
	const u8 *ph = buf + AUTOCH_RES_HDR_LEN;

	avail = min(avail, AUTOCH_RES_HDR_LEN + get_unaligned_be24(buf + 5));
	pos = AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN;
	if (pos > avail)
		return -EIO;
	dlen = get_unaligned_be16(ph + 2);
	if (dlen < AUTOCH_DESC_MIN_LEN || pos + dlen > avail ||
	    get_unaligned_be16(buf + pos) != addr)
		return -EIO;
	id->element = addr;
	if (ph[1] & 0x80)	/* PVolTag */
		off += AUTOCH_VOLTAG_LEN;
	if (ph[1] & 0x40)	/* AVolTag */
		off += AUTOCH_VOLTAG_LEN;
	/* SMC-3 6.12.4: code set, identifier type, length, identifier */
	if (dlen >= off + 4) {
		const u8 *d = buf + pos + off;

		idlen = min_t(unsigned int, d[3], dlen - off - 4);
		idlen = min_t(unsigned int, idlen, sizeof(id->id));
		id->code_set = d[0] & 0x0f;
		id->id_type = d[1] & 0x0f;
		id->id_len = idlen;
		memcpy(id->id, d + 4, idlen);
	}
	return 0;
}

/*
 * The identifiers in a READ ELEMENT STATUS reply of @avail bytes (with
 * DVCID, any VOLTAG) of the drives among @n from element @first into
 * @ids: the descriptors walked as the reply's pages lay them out (SMC-3
 * 6.12.2-6.12.4).
 */
static void autoch_parse_drive_ids(const u8 *buf, unsigned int avail,
				   u16 first, unsigned int n,
				   struct autoch_drive_id *ids)
{
	unsigned int pos, end, dlen, off, plen;
	struct autoch_drive_id *id;
	const u8 *ph, *d;
	u16 addr;

	/* each page: its header, then descriptors of dlen bytes */
	for (pos = AUTOCH_RES_HDR_LEN;
	     pos + AUTOCH_RES_PAGE_HDR_LEN <= avail; pos = end) {
		ph = buf + pos;
		dlen = get_unaligned_be16(ph + 2);
		plen = get_unaligned_be24(ph + 5);
		end = min(avail, pos + AUTOCH_RES_PAGE_HDR_LEN + plen);
		if (dlen < AUTOCH_DESC_MIN_LEN)
			break;
		off = AUTOCH_DESC_MIN_LEN;
		if (ph[1] & 0x80)	/* PVolTag */
			off += AUTOCH_VOLTAG_LEN;
		if (ph[1] & 0x40)	/* AVolTag */
			off += AUTOCH_VOLTAG_LEN;
		for (d = ph + AUTOCH_RES_PAGE_HDR_LEN;
		     d + dlen <= buf + end; d += dlen) {
			addr = get_unaligned_be16(d);
			if ((ph[0] & 0x0f) != AUTOCH_DT ||
			    addr < first || addr - first >= n ||
			    dlen < off + 4)
				continue;
			id = &ids[addr - first];
			id->element = addr;
			id->code_set = d[off] & 0x0f;
			id->id_type = d[off + 1] & 0x0f;
			id->id_len = min3((unsigned int)d[off + 3],
					  dlen - off - 4,
					  (unsigned int)sizeof(id->id));
			memcpy(id->id, d + off + 4, id->id_len);
		}
		if (end <= pos + AUTOCH_RES_PAGE_HDR_LEN)
			break;
	}
}

/*
 * The identifiers of the @n drives from element @first, in as few READ
 * ELEMENT STATUS as fit 64 KiB replies (one for up to 255 drives), with
 * DVCID and without VOLTAG: @ids[i] for element @first + i, id_len 0 for
 * a drive the changer reports no identifier for (or not at all).
 */
int autoch_read_drive_ids(struct autoch_device *ach, u16 first,
			  unsigned int n, struct autoch_drive_id *ids)
{
	const unsigned int per = (AUTOCH_RES_MAX_ALLOC16 - AUTOCH_RES_HDR_LEN -
				  AUTOCH_RES_PAGE_HDR_LEN) / 256;
	unsigned int done, count, avail;
	struct autoch_cmd *cmd;
	u8 *buf;
	int err = 0;

	memset(ids, 0, n * sizeof(*ids));
	if (test_bit(AUTOCH_QUIRK_NO_DVCID, &ach->quirks))
		return -EOPNOTSUPP;
	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	buf = kvmalloc(AUTOCH_RES_MAX_ALLOC16, GFP_KERNEL);
	if (!cmd || !buf) {
		err = -ENOMEM;
		goto out;
	}
	for (done = 0; done < n && !err; done += count) {
		count = min(n - done, per);
		cmd->buf = buf;
		cmd->len = min(AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN +
			       count * 256, autoch_xfer_max(ach));
		cmd->timeout = READ_ONCE(autoch_cmd_timeout) * HZ;
		autoch_res_cdb(cmd, AUTOCH_DT, false, first + done, count,
			       cmd->len);
		cmd->cdb[6] = AUTOCH_RES_DVCID;
		err = autoch_do_cmd(ach, NULL, cmd);
		if (err == -EINVAL && cmd->sshdr.asc == 0x24) {
			set_bit(AUTOCH_QUIRK_NO_DVCID, &ach->quirks);
			err = -EOPNOTSUPP;
		}
		if (err)
			break;
		avail = autoch_cmd_avail(cmd);
		if (avail < AUTOCH_RES_HDR_LEN)
			break;
		avail = min(avail, AUTOCH_RES_HDR_LEN +
			    get_unaligned_be24(buf + 5));
		autoch_parse_drive_ids(buf, avail, first, n, ids);
	}
out:
	kvfree(buf);
	kfree(cmd);
	return err;
}

/*
 * The drive identifier of a data transfer element: a READ ELEMENT STATUS
 * of its own with DVCID and without VOLTAG, since some changers refuse
 * the two together (and some refuse DVCID altogether: remembered until
 * the next reset).
 */
int autoch_read_drive_id(struct autoch_device *ach,
			 struct autoch_file *af, u16 addr,
			 struct autoch_drive_id *id)
{
	struct autoch_cmd *cmd;
	bool no_dvcid;
	u8 *buf;
	int err;

	memset(id, 0, sizeof(*id));
	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	err = autoch_type_of(ach->range, addr) == AUTOCH_DT ? 0 : -EINVAL;
	no_dvcid = test_bit(AUTOCH_QUIRK_NO_DVCID, &ach->quirks);
	mutex_unlock(&ach->state_lock);
	if (err)
		return err;
	if (no_dvcid)
		return -EOPNOTSUPP;

	cmd = kzalloc_obj(*cmd, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	buf = kzalloc(AUTOCH_DVCID_BUF_LEN, GFP_KERNEL);
	if (!buf) {
		kfree(cmd);
		return -ENOMEM;
	}
	autoch_res_cdb(cmd, AUTOCH_DT, false, addr, 1, AUTOCH_DVCID_BUF_LEN);
	cmd->cdb[6] = AUTOCH_RES_DVCID;
	cmd->buf = buf;
	cmd->len = AUTOCH_DVCID_BUF_LEN;
	cmd->timeout = READ_ONCE(autoch_cmd_timeout) * HZ;
	err = autoch_do_cmd(ach, af, cmd);
	if (err == -EINVAL && cmd->sshdr.asc == 0x24) {
		set_bit(AUTOCH_QUIRK_NO_DVCID, &ach->quirks);
		err = -EOPNOTSUPP;
	}
	if (err)
		goto out;

	err = autoch_parse_drive_id(buf, autoch_cmd_avail(cmd), addr, id);
out:
	kfree(buf);
	kfree(cmd);
	return err;
}
