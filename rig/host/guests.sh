# SPDX-License-Identifier: GPL-2.0
# Nested-guest helpers for jobs running inside the emulated host (sourced
# by busybox sh).  Guest i boots /guest/bzImage with /guest/initrd.gz and
# its own copy of /guest/disk.img on virtio-blk, under the inner kvm_amd.
# Its serial console is a FIFO pair: commands go into /run/g<i>.in, output
# is drained into /run/g<i>.log.

GUEST_MEM=${GUEST_MEM:-192}
# -cpu host makes the nested guest warn in fpu__init_system_xstate (the
# emulated host reports xstate sizes inconsistently); a plain model avoids it.
GUEST_CPU=${GUEST_CPU:-qemu64}
GUEST_BOOT_TIMEOUT=${GUEST_BOOT_TIMEOUT:-300}
# The kernel has ACPI so that the emulated host sees both its vCPUs; a
# one-vCPU nested guest gains nothing from it, and its AML (PCI interrupt
# routing) runs so slowly nested under TCG that it hits the interpreter's
# loop timeout: virtio-blk gets no interrupt and the guest never boots.
GUEST_APPEND=${GUEST_APPEND:-acpi=off}

# guest_start <i> [extra qemu args...]
guest_start() {
	i=$1; shift
	rm -f /run/g$i.in /run/g$i.out /run/g$i.log
	mkfifo /run/g$i.in /run/g$i.out
	: > /run/g$i.log
	cat /run/g$i.out >> /run/g$i.log &
	cp /guest/disk.img /run/disk$i.img
	qemu-system-x86_64 -enable-kvm -cpu "$GUEST_CPU" -m "$GUEST_MEM" -smp 1 \
		-nodefaults -display none -vga none -no-reboot \
		-L /usr/share/qemu \
		-chardev pipe,id=con,path=/run/g$i -serial chardev:con \
		-drive file=/run/disk$i.img,if=virtio,format=raw \
		-kernel /guest/bzImage -initrd /guest/initrd.gz \
		-append "console=ttyS0 loglevel=5 panic=-1 $GUEST_APPEND rig.guest=$i" \
		-pidfile /run/g$i.pid "$@" > /run/g$i.qemu 2>&1 &
	echo $! > /run/g$i.qpid
}

guest_alive() {
	kill -0 "$(cat /run/g$1.qpid 2>/dev/null)" 2>/dev/null
}

# guest_wait <i>: wait until guest i has read its disk and serves commands.
guest_wait() {
	t=0
	while ! grep -q '^@@READY' /run/g$1.log 2>/dev/null; do
		if ! guest_alive "$1"; then
			echo "rig: guest $1 exited before it booted; qemu said:"
			cat /run/g$1.qemu; tail -n 20 /run/g$1.log
			return 1
		fi
		if [ $t -ge "$GUEST_BOOT_TIMEOUT" ]; then
			echo "rig: guest $1 did not boot within $GUEST_BOOT_TIMEOUT s; its console:"
			tail -n 20 /run/g$1.log
			return 1
		fi
		sleep 1; t=$((t + 1))
	done
}

# guest_run <i> <command> [timeout]: run a shell command in guest i, print
# its output and return its exit status.
guest_run() {
	id="c$$x$(cut -d' ' -f1 /proc/uptime | tr -d .)"
	printf '%s %s\n' "$id" "$2" > /run/g$1.in
	t=0
	while ! grep -q "^@@END $id " /run/g$1.log; do
		if [ $t -ge "${3:-60}" ] || ! guest_alive "$1"; then
			echo "rig: guest $1: no answer to '$2'"
			return 124
		fi
		sleep 1; t=$((t + 1))
	done
	awk -v id="$id" '$0 ~ "^@@BEGIN " id {p = 1; next}
		$0 ~ "^@@END " id " " {exit} p' /run/g$1.log | tr -d '\r'
	grc=$(tr -d '\r' < /run/g$1.log | awk -v id="$id" '$1 == "@@END" && $2 == id {print $3}')
	return "${grc:-1}"
}

# guest_stop_all: power off every guest; fail if a guest kernel splatted.
guest_stop_all() {
	rc=0
	for f in /run/g*.qpid; do
		[ -f "$f" ] || continue
		i=${f#/run/g}; i=${i%.qpid}
		kill "$(cat "$f")" 2>/dev/null
		if grep -E -f /rig/splat-patterns /run/g$i.log > /run/g$i.splat; then
			echo "rig: guest $i kernel log has a splat:"
			cat /run/g$i.splat
			rc=1
		fi
		rm -f "$f"
	done
	sleep 1
	return $rc
}

# ksm_stat <name>: one KSM counter.
ksm_stat() { cat /sys/kernel/mm/ksm/$1; }

# proc_cpu_ms <pid>: user+system CPU time of a process in milliseconds.
proc_cpu_ms() {
	awk -v hz=100 '{print ($14 + $15) * 1000 / hz}' /proc/$1/stat
}

# guest_disk_sum <i>: digest of every file on guest i's disk, read back
# through its page cache (compare with /guest/disk.sum).
guest_disk_sum() {
	# The serial console also carries the guest kernel's messages, which
	# can land on the same line as the digest: keep the digest only.
	guest_run "$1" 'cd /mnt && find . -type f | sort | xargs md5sum | md5sum | cut -d" " -f1; cd /' 120 |
		grep -oE '[0-9a-f]{32}' | head -n 1
}

ksmd_pid() {
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = ksmd ] && { echo ${p#/proc/}; return; }
	done
}

# ksm_progress <seconds> <every> [until-expr]: print a line every <every>
# seconds with elapsed time, KSM counters and ksmd CPU; stop early once
# the shell expression <until-expr> holds (it may use $sharing, $scans).
ksm_progress() {
	kp=$(ksmd_pid); c0=$(proc_cpu_ms $kp); t0=$(cut -d' ' -f1 /proc/uptime)
	n=0
	while [ $n -lt "$1" ]; do
		sleep "$2"; n=$((n + $2))
		shared=$(ksm_stat pages_shared); sharing=$(ksm_stat pages_sharing)
		scans=$(ksm_stat full_scans)
		cpu=$(awk -v c0="$c0" -v c1="$(proc_cpu_ms $kp)" -v t0="$t0" -v t1="$(cut -d' ' -f1 /proc/uptime)" \
			'BEGIN {printf "%.1f", (c1 - c0) / 10 / (t1 - t0)}')
		echo "ksm: t=${n}s pages_shared=$shared pages_sharing=$sharing full_scans=$scans ksmd_cpu=${cpu}%"
		if [ -n "${3:-}" ] && eval "$3"; then
			break
		fi
	done
}
