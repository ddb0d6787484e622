// SPDX-License-Identifier: GPL-2.0
/*
 * autoch_emul: pseudo SCSI host adapters for the emulated changer.
 *
 * Each library (libraries=1..4) has its own hosts (hosts=1..4 each), each
 * with one LUN, the same library behind it (emul.h): one path to the
 * changer, which sees each host as an
 * initiator port of its own, as a library reached through two HBA ports
 * does. A path can be taken down (its commands fail with a transport
 * error or are never answered), brought up, removed and added again
 * (debugfs "path"). queuecommand counts the command, applies an armed
 * fault, and either executes it at once (no delay) or puts it on the
 * host's in-flight list with a high-resolution timer whose work executes
 * and completes it later (fault "delay": executed at once, completed
 * later). Moves and inventories reserve the robot for
 * their duration, so they are serialised; other commands complete after
 * the latency alone, however long the robot is busy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#include <scsi/scsi.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
#include <scsi/scsi_status.h>

#include "emul.h"

static unsigned int hosts = 1;
module_param(hosts, uint, 0444);
MODULE_PARM_DESC(hosts, "SCSI hosts (initiator ports, paths) seeing each library: 1 to 4 (default 1)");

static unsigned int libraries = 1;
module_param(libraries, uint, 0444);
MODULE_PARM_DESC(libraries, "independent libraries, each with its own hosts, elements, drives and debugfs directory: 1 to 4 (default 1)");

static char *profile = "library";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "superloader, library or tgt (default library)");

static unsigned int slots = 500;
module_param(slots, uint, 0444);
MODULE_PARM_DESC(slots, "library: storage elements (default 500)");

static unsigned int drives = 4;
module_param(drives, uint, 0444);
MODULE_PARM_DESC(drives, "library: data transfer elements (default 4)");

static unsigned int ie = 4;
module_param(ie, uint, 0444);
MODULE_PARM_DESC(ie, "library: import/export elements (default 4)");

static unsigned int transports = 2;
module_param(transports, uint, 0444);
MODULE_PARM_DESC(transports, "library: medium transport elements, at most 8 (default 2)");

unsigned int emul_latency_ms;
module_param_named(latency_ms, emul_latency_ms, uint, 0644);
MODULE_PARM_DESC(latency_ms, "milliseconds every command takes (default 0: completed in queuecommand)");

unsigned int emul_move_ms;
module_param_named(move_ms, emul_move_ms, uint, 0644);
MODULE_PARM_DESC(move_ms, "milliseconds the robot needs for a MOVE or EXCHANGE MEDIUM (default 0)");

unsigned int emul_init_ms;
module_param_named(init_ms, emul_init_ms, uint, 0644);
MODULE_PARM_DESC(init_ms, "milliseconds the robot needs for an INITIALIZE ELEMENT STATUS (default 0)");

unsigned int emul_ready_ms;
module_param_named(ready_ms, emul_ready_ms, uint, 0644);
MODULE_PARM_DESC(ready_ms, "milliseconds of NOT READY 04/01 after load and reset (default 0)");

bool emul_alloc16;
module_param_named(alloc16, emul_alloc16, bool, 0644);
MODULE_PARM_DESC(alloc16, "READ ELEMENT STATUS reads only the low two bytes of the allocation length, as some libraries do (default 0)");

unsigned int emul_res_limit;
module_param_named(res_limit, emul_res_limit, uint, 0644);
MODULE_PARM_DESC(res_limit, "elements one READ ELEMENT STATUS reports at most, as some libraries do; a larger count is cut to it (default 0: no limit)");

bool emul_res_limit_refuse;
module_param_named(res_limit_refuse, emul_res_limit_refuse, bool, 0644);
MODULE_PARM_DESC(res_limit_refuse, "a READ ELEMENT STATUS for more than res_limit elements is ILLEGAL REQUEST 24/00 instead (default 0)");

static unsigned int emul_max_sectors = 8192;
module_param_named(max_sectors, emul_max_sectors, uint, 0644);
MODULE_PARM_DESC(max_sectors, "512-byte sectors one command may transfer, taken at load and at event add (default 8192, at least 8)");

struct device *emul_root;
static struct emul_state *emul_libs[EMUL_MAX_LIBS];
static struct workqueue_struct *emul_wq;
/* serialises LU removal and addition (debugfs events, fault "remove") */
static DEFINE_MUTEX(emul_lu_mutex);

static void emul_complete(struct emul_cmd *ec)
{
	struct scsi_cmnd *cmd = ec->cmd;

	if (ec->preset) {
		cmd->result = ec->result;
		if (ec->key)
			scsi_build_sense(cmd, 0, ec->key, ec->asc, ec->ascq);
		/* SPC-4 4.5.5: an error of an earlier command */
		if (ec->key && ec->deferred)
			cmd->sense_buffer[0] = 0x71;
		scsi_set_resid(cmd, scsi_bufflen(cmd));
	} else if (!ec->executed) {
		emul_execute(ec->host->st, ec);
	}
	scsi_done(cmd);
}

static void emul_work(struct work_struct *work)
{
	struct emul_cmd *ec = container_of(work, struct emul_cmd, work);
	struct emul_host *eh = ec->host;
	unsigned long flags;

	spin_lock_irqsave(&eh->lock, flags);
	if (list_empty(&ec->node)) {
		/* aborted, reset or unloaded: no longer ours */
		spin_unlock_irqrestore(&eh->lock, flags);
		return;
	}
	list_del_init(&ec->node);
	spin_unlock_irqrestore(&eh->lock, flags);
	emul_complete(ec);
}

static enum hrtimer_restart emul_timer(struct hrtimer *timer)
{
	struct emul_cmd *ec = container_of(timer, struct emul_cmd, timer);

	queue_work(emul_wq, &ec->work);
	return HRTIMER_NORESTART;
}

/* On return neither the timer nor the work of @ec runs or will run. */
static void emul_cancel(struct emul_cmd *ec)
{
	hrtimer_cancel(&ec->timer);
	cancel_work_sync(&ec->work);
}

/* Fault "remove": the LU goes away while the faulted command is in flight. */
static void emul_remove_work(struct work_struct *work)
{
	struct emul_host *eh = container_of(work, struct emul_host,
					    remove_work);
	struct scsi_device *sdev;

	mutex_lock(&emul_lu_mutex);
	sdev = scsi_device_lookup(eh->shost, 0, 0, 0);
	if (sdev) {
		scsi_remove_device(sdev);
		scsi_device_put(sdev);
	}
	mutex_unlock(&emul_lu_mutex);
}

static int emul_init_cmd_priv(struct Scsi_Host *shost, struct scsi_cmnd *cmd)
{
	struct emul_cmd *ec = scsi_cmd_priv(cmd);

	INIT_WORK(&ec->work, emul_work);
	hrtimer_setup(&ec->timer, emul_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	return 0;
}

static emul_qc_status emul_queuecommand(struct Scsi_Host *shost,
					struct scsi_cmnd *cmd)
{
	struct emul_host *eh = shost_priv(shost);
	struct emul_cmd *ec = scsi_cmd_priv(cmd);
	struct emul_state *st = eh->st;
	unsigned long flags;
	struct emul_fault f;
	bool faulted;
	u64 delay;
	u8 down;

	/* the timer and the work may still be on their way out */
	memset(ec, 0, offsetof(struct emul_cmd, timer));
	ec->cmd = cmd;
	ec->host = eh;
	ec->short_len = UINT_MAX;
	INIT_LIST_HEAD(&ec->node);
	INIT_LIST_HEAD(&ec->drop);
	cmd->result = 0;

	/* a path that is down: the library never sees the command */
	spin_lock_irqsave(&eh->lock, flags);
	down = eh->dying ? DID_NO_CONNECT : eh->down;
	if (down == EMUL_PATH_TIMEOUT) {
		ec->hold = EMUL_HOLD_TIMEOUT;
		list_add_tail(&ec->node, &eh->inflight);
	}
	spin_unlock_irqrestore(&eh->lock, flags);
	if (down == EMUL_PATH_TIMEOUT)
		return 0;
	if (down) {
		set_host_byte(cmd, down);
		scsi_done(cmd);
		return 0;
	}

	spin_lock_irqsave(&st->lock, flags);
	st->counters[eh->index][cmd->cmnd[0]]++;
	faulted = emul_fault_match(st, eh->index, cmd->cmnd[0], &f);
	delay = emul_delay(st, cmd->cmnd);
	spin_unlock_irqrestore(&st->lock, flags);
	if (faulted)
		emul_apply_fault(ec, &f, &delay);
	if (ec->executed)
		emul_execute(st, ec);

	spin_lock_irqsave(&eh->lock, flags);
	if (eh->dying || eh->gone) {
		spin_unlock_irqrestore(&eh->lock, flags);
		set_host_byte(cmd, DID_NO_CONNECT);
		scsi_done(cmd);
		return 0;
	}
	if (!ec->hold && !delay) {
		spin_unlock_irqrestore(&eh->lock, flags);
		emul_complete(ec);
		return 0;
	}
	list_add_tail(&ec->node, &eh->inflight);
	if (!ec->hold)
		hrtimer_start(&ec->timer, ns_to_ktime(delay),
			      HRTIMER_MODE_REL);
	if (faulted && f.kind == EMUL_FAULT_REMOVE)
		schedule_work(&eh->remove_work);
	spin_unlock_irqrestore(&eh->lock, flags);
	return 0;
}

/*
 * Take the commands of @sdev (all when NULL) off the in-flight list and
 * wait until no work touches them. With @did they are completed with that
 * host byte (DID_NO_CONNECT: unload, "event remove fail"; a path going
 * down: its HOW) and counted in @lost, executed or not (fault "delay"
 * executed them when they arrived: the library acted, the status is
 * lost); otherwise the midlayer's error handler owns them. Returns false, leaving
 * everything alone, when @refuse_held and a command waits for a host
 * reset.
 */
static bool emul_drop(struct emul_host *eh, struct scsi_device *sdev,
		      u8 did, bool refuse_held)
{
	struct emul_cmd *ec, *tmp;
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&eh->lock, flags);
	if (refuse_held) {
		list_for_each_entry(ec, &eh->inflight, node) {
			if ((!sdev || ec->cmd->device == sdev) &&
			    ec->hold == EMUL_HOLD_HOSTRESET) {
				spin_unlock_irqrestore(&eh->lock, flags);
				return false;
			}
		}
	}
	list_for_each_entry_safe(ec, tmp, &eh->inflight, node) {
		if (sdev && ec->cmd->device != sdev)
			continue;
		list_del_init(&ec->node);
		list_add_tail(&ec->drop, &gone);
	}
	spin_unlock_irqrestore(&eh->lock, flags);

	list_for_each_entry_safe(ec, tmp, &gone, drop) {
		list_del_init(&ec->drop);
		emul_cancel(ec);
		if (did) {
			spin_lock_irqsave(&eh->st->lock, flags);
			eh->st->lost[ec->cmd->cmnd[0]]++;
			spin_unlock_irqrestore(&eh->st->lock, flags);
			ec->cmd->result = did << 16;
			scsi_done(ec->cmd);
		}
	}
	return true;
}

static int emul_eh_abort(struct scsi_cmnd *cmd)
{
	struct emul_host *eh = shost_priv(cmd->device->host);
	struct emul_cmd *ec = scsi_cmd_priv(cmd);
	unsigned long flags;

	spin_lock_irqsave(&eh->lock, flags);
	if (!list_empty(&ec->node)) {
		if (ec->hold == EMUL_HOLD_HOSTRESET) {
			spin_unlock_irqrestore(&eh->lock, flags);
			return FAILED;
		}
		list_del_init(&ec->node);
	}
	spin_unlock_irqrestore(&eh->lock, flags);
	/* the work may be running: the command must be ours alone on return */
	emul_cancel(ec);
	return SUCCESS;
}

/* LOGICAL UNIT RESET (SAM-5 7.7): as a power on, for every initiator */
static int emul_eh_device_reset(struct scsi_cmnd *cmd)
{
	struct emul_host *eh = shost_priv(cmd->device->host);
	struct emul_state *st = eh->st;
	unsigned long flags;
	bool down;

	/* a path that is down reaches no LU: the host reset comes next */
	spin_lock_irqsave(&eh->lock, flags);
	down = eh->down;
	spin_unlock_irqrestore(&eh->lock, flags);
	if (down)
		return FAILED;
	if (!emul_drop(eh, cmd->device, 0, true))
		return FAILED;
	spin_lock_irqsave(&st->lock, flags);
	emul_power_on(st);
	spin_unlock_irqrestore(&st->lock, flags);
	return SUCCESS;
}

/*
 * The library loses the I_T nexus of initiator @ini (a host reset, a path
 * going down): SPC-2 5.5.1, its RESERVE reservations are released; its
 * prevention of medium removal ends (SMC-3, PREVENT ALLOW MEDIUM REMOVAL:
 * the prevention ends for each I_T nexus by its ALLOW or its I_T nexus
 * loss); its persistent reservation registration stays (SPC-4 5.13).
 * It gets I_T NEXUS LOSS OCCURRED (29/07) when it comes back.
 */
static void emul_nexus_loss(struct emul_state *st, unsigned int ini)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&st->lock, flags);
	if (st->unit_res == ini)
		st->unit_res = -1;
	for (i = 0; i < st->nelems; i++)
		if (st->elems[i].res_owner == ini + 1)
			st->elems[i].res_owner = 0;
	st->prevent[ini] = false;
	emul_raise_ua(st, ini, EMUL_UA_NEXUS_LOSS);
	spin_unlock_irqrestore(&st->lock, flags);
}

/* A host reset drops this I_T nexus: everything in flight goes. */
static int emul_eh_host_reset(struct scsi_cmnd *cmd)
{
	struct emul_host *eh = shost_priv(cmd->device->host);

	emul_drop(eh, NULL, 0, false);
	emul_nexus_loss(eh->st, eh->index);
	return SUCCESS;
}

/*
 * One per library: the first "autoch_emul", then "autoch_emul1", ...; room
 * for any unsigned int (W=1 checks it from 6.12 on).
 */
static char emul_names[EMUL_MAX_LIBS][24];

/*
 * Library @lib's name, for its hosts' template and its debugfs directory:
 * autoch_emul for the first, autoch_emulN after.
 */
const char *emul_lib_name(unsigned int lib)
{
	char *name = emul_names[lib];

	if (lib)
		snprintf(name, sizeof(emul_names[lib]), "autoch_emul%u", lib);
	else
		strscpy(name, "autoch_emul", sizeof(emul_names[lib]));
	return name;
}

static struct scsi_host_template emul_templates[EMUL_MAX_LIBS];

static const struct scsi_host_template emul_template = {
	EMUL_BASE_SHT("autoch_emul"),
	.proc_name = "autoch_emul",
	.init_cmd_priv = emul_init_cmd_priv,
	.queuecommand = emul_queuecommand,
	.eh_abort_handler = emul_eh_abort,
	.eh_device_reset_handler = emul_eh_device_reset,
	.eh_host_reset_handler = emul_eh_host_reset,
	.can_queue = 64,
	.cmd_per_lun = 16,
	.max_sectors = 8192,
	.cmd_size = sizeof(struct emul_cmd),
};

/*
 * debugfs "event remove": hot-unplug the LU from every host. The midlayer
 * waits for the commands in flight, which run their course first. With
 * @fail ("event remove fail") the LU is pulled as a cable is: what is in
 * flight fails with DID_NO_CONNECT (counted in "lost"), every command
 * after it too until "event add", and only then is the LU removed.
 */
int emul_remove_lu(struct emul_state *st, bool fail)
{
	struct scsi_device *sdev;
	struct emul_host *eh;
	unsigned long flags;
	unsigned int i;

	mutex_lock(&emul_lu_mutex);
	for (i = 0; i < st->nhosts && fail; i++) {
		eh = shost_priv(st->shosts[i]);
		spin_lock_irqsave(&eh->lock, flags);
		eh->gone = true;
		spin_unlock_irqrestore(&eh->lock, flags);
		emul_drop(eh, NULL, DID_NO_CONNECT, false);
	}
	for (i = 0; i < st->nhosts; i++) {
		sdev = scsi_device_lookup(st->shosts[i], 0, 0, 0);
		if (!sdev)
			continue;
		scsi_remove_device(sdev);
		scsi_device_put(sdev);
	}
	mutex_unlock(&emul_lu_mutex);
	return 0;
}

/* debugfs "event add": bring it back, with a new power-on attention. */
int emul_add_lu(struct emul_state *st)
{
	struct emul_host *eh;
	unsigned long flags;
	unsigned int i;
	int err = 0, ret;

	spin_lock_irqsave(&st->lock, flags);
	emul_raise_ua(st, -1, EMUL_UA_POWER_ON);
	spin_unlock_irqrestore(&st->lock, flags);

	mutex_lock(&emul_lu_mutex);
	for (i = 0; i < st->nhosts; i++) {
		eh = shost_priv(st->shosts[i]);
		spin_lock_irqsave(&eh->lock, flags);
		eh->gone = false;
		spin_unlock_irqrestore(&eh->lock, flags);
		/* the new LU's queue takes the host's limit */
		st->shosts[i]->max_sectors = max(READ_ONCE(emul_max_sectors), 8U);
		ret = scsi_add_device(st->shosts[i], 0, 0, 0);
		if (ret)
			err = ret;
	}
	mutex_unlock(&emul_lu_mutex);
	return err;
}

/*
 * debugfs "path down N HOW" (@how: a host byte or EMUL_PATH_TIMEOUT) and
 * "path up N" (@how 0). Going down loses the I_T nexus. With a host byte,
 * the commands in flight on the path complete at once with it: one not
 * executed yet (a MOVE waiting for the robot) never is, the path failed
 * before the library acted; one executed when it arrived (fault "delay")
 * loses its GOOD status, the library acted. With "timeout" they complete
 * as they would have.
 */
int emul_path_down(struct emul_state *st, unsigned int index, u8 how)
{
	struct emul_host *eh;
	unsigned long flags;
	bool was_down;

	if (index >= st->nhosts)
		return -EINVAL;
	eh = shost_priv(st->shosts[index]);
	spin_lock_irqsave(&eh->lock, flags);
	was_down = eh->down;
	eh->down = how;
	spin_unlock_irqrestore(&eh->lock, flags);
	if (how && how != EMUL_PATH_TIMEOUT)
		emul_drop(eh, NULL, how, false);
	if (how && !was_down)
		emul_nexus_loss(st, index);
	return 0;
}

/* debugfs "path remove N": the LU disappears from one host alone. */
int emul_path_remove(struct emul_state *st, unsigned int index)
{
	struct scsi_device *sdev;

	if (index >= st->nhosts)
		return -EINVAL;
	mutex_lock(&emul_lu_mutex);
	sdev = scsi_device_lookup(st->shosts[index], 0, 0, 0);
	if (sdev) {
		scsi_remove_device(sdev);
		scsi_device_put(sdev);
	}
	mutex_unlock(&emul_lu_mutex);
	return sdev ? 0 : -ENOENT;
}

/* debugfs "path add N": the LU appears on that host again. */
int emul_path_add(struct emul_state *st, unsigned int index)
{
	int err;

	if (index >= st->nhosts)
		return -EINVAL;
	mutex_lock(&emul_lu_mutex);
	st->shosts[index]->max_sectors = max(READ_ONCE(emul_max_sectors), 8U);
	err = scsi_add_device(st->shosts[index], 0, 0, 0);
	mutex_unlock(&emul_lu_mutex);
	return err;
}

/* debugfs "path" read: "INDEX hostN up|down HOW present|removed" a line */
void emul_path_show(struct emul_state *st, struct seq_file *m)
{
	struct scsi_device *sdev;
	struct emul_host *eh;
	unsigned long flags;
	unsigned int i;
	u8 down;

	mutex_lock(&emul_lu_mutex);
	for (i = 0; i < st->nhosts; i++) {
		eh = shost_priv(st->shosts[i]);
		spin_lock_irqsave(&eh->lock, flags);
		down = eh->down;
		spin_unlock_irqrestore(&eh->lock, flags);
		sdev = scsi_device_lookup(st->shosts[i], 0, 0, 0);
		if (sdev)
			scsi_device_put(sdev);
		seq_printf(m, "%u host%u %s %s\n", i, st->shosts[i]->host_no,
			   !down ? "up -" : down == EMUL_PATH_TIMEOUT ?
			   "down timeout" : "down did", sdev ? "present" : "removed");
	}
	mutex_unlock(&emul_lu_mutex);
}

/* The library's hosts go: their commands first, then the hosts. */
static void emul_remove_hosts(struct emul_state *st)
{
	struct emul_host *eh;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < st->nhosts; i++) {
		if (!st->shosts[i])
			continue;
		eh = shost_priv(st->shosts[i]);
		spin_lock_irqsave(&eh->lock, flags);
		eh->dying = true;
		spin_unlock_irqrestore(&eh->lock, flags);
		cancel_work_sync(&eh->remove_work);
		emul_drop(eh, NULL, DID_NO_CONNECT, false);
	}
	for (i = 0; i < st->nhosts; i++) {
		if (!st->shosts[i])
			continue;
		scsi_remove_host(st->shosts[i]);
		scsi_host_put(st->shosts[i]);
		st->shosts[i] = NULL;
	}
}

/* Library @lib: its state and profile, powered on; NULL or an ERR_PTR. */
static struct emul_state *emul_lib_new(unsigned int lib)
{
	struct emul_state *st;
	int err;

	st = kzalloc_obj(*st, GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&st->lock);
	st->lib = lib;
	st->nhosts = hosts;
	err = emul_setup(st, profile, slots, drives, ie, transports);
	if (err) {
		pr_err("bad profile '%s' or element counts\n", profile);
		kvfree(st->elems);
		kfree(st);
		return ERR_PTR(err);
	}
	spin_lock_irq(&st->lock);
	emul_power_on(st);
	spin_unlock_irq(&st->lock);
	return st;
}

/*
 * Add @shost under @parent with one target of @luns LUNs; on failure the
 * host is put. The library's hosts and its tape host (emul_tape.c).
 */
int emul_add_host(struct Scsi_Host *shost, struct device *parent,
		  unsigned int luns)
{
	int err;

	shost->max_id = 1;
	shost->max_lun = luns;
	shost->max_channel = 0;
	shost->max_cmd_len = 16;
	err = scsi_add_host(shost, parent);
	if (err)
		scsi_host_put(shost);
	return err;
}

/* Its hosts, added under the root device but not scanned yet. */
static int emul_lib_hosts(struct emul_state *st)
{
	struct scsi_host_template *t = &emul_templates[st->lib];
	struct Scsi_Host *shost;
	struct emul_host *eh;
	unsigned int i;
	int err;

	*t = emul_template;
	t->name = emul_lib_name(st->lib);
	t->proc_name = t->name;
	for (i = 0; i < st->nhosts; i++) {
		shost = scsi_host_alloc(t, sizeof(*eh));
		if (!shost)
			return -ENOMEM;
		eh = shost_priv(shost);
		eh->shost = shost;
		eh->st = st;
		eh->index = i;
		spin_lock_init(&eh->lock);
		INIT_LIST_HEAD(&eh->inflight);
		INIT_WORK(&eh->remove_work, emul_remove_work);
		shost->max_sectors = max(READ_ONCE(emul_max_sectors), 8U);
		err = emul_add_host(shost, emul_root, 1);
		if (err)
			return err;
		st->shosts[i] = shost;
	}
	return 0;
}

/* Everything of every library made so far goes, in reverse order. */
static void emul_libs_free(void)
{
	struct emul_state *st;
	int l;

	for (l = EMUL_MAX_LIBS - 1; l >= 0; l--) {
		st = emul_libs[l];
		if (!st)
			continue;
		/* no control write runs past this: it could add or remove a LU */
		emul_debugfs_exit(st);
		emul_tape_exit(st);
		emul_remove_hosts(st);
		kvfree(st->elems);
		kfree(st);
		emul_libs[l] = NULL;
	}
}

/*
 * Workqueue, root device, then each library (state, hosts, debugfs),
 * then the scan, library by library, so that the first library's
 * changers are found first.
 */
static int __init emul_init(void)
{
	struct emul_state *st;
	unsigned int l, i;
	int err;

	if (hosts < 1 || hosts > EMUL_MAX_HOSTS ||
	    libraries < 1 || libraries > EMUL_MAX_LIBS)
		return -EINVAL;
	emul_wq = alloc_workqueue("autoch_emul", WQ_UNBOUND, 0);
	if (!emul_wq)
		return -ENOMEM;
	emul_root = root_device_register("autoch_emul");
	if (IS_ERR(emul_root)) {
		err = PTR_ERR(emul_root);
		goto err_wq;
	}
	for (l = 0; l < libraries; l++) {
		st = emul_lib_new(l);
		if (IS_ERR(st)) {
			err = PTR_ERR(st);
			goto err_libs;
		}
		emul_libs[l] = st;
		err = emul_lib_hosts(st);
		/* control before the scan, so a test can arm faults for it */
		if (!err)
			err = emul_debugfs_init(st);
		if (err)
			goto err_libs;
	}
	for (l = 0; l < libraries; l++)
		for (i = 0; i < hosts; i++)
			scsi_scan_host(emul_libs[l]->shosts[i]);
	pr_info("%s profile, %u elements, %u host(s), %u librar%s\n", profile,
		emul_libs[0]->nelems, hosts, libraries,
		libraries > 1 ? "ies" : "y");
	return 0;

err_libs:
	emul_libs_free();
	root_device_unregister(emul_root);
err_wq:
	destroy_workqueue(emul_wq);
	return err;
}

static void __exit emul_exit(void)
{
	emul_libs_free();
	root_device_unregister(emul_root);
	destroy_workqueue(emul_wq);
}

module_init(emul_init);
module_exit(emul_exit);

MODULE_DESCRIPTION("Emulated SCSI media changer for the autoch tests");
MODULE_LICENSE("GPL");
