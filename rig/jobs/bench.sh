# SPDX-License-Identifier: GPL-2.0
# In-host job of `make bench` and `make run`: one configuration of the
# sharing benchmark (../shared/DESIGN.md 7), from the paper's starting
# state: two guests booted, one full merge done; then both guests run the
# same workload while the host samples it: lines "@@S" (a second: pagemap
# truth, KSM and ksm_hint counters, ksmd CPU), "@@O" (content oracle),
# "@@W" (workload progress) and a closing "@@SUMMARY" go to the console,
# and rig/bench.sh turns them into CSVs.
#
# Arguments (key=value): mode=off|hint|hybrid|advisor|none  pages=N
# sleep=MS  secs=N  mem=MiB  oracle=S (an oracle pass every S seconds, 0 off)
# wl=build|files  advisor_cpu=PCT (mode advisor: advisor_max_cpu)
# live=N (a progress line every N samples)  stack=N attr=N (hint_stack_size,
# attr_table_size; default: the kernel's defaults, which the benchmark tests)
# r2m=N (after the workload, read to merge over the N largest libraries of
# the bench disk, 32 pages each: "@@R2M" lines; 0 skips it)
# churn=SECS:MIB (wl=build: the workload's churn phase, rig/bench/loop.sh's
# CHURN; empty: builds only)  stall=S (wl=build: a guest whose console
# shows no progress line for S seconds is hung; 0 off)  perf=HZ (a perf
# profile of ksmd alone over the workload at HZ samples a second, printed
# as "bench: perf|" lines; 0 off)
. /rig/guests.sh
. /rig/perf.sh
mode=hint pages=100 sleep=20 secs=300 mem=512 oracle=60 wl=build advisor_cpu=0 live=10 stack= attr= r2m=8 churn= stall=180 perf=0
for a in "$@"; do
	case "$a" in
	*=*) eval "${a%%=*}=\${a#*=}" ;;
	esac
done
GUEST_MEM=$mem
kh=/sys/kernel/mm/ksm_hint
ksm=/sys/kernel/mm/ksm
vmstat=/opt/selftests/ksm_hint/ksm_hint_vmstat
now() { cut -d' ' -f1 /proc/uptime; }
say() { echo "bench: [$mode $pages/$sleep] $*"; }
khs() { cat $kh/$1 2>/dev/null || echo 0; }

# Starting state, the same for every mode: the guests boot (vm_default 1:
# their hints are allowed) with the host in mode off, which answers
# -KVM_ENOSYS, so their drivers back off; the linear scan merges them
# once at full speed; then the configuration under test takes over and
# the drivers are turned off and on, which resets their backoff (up to
# 64 s between probes), so hints flow from the workload's first second.
# (Hint configurations used to boot in mode hybrid; the same start for
# all is simpler to argue.  Starts still differ between boots, by boot
# order it seems: see results/JOURNAL.md.)
echo 2 > $ksm/run
echo 1 > $ksm/use_zero_pages
if [ -d $kh ]; then
	echo 1 > $kh/vm_default
	[ -z "$stack" ] || echo "$stack" > $kh/hint_stack_size
	[ -z "$attr" ] || echo "$attr" > $kh/attr_table_size
	say "hint_stack_size=$(cat $kh/hint_stack_size) attr_table_size=$(cat $kh/attr_table_size) vm_hint_rate=$(cat $kh/vm_hint_rate)"
	echo off > $kh/mode
fi
if [ "$wl" = build ]; then
	export GUEST_BENCH=1
fi
# boot_or_exit <i>: boot guest i.  One that hangs or resets in its boot
# with no QEMU message and no kernel report in its console has met the
# emulator's faults (results/JOURNAL.md, "When QEMU loses the host"), not the code
# under test: exit 3 so that rig/bench.sh runs the configuration again
# (2026-12-03: a 256 MiB guest stopped after "kvm_amd: SVM not
# supported" for 300 s).  Anything else fails the configuration.
boot_or_exit() {
	# QEMU logs every vCPU reset: a guest that later exits without a
	# word (-no-reboot) leaves its last registers there.
	guest_start "$1" -d cpu_reset,guest_errors -D /run/g$1.dlog && guest_wait "$1" && return 0
	if guest_silent "$1"; then
		say "guest $1 did not boot and left no QEMU message or kernel report ($(guest_end "$1")): the configuration runs again"
		exit 3
	fi
	exit 1
}
boot_or_exit 0
boot_or_exit 1
say "2 guests of $mem MiB booted at $(now) s; first full merge"
echo 1000 > $ksm/pages_to_scan
echo 10 > $ksm/sleep_millisecs
if [ "$mode" != none ]; then
	echo 1 > $ksm/run
	f0=$(ksm_stat full_scans); t=0
	while [ "$(ksm_stat full_scans)" -lt $((f0 + 2)) ] && [ $t -lt 900 ]; do
		sleep 5; t=$((t + 5))
	done
	say "first full merge done after ${t}s: pages_sharing=$(ksm_stat pages_sharing) ksm_zero_pages=$(ksm_stat ksm_zero_pages)"
fi

# The configuration under test.
echo "$pages" > $ksm/pages_to_scan
echo "$sleep" > $ksm/sleep_millisecs
case $mode in
hint|hybrid) echo "$mode" > $kh/mode ;;
advisor)
	# Switching the advisor on sets pages_to_scan to its floor (500 by
	# default, five times the 5000 pages/s rate): the floor is the rate
	# under test, so the advisor starts where stock KSM runs and scans
	# faster only while it stays within advisor_max_cpu.
	echo "$pages" > $ksm/advisor_min_pages_to_scan
	echo "$advisor_cpu" > $ksm/advisor_max_cpu
	echo scan-time > $ksm/advisor_mode ;;
none) echo 2 > $ksm/run ;;
esac
# driver_stats <i>: guest i's driver counters (debugfs), on one line.
# They count from the driver's load, so they are printed before the
# workload, after it and after the read-to-merge probe: what a phase
# queued, sent and dropped is the difference.
driver_stats() {
	guest_run $1 'cd /sys/kernel/debug/pagehint 2>/dev/null && grep -H . * 2>/dev/null | tr "\n" " "; echo' 120
}
for i in 0 1; do
	guest_run $i 'p=/sys/module/pagehint/parameters/enable; echo 0 > $p; echo 1 > $p' 60 > /dev/null ||
		say "guest $i: the driver could not be restarted"
	echo "bench: guest $i driver before the workload: $(driver_stats $i)"
done

# The workload, in both guests: the compile loop of the bench disk
# (rig/bench/loop.sh; bench_* in guests.sh), or a read-and-rewrite loop
# over the boot disk's files (wl=files, no bench disk needed).
wl_start() {
	if [ "$wl" = build ]; then
		bench_start "$1" "$secs" 2 1 "" "$churn" > /dev/null
		# Progress on the guest's console ("@@WL <builds finished>
		# <objects of the build in progress> <churn revisions
		# written>"), so the host never waits on a busy guest's command
		# loop to read it.
		guest_run "$1" '(s=/b/bench/state; while sleep 10; do echo "@@WL $(cat $s/builds 2>/dev/null) $(ls /b/bench/work/out/obj 2>/dev/null | wc -l) $(cat $s/churn_revs 2>/dev/null)"; [ "$(cat $s/status 2>/dev/null)" = running ] || break; done) > /dev/ttyS0 2>&1 &' 60 > /dev/null
	else
		# Read every file cold, then rewrite an eighth of them with
		# content that depends on the round only (same in both guests).
		guest_run "$1" '(r=0; e=$(( $(cut -d. -f1 /proc/uptime) + '"$secs"' )); while [ $(cut -d. -f1 /proc/uptime) -lt $e ]; do r=$((r + 1)); echo 3 > /proc/sys/vm/drop_caches; find /mnt -type f | xargs cat > /dev/null; k=0; for f in $(find /mnt -type f | sort); do k=$((k + 1)); if [ $((k % 8)) = $((r % 8)) ]; then yes $r | head -c 65536 > $f; fi; done; sync; echo "@@WL $r 0"; done) > /dev/ttyS0 2>&1 &' 60 > /dev/null
	fi
}
# wl_count <i>: "<units finished> <objects of the unit in progress>
# <churn revisions>" that guest i last printed.
wl_count() {
	w=$(tr -d '\r' < /run/g$1.log | sed -n 's/^@@WL \([0-9]*\) *\([0-9]*\) *\([0-9]*\).*/\1 \2 \3/p' | tail -1)
	set -- $w
	echo "${1:-0} ${2:-0} ${3:-0}"
}
wl_stop() { [ "$wl" != build ] || bench_stop "$1"; }
# guests_alive_or_exit <when>: a run with a guest gone measures one VM, not
# two: say which died and what its QEMU and console last said, stop, and
# exit 3 so that rig/bench.sh retries the configuration from its start.
guests_alive_or_exit() {
	for i in 0 1; do
		guest_alive $i && continue
		say "guest $i exited $1 ($(guest_end $i); QEMU said: $(tr '\n' ' ' < /run/g$i.qemu 2>/dev/null)); its console's last lines:"
		console_tail $i 15 "bench: g$i| "
		echo "bench: guest $i vCPU resets logged: $(grep -c 'CPU Reset' /run/g$i.dlog 2>/dev/null) (two at power-on); the last state:"
		tail -n 32 /run/g$i.dlog 2>/dev/null | awk -v p="bench: g$i-reset| " '{print p $0}'
		# shellcheck disable=SC2086
		kill $samplers 2> /dev/null
		# It prints any kernel report in the guests' consoles.
		guest_stop_all
		exit 3
	done
}

# guests_progress_or_exit <elapsed>: the workload prints a progress line
# every 10 s in each guest (wl_start).  A guest alive whose console has
# printed none for $stall seconds is hung (a lost interrupt in the nested
# guest, seen at 1000 pages/s on 12-04: 360 s of workload with no line
# from one guest): a run with it measures one VM, so it is reported and
# retried like a guest that exited.
wl_lines() { grep -c '^@@WL' /run/g$1.log 2>/dev/null; }
wl_seen0=0 wl_seen1=0 wl_n0=0 wl_n1=0
guests_progress_or_exit() {
	[ "$wl" = build ] && [ "$stall" -gt 0 ] || return 0
	for i in 0 1; do
		n=$(wl_lines $i)
		eval "last=\$wl_n$i seen=\$wl_seen$i"
		if [ "$n" != "$last" ]; then
			eval "wl_n$i=$n wl_seen$i=$1"
			continue
		fi
		[ $(($1 - seen)) -ge "$stall" ] || continue
		say "guest $i printed no workload progress for $(($1 - seen)) s at ${1}s of the workload ($n lines in all, $(guest_end $i)); its console's last lines:"
		console_tail $i 15 "bench: g$i| "
		# shellcheck disable=SC2086
		kill $samplers 2> /dev/null
		guest_stop_all
		exit 3
	done
}

kp=$(ksmd_pid)
pids="$(cat /run/g0.pid) $(cat /run/g1.pid)"
# One sampler process a second (pagemap truth, KSM and ksm_hint counters,
# ksmd CPU) and one for the content oracle, which takes tens of seconds
# under TCG; both print key=value lines, the host turns them into CSVs.
f=""
for c in hints_received hints_scanned pages_merged attr_matches \
	stack_overwrites hints_rate_limited merges_given_up zero_hints_rejected \
	stale_items_dropped hash_table_evictions stale_items_remerged \
	hints_unmatched hints_unchanged hints_gone hints_dropped \
	attr_table_entries; do
	[ -r $kh/$c ] && f="$f -f $c=$kh/$c"
done
gp=$((2 * mem * 256))
# The live line comes from the sampler's own awk, which has the numbers:
# a shell loop forking a dozen programs a second is too slow under TCG.
echo "0:0:0/0:0:0" > /tmp/wl.now
# shellcheck disable=SC2086
$vmstat -m "$mem" -i 1 -k "$kp" $f $pids 2> /tmp/sampler.err |
	awk -v gp="$gp" -v live="$live" -v tag="[$mode $pages/$sleep]" '
	function val(k,   i, p) {
		for (i = 1; i <= NF; i++) {
			p = index($i, "=")
			if (substr($i, 1, p - 1) == k)
				return substr($i, p + 1)
		}
		return 0
	}
	{
		print "@@S " $0; fflush()
		if (++n == 1) { t0 = val("time"); c0 = val("cpu_ms") }
		if (n % live) next
		el = val("time") - t0
		wf = "/tmp/wl.now"
		if ((getline line < wf) > 0)
			w = line
		close(wf)
		printf "bench: %s t=%ds sharing %.1f%% (pagemap %.1f%%) zero_pages %s ksmd %.1f%% hint_merges %s work %s\n",
			tag, el, 100 * val("ksm_sharing") / gp, 100 * val("saved") / gp,
			val("ksm_zero_pages"), (el > 0 ? (val("cpu_ms") - c0) / 10 / el : 0),
			val("pages_merged"), w
		fflush()
	}' &
samplers=$!
if [ "$oracle" -gt 0 ]; then
	# The guests' disks as the host holds them: what their clean page
	# cache can hold, so the oracle also counts the page cache's own
	# duplicates (o_file_*), the part a hint can reach.
	fo=""
	for d in /run/disk0.img /run/disk1.img /run/bench0.img /run/bench1.img; do
		[ -f $d ] && fo="$fo -F $d"
	done
	# shellcheck disable=SC2086
	$vmstat -m "$mem" -o -i "$oracle" $fo $pids 2> /tmp/oracle.err |
		awk '{print "@@O " $0; fflush()}' &
	samplers="$samplers $!"
fi
# KVM's own counters, summed over both guests (debugfs): what the mode
# under test costs the guests in exits, NPT faults and hypercalls.
kvm_counters="exits pf_taken pf_fixed pf_spurious hypercalls halt_exits irq_exits tlb_flush remote_tlb_flush mmu_shadow_zapped"
kvm_read() {
	for c in $kvm_counters; do
		echo "$c=$(cat /sys/kernel/debug/kvm/$c 2>/dev/null || echo 0)"
	done
}
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
kvm_read > /tmp/kvm.start
if [ "$perf" -gt 0 ]; then
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	# ksmd alone: sampling every CPU would charge the emulated host for
	# the guests' time too.
	perf record -q -e cpu-clock -F "$perf" -g -p "$kp" -o /tmp/perf.data \
		> /tmp/perf.err 2>&1 &
	perf_pid=$!
fi
wl_start 0; wl_start 1
t0=$(now); wn=0
while :; do
	el=$(awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%d", b - a}')
	[ "$el" -le "$secs" ] || break
	guests_alive_or_exit "at ${el}s of the workload"
	guests_progress_or_exit "$el"
	if [ "$el" -ge "$wn" ]; then
		w0=$(wl_count 0 | tr ' ' :); w1=$(wl_count 1 | tr ' ' :)
		echo "@@W time=$(date +%s) wl0=$w0 wl1=$w1"
		echo "$w0/$w1" > /tmp/wl.now
		wn=$((el + 10))
	fi
	sleep 1
done
# shellcheck disable=SC2086
kill $samplers 2> /dev/null
kvm_read > /tmp/kvm.end
kvm_delta=$(awk -F= 'NR == FNR {a[$1] = $2; next} {printf "%s%s=%d", n++ ? " " : "", $1, $2 - a[$1]}' /tmp/kvm.start /tmp/kvm.end)
say "KVM counters over the workload, both guests: $kvm_delta"
if [ "$perf" -gt 0 ]; then
	kill -INT "$perf_pid" 2> /dev/null
	wait "$perf_pid"
	sed 's/^/bench: perf| record: /' /tmp/perf.err
	echo "bench: perf| ksmd over the workload ($mode $pages/$sleep)"
	perf_tables /tmp/perf.data 0.7 3 | sed 's/^/bench: perf| /'
	rm -f /tmp/perf.data
fi
cat /tmp/sampler.err /tmp/oracle.err 2>/dev/null | grep -v 'zero page PFN\|guest RAM' | sed 's/^/bench: sampler: /'
echo "@@W time=$(date +%s) wl0=$(wl_count 0 | tr ' ' :) wl1=$(wl_count 1 | tr ' ' :)"
guests_alive_or_exit "at the end of the workload"
wl_stop 0; wl_stop 1
for i in 0 1; do
	echo "bench: guest $i driver after the workload: $(driver_stats $i)"
done
say "host after the workload: hints_received=$(khs hints_received) hints_rate_limited=$(khs hints_rate_limited)"
# Read to merge, in the configuration under test (KSM off: nothing merges).
if [ "$r2m" -gt 0 ] && [ "$mode" != none ] && [ "$wl" = build ]; then
	read_to_merge /b/usr/lib/x86_64-linux-gnu "$r2m" > /tmp/r2m || unanswered=1
	sed -n 's/^r2m: /bench: read to merge: /p' /tmp/r2m
	grep '^@@R2M' /tmp/r2m
	say "$(r2m_summary < /tmp/r2m)"
	say "$(r2m_summary R2MF < /tmp/r2m)"
	if [ -n "${unanswered:-}" ]; then
		# Seen three times: a guest alive and idle that never answered
		# the probe's first command (then sync and drop_caches).  What its
		# console said last is all the evidence there is.
		for i in 0 1; do
			say "guest $i console's last lines (read-to-merge probe unanswered):"
			console_tail $i 12 "bench: g$i| "
		done
	fi
fi
for i in 0 1; do
	[ -z "${unanswered:-}" ] || break
	echo "bench: guest $i workload: $(grep -c '^@@WL' /run/g$i.log) progress lines;" \
		"$(guest_run $i 'echo "status=$(cat /b/bench/state/status 2>/dev/null) builds=$(cat /b/bench/state/builds 2>/dev/null) churn_revs=$(cat /b/bench/state/churn_revs 2>/dev/null)"; tail -n 2 /b/bench/loop.log 2>/dev/null' 120 | tr '\n' ' ')"
	# The trailing echo ends the line, so "@@END" starts one of its own.
	echo "bench: guest $i driver: $(driver_stats $i)"
done
say "host at the end: hints_received=$(khs hints_received) hints_rate_limited=$(khs hints_rate_limited)"
echo "@@SUMMARY mode=$mode pages=$pages sleep=$sleep secs=$secs mem=$mem elapsed=$el wl0=$(wl_count 0 | tr ' ' :) wl1=$(wl_count 1 | tr ' ' :) $(echo "$kvm_delta" | sed 's/\([a-z_]*\)=/kvm_\1=/g')"
guest_stop_all
