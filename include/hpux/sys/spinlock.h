/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * HP-UX porting shim: HP-UX SCSI programs include <sys/spinlock.h> next to
 * <sys/scsi.h>; what they use of it there is in <sys/scsi.h> here. This
 * file exists so that the include builds.
 */
#ifndef _AUTOCH_HPUX_SYS_SPINLOCK_H
#define _AUTOCH_HPUX_SYS_SPINLOCK_H

#endif /* _AUTOCH_HPUX_SYS_SPINLOCK_H */
