/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What older kernels lack of the kernel API the driver is written against.
 *
 * The driver is written against the newest kernel's API; this header is
 * force-included before every source file (driver/Kbuild: -include) and
 * supplies what an older kernel has under another name or not at all, so
 * that the driver body knows one API. Going upstream means deleting this
 * file. The AUTOCH_HAVE_* macros come from probes of the target kernel's
 * headers in driver/probes.mk: no version number appears here or in the
 * driver.
 */
#ifndef _AUTOCH_COMPAT_H
#define _AUTOCH_COMPAT_H

#include <linux/blk_types.h>
#include <linux/device.h>
#include <linux/slab.h>
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
 * 6.3 replaced __scsi_execute() with scsi_execute_cmd() and its struct
 * scsi_exec_args. Before it, the arguments the driver uses map onto
 * __scsi_execute()'s (the struct has only the members the driver sets);
 * the data direction follows from the operation.
 */
#ifndef AUTOCH_HAVE_SCSI_EXECUTE_CMD
struct scsi_exec_args {
	unsigned char *sense;
	unsigned int sense_len;
	struct scsi_sense_hdr *sshdr;
	int *resid;
};

static inline int scsi_execute_cmd(struct scsi_device *sdev,
				   const unsigned char *cmd, blk_opf_t opf,
				   void *buffer, unsigned int bufflen,
				   int timeout, int retries,
				   const struct scsi_exec_args *args)
{
	int dir = bufflen ? (op_is_write(opf) ? DMA_TO_DEVICE :
				DMA_FROM_DEVICE) : DMA_NONE;

	return __scsi_execute(sdev, cmd, dir, buffer, bufflen, args->sense,
			      args->sshdr, timeout, retries, 0, 0,
			      args->resid);
}
#endif

/*
 * Binding. Newer kernels call probe and remove methods of struct
 * scsi_driver with the scsi_device, older ones those of the embedded
 * device_driver with its struct device. AUTOCH_SCSI_DRIVER_OPS fills in
 * the newer methods, or on an older kernel the device_driver's with
 * wrappers around the same two driver functions (autoch_main.c), which
 * is why these two are not static. A struct member cannot be supplied,
 * hence the one macro.
 */
int autoch_probe(struct scsi_device *sdev);
void autoch_remove(struct scsi_device *sdev);

#ifdef AUTOCH_HAVE_SCSI_DRIVER_PROBE
#define AUTOCH_SCSI_DRIVER_OPS			\
	.probe = autoch_probe,			\
	.remove = autoch_remove
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

#define AUTOCH_SCSI_DRIVER_OPS			\
	.gendrv.probe = autoch_gendrv_probe,	\
	.gendrv.remove = autoch_gendrv_remove
#endif

/*
 * After 6.12, scsi_register_driver() and scsi_unregister_driver() take
 * the struct scsi_driver; before, its embedded device_driver.
 */
#ifndef AUTOCH_HAVE_SCSI_REGISTER_SCSI_DRIVER
static inline int autoch_scsi_register_driver(struct scsi_driver *sdrv)
{
	return scsi_register_driver(&sdrv->gendrv);
}

#undef scsi_register_driver
#define scsi_register_driver(sdrv)	autoch_scsi_register_driver(sdrv)
#undef scsi_unregister_driver
#define scsi_unregister_driver(sdrv)	driver_unregister(&(sdrv)->gendrv)
#endif

/* After 6.12, scsi_proto.h calls RESERVE(6) and RELEASE(6) RESERVE_6 and RELEASE_6. */
#ifndef RESERVE_6
#define RESERVE_6	RESERVE
#define RELEASE_6	RELEASE
#endif

/*
 * 6.5 changed scsi_cmd_allowed()'s second argument from the open mode to
 * "opened for writing".
 */
#ifndef AUTOCH_HAVE_SCSI_CMD_ALLOWED_BOOL
static inline bool autoch_scsi_cmd_allowed(unsigned char *cmd,
					   bool open_for_write)
{
	return scsi_cmd_allowed(cmd, open_for_write ? FMODE_WRITE : 0);
}

#define scsi_cmd_allowed(cmd, open_for_write) \
	autoch_scsi_cmd_allowed(cmd, open_for_write)
#endif

/*
 * 6.4 dropped the struct class_interface argument of the class interface's
 * add_dev and remove_dev; the driver's two callbacks take
 * AUTOCH_CLASS_INTF_ARGS and use @dev alone.
 */
#ifdef AUTOCH_HAVE_CLASS_INTF_ONE_ARG
#define AUTOCH_CLASS_INTF_ARGS	struct device *dev
#else
#define AUTOCH_CLASS_INTF_ARGS	struct device *dev, struct class_interface *intf
#endif

/*
 * 7.0 added kmalloc_obj() and kzalloc_obj(): one object, sized (and typed)
 * by what it is allocated for, the GFP flags optional. Before, the same
 * allocation by sizeof(); the driver always gives the flags.
 */
#ifndef kzalloc_obj
#define kmalloc_obj(P, GFP)	kmalloc(sizeof(P), GFP)
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

#endif /* _AUTOCH_COMPAT_H */
