/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the kernels autoch supports, in one place.
 *
 * The AUTOCH_HAVE_* macros come from probes of the target kernel's headers
 * in driver/Kbuild, so no version number appears here or in the driver.
 */
#ifndef _AUTOCH_COMPAT_H
#define _AUTOCH_COMPAT_H

#include <linux/blk_types.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/scsi_proto.h>

/* 6.12 moved the unaligned access helpers out of asm/. */
#ifdef AUTOCH_HAVE_LINUX_UNALIGNED_H
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Issue one command and wait for it. The midlayer retries nothing that
 * matters here: passthrough CHECK CONDITIONs are never retried, so the
 * driver does its own retries (unit attentions, becoming ready).
 *
 * Returns the midlayer result (host byte << 16 | status) or a negative
 * errno when no command could be issued (the queue is dying).
 */
#ifdef AUTOCH_HAVE_SCSI_EXECUTE_CMD
/* 6.3 replaced scsi_execute() with scsi_execute_cmd() and its exec_args. */
static inline int autoch_execute(struct scsi_device *sdev, const u8 *cdb,
				 bool write, void *buf, unsigned int len,
				 u8 *sense, struct scsi_sense_hdr *sshdr,
				 unsigned int timeout, int *resid)
{
	const struct scsi_exec_args args = {
		.sense = sense,
		.sense_len = SCSI_SENSE_BUFFERSIZE,
		.sshdr = sshdr,
		.resid = resid,
	};

	return scsi_execute_cmd(sdev, cdb, write ? REQ_OP_DRV_OUT : REQ_OP_DRV_IN,
				buf, len, timeout, 1, &args);
}
#else
static inline int autoch_execute(struct scsi_device *sdev, const u8 *cdb,
				 bool write, void *buf, unsigned int len,
				 u8 *sense, struct scsi_sense_hdr *sshdr,
				 unsigned int timeout, int *resid)
{
	int dir = len ? (write ? DMA_TO_DEVICE : DMA_FROM_DEVICE) : DMA_NONE;

	return __scsi_execute(sdev, cdb, dir, buf, len, sense, sshdr, timeout,
			      1, 0, 0, resid);
}
#endif

/*
 * Binding: newer kernels call probe/remove methods of struct scsi_driver
 * with the scsi_device; older ones the device_driver's methods with the
 * embedded struct device. AUTOCH_SCSI_DRIVER_OPS() fills in whichever the
 * kernel has, from the two driver functions below.
 */
static int autoch_probe(struct scsi_device *sdev);
static void autoch_remove(struct scsi_device *sdev);

#ifdef AUTOCH_HAVE_SCSI_DRIVER_PROBE
#define AUTOCH_SCSI_DRIVER_OPS			\
	.probe = autoch_probe,			\
	.remove = autoch_remove
#define AUTOCH_GENDRV_OPS
#else
static inline int autoch_gendrv_probe(struct device *dev)
{
	return autoch_probe(to_scsi_device(dev));
}

static inline int autoch_gendrv_remove(struct device *dev)
{
	autoch_remove(to_scsi_device(dev));
	return 0;
}

#define AUTOCH_SCSI_DRIVER_OPS
#define AUTOCH_GENDRV_OPS			\
	.probe = autoch_gendrv_probe,		\
	.remove = autoch_gendrv_remove,
#endif

/*
 * After 6.12, scsi_register_driver() and scsi_unregister_driver() take the
 * struct scsi_driver instead of its embedded device_driver (and the
 * midlayer sets the owner). The driver passes &template.gendrv, as every
 * kernel before took it: hand the newer ones its container.
 */
#ifdef AUTOCH_HAVE_SCSI_REGISTER_SCSI_DRIVER
#undef scsi_register_driver
#define scsi_register_driver(gendrv)	\
	__scsi_register_driver(to_scsi_driver(gendrv), THIS_MODULE)
#undef scsi_unregister_driver
#define scsi_unregister_driver(gendrv)	driver_unregister(gendrv)
#endif

/*
 * After 6.12, scsi_proto.h renamed the opcodes of RESERVE(6) and RELEASE(6)
 * to RESERVE_6 and RELEASE_6. Macros need no probe: offer both names.
 */
#if !defined(RESERVE_6) && defined(RESERVE)
#define RESERVE_6	RESERVE
#define RELEASE_6	RELEASE
#endif
#ifndef RESERVE
#define RESERVE		RESERVE_6
#define RELEASE		RELEASE_6
#endif

/*
 * 6.5 changed scsi_cmd_allowed()'s second argument from the open mode to
 * "opened for writing".
 */
static inline bool autoch_cmd_allowed(u8 *cdb, fmode_t mode)
{
#ifdef AUTOCH_HAVE_SCSI_CMD_ALLOWED_BOOL
	return scsi_cmd_allowed(cdb, !!(mode & FMODE_WRITE));
#else
	return scsi_cmd_allowed(cdb, mode);
#endif
}

#endif /* _AUTOCH_COMPAT_H */
