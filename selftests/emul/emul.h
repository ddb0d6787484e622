/* SPDX-License-Identifier: GPL-2.0 */
/*
 * autoch_emul: a pseudo SCSI host adapter presenting emulated SCSI media
 * changers (SMC-3, peripheral type 08h) to the autoch tests: one library,
 * or with libraries=N several independent ones.
 *
 * Object model:
 *
 * - One struct emul_state per library (libraries=1..EMUL_MAX_LIBS) for the
 *   module's lifetime, each with its own identity, elements, hosts, tape
 *   LUs and debugfs directory; nothing is shared between two libraries
 *   but the root device, the workqueue and the LU mutex. Its elements,
 *   reservations, unit attentions, counters, faults and malformed-reply
 *   requests are protected by @lock, a spinlock taken with interrupts
 *   off: commands are executed under it from queuecommand (any context)
 *   and from the workqueue.
 *
 * - One struct emul_host (shost_priv) per Scsi_Host, @hosts of them per
 *   library. Each host has one target with one LUN (0), its library seen
 *   through another I_T nexus: the host index is the initiator identity
 *   for reservations and unit attentions. @lock of a host protects its
 *   list of commands in flight (those not completed from queuecommand).
 *
 * - A command in flight belongs to whoever removes it from its host's
 *   list under the host lock: the work that completes it (queued by a
 *   high-resolution timer when the command's delay is over, so that a
 *   5 ms latency is 5 ms and not two or three jiffies), the abort or reset
 *   handler, or module unload. Whoever removes it last synchronises with
 *   the timer and the work (emul_cancel()) before the command may be
 *   reused, so no work ever touches a finished command.
 *
 * Locking:
 *
 * There are three locks. emul_lu_mutex is outermost; the two spinlocks
 * are never held together, and neither is held across a call into the
 * midlayer that may wait for a command:
 *
 * - emul_lu_mutex (mutex, emul_main.c): serialises removing and adding
 *   the LU (debugfs "event remove"/"add", "path remove"/"add", fault
 *   "remove"). Process context only; scsi_remove_device() and
 *   scsi_add_device() run under it, so a command's completion never
 *   takes it.
 * - emul_state.lock (spinlock, irqsave): the library, the members marked
 *   (L). Every command is executed under it (emul_execute() in
 *   emul_cmd.c), so the command files (emul_spc.c, emul_elem.c,
 *   emul_move.c, emul_resv.c, emul_pr.c, emul_fault.c) run with it held:
 *   no sleeping, no allocation; helpers that need it say so with
 *   lockdep_assert_held(). queuecommand counts, matches faults and
 *   reserves the robot under it; debugfs (emul_debugfs.c) applies writes
 *   and takes snapshots under it; the LU and host reset handlers reset
 *   state under it.
 * - emul_host.lock (spinlock, irqsave): a host's @inflight list,
 *   @dying and @down. Nothing is executed under it; a command's timer
 *   and work are cancelled (emul_cancel()) only after dropping it.
 *
 * Files:
 *   emul_main.c	module parameters, hosts, queuecommand, completion,
 *			abort/reset handlers, LU removal and addition
 *   emul_cmd.c	the command table, dispatch, replies and sense, unit
 *			attentions, REQUEST SENSE, REPORT SUPPORTED OPCODES
 *   emul_spc.c	INQUIRY and VPD pages, TEST UNIT READY, REPORT LUNS
 *   emul_elem.c	elements, mode pages 1Dh-1Fh, READ ELEMENT STATUS,
 *			INITIALIZE ELEMENT STATUS (WITH RANGE)
 *   emul_move.c	MOVE MEDIUM, EXCHANGE MEDIUM, POSITION TO ELEMENT,
 *			PREVENT ALLOW MEDIUM REMOVAL
 *   emul_resv.c	RESERVE/RELEASE (ELEMENT) and the reservation check
 *			every command passes
 *   emul_pr.c	PERSISTENT RESERVE IN/OUT
 *   emul_fault.c	armed faults, malformed replies, command durations
 *   emul_profile.c	the three profiles: element map, media, identity
 *   emul_debugfs.c	the test control files in debugfs
 */
#ifndef _AUTOCH_EMUL_H
#define _AUTOCH_EMUL_H

#include <linux/debugfs.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>

/*
 * What older kernels lack, told by the driver's probes (driver/probes.mk):
 * 6.12 moved the unaligned helpers; 6.13 added hrtimer_setup(), and later
 * kernels removed hrtimer_init(); queuecommand's return type became
 * enum scsi_qc_status after 6.12.
 */
#ifdef AUTOCH_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* what queuecommand returns: an int before enum scsi_qc_status */
#ifdef AUTOCH_HAVE_SCSI_QC_STATUS
#define emul_qc_status	enum scsi_qc_status
#else
#define emul_qc_status	int
#endif

#ifndef AUTOCH_HAVE_HRTIMER_SETUP
static inline void hrtimer_setup(struct hrtimer *timer,
				 enum hrtimer_restart (*function)(struct hrtimer *),
				 clockid_t clock_id, enum hrtimer_mode mode)
{
	hrtimer_init(timer, clock_id, mode);
	timer->function = function;
}
#endif

/* 7.0 added kzalloc_obj(): before, the same allocation by sizeof(). */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/* Kernels after 6.12 name RESERVE(6)/RELEASE(6) RESERVE_6/RELEASE_6. */
#ifndef RESERVE_6
#define RESERVE_6		RESERVE
#define RELEASE_6		RELEASE
#endif
/* SMC-3 6.5; <scsi/scsi_proto.h> names 37h only READ_DEFECT_DATA. */
#define EMUL_INIT_ELEM_RANGE	0x37
/* SMC-3 6.7 OPEN/CLOSE IMPORT/EXPORT ELEMENT (the kernel calls 1Bh START_STOP) */
#define EMUL_OPEN_CLOSE_IE	0x1b

#define EMUL_MAX_HOSTS		4
#define EMUL_MAX_LIBS		4	/* libraries=1..4 */
/* drive N of library L reports identifier number L * this + N */
#define EMUL_LIB_DRIVES		10000
#define EMUL_MAX_ELEMS		60000
#define EMUL_TAG_MAX		16	/* barcode characters we keep */
#define EMUL_VOLTAG_LEN		36	/* SMC-3: 32 identifier + 4 sequence */
#define EMUL_DVCID_LEN		36	/* DVCID identifier, at most */
#define EMUL_MAX_FAULTS		16
#define EMUL_TAPE_LUNS		16	/* tape drives as LUs (emul_tape.c) */
#define EMUL_MAX_MAGS		2
#define EMUL_SCRATCH_LEN	1024

/* SMC-3 table 23: element type codes; 0 means all types. */
enum emul_type {
	EMUL_ALL = 0,
	EMUL_MT = 1,
	EMUL_ST = 2,
	EMUL_IE = 3,
	EMUL_DT = 4,
	EMUL_NTYPES = 5,
};

enum emul_profile {
	EMUL_SUPERLOADER,
	EMUL_LIBRARY,
	EMUL_TGT,
};

/* Optional command groups a profile offers. */
#define EMUL_F_EXCHANGE		BIT(0)	/* EXCHANGE MEDIUM */
#define EMUL_F_RESERVE		BIT(1)	/* RESERVE/RELEASE ELEMENT (6/10) */
#define EMUL_F_ELEM_RES		BIT(2)	/* ... with the Element bit */
#define EMUL_F_PR		BIT(3)	/* PERSISTENT RESERVE IN/OUT */
#define EMUL_F_PREVENT		BIT(4)	/* PREVENT ALLOW MEDIUM REMOVAL */
#define EMUL_F_POSITION		BIT(5)	/* POSITION TO ELEMENT */
#define EMUL_F_INIT_RANGE	BIT(6)	/* INITIALIZE ELEMENT STATUS WITH RANGE */
#define EMUL_F_DVCID		BIT(7)	/* READ ELEMENT STATUS DVCID */
#define EMUL_F_ALT_TAGS		BIT(8)	/* alternate volume tags */
#define EMUL_F_SMC3_DESC	BIT(9)	/* identifier trailer in descriptors */
#define EMUL_F_TGT		BIT(10)	/* tgt's quirks */
#define EMUL_F_OPEN_CLOSE	BIT(11)	/* OPEN/CLOSE IMPORT/EXPORT ELEMENT */
#define EMUL_F_PTPL		BIT(12)	/* persist through power loss (APTPL) */

/* Pending unit attentions of one initiator, highest priority first. */
enum emul_ua {
	EMUL_UA_POWER_ON,	/* 29/00 */
	EMUL_UA_NEXUS_LOSS,	/* 29/07 */
	EMUL_UA_RES_PREEMPTED,	/* 2A/03 */
	EMUL_UA_RES_RELEASED,	/* 2A/04 */
	EMUL_UA_REG_PREEMPTED,	/* 2A/05 */
	EMUL_UA_MEDIUM,		/* 28/00 */
	EMUL_UA_IE_ACCESSED,	/* 28/01 */
	EMUL_UA_NR,
};

enum emul_fault_kind {
	EMUL_FAULT_NONE,
	EMUL_FAULT_TIMEOUT,
	EMUL_FAULT_BUSY,
	EMUL_FAULT_TSF,
	EMUL_FAULT_CONFLICT,
	EMUL_FAULT_SENSE,
	EMUL_FAULT_NOSENSE,
	EMUL_FAULT_SHORT,
	EMUL_FAULT_HOSTRESET,
	EMUL_FAULT_DID,
	EMUL_FAULT_REMOVE,
	EMUL_FAULT_DELAY,
	EMUL_FAULT_NR,
};

/**
 * struct emul_fault - one armed fault (debugfs "fault")
 * @any_op: matches every opcode
 * @opcode: the opcode it matches otherwise
 * @host: the host index it matches, -1 for every host
 * @skip: matching commands still to let through first
 * @count: matching commands still to fail; 0 means every one
 * @kind: what happens to them
 * @key: sense key (sense)
 * @asc: additional sense code (sense)
 * @ascq: its qualifier (sense)
 * @deferred: the sense is a deferred error (response code 71h: sense)
 * @did: host byte (did)
 * @bytes: bytes to transfer (short); 0 means half
 * @ms: milliseconds the completion is held after execution (delay)
 * @hits: commands failed so far
 */
struct emul_fault {
	bool any_op;
	u8 opcode;
	int host;
	u32 skip;
	u32 count;
	enum emul_fault_kind kind;
	u8 key;
	u8 asc;
	u8 ascq;
	bool deferred;
	u8 did;
	u32 bytes;
	u32 ms;
	u32 hits;
};

enum emul_malformed_kind {
	EMUL_MAL_NONE,
	EMUL_MAL_TRUNCATED,
	EMUL_MAL_OVERSIZED,
	EMUL_MAL_DESCLEN0,
	EMUL_MAL_COUNTS,
	EMUL_MAL_PAGETYPE,
	EMUL_MAL_RANDOM,
	EMUL_MAL_NR,
};

/* Which replies a malformed request applies to. */
#define EMUL_MAL_RES		BIT(0)
#define EMUL_MAL_MODE		BIT(1)

/**
 * struct emul_elem - one element of the library
 * @addr: element address
 * @type: element type code
 * @full: holds a cartridge
 * @svalid: @source is valid
 * @invert: the cartridge was inverted on its last move
 * @impexp: placed by the operator (import/export elements)
 * @open: opened for the operator by OPEN/CLOSE IMPORT/EXPORT ELEMENT
 *	(import/export elements): out of the robot's reach until closed
 * @image: the cartridge has a tape image (tgt profile: loadable)
 * @except: the element is in an abnormal state (Except), @asc/@ascq say which
 * @ie_enab: import/export elements: InEnab (0x20) and ExEnab (0x10)
 * @asc: additional sense code of that state
 * @ascq: its qualifier
 * @mag: magazine index of a storage element, -1 for none
 * @source: address of the element the cartridge last came from
 * @res_owner: initiator + 1 holding an element reservation, 0 for none
 * @res_id: reservation identification of that reservation
 * @tag: primary volume tag (barcode), NUL terminated
 * @alt: alternate volume tag, NUL terminated, empty for none
 * @noid: data transfer elements: READ ELEMENT STATUS reports no
 *	identifier for the drive (DVCID of length 0)
 * @ident: data transfer elements: which drive is in it, the number its
 *	identifier carries (emul_drive_serial()); debugfs "event drive"
 *	changes it, as a drive replaced or moved
 */
struct emul_elem {
	u16 addr;
	u8 type;
	bool full;
	bool svalid;
	bool invert;
	bool impexp;
	bool open;
	bool image;
	bool except;
	u8 ie_enab;
	u8 asc;
	u8 ascq;
	s8 mag;
	u16 source;
	u8 res_owner;
	u8 res_id;
	char tag[EMUL_TAG_MAX + 1];
	char alt[EMUL_TAG_MAX + 1];
	bool noid;
	u32 ident;
};

/**
 * struct emul_range - the elements of one type
 * @first: first element address
 * @count: number of elements
 * @base: index of the first one in emul_state.elems
 */
struct emul_range {
	u16 first;
	u16 count;
	u32 base;
};

/**
 * struct emul_state - one library, shared by its hosts
 * @lock: protects every member below marked (L)
 * @lib: the library's index (libraries=N), 0 for the first
 * @dir: its debugfs directory (autoch_emul, then autoch_emul1, ...)
 * @shosts: its hosts, @nhosts of them
 * @tape_shost: the host of its tape LUs, NULL until the first (emul_tape.c)
 * @tape_ident: the drive (its @ident) each tape LUN is, 0 for none; under
 *	emul_tape.c's mutex, read unlocked by the tape LUs' queuecommand
 * @profile: enum emul_profile
 * @features: EMUL_F_* of the profile
 * @vendor: INQUIRY vendor identification
 * @product: INQUIRY product identification
 * @revision: INQUIRY product revision level
 * @serial: unit serial number (VPD 80h)
 * @naa: NAA designator (VPD 83h)
 * @nhosts: number of hosts (initiators)
 * @range: element ranges by element type code (index 0 unused)
 * @nelems: number of elements
 * @nmags: number of removable magazines
 * @rotate: bit N set when transport N can rotate media
 * @move_caps: page 1Fh move capabilities by source type code
 * @exch_caps: page 1Fh exchange capabilities by source type code
 * @can_store: page 1Fh byte 2: which element types can store media
 * @dvcid_len: length of a drive's DVCID identifier
 * @elems: (L) every element, by type in range order
 * @mag_out: (L) magazine removed
 * @door_open: (L) the library's door is open
 * @ready_at: (L) jiffies from when the unit is ready (04/01 before)
 * @ready_from: (L) jiffies when it started becoming ready (the progress
 *	that NOT READY 04/01 reports is the time gone of that)
 * @robot_free: (L) ktime_get() from when the robot is idle
 * @ua: (L) pending unit attentions per initiator, BIT(enum emul_ua)
 * @unit_res: (L) initiator holding the unit reservation, -1 for none
 * @pr_reg: (L) an initiator has registered a key
 * @pr_key: (L) the key it registered
 * @pr_gen: (L) PRgeneration
 * @pr_holder: (L) initiator holding the persistent reservation, -1 none
 * @pr_type: (L) its type
 * @pr_aptpl: (L) the last REGISTER asked for APTPL (EMUL_F_PTPL)
 * @prevent: (L) medium removal prevented, per initiator
 * @counters: (L) commands received, per host and opcode
 * @lost: (L) commands failed in flight by a removal ("event remove fail")
 *	or a path going down ("path down N HOW"),
 *	per opcode
 * @faults: (L) armed faults
 * @nfaults: (L) their number
 * @mal_kind: (L) next malformed reply
 * @mal_which: (L) EMUL_MAL_RES and/or EMUL_MAL_MODE
 * @mal_count: (L) replies still to malform
 * @scratch: (L) buffer for small replies
 */
struct emul_state {
	spinlock_t lock;	/* protects the members marked (L) */
	unsigned int lib;
	struct dentry *dir;
	struct Scsi_Host *shosts[EMUL_MAX_HOSTS];
	struct Scsi_Host *tape_shost;
	u32 tape_ident[EMUL_TAPE_LUNS];
	enum emul_profile profile;
	u32 features;
	const char *vendor;
	const char *product;
	const char *revision;
	char serial[17];
	u64 naa;
	unsigned int nhosts;
	struct emul_range range[EMUL_NTYPES];
	unsigned int nelems;
	unsigned int nmags;
	u32 rotate;
	u8 move_caps[EMUL_NTYPES];
	u8 exch_caps[EMUL_NTYPES];
	u8 can_store;
	u8 dvcid_len;

	struct emul_elem *elems;
	bool mag_out[EMUL_MAX_MAGS];
	bool door_open;
	unsigned long ready_at;
	unsigned long ready_from;
	ktime_t robot_free;
	u32 ua[EMUL_MAX_HOSTS];
	int unit_res;
	bool pr_reg[EMUL_MAX_HOSTS];
	u64 pr_key[EMUL_MAX_HOSTS];
	u32 pr_gen;
	int pr_holder;
	u8 pr_type;
	bool pr_aptpl;
	bool prevent[EMUL_MAX_HOSTS];
	u64 counters[EMUL_MAX_HOSTS][256];
	u64 lost[256];
	struct emul_fault faults[EMUL_MAX_FAULTS];
	unsigned int nfaults;
	enum emul_malformed_kind mal_kind;
	u32 mal_which;
	u32 mal_count;
	u8 scratch[EMUL_SCRATCH_LEN];
};

/**
 * struct emul_host - one pseudo host adapter (shost_priv)
 * @shost: the SCSI host
 * @st: its library
 * @index: initiator identity
 * @lock: protects @inflight, @dying, @gone and @down
 * @inflight: commands not completed yet (struct emul_cmd.node)
 * @dying: the module is going: complete everything at once
 * @gone: the LU was pulled ("event remove fail"): every command fails at
 *	once with DID_NO_CONNECT until "event add"
 * @down: the path through this host is down (debugfs "path"): 0 when it
 *	is up, EMUL_PATH_TIMEOUT when its commands are never answered,
 *	else the host byte every command completes with, unexecuted
 * @remove_work: removes the LU (fault "remove")
 */
struct emul_host {
	struct Scsi_Host *shost;
	struct emul_state *st;
	unsigned int index;
	spinlock_t lock;	/* protects @inflight, @dying, @gone, @down */
	struct list_head inflight;
	bool dying;
	bool gone;
	u8 down;
	struct work_struct remove_work;
};

/* emul_host.down of a path whose commands are held until aborted */
#define EMUL_PATH_TIMEOUT	0xff

/* Commands held until the midlayer gives up on them. */
enum emul_hold {
	EMUL_HOLD_NONE,
	EMUL_HOLD_TIMEOUT,	/* aborted by eh_abort_handler */
	EMUL_HOLD_HOSTRESET,	/* abort and LU reset fail: a host reset */
};

/**
 * struct emul_cmd - per-command data (scsi_cmd_priv)
 * @cmd: the command
 * @host: its host
 * @node: entry in the host's @inflight list, empty when not there
 * @drop: entry in a list of commands taken off @inflight by a reset
 * @timer: queues @work when the command's delay is over
 * @work: completes the command
 * @hold: enum emul_hold: the command never completes by itself
 * @preset: @result is the outcome: do not execute the command
 * @executed: executed when queued (fault "delay"): only its completion waits
 * @result: preset midlayer result
 * @key: preset sense key (with SAM_STAT_CHECK_CONDITION, key non-zero)
 * @asc: preset additional sense code
 * @ascq: preset qualifier
 * @deferred: the preset sense is a deferred error (response code 71h)
 * @short_len: transfer at most this many bytes (fault "short"), or ~0
 */
struct emul_cmd {
	struct scsi_cmnd *cmd;
	struct emul_host *host;
	struct list_head node;
	struct list_head drop;
	u8 hold;
	bool preset;
	bool executed;
	int result;
	u8 key;
	u8 asc;
	u8 ascq;
	bool deferred;
	unsigned int short_len;
	/* set up once for the command's life (init_cmd_priv), never cleared */
	struct hrtimer timer;
	struct work_struct work;
};

extern unsigned int emul_latency_ms;
extern unsigned int emul_move_ms;
extern unsigned int emul_init_ms;
extern unsigned int emul_ready_ms;
extern bool emul_alloc16;
extern unsigned int emul_res_limit;
extern bool emul_res_limit_refuse;

/* Which persistent reservation types block a command (SPC-4 table 59). */
enum emul_pr_class {
	EMUL_PR_ALLOWED,	/* allowed under every type */
	EMUL_PR_READ,		/* conflicts under exclusive access only */
	EMUL_PR_WRITE,		/* conflicts under both */
};

#define EMUL_OP_NO_UA		BIT(0)	/* SAM-5 5.14: no unit attention */
#define EMUL_OP_NO_READY	BIT(1)	/* answered while becoming ready */
#define EMUL_OP_RES_OK		BIT(2)	/* allowed under another's RESERVE */

/**
 * struct emul_op - one supported command
 * @opcode: operation code
 * @sa: service action, for commands that have one
 * @has_sa: the command has service actions
 * @cdb_len: CDB length
 * @feature: EMUL_F_* the profile needs for it, 0 for every profile
 * @flags: EMUL_OP_*
 * @pr: enum emul_pr_class
 */
struct emul_op {
	u8 opcode;
	u8 sa;
	bool has_sa;
	u8 cdb_len;
	u32 feature;
	u8 flags;
	u8 pr;
};

/**
 * struct emul_out - a reply streamed into a command's scatterlist
 * @cmd: the command
 * @miter: position in the scatterlist
 * @started: @miter was started
 * @mapped: @miter holds a mapped segment
 * @moff: bytes of that segment used
 * @limit: bytes that may be transferred
 * @done: bytes transferred
 * @pos: bytes of the reply produced, transferred or not
 */
struct emul_out {
	struct scsi_cmnd *cmd;
	struct sg_mapping_iter miter;
	bool started;
	bool mapped;
	unsigned int moff;
	unsigned int limit;
	unsigned int done;
	unsigned int pos;
};

static inline bool emul_has(const struct emul_state *st, u32 feature)
{
	return (st->features & feature) == feature;
}

static inline bool emul_tgt(const struct emul_state *st)
{
	return st->features & EMUL_F_TGT;
}

static inline bool emul_reserved_by_other(const struct emul_elem *e, unsigned int ini)
{
	return e->res_owner && e->res_owner != ini + 1;
}

/* emul_cmd.c */
void emul_out_start(struct emul_out *o, struct emul_cmd *ec,
		    unsigned int alloc);
void emul_put(struct emul_out *o, const void *data, unsigned int len);
void emul_out_end(struct emul_out *o);
void emul_reply(struct emul_cmd *ec, const void *buf, unsigned int len,
		unsigned int alloc);
void emul_sense(struct emul_cmd *ec, u8 key, u8 asc, u8 ascq);
void emul_invalid_cdb(struct emul_cmd *ec);
void emul_conflict(struct emul_cmd *ec);
unsigned int emul_param_list(struct emul_cmd *ec, void *buf,
			     unsigned int len);
void emul_raise_ua(struct emul_state *st, int initiator, enum emul_ua ua);
void emul_power_on(struct emul_state *st);
void emul_execute(struct emul_state *st, struct emul_cmd *ec);

/* emul_spc.c */
void emul_inquiry(struct emul_state *st, struct emul_cmd *ec);
void emul_test_unit_ready(struct emul_state *st, struct emul_cmd *ec);
void emul_report_luns(struct emul_state *st, struct emul_cmd *ec);

/* emul_elem.c */
const char *emul_type_name(u8 type);
struct emul_elem *emul_elem(struct emul_state *st, u16 addr);
bool emul_accessible(const struct emul_state *st, const struct emul_elem *e);
u8 emul_drive_id(const struct emul_state *st, const struct emul_elem *e,
		 u8 *bus);
void emul_mode_sense(struct emul_state *st, struct emul_cmd *ec);
void emul_read_element_status(struct emul_state *st, struct emul_cmd *ec);
void emul_init_status(struct emul_state *st, struct emul_cmd *ec,
		      unsigned int ini);

/* emul_move.c */
bool emul_removal_prevented(const struct emul_state *st);
void emul_move_medium(struct emul_state *st, struct emul_cmd *ec,
		      unsigned int ini);
void emul_exchange_medium(struct emul_state *st, struct emul_cmd *ec,
			  unsigned int ini);
void emul_position(struct emul_state *st, struct emul_cmd *ec,
		   unsigned int ini);
void emul_prevent_allow(struct emul_state *st, struct emul_cmd *ec,
			unsigned int ini);
void emul_open_close_ie(struct emul_state *st, struct emul_cmd *ec,
			unsigned int ini);

/* emul_resv.c */
bool emul_reservation_conflict(const struct emul_state *st, unsigned int ini,
			       const struct emul_op *op, const u8 *cdb);
void emul_reserve(struct emul_state *st, struct emul_cmd *ec,
		  unsigned int ini);
void emul_release(struct emul_state *st, struct emul_cmd *ec,
		  unsigned int ini);

/* emul_pr.c */
void emul_pr_in(struct emul_state *st, struct emul_cmd *ec);
void emul_pr_out(struct emul_state *st, struct emul_cmd *ec, unsigned int ini);

/* emul_fault.c */
bool emul_fault_match(struct emul_state *st, unsigned int host, u8 opcode,
		      struct emul_fault *hit);
void emul_apply_fault(struct emul_cmd *ec, const struct emul_fault *f,
		      u64 *delay);
u64 emul_delay(struct emul_state *st, const u8 *cdb);
void emul_malform(struct emul_state *st, struct emul_cmd *ec, u32 which,
		  unsigned int hdr);

/* emul_profile.c */
int emul_setup(struct emul_state *st, const char *profile, unsigned int slots,
	       unsigned int drives, unsigned int ie, unsigned int transports);

/* emul_debugfs.c */
int emul_debugfs_init(struct emul_state *st);
void emul_debugfs_exit(struct emul_state *st);

/* emul_main.c */
const char *emul_lib_name(unsigned int lib);
int emul_remove_lu(struct emul_state *st, bool fail);
int emul_add_lu(struct emul_state *st);
extern struct device *emul_root;
int emul_add_host(struct Scsi_Host *shost, struct device *parent,
		  unsigned int luns);
int emul_path_down(struct emul_state *st, unsigned int index, u8 how);
int emul_path_remove(struct emul_state *st, unsigned int index);
int emul_path_add(struct emul_state *st, unsigned int index);
void emul_path_show(struct emul_state *st, struct seq_file *m);

/* emul_tape.c */
struct seq_file;
unsigned int emul_drive_serial(const struct emul_state *st, u32 ident,
			       char *id, u8 *type, char *serial);
int emul_tape_add(struct emul_state *st, struct device *parent,
		  unsigned int lun, unsigned int drive);
int emul_tape_remove(struct emul_state *st, unsigned int lun);
void emul_tape_show(struct emul_state *st, struct seq_file *m,
		    const struct emul_elem *snap);
void emul_tape_exit(struct emul_state *st);

/*
 * The host template fields the library's and the tape drives' hosts
 * share (libata's ATA_BASE_SHT is the model).
 */
#define EMUL_BASE_SHT(drv_name)				\
	.module = THIS_MODULE,				\
	.name = drv_name,				\
	.this_id = -1,					\
	.sg_tablesize = SG_ALL,				\
	.skip_settle_delay = 1

#endif /* _AUTOCH_EMUL_H */
