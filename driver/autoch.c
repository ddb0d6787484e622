// SPDX-License-Identifier: GPL-2.0
/*
 * autoch: the HP-UX autochanger(7) interface for SCSI media changers.
 *
 * Object model and references:
 *
 * - One struct autoch_device per bound scsi_device (peripheral type 08h).
 *   It embeds the character device and the class device (/dev/autochN);
 *   the class device's refcount is the object's refcount. Probe holds the
 *   first reference and drops it in remove; every open file holds one.
 *   The object pins the scsi_device's struct device until it is released,
 *   so @sdev stays valid memory after the SCSI device is removed; commands
 *   sent then fail in the block layer and are reported as ENXIO.
 *
 * - Remove first marks the object dead under @lock, then deletes the node
 *   (cdev_device_del). Every open and ioctl checks @dead before it starts
 *   and reports ENXIO; a command in flight during removal completes with
 *   an error that is reported as ENXIO as well.
 *
 * - @lock protects the in-memory state (element map, status cache, quirk
 *   flags, @dead). It is never held across a SCSI command, so a mechanical
 *   operation that takes minutes blocks nobody: moves hold no lock at all.
 *   @io_lock serialises the commands that fill the in-memory state (mode
 *   pages, READ ELEMENT STATUS), so that concurrent status queries share
 *   one read instead of each sending its own. It is taken interruptibly.
 *
 * - The status cache holds what READ ELEMENT STATUS last said of each
 *   element, stamped with the generation of the cache and the time it was
 *   read. Any event that can change the library behind the driver's back
 *   (a unit attention, a move or exchange through this driver, an
 *   inventory) bumps the generation, so stale entries are never served;
 *   so does a granted reservation, after which the holder must see what
 *   the changer says, not what it said before another host's move;
 *   entries also expire after cache_ms milliseconds, which bounds how long
 *   a change made through another initiator stays invisible.
 *
 * - Reservations (SIOC_RESERVE) belong to the open file that made them
 *   and are released when it is closed. The driver keeps its own table of
 *   them, so that local processes interlock even on changers that have no
 *   element reservations: such a changer gets a unit reservation
 *   underneath while any element is reserved, or, when it has none
 *   either, the table alone arbitrates. On the device, every element
 *   reservation has an identification of the driver's own: SMC releases
 *   by identification, and a RELEASE without the Element bit releases all
 *   that the initiator holds, so the caller's identification (local
 *   semantics only) must not decide what the device forgets, and element
 *   reservations are taken again after the unit is released. The device
 *   sees one initiator for all the files of this host, so it cannot
 *   refuse a move that passed the driver's check before a reservation
 *   existed: such moves stay on @busy until they end, and a reservation
 *   they involve is EBUSY meanwhile. @resv_lock serialises the changes
 *   to that table together with the commands that mirror them on the
 *   device; the table itself is read under @lock. A power-on or reset
 *   unit attention empties the table: the device forgot its reservations,
 *   and each file that held some gets ECONNRESET once.
 *
 * - Unit attentions are also events: each is queued on every open file
 *   (AUTOCH_GET_EVENTS, SIOC_MEDIUM_CHANGED), wakes poll() and sends a
 *   change uevent. A changer only reports them on the next command, so
 *   while someone waits in poll() the driver sends TEST UNIT READY every
 *   event_poll_ms; when nobody waits it sends nothing of its own.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/cdev.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include <scsi/scsi.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_proto.h>

#include <uapi/linux/autochanger.h>

#include "compat.h"

#define AUTOCH_MAX_DEVS		1024

/* SMC element type codes (SMC-3 table 23), used as indices minus one. */
enum autoch_type {
	AUTOCH_MT = 1,		/* medium transport */
	AUTOCH_ST = 2,		/* storage */
	AUTOCH_IE = 3,		/* import/export */
	AUTOCH_DT = 4,		/* data transfer */
	AUTOCH_NTYPES = 4,
};

/*
 * READ ELEMENT STATUS limits learnt from real libraries: some cannot
 * report more than 1,000 elements in one reply, some read only two bytes
 * of the three-byte allocation length (learnt per device, see
 * autoch_res_alloc()). A reply is at most AUTOCH_RES_MAX_ALLOC bytes:
 * 1,000 descriptors of up to 262 bytes.
 */
#define AUTOCH_RES_MAX_ELEMS	1000
#define AUTOCH_RES_MAX_ALLOC16	0xffffU
#define AUTOCH_RES_MAX_ALLOC	((unsigned int)SZ_256K)
#define AUTOCH_RES_HDR_LEN	8
#define AUTOCH_RES_PAGE_HDR_LEN	8
#define AUTOCH_DESC_MIN_LEN	12
#define AUTOCH_VOLTAG_LEN	36
/*
 * Descriptor length assumed until the device has answered once: both
 * volume tags and an identifier, so that a short range fits in one reply.
 */
#define AUTOCH_DESC_GUESS	128

#define AUTOCH_UA_RETRIES	5
#define AUTOCH_PR_PARAM_LEN	24
#define AUTOCH_DVCID_BUF_LEN	512
#define AUTOCH_DEV_RESV_IDS	256	/* identification is one byte */
/*
 * Identifications one open file may hold: any file of the node may
 * reserve, so none may take them all and lock the others out.
 */
#define AUTOCH_FILE_RESV_IDS	(AUTOCH_DEV_RESV_IDS / 4)
#define AUTOCH_READY_POLL_MS	500
#define AUTOCH_MODE_BUF_LEN	255

/* Legacy host byte some LLDs still use for a reservation conflict. */
#define AUTOCH_DID_NEXUS_FAILURE	0x11

static unsigned int cmd_timeout = 60;
module_param(cmd_timeout, uint, 0644);
MODULE_PARM_DESC(cmd_timeout, "timeout in seconds of non-mechanical commands (default 60)");

static unsigned int move_timeout = 900;
module_param(move_timeout, uint, 0644);
MODULE_PARM_DESC(move_timeout, "timeout in seconds of MOVE and EXCHANGE MEDIUM (default 900)");

static unsigned int init_timeout = 3600;
module_param(init_timeout, uint, 0644);
MODULE_PARM_DESC(init_timeout, "timeout in seconds of INITIALIZE ELEMENT STATUS (default 3600)");

static unsigned int ready_timeout = 300;
module_param(ready_timeout, uint, 0644);
MODULE_PARM_DESC(ready_timeout, "seconds to wait while the changer reports becoming ready (default 300)");

static unsigned int event_poll_ms = 2000;
module_param(event_poll_ms, uint, 0644);
MODULE_PARM_DESC(event_poll_ms, "interval of TEST UNIT READY while a program waits for events in poll() (default 2000, 0 never)");

static unsigned int cache_ms = 1000;
module_param(cache_ms, uint, 0644);
MODULE_PARM_DESC(cache_ms, "milliseconds an element status read from the changer is reused (default 1000, 0 disables the cache)");

/**
 * struct autoch_elem - cached status of one element
 * @gen: cache generation the entry was read in; 0 means never read
 * @when: jiffies when it was read
 * @flags: descriptor byte 2 (Full, ImpExp, Except, Access, ExEnab, InEnab)
 * @asc: descriptor byte 4
 * @ascq: descriptor byte 5
 * @id_flags: descriptor byte 6 (NotBus, IDValid, LUValid, LUN)
 * @bus_addr: descriptor byte 7
 * @src_flags: descriptor byte 9 (SValid, Invert)
 * @src: source storage element address
 * @pvoltag: primary volume tag, all zero when absent
 * @avoltag: alternate volume tag, all zero when absent
 */
struct autoch_elem {
	u32 gen;
	unsigned long when;
	u8 flags;
	u8 asc;
	u8 ascq;
	u8 id_flags;
	u8 bus_addr;
	u8 src_flags;
	u16 src;
	u8 pvoltag[AUTOCH_VOLTAG_LEN];
	u8 avoltag[AUTOCH_VOLTAG_LEN];
};

/**
 * struct autoch_range - the elements of one type (MODE SENSE page 1Dh)
 * @first: first element address
 * @count: number of elements
 * @desc_len: element descriptor length the device last used, a guess
 *	until it has answered once; sizes the next READ ELEMENT STATUS
 * @elems: cached status, @count entries
 */
struct autoch_range {
	u16 first;
	u16 count;
	u16 desc_len;
	struct autoch_elem *elems;
};

/**
 * struct autoch_device - one media changer
 * @dev: class device, /dev/autochN; its refcount is the object's
 * @cdev: character device
 * @sdev: the SCSI device; its struct device is pinned until release
 * @minor: minor number, also N in autochN
 * @lock: protects the members below it; never held across a command
 * @dead: the SCSI device is gone; everything answers ENXIO
 * @map_valid: @range, @move_caps, @exch_caps and @rotate are loaded
 * @map_seq: bumped whenever the map is reloaded, so a reader can tell the
 *	arrays it sized a command for are still the ones installed
 * @range: element map, indexed by element type code minus one
 * @move_caps: page 1Fh move capabilities, by source type minus one; bit
 *	N-1 set when a move to type N is possible
 * @exch_caps: page 1Fh exchange capabilities, same layout
 * @rotate: page 1Eh, one bit per transport element (by index); NULL when
 *	the device reports no geometry, which means no transport rotates
 * @cache_gen: current status cache generation, never 0
 * @no_voltag: the device refused VOLTAG; asked again after a reset
 * @no_dvcid: the device refused DVCID; asked again after a reset
 * @alloc16: the device reads only two bytes of READ ELEMENT STATUS's
 *	allocation length; asked again after a reset
 * @store_caps: page 1Fh byte 2, which element types can store media
 * @files: every open file, for the reset notice
 * @resv: element reservations, struct autoch_resv
 * @busy: moves and exchanges that passed the reservation check and have
 *	not ended, struct autoch_busy
 * @unit_owner: the file that holds the unit reservation, if any
 * @unit_on_device: the device holds a unit reservation for us
 * @unit_refs: what relies on that: @unit_owner and each element
 *	reservation made with a unit reservation underneath
 * @no_resv6: RESERVE/RELEASE (6) are not supported
 * @no_resv10: RESERVE/RELEASE (10) are not supported
 * @no_elem_resv: element reservations are not supported
 * @dev_ids: identifications in use for element reservations on the device,
 *	including those whose RELEASE failed (@stale)
 * @stale: element reservations whose RELEASE failed after their file let
 *	them go, struct autoch_resv without owner; retried under @resv_lock
 *	until the device accepts it or a reset makes it forget them
 * @preventers: open files whose PREVENT MEDIUM REMOVAL is in force
 * @ready_waiters: calls waiting for the changer to become ready (04/01)
 * @ready_since: when the first of them met NOT READY (jiffies)
 * @ready_progress: the last progress indication of that NOT READY, 0 to
 *	65535 (SPC sense-key specific), -1 when the changer gave none
 * @io_lock: serialises the commands that load the map and fill the cache
 * @resv_lock: serialises reservation changes and the commands behind them
 * @events_wq: poll() waits here for events
 * @event_work: TEST UNIT READY while someone waits in poll()
 */
struct autoch_device {
	struct device dev;
	struct cdev cdev;
	struct scsi_device *sdev;
	int minor;

	struct mutex lock;	/* never held across a command */
	bool dead;
	bool map_valid;
	unsigned int map_seq;
	struct autoch_range range[AUTOCH_NTYPES];
	u8 move_caps[AUTOCH_NTYPES];
	u8 exch_caps[AUTOCH_NTYPES];
	unsigned long *rotate;
	u32 cache_gen;
	bool no_voltag;
	bool no_dvcid;
	bool alloc16;
	u8 store_caps;
	struct list_head files;
	struct list_head resv;
	struct list_head busy;
	struct autoch_file *unit_owner;
	bool unit_on_device;
	unsigned int unit_refs;
	bool no_resv6;
	bool no_resv10;
	bool no_elem_resv;
	DECLARE_BITMAP(dev_ids, AUTOCH_DEV_RESV_IDS);
	struct list_head stale;
	unsigned int preventers;
	unsigned int ready_waiters;
	unsigned long ready_since;
	int ready_progress;

	struct mutex io_lock;	/* map and cache fills; taken before @lock */
	struct mutex resv_lock;	/* reservation changes; taken before both */
	wait_queue_head_t events_wq;
	struct delayed_work event_work;
};

/* How an element reservation is held on the device. */
enum autoch_resv_how {
	AUTOCH_RESV_ELEMENT,	/* RESERVE ELEMENT for the element */
	AUTOCH_RESV_UNIT,	/* a unit reservation underneath */
	AUTOCH_RESV_LOCAL,	/* the changer has neither: the table alone */
};

/**
 * struct autoch_resv - one element reservation
 * @node: in autoch_device.resv
 * @owner: the open file that made it
 * @element: element address
 * @id: reservation identification the caller gave
 * @dev_id: identification on the device, for AUTOCH_RESV_ELEMENT
 * @how: how the device holds it
 */
struct autoch_resv {
	struct list_head node;
	struct autoch_file *owner;
	u16 element;
	u8 id;
	u8 dev_id;
	enum autoch_resv_how how;
};

/**
 * struct autoch_busy - a move or exchange on its way through the changer
 * @node: in autoch_device.busy
 * @owner: the open file that sent it
 * @addrs: the elements it involves
 * @n: how many
 *
 * It was checked against the reservations when it started. The changer
 * may carry it out after a reservation made later by another file of this
 * host (the device sees one initiator, so it cannot refuse it): such a
 * reservation is refused with EBUSY until the command ends.
 */
struct autoch_busy {
	struct list_head node;
	struct autoch_file *owner;
	const u16 *addrs;
	unsigned int n;
};

/**
 * struct autoch_file - one open file
 * @ach: the changer, referenced for the file's lifetime
 * @lock: protects @xsense, @pending and @pending_valid
 * @xsense: the last failed command of a failed call, for SIOC_XSENSE
 * @pending: the last failed command of the call in progress, which the
 *	call may still recover from (another command form, no VOLTAG); it
 *	becomes @xsense only if the call fails
 * @pending_valid: @pending holds a failure of the call in progress
 * @node: in autoch_device.files, under autoch_device.lock
 * @reset_pending: a reset took reservations away; the next call gets
 *	ECONNRESET (under autoch_device.lock, as the members below)
 * @unit_lost: the unit reservation was among them
 * @nlost: how many element reservations were among them
 * @lost: the first AUTOCH_MAX_RESERVED of those elements
 * @events: AUTOCH_EVENT_* bits not yet read
 * @nevents: how many events that is
 * @may_write: opened for writing, which persistent reservations and
 *	PREVENT MEDIUM REMOVAL need unless the caller has CAP_SYS_ADMIN
 * @prevents: this file's PREVENT MEDIUM REMOVAL is in force (under
 *	autoch_device.lock; counted in autoch_device.preventers)
 */
struct autoch_file {
	struct autoch_device *ach;
	spinlock_t lock;	/* protects @xsense, @pending */
	struct autoch_xsense xsense;
	struct autoch_xsense pending;
	bool pending_valid;
	struct list_head node;
	bool reset_pending;
	bool unit_lost;
	u16 nlost;
	u16 lost[AUTOCH_MAX_RESERVED];
	u32 events;
	u32 nevents;
	bool may_write;
	bool prevents;
};

/**
 * struct autoch_cmd - one SCSI command and its outcome
 * @cdb: command descriptor block
 * @cdb_len: its length
 * @write: data flows to the device
 * @data: data-out: what @buf must hold each time the command is sent
 * @buf: data buffer (kmalloc'ed or vmalloc'ed, never on the stack)
 * @len: its length
 * @timeout: in jiffies
 * @resid: residual count reported by the transport
 * @result: midlayer result of the last attempt
 * @sense: sense data of the last attempt
 * @sshdr: decoded @sense
 */
struct autoch_cmd {
	u8 cdb[16];
	unsigned int cdb_len;
	bool write;
	const void *data;
	void *buf;
	unsigned int len;
	unsigned int timeout;
	int resid;
	int result;
	u8 sense[SCSI_SENSE_BUFFERSIZE];
	struct scsi_sense_hdr sshdr;
};

/* Bytes of a data-in command's buffer that arrived, bounded by the buffer. */
static unsigned int autoch_cmd_avail(const struct autoch_cmd *cmd)
{
	return cmd->len - min_t(unsigned int, cmd->resid, cmd->len);
}

static_assert(sizeof(struct element_addresses) == 16);
static_assert(sizeof(struct element_status) == 252);
static_assert(offsetof(struct element_status, sense_code) == 4);
static_assert(offsetof(struct element_status, bus_address) == 7);
static_assert(offsetof(struct element_status, sub_lun) == 8);
static_assert(offsetof(struct element_status, source_element) == 10);
static_assert(offsetof(struct element_status, pri_vol_tag) == 12);
static_assert(offsetof(struct element_status, alt_vol_tag) == 48);
static_assert(offsetof(struct element_status, misc_bytes) == 84);
static_assert(sizeof(struct reservation_parms) == 4);
static_assert(sizeof(struct move_medium_parms) == 8);
static_assert(sizeof(struct exchange_medium_parms) == 10);
static_assert(sizeof(struct autoch_inquiry) == 264);
static_assert(sizeof(struct autoch_xsense) == 128);
static_assert(sizeof(struct autoch_status_range) == 16);
static_assert(sizeof(struct autoch_drive_id) == 72);
static_assert(sizeof(struct autoch_reservation_state) == 264);
static_assert(sizeof(struct autoch_capabilities) == 16);
static_assert(sizeof(struct autoch_events) == 8);

static dev_t autoch_devt;
static DEFINE_IDA(autoch_ida);

/*
 * Sense data to errno, first match wins. ASC/ASCQ 0xff matches any value.
 * Rows cite the clause that defines the condition.
 */
#define AUTOCH_ANY	0xff

static const struct autoch_sense_errno {
	u8 key;
	u8 asc;
	u8 ascq;
	int err;
} autoch_sense_table[] = {
	/* SPC-4 table 49: INVALID COMMAND OPERATION CODE (optional command) */
	{ ILLEGAL_REQUEST, 0x20, 0x00, EOPNOTSUPP },
	/* SMC-3 6.2/6.6: INVALID ELEMENT ADDRESS and LBA out of range */
	{ ILLEGAL_REQUEST, 0x21, AUTOCH_ANY, EINVAL },
	/* SPC-4 4.5.6: INVALID FIELD IN CDB */
	{ ILLEGAL_REQUEST, 0x24, AUTOCH_ANY, EINVAL },
	/* SPC-4 4.5.6: INVALID FIELD IN PARAMETER LIST and its relatives */
	{ ILLEGAL_REQUEST, 0x26, AUTOCH_ANY, EINVAL },
	/* SMC-3 6.6: MEDIUM DESTINATION ELEMENT FULL (EXFULL as Linux ch) */
	{ ILLEGAL_REQUEST, 0x3b, 0x0d, EXFULL },
	/* SMC-3 6.6: MEDIUM SOURCE ELEMENT EMPTY */
	{ ILLEGAL_REQUEST, 0x3b, 0x0e, ENOMEDIUM },
	/* SMC-3 6.6: MEDIUM REMOVAL PREVENTED */
	{ ILLEGAL_REQUEST, 0x53, 0x02, EBUSY },
	/* SPC-4 4.5.6: LOGICAL UNIT NOT READY, after the wait for 04/01 */
	{ NOT_READY, 0x04, AUTOCH_ANY, EBUSY },
	/* SPC-4: any other NOT READY (magazine out, door open) */
	{ NOT_READY, AUTOCH_ANY, AUTOCH_ANY, EBUSY },
	/* SAM-5 5.14: power on, reset, I_T nexus loss (retries exhausted) */
	{ UNIT_ATTENTION, 0x29, AUTOCH_ANY, ECONNRESET },
};

static int autoch_sense_to_errno(const struct scsi_sense_hdr *sshdr)
{
	const struct autoch_sense_errno *row;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(autoch_sense_table); i++) {
		row = &autoch_sense_table[i];
		if (row->key != sshdr->sense_key)
			continue;
		if (row->asc != AUTOCH_ANY && row->asc != sshdr->asc)
			continue;
		if (row->ascq != AUTOCH_ANY && row->ascq != sshdr->ascq)
			continue;
		return -row->err;
	}
	/* hardware error, aborted command, medium error, anything else */
	return -EIO;
}

/*
 * The one place that turns a midlayer result into an errno. A non-zero
 * result is never success, whether or not sense data came with it.
 */
static int autoch_result_to_errno(int result, const struct scsi_sense_hdr *sshdr)
{
	if (result < 0)
		return result == -ENODEV ? -ENXIO : result;
	if (!result)
		return 0;

	switch (host_byte(result)) {
	case DID_OK:
		break;
	case DID_TIME_OUT:
		return -ETIMEDOUT;
	case DID_NO_CONNECT:
	case DID_BAD_TARGET:
		return -ENXIO;
	case AUTOCH_DID_NEXUS_FAILURE:
		return -EBUSY;
	default:
		return -EIO;
	}

	switch (result & 0xff) {
	case SAM_STAT_RESERVATION_CONFLICT:
	case SAM_STAT_BUSY:
	case SAM_STAT_TASK_SET_FULL:
		return -EBUSY;
	case SAM_STAT_CHECK_CONDITION:
		if (scsi_sense_valid(sshdr))
			return autoch_sense_to_errno(sshdr);
		return -EIO;
	default:
		return -EIO;
	}
}

static bool autoch_is_dead(struct autoch_device *ach)
{
	bool dead;

	mutex_lock(&ach->lock);
	dead = ach->dead;
	mutex_unlock(&ach->lock);
	return dead;
}

/* Forget everything the library may have changed behind our back. */
static void autoch_drop_cache(struct autoch_device *ach, bool map_too)
{
	lockdep_assert_held(&ach->lock);

	if (++ach->cache_gen == 0)
		ach->cache_gen = 1;
	if (map_too)
		ach->map_valid = false;
}

/*
 * The device forgot every reservation: empty the table and tell each file
 * that held one, once, with ECONNRESET.
 */
static void autoch_forget_reservations(struct autoch_device *ach)
{
	struct autoch_resv *r, *tmp;
	struct autoch_file *af;

	lockdep_assert_held(&ach->lock);

	list_for_each_entry_safe(r, tmp, &ach->resv, node) {
		af = r->owner;
		if (af->nlost < AUTOCH_MAX_RESERVED)
			af->lost[af->nlost] = r->element;
		if (af->nlost < U16_MAX)
			af->nlost++;
		af->reset_pending = true;
		list_del(&r->node);
		kfree(r);
	}
	if (ach->unit_owner) {
		ach->unit_owner->unit_lost = true;
		ach->unit_owner->reset_pending = true;
		ach->unit_owner = NULL;
	}
	ach->unit_on_device = false;
	ach->unit_refs = 0;
	list_for_each_entry_safe(r, tmp, &ach->stale, node) {
		list_del(&r->node);
		kfree(r);
	}
	bitmap_zero(ach->dev_ids, AUTOCH_DEV_RESV_IDS);
	/* SPC-4 6.13: a reset ends the prevention of medium removal too */
	list_for_each_entry(af, &ach->files, node)
		af->prevents = false;
	ach->preventers = 0;
}

/* Queue @events on every open file, wake poll(), tell udev. */
static void autoch_post_event(struct autoch_device *ach, u32 events)
{
	static const char * const names[] = {
		"medium", "import_export", "reset", "changed", "inventory",
	};
	char env[64];
	char *envp[2] = { env, NULL };
	struct autoch_file *af;
	unsigned int i, n;

	n = scnprintf(env, sizeof(env), "AUTOCH_EVENT=");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (events & BIT(i))
			n += scnprintf(env + n, sizeof(env) - n, "%s%s",
				       n > 13 ? "," : "", names[i]);

	mutex_lock(&ach->lock);
	list_for_each_entry(af, &ach->files, node) {
		af->events |= events;
		af->nevents++;
	}
	/* remove marks the device dead before it deletes the kobject */
	if (!ach->dead)
		kobject_uevent_env(&ach->dev.kobj, KOBJ_CHANGE, envp);
	mutex_unlock(&ach->lock);
	wake_up_interruptible(&ach->events_wq);
}

static void autoch_unit_attention(struct autoch_device *ach,
				  const struct scsi_sense_hdr *sshdr)
{
	u32 event;

	switch (sshdr->asc) {
	case 0x28:
		event = sshdr->ascq == 0x01 ? AUTOCH_EVENT_IMPORT_EXPORT :
					      AUTOCH_EVENT_MEDIUM;
		break;
	case 0x29:
		event = AUTOCH_EVENT_RESET;
		break;
	case 0x2a:
	case 0x3f:
		event = AUTOCH_EVENT_CHANGED;
		break;
	default:
		event = AUTOCH_EVENT_MEDIUM;
		break;
	}

	mutex_lock(&ach->lock);
	switch (sshdr->asc) {
	case 0x29:	/* power on or reset: quirks may have gone too */
		ach->no_voltag = false;
		ach->no_dvcid = false;
		ach->alloc16 = false;
		ach->no_resv6 = false;
		ach->no_resv10 = false;
		ach->no_elem_resv = false;
		autoch_forget_reservations(ach);
		autoch_drop_cache(ach, true);
		break;
	case 0x2a:	/* parameters changed: the mode pages may differ */
	case 0x3f:	/* operating conditions or inquiry data changed */
		autoch_drop_cache(ach, true);
		break;
	default:	/* 28/xx medium may have changed, door, magazine */
		autoch_drop_cache(ach, false);
		break;
	}
	mutex_unlock(&ach->lock);
	autoch_post_event(ach, event);
}

static unsigned int autoch_sense_len(const u8 *sense)
{
	unsigned int len;

	if ((sense[0] & 0x7f) < 0x70 || (sense[0] & 0x7f) > 0x73)
		return 0;
	len = 8 + sense[7];
	return min_t(unsigned int, len, SCSI_SENSE_BUFFERSIZE);
}

/* Consume the reset notice of @af; true when there was one. */
static bool autoch_take_reset(struct autoch_device *ach, struct autoch_file *af)
{
	bool pending;

	mutex_lock(&ach->lock);
	pending = af->reset_pending;
	af->reset_pending = false;
	mutex_unlock(&ach->lock);
	return pending;
}

static void autoch_record_failure(struct autoch_file *af,
				  const struct autoch_cmd *cmd, int err)
{
	struct autoch_xsense xs = {};

	if (!af || cmd->result <= 0)
		return;

	xs.valid = 1;
	xs.status = cmd->result & 0xff;
	xs.host_status = host_byte(cmd->result);
	xs.cdb_len = cmd->cdb_len;
	memcpy(xs.cdb, cmd->cdb, cmd->cdb_len);
	xs.sense_len = autoch_sense_len(cmd->sense);
	memcpy(xs.sense, cmd->sense, xs.sense_len);
	xs.error = -err;

	spin_lock(&af->lock);
	af->pending = xs;
	af->pending_valid = true;
	spin_unlock(&af->lock);
}

/*
 * The progress indication of sense data (SPC-4 4.5.2.4.4: sense-key
 * specific bytes with SKSV set, fixed or descriptor format), 0 to 65535
 * of 65536; -1 when there is none.
 */
static int autoch_sense_progress(const u8 *sense, unsigned int len)
{
	const u8 *d;

	if (len < 8)
		return -1;
	switch (sense[0] & 0x7f) {
	case 0x70:
	case 0x71:
		if (len >= 18 && sense[7] >= 10 && (sense[15] & 0x80))
			return get_unaligned_be16(sense + 16);
		break;
	case 0x72:
	case 0x73:
		d = scsi_sense_desc_find(sense, len, 0x02);
		/* the descriptor may start near the end of the buffer */
		if (d && d + 7 <= sense + len && d[1] >= 6 && (d[4] & 0x80))
			return get_unaligned_be16(d + 5);
		break;
	}
	return -1;
}

/*
 * A call waits for the changer to become ready (@waiting false: it starts
 * now) or stops waiting (@progress < -1). What sysfs "progress" shows.
 */
static void autoch_ready_wait(struct autoch_device *ach, bool *waiting,
			      int progress)
{
	mutex_lock(&ach->lock);
	if (progress < -1) {
		if (*waiting && !--ach->ready_waiters)
			ach->ready_progress = -1;
		*waiting = false;
	} else {
		if (!*waiting && !ach->ready_waiters++)
			ach->ready_since = jiffies;
		*waiting = true;
		ach->ready_progress = progress;
	}
	mutex_unlock(&ach->lock);
}

/*
 * Send one command, riding out unit attentions and a device that is
 * becoming ready (*@waiting set while it waits for that). Every failure
 * is recorded for SIOC_XSENSE of @af.
 */
static int autoch_send(struct autoch_device *ach, struct autoch_file *af,
		       struct autoch_cmd *cmd, bool *waiting)
{
	unsigned long ready_deadline = jiffies + READ_ONCE(ready_timeout) * HZ;
	unsigned int ua_retries = 0;
	int err;

	for (;;) {
		if (autoch_is_dead(ach))
			return -ENXIO;

		if (cmd->buf && !cmd->write)
			memset(cmd->buf, 0, cmd->len);
		/*
		 * The midlayer zeroes the part of a buffer the device reports
		 * a residual for, data-out included: a command sent again
		 * (unit attention, becoming ready) would carry zeros.
		 */
		if (cmd->buf && cmd->write)
			memcpy(cmd->buf, cmd->data, cmd->len);
		memset(cmd->sense, 0, sizeof(cmd->sense));
		memset(&cmd->sshdr, 0, sizeof(cmd->sshdr));
		cmd->resid = 0;
		cmd->result = autoch_execute(ach->sdev, cmd->cdb, cmd->write,
					     cmd->buf, cmd->len, cmd->sense,
					     &cmd->sshdr, cmd->timeout,
					     &cmd->resid);
		/*
		 * The error handler reset the LU or the host: the unit
		 * attention that says so went to its own TEST UNIT READY
		 * (the midlayer expects it), so this flag is the only word
		 * of it. The midlayer never clears it (st.c does the same).
		 */
		if (ach->sdev->was_reset) {
			static const struct scsi_sense_hdr reset = {
				.response_code = 0x70,
				.sense_key = UNIT_ATTENTION,
				.asc = 0x29,
			};

			ach->sdev->was_reset = 0;
			autoch_unit_attention(ach, &reset);
		}
		if (!cmd->result)
			return 0;
		if (autoch_is_dead(ach))
			return -ENXIO;
		if (cmd->result < 0)
			return autoch_result_to_errno(cmd->result, NULL);

		if (scsi_sense_valid(&cmd->sshdr) &&
		    cmd->sshdr.sense_key == UNIT_ATTENTION) {
			autoch_unit_attention(ach, &cmd->sshdr);
			/*
			 * A caller that held reservations learns that they are
			 * gone before anything runs without them.
			 */
			if (af && autoch_take_reset(ach, af)) {
				autoch_record_failure(af, cmd, -ECONNRESET);
				return -ECONNRESET;
			}
			if (++ua_retries <= AUTOCH_UA_RETRIES) {
				dev_dbg(&ach->dev, "unit attention %02x/%02x, retrying\n",
					cmd->sshdr.asc, cmd->sshdr.ascq);
				continue;
			}
		}

		if (scsi_sense_valid(&cmd->sshdr) &&
		    cmd->sshdr.sense_key == NOT_READY &&
		    cmd->sshdr.asc == 0x04 && cmd->sshdr.ascq == 0x01 &&
		    time_before(jiffies, ready_deadline)) {
			dev_dbg(&ach->dev, "becoming ready, waiting\n");
			autoch_ready_wait(ach, waiting,
					  autoch_sense_progress(cmd->sense,
								sizeof(cmd->sense)));
			if (msleep_interruptible(AUTOCH_READY_POLL_MS))
				return -ERESTARTSYS;
			continue;
		}
		break;
	}

	err = autoch_result_to_errno(cmd->result, &cmd->sshdr);
	autoch_record_failure(af, cmd, err);
	dev_dbg(&ach->dev, "opcode %02x failed: result %#x sense %x/%02x/%02x: %d\n",
		cmd->cdb[0], cmd->result, cmd->sshdr.sense_key,
		cmd->sshdr.asc, cmd->sshdr.ascq, err);
	return err;
}

static int autoch_do_cmd(struct autoch_device *ach, struct autoch_file *af,
			 struct autoch_cmd *cmd)
{
	bool waiting = false;
	int err;

	err = autoch_send(ach, af, cmd, &waiting);
	if (waiting)
		autoch_ready_wait(ach, &waiting, -2);
	return err;
}

/* ---- element map: MODE SENSE pages 1Dh, 1Eh, 1Fh ---- */

/*
 * Read one mode page into @buf and return a pointer to it and its length
 * in *@plen, or an errno. The page is checked against the bytes the
 * device said it returned, bounded by the buffer.
 */
static int autoch_mode_page(struct autoch_device *ach, struct autoch_file *af,
			    u8 page, u8 *buf, u8 **pagep, unsigned int *plen)
{
	struct autoch_cmd *cmd;
	unsigned int avail, off;
	int err;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;

	cmd->cdb[0] = MODE_SENSE;
	cmd->cdb[1] = 0x08;		/* DBD: no block descriptors */
	cmd->cdb[2] = page;
	cmd->cdb[4] = AUTOCH_MODE_BUF_LEN;
	cmd->cdb_len = 6;
	cmd->buf = buf;
	cmd->len = AUTOCH_MODE_BUF_LEN;
	cmd->timeout = READ_ONCE(cmd_timeout) * HZ;

	err = autoch_do_cmd(ach, af, cmd);
	if (err)
		goto out;

	avail = min_t(unsigned int, buf[0] + 1, autoch_cmd_avail(cmd));
	off = 4 + buf[3];
	if (off + 2 > avail || (buf[off] & 0x3f) != page) {
		err = -EIO;
		goto out;
	}
	*pagep = buf + off;
	*plen = min_t(unsigned int, buf[off + 1] + 2, avail - off);
out:
	kfree(cmd);
	return err;
}

static int autoch_type_of(const struct autoch_range *range, u16 addr)
{
	int t;

	for (t = 0; t < AUTOCH_NTYPES; t++) {
		if (range[t].count && addr >= range[t].first &&
		    addr - range[t].first < range[t].count)
			return t + 1;
	}
	return 0;
}

static void autoch_free_map(struct autoch_range *range, unsigned long *rotate)
{
	int t;

	for (t = 0; t < AUTOCH_NTYPES; t++)
		kvfree(range[t].elems);
	bitmap_free(rotate);
}

/*
 * Read the element map and capabilities and install them with a fresh
 * cache. Called with @io_lock held, so only one load runs at a time.
 */
static int autoch_load_map(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_range range[AUTOCH_NTYPES] = {};
	u8 move_caps[AUTOCH_NTYPES], exch_caps[AUTOCH_NTYPES], store_caps;
	unsigned long *rotate = NULL;
	unsigned int plen, i;
	u8 *buf, *pg;
	int t, err;

	lockdep_assert_held(&ach->io_lock);

	buf = kzalloc(AUTOCH_MODE_BUF_LEN, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	err = autoch_mode_page(ach, af, 0x1d, buf, &pg, &plen);
	if (err)
		goto out;
	if (plen < 18) {
		err = -EIO;
		goto out;
	}
	for (t = 0; t < AUTOCH_NTYPES; t++) {
		static const u8 off[AUTOCH_NTYPES] = { 2, 6, 10, 14 };

		range[t].first = get_unaligned_be16(pg + off[t]);
		range[t].count = get_unaligned_be16(pg + off[t] + 2);
		/* an address range cannot wrap around 65535 */
		if (range[t].first + range[t].count > 0x10000) {
			err = -EIO;
			goto out;
		}
		range[t].desc_len = AUTOCH_DESC_GUESS;
	}

	/*
	 * Page 1Fh is optional: without it, let the device judge every
	 * move. A removed device still ends the load.
	 */
	memset(move_caps, 0xff, sizeof(move_caps));
	memset(exch_caps, 0xff, sizeof(exch_caps));
	err = autoch_mode_page(ach, af, 0x1f, buf, &pg, &plen);
	if (err == -ENXIO || err == -ERESTARTSYS)
		goto out;
	store_caps = 0x0f;
	if (!err && plen >= 16) {
		store_caps = pg[2] & 0x0f;
		for (t = 0; t < AUTOCH_NTYPES; t++) {
			move_caps[t] = pg[4 + t] & 0x0f;
			exch_caps[t] = pg[12 + t] & 0x0f;
		}
	}

	/* Page 1Eh is optional too: without it no transport rotates. */
	err = autoch_mode_page(ach, af, 0x1e, buf, &pg, &plen);
	if (err == -ENXIO || err == -ERESTARTSYS)
		goto out;
	if (!err && range[0].count) {
		rotate = bitmap_zalloc(range[0].count, GFP_KERNEL);
		if (!rotate) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < range[0].count && 2 + 2 * i < plen; i++)
			if (pg[2 + 2 * i] & 0x01)
				__set_bit(i, rotate);
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

	mutex_lock(&ach->lock);
	swap(ach->rotate, rotate);
	for (t = 0; t < AUTOCH_NTYPES; t++)
		swap(ach->range[t], range[t]);
	memcpy(ach->move_caps, move_caps, sizeof(move_caps));
	memcpy(ach->exch_caps, exch_caps, sizeof(exch_caps));
	ach->store_caps = store_caps;
	ach->map_valid = true;
	ach->map_seq++;
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->lock);
	err = 0;
out:
	/* on success these are the old arrays, swapped out above */
	autoch_free_map(range, rotate);
	kfree(buf);
	return err;
}

/* Make sure the element map is loaded; returns with @lock held on success. */
static int autoch_lock_map(struct autoch_device *ach, struct autoch_file *af)
{
	int err;

	mutex_lock(&ach->lock);
	/* a unit attention may drop the map again before we look */
	while (!ach->map_valid) {
		mutex_unlock(&ach->lock);
		if (mutex_lock_interruptible(&ach->io_lock))
			return -ERESTARTSYS;
		mutex_lock(&ach->lock);
		err = ach->map_valid ? 0 : -EAGAIN;
		mutex_unlock(&ach->lock);
		if (err)
			err = autoch_load_map(ach, af);
		mutex_unlock(&ach->io_lock);
		if (err)
			return err;
		mutex_lock(&ach->lock);
	}
	return 0;
}

/* ---- READ ELEMENT STATUS ---- */

static bool autoch_voltag_blank(const u8 *tag)
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
static void autoch_parse_desc(struct autoch_elem *e, const u8 *d,
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
 * under @gen (when the map is still @map_seq); the one for @want is also
 * copied to @out. Returns the number of descriptors seen and the highest
 * address seen in *@last, or -EIO for a malformed reply.
 */
static int autoch_parse_res(struct autoch_device *ach, int type,
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
			autoch_parse_desc(&e, buf + pos, dlen, pvol, avol);
			e.gen = gen;
			e.when = jiffies;
			if (addr == want) {
				*out = e;
				*found = true;
			}
			if (!nseen || addr > *last)
				*last = addr;
			nseen++;

			mutex_lock(&ach->lock);
			r = &ach->range[type - 1];
			if (ach->map_seq == map_seq && r->elems &&
			    addr >= r->first && addr - r->first < r->count) {
				r->elems[addr - r->first] = e;
				r->desc_len = dlen;
			}
			mutex_unlock(&ach->lock);
		}
		pos = max(pos, pend);
	}
	return nseen;
}

static void autoch_res_cdb(struct autoch_cmd *cmd, int type, bool voltag,
			   u16 start, u16 count, unsigned int alloc)
{
	memset(cmd->cdb, 0, sizeof(cmd->cdb));
	cmd->cdb[0] = 0xb8;			/* READ ELEMENT STATUS */
	cmd->cdb[1] = (voltag ? 0x10 : 0) | type;
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
static unsigned int autoch_res_alloc(unsigned int want, bool alloc16,
				     unsigned int limit)
{
	if (want <= AUTOCH_RES_MAX_ALLOC16 || alloc16 ||
	    limit <= AUTOCH_RES_MAX_ALLOC16)
		return min3(want, limit, AUTOCH_RES_MAX_ALLOC16);
	return min3(round_up(want, SZ_64K), rounddown(limit, SZ_64K),
		    AUTOCH_RES_MAX_ALLOC);
}

/* A READ ELEMENT STATUS that succeeded but brought no report. */
static bool autoch_res_empty(const struct autoch_cmd *cmd)
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
static bool autoch_res_alloc16_reply(const struct autoch_cmd *cmd, int err)
{
	if (cmd->len <= AUTOCH_RES_MAX_ALLOC16)
		return false;
	if (err)
		return err == -EINVAL && cmd->sshdr.asc == 0x24;
	return autoch_res_empty(cmd);
}

/*
 * Read the status of @addr and the elements after it, up to 1,000 of its
 * type in one command, into the cache; copy the status of @addr to @out.
 * Called with @io_lock held.
 */
static int autoch_read_status(struct autoch_device *ach, struct autoch_file *af,
			      u16 addr, struct autoch_elem *out)
{
	struct request_queue *q = ach->sdev->request_queue;
	unsigned int map_seq, alloc, limit, count, desc_len;
	struct autoch_cmd *cmd;
	bool voltag, alloc16, found = false;
	int type, err, n;
	u32 gen;
	u16 last;

	lockdep_assert_held(&ach->io_lock);

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;

	mutex_lock(&ach->lock);
	type = autoch_type_of(ach->range, addr);
	if (!type) {
		mutex_unlock(&ach->lock);
		err = -EINVAL;
		goto out;
	}
	count = ach->range[type - 1].first + ach->range[type - 1].count - addr;
	desc_len = ach->range[type - 1].desc_len;
	map_seq = ach->map_seq;
	gen = ach->cache_gen;
	voltag = !ach->no_voltag;
	alloc16 = ach->alloc16;
	mutex_unlock(&ach->lock);

	/* a vmalloc'ed buffer may take one segment per page */
	limit = min3((u64)queue_max_hw_sectors(q) << SECTOR_SHIFT,
		     (u64)queue_max_segments(q) << PAGE_SHIFT,
		     (u64)AUTOCH_RES_MAX_ALLOC);
	count = min_t(unsigned int, count, AUTOCH_RES_MAX_ELEMS);
	alloc = autoch_res_alloc(AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN +
				 count * desc_len, alloc16, limit);

	/* autoch_send() zeroes it before every try */
	cmd->buf = kvmalloc(alloc, GFP_KERNEL);
	if (!cmd->buf) {
		err = -ENOMEM;
		goto out;
	}
	/* The allocation length always equals the buffer: tgt insists. */
	cmd->len = alloc;
	cmd->timeout = READ_ONCE(cmd_timeout) * HZ;

	autoch_res_cdb(cmd, type, voltag, addr, count, cmd->len);
	err = autoch_do_cmd(ach, af, cmd);
	if (autoch_res_alloc16_reply(cmd, err)) {
		/* Ask again within two bytes; remember it if that works. */
		cmd->len = AUTOCH_RES_MAX_ALLOC16;
		autoch_res_cdb(cmd, type, voltag, addr, count, cmd->len);
		err = autoch_do_cmd(ach, af, cmd);
		if (!err && !autoch_res_empty(cmd)) {
			dev_info(&ach->dev, "READ ELEMENT STATUS past %u bytes was refused or came back empty, asking for at most that\n",
				 AUTOCH_RES_MAX_ALLOC16);
			mutex_lock(&ach->lock);
			ach->alloc16 = true;
			mutex_unlock(&ach->lock);
		}
	}
	if (err == -EINVAL && voltag && cmd->sshdr.asc == 0x24) {
		/* Some changers refuse VOLTAG: ask without, remember it. */
		dev_info(&ach->dev, "changer refused volume tags, reading without\n");
		mutex_lock(&ach->lock);
		ach->no_voltag = true;
		mutex_unlock(&ach->lock);
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
 * (at or after @since, when that is not 0): one call never reads the same
 * chunk twice, even with the cache disabled.
 */
static bool autoch_elem_fresh(struct autoch_device *ach,
			      const struct autoch_elem *e, unsigned long since)
{
	unsigned int ms = READ_ONCE(cache_ms);

	lockdep_assert_held(&ach->lock);
	if (e->gen != ach->cache_gen)
		return false;
	if (since && time_after_eq(e->when, since))
		return true;
	return ms && time_before(jiffies, e->when + msecs_to_jiffies(ms));
}

/*
 * The status of one element, from the cache when it is fresh; @since as
 * for autoch_elem_fresh().
 */
static int autoch_get_status(struct autoch_device *ach, struct autoch_file *af,
			     u16 addr, unsigned long since,
			     struct autoch_elem *out, int *typep)
{
	struct autoch_range *r;
	int type, err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	type = autoch_type_of(ach->range, addr);
	if (!type) {
		mutex_unlock(&ach->lock);
		return -EINVAL;
	}
	*typep = type;
	r = &ach->range[type - 1];
	if (autoch_elem_fresh(ach, &r->elems[addr - r->first], since)) {
		*out = r->elems[addr - r->first];
		mutex_unlock(&ach->lock);
		return 0;
	}
	mutex_unlock(&ach->lock);

	if (mutex_lock_interruptible(&ach->io_lock))
		return -ERESTARTSYS;

	/* Someone may have read it while we waited for the lock. */
	mutex_lock(&ach->lock);
	err = -EAGAIN;
	if (ach->map_valid && autoch_type_of(ach->range, addr) == type) {
		r = &ach->range[type - 1];
		if (autoch_elem_fresh(ach, &r->elems[addr - r->first],
				      since)) {
			*out = r->elems[addr - r->first];
			err = 0;
		}
	}
	mutex_unlock(&ach->lock);

	if (err == -EAGAIN)
		err = autoch_read_status(ach, af, addr, out);
	mutex_unlock(&ach->io_lock);
	return err;
}

static void autoch_fill_status(struct element_status *es, u16 addr, int type,
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

/* ---- ioctl handlers ---- */

static struct autoch_resv *autoch_find_resv(struct autoch_device *ach, u16 addr)
{
	struct autoch_resv *r;

	lockdep_assert_held(&ach->lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->element == addr)
			return r;
	return NULL;
}

static bool autoch_others_hold_elements(struct autoch_device *ach,
					struct autoch_file *af)
{
	struct autoch_resv *r;

	lockdep_assert_held(&ach->lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->owner != af)
			return true;
	return false;
}

/* Has another file a move or exchange in flight on @addr (on any, < 0)? */
static bool autoch_busy_by_others(struct autoch_device *ach,
				  struct autoch_file *af, int addr)
{
	struct autoch_busy *b;
	unsigned int i;

	lockdep_assert_held(&ach->lock);
	list_for_each_entry(b, &ach->busy, node) {
		if (b->owner == af)
			continue;
		if (addr < 0)
			return true;
		for (i = 0; i < b->n; i++)
			if (b->addrs[i] == addr)
				return true;
	}
	return false;
}

/*
 * May @af act on these elements? Not when another open file holds the
 * unit or one of them (HP-UX: EBUSY). Called with @lock held.
 */
static int autoch_check_reserved(struct autoch_device *ach,
				 struct autoch_file *af,
				 const u16 *addrs, unsigned int n)
{
	struct autoch_resv *r;
	unsigned int i;

	lockdep_assert_held(&ach->lock);
	if (ach->unit_owner && ach->unit_owner != af)
		return -EBUSY;
	for (i = 0; i < n; i++) {
		r = autoch_find_resv(ach, addrs[i]);
		if (r && r->owner != af)
			return -EBUSY;
	}
	return 0;
}

/* One command; its decoded sense in *@sshdr when that is not NULL. */
static int autoch_simple_cmd_sense(struct autoch_device *ach,
				   struct autoch_file *af, const u8 *cdb,
				   unsigned int cdb_len, void *data,
				   unsigned int data_len, unsigned int timeout_s,
				   struct scsi_sense_hdr *sshdr)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	memcpy(cmd->cdb, cdb, cdb_len);
	cmd->cdb_len = cdb_len;
	if (data_len) {
		cmd->buf = kmemdup(data, data_len, GFP_KERNEL);
		if (!cmd->buf) {
			kfree(cmd);
			return -ENOMEM;
		}
		cmd->data = data;
		cmd->len = data_len;
		cmd->write = true;
	}
	cmd->timeout = timeout_s * HZ;
	err = autoch_do_cmd(ach, af, cmd);
	if (sshdr)
		*sshdr = cmd->sshdr;
	kfree(cmd->buf);
	kfree(cmd);
	return err;
}

static int autoch_simple_cmd(struct autoch_device *ach, struct autoch_file *af,
			     const u8 *cdb, unsigned int cdb_len, void *data,
			     unsigned int data_len, unsigned int timeout_s)
{
	return autoch_simple_cmd_sense(ach, af, cdb, cdb_len, data, data_len,
				       timeout_s, NULL);
}

static int autoch_ioctl_init_elem_stat(struct autoch_device *ach,
				       struct autoch_file *af)
{
	static const u8 cdb[6] = { 0x07 };	/* INITIALIZE ELEMENT STATUS */
	int err;

	/* it touches every element: not while someone else reserved one */
	mutex_lock(&ach->lock);
	err = autoch_check_reserved(ach, af, NULL, 0);
	if (!err && autoch_others_hold_elements(ach, af))
		err = -EBUSY;
	mutex_unlock(&ach->lock);
	if (err)
		return err;

	err = autoch_simple_cmd(ach, af, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(init_timeout));
	/* success or not, the inventory may have changed what we know */
	mutex_lock(&ach->lock);
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->lock);
	if (!err)
		autoch_post_event(ach, AUTOCH_EVENT_INVENTORY);
	return err;
}

static int autoch_ioctl_element_addresses(struct autoch_device *ach,
					  struct autoch_file *af,
					  void __user *argp)
{
	struct element_addresses ea = {};
	int err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ea.first_transport = ach->range[AUTOCH_MT - 1].first;
	ea.num_transports = ach->range[AUTOCH_MT - 1].count;
	ea.first_storage = ach->range[AUTOCH_ST - 1].first;
	ea.num_storages = ach->range[AUTOCH_ST - 1].count;
	ea.first_import_export = ach->range[AUTOCH_IE - 1].first;
	ea.num_import_exports = ach->range[AUTOCH_IE - 1].count;
	ea.first_data_transfer = ach->range[AUTOCH_DT - 1].first;
	ea.num_data_transfers = ach->range[AUTOCH_DT - 1].count;
	mutex_unlock(&ach->lock);

	if (copy_to_user(argp, &ea, sizeof(ea)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_element_status(struct autoch_device *ach,
				       struct autoch_file *af,
				       void __user *argp)
{
	struct element_status es;
	struct autoch_elem e;
	int type, err;
	u16 addr;

	if (get_user(addr, (u16 __user *)argp))
		return -EFAULT;
	/* the whole struct must be writable before anything is sent */
	if (!access_ok(argp, sizeof(es)))
		return -EFAULT;

	err = autoch_get_status(ach, af, addr, 0, &e, &type);
	if (err)
		return err;

	autoch_fill_status(&es, addr, type, &e);
	if (copy_to_user(argp, &es, sizeof(es)))
		return -EFAULT;
	return 0;
}

/*
 * Check a move or exchange leg against the element map and page 1Fh;
 * called with @lock held and the map loaded.
 */
static bool autoch_leg_ok(struct autoch_device *ach, const u8 *caps,
			  u16 from, u16 to)
{
	int ft = autoch_type_of(ach->range, from);
	int tt = autoch_type_of(ach->range, to);

	lockdep_assert_held(&ach->lock);
	return ft && tt && (caps[ft - 1] & BIT(tt - 1));
}

static bool autoch_transport_ok(struct autoch_device *ach, u16 transport,
				bool invert)
{
	const struct autoch_range *mt = &ach->range[AUTOCH_MT - 1];

	lockdep_assert_held(&ach->lock);
	if (autoch_type_of(ach->range, transport) != AUTOCH_MT)
		return false;
	/* page 1Eh: only a transport that can rotate may invert */
	return !invert ||
	       (ach->rotate && test_bit(transport - mt->first, ach->rotate));
}

/* @b passed the reservation check: from now on it counts as in flight. */
static void autoch_busy_start(struct autoch_device *ach, struct autoch_busy *b,
			      struct autoch_file *af, const u16 *addrs,
			      unsigned int n)
{
	lockdep_assert_held(&ach->lock);
	b->owner = af;
	b->addrs = addrs;
	b->n = n;
	list_add_tail(&b->node, &ach->busy);
}

static void autoch_moved(struct autoch_device *ach, struct autoch_busy *b)
{
	mutex_lock(&ach->lock);
	list_del(&b->node);
	/* Success or failure, the robot may have touched the elements. */
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->lock);
}

static int autoch_ioctl_move_medium(struct autoch_device *ach,
				    struct autoch_file *af, void __user *argp)
{
	struct move_medium_parms mp;
	u8 cdb[12] = { 0xa5 };		/* MOVE MEDIUM */
	struct autoch_busy busy;
	u16 addrs[3];
	bool ok;
	int err;

	if (copy_from_user(&mp, argp, sizeof(mp)))
		return -EFAULT;
	addrs[0] = mp.transport;
	addrs[1] = mp.source;
	addrs[2] = mp.destination;
	/* mp.resv is padding HP-UX programs never set: ignored */
	if (mp.invert > 1)
		return -EINVAL;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ok = autoch_transport_ok(ach, mp.transport, mp.invert) &&
	     autoch_leg_ok(ach, ach->move_caps, mp.source, mp.destination);
	err = autoch_check_reserved(ach, af, addrs, ARRAY_SIZE(addrs));
	if (ok && !err)
		autoch_busy_start(ach, &busy, af, addrs, ARRAY_SIZE(addrs));
	mutex_unlock(&ach->lock);
	if (!ok)
		return -EINVAL;
	if (err)
		return err;

	put_unaligned_be16(mp.transport, cdb + 2);
	put_unaligned_be16(mp.source, cdb + 4);
	put_unaligned_be16(mp.destination, cdb + 6);
	cdb[10] = mp.invert;
	err = autoch_simple_cmd(ach, af, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(move_timeout));
	autoch_moved(ach, &busy);
	return err;
}

static int autoch_ioctl_exchange_medium(struct autoch_device *ach,
					struct autoch_file *af,
					void __user *argp)
{
	struct exchange_medium_parms xp;
	u8 cdb[12] = { 0xa6 };		/* EXCHANGE MEDIUM */
	struct autoch_busy busy;
	bool ok, nocaps;
	u16 addrs[4];
	int err;

	if (copy_from_user(&xp, argp, sizeof(xp)))
		return -EFAULT;
	addrs[0] = xp.transport;
	addrs[1] = xp.source;
	addrs[2] = xp.first_destination;
	addrs[3] = xp.second_destination;
	if (xp.invert_first > 1 || xp.invert_second > 1)
		return -EINVAL;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ok = autoch_transport_ok(ach, xp.transport,
				 xp.invert_first || xp.invert_second) &&
	     autoch_type_of(ach->range, xp.source) &&
	     autoch_type_of(ach->range, xp.first_destination) &&
	     autoch_type_of(ach->range, xp.second_destination);
	/* page 1Fh: a changer that exchanges nothing (a SuperLoader) */
	nocaps = !(ach->exch_caps[0] | ach->exch_caps[1] |
		   ach->exch_caps[2] | ach->exch_caps[3]);
	if (ok && !nocaps)
		ok = autoch_leg_ok(ach, ach->exch_caps, xp.source,
				   xp.first_destination);
	err = autoch_check_reserved(ach, af, addrs, ARRAY_SIZE(addrs));
	if (ok && !nocaps && !err)
		autoch_busy_start(ach, &busy, af, addrs, ARRAY_SIZE(addrs));
	mutex_unlock(&ach->lock);
	if (!ok)
		return -EINVAL;
	if (nocaps)
		return -EOPNOTSUPP;
	if (err)
		return err;

	put_unaligned_be16(xp.transport, cdb + 2);
	put_unaligned_be16(xp.source, cdb + 4);
	put_unaligned_be16(xp.first_destination, cdb + 6);
	put_unaligned_be16(xp.second_destination, cdb + 8);
	cdb[10] = (xp.invert_second << 1) | xp.invert_first;
	err = autoch_simple_cmd(ach, af, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(move_timeout));
	autoch_moved(ach, &busy);
	return err;
}

/* ---- reservations ---- */

/*
 * RESERVE/RELEASE (ELEMENT) on the device, in the 6-byte form (SMC-2
 * 6.7/6.8) or, where the device does not know it, the 10-byte form.
 * Returns -EOPNOTSUPP when the device has neither, or refuses the Element
 * bit of a reservation (24/00: unit reservations only).
 */
static int autoch_dev_resv(struct autoch_device *ach, struct autoch_file *af,
			   bool reserve, bool element, u16 addr, u8 id)
{
	u8 list[6] = {}, cdb[10] = {};
	struct scsi_sense_hdr sshdr;
	bool try6, try10;
	int err;

	mutex_lock(&ach->lock);
	try6 = !ach->no_resv6;
	try10 = !ach->no_resv10;
	mutex_unlock(&ach->lock);

	/* one element list descriptor: two reserved bytes, count 1, address */
	put_unaligned_be16(1, list + 2);
	put_unaligned_be16(addr, list + 4);

	if (try6) {
		cdb[0] = reserve ? RESERVE : RELEASE;
		cdb[1] = element;
		cdb[2] = element ? id : 0;
		if (reserve && element)
			put_unaligned_be16(sizeof(list), cdb + 3);
		err = autoch_simple_cmd_sense(ach, af, cdb, 6,
					      reserve && element ? list : NULL,
					      reserve && element ? sizeof(list) : 0,
					      READ_ONCE(cmd_timeout), &sshdr);
		if (reserve && element && err == -EINVAL && sshdr.asc == 0x24)
			return -EOPNOTSUPP;
		if (err != -EOPNOTSUPP)
			return err;
		mutex_lock(&ach->lock);
		ach->no_resv6 = true;
		mutex_unlock(&ach->lock);
	}
	if (try10) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = reserve ? RESERVE_10 : RELEASE_10;
		cdb[1] = element;
		cdb[2] = element ? id : 0;
		if (reserve && element)
			put_unaligned_be16(sizeof(list), cdb + 7);
		err = autoch_simple_cmd_sense(ach, af, cdb, 10,
					      reserve && element ? list : NULL,
					      reserve && element ? sizeof(list) : 0,
					      READ_ONCE(cmd_timeout), &sshdr);
		if (reserve && element && err == -EINVAL && sshdr.asc == 0x24)
			return -EOPNOTSUPP;
		if (err != -EOPNOTSUPP)
			return err;
		mutex_lock(&ach->lock);
		ach->no_resv10 = true;
		mutex_unlock(&ach->lock);
	}
	return -EOPNOTSUPP;
}

/*
 * Take one more reference on the device's unit reservation, reserving the
 * unit when nothing held it yet. Returns whether the device holds it (false:
 * the changer has no reservations at all) or an errno.
 */
static int autoch_unit_get(struct autoch_device *ach, struct autoch_file *af)
{
	bool held;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	held = ach->unit_on_device;
	if (held)
		ach->unit_refs++;
	mutex_unlock(&ach->lock);
	if (held)
		return 1;

	err = autoch_dev_resv(ach, af, true, false, 0, 0);
	if (err == -EOPNOTSUPP)
		return 0;
	if (err)
		return err;
	mutex_lock(&ach->lock);
	ach->unit_on_device = true;
	ach->unit_refs = 1;
	mutex_unlock(&ach->lock);
	return 1;
}

/*
 * A RELEASE without the Element bit dropped every reservation this
 * initiator held on the device (SMC-2 6.8): take the element ones again.
 */
static void autoch_rereserve(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_resv *r;
	unsigned int n = 0, i;
	u16 *addrs;
	u8 *ids;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	/*
	 * Copy what to send: a reset met by one of these commands empties
	 * the table under @lock alone.
	 */
	addrs = kmalloc_array(AUTOCH_DEV_RESV_IDS, sizeof(*addrs), GFP_KERNEL);
	ids = kmalloc(AUTOCH_DEV_RESV_IDS, GFP_KERNEL);
	if (!addrs || !ids)
		goto out;
	mutex_lock(&ach->lock);
	list_for_each_entry(r, &ach->resv, node) {
		if (r->how != AUTOCH_RESV_ELEMENT || n == AUTOCH_DEV_RESV_IDS)
			continue;
		addrs[n] = r->element;
		ids[n++] = r->dev_id;
	}
	mutex_unlock(&ach->lock);

	for (i = 0; i < n; i++) {
		err = autoch_dev_resv(ach, af, true, true, addrs[i], ids[i]);
		if (err)
			dev_warn_ratelimited(&ach->dev,
					     "element %u not reserved again: %d\n",
					     addrs[i], err);
	}
out:
	kfree(ids);
	kfree(addrs);
}

static int autoch_unit_put(struct autoch_device *ach, struct autoch_file *af)
{
	bool release = false;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	/* a reset may have taken the reservation away meanwhile */
	if (ach->unit_on_device && !--ach->unit_refs) {
		ach->unit_on_device = false;
		release = true;
	}
	mutex_unlock(&ach->lock);
	if (!release || autoch_is_dead(ach))
		return 0;
	err = autoch_dev_resv(ach, af, false, false, 0, 0);
	autoch_rereserve(ach, af);
	return err;
}

static void autoch_clear_lost(struct autoch_device *ach, struct autoch_file *af)
{
	lockdep_assert_held(&ach->lock);
	af->unit_lost = false;
	af->nlost = 0;
}

/*
 * RELEASE one element reservation on the device. When the device refuses,
 * the reservation is kept on @stale with its identification, so that it is
 * neither reused nor forgotten while the changer still holds it: false.
 * A reset (ECONNRESET) or a removed device ends it as a success would.
 */
static bool autoch_release_dev_id(struct autoch_device *ach,
				  struct autoch_file *af, struct autoch_resv *r,
				  int *errp)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (!autoch_is_dead(ach))
		err = autoch_dev_resv(ach, af, false, true, r->element,
				      r->dev_id);
	*errp = err;
	mutex_lock(&ach->lock);
	if (err && err != -ECONNRESET && err != -ENXIO && !ach->dead) {
		r->owner = NULL;
		list_add_tail(&r->node, &ach->stale);
		mutex_unlock(&ach->lock);
		dev_warn_ratelimited(&ach->dev,
				     "element %u: RELEASE failed (%d), kept to retry\n",
				     r->element, err);
		return false;
	}
	/* a reset meanwhile emptied the bitmap: nothing of ours to clear */
	if (err != -ECONNRESET)
		__clear_bit(r->dev_id, ach->dev_ids);
	mutex_unlock(&ach->lock);
	return true;
}

/* Send again the RELEASEs the device refused before; under @resv_lock. */
static void autoch_retry_stale(struct autoch_device *ach)
{
	struct autoch_resv *r;
	LIST_HEAD(todo);
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	list_splice_init(&ach->stale, &todo);
	mutex_unlock(&ach->lock);
	while (!list_empty(&todo)) {
		r = list_first_entry(&todo, struct autoch_resv, node);
		list_del(&r->node);
		if (autoch_release_dev_id(ach, NULL, r, &err)) {
			dev_info_ratelimited(&ach->dev,
					     "element %u: RELEASE sent again: %d\n",
					     r->element, err);
			kfree(r);
		}
	}
}

/* Drop @r, which the caller took off the list, on the device too. */
static int autoch_drop_resv(struct autoch_device *ach, struct autoch_file *af,
			    struct autoch_resv *r)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	if (r->how == AUTOCH_RESV_ELEMENT) {
		if (!autoch_release_dev_id(ach, af, r, &err))
			return err;	/* @r is on @stale now */
	} else if (r->how == AUTOCH_RESV_UNIT) {
		err = autoch_unit_put(ach, af);
	}
	kfree(r);
	return err;
}

static int autoch_reserve_element(struct autoch_device *ach,
				  struct autoch_file *af, u16 addr, u8 id)
{
	struct autoch_resv *r, *old;
	unsigned int held = 0;
	bool elem_ok;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	list_for_each_entry(r, &ach->resv, node)
		if (r->owner == af && r->how == AUTOCH_RESV_ELEMENT)
			held++;
	err = 0;
	if ((ach->unit_owner && ach->unit_owner != af) ||
	    autoch_busy_by_others(ach, af, addr)) {
		err = -EBUSY;
	} else {
		old = autoch_find_resv(ach, addr);
		if (old)
			err = old->owner == af && old->id == id ? 1 : -EBUSY;
	}
	elem_ok = !ach->no_elem_resv;
	mutex_unlock(&ach->lock);
	if (err)
		return min(err, 0);	/* 1: nothing to do */

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->owner = af;
	r->element = addr;
	r->id = id;

	err = -EOPNOTSUPP;
	if (elem_ok && held >= AUTOCH_FILE_RESV_IDS) {
		kfree(r);
		return -ENOSPC;
	}
	if (elem_ok) {
		mutex_lock(&ach->lock);
		err = find_first_zero_bit(ach->dev_ids, AUTOCH_DEV_RESV_IDS);
		if (err < AUTOCH_DEV_RESV_IDS) {
			__set_bit(err, ach->dev_ids);
			r->dev_id = err;
			err = 0;
		}
		mutex_unlock(&ach->lock);
		/* 256 elements reserved at once: that many is a conflict */
		if (err) {
			kfree(r);
			return -EBUSY;
		}
		err = autoch_dev_resv(ach, af, true, true, addr, r->dev_id);
		if (err) {
			mutex_lock(&ach->lock);
			__clear_bit(r->dev_id, ach->dev_ids);
			mutex_unlock(&ach->lock);
		}
		/* no RESERVE, or 24/00 for the Element bit: unit only */
		if (err == -EOPNOTSUPP) {
			mutex_lock(&ach->lock);
			ach->no_elem_resv = true;
			mutex_unlock(&ach->lock);
			err = -EOPNOTSUPP;
		}
	}
	if (!err) {
		r->how = AUTOCH_RESV_ELEMENT;
	} else if (err == -EOPNOTSUPP) {
		err = autoch_unit_get(ach, af);
		if (err < 0)
			goto err_free;
		r->how = err ? AUTOCH_RESV_UNIT : AUTOCH_RESV_LOCAL;
	} else {
		goto err_free;
	}

	/*
	 * A move that passed its check while the device was reserving must
	 * not land on a reserved element; one checked from now on sees @r.
	 */
	mutex_lock(&ach->lock);
	if (autoch_busy_by_others(ach, af, addr)) {
		mutex_unlock(&ach->lock);
		autoch_drop_resv(ach, af, r);
		return -EBUSY;
	}
	list_add_tail(&r->node, &ach->resv);
	autoch_clear_lost(ach, af);
	/*
	 * What the cache says of the element may predate another host's
	 * last move; from now on nobody else can change it, so the next
	 * status read after SIOC_RESERVE goes to the changer.
	 */
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->lock);
	return 0;

err_free:
	kfree(r);
	return err;
}

static int autoch_release_element(struct autoch_device *ach,
				  struct autoch_file *af, u16 addr, u8 id)
{
	struct autoch_resv *r;
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	r = autoch_find_resv(ach, addr);
	if (!r)
		err = 1;		/* nothing to release: not an error */
	else if (r->owner != af || r->id != id)
		err = -EBUSY;
	else
		list_del(&r->node);
	mutex_unlock(&ach->lock);
	if (err)
		return min(err, 0);	/* 1: nothing to do */
	return autoch_drop_resv(ach, af, r);
}

static int autoch_reserve_unit(struct autoch_device *ach, struct autoch_file *af)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	if (ach->unit_owner == af)
		err = 1;
	else if (ach->unit_owner || autoch_others_hold_elements(ach, af) ||
		 autoch_busy_by_others(ach, af, -1))
		err = -EBUSY;
	mutex_unlock(&ach->lock);
	if (err)
		return min(err, 0);	/* 1: nothing to do */

	err = autoch_unit_get(ach, af);
	if (err < 0)
		return err;
	/* as for an element: no move of another file may still be on its way */
	mutex_lock(&ach->lock);
	if (autoch_busy_by_others(ach, af, -1)) {
		mutex_unlock(&ach->lock);
		if (err)
			autoch_unit_put(ach, af);
		return -EBUSY;
	}
	ach->unit_owner = af;
	autoch_clear_lost(ach, af);
	autoch_drop_cache(ach, false);
	mutex_unlock(&ach->lock);
	return 0;
}

static int autoch_release_unit(struct autoch_device *ach, struct autoch_file *af)
{
	int err = 0;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	if (!ach->unit_owner)
		err = 1;
	else if (ach->unit_owner != af)
		err = -EBUSY;
	else
		ach->unit_owner = NULL;
	mutex_unlock(&ach->lock);
	if (err)
		return min(err, 0);	/* 1: nothing to do */
	return autoch_unit_put(ach, af);
}

static int autoch_ioctl_reserve(struct autoch_device *ach,
				struct autoch_file *af, void __user *argp,
				bool reserve)
{
	struct reservation_parms rp;
	bool ok;
	int err;

	if (copy_from_user(&rp, argp, sizeof(rp)))
		return -EFAULT;
	if (rp.all_elements > 1)
		return -EINVAL;
	if (rp.all_elements && (rp.element || rp.identification))
		return -EINVAL;

	if (!rp.all_elements) {
		err = autoch_lock_map(ach, af);
		if (err)
			return err;
		ok = autoch_type_of(ach->range, rp.element);
		mutex_unlock(&ach->lock);
		if (!ok)
			return -EINVAL;
	}

	if (mutex_lock_interruptible(&ach->resv_lock))
		return -ERESTARTSYS;
	autoch_retry_stale(ach);
	if (rp.all_elements)
		err = reserve ? autoch_reserve_unit(ach, af) :
				autoch_release_unit(ach, af);
	else
		err = reserve ? autoch_reserve_element(ach, af, rp.element,
						       rp.identification) :
				autoch_release_element(ach, af, rp.element,
						       rp.identification);
	mutex_unlock(&ach->resv_lock);
	return err;
}

/*
 * A closing file that prevented medium removal: ALLOW when it was the
 * last, so that a crashed job does not leave the mail slots locked.
 */
static void autoch_allow_on_close(struct autoch_device *ach,
				  struct autoch_file *af)
{
	u8 cdb[6] = { ALLOW_MEDIUM_REMOVAL };
	bool send;
	int err;

	lockdep_assert_held(&ach->resv_lock);

	mutex_lock(&ach->lock);
	send = af->prevents && ach->preventers == 1 && !ach->dead;
	if (af->prevents) {
		af->prevents = false;
		ach->preventers--;
	}
	mutex_unlock(&ach->lock);
	if (!send)
		return;
	err = autoch_simple_cmd(ach, NULL, cdb, sizeof(cdb), NULL, 0,
				READ_ONCE(cmd_timeout));
	if (err)
		dev_warn_ratelimited(&ach->dev,
				     "ALLOW MEDIUM REMOVAL at close failed: %d\n",
				     err);
}

/* Everything @af holds goes when it is closed. */
static void autoch_release_all(struct autoch_device *ach, struct autoch_file *af)
{
	struct autoch_resv *r, *tmp;
	LIST_HEAD(mine);
	bool unit;

	mutex_lock(&ach->resv_lock);
	mutex_lock(&ach->lock);
	list_for_each_entry_safe(r, tmp, &ach->resv, node)
		if (r->owner == af)
			list_move_tail(&r->node, &mine);
	unit = ach->unit_owner == af;
	if (unit)
		ach->unit_owner = NULL;
	mutex_unlock(&ach->lock);

	autoch_allow_on_close(ach, af);
	mutex_lock(&ach->lock);
	list_del(&af->node);
	mutex_unlock(&ach->lock);

	list_for_each_entry_safe(r, tmp, &mine, node) {
		list_del(&r->node);
		autoch_drop_resv(ach, NULL, r);
	}
	if (unit)
		autoch_unit_put(ach, NULL);
	autoch_retry_stale(ach);
	mutex_unlock(&ach->resv_lock);
}

static int autoch_ioctl_reservations(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct autoch_reservation_state *st;
	struct autoch_resv *r;
	int err = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;

	mutex_lock(&ach->lock);
	st->unit = ach->unit_owner == af;
	st->unit_lost = af->unit_lost;
	list_for_each_entry(r, &ach->resv, node) {
		if (r->owner != af)
			continue;
		if (st->num_elements < AUTOCH_MAX_RESERVED)
			st->elements[st->num_elements] = r->element;
		st->num_elements++;
	}
	st->num_lost = af->nlost;
	memcpy(st->lost, af->lost,
	       min_t(unsigned int, af->nlost, AUTOCH_MAX_RESERVED) * sizeof(u16));
	mutex_unlock(&ach->lock);

	if (copy_to_user(argp, st, sizeof(*st)))
		err = -EFAULT;
	kfree(st);
	return err;
}

/* ---- persistent reservations (SPC-4 6.15, 6.16; <linux/pr.h>) ---- */

static const u8 autoch_pr_types[] = {
	[PR_WRITE_EXCLUSIVE] = 0x01,
	[PR_EXCLUSIVE_ACCESS] = 0x03,
	[PR_WRITE_EXCLUSIVE_REG_ONLY] = 0x05,
	[PR_EXCLUSIVE_ACCESS_REG_ONLY] = 0x06,
	[PR_WRITE_EXCLUSIVE_ALL_REGS] = 0x07,
	[PR_EXCLUSIVE_ACCESS_ALL_REGS] = 0x08,
};

static int autoch_pr_type_to_scsi(u32 type)
{
	if (type >= ARRAY_SIZE(autoch_pr_types) || !autoch_pr_types[type])
		return -EINVAL;
	return autoch_pr_types[type];
}

static u32 autoch_pr_type_from_scsi(u8 scsi_type)
{
	u32 t;

	for (t = 0; t < ARRAY_SIZE(autoch_pr_types); t++)
		if (autoch_pr_types[t] && autoch_pr_types[t] == scsi_type)
			return t;
	return 0;
}

static int autoch_pr_out(struct autoch_device *ach, struct autoch_file *af,
			 u8 sa, u8 scsi_type, u64 key, u64 sa_key)
{
	u8 cdb[10] = { PERSISTENT_RESERVE_OUT, sa, scsi_type };
	u8 param[AUTOCH_PR_PARAM_LEN] = {};

	put_unaligned_be32(sizeof(param), cdb + 5);
	put_unaligned_be64(key, param);
	put_unaligned_be64(sa_key, param + 8);
	return autoch_simple_cmd(ach, af, cdb, sizeof(cdb), param,
				 sizeof(param), READ_ONCE(cmd_timeout));
}

/*
 * What reaches beyond this host or outlives the file (persistent
 * reservations, PREVENT MEDIUM REMOVAL) needs a descriptor opened for
 * writing, or CAP_SYS_ADMIN as block devices ask for PR ioctls.
 */
static bool autoch_may_write(const struct autoch_file *af)
{
	return af->may_write || capable(CAP_SYS_ADMIN);
}

static int autoch_ioctl_pr(struct autoch_device *ach, struct autoch_file *af,
			   unsigned int cmd, void __user *argp)
{
	int type;

	if (!autoch_may_write(af))
		return -EPERM;

	switch (cmd) {
	case IOC_PR_REGISTER: {
		struct pr_registration reg;

		if (copy_from_user(&reg, argp, sizeof(reg)))
			return -EFAULT;
		if (reg.flags & ~PR_FL_IGNORE_KEY)
			return -EOPNOTSUPP;
		if (reg.__pad)
			return -EINVAL;
		return autoch_pr_out(ach, af,
				     reg.flags & PR_FL_IGNORE_KEY ? 0x06 : 0x00,
				     0, reg.old_key, reg.new_key);
	}
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE: {
		struct pr_reservation rsv;

		if (copy_from_user(&rsv, argp, sizeof(rsv)))
			return -EFAULT;
		if (rsv.flags)
			return -EOPNOTSUPP;
		type = autoch_pr_type_to_scsi(rsv.type);
		if (type < 0)
			return type;
		return autoch_pr_out(ach, af, cmd == IOC_PR_RESERVE ? 0x01 : 0x02,
				     type, rsv.key, 0);
	}
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT: {
		struct pr_preempt p;

		if (copy_from_user(&p, argp, sizeof(p)))
			return -EFAULT;
		if (p.flags)
			return -EOPNOTSUPP;
		type = autoch_pr_type_to_scsi(p.type);
		if (type < 0)
			return type;
		return autoch_pr_out(ach, af,
				     cmd == IOC_PR_PREEMPT ? 0x04 : 0x05,
				     type, p.old_key, p.new_key);
	}
	case IOC_PR_CLEAR: {
		struct pr_clear c;

		if (copy_from_user(&c, argp, sizeof(c)))
			return -EFAULT;
		if (c.flags)
			return -EOPNOTSUPP;
		if (c.__pad)
			return -EINVAL;
		return autoch_pr_out(ach, af, 0x03, 0, c.key, 0);
	}
	}
	return -ENOTTY;
}

/*
 * PERSISTENT RESERVE IN into a fresh buffer of @len bytes; *@availp is
 * what arrived (the rest of the buffer is zero).
 */
static int autoch_pr_in(struct autoch_device *ach, struct autoch_file *af,
			u8 sa, unsigned int len, u8 **bufp,
			unsigned int *availp)
{
	struct autoch_cmd *cmd;
	int err;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->buf = kzalloc(len, GFP_KERNEL);
	if (!cmd->buf) {
		kfree(cmd);
		return -ENOMEM;
	}
	cmd->cdb[0] = PERSISTENT_RESERVE_IN;
	cmd->cdb[1] = sa;
	put_unaligned_be16(len, cmd->cdb + 7);
	cmd->cdb_len = 10;
	cmd->len = len;
	cmd->timeout = READ_ONCE(cmd_timeout) * HZ;
	err = autoch_do_cmd(ach, af, cmd);
	if (err) {
		kfree(cmd->buf);
	} else {
		*bufp = cmd->buf;
		*availp = autoch_cmd_avail(cmd);
	}
	kfree(cmd);
	return err;
}

static int autoch_ioctl_pr_read_keys(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct pr_read_keys rk;
	unsigned int len, avail, total, n, i;
	u64 __user *keys;
	u8 *buf;
	int err;

	if (copy_from_user(&rk, argp, sizeof(rk)))
		return -EFAULT;
	keys = u64_to_user_ptr(rk.keys_ptr);

	/* the 16-bit allocation length bounds what one command returns */
	len = 8 + 8 * min_t(u32, rk.num_keys, (U16_MAX - 8) / 8);
	err = autoch_pr_in(ach, af, 0x00, len, &buf, &avail);
	if (err)
		return err;

	/* the keys the header announces, up to the buffer, must have come */
	err = -EIO;
	if (avail < 8 ||
	    avail < min_t(u64, len, 8ULL + get_unaligned_be32(buf + 4)))
		goto out;
	err = 0;
	total = get_unaligned_be32(buf + 4) / 8;
	n = min3(total, rk.num_keys, (len - 8) / 8);
	for (i = 0; i < n; i++) {
		if (put_user(get_unaligned_be64(buf + 8 + 8 * i), keys + i)) {
			err = -EFAULT;
			goto out;
		}
	}
	rk.generation = get_unaligned_be32(buf);
	rk.num_keys = total;
	if (copy_to_user(argp, &rk, sizeof(rk)))
		err = -EFAULT;
out:
	kfree(buf);
	return err;
}

static int autoch_ioctl_pr_read_reservation(struct autoch_device *ach,
					    struct autoch_file *af,
					    void __user *argp)
{
	struct pr_read_reservation rr = {};
	unsigned int avail;
	u8 *buf;
	int err;

	err = autoch_pr_in(ach, af, 0x01, 24, &buf, &avail);
	if (err)
		return err;
	if (avail < 8 || (get_unaligned_be32(buf + 4) >= 16 && avail < 24)) {
		kfree(buf);
		return -EIO;
	}
	rr.generation = get_unaligned_be32(buf);
	if (get_unaligned_be32(buf + 4) >= 16) {
		rr.key = get_unaligned_be64(buf + 8);
		rr.type = autoch_pr_type_from_scsi(buf[21] & 0x0f);
	}
	kfree(buf);
	if (copy_to_user(argp, &rr, sizeof(rr)))
		return -EFAULT;
	return 0;
}

/* ---- Linux extensions ---- */

static int autoch_ioctl_status_range(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct element_status __user *out;
	struct autoch_status_range sr;
	struct element_status es;
	struct autoch_elem e;
	unsigned long since;
	unsigned int i;
	int type, err;
	bool ok;

	if (copy_from_user(&sr, argp, sizeof(sr)))
		return -EFAULT;
	if (sr.flags || !sr.count || sr.first + sr.count - 1 > U16_MAX)
		return -EINVAL;
	out = u64_to_user_ptr(sr.statuses);
	if (!access_ok(out, array_size(sr.count, sizeof(es))))
		return -EFAULT;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	ok = true;
	for (i = 0; i < sr.count && ok; i++)
		ok = autoch_type_of(ach->range, sr.first + i);
	mutex_unlock(&ach->lock);
	if (!ok)
		return -EINVAL;

	/* 0 means "no call": a jiffies value of 0 is taken as 1 */
	since = jiffies ?: 1;
	for (i = 0; i < sr.count; i++) {
		if (fatal_signal_pending(current))
			return -EINTR;
		err = autoch_get_status(ach, af, sr.first + i, since, &e,
					&type);
		if (err)
			return err;
		autoch_fill_status(&es, sr.first + i, type, &e);
		if (copy_to_user(out + i, &es, sizeof(es)))
			return -EFAULT;
	}
	return 0;
}

static int autoch_ioctl_prevent_allow(struct autoch_device *ach,
				      struct autoch_file *af, void __user *argp)
{
	u8 cdb[6] = { ALLOW_MEDIUM_REMOVAL };
	u32 prevent;
	int err;

	if (get_user(prevent, (u32 __user *)argp))
		return -EFAULT;
	if (prevent > 1)
		return -EINVAL;
	if (!autoch_may_write(af))
		return -EPERM;

	if (mutex_lock_interruptible(&ach->resv_lock))
		return -ERESTARTSYS;
	mutex_lock(&ach->lock);
	err = ach->unit_owner && ach->unit_owner != af ? -EBUSY : 0;
	/*
	 * The device keeps one state per initiator: ALLOW goes to it only
	 * when no other file of this host prevents removal.
	 */
	if (!err && !prevent &&
	    ach->preventers > (af->prevents ? 1 : 0)) {
		if (af->prevents) {
			af->prevents = false;
			ach->preventers--;
		}
		err = 1;
	}
	mutex_unlock(&ach->lock);
	if (!err) {
		cdb[4] = prevent;
		err = autoch_simple_cmd(ach, af, cdb, sizeof(cdb), NULL, 0,
					READ_ONCE(cmd_timeout));
	}
	if (!err) {
		mutex_lock(&ach->lock);
		if (af->prevents != !!prevent) {
			af->prevents = prevent;
			if (prevent)
				ach->preventers++;
			else
				ach->preventers--;
		}
		mutex_unlock(&ach->lock);
	}
	mutex_unlock(&ach->resv_lock);
	return min(err, 0);
}

/*
 * The drive identifier of a data transfer element: a READ ELEMENT STATUS
 * of its own with DVCID and without VOLTAG, since some changers refuse
 * the two together (and some refuse DVCID altogether: remembered until
 * the next reset).
 */
static int autoch_read_drive_id(struct autoch_device *ach,
				struct autoch_file *af, u16 addr,
				struct autoch_drive_id *id)
{
	unsigned int avail, pos, dlen, idlen;
	struct autoch_cmd *cmd;
	bool no_dvcid;
	u8 *buf;
	int err;

	memset(id, 0, sizeof(*id));
	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	err = autoch_type_of(ach->range, addr) == AUTOCH_DT ? 0 : -EINVAL;
	no_dvcid = ach->no_dvcid;
	mutex_unlock(&ach->lock);
	if (err)
		return err;
	if (no_dvcid)
		return -EOPNOTSUPP;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	buf = kzalloc(AUTOCH_DVCID_BUF_LEN, GFP_KERNEL);
	if (!buf) {
		kfree(cmd);
		return -ENOMEM;
	}
	autoch_res_cdb(cmd, AUTOCH_DT, false, addr, 1, AUTOCH_DVCID_BUF_LEN);
	cmd->cdb[6] = 0x01;			/* DVCID */
	cmd->buf = buf;
	cmd->len = AUTOCH_DVCID_BUF_LEN;
	cmd->timeout = READ_ONCE(cmd_timeout) * HZ;
	err = autoch_do_cmd(ach, af, cmd);
	if (err == -EINVAL && cmd->sshdr.asc == 0x24) {
		mutex_lock(&ach->lock);
		ach->no_dvcid = true;
		mutex_unlock(&ach->lock);
		err = -EOPNOTSUPP;
	}
	if (err)
		goto out;

	/* the first descriptor of the first page must be the element */
	err = -EIO;
	avail = min(autoch_cmd_avail(cmd),
		    AUTOCH_RES_HDR_LEN + get_unaligned_be24(buf + 5));
	pos = AUTOCH_RES_HDR_LEN + AUTOCH_RES_PAGE_HDR_LEN;
	if (pos > avail)
		goto out;
	dlen = get_unaligned_be16(buf + AUTOCH_RES_HDR_LEN + 2);
	if (dlen < AUTOCH_DESC_MIN_LEN || pos + dlen > avail ||
	    get_unaligned_be16(buf + pos) != addr)
		goto out;
	err = 0;
	id->element = addr;
	/* SMC-3 6.12.4: code set, identifier type, length, identifier */
	if (dlen >= AUTOCH_DESC_MIN_LEN + 4) {
		const u8 *d = buf + pos + AUTOCH_DESC_MIN_LEN;

		idlen = min_t(unsigned int, d[3],
			      dlen - AUTOCH_DESC_MIN_LEN - 4);
		idlen = min_t(unsigned int, idlen, sizeof(id->id));
		id->code_set = d[0] & 0x0f;
		id->id_type = d[1] & 0x0f;
		id->id_len = idlen;
		memcpy(id->id, d + 4, idlen);
	}
out:
	kfree(buf);
	kfree(cmd);
	return err;
}

static int autoch_ioctl_drive_id(struct autoch_device *ach,
				 struct autoch_file *af, void __user *argp)
{
	struct autoch_drive_id id;
	u16 addr;
	int err;

	if (get_user(addr, (u16 __user *)argp))
		return -EFAULT;
	err = autoch_read_drive_id(ach, af, addr, &id);
	if (err)
		return err;
	if (copy_to_user(argp, &id, sizeof(id)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_capabilities(struct autoch_device *ach,
				     struct autoch_file *af, void __user *argp)
{
	struct autoch_capabilities caps = {};
	int err;

	err = autoch_lock_map(ach, af);
	if (err)
		return err;
	memcpy(caps.move_from, ach->move_caps, sizeof(caps.move_from));
	memcpy(caps.exchange_from, ach->exch_caps, sizeof(caps.exchange_from));
	caps.can_store = ach->store_caps;
	if (ach->rotate)
		caps.num_rotating = bitmap_weight(ach->rotate,
						  ach->range[AUTOCH_MT - 1].count);
	mutex_unlock(&ach->lock);

	if (copy_to_user(argp, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_inquiry(struct autoch_device *ach, void __user *argp)
{
	struct scsi_device *sdev = ach->sdev;
	struct autoch_inquiry inq = {};

	inq.dev_type = sdev->type;
	inq.length = min_t(unsigned int, sdev->inquiry_len, sizeof(inq.data));
	if (sdev->inquiry)
		memcpy(inq.data, sdev->inquiry, inq.length);
	else
		inq.length = 0;

	if (copy_to_user(argp, &inq, sizeof(inq)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_xsense(struct autoch_file *af, void __user *argp)
{
	struct autoch_xsense xs;

	spin_lock(&af->lock);
	xs = af->xsense;
	spin_unlock(&af->lock);

	if (copy_to_user(argp, &xs, sizeof(xs)))
		return -EFAULT;
	return 0;
}

static int autoch_ioctl_events(struct autoch_device *ach,
			       struct autoch_file *af, unsigned int cmd,
			       void __user *argp)
{
	struct autoch_events ev;
	int changed;

	mutex_lock(&ach->lock);
	ev.events = af->events;
	ev.count = af->nevents;
	if (cmd == AUTOCH_GET_EVENTS) {
		af->events = 0;
		af->nevents = 0;
	}
	/* HP-UX: 1 once after a media change */
	changed = !!(af->events & (AUTOCH_EVENT_MEDIUM |
				   AUTOCH_EVENT_IMPORT_EXPORT |
				   AUTOCH_EVENT_RESET));
	if (cmd == SIOC_MEDIUM_CHANGED)
		af->events &= ~(AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT |
				AUTOCH_EVENT_RESET);
	mutex_unlock(&ach->lock);

	if (cmd == SIOC_MEDIUM_CHANGED)
		return put_user(changed, (int __user *)argp);
	if (copy_to_user(argp, &ev, sizeof(ev)))
		return -EFAULT;
	return 0;
}

static long autoch_dispatch(struct autoch_device *ach, struct autoch_file *af,
			    unsigned int cmd, void __user *argp)
{
	switch (cmd) {
	case AUTOCH_RESERVATIONS:
		return autoch_ioctl_reservations(ach, af, argp);
	case AUTOCH_GET_EVENTS:
	case SIOC_MEDIUM_CHANGED:
		return autoch_ioctl_events(ach, af, cmd, argp);
	}

	/* HP-UX: after a reset, a holder of reservations hears of it once */
	if (autoch_take_reset(ach, af))
		return -ECONNRESET;

	switch (cmd) {
	case SIOC_INIT_ELEM_STAT:
		return autoch_ioctl_init_elem_stat(ach, af);
	case SIOC_ELEMENT_ADDRESSES:
		return autoch_ioctl_element_addresses(ach, af, argp);
	case SIOC_ELEMENT_STATUS:
		return autoch_ioctl_element_status(ach, af, argp);
	case SIOC_RESERVE:
		return autoch_ioctl_reserve(ach, af, argp, true);
	case SIOC_RELEASE:
		return autoch_ioctl_reserve(ach, af, argp, false);
	case SIOC_MOVE_MEDIUM:
		return autoch_ioctl_move_medium(ach, af, argp);
	case SIOC_EXCHANGE_MEDIUM:
		return autoch_ioctl_exchange_medium(ach, af, argp);
	case SIOC_INQUIRY:
		return autoch_ioctl_inquiry(ach, argp);
	case AUTOCH_ELEMENT_STATUS_RANGE:
		return autoch_ioctl_status_range(ach, af, argp);
	case AUTOCH_PREVENT_ALLOW:
		return autoch_ioctl_prevent_allow(ach, af, argp);
	case AUTOCH_DRIVE_ID:
		return autoch_ioctl_drive_id(ach, af, argp);
	case AUTOCH_CAPABILITIES:
		return autoch_ioctl_capabilities(ach, af, argp);
	case IOC_PR_REGISTER:
	case IOC_PR_RESERVE:
	case IOC_PR_RELEASE:
	case IOC_PR_PREEMPT:
	case IOC_PR_PREEMPT_ABORT:
	case IOC_PR_CLEAR:
		return autoch_ioctl_pr(ach, af, cmd, argp);
	case IOC_PR_READ_KEYS:
		return autoch_ioctl_pr_read_keys(ach, af, argp);
	case IOC_PR_READ_RESERVATION:
		return autoch_ioctl_pr_read_reservation(ach, af, argp);
	default:
		return -ENOTTY;
	}
}

/*
 * SIOC_XSENSE reports the last command that failed in a call that failed:
 * a command the call recovered from does not count. Threads sharing one
 * open file share this record.
 */
static long autoch_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;
	long ret;

	if (autoch_is_dead(ach))
		return -ENXIO;
	if (cmd == SIOC_XSENSE)
		return autoch_ioctl_xsense(af, (void __user *)arg);

	spin_lock(&af->lock);
	af->pending_valid = false;
	spin_unlock(&af->lock);

	ret = autoch_dispatch(ach, af, cmd, (void __user *)arg);

	spin_lock(&af->lock);
	if (ret && af->pending_valid) {
		af->pending.error = -ret;
		af->xsense = af->pending;
	}
	spin_unlock(&af->lock);
	return ret;
}

/* ---- events ---- */

static void autoch_event_work(struct work_struct *work)
{
	struct autoch_device *ach = container_of(to_delayed_work(work),
						 struct autoch_device,
						 event_work);
	static const u8 tur[6] = { TEST_UNIT_READY };
	unsigned int ms = READ_ONCE(event_poll_ms);

	if (!ms || !wq_has_sleeper(&ach->events_wq))
		return;
	/* a unit attention it meets is posted by autoch_unit_attention() */
	autoch_simple_cmd(ach, NULL, tur, sizeof(tur), NULL, 0,
			  READ_ONCE(cmd_timeout));

	mutex_lock(&ach->lock);
	if (!ach->dead)
		schedule_delayed_work(&ach->event_work, msecs_to_jiffies(ms));
	mutex_unlock(&ach->lock);
}

static __poll_t autoch_poll(struct file *file, poll_table *wait)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;
	unsigned int ms = READ_ONCE(event_poll_ms);
	__poll_t mask = 0;

	poll_wait(file, &ach->events_wq, wait);

	mutex_lock(&ach->lock);
	if (ach->dead)
		mask = EPOLLHUP | EPOLLERR;
	else if (af->events)
		mask = EPOLLIN | EPOLLRDNORM | EPOLLPRI;
	else if (ms && !delayed_work_pending(&ach->event_work))
		schedule_delayed_work(&ach->event_work, msecs_to_jiffies(ms));
	mutex_unlock(&ach->lock);
	return mask;
}

/* ---- sysfs ---- */

static struct autoch_device *to_autoch(struct device *dev)
{
	return container_of(dev, struct autoch_device, dev);
}

/* INQUIRY and VPD strings are space padded and not terminated. */
static ssize_t autoch_show_inq(char *buf, const char *s, unsigned int len)
{
	while (len && (s[len - 1] == ' ' || !s[len - 1]))
		len--;
	while (len && *s == ' ') {
		s++;
		len--;
	}
	return sysfs_emit(buf, "%.*s\n", len, s);
}

static ssize_t vendor_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return autoch_show_inq(buf, to_autoch(dev)->sdev->vendor, 8);
}
static DEVICE_ATTR_RO(vendor);

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return autoch_show_inq(buf, to_autoch(dev)->sdev->model, 16);
}
static DEVICE_ATTR_RO(model);

static ssize_t rev_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return autoch_show_inq(buf, to_autoch(dev)->sdev->rev, 4);
}
static DEVICE_ATTR_RO(rev);

/* VPD page 80h as the midlayer read it when it scanned the device */
static ssize_t serial_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct scsi_device *sdev = to_autoch(dev)->sdev;
	const struct scsi_vpd *vpd;
	ssize_t ret;

	rcu_read_lock();
	vpd = rcu_dereference(sdev->vpd_pg80);
	if (vpd && vpd->len >= 4)
		ret = autoch_show_inq(buf, vpd->data + 4,
				      min_t(unsigned int, vpd->data[3],
					    vpd->len - 4));
	else
		ret = sysfs_emit(buf, "\n");
	rcu_read_unlock();
	return ret;
}
static DEVICE_ATTR_RO(serial);

static ssize_t autoch_show_range(struct device *dev, char *buf, int type,
				 bool count)
{
	struct autoch_device *ach = to_autoch(dev);
	unsigned int v;
	int err;

	err = autoch_lock_map(ach, NULL);
	if (err)
		return err;
	v = count ? ach->range[type - 1].count : ach->range[type - 1].first;
	mutex_unlock(&ach->lock);
	return sysfs_emit(buf, "%u\n", v);
}

/*
 * The element map and the drive identifiers may need commands to the
 * changer (a MODE SENSE after a unit attention, one READ ELEMENT STATUS
 * per drive): those files are root's alone (0400), so that no user
 * without access to the node can keep the robot controller busy. The
 * others (vendor, model, rev, serial, progress) answer from memory.
 */
#define AUTOCH_RANGE_ATTRS(name, type)					\
static ssize_t first_##name##_show(struct device *dev,			\
				   struct device_attribute *attr,	\
				   char *buf)				\
{									\
	return autoch_show_range(dev, buf, type, false);		\
}									\
static DEVICE_ATTR_ADMIN_RO(first_##name);				\
static ssize_t num_##name##s_show(struct device *dev,			\
				  struct device_attribute *attr,	\
				  char *buf)				\
{									\
	return autoch_show_range(dev, buf, type, true);			\
}									\
static DEVICE_ATTR_ADMIN_RO(num_##name##s)

AUTOCH_RANGE_ATTRS(transport, AUTOCH_MT);
AUTOCH_RANGE_ATTRS(storage, AUTOCH_ST);
AUTOCH_RANGE_ATTRS(import_export, AUTOCH_IE);
AUTOCH_RANGE_ATTRS(data_transfer, AUTOCH_DT);

/* One line per drive: its element address and identifier (serial). */
static ssize_t drive_ids_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct autoch_device *ach = to_autoch(dev);
	struct autoch_drive_id id;
	unsigned int first, n, i, len = 0, c;
	int err;

	err = autoch_lock_map(ach, NULL);
	if (err)
		return err;
	first = ach->range[AUTOCH_DT - 1].first;
	n = ach->range[AUTOCH_DT - 1].count;
	mutex_unlock(&ach->lock);

	for (i = 0; i < n; i++) {
		err = autoch_read_drive_id(ach, NULL, first + i, &id);
		if (err == -ENXIO || err == -ERESTARTSYS || err == -ENOMEM)
			return err;
		/* a drive the changer reports no identifier for: none */
		if (err)
			id.id_len = 0;
		len += sysfs_emit_at(buf, len, "%u ", first + i);
		/* padding, spaces or (tgt) NULs, is not part of the name */
		while (id.id_len && (id.id[id.id_len - 1] == ' ' ||
				     !id.id[id.id_len - 1]))
			id.id_len--;
		for (c = 0; c < id.id_len; c++)
			len += sysfs_emit_at(buf, len, "%c",
					     isprint(id.id[c]) && id.id[c] != ' ' ?
					     id.id[c] : '_');
		len += sysfs_emit_at(buf, len, "\n");
	}
	return len;
}
static DEVICE_ATTR_ADMIN_RO(drive_ids);

/*
 * "idle", or "becoming-ready SECONDS PERCENT" while calls wait for the
 * changer to become ready (NOT READY 04/01); PERCENT is the progress the
 * changer reports in its sense data, "-" when it reports none.
 */
static ssize_t progress_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct autoch_device *ach = to_autoch(dev);
	unsigned int waiters, secs;
	int progress;

	mutex_lock(&ach->lock);
	waiters = ach->ready_waiters;
	secs = jiffies_to_msecs(jiffies - ach->ready_since) / MSEC_PER_SEC;
	progress = ach->ready_progress;
	mutex_unlock(&ach->lock);

	if (!waiters)
		return sysfs_emit(buf, "idle\n");
	if (progress < 0)
		return sysfs_emit(buf, "becoming-ready %u -\n", secs);
	return sysfs_emit(buf, "becoming-ready %u %u\n", secs,
			  progress * 100 / 65536);
}
static DEVICE_ATTR_RO(progress);

static struct attribute *autoch_attrs[] = {
	&dev_attr_vendor.attr,
	&dev_attr_model.attr,
	&dev_attr_rev.attr,
	&dev_attr_serial.attr,
	&dev_attr_first_transport.attr,
	&dev_attr_num_transports.attr,
	&dev_attr_first_storage.attr,
	&dev_attr_num_storages.attr,
	&dev_attr_first_import_export.attr,
	&dev_attr_num_import_exports.attr,
	&dev_attr_first_data_transfer.attr,
	&dev_attr_num_data_transfers.attr,
	&dev_attr_drive_ids.attr,
	&dev_attr_progress.attr,
	NULL,
};
ATTRIBUTE_GROUPS(autoch);

static struct class autoch_class = {
	.name = "autoch",
	.dev_groups = autoch_groups,
};

/* ---- open, release, lifetime ---- */

static int autoch_open(struct inode *inode, struct file *file)
{
	struct autoch_device *ach = container_of(inode->i_cdev,
						 struct autoch_device, cdev);
	struct autoch_file *af;
	int err;

	af = kzalloc(sizeof(*af), GFP_KERNEL);
	if (!af)
		return -ENOMEM;
	spin_lock_init(&af->lock);

	get_device(&ach->dev);
	if (autoch_is_dead(ach)) {
		err = -ENXIO;
		goto err_put;
	}
	/* pins the host adapter's module and refuses a device being deleted */
	if (scsi_device_get(ach->sdev)) {
		err = -ENXIO;
		goto err_put;
	}
	af->ach = ach;
	af->may_write = file->f_mode & FMODE_WRITE;
	mutex_lock(&ach->lock);
	list_add_tail(&af->node, &ach->files);
	mutex_unlock(&ach->lock);
	file->private_data = af;
	return nonseekable_open(inode, file);

err_put:
	put_device(&ach->dev);
	kfree(af);
	return err;
}

static int autoch_release(struct inode *inode, struct file *file)
{
	struct autoch_file *af = file->private_data;
	struct autoch_device *ach = af->ach;

	autoch_release_all(ach, af);
	scsi_device_put(ach->sdev);
	put_device(&ach->dev);
	kfree(af);
	return 0;
}

static const struct file_operations autoch_fops = {
	.owner = THIS_MODULE,
	.open = autoch_open,
	.release = autoch_release,
	.unlocked_ioctl = autoch_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.poll = autoch_poll,
};

static void autoch_dev_release(struct device *dev)
{
	struct autoch_device *ach = container_of(dev, struct autoch_device, dev);
	struct autoch_resv *r, *tmp;

	/* RELEASEs still refused when the device went away */
	list_for_each_entry_safe(r, tmp, &ach->stale, node)
		kfree(r);
	autoch_free_map(ach->range, ach->rotate);
	put_device(&ach->sdev->sdev_gendev);
	ida_free(&autoch_ida, ach->minor);
	kfree(ach);
}

static int autoch_probe(struct scsi_device *sdev)
{
	struct autoch_device *ach;
	int minor, err;

	if (sdev->type != TYPE_MEDIUM_CHANGER)
		return -ENODEV;

	minor = ida_alloc_max(&autoch_ida, AUTOCH_MAX_DEVS - 1, GFP_KERNEL);
	if (minor < 0)
		return minor;

	ach = kzalloc(sizeof(*ach), GFP_KERNEL);
	if (!ach) {
		ida_free(&autoch_ida, minor);
		return -ENOMEM;
	}
	ach->minor = minor;
	ach->sdev = sdev;
	ach->cache_gen = 1;
	ach->ready_progress = -1;
	mutex_init(&ach->lock);
	mutex_init(&ach->io_lock);
	mutex_init(&ach->resv_lock);
	INIT_LIST_HEAD(&ach->files);
	INIT_LIST_HEAD(&ach->resv);
	INIT_LIST_HEAD(&ach->stale);
	INIT_LIST_HEAD(&ach->busy);
	init_waitqueue_head(&ach->events_wq);
	INIT_DELAYED_WORK(&ach->event_work, autoch_event_work);
	get_device(&sdev->sdev_gendev);

	/* from here on, autoch_dev_release() undoes everything above */
	device_initialize(&ach->dev);
	ach->dev.class = &autoch_class;
	ach->dev.parent = &sdev->sdev_gendev;
	ach->dev.devt = MKDEV(MAJOR(autoch_devt), minor);
	ach->dev.release = autoch_dev_release;
	err = dev_set_name(&ach->dev, "autoch%d", minor);
	if (err)
		goto err_put;

	cdev_init(&ach->cdev, &autoch_fops);
	ach->cdev.owner = THIS_MODULE;
	dev_set_drvdata(&sdev->sdev_gendev, ach);

	/* last step: the node appears only once everything is in place */
	err = cdev_device_add(&ach->cdev, &ach->dev);
	if (err)
		goto err_drvdata;

	sdev_printk(KERN_INFO, sdev, "Attached autochanger %s\n",
		    dev_name(&ach->dev));
	return 0;

err_drvdata:
	dev_set_drvdata(&sdev->sdev_gendev, NULL);
err_put:
	put_device(&ach->dev);
	return err;
}

static void autoch_remove(struct scsi_device *sdev)
{
	struct autoch_device *ach = dev_get_drvdata(&sdev->sdev_gendev);

	/*
	 * First step: every open, call and event from now on sees a dead
	 * device (ENXIO, EPOLLHUP, no uevent); then the node goes.
	 */
	mutex_lock(&ach->lock);
	ach->dead = true;
	mutex_unlock(&ach->lock);
	cancel_delayed_work_sync(&ach->event_work);
	wake_up_interruptible(&ach->events_wq);
	cdev_device_del(&ach->cdev, &ach->dev);

	dev_set_drvdata(&sdev->sdev_gendev, NULL);
	put_device(&ach->dev);
}

static struct scsi_driver autoch_template = {
	.gendrv = {
		.name = "autoch",
		.owner = THIS_MODULE,
		AUTOCH_GENDRV_OPS
	},
	AUTOCH_SCSI_DRIVER_OPS
};

static int __init autoch_init(void)
{
	int err;

	err = class_register(&autoch_class);
	if (err)
		return err;

	err = alloc_chrdev_region(&autoch_devt, 0, AUTOCH_MAX_DEVS, "autoch");
	if (err)
		goto err_class;

	err = scsi_register_driver(&autoch_template.gendrv);
	if (err)
		goto err_chrdev;

	return 0;

err_chrdev:
	unregister_chrdev_region(autoch_devt, AUTOCH_MAX_DEVS);
err_class:
	class_unregister(&autoch_class);
	return err;
}

static void __exit autoch_exit(void)
{
	scsi_unregister_driver(&autoch_template.gendrv);
	unregister_chrdev_region(autoch_devt, AUTOCH_MAX_DEVS);
	class_unregister(&autoch_class);
}

module_init(autoch_init);
module_exit(autoch_exit);

MODULE_DESCRIPTION("HP-UX autochanger interface for SCSI media changers");
MODULE_LICENSE("GPL");
MODULE_ALIAS_SCSI_DEVICE(TYPE_MEDIUM_CHANGER);

/*
 * KUnit tests of the pure parts (sense table, descriptor parsing, CDB
 * builders) are compiled into the module when AUTOCH_KUNIT is defined
 * (make check-debug does, for a kernel with CONFIG_KUNIT); they run when
 * the module is loaded.
 */
#ifdef AUTOCH_KUNIT
#include "autoch_kunit.c"
#endif
