/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * HP-UX porting shim: HP-UX changer software says #include <sys/scsi.h>;
 * build it with -I<autoch>/include/hpux and it gets the autochanger
 * interface of <linux/autochanger.h>. Only the autochanger part of HP-UX's
 * <sys/scsi.h> exists here.
 */
#ifndef _AUTOCH_HPUX_SYS_SCSI_H
#define _AUTOCH_HPUX_SYS_SCSI_H

#include "../../uapi/linux/autochanger.h"

#endif /* _AUTOCH_HPUX_SYS_SCSI_H */
