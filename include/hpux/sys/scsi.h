/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * HP-UX porting shim: HP-UX changer software says #include <sys/scsi.h>;
 * build it with -I<autoch>/include/hpux and it gets the autochanger
 * interface of <linux/autochanger.h> (the autochanger(7) ioctls, their
 * structures, SIOC_INQUIRY with union inquiry_data, SIOC_XSENSE with
 * union sense_data), the names below, and SIOC_IO with struct sctl_io
 * from <sys/scsi_ctl.h> (old HP-UX releases declared it here). Only this
 * part of HP-UX's <sys/scsi.h> exists here; Documentation/porting.rst
 * lists it.
 */
#ifndef _AUTOCH_HPUX_SYS_SCSI_H
#define _AUTOCH_HPUX_SYS_SCSI_H

/* HP-UX's <sys/scsi.h> includes it, and programs rely on it for ioctl(). */
#include <sys/ioctl.h>

#include "../../uapi/linux/autochanger.h"
#include "scsi_ctl.h"

/* Peripheral device types (INQUIRY byte 0 bits 4-0). */
#define SCSI_DIRECT_ACCESS	0x00
#define SCSI_SEQUENTIAL_ACCESS	0x01
#define SCSI_PROCESSOR		0x03
#define SCSI_WORM		0x04
#define SCSI_CDROM		0x05
#define SCSI_MO			0x07
/* SCSI_AUTOCHANGER (8) comes from <linux/autochanger.h>. */
#define SCSI_UNKNOWN_DEV_TYPE	0x1F

/* Sense data response codes (error_code of struct sense_2_aligned). */
#define S_CURRENT_ERROR		0x70
#define S_DEFERRED_ERROR	0x71

/* Sense keys; HP-UX spells the second one this way. */
#define S_NO_SENSE		0x00
#define S_RECOVERRED_ERROR	0x01
#define S_NOT_READY		0x02
#define S_MEDIUM_ERROR		0x03
#define S_HARDWARE_ERROR	0x04
#define S_ILLEGAL_REQUEST	0x05
#define S_UNIT_ATTENTION	0x06
#define S_DATA_PROTECT		0x07
#define S_BLANK_CHECK		0x08
#define S_VENDOR_SPECIFIC	0x09
#define S_COPY_ABORTED		0x0a
#define S_ABORTED_COMMAND	0x0b
#define S_EQUAL			0x0c
#define S_VOLUME_OVERFLOW	0x0d
#define S_MISCOMPARE		0x0e
#define S_RESERVED		0x0f

/* Bits of sense byte 2 (parms of struct xsense_aligned, high nibble). */
#define FM			0x08
#define EOM			0x04
#define ILI			0x02

/* SCSI status bytes (cdb_status and sense_status of struct sctl_io). */
#define S_GOOD			0x00
#define S_CHECK_CONDITION	0x02
#define S_CONDITION_MET		0x04
#define S_BUSY			0x08
#define S_INTERMEDIATE		0x10
#define S_I_CONDITION_MET	0x14
#define S_RESV_CONFLICT		0x18
#define S_COMMAND_TERMINATED	0x22
#define S_QUEUE_FULL		0x28

#endif /* _AUTOCH_HPUX_SYS_SCSI_H */
