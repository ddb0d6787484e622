# SPDX-License-Identifier: GPL-2.0
#
# Feature probes against the target kernel's headers, included by
# driver/Kbuild and by the emulation's selftests/emul/Kbuild so that both
# see a kernel the same way. Each probe greps for the interface itself,
# never for a version number, and its result is an -DAUTOCH_HAVE_* flag
# in autoch-probe-flags for driver/compat.h (and the emulation's emul.h).
#
# $(call autoch-hdr,FILE): the kernel header include/FILE, if it exists.
# $(call autoch-has,FILE,REGEX,MACRO): -DMACRO when FILE matches REGEX.

autoch-hdr = $(firstword $(wildcard $(srctree)/include/$(1) $(objtree)/include/$(1)))
autoch-has = $(if $(shell grep -qsE '$(2)' $(call autoch-hdr,$(1)) && echo y),-D$(3))

autoch-sdrv-probe := int [(][*]probe[)][(]struct scsi_device
autoch-sdrv-register := __scsi_register_driver[(]struct scsi_driver
autoch-cmd-allowed-bool := scsi_cmd_allowed[(]unsigned char [*]cmd, bool
autoch-hrtimer-setup := void hrtimer_setup[(]
autoch-intf-one-arg := add_dev[)][[:space:]]*[(]struct device [*][a-z]*[)]

# 6.3: scsi_execute_cmd()
autoch-probe-flags := $(call autoch-has,scsi/scsi_device.h,scsi_execute_cmd,AUTOCH_HAVE_SCSI_EXECUTE_CMD)
# 6.5: scsi_cmd_allowed(cmd, bool open_for_write)
autoch-probe-flags += $(call autoch-has,scsi/scsi_ioctl.h,$(autoch-cmd-allowed-bool),AUTOCH_HAVE_SCSI_CMD_ALLOWED_BOOL)
# 6.12: <linux/unaligned.h>
autoch-probe-flags += $(if $(call autoch-hdr,linux/unaligned.h),-DAUTOCH_HAVE_LINUX_UNALIGNED_H)
# 6.13: hrtimer_setup() (the emulation's timers)
autoch-probe-flags += $(call autoch-has,linux/hrtimer.h,$(autoch-hrtimer-setup),AUTOCH_HAVE_HRTIMER_SETUP)
# after 6.12 (7.2 has it): queuecommand returns enum scsi_qc_status
autoch-probe-flags += $(call autoch-has,scsi/scsi.h,enum scsi_qc_status,AUTOCH_HAVE_SCSI_QC_STATUS)
# after 6.12: struct scsi_driver's own probe/remove and registration
autoch-probe-flags += $(call autoch-has,scsi/scsi_driver.h,$(autoch-sdrv-probe),AUTOCH_HAVE_SCSI_DRIVER_PROBE)
autoch-probe-flags += $(call autoch-has,scsi/scsi_driver.h,$(autoch-sdrv-register),AUTOCH_HAVE_SCSI_REGISTER_SCSI_DRIVER)
# 6.4: struct class_interface's add_dev and remove_dev without the interface
autoch-probe-flags += $(call autoch-has,linux/device/class.h,$(autoch-intf-one-arg),AUTOCH_HAVE_CLASS_INTF_ONE_ARG)
