# SPDX-License-Identifier: GPL-2.0
# In-host job of `make bench-driver`: what the guest page hint driver costs
# and how fast its hints turn into merges.  Prints numbers only.
#  1. read overhead: a guest reads its whole disk cold, driver on and off
#     alternately, <runs> times each (times from the guest's /proc/uptime),
#     with ksmd's CPU time over each read; <settings> may add "held":
#     driver on with ksmd stopped, so the hypercalls go on but ksmd
#     does not work on the hints (it tells the guest's cost from
#     ksmd's, which on this 2-CPU emulated host takes CPU time from the
#     reading guest's QEMU), and "refused": driver on with the host's
#     mode off and ksmd stopped, so the driver hooks, keys and batches
#     every page but the host answers -KVM_ENOSYS and the driver backs
#     off (its cost without the hypercalls; against held, what the
#     hypercalls cost; ksmd must stop too: in mode off it is stock
#     KSM, whose linear scan took 87 s of CPU in one read, on the CPU
#     the nested guests are pinned to, bench-driver11), and "timed":
#     driver on and timing itself (debugfs "timing"), which gives the
#     driver's own share of the guest's busy time within each read, a
#     ratio that the emulator's speed drift between reads does not move;
#  2. hypercalls per hint and hints per second while reading;
#  3. read to merge (read_to_merge in guests.sh) at pages_to_scan 100 /
#     sleep_millisecs 20.
# Arguments: [runs] [files] [tree] [reboots] [settings] [flush_ms].
# tree "bench" reads the benchmark's bench disk (a toolchain and a source
# tree, 77 MiB in 1748 files of every size; GUEST_BENCH=1) instead of the
# guests' 48 MiB disk, with the copies of that tree rig/bench-disk.sh put
# on it (RIG_BENCH_DISK_COPIES), so a cold read can span a few hundred MiB,
# more than the guest's memory.  (Copying inside the guest took 161-443 s
# of heavy nested I/O, and lost the guest once.)  reboots: how often a
# lost guest 0 is booted again (3); settings: the read settings, from
# on, off, held, refused and timed ("on,off"); flush_ms: guest 0's pagehint.flush_ms for the reads (empty: the
# driver's default).
. /rig/guests.sh
runs=${1:-5}
nfiles=${2:-24}
tree=/mnt
if [ "${3:-disk}" = bench ]; then
	GUEST_BENCH=1 tree=/b
fi
kh=/sys/kernel/mm/ksm_hint
ksm=/sys/kernel/mm/ksm
now() { cut -d' ' -f1 /proc/uptime; }
ph() { guest_num "$1" "cat /sys/kernel/debug/pagehint/$2" 30; }
# ph_base: guest 0's driver counters the hint numbers are counted from.
ph_base() {
	q0=$(ph 0 hints_queued); h0=$(ph 0 hypercalls); s0=$(ph 0 hints_sent)
	dr0=$(ph 0 dropped_rate_limited); df0=$(ph 0 dropped_batch_full)
	do0=$(ph 0 dropped_host_off); rl0=$(cat $kh/hints_rate_limited)
}

echo 0 > $ksm/use_zero_pages
echo hint > $kh/mode
echo 1 > $kh/vm_default
echo 100 > $ksm/pages_to_scan
echo 20 > $ksm/sleep_millisecs
echo 1 > $ksm/run
guest_start 0 && guest_wait 0 && guest_start 1 && guest_wait 1 || exit 1
echo "bench: 2 guests of $GUEST_MEM MiB, disk of $(cat /guest/disk.pages) file pages"
if [ $tree = /b ]; then
	# /b also holds proc and devtmpfs mounts (the workload's chroot):
	# -xdev keeps the reads on the disk (cat /proc/kmsg would block).
	echo "bench: read tree /b (bench disk, one filesystem): $(guest_num 0 'find /b -xdev -type f | wc -l' 120) files," \
		"$(guest_num 0 'du -smx /b' 120) MiB"
fi

# 1, 2: read cost, driver on and off alternately.
p=/sys/module/pagehint/parameters/enable
# set_flush: after every boot of guest 0, the interval under test.
set_flush() {
	[ -n "${6:-}" ] && guest_run 0 "echo $6 > /sys/module/pagehint/parameters/flush_ms" 30 > /dev/null
	echo "bench: guest 0 flush_ms $(guest_num 0 'cat /sys/module/pagehint/parameters/flush_ms' 30)"
}
# The guest's busy CPU time over the read (/proc/stat: user, nice, system,
# irq, softirq; not idle, iowait or steal) as well as its wall time: the
# driver's cost is CPU time in the guest (hooks, keys, batches, and the
# hypercall exits, which the guest sees as time in the instruction).  It
# was meant to leave out the emulated disk's waits; in bench-driver13 it
# was 76-79 % of the wall time in every read and spread as much, so the
# spread is the emulator's speed drifting between reads, which only a
# ratio within one read ("timed") cancels.
D=/sys/kernel/debug/pagehint
dc="\$(cat $D/hook_ns) \$(cat $D/hypercall_ns) \$(cat $D/hints_queued)"
rd="sync; echo 3 > /proc/sys/vm/drop_caches; a=\$(cut -d' ' -f1 /proc/uptime); sa=\$(head -n 1 /proc/stat); da=\"$dc\"; find $tree -xdev -type f | xargs cat > /dev/null; b=\$(cut -d' ' -f1 /proc/uptime); sb=\$(head -n 1 /proc/stat); db=\"$dc\"; echo \"@T \$a \$b\"; echo \"@S \$sa\"; echo \"@S \$sb\"; echo \"@D \$da\"; echo \"@D \$db\""
# busy <file>: busy CPU seconds between the two @S lines of a read's output
# (USER_HZ is 100 on x86).
busy() {
	awk '/^@S/ {n++; u[n] = $3 + $4 + $5 + $8 + $9}
		END {if (n == 2) printf "%.2f\n", (u[2] - u[1]) / 100}' "$1"
}
# driver_time <file>: the driver's own time over a read (hooks plus
# hypercalls, in s; an upper bound: a hook's hypercalls count twice) and
# the hints queued meanwhile, then the hooks' and the hypercalls' parts,
# from the two @D lines; nothing unless timed.
driver_time() {
	awk '/^@D/ {n++; h[n] = $2; c[n] = $3; q[n] = $4}
		END {if (n == 2 && h[2] + c[2] > h[1] + c[1])
			printf "%.3f %d %.3f %.3f\n", (h[2] + c[2] - h[1] - c[1]) / 1e9,
				q[2] - q[1], (h[2] - h[1]) / 1e9, (c[2] - c[1]) / 1e9}' "$1"
}
# (Comma-separated: the job's arguments reach it split at spaces.)
modes=$(echo "${5:-on,off}" | tr , ' ')
for mode in $modes; do
	case $mode in
	on | off | held | refused | timed) : > /tmp/$mode; : > /tmp/$mode.k; : > /tmp/$mode.c ;;
	*) echo "bench: unknown read setting $mode"; exit 2 ;;
	esac
done
: > /tmp/onseg
: > /tmp/timed.share; : > /tmp/timed.perhint
kp=$(ksmd_pid)
set_flush "$@"
ph_base
# A guest the emulator loses (heavy nested I/O loses one within minutes
# here: results/JOURNAL.md, "2026-12-05 early") is booted again, up to <reboots>
# times, and the read done once more: every read starts cold anyway.
# The driver's counters start again with the new boot, so the hint
# numbers below cover the reads since the last boot (/tmp/onseg).
lost=0 max_lost=${4:-3}
n=0
while [ $n -lt "$runs" ]; do
	for mode in $modes; do
		[ $mode = off ] && v=0 || v=1
		while :; do
			guest_run 0 "echo $v > $p" 30 > /dev/null
			[ $mode = held ] && echo 0 > $ksm/run
			[ $mode = timed ] && guest_run 0 "echo 1 > $D/timing" 30 > /dev/null
			if [ $mode = refused ]; then
				echo 0 > $ksm/run
				echo off > $kh/mode
			fi
			c0=$(proc_cpu_ms $kp)
			guest_run 0 "$rd" 600 > /tmp/one.out
			awk '/^@T/ {printf "%.2f\n", $3 - $2}' /tmp/one.out > /tmp/one
			busy /tmp/one.out > /tmp/one.c
			: > /tmp/one.d
			if [ $mode = timed ]; then
				guest_run 0 "echo 0 > $D/timing" 30 > /dev/null
				driver_time /tmp/one.out > /tmp/one.d
			fi
			awk -v a="$c0" -v b="$(proc_cpu_ms $kp)" 'BEGIN {printf "%.2f\n", (b - a) / 1000}' > /tmp/one.k
			if [ $mode = refused ]; then
				echo hint > $kh/mode
				echo 1 > $ksm/run
				# Off and on again: a fresh flow, not one backing
				# off for up to a minute into the next read.
				guest_run 0 "echo 0 > $p" 30 > /dev/null
			fi
			if [ $mode = held ]; then
				# Let ksmd work off what piled up before the next
				# read starts, so it is not charged to that one.
				echo 1 > $ksm/run
				w=0
				while [ "$(cat $kh/hint_stack_entries)" != 0 ] && [ $w -lt 120 ]; do
					sleep 1; w=$((w + 1))
				done
			fi
			if [ -s /tmp/one ] || guest_alive 0 || [ $lost -ge "$max_lost" ]; then
				break
			fi
			lost=$((lost + 1))
			echo "bench: guest 0 lost in read $((n + 1)) driver $mode ($(guest_end 0)); booting it again ($lost of $max_lost)"
			guest_kill 0 10
			guest_start 0 && guest_wait 0 || break
			set_flush "$@"
			ph_base
			: > /tmp/onseg
		done
		# Each time as it comes: a guest lost later keeps these.
		own=
		if [ -s /tmp/one.d ] && [ -s /tmp/one.c ]; then
			# Share of busy (%) and time per hint (us), kept for the
			# summary, then printed with the driver's time and hints.
			awk -v b="$(cat /tmp/one.c)" '{printf "%.3f %.2f %.2f %d %.2f %.2f\n", (b > 0 ? 100 * $1 / b : 0), ($2 ? 1e6 * $1 / $2 : 0), $1, $2, $3, $4}' /tmp/one.d > /tmp/one.own
			read -r share perhint dsec dhints dhook dhc < /tmp/one.own
			echo "$share" >> /tmp/timed.share
			echo "$perhint" >> /tmp/timed.perhint
			own=$(awk -v s="$share" -v p="$perhint" -v d="$dsec" -v h="$dhints" -v k="$dhook" -v c="$dhc" 'BEGIN {printf ", driver %.2f s (%.2f %% of busy; hooks %.2f s, hypercalls %.2f s) for %d hints, %.1f us a hint", d, s, k, c, h, p}')
		fi
		echo "bench: read $((n + 1)) driver $mode: $(cat /tmp/one) s, guest busy $(cat /tmp/one.c) s, ksmd $(cat /tmp/one.k) s$own"
		cat /tmp/one >> /tmp/$mode
		[ -s /tmp/one ] && cat /tmp/one.k >> /tmp/$mode.k
		[ -s /tmp/one ] && cat /tmp/one.c >> /tmp/$mode.c
		if [ $mode != off ]; then cat /tmp/one >> /tmp/onseg; fi
	done
	n=$((n + 1))
done
guest_run 0 "echo 1 > $p" 30 > /dev/null
# A guest the emulator lost answers nothing: no counters, no numbers.
q1=$(ph 0 hints_queued)
if [ -z "$q1" ]; then
	echo "bench: guest 0 did not answer after the reads ($(guest_end 0)): no counters;" \
		"the read times above are all there is"
	exit 3
fi
q=$(( q1 - q0 )); h=$(( $(ph 0 hypercalls) - h0 )); s=$(( $(ph 0 hints_sent) - s0 ))
# Where the hints queued and not sent went: the guest's drop counters,
# and the host's rate limit (vm_hint_rate) that most of them answer.
dr=$(( $(ph 0 dropped_rate_limited) - dr0 )); df=$(( $(ph 0 dropped_batch_full) - df0 ))
dof=$(( $(ph 0 dropped_host_off) - do0 )); rl=$(( $(cat $kh/hints_rate_limited) - rl0 ))
# median <file>: of an even count, the mean of the middle two.
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2}'; }
# stats <file> [unit]: unit after the median, " s" unless given.
stats() { sort -n "$1" | awk -v m="$(median "$1")" -v u="${2- s}" '{v[NR] = $1; t += $1} END {printf "median %.2f%s, min %.2f, max %.2f, mean %.2f (n=%d)", m, u, v[1], v[NR], t / NR, NR}'; }
# Only the settings that were read (BENCH_SETTINGS).
if [ -s /tmp/on ]; then
	echo "bench: read whole disk cold, driver on:  $(stats /tmp/on)"
fi
if [ -s /tmp/off ]; then
	echo "bench: read whole disk cold, driver off: $(stats /tmp/off)"
fi
if [ -s /tmp/held ]; then
	echo "bench: read whole disk cold, driver on, ksmd stopped (held): $(stats /tmp/held)"
fi
if [ -s /tmp/refused ]; then
	echo "bench: read whole disk cold, driver on, host mode off (refused): $(stats /tmp/refused)"
fi
if [ -s /tmp/timed ]; then
	echo "bench: read whole disk cold, driver on and timing itself (timed): $(stats /tmp/timed)"
fi
if [ -s /tmp/timed.share ]; then
	echo "bench: the driver's own time in a timed read, % of the guest's busy time: $(stats /tmp/timed.share '')"
	echo "bench: the driver's own time per hint queued, us: $(stats /tmp/timed.perhint '')" \
		"(so one guest CPU would sustain $(awk -v m="$(median /tmp/timed.perhint)" 'BEGIN {printf "%.0f", (m > 0 ? 1e6 / m : 0)}') hints/s)"
fi
for m in $modes; do
	[ -s /tmp/$m.c ] && echo "bench: guest 0 busy CPU during the reads, driver $m: $(stats /tmp/$m.c)"
done
for m in $modes; do
	[ -s /tmp/$m.k ] && echo "bench: ksmd CPU during the reads, driver $m: $(stats /tmp/$m.k)"
done
for m in $modes; do
	[ $m = off ] || [ ! -s /tmp/$m ] || [ ! -s /tmp/off ] && continue
	awk -v m=$m -v a="$(median /tmp/$m)" -v b="$(median /tmp/off)" \
		'BEGIN {printf "bench: read slowdown, %s against off (median / median - 1): %+.1f %%\n", m, 100 * (a / b - 1)}'
	[ -s /tmp/$m.c ] && [ -s /tmp/off.c ] && awk -v m=$m -v a="$(median /tmp/$m.c)" -v b="$(median /tmp/off.c)" \
		'BEGIN {printf "bench: guest busy CPU, %s against off (median / median - 1): %+.1f %%\n", m, 100 * (a / b - 1)}'
done
ton=$(awk '{t += $1} END {print t}' /tmp/onseg)
echo "bench: guest 0 lost and booted again: $lost times"
echo "bench: while reading with the driver on (held and refused included; since guest 0's last boot): $q hints queued, $s sent, $h hypercalls" \
	"($(awk -v s="$s" -v h="$h" 'BEGIN {printf "%.1f", h ? s / h : 0}') hints sent per hypercall)," \
	"$(awk -v q="$q" -v t="$ton" 'BEGIN {printf "%.0f", t ? q / t : 0}') hints/s"
echo "bench: of those, guest 0 dropped $dr after the host's rate limit, $df with its batch full" \
	"(rate limited, not sent again yet), $dof while the host was off; the host refused" \
	"$rl hints of both guests to its rate limit (vm_hint_rate $(cat $kh/vm_hint_rate)/s)"
# The driver's CPU per hint, from the guest's busy time: what one read
# with the driver on cost over one with it off (medians), over the hints
# one read queues.  Its inverse is the hint rate the driver would sustain
# on one guest CPU doing nothing else.  Under this rig's noise it can come
# out negative: then the cost is below what the reads can tell apart.
if [ -s /tmp/on.c ] && [ -s /tmp/off.c ] && [ -s /tmp/onseg ]; then
	awk -v a="$(median /tmp/on.c)" -v b="$(median /tmp/off.c)" -v q="$q" -v n="$(wc -l < /tmp/onseg)" \
		'BEGIN {h = q / n; c = (a - b) / h
		printf "bench: driver CPU per hint (busy on - busy off, medians, over %.0f hints a read): %.2f us", h, c * 1e6
		if (c > 0) printf ", so one guest CPU would sustain %.0f hints/s", 1 / c
		printf "\n"}'
fi

# 3: read to merge, page by page.
read_to_merge /mnt/lib "$nfiles" > /tmp/r2m
grep '^r2m:' /tmp/r2m | sed 's/^/bench: /'
echo "bench: $(r2m_summary < /tmp/r2m)"
echo "bench: $(r2m_summary R2MF < /tmp/r2m)"
echo "bench: host: hints_received=$(cat $kh/hints_received) attr_matches=$(cat $kh/attr_matches) pages_merged=$(cat $kh/pages_merged) stack_overwrites=$(cat $kh/stack_overwrites)"
echo 2 > $ksm/run
guest_stop_all
