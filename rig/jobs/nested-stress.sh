# SPDX-License-Identifier: GPL-2.0
# In-host job of rig/nested-stress.sh: boot two nested guests side by side
# (started together) N times in one host boot, each time waiting until
# both reach @@READY, then stopping them.  A hang of the emulated host
# shows as a silent console (vm-run.sh's watchdog dumps the vCPUs), so a
# heartbeat keeps the console busy while the host is alive.
# Argument: number of side-by-side pair boots (default 10).
. /rig/guests.sh
# Count every failure: no second boot of a guest that reset itself.
GUEST_RETRY=0
n=${1:-10}
# Marks the job as a test file for rig/qemu-faults.sh's classifiers.
echo "@@TEST-BEGIN nested-stress $(cut -d' ' -f1 /proc/uptime)"
echo "stress: host has $(grep -c ^processor /proc/cpuinfo) CPUs online: $(cat /sys/devices/system/cpu/online); cmdline: $(cat /proc/cmdline)"
(while sleep 10; do echo "stress: alive $(cut -d' ' -f1 /proc/uptime)"; done) &
hb=$!
# guests.sh's helpers set $i (busybox sh has no local): count with $pair.
dump() {	# both guests' consoles and QEMU messages, for the log
	for g in 0 1; do
		echo "stress: guest $g qemu ($(guest_end $g)): $(cat /run/g$g.qemu 2>/dev/null)"
		# A guest still running but silent: where its vCPU is.
		guest_alive $g && guest_vcpu_state $g | sed "s/^/stress: g$g vcpu| /"
		console_tail $g 80 "stress: g$g| "
		echo "stress: guest $g vCPU resets: $(grep -c 'CPU Reset' /run/g$g.dlog 2>/dev/null)"
		tail -n 40 /run/g$g.dlog 2>/dev/null | awk -v p="stress: g$g-reset| " '{print p $0}'
	done
}
ok=0 pair=1
while [ $pair -le "$n" ]; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	# QEMU logs every vCPU reset: a guest that exits without a word
	# (-no-reboot) after a triple fault leaves its registers here.
	guest_start 0 -d cpu_reset,guest_errors -D /run/g0.dlog
	guest_start 1 -d cpu_reset,guest_errors -D /run/g1.dlog
	if guest_wait 0 && guest_wait 1; then
		ok=$((ok + 1))
		echo "stress: pair $pair: both guests @@READY after $(awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN {printf "%.0f", b - a}') s (guest uptimes $(grep -h '^@@READY' /run/g0.log /run/g1.log | tr -d '\r' | cut -d' ' -f2 | tr '\n' ' '))"
	else
		echo "stress: pair $pair: a guest did not reach @@READY"
		dump
		guest_stop_all
		break
	fi
	if ! guest_stop_all; then
		echo "stress: pair $pair: guest kernel splat"
		dump
		break
	fi
	pair=$((pair + 1))
done
kill $hb
echo "stress: $ok of $n side-by-side pair boots reached @@READY"
# A corruption can also show as a tree kmemleak trips over.
kmemleak_report
[ "$ok" = "$n" ]
