// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: the test control interface, /sys/kernel/debug/autoch_emul/
 * (fault, counters, event, state, malformed, lost, path; syntax in README.md),
 * one directory per library: autoch_emul, then autoch_emul1, ... Each
 * file's inode carries its library (i_private).
 *
 * Writes are parsed in process context and applied under the state lock;
 * reads take a snapshot under it and format it outside.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <scsi/scsi_status.h>

#include "emul.h"

#define EMUL_CTL_MAX	4096

/*
 * The open and file_operations of a control file that reads as a
 * seq_file (@show) and is written with emul_NAME_write().
 */
#define EMUL_CTL_FOPS(name, show)					\
static int emul_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, show, inode->i_private);		\
}									\
									\
static const struct file_operations emul_##name##_fops = {		\
	.owner = THIS_MODULE,						\
	.open = emul_##name##_open,					\
	.read = seq_read,						\
	.llseek = seq_lseek,						\
	.release = single_release,					\
	.write = emul_##name##_write,					\
}

/* The library a control file belongs to. */
static struct emul_state *emul_file_lib(struct file *file)
{
	return file_inode(file)->i_private;
}

static const char *const emul_fault_names[EMUL_FAULT_NR] = {
	[EMUL_FAULT_NONE] = "none",
	[EMUL_FAULT_TIMEOUT] = "timeout",
	[EMUL_FAULT_BUSY] = "busy",
	[EMUL_FAULT_TSF] = "tsf",
	[EMUL_FAULT_CONFLICT] = "conflict",
	[EMUL_FAULT_SENSE] = "sense",
	[EMUL_FAULT_NOSENSE] = "nosense",
	[EMUL_FAULT_SHORT] = "short",
	[EMUL_FAULT_HOSTRESET] = "hostreset",
	[EMUL_FAULT_DID] = "did",
	[EMUL_FAULT_REMOVE] = "remove",
	[EMUL_FAULT_DELAY] = "delay",
};

static const char *const emul_mal_names[EMUL_MAL_NR] = {
	[EMUL_MAL_NONE] = "none",
	[EMUL_MAL_TRUNCATED] = "truncated",
	[EMUL_MAL_OVERSIZED] = "oversized",
	[EMUL_MAL_DESCLEN0] = "desclen0",
	[EMUL_MAL_COUNTS] = "counts",
	[EMUL_MAL_PAGETYPE] = "pagetype",
	[EMUL_MAL_RANDOM] = "random",
};

static const struct {
	const char *name;
	u8 did;
} emul_did_names[] = {
	{ "no_connect", DID_NO_CONNECT },
	{ "bus_busy", DID_BUS_BUSY },
	{ "time_out", DID_TIME_OUT },
	{ "bad_target", DID_BAD_TARGET },
	{ "abort", DID_ABORT },
	{ "parity", DID_PARITY },
	{ "error", DID_ERROR },
	{ "reset", DID_RESET },
	{ "soft_error", DID_SOFT_ERROR },
	{ "imm_retry", DID_IMM_RETRY },
	{ "requeue", DID_REQUEUE },
	{ "transport_disrupted", DID_TRANSPORT_DISRUPTED },
	{ "transport_failfast", DID_TRANSPORT_FAILFAST },
};

/* Copy a user write into a NUL-terminated kernel string. */
static char *emul_ctl_input(const char __user *ubuf, size_t len)
{
	if (len >= EMUL_CTL_MAX)
		return ERR_PTR(-EINVAL);
	return memdup_user_nul(ubuf, len);
}

/* The words of an "event" or "path" write; NULL past the last. */
struct emul_ctl_words {
	char *what;
	char *arg;
	char *arg2;
	char *arg3;
};

/*
 * A control write's first four words into @w (a fifth and on are
 * ignored); returns the buffer they point into, for kfree(), or an
 * ERR_PTR.
 */
static char *emul_ctl_words(const char __user *ubuf, size_t len,
			    struct emul_ctl_words *w)
{
	char **word[] = { &w->what, &w->arg, &w->arg2, &w->arg3 };
	char *buf = emul_ctl_input(ubuf, len);
	unsigned int i;
	char *p;

	if (IS_ERR(buf))
		return buf;
	p = strim(buf);
	for (i = 0; i < ARRAY_SIZE(word); i++)
		*word[i] = p ? strsep(&p, " \t") : NULL;
	return buf;
}

/*
 * The index of @s among @names[1..@n-1] (0 being "none", never taken),
 * else @cur.
 */
static unsigned int emul_name_index(const char *const *names, unsigned int n,
				    const char *s, unsigned int cur)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (!strcmp(s, names[i]))
			cur = i;
	return cur;
}

static int emul_hex_u8(const char *s, u8 *v)
{
	return kstrtou8(s, 16, v);
}

/* The host byte named @s (emul_did_names); -EINVAL if none is. */
static int emul_did_name(const char *s, u8 *did)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(emul_did_names); i++) {
		if (!strcmp(s, emul_did_names[i].name)) {
			*did = emul_did_names[i].did;
			return 0;
		}
	}
	return -EINVAL;
}

/* A host byte by name or number. */
static int emul_parse_did(const char *s, u8 *did)
{
	return emul_did_name(s, did) ? kstrtou8(s, 0, did) : 0;
}

static int emul_parse_fault(char *line, struct emul_fault *f)
{
	char *tok, *val;
	int err = 0;

	memset(f, 0, sizeof(*f));
	f->any_op = true;
	f->host = -1;
	f->count = 1;
	f->key = 0x04;		/* HARDWARE ERROR 44/00 unless told */
	f->asc = 0x44;
	f->did = DID_ERROR;
	f->ms = 1000;

	while ((tok = strsep(&line, " \t")) && !err) {
		if (!*tok)
			continue;
		val = strchr(tok, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(tok, "opcode")) {
			f->any_op = !strcmp(val, "any");
			if (!f->any_op)
				err = emul_hex_u8(val, &f->opcode);
		} else if (!strcmp(tok, "host")) {
			if (strcmp(val, "any"))
				err = kstrtoint(val, 0, &f->host);
			if (!err && f->host >= EMUL_MAX_HOSTS)
				err = -EINVAL;
		} else if (!strcmp(tok, "count")) {
			err = kstrtou32(val, 0, &f->count);
		} else if (!strcmp(tok, "skip")) {
			err = kstrtou32(val, 0, &f->skip);
		} else if (!strcmp(tok, "key")) {
			err = emul_hex_u8(val, &f->key);
			if (!err && f->key > 0x0f)
				err = -EINVAL;
		} else if (!strcmp(tok, "asc")) {
			err = emul_hex_u8(val, &f->asc);
		} else if (!strcmp(tok, "ascq")) {
			err = emul_hex_u8(val, &f->ascq);
		} else if (!strcmp(tok, "deferred")) {
			err = kstrtobool(val, &f->deferred);
		} else if (!strcmp(tok, "did")) {
			err = emul_parse_did(val, &f->did);
		} else if (!strcmp(tok, "bytes")) {
			err = kstrtou32(val, 0, &f->bytes);
		} else if (!strcmp(tok, "ms")) {
			err = kstrtou32(val, 0, &f->ms);
			/* as long as a command may wait: the driver's timeout */
			if (!err && f->ms > 600000)
				err = -EINVAL;
		} else if (!strcmp(tok, "fault")) {
			f->kind = emul_name_index(emul_fault_names,
						  EMUL_FAULT_NR, val, f->kind);
			if (f->kind == EMUL_FAULT_NONE)
				err = -EINVAL;
		} else {
			err = -EINVAL;
		}
	}
	if (!err && f->kind == EMUL_FAULT_NONE)
		err = -EINVAL;
	return err;
}

static ssize_t emul_fault_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct emul_state *st = emul_file_lib(file);
	char *buf, *p, *line;
	struct emul_fault f;
	unsigned long flags;
	int err = 0;

	buf = emul_ctl_input(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = buf;
	while ((line = strsep(&p, "\n")) && !err) {
		line = strim(line);
		if (!*line)
			continue;
		if (!strcmp(line, "clear")) {
			spin_lock_irqsave(&st->lock, flags);
			st->nfaults = 0;
			spin_unlock_irqrestore(&st->lock, flags);
			continue;
		}
		err = emul_parse_fault(line, &f);
		if (err)
			break;
		spin_lock_irqsave(&st->lock, flags);
		if (st->nfaults < EMUL_MAX_FAULTS)
			st->faults[st->nfaults++] = f;
		else
			err = -ENOSPC;
		spin_unlock_irqrestore(&st->lock, flags);
	}
	kfree(buf);
	return err ? err : len;
}

static int emul_fault_show(struct seq_file *m, void *v)
{
	struct emul_fault faults[EMUL_MAX_FAULTS], *f;
	struct emul_state *st = m->private;
	unsigned int i, n;
	unsigned long flags;

	spin_lock_irqsave(&st->lock, flags);
	n = st->nfaults;
	memcpy(faults, st->faults, n * sizeof(*f));
	spin_unlock_irqrestore(&st->lock, flags);

	for (i = 0; i < n; i++) {
		f = &faults[i];
		if (f->any_op)
			seq_puts(m, "opcode=any");
		else
			seq_printf(m, "opcode=%02x", f->opcode);
		if (f->host < 0)
			seq_puts(m, " host=any");
		else
			seq_printf(m, " host=%d", f->host);
		seq_printf(m, " skip=%u count=%u fault=%s", f->skip, f->count,
			   emul_fault_names[f->kind]);
		if (f->kind == EMUL_FAULT_SENSE)
			seq_printf(m, " key=%x asc=%02x ascq=%02x%s", f->key,
				   f->asc, f->ascq,
				   f->deferred ? " deferred=1" : "");
		if (f->kind == EMUL_FAULT_DID)
			seq_printf(m, " did=%#x", f->did);
		if (f->kind == EMUL_FAULT_SHORT)
			seq_printf(m, " bytes=%u", f->bytes);
		if (f->kind == EMUL_FAULT_DELAY)
			seq_printf(m, " ms=%u", f->ms);
		seq_printf(m, " hits=%u\n", f->hits);
	}
	return 0;
}

EMUL_CTL_FOPS(fault, emul_fault_show);

/* "opcode total host0 [host1]", one line per opcode received. */
static int emul_counters_show(struct seq_file *m, void *v)
{
	struct emul_state *st = m->private;
	u64 (*c)[256];
	unsigned long flags;
	unsigned int op, h;
	u64 total;

	c = kmalloc_array(EMUL_MAX_HOSTS, sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	spin_lock_irqsave(&st->lock, flags);
	memcpy(c, st->counters, sizeof(st->counters));
	spin_unlock_irqrestore(&st->lock, flags);

	for (op = 0; op < 256; op++) {
		for (total = 0, h = 0; h < st->nhosts; h++)
			total += c[h][op];
		if (!total)
			continue;
		seq_printf(m, "%02x %llu", op, total);
		for (h = 0; h < st->nhosts; h++)
			seq_printf(m, " %llu", c[h][op]);
		seq_putc(m, '\n');
	}
	kfree(c);
	return 0;
}

/*
 * A write of "0" to a table of counts (@what, @size bytes) clears it,
 * under the state lock; anything else is EINVAL.
 */
static ssize_t emul_ctl_zero(struct emul_state *st, const char __user *ubuf,
			     size_t len, void *what, size_t size)
{
	unsigned long flags;
	char *buf;
	int err = 0;

	buf = emul_ctl_input(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (strcmp(strim(buf), "0")) {
		err = -EINVAL;
	} else {
		spin_lock_irqsave(&st->lock, flags);
		memset(what, 0, size);
		spin_unlock_irqrestore(&st->lock, flags);
	}
	kfree(buf);
	return err ? err : len;
}

static ssize_t emul_counters_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct emul_state *st = emul_file_lib(file);

	return emul_ctl_zero(st, ubuf, len, st->counters, sizeof(st->counters));
}

EMUL_CTL_FOPS(counters, emul_counters_show);

/* "opcode count" of the commands a removal failed in flight. */
static int emul_lost_show(struct seq_file *m, void *v)
{
	struct emul_state *st = m->private;
	unsigned long flags;
	unsigned int op;
	u64 *lost;

	lost = kmalloc_array(256, sizeof(*lost), GFP_KERNEL);
	if (!lost)
		return -ENOMEM;
	spin_lock_irqsave(&st->lock, flags);
	memcpy(lost, st->lost, sizeof(st->lost));
	spin_unlock_irqrestore(&st->lock, flags);
	for (op = 0; op < 256; op++)
		if (lost[op])
			seq_printf(m, "%02x %llu\n", op, lost[op]);
	kfree(lost);
	return 0;
}

static ssize_t emul_lost_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct emul_state *st = emul_file_lib(file);

	return emul_ctl_zero(st, ubuf, len, st->lost, sizeof(st->lost));
}

EMUL_CTL_FOPS(lost, emul_lost_show);

static bool emul_barcode_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > EMUL_TAG_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isgraph(s[i]))
			return false;
	return true;
}

/* "except ADDR ASCASCQ" (4 hex digits) sets Except, "except ADDR off" clears it. */
static int emul_event_except(struct emul_elem *e, const char *arg)
{
	u16 code;

	if (!arg)
		return -EINVAL;
	if (!strcmp(arg, "off")) {
		e->except = false;
		e->asc = 0;
		e->ascq = 0;
		return 0;
	}
	if (strlen(arg) != 4 || kstrtou16(arg, 16, &code))
		return -EINVAL;
	e->except = true;
	e->asc = code >> 8;
	e->ascq = code & 0xff;
	return 0;
}

/* "enable ADDR none|in|out|both": InEnab and ExEnab of an i/e element. */
static int emul_event_enable(struct emul_elem *e, const char *arg)
{
	static const char *const names[] = { "none", "out", "in", "both" };
	unsigned int i;

	if (!arg || e->type != EMUL_IE)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(arg, names[i])) {
			e->ie_enab = i << 4;	/* ExEnab 0x10, InEnab 0x20 */
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * "drive ADDR N [quiet]": data transfer element ADDR now holds drive N
 * (the number its identifier carries), as after a drive was replaced (a
 * new N) or moved from another element. A library reports NOT READY TO
 * READY CHANGE, MEDIUM MAY HAVE CHANGED (28/00) to every initiator when
 * its door closes after such a service; "quiet" raises nothing, as a
 * change made behind the initiators' backs.
 */
static int emul_event_drive(struct emul_state *st, const char *addr_s,
			    const char *n_s, const char *how)
{
	struct emul_elem *e;
	u16 addr;
	u32 n;

	lockdep_assert_held(&st->lock);
	if (!addr_s || !n_s || kstrtou16(addr_s, 0, &addr) ||
	    kstrtou32(n_s, 0, &n) || !n || n >= 100000 ||
	    (how && strcmp(how, "quiet")))
		return -EINVAL;
	e = emul_elem(st, addr);
	if (!e || e->type != EMUL_DT)
		return -EINVAL;
	e->ident = n;
	if (!how)
		emul_raise_ua(st, -1, EMUL_UA_MEDIUM);
	return 0;
}

/*
 * An operator event (not remove/add) under the lock; 0 or an errno. One
 * branch per event of README.md's list, hence the length.
 */
static int emul_event_locked(struct emul_state *st, char *what, char *arg,
			     char *arg2, char *arg3)
{
	enum emul_ua ua = EMUL_UA_MEDIUM;
	struct emul_elem *e;
	unsigned int mag;
	u16 addr;

	lockdep_assert_held(&st->lock);
	if (!strcmp(what, "reset")) {
		emul_power_on(st);
		return 0;
	}
	if (!arg)
		return -EINVAL;
	if (sscanf(what, "magazine%u", &mag) == 1) {
		if (mag >= st->nmags)
			return -ENODEV;
		if (!strcmp(arg, "out")) {
			if (emul_removal_prevented(st))
				return -EBUSY;
			/* its slots report Access 0 until it is back */
			st->mag_out[mag] = true;
			return 0;
		} else if (!strcmp(arg, "in")) {
			st->mag_out[mag] = false;
		} else {
			return -EINVAL;
		}
	} else if (!strcmp(what, "door")) {
		if (!strcmp(arg, "open")) {
			if (emul_removal_prevented(st))
				return -EBUSY;
			/* the robot stops: NOT READY 04/03 until closed */
			st->door_open = true;
			return 0;
		} else if (!strcmp(arg, "close")) {
			st->door_open = false;
		} else {
			return -EINVAL;
		}
	} else if (!strcmp(what, "drive")) {
		return emul_event_drive(st, arg, arg2, arg3);
	} else if (!strcmp(what, "noid")) {
		/* the drive's identifier: none (on) or its own (off) */
		if (!arg || !arg2 || kstrtou16(arg, 0, &addr))
			return -EINVAL;
		e = emul_elem(st, addr);
		if (!e || e->type != EMUL_DT ||
		    (strcmp(arg2, "on") && strcmp(arg2, "off")))
			return -EINVAL;
		e->noid = !strcmp(arg2, "on");
		return 0;
	} else if (!strcmp(what, "except") || !strcmp(what, "enable")) {
		/* the element's state as READ ELEMENT STATUS reports it */
		if (kstrtou16(arg, 0, &addr))
			return -EINVAL;
		e = emul_elem(st, addr);
		if (!e)
			return -EINVAL;
		return strcmp(what, "except") ? emul_event_enable(e, arg2) :
						emul_event_except(e, arg2);
	} else if (!strcmp(what, "import") || !strcmp(what, "take")) {
		ua = EMUL_UA_IE_ACCESSED;
		if (kstrtou16(arg, 0, &addr))
			return -EINVAL;
		e = emul_elem(st, addr);
		if (!e || e->type != EMUL_IE)
			return -EINVAL;
		if (!strcmp(what, "take")) {
			if (!e->full)
				return -ENOENT;
			if (emul_removal_prevented(st))
				return -EBUSY;
			e->full = false;
			e->svalid = false;
			e->impexp = false;
			memset(e->tag, 0, sizeof(e->tag));
			memset(e->alt, 0, sizeof(e->alt));
		} else {
			if (!arg2 || !emul_barcode_ok(arg2))
				return -EINVAL;
			if (e->full)
				return -EEXIST;
			e->full = true;
			e->svalid = false;
			e->impexp = true;
			e->invert = false;
			/* tgt: a cartridge from outside has no tape image */
			e->image = st->profile != EMUL_TGT;
			strscpy(e->tag, arg2, sizeof(e->tag));
			memset(e->alt, 0, sizeof(e->alt));
		}
	} else {
		return -EINVAL;
	}
	/*
	 * For every initiator: the operator opened the door or changed a
	 * magazine, NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED
	 * (28/00); the operator used a mail slot, IMPORT OR EXPORT ELEMENT
	 * ACCESSED (28/01), the code SPC-4 4.5.6 (table of ASC and ASCQ
	 * assignments) gives media changers for an import/export element
	 * the operator accessed, as SMC-3 describes for its import/export
	 * elements.
	 */
	emul_raise_ua(st, -1, ua);
	return 0;
}

/* "tape add LUN DRIVE", "tape remove LUN" (they sleep: not locked) */
static int emul_tape_event(struct emul_state *st, const char *how,
			   const char *lun_s, const char *drive_s)
{
	unsigned int lun, drive;

	if (!how || !lun_s || kstrtouint(lun_s, 0, &lun))
		return -EINVAL;
	if (!strcmp(how, "remove"))
		return emul_tape_remove(st, lun);
	if (strcmp(how, "add") || !drive_s || kstrtouint(drive_s, 0, &drive))
		return -EINVAL;
	return emul_tape_add(st, emul_root, lun, drive);
}

static ssize_t emul_event_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct emul_state *st = emul_file_lib(file);
	struct emul_ctl_words w;
	unsigned long flags;
	char *buf;
	int err;

	buf = emul_ctl_words(ubuf, len, &w);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	if (!strcmp(w.what, "remove")) {
		err = w.arg && strcmp(w.arg, "fail") ?
			-EINVAL : emul_remove_lu(st, !!w.arg);
	} else if (!strcmp(w.what, "add")) {
		err = emul_add_lu(st);
	} else if (!strcmp(w.what, "tape")) {
		err = emul_tape_event(st, w.arg, w.arg2, w.arg3);
	} else {
		spin_lock_irqsave(&st->lock, flags);
		err = emul_event_locked(st, w.what, w.arg, w.arg2, w.arg3);
		spin_unlock_irqrestore(&st->lock, flags);
	}
	kfree(buf);
	return err ? err : len;
}

static const struct file_operations emul_event_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.write = emul_event_write,
};

/*
 * Every element, from one snapshot: "address type full barcode source
 * access", '-' for no barcode or no source. Lines starting with '#' say
 * what else the library holds.
 */
static int emul_state_show(struct seq_file *m, void *v)
{
	struct emul_state *st = m->private;
	struct emul_elem *snap, *e;
	bool prevent[EMUL_MAX_HOSTS], pr_reg[EMUL_MAX_HOSTS];
	u64 pr_key[EMUL_MAX_HOSTS];
	int unit_res, pr_holder;
	unsigned long flags;
	bool door, mags[EMUL_MAX_MAGS], aptpl;
	unsigned int i;
	u8 pr_type, id, bus;

	snap = kvmalloc_array(st->nelems, sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	spin_lock_irqsave(&st->lock, flags);
	memcpy(snap, st->elems, st->nelems * sizeof(*snap));
	door = st->door_open;
	memcpy(mags, st->mag_out, sizeof(mags));
	unit_res = st->unit_res;
	pr_holder = st->pr_holder;
	pr_type = st->pr_type;
	aptpl = st->pr_aptpl;
	memcpy(prevent, st->prevent, sizeof(prevent));
	memcpy(pr_reg, st->pr_reg, sizeof(pr_reg));
	memcpy(pr_key, st->pr_key, sizeof(pr_key));
	spin_unlock_irqrestore(&st->lock, flags);

	seq_printf(m, "# %s %s, door %s", st->vendor, st->product,
		   door ? "open" : "closed");
	for (i = 0; i < st->nmags; i++)
		seq_printf(m, ", magazine%u %s", i, mags[i] ? "out" : "in");
	seq_printf(m, ", unit reserved by %d, persistent reservation by %d type %u, aptpl %d\n",
		   unit_res, pr_holder, pr_type, aptpl);
	for (i = 0; i < st->nhosts; i++)
		seq_printf(m, "# host %u prevent %d registered %d key %#llx\n",
			   i, prevent[i], pr_reg[i], pr_key[i]);
	for (i = 0; i < st->nelems; i++) {
		e = &snap[i];
		seq_printf(m, "%u %s %d %s ", e->addr, emul_type_name(e->type),
			   e->full, e->full && e->tag[0] ? e->tag : "-");
		if (e->full && e->svalid)
			seq_printf(m, "%u", e->source);
		else
			seq_putc(m, '-');
		id = emul_drive_id(st, e, &bus);
		seq_printf(m, " %d %s %d %d %d %02x %02x %x %d %d\n",
			   e->mag < 0 || !mags[e->mag],
			   e->full && e->alt[0] ? e->alt : "-",
			   e->full && e->svalid && e->invert,
			   e->full && e->impexp, e->except, e->asc, e->ascq,
			   e->type == EMUL_IE ? e->ie_enab >> 4 : 0,
			   id & 0x20 ? bus : -1, id & 0x10 ? id & 7 : -1);
		if (e->res_owner)
			seq_printf(m, "# %u reserved by %d id %u\n", e->addr,
				   e->res_owner - 1, e->res_id);
		if (e->type == EMUL_DT && e->noid)
			seq_printf(m, "# %u no identifier\n", e->addr);
		if (e->type == EMUL_DT)
			seq_printf(m, "# %u drive %u\n", e->addr, e->ident);
	}
	emul_tape_show(st, m, snap);
	kvfree(snap);
	return 0;
}

static int emul_state_open(struct inode *inode, struct file *file)
{
	struct emul_state *st = inode->i_private;

	return single_open_size(file, emul_state_show, st,
				256 + EMUL_MAX_HOSTS * 64 + st->nelems * 96 +
				st->range[EMUL_DT].count * 32);
}

static const struct file_operations emul_state_fops = {
	.owner = THIS_MODULE,
	.open = emul_state_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int emul_malformed_show(struct seq_file *m, void *v)
{
	struct emul_state *st = m->private;
	enum emul_malformed_kind kind;
	unsigned long flags;
	u32 which, count;

	spin_lock_irqsave(&st->lock, flags);
	kind = st->mal_count ? st->mal_kind : EMUL_MAL_NONE;
	which = st->mal_which;
	count = st->mal_count;
	spin_unlock_irqrestore(&st->lock, flags);
	if (kind == EMUL_MAL_NONE) {
		seq_puts(m, "none\n");
		return 0;
	}
	seq_printf(m, "%s %s count=%u\n", emul_mal_names[kind],
		   which == (EMUL_MAL_RES | EMUL_MAL_MODE) ? "any" :
		   which == EMUL_MAL_RES ? "res" : "mode", count);
	return 0;
}

/* What a "malformed" write asks for: st->mal_kind, mal_which, mal_count. */
struct emul_mal_req {
	enum emul_malformed_kind kind;
	u32 which;
	u32 count;
};

/* "KIND [res|mode|any] [count=N]" or "clear", the words of @p. */
static int emul_parse_malformed(char *p, struct emul_mal_req *req)
{
	int err = 0;
	char *tok;

	req->kind = EMUL_MAL_NONE;
	req->which = EMUL_MAL_RES | EMUL_MAL_MODE;
	req->count = 1;
	while ((tok = strsep(&p, " \t")) && !err) {
		if (!*tok)
			continue;
		if (!strcmp(tok, "clear")) {
			req->count = 0;
			req->kind = EMUL_MAL_NONE + 1;
		} else if (!strcmp(tok, "res")) {
			req->which = EMUL_MAL_RES;
		} else if (!strcmp(tok, "mode")) {
			req->which = EMUL_MAL_MODE;
		} else if (!strcmp(tok, "any")) {
			req->which = EMUL_MAL_RES | EMUL_MAL_MODE;
		} else if (!strncmp(tok, "count=", 6)) {
			err = kstrtou32(tok + 6, 0, &req->count);
		} else {
			req->kind = emul_name_index(emul_mal_names, EMUL_MAL_NR,
						    tok, req->kind);
			if (req->kind == EMUL_MAL_NONE)
				err = -EINVAL;
		}
	}
	if (!err && req->kind == EMUL_MAL_NONE)
		err = -EINVAL;
	return err;
}

/* Arm (or, count 0, clear) what @req asks for in library @st. */
static void emul_mal_set(struct emul_state *st, const struct emul_mal_req *req)
{
	unsigned long flags;

	spin_lock_irqsave(&st->lock, flags);
	st->mal_kind = req->kind;
	st->mal_which = req->count ? req->which : 0;
	st->mal_count = req->count;
	spin_unlock_irqrestore(&st->lock, flags);
}

static ssize_t emul_malformed_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	struct emul_mal_req req;
	char *buf;
	int err;

	buf = emul_ctl_input(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	err = emul_parse_malformed(strim(buf), &req);
	kfree(buf);
	if (err)
		return err;
	emul_mal_set(emul_file_lib(file), &req);
	return len;
}

EMUL_CTL_FOPS(malformed, emul_malformed_show);

/*
 * "path": "down N [no_connect|transport_disrupted|timeout|HOSTBYTE]",
 * "up N", "remove N", "add N"; reading lists the paths.
 */
static ssize_t emul_path_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct emul_state *st = emul_file_lib(file);
	u8 down = DID_NO_CONNECT;
	struct emul_ctl_words w;
	unsigned int index;
	char *buf, *what, *how;
	int err;

	buf = emul_ctl_words(ubuf, len, &w);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	what = w.what;
	how = w.arg2;
	err = w.arg ? kstrtouint(w.arg, 0, &index) : -EINVAL;
	if (!err && how && !strcmp(how, "timeout"))
		down = EMUL_PATH_TIMEOUT;
	else if (!err && how)
		err = emul_did_name(how, &down);
	if (err)
		goto out;
	if (!strcmp(what, "down"))
		err = emul_path_down(st, index, down);
	else if (!strcmp(what, "up") && !how)
		err = emul_path_down(st, index, 0);
	else if (!strcmp(what, "remove") && !how)
		err = emul_path_remove(st, index);
	else if (!strcmp(what, "add") && !how)
		err = emul_path_add(st, index);
	else
		err = -EINVAL;
out:
	kfree(buf);
	return err ? err : len;
}

static int emul_path_seq_show(struct seq_file *m, void *v)
{
	emul_path_show(m->private, m);
	return 0;
}

EMUL_CTL_FOPS(path, emul_path_seq_show);

/* The library's directory: autoch_emul for the first, autoch_emulN after. */
int emul_debugfs_init(struct emul_state *st)
{
	struct dentry *dir;

	dir = debugfs_create_dir(emul_lib_name(st->lib), NULL);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	st->dir = dir;
	debugfs_create_file("fault", 0600, dir, st, &emul_fault_fops);
	debugfs_create_file("counters", 0600, dir, st, &emul_counters_fops);
	debugfs_create_file("event", 0200, dir, st, &emul_event_fops);
	debugfs_create_file("state", 0400, dir, st, &emul_state_fops);
	debugfs_create_file("malformed", 0600, dir, st, &emul_malformed_fops);
	debugfs_create_file("lost", 0600, dir, st, &emul_lost_fops);
	debugfs_create_file("path", 0600, dir, st, &emul_path_fops);
	return 0;
}

void emul_debugfs_exit(struct emul_state *st)
{
	debugfs_remove(st->dir);
	st->dir = NULL;
}
