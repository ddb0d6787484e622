/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autoch: the HP-UX autochanger(7) interface for SCSI media changers.
 * The driver's private header: the objects every file shares, their
 * locking, and the functions one file offers the others (each file's
 * header says what it owns).
 *
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
 * - Remove first marks the object dead under @state_lock, then deletes the
 *   node (cdev_device_del). Every open and ioctl checks @dead before it
 *   starts and reports ENXIO; a command in flight during removal completes with
 *   an error that is reported as ENXIO as well.
 *
 * - @state_lock protects the in-memory state (element map, status cache,
 *   reservation table, @dead). It is never held across a SCSI command, so a
 *   mechanical operation that takes minutes blocks nobody: moves hold no
 *   lock at all.
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
 *   device; the table itself is read under @state_lock. A power-on or reset
 *   unit attention empties the table: the device forgot its reservations,
 *   and each file that held some gets ECONNRESET once. The unit attention
 *   goes to the first command after the reset, whose answer may come back
 *   after another command's on the same path: when a RESERVE, RELEASE,
 *   PREVENT or ALLOW completed there meanwhile (autoch_path.resv_done),
 *   the changer may have acted on it after the reset. Then nothing is
 *   forgotten: the reservations and the prevention are taken again on
 *   the path, as after a failover (autoch_retake_request()).
 *   A RELEASE the device refuses (element or unit) leaves its reservation
 *   on @stale (@unit_release), its identification still taken, so that
 *   it is neither reused nor forgotten: it is sent again under @resv_lock
 *   at the next SIOC_RESERVE or SIOC_RELEASE and at every close, until
 *   the device accepts it or a reset forgets it. One open file holds at
 *   most AUTOCH_FILE_RESV_IDS of the identifications. A reset met while
 *   a reservation was on its way (@reset_seq changed) makes the driver
 *   send it again under the same identification before it enters the
 *   table: the reset freed the identification, and what the changer
 *   holds is not known.
 *   Close never waits for @resv_lock behind another file's command, nor
 *   for a changer becoming ready: it detaches what the file held under
 *   @state_lock (RELEASEs to send on @stale, unit references in
 *   @unit_puts, @allow_pending) and sends them itself when @resv_lock is
 *   free, each command once; what meets NOT READY 04/01, or everything
 *   when @resv_lock is busy, is left to @resv_work, whose commands wait
 *   up to ready_timeout and are not cut short by signals.
 *
 * - PREVENT MEDIUM REMOVAL is one state per initiator on the device, so
 *   the driver counts the files whose prevention is in force
 *   (@preventers): ALLOW is sent only when no other file prevents, and
 *   a file closed while preventing sends it when it was the last. A reset
 *   ends every prevention. With several paths each is an initiator of
 *   its own: ALLOW goes to every path a PREVENT went through
 *   (autoch_path.prevented, autoch_allow_paths()). PR OUT and
 *   PREVENT/ALLOW need a descriptor opened for writing or CAP_SYS_ADMIN.
 *
 * - Unit attentions that say something changed (28/xx, 29/xx, 2A/xx,
 *   3F/xx) are also events: each is queued on every open file
 *   (AUTOCH_GET_EVENTS, and apart from it SIOC_MEDIUM_CHANGED's own
 *   state), wakes poll() and sends a change uevent. A changer only
 *   reports them on the next command, so while someone waits in poll()
 *   the driver sends TEST UNIT READY every event_poll_ms; when nobody
 *   waits it sends nothing of its own.
 *
 * - Paths. Each bound scsi_device is one path (struct autoch_path) to a
 *   changer. With the module parameter multipath set, a scsi_device whose
 *   identity (VPD page 83h logical unit designator, else the unit serial
 *   number of page 80h) is that of a changer already bound joins it as
 *   another path instead of making a node of its own; without it, or
 *   without an identity, every changer has one path, as before paths
 *   existed. A path's refcount is its kobject's (paths/H:C:T:L in sysfs);
 *   it pins its scsi_device's struct device and the changer's class
 *   device until released. @paths lists the paths present, under
 *   @state_lock; remove takes a path off it (and marks it gone) before it
 *   drops the list's reference, so a command that picked the path keeps
 *   valid memory (autoch_path_get() also takes scsi_device_get(), which
 *   refuses a device being deleted). The class device's parent is the
 *   first path's scsi_device; when that path goes and others remain, the
 *   node moves under another (device_move()), and @sdev, pinned until
 *   release, still answers the INQUIRY strings. The last path's removal
 *   is the changer's removal described above.
 *
 * - Failover: a command that failed with a transport error (no connect,
 *   transport disrupted or failfast, timeout, a device being deleted)
 *   marks its path failed; one safe to repeat (autoch_path_repeatable())
 *   is sent again on another working path, and the caller sees nothing.
 *   A MOVE or EXCHANGE MEDIUM is never sent again blindly: the elements
 *   it names are read through the new path and it is done (0), not done
 *   (sent once more) or unknown (EIO and an event): autoch_move_cmd().
 *   Other commands return their errno as before; the next command goes
 *   to another path. A failed path is used again when no other works, or
 *   when root enables it through sysfs. When the active path changes
 *   while reservations are held on the device or a file prevents medium
 *   removal, they are taken again on the new path (autoch_retake(),
 *   under @resv_lock) before the next ioctl that sends a command or
 *   lists the reservations goes on (autoch_before_call()), or by
 *   @retake_work; those refused are lost, as after a reset. A 29/xx
 *   unit attention met on another path than the one the reservations
 *   and the prevention are held through (@resv_path) does not forget
 *   them. A PR registration goes to every working path
 *   (autoch_pr_register()).
 *   autoch_is_dead() reads @dead and @live_paths without a lock.
 *
 * Locking:
 *
 * There are five locks, from outermost to innermost:
 *
 * - autoch_changers_lock (mutex, autoch_main.c): the list of changers and
 *   the adding and removing of paths (probe, remove), including the
 *   device_move() of a node whose parent path goes. Taken inside the
 *   scsi_device's device lock the driver core holds in probe and remove;
 *   never taken from sysfs (remove deletes the path's kobject under it,
 *   which waits for sysfs callers).
 * - autoch_device.resv_lock (mutex): serialises reservation changes and
 *   the RESERVE/RELEASE commands that mirror them (autoch_resv.c), and
 *   PREVENT/ALLOW MEDIUM REMOVAL with the count of files that prevent.
 *   Taken interruptibly by the ioctls, uninterruptibly on close.
 * - autoch_device.io_lock (mutex): serialises the commands that fill the
 *   element map and the status cache (autoch_elem.c), taken
 *   interruptibly. Never taken with resv_lock held.
 * - autoch_device.state_lock (mutex): the in-memory state, as the members
 *   of struct autoch_device say, and the paths' state (struct
 *   autoch_path); held only for short stretches of memory work, never
 *   across a SCSI command.
 * - autoch_file.xsense_lock (spinlock): the failure record of one open
 *   file for SIOC_XSENSE. Nothing else is taken under it, and it is never
 *   taken with autoch_device.state_lock held.
 *
 * Apart from these, autoch_drives_mutex (autoch_drives.c, global) guards
 * which SCSI devices are the changers' drives. It is taken with none of
 * the driver's locks held, and none is taken under it: no command is
 * sent while it is held.
 *
 * A lock may be taken while holding only the ones above it. The midlayer
 * and the block layer take their own locks inside the command functions;
 * of the driver's locks only resv_lock and io_lock are held there.
 * autoch_device.quirks is changed with atomic bitops, under no lock.
 */
#ifndef _AUTOCH_H
#define _AUTOCH_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>

#include <uapi/linux/autochanger.h>

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
 * READ ELEMENT STATUS limits learnt from real libraries, per device: some
 * cannot report more than AUTOCH_RES_MAX_ELEMS elements in one reply (they
 * refuse a larger count or cut the report short: AUTOCH_QUIRK_RES_CHUNK),
 * some read only two bytes of the three-byte allocation length
 * (AUTOCH_QUIRK_ALLOC16, see autoch_res_alloc()). Other changers are asked
 * for every element of the type at once, in replies of at most
 * AUTOCH_RES_MAX_ALLOC bytes and what the host can transfer in one
 * command: 4 MiB is the most kmalloc() gives in one piece, and 1,024
 * pages the most a kernel buffer maps into one request.
 */
#define AUTOCH_RES_MAX_ELEMS	1000
#define AUTOCH_RES_MAX_ALLOC16	0xffffU
#define AUTOCH_RES_MAX_ALLOC	((unsigned int)SZ_4M)
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
/* the events SIOC_MEDIUM_CHANGED answers 1 for */
#define AUTOCH_MEDIUM_CHANGED_EVENTS \
	(AUTOCH_EVENT_MEDIUM | AUTOCH_EVENT_IMPORT_EXPORT | AUTOCH_EVENT_RESET)
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

/*
 * What a changer was seen to refuse, bits of autoch_device.quirks: each is
 * learnt from a refusal and forgotten after a reset, when it is asked again.
 */
enum autoch_quirk {
	AUTOCH_QUIRK_NO_VOLTAG,		/* READ ELEMENT STATUS with VOLTAG */
	AUTOCH_QUIRK_NO_DVCID,		/* READ ELEMENT STATUS with DVCID */
	AUTOCH_QUIRK_ALLOC16,		/* reads two bytes of the allocation length */
	AUTOCH_QUIRK_NO_RESV6,		/* RESERVE/RELEASE (6) */
	AUTOCH_QUIRK_NO_RESV10,		/* RESERVE/RELEASE (10) */
	AUTOCH_QUIRK_NO_ELEM_RESV,	/* element reservations */
	AUTOCH_QUIRK_NO_APTPL,		/* REGISTER with APTPL (no PTPL_C) */
	AUTOCH_QUIRK_RES_CHUNK,		/* more than AUTOCH_RES_MAX_ELEMS in one reply */
};

/*
 * The identity that tells the paths of one changer from another changer:
 * a logical unit designator of VPD page 83h (its code set and type, then
 * its bytes) or, failing that, "vendor model serial" of page 80h.
 */
#define AUTOCH_IDENT_MAX	(2 + 255)

enum autoch_ident_kind {
	AUTOCH_IDENT_NONE,
	AUTOCH_IDENT_DESIGNATOR,
	AUTOCH_IDENT_SERIAL,
};

/**
 * struct autoch_ident - what makes two scsi_devices one changer
 * @kind: enum autoch_ident_kind; AUTOCH_IDENT_NONE matches nothing
 * @len: bytes of @id used
 * @id: the designator or the serial number
 */
struct autoch_ident {
	u8 kind;
	u16 len;
	u8 id[AUTOCH_IDENT_MAX];
};

/* Transport failures one command rides out on other paths, at most. */
#define AUTOCH_PATH_SWITCHES	8

/* Paths a command goes to at once (PR registration, ALLOW), at most. */
#define AUTOCH_PATHS_MAX	16

/*
 * What became of a MOVE or EXCHANGE MEDIUM cut off by a path failure
 * (autoch_move_cmd()), indices of autoch_device.moves_cut; TOTAL counts
 * every one.
 */
enum autoch_cut_outcome {
	AUTOCH_CUT_DONE,
	AUTOCH_CUT_NOT_DONE,
	AUTOCH_CUT_UNKNOWN,
	AUTOCH_CUT_TOTAL,
	AUTOCH_CUT_NR,
};

/* SMC-3 mode pages (7.3): the element map and what the changer can do */
#define AUTOCH_PAGE_ELEMENT_ADDRESS	0x1d	/* Element Address Assignment */
#define AUTOCH_PAGE_TRANSPORT_GEOMETRY	0x1e	/* Transport Geometry Parameters */
#define AUTOCH_PAGE_DEVICE_CAPS		0x1f	/* Device Capabilities */
#define AUTOCH_MODE_SENSE_DBD		0x08	/* no block descriptors */

/*
 * SMC-3 6.7 OPEN/CLOSE IMPORT/EXPORT ELEMENT: <scsi/scsi_proto.h> knows
 * its opcode only as START_STOP, the block command's name.
 */
#define AUTOCH_OPEN_CLOSE_IMPORT_EXPORT	0x1b

/* READ ELEMENT STATUS (SMC-3 6.12) CDB bits */
#define AUTOCH_RES_VOLTAG		0x10	/* byte 1: volume tags */
#define AUTOCH_RES_DVCID		0x01	/* byte 6: device identifiers */

/* PERSISTENT RESERVE OUT and IN service actions (SPC-4 6.16.2, 6.15.1) */
enum autoch_pr_out_action {
	AUTOCH_PRO_REGISTER = 0x00,
	AUTOCH_PRO_RESERVE = 0x01,
	AUTOCH_PRO_RELEASE = 0x02,
	AUTOCH_PRO_CLEAR = 0x03,
	AUTOCH_PRO_PREEMPT = 0x04,
	AUTOCH_PRO_PREEMPT_AND_ABORT = 0x05,
	AUTOCH_PRO_REGISTER_AND_IGNORE = 0x06,
};

enum autoch_pr_in_action {
	AUTOCH_PRI_READ_KEYS = 0x00,
	AUTOCH_PRI_READ_RESERVATION = 0x01,
};

/* ASC or ASCQ of a sense table row that matches any value. */
#define AUTOCH_ANY	0xff

/**
 * struct autoch_elem - cached status of one element
 * @gen: cache generation the entry was read in; 0 means never read
 * @when: jiffies when it was read
 * @seq: the device's @res_seq when it was stored: later entries, higher
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
	u64 seq;
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
 * @next: the address after the last descriptor the last READ ELEMENT
 *	STATUS of the type brought, 0 before the first: a miss there is a
 *	caller walking the elements (autoch_read_status())
 * @elems: cached status, @count entries
 */
struct autoch_range {
	u16 first;
	u16 count;
	u16 desc_len;
	u32 next;
	struct autoch_elem *elems;
};

/**
 * struct autoch_drive - a data transfer element and the device in it
 * @id: the identifier the changer reported (DVCID); id_len 0 for none
 * @sdev: the SCSI device whose VPD pages carry it, or NULL; its struct
 *	device is referenced and linked as driveK while set
 *
 * Under autoch_drives_mutex (autoch_drives.c).
 */
struct autoch_drive {
	struct autoch_drive_id id;
	struct scsi_device *sdev;
};

/**
 * struct autoch_device - one media changer
 * @dev: class device, /dev/autochN; its refcount is the object's
 * @cdev: character device
 * @sdev: the SCSI device; its struct device is pinned until release
 * @minor: minor number, also N in autochN
 * @state_lock: protects the members below it; never held across a command
 * @dead: the SCSI device is gone; everything answers ENXIO
 * @map_valid: @range, @move_caps, @exch_caps and @rotate are loaded
 * @map_seq: bumped whenever the map is reloaded, so a reader can tell the
 *	arrays it sized a command for are still the ones installed
 * @map_gen: bumped whenever the map is dropped (a unit attention that may
 *	change it), so that a load that read across one installs nothing
 * @range: element map, indexed by element type code minus one
 * @move_caps: page 1Fh move capabilities, by source type minus one; bit
 *	N-1 set when a move to type N is possible
 * @exch_caps: page 1Fh exchange capabilities, same layout
 * @rotate: page 1Eh, one bit per transport element (by index); NULL when
 *	the device reports no geometry, which means no transport rotates
 * @cache_gen: current status cache generation, never 0
 * @res_seq: element statuses stored in the cache so far (each entry's
 *	@seq), so that a call can tell what was read since it began
 * @quirks: what the device was seen to refuse, AUTOCH_QUIRK_* bits (atomic
 *	bitops, no lock); forgotten after a reset
 * @store_caps: page 1Fh byte 2, which element types can store media
 * @files: every open file, for the reset notice
 * @resv: element reservations, struct autoch_resv
 * @busy: moves and exchanges that passed the reservation check and have
 *	not ended, struct autoch_busy
 * @unit_owner: the file that holds the unit reservation, if any
 * @unit_on_device: the device holds a unit reservation for us
 * @unit_refs: what relies on that: @unit_owner and each element
 *	reservation made with a unit reservation underneath
 * @dev_ids: identifications in use for element reservations on the device,
 *	including those whose RELEASE failed (@stale)
 * @stale: element reservations no file holds any more whose RELEASE is
 *	still to be sent: their file was closed while @resv_lock was busy, or
 *	the device refused the RELEASE; struct autoch_resv without owner, sent
 *	under @resv_lock until the device accepts it or a reset forgets it
 * @reset_seq: bumped by every reset the driver hears of; a reservation
 *	made across a change of it is sent again, since the reset may have
 *	come after the command and freed its identification
 * @unit_puts: references on the unit reservation that closed files left
 *	to drop (under @resv_lock, with @stale)
 * @unit_release: the device holds a unit reservation nothing relies on
 *	(its RELEASE failed, or a reserve gave up after resets): RELEASE
 *	to send again, as for @stale
 * @allow_pending: the last file that prevented medium removal was closed;
 *	ALLOW to send unless another file prevents again first
 * @preventers: open files whose PREVENT MEDIUM REMOVAL is in force
 * @ready_waiters: calls waiting for the changer to become ready (04/01)
 * @ready_since: when the first of them met NOT READY (jiffies)
 * @ready_progress: the last progress indication of that NOT READY, 0 to
 *	65535 (SPC sense-key specific), -1 when the changer gave none
 * @io_lock: serialises the commands that load the map and fill the cache
 * @resv_lock: serialises reservation changes and the commands behind them
 * @events_wq: poll() waits here for events
 * @event_work: TEST UNIT READY while someone waits in poll()
 * @resv_work: sends what a close left pending (@stale, @unit_puts,
 *	@allow_pending) when @resv_lock was busy at the close, or when the
 *	changer was becoming ready then
 * @resv_closing: (@resv_lock) the commands sent now are a close's: they
 *	do not wait for a changer becoming ready
 * @resv_deferred: (@resv_lock) one of them met a changer becoming ready
 *	and was left for @resv_work
 * @drives_node: in the list of changers of autoch_drives.c
 * @drives_work: reads the drives' identifiers and matches them
 * @drives: one entry per data transfer element, @ndrives of them from
 *	element @drives_first; NULL until @drives_work has read them
 * @drives_gone: remove has begun: nothing is linked or scheduled any more
 * @drives_ua: (@state_lock) unit attentions met that may mean another
 *	drive in some element (autoch_ua_drives())
 * @drives_ua_read: (@state_lock) the value of @drives_ua when the
 *	identifiers were last read: they are stale while the two differ.
 *	Both are written with WRITE_ONCE() under @state_lock, so that
 *	autoch_drives_refresh() may compare them without it first.
 *
 * @drives_node, @drives, @ndrives, @drives_first and @drives_gone are
 * under autoch_drives_mutex (autoch_drives.c), not @state_lock.
 * @node: in the list of changers (autoch_changers_lock)
 * @ident: the changer's identity, set at probe
 * @paths_kobj: paths/ in sysfs, parent of the paths' kobjects
 * @paths: the paths present, struct autoch_path (@state_lock)
 * @npaths: how many (@state_lock)
 * @live_paths: how many of them are neither gone nor going (written under
 *	@state_lock, read without it by autoch_is_dead(): 0 is a dead changer)
 * @active: the path commands go to, NULL until one is picked (@state_lock)
 * @failover_pending: the active path failed or went; the next path
 *	picked in its place counts as a failover (@state_lock)
 * @failovers: times the active path was replaced after it failed or went
 *	(@state_lock)
 * @failover_max_ms: the longest a command that was sent again on another
 *	path took, from its first attempt to its answer (@state_lock)
 * @moves_cut: MOVE and EXCHANGE MEDIUM cut off by a path failure, in all
 *	and by outcome, enum autoch_cut_outcome (@state_lock)
 * @retake_work: takes the reservations again after the active path
 *	changed (autoch_retake())
 * @retake_gen: bumped (under @state_lock) when the active path changed
 *	while the table held reservations on the device
 * @retaken_gen: the @retake_gen the reservations were last taken again
 *	for (under @resv_lock); unequal: a re-take is pending
 * @resv_retaken: reservations (element or unit) taken again on a new path
 *	after a failover (@state_lock)
 * @resv_lost: those the changer refused there, whose holders were told
 *	(ECONNRESET) (@state_lock)
 * @prevent_resent: PREVENT MEDIUM REMOVAL sent again on a new active path
 *	while a file prevented removal (autoch_retake(), @state_lock)
 * @resv_path: the path the last RESERVE, RELEASE or PREVENT went through,
 *	whose initiator port holds the reservations on the device; compared,
 *	never dereferenced (@state_lock)
 */
struct autoch_device {
	struct device dev;
	struct cdev cdev;
	struct scsi_device *sdev;
	int minor;

	struct mutex state_lock;	/* never held across a command */
	bool dead;
	bool map_valid;
	unsigned int map_seq;
	unsigned int map_gen;
	struct autoch_range range[AUTOCH_NTYPES];
	u8 move_caps[AUTOCH_NTYPES];
	u8 exch_caps[AUTOCH_NTYPES];
	unsigned long *rotate;
	u32 cache_gen;
	u64 res_seq;
	unsigned long quirks;
	u8 store_caps;
	struct list_head files;
	struct list_head resv;
	struct list_head busy;
	struct autoch_file *unit_owner;
	bool unit_on_device;
	unsigned int unit_refs;
	DECLARE_BITMAP(dev_ids, AUTOCH_DEV_RESV_IDS);
	struct list_head stale;
	unsigned int reset_seq;
	unsigned int unit_puts;
	bool unit_release;
	bool allow_pending;
	unsigned int preventers;
	unsigned int ready_waiters;
	unsigned long ready_since;
	int ready_progress;

	struct mutex io_lock;	/* map and cache fills; taken before @lock */
	struct mutex resv_lock;	/* reservation changes; taken before both */
	wait_queue_head_t events_wq;
	struct delayed_work event_work;
	struct work_struct resv_work;
	bool resv_closing;
	bool resv_deferred;

	struct list_head drives_node;
	struct work_struct drives_work;
	struct autoch_drive *drives;
	unsigned int ndrives;
	u16 drives_first;
	bool drives_gone;
	unsigned int drives_ua;
	unsigned int drives_ua_read;

	struct list_head node;
	struct autoch_ident ident;
	struct kobject *paths_kobj;
	struct list_head paths;
	unsigned int npaths;
	unsigned int live_paths;
	struct autoch_path *active;
	bool failover_pending;
	u64 failovers;
	unsigned int failover_max_ms;
	u64 moves_cut[AUTOCH_CUT_NR];
	struct work_struct retake_work;
	unsigned int retake_gen;
	unsigned int retaken_gen;
	u64 resv_retaken;
	u64 resv_lost;
	u64 prevent_resent;
	struct autoch_path *resv_path;
};

/* What sysfs paths/H:C:T:L/state shows (autoch_path_state()). */
enum autoch_path_state {
	AUTOCH_PATH_ACTIVE,
	AUTOCH_PATH_STANDBY,
	AUTOCH_PATH_FAILED,
	AUTOCH_PATH_DISABLED,
};

/**
 * struct autoch_path - one scsi_device through which the changer is reached
 * @kobj: paths/H:C:T:L; its refcount is the path's
 * @ach: the changer, whose class device the path pins
 * @sdev: the SCSI device; its struct device is pinned until release
 * @node: in autoch_device.paths while the path is present
 * @in_sysfs: @kobj was added (set once in probe, before the path is used)
 * @gone: the SCSI device was removed (autoch_device.state_lock, as the
 *	members below)
 * @going: the removal of its SCSI device was seen to have begun
 *	(autoch_path_check_going()); it no longer counts in
 *	autoch_device.live_paths
 * @failed: the last command sent on it failed with a transport error
 * @disabled: root disabled it (sysfs)
 * @last_error: midlayer result of its last transport failure, 0 if none
 * @errors: how many transport failures it had
 * @prevented: a PREVENT MEDIUM REMOVAL went through it and no ALLOW since
 *	(autoch_path_resv_sent()); ALLOW goes to every path that has it
 * @resv_done: counts the RESERVEs, RELEASEs, PREVENTs and ALLOWs that
 *	succeeded on it (autoch_path_resv_sent(), @state_lock): a command
 *	that meets a reset sees whether one completed while it was on its
 *	way (autoch_unit_attention_on())
 * @pr_error: the errno of the last PR OUT REGISTER sent on it, 0 when it
 *	succeeded or none was (autoch_pr_register())
 */
struct autoch_path {
	struct kobject kobj;
	struct autoch_device *ach;
	struct scsi_device *sdev;
	struct list_head node;
	bool in_sysfs;
	bool gone;
	bool going;
	bool failed;
	bool disabled;
	int last_error;
	unsigned int errors;
	bool prevented;
	unsigned int resv_done;
	int pr_error;
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
 * @refused: on autoch_device.stale because the device refused its RELEASE
 */
struct autoch_resv {
	struct list_head node;
	struct autoch_file *owner;
	u16 element;
	u8 id;
	u8 dev_id;
	enum autoch_resv_how how;
	bool refused;
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
 * @xsense_lock: protects @xsense, @pending and @pending_valid
 * @xsense: the last failed command of a failed call (or of SIOC_IO), for
 *	SIOC_XSENSE and AUTOCH_XSENSE
 * @pending: the last failed command of the call in progress, which the
 *	call may still recover from (another command form, no VOLTAG); it
 *	becomes @xsense only if the call fails
 * @pending_valid: @pending holds a failure of the call in progress
 * @node: in autoch_device.files, under autoch_device.state_lock
 * @reset_pending: a reset took reservations away; the next call gets
 *	ECONNRESET (under autoch_device.state_lock, as the members below)
 * @unit_lost: the unit reservation was among them
 * @nlost: how many element reservations were among them
 * @lost: the first AUTOCH_MAX_RESERVED of those elements
 * @events: AUTOCH_EVENT_* bits not yet read by AUTOCH_GET_EVENTS
 * @nevents: how many events that is
 * @medium_changed: what SIOC_MEDIUM_CHANGED answers next: a medium,
 *	import/export or reset event came since it was last read (kept apart
 *	from @events, so that neither call clears the other's)
 * @may_write: opened for writing, which persistent reservations and
 *	PREVENT MEDIUM REMOVAL need unless the caller has CAP_SYS_ADMIN, and
 *	which SIOC_IO's command policy reads (set at open, never changed)
 * @prevents: this file's PREVENT MEDIUM REMOVAL is in force (under
 *	autoch_device.state_lock; counted in autoch_device.preventers)
 * @path: the path whose scsi_device_get() pins the host adapter's module
 *	for the file's lifetime (set at open, never changed)
 */
struct autoch_file {
	struct autoch_device *ach;
	spinlock_t xsense_lock;	/* protects @xsense, @pending */
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
	bool medium_changed;
	bool may_write;
	bool prevents;
	struct autoch_path *path;
};

/*
 * How a command waits for a changer that reports becoming ready (04/01),
 * up to ready_timeout seconds.
 */
enum autoch_wait {
	AUTOCH_WAIT_INTR,	/* a signal ends the wait: a caller's ioctl */
	AUTOCH_WAIT_NOINTR,	/* the driver's work: nobody would send it again */
	AUTOCH_WAIT_NONE,	/* close: -EAGAIN at once, the work sends it */
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
 * @wait: enum autoch_wait: how a changer becoming ready (04/01) is
 *	waited for
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
	u8 wait;
};

/*
 * struct autoch_sense_errno - one row of the sense table: sense key, ASC
 * and ASCQ (or AUTOCH_ANY) and the positive errno they map to
 */
struct autoch_sense_errno {
	u8 key;
	u8 asc;
	u8 ascq;
	int err;
};

/* module parameters (autoch_main.c), read with READ_ONCE() */
extern unsigned int autoch_cmd_timeout;
extern unsigned int autoch_move_timeout;
extern unsigned int autoch_init_timeout;
extern unsigned int autoch_ready_timeout;
extern unsigned int autoch_event_poll_ms;
extern unsigned int autoch_cache_ms;
extern bool autoch_multipath;

extern struct class autoch_class;

/* autoch_main.c: lifetime */
bool autoch_is_dead(struct autoch_device *ach);

/* autoch_path.c: paths, their identity, picking one, failover */
void autoch_path_ident(struct scsi_device *sdev, struct autoch_ident *id);
bool autoch_ident_equal(const struct autoch_ident *a,
			const struct autoch_ident *b);
struct autoch_path *autoch_path_new(struct autoch_device *ach,
				    struct scsi_device *sdev);
int autoch_path_add(struct autoch_device *ach, struct autoch_path *path);
bool autoch_path_remove(struct autoch_device *ach, struct autoch_path *path);
struct autoch_path *autoch_path_get(struct autoch_device *ach,
				    struct autoch_path *exclude);
void autoch_path_put(struct autoch_path *path);
void autoch_path_release(struct kobject *kobj);
bool autoch_path_repeatable(const u8 *cdb);
bool autoch_path_transport_error(int result);
bool autoch_path_check_going(struct autoch_device *ach,
			     struct autoch_path *path);
void autoch_path_resv_sent(struct autoch_device *ach, struct autoch_path *path,
			   const u8 *cdb);
void autoch_path_failed(struct autoch_device *ach, struct autoch_path *path,
			int result);
void autoch_path_ok(struct autoch_device *ach, struct autoch_path *path,
		    ktime_t failed_at);
enum autoch_path_state autoch_path_state(struct autoch_path *path);
int autoch_path_set(struct autoch_path *path, enum autoch_path_state want);
void autoch_path_uevent(struct autoch_device *ach, struct autoch_path *path);
void autoch_queue_limits(struct autoch_device *ach, bool contig,
			 unsigned int *max_bytes, unsigned int *seg_bytes);
int autoch_move_cmd(struct autoch_device *ach, struct autoch_file *af,
		    const u8 *cdb, const u16 *addrs);
unsigned int autoch_paths_usable(struct autoch_device *ach,
				 struct autoch_path *exclude,
				 struct autoch_path **out, unsigned int max);
unsigned int autoch_paths_prevented(struct autoch_device *ach,
				    struct autoch_path **out, unsigned int max);
extern const struct kobj_type autoch_path_ktype;

/* autoch_cmd.c: command execution and sense mapping */
unsigned int autoch_xfer_max(struct autoch_device *ach);
unsigned int autoch_cmd_avail(const struct autoch_cmd *cmd);
int autoch_do_cmd(struct autoch_device *ach, struct autoch_file *af,
		  struct autoch_cmd *cmd);
int autoch_simple_cmd_path(struct autoch_device *ach, struct autoch_file *af,
			   struct autoch_path *path, const u8 *cdb,
			   unsigned int cdb_len, void *data,
			   unsigned int data_len, unsigned int timeout_s,
			   struct scsi_sense_hdr *sshdr, enum autoch_wait wait);
int autoch_simple_cmd_ex(struct autoch_device *ach, struct autoch_file *af,
			 const u8 *cdb, unsigned int cdb_len, void *data,
			 unsigned int data_len, unsigned int timeout_s,
			 struct scsi_sense_hdr *sshdr, enum autoch_wait wait);
int autoch_simple_cmd_sense(struct autoch_device *ach,
			    struct autoch_file *af, const u8 *cdb,
			    unsigned int cdb_len, void *data,
			    unsigned int data_len, unsigned int timeout_s,
			    struct scsi_sense_hdr *sshdr);
int autoch_simple_cmd(struct autoch_device *ach, struct autoch_file *af,
		      const u8 *cdb, unsigned int cdb_len, void *data,
		      unsigned int data_len, unsigned int timeout_s);
int autoch_result_to_errno(int result, const struct scsi_sense_hdr *sshdr);
void autoch_send_once(struct autoch_device *ach, struct autoch_file *af,
		      struct autoch_cmd *cmd);
void autoch_recovered(struct autoch_file *af);
unsigned int autoch_sense_len(const u8 *sense);

/* autoch_events.c: unit attentions, events, poll() */
void autoch_post_event(struct autoch_device *ach, u32 events);
bool autoch_reset_blocks(const u8 *cdb);
void autoch_unit_attention(struct autoch_device *ach,
			   const struct scsi_sense_hdr *sshdr);
void autoch_unit_attention_on(struct autoch_device *ach,
			      const struct scsi_sense_hdr *sshdr,
			      struct autoch_path *path, unsigned int resv_done);
void autoch_event_work(struct work_struct *work);
__poll_t autoch_poll(struct file *file, poll_table *wait);

/* autoch_elem.c: element map, READ ELEMENT STATUS, status cache */
void autoch_drop_cache(struct autoch_device *ach, bool map_too);
int autoch_type_of(const struct autoch_range *range, u16 addr);
void autoch_free_map(struct autoch_range *range, unsigned long *rotate);
int autoch_lock_map(struct autoch_device *ach, struct autoch_file *af);
int autoch_get_status(struct autoch_device *ach, struct autoch_file *af,
		      u16 addr, u64 since,
		      struct autoch_elem *out, int *typep);
void autoch_fill_status(struct element_status *es, u16 addr, int type,
			const struct autoch_elem *e);
bool autoch_leg_ok(struct autoch_device *ach, const u8 *caps,
		   u16 from, u16 to);
bool autoch_transport_ok(struct autoch_device *ach, u16 transport,
			 bool invert);
int autoch_read_drive_id(struct autoch_device *ach,
			 struct autoch_file *af, u16 addr,
			 struct autoch_drive_id *id);
int autoch_read_drive_ids(struct autoch_device *ach, u16 first,
			  unsigned int n, struct autoch_drive_id *ids);

/* autoch_drives.c: which SCSI devices are the changer's drives */
int autoch_drives_init(void);
void autoch_drives_exit(void);
void autoch_drives_add(struct autoch_device *ach);
void autoch_drives_del(struct autoch_device *ach);
void autoch_drives_changed(struct autoch_device *ach);
void autoch_drives_refresh(struct autoch_device *ach);
void autoch_drives_seen_id(struct autoch_device *ach,
			   const struct autoch_drive_id *id);
void autoch_drives_work(struct work_struct *work);
int autoch_drive_devices(struct autoch_device *ach, struct autoch_file *af,
			 struct autoch_drive_devices *dd);

/* autoch_resv.c: element and unit reservations */
void autoch_forget_reservations(struct autoch_device *ach);
bool autoch_take_reset(struct autoch_device *ach, struct autoch_file *af);
bool autoch_others_hold_elements(struct autoch_device *ach,
				 struct autoch_file *af);
int autoch_check_reserved(struct autoch_device *ach,
			  struct autoch_file *af,
			  const u16 *addrs, unsigned int n);
int autoch_move_begin(struct autoch_device *ach, struct autoch_file *af,
		      struct autoch_busy *busy, const u16 *addrs,
		      unsigned int n,
		      int (*check)(struct autoch_device *ach, const void *parms),
		      const void *parms);
void autoch_move_end(struct autoch_device *ach, struct autoch_busy *busy,
		     bool map_too);
int autoch_reserve_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id);
int autoch_release_element(struct autoch_device *ach,
			   struct autoch_file *af, u16 addr, u8 id);
int autoch_reserve_unit(struct autoch_device *ach, struct autoch_file *af);
int autoch_release_unit(struct autoch_device *ach, struct autoch_file *af);
void autoch_release_all(struct autoch_device *ach, struct autoch_file *af);
void autoch_retry_stale(struct autoch_device *ach);
void autoch_resv_work(struct work_struct *work);
/* ... and what autoch_retake.c uses of the table */
void autoch_resv_lost(struct autoch_resv *r);
struct autoch_resv *autoch_find_resv(struct autoch_device *ach, u16 addr);
enum autoch_wait autoch_resv_wait(struct autoch_device *ach,
				  struct autoch_file *af);
int autoch_dev_resv(struct autoch_device *ach, struct autoch_file *af,
		    bool reserve, bool element, u16 addr, u8 id);
unsigned int autoch_resv_snapshot(struct autoch_device *ach,
				  u16 **addrsp, u8 **idsp,
				  unsigned int *seqp);

/* autoch_retake.c: reservations and prevention taken again, PREVENT/ALLOW */
void autoch_retake_request(struct autoch_device *ach);
int autoch_retake(struct autoch_device *ach, bool intr);
void autoch_retake_work(struct work_struct *work);
int autoch_prevent_removal(struct autoch_device *ach, struct autoch_file *af);
int autoch_allow_paths(struct autoch_device *ach, struct autoch_file *af,
		       enum autoch_wait wait);

/* autoch_pr.c: persistent reservations */
int autoch_pr_type_to_scsi(u32 type);
u32 autoch_pr_type_from_scsi(u8 scsi_type);
int autoch_pr_out(struct autoch_device *ach, struct autoch_file *af,
		  u8 sa, u8 scsi_type, u64 key, u64 sa_key);
int autoch_pr_register(struct autoch_device *ach, struct autoch_file *af,
		       u8 sa, u64 key, u64 sa_key);
int autoch_pr_in(struct autoch_device *ach, struct autoch_file *af,
		 u8 sa, unsigned int len, u8 **bufp,
		 unsigned int *availp);
int autoch_pr_parse_keys(const u8 *buf, unsigned int avail, unsigned int len,
			 u32 room, u32 *generation, u32 *total, u32 *n);
int autoch_pr_parse_reservation(const u8 *buf, unsigned int avail,
				struct pr_read_reservation *rr);

/* autoch_ioctl.c: the user ABI */
long autoch_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/*
 * autoch_sctl.c: SIOC_IO, HP-UX's pass-through. HP-UX's struct sctl_io
 * holds a user pointer, so it is not in the uapi header
 * (include/hpux/sys/scsi_ctl.h has HP-UX's declaration). Its two layouts:
 * 64-bit programs (376 bytes) and 32-bit ones, native on a 32-bit kernel
 * or compat on a 64-bit one (372 bytes). The ioctl numbers differ by the
 * size, which tells the layouts apart.
 */
#define AUTOCH_SCTL_SENSE_LEN	256

/* The fields before and after the data pointer, alike in both layouts */
struct autoch_sctl_head {
	u32 flags;
	u32 cdb_length;
	u8 cdb[16];
};

struct autoch_sctl_tail {
	u32 data_length;
	u32 max_msecs;
	u32 data_xfer;
	u32 cdb_status;
	u8 sense[AUTOCH_SCTL_SENSE_LEN];
	u32 sense_status;
	u32 sense_xfer;
	u32 reserved[16];
};

struct autoch_sctl_io64 {
	struct autoch_sctl_head h;
	u64 data;
	struct autoch_sctl_tail t;
};

struct autoch_sctl_io32 {
	struct autoch_sctl_head h;
	u32 data;
	struct autoch_sctl_tail t;
};

#define AUTOCH_SIOC_IO64	_IOWR('S', 22, struct autoch_sctl_io64)
#define AUTOCH_SIOC_IO32	_IOWR('S', 22, struct autoch_sctl_io32)
int autoch_ioctl_sctl_io(struct autoch_device *ach, struct autoch_file *af,
			 unsigned int cmd, void __user *argp);

/*
 * The pure helpers the KUnit suite (autoch_kunit.c) calls; static unless
 * the kernel has KUnit (VISIBLE_IF_KUNIT).
 */
#if IS_ENABLED(CONFIG_KUNIT)
const struct autoch_sense_errno *autoch_sense_row(unsigned int i);
int autoch_sense_to_errno(const struct scsi_sense_hdr *sshdr);
int autoch_sense_progress(const u8 *sense, unsigned int len);
bool autoch_voltag_blank(const u8 *tag);
void autoch_parse_desc(struct autoch_elem *e, const u8 *d,
		       unsigned int dlen, bool pvol, bool avol);
int autoch_parse_res(struct autoch_device *ach, int type,
		     const u8 *buf, unsigned int avail,
		     unsigned int map_seq, u32 gen, u16 want,
		     struct autoch_elem *out, bool *found, u16 *last);
void autoch_res_cdb(struct autoch_cmd *cmd, int type, bool voltag,
		    u16 start, u16 count, unsigned int alloc);
unsigned int autoch_res_alloc(unsigned int want, bool alloc16,
			      unsigned int limit);
bool autoch_res_empty(const struct autoch_cmd *cmd);
bool autoch_res_alloc16_reply(const struct autoch_cmd *cmd, int err);
bool autoch_res_cut_short(const struct autoch_cmd *cmd, unsigned int count,
			  int n);
int autoch_parse_drive_id(const u8 *buf, unsigned int avail, u16 addr,
			  struct autoch_drive_id *id);
bool autoch_id_matches(const struct autoch_drive_id *id,
		       const u8 *pg80, unsigned int len80,
		       const u8 *pg83, unsigned int len83);
int autoch_mode_page_find(u8 *buf, unsigned int avail, u8 page,
			  u8 **pagep, unsigned int *plen);
int autoch_parse_page_1d(const u8 *pg, unsigned int plen,
			 struct autoch_range *range);
void autoch_parse_page_1f(const u8 *pg, unsigned int plen, u8 *move_caps,
			  u8 *exch_caps, u8 *store_caps);
void autoch_parse_page_1e(const u8 *pg, unsigned int plen, unsigned int count,
			  unsigned long *rotate);
#endif

#endif /* _AUTOCH_H */
