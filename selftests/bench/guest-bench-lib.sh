# shellcheck shell=sh disable=SC2154  # b, reps: the sourcing script's
# SPDX-License-Identifier: GPL-2.0
#
# What guest-bench-tgt.sh and guest-bench-emul.sh share (bench.sh puts it
# beside them in the guest). Written for the guest's busybox sh; the
# sourcing script sets b (autoch-bench) and reps.

# wait_for PATH TENTHS: PATH appears within TENTHS tenths of a second
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# inventories RUN SG: REPS times, a full inventory through autoch's
# per-element loop, its range ioctl and mtx status on SG, each as
# "RUN NAME COMMAND..."
inventories() {
	run=$1
	r=0
	while [ $r -lt "$reps" ]; do
		sleep 1.2	# let the status cache (cache_ms) expire
		"$run" autoch_loop "$b" loop /dev/autoch0
		sleep 1.2
		"$run" autoch_range "$b" range /dev/autoch0
		"$run" mtx "$b" time mtx -f "$2" status
		r=$((r + 1))
	done
}

# to_ch SDEV TENTHS: autoch lets go of SDEV, ch takes it
to_ch() {
	echo "$1" >/sys/bus/scsi/drivers/autoch/unbind
	modprobe ch || exit 1
	wait_for /dev/sch0 "$2" || exit 1
}
