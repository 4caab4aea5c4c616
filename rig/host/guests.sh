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
# A booting guest's console is never silent this long (make check's two
# boots take 24-42 s in all, reading the disk included): see guest_wait.
GUEST_BOOT_STALL=${GUEST_BOOT_STALL:-120}
# The kernel has ACPI so that the emulated host sees both its vCPUs; a
# one-vCPU nested guest gains nothing from it, and its AML (PCI interrupt
# routing) runs so slowly nested under TCG that it hits the interpreter's
# loop timeout: virtio-blk gets no interrupt and the guest never boots.
GUEST_APPEND=${GUEST_APPEND:-acpi=off}
# The KUnit suites run once, at the emulated host's boot; run again at
# every nested boot (about 10 times slower there) they only cost time.
GUEST_KUNIT=${GUEST_KUNIT:-kunit.enable=0}
# GUEST_BENCH=1 attaches a copy of /guest/bench.img (RIG_BENCH_DISK=1
# rig/initramfs.sh) as the guest's second disk, /dev/vdb, which its init
# mounts at /b for the benchmark workload (bench_* below).
GUEST_BENCH=${GUEST_BENCH:-0}
# The VMM; rig/tests/05-rig.sh puts a stand-in here to check the rig.
GUEST_QEMU=${GUEST_QEMU:-qemu-system-x86_64}
# rig.nested_cpu=<list> on the emulated host's command line, an A/B knob
# (RIG_HOST_WORKAROUND of rig/check.sh and rig/nested-stress.sh): the
# nested guests' QEMUs, ksmd and khugepaged all run on those CPUs, so
# that no other CPU changes a nested guest's page tables while it runs
# (results/JOURNAL.md, "Nested guests and the SMP host").
GUEST_PIN=$(sed -n 's/.*rig\.nested_cpu=\([0-9,-]*\).*/\1/p' /proc/cmdline 2>/dev/null)
guest_pin() {
	[ -n "$GUEST_PIN" ] || return 0
	for gp_k in ksmd khugepaged; do
		taskset -p -c "$GUEST_PIN" "$(task_pid $gp_k)" > /dev/null 2>&1 ||
			echo "rig: cannot pin $gp_k to CPU $GUEST_PIN"
	done
}

# A nested guest that triple-faults leaves QEMU nothing to show: KVM on
# SVM INITs the vCPU at the SHUTDOWN intercept (shutdown_interception()),
# so QEMU logs a reset from the reset vector, exactly as for a guest that
# asked to be reset.  The kvm_exit tracepoint fires before that with the
# guest's RIP and the event it was delivering (intr_info), so the host
# keeps those exits, and only those (exit code 0x7f), in a trace instance
# of its own for guest_end.
GUEST_EXIT_TRACE=/sys/kernel/tracing/instances/guest_shutdown
guest_trace_shutdown() {
	[ -d $GUEST_EXIT_TRACE ] && return 0
	[ -d /sys/kernel/tracing/instances ] ||
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || return 0
	mkdir $GUEST_EXIT_TRACE 2>/dev/null || return 0
	echo 16 > $GUEST_EXIT_TRACE/buffer_size_kb
	echo 1 > $GUEST_EXIT_TRACE/options/record-tgid
	e=$GUEST_EXIT_TRACE/events/kvm/kvm_exit
	{ echo 'exit_reason == 127' > $e/filter && echo 1 > $e/enable; } 2>/dev/null ||
		echo "rig: kvm_exit cannot be traced: guest triple faults will not be told from resets"
}

# guest_triple_fault <i>: the SHUTDOWN exits KVM traced for guest i's
# QEMU, one line each ("rip 0x... intr_info 0x... error_code 0x...: " and
# the event in words); nothing if none.
guest_triple_fault() {
	# QEMU's pid as its shell saw it: QEMU may remove its pidfile.
	gp=$(cat /run/g$1.vmm 2>/dev/null)
	[ -n "$gp" ] && [ -r $GUEST_EXIT_TRACE/trace ] || return 0
	grep -E "\( *$gp\) .*kvm_exit: .*reason shutdown" $GUEST_EXIT_TRACE/trace |
		sed 's/.* \(rip 0x[0-9a-f]*\) .* intr_info \(0x[0-9a-f]*\) error_code \(0x[0-9a-f]*\).*/\1 \2 \3/' |
		while read -r r rip ii ec; do
			echo "$r $rip intr_info $ii error_code $ec: $(guest_exit_event "$ii" "$ec")"
		done
}

# guest_exit_event <intr_info> <error_code>: the event SVM's exit_int_info
# says the vCPU was delivering, in words (APM vol. 2, EVENTINJ layout).
guest_exit_event() {
	ii=$(($1)); ec=$(($2))
	[ $((ii >> 31)) = 1 ] || { echo "no event in delivery"; return; }
	v=$((ii & 255)); ty=$(((ii >> 8) & 7))
	case $ty in
	0) echo "delivering external interrupt vector $v"; return ;;
	2) echo "delivering an NMI"; return ;;
	4) echo "delivering software interrupt $v"; return ;;
	3) ;;
	*) echo "delivering event type $ty vector $v"; return ;;
	esac
	n=$(echo "DE DB NMI BP OF BR UD NM DF 9 TS NP SS GP PF" | cut -d' ' -f$((v + 1)))
	[ -n "$n" ] || n="vector $v"
	d=""
	[ $(((ii >> 11) & 1)) = 1 ] && d=" (error code $(printf '%#x' $ec))"
	if [ "$v" = 14 ]; then
		d=" (error code $(printf '%#x' $ec):"
		[ $((ec & 4)) = 0 ] && d="$d kernel" || d="$d user"
		if [ $((ec & 16)) != 0 ]; then d="$d instruction fetch"
		elif [ $((ec & 2)) != 0 ]; then d="$d write"
		else d="$d read"; fi
		[ $((ec & 1)) = 0 ] && d="$d, page not present)" || d="$d, protection)"
	fi
	echo "delivering #$n$d"
}

# guest_start <i> [extra qemu args...]
guest_start() {
	i=$1; shift
	guest_trace_shutdown
	guest_pin
	# How guest_wait boots this guest again (same command line).
	{ printf "GUEST_APPEND='%s' GUEST_BENCH='%s' GUEST_QEMU='%s' guest_start %s" \
		"$GUEST_APPEND" "$GUEST_BENCH" "$GUEST_QEMU" "$i"
	  for a in "$@"; do printf " '%s'" "$a"; done; echo; } > /run/g$i.restart
	rm -f /run/g$i.in /run/g$i.out /run/g$i.log /run/g$i.retried /run/g$i.hung
	mkfifo /run/g$i.in /run/g$i.out
	: > /run/g$i.log
	cat /run/g$i.out >> /run/g$i.log &
	cp /guest/disk.img /run/disk$i.img
	bench=""
	if [ "$GUEST_BENCH" = 1 ]; then
		[ -f /guest/bench.img ] || { echo "rig: no /guest/bench.img (build with RIG_BENCH_DISK=1)"; return 1; }
		cp /guest/bench.img /run/bench$i.img
		bench="-drive file=/run/bench$i.img,if=virtio,format=raw"
	fi
	rm -f /run/g$i.qrc /run/g$i.vmm
	# QEMU runs under a shell that passes a stop signal on to it and
	# writes how it ended to /run/g$i.qrc (guest_end), so that a guest
	# that is gone without a word says whether it powered off or reset
	# (0), failed (1) or was killed (128 + the signal; the host's OOM
	# killer sends 9).  /run/g$i.qpid is that shell, alive as long as
	# QEMU is; /run/g$i.pid is QEMU's own.
	(
		trap 'kill "$gq" 2>/dev/null' TERM
		# shellcheck disable=SC2086
		${GUEST_PIN:+taskset -c $GUEST_PIN} $GUEST_QEMU -enable-kvm -cpu "$GUEST_CPU" -m "$GUEST_MEM" -smp 1 \
			-nodefaults -display none -vga none -no-reboot \
			-L /usr/share/qemu \
			-chardev pipe,id=con,path=/run/g$i -serial chardev:con \
			-drive file=/run/disk$i.img,if=virtio,format=raw $bench \
			-kernel /guest/bzImage -initrd /guest/initrd.gz \
			-append "console=ttyS0 loglevel=5 panic=-1 $GUEST_KUNIT $GUEST_APPEND rig.guest=$i" \
			-pidfile /run/g$i.pid "$@" > /run/g$i.qemu 2>&1 &
		gq=$!
		echo "$gq" > /run/g$i.vmm
		# A trapped signal ends wait early: wait again until QEMU is gone.
		while :; do
			wait "$gq"; gr=$?
			kill -0 "$gq" 2>/dev/null || break
		done
		echo "$gr" > /run/g$i.qrc
	) &
	echo $! > /run/g$i.qpid
}

# guest_end <i>: how guest i's QEMU ended, in words.
guest_end() {
	ge=$(cat /run/g$1.qrc 2>/dev/null)
	case $ge in
	"") if guest_alive "$1"; then echo "QEMU still running"; else echo "QEMU's end not recorded"; fi ;;
	0) tf=$(guest_triple_fault "$1" | tail -n 1)
	   if [ -n "$tf" ]; then
		echo "QEMU exited with status 0: the guest triple-faulted (KVM SHUTDOWN exit at $tf)"
	   elif [ -r $GUEST_EXIT_TRACE/trace ]; then
		echo "QEMU exited with status 0 (the guest powered off or reset; no triple fault traced)"
	   else
		echo "QEMU exited with status 0 (the guest powered off or reset)"
	   fi ;;
	*) if [ "$ge" -gt 128 ]; then
		echo "QEMU killed by signal $((ge - 128))"
	   else
		echo "QEMU exited with status $ge"
	   fi ;;
	esac
}

guest_alive() {
	kill -0 "$(cat /run/g$1.qpid 2>/dev/null)" 2>/dev/null
}

# guest_silent <i>: guest i's QEMU printed nothing and its console holds
# no kernel report.
guest_silent() {
	[ ! -s /run/g$1.qemu ] && ! grep -q -E -f /rig/splat-patterns /run/g$1.log
}

# console_tail <i> <lines> [prefix]: the last lines of guest i's console,
# each ended by a newline: a console cut off mid-line (a guest that hung
# while printing "@@READY") must not run into the next line printed, as it
# once turned a "FAIL: " line into "@FAIL: ", which make check missed.
console_tail() {
	tr -d '\r' < /run/g$1.log | tail -n "$2" | awk -v p="${3:-}" '{print p $0}'
}

# guest_boot_again <i> <why>: boot guest i again after a boot that the
# emulator lost, once, with a RETRY line that make check counts.
guest_boot_again() {
	echo "RETRY: nested guest $1 $2; last console line: $(console_tail "$1" 1)); booted again"
	cp /run/g$1.log /run/g$1.lost.log
	. /run/g$1.restart
	touch /run/g$1.retried
}

# guest_wait <i>: wait until guest i has read its disk and serves commands.
# A nested guest whose QEMU exits during boot without a word from QEMU or
# from the guest's kernel has reset itself (-no-reboot): under this rig's
# QEMU 7.2 TCG host that happens now and then before any project code has
# run in the guest (results/JOURNAL.md, "When QEMU loses the host").  So does one whose
# console stops for GUEST_BOOT_STALL s with no kernel report in it: seen
# with the guest's driver off, cut off in the middle of "@@READY" (its
# serial port's transmit interrupt lost).  Either is booted again once,
# with a RETRY line that make check counts; GUEST_RETRY=0
# (rig/jobs/nested-stress.sh, which counts such failures) turns that off.
guest_wait() {
	t=0 gw_quiet=0 gw_size=0
	while ! grep -q '^@@READY' /run/g$1.log 2>/dev/null; do
		gw_retry=0
		[ "${GUEST_RETRY:-1}" = 1 ] && [ ! -f /run/g$1.retried ] && gw_retry=1
		if ! guest_alive "$1"; then
			if [ $gw_retry = 1 ] && guest_silent "$1"; then
				guest_boot_again "$1" "reset itself during boot (no QEMU or kernel message, $(guest_end "$1")"
				t=0 gw_quiet=0 gw_size=0
				continue
			fi
			echo "rig: guest $1 exited before it booted ($(guest_end "$1")); qemu said:"
			cat /run/g$1.qemu; console_tail "$1" 20
			return 1
		fi
		gw_now=$(wc -c < /run/g$1.log)
		if [ "$gw_now" != "$gw_size" ]; then
			gw_size=$gw_now gw_quiet=0
		else
			gw_quiet=$((gw_quiet + 1))
		fi
		if [ $gw_retry = 1 ] && [ $gw_quiet -ge "$GUEST_BOOT_STALL" ] && guest_silent "$1"; then
			guest_vcpu_state "$1" | sed "s/^/rig: guest $1 stalled: /"
			guest_kill "$1" 30
			guest_boot_again "$1" "stalled during boot (console silent for $gw_quiet s, no kernel report"
			t=0 gw_quiet=0 gw_size=0
			continue
		fi
		if [ $t -ge "$GUEST_BOOT_TIMEOUT" ]; then
			echo "rig: guest $1 did not boot within $GUEST_BOOT_TIMEOUT s; its console:"
			console_tail "$1" 20
			return 1
		fi
		sleep 1; t=$((t + 1))
	done
}

# guest_send <i> <command>: start a shell command in guest i; guest_recv
# <i> [timeout] waits for it, prints its output and returns its exit
# status.  Commands to two guests run at the same time this way.
#
# Opening the console's FIFO for writing blocks until QEMU, its reader,
# has it open: a guest whose QEMU is gone would block the job for good
# (check28 sat idle for 20 minutes so), so the write is given 30 s in a
# child shell, and a guest not running gets none.
guest_send() {
	id="c$$x$1x$(cut -d' ' -f1 /proc/uptime | tr -d .)"
	printf '%s %s\n' "$id" "$2" > /run/g$1.cmd
	guest_alive "$1" || return 1
	timeout 30 sh -c 'cat "$0" > "$1"' /run/g$1.cmd /run/g$1.in
}

#
# A guest that let the whole wait pass without starting the command (its
# init, idle between commands, prints "@@BEGIN" at once) with its console
# silent all along, or whose console then stayed silent for the last
# GUEST_HANG_QUIET s of the wait (check61: guest 0 printed "@@BEGIN" for
# a digest of its disk, which takes well under a minute, then nothing for
# 300 s), without a kernel report, has hung: guest_hung stops it, so
# that every later command to it fails at once instead of waiting out its
# own time limit (in CI, one hung guest so spent the rest of the emulated
# host's 40 minutes), and guest_lost reports it.  A command that ran out
# of time while printing is not a hang.
GUEST_HANG_QUIET=${GUEST_HANG_QUIET:-120}
guest_recv() {
	id=$(head -n 1 /run/g$1.cmd | cut -d' ' -f1)
	t=0 gr_quiet=0 gr_size=$(wc -c < /run/g$1.log)
	gr_sent=$gr_size
	while ! grep -q "^@@END $id " /run/g$1.log; do
		if [ $t -ge "${2:-60}" ] || ! guest_alive "$1"; then
			echo "rig: guest $1: no answer to '$(sed "1s/^$id //" /run/g$1.cmd)'"
			guest_alive "$1" && guest_silent "$1" || return 124
			if ! grep -q "^@@BEGIN $id[[:space:]]*\$" /run/g$1.log &&
			   [ "$(wc -c < /run/g$1.log)" = "$gr_sent" ]; then
				guest_hung "$1" "did not start a command in $t s, console silent, no kernel report"
			elif [ $gr_quiet -ge "$GUEST_HANG_QUIET" ]; then
				guest_hung "$1" "console silent for the last $gr_quiet s of a command's $t s, no kernel report"
			fi
			return 124
		fi
		sleep 1; t=$((t + 1))
		gr_now=$(wc -c < /run/g$1.log)
		if [ "$gr_now" = "$gr_size" ]; then
			gr_quiet=$((gr_quiet + 1))
		else
			gr_size=$gr_now gr_quiet=0
		fi
	done
	awk -v id="$id" '$0 ~ "^@@BEGIN " id {p = 1; next}
		$0 ~ "^@@END " id " " {exit} p' /run/g$1.log | tr -d '\r'
	grc=$(tr -d '\r' < /run/g$1.log | awk -v id="$id" '$1 == "@@END" && $2 == id {print $3}')
	return "${grc:-1}"
}

# guest_hung <i> <why>: stop guest i, which hung, after printing where its
# vCPU was (guest_vcpu_state); guest_lost then names it.
guest_hung() {
	# To stderr: callers capture guest_recv's output as the answer
	# (disk_sum_recv did, and check62 lost the vCPU state so).
	{ echo "rig: guest $1 hung: $2"
	  guest_vcpu_state "$1" | sed "s/^/rig: guest $1 hung: /"; } >&2
	echo "$2" > /run/g$1.hung
	guest_kill "$1" 10
}

# guest_kill <i> <secs>: stop guest i's QEMU (through the shell that waits
# for it, which records how it ended), and kill it outright if it is
# still there after <secs> s.
guest_kill() {
	kill "$(cat /run/g$1.qpid 2>/dev/null)" 2>/dev/null
	gk_w=0
	while guest_alive "$1" && [ $gk_w -lt "$2" ]; do sleep 1; gk_w=$((gk_w + 1)); done
	kill -9 "$(cat /run/g$1.vmm 2>/dev/null)" 2>/dev/null
}

# guest_vcpu_state <i>: from the host, what guest i's QEMU threads were
# doing (state, CPU ticks, wait channel), and the guest RIPs of the VM
# exits KVM took for it in 3 s, most frequent first, with the symbol they
# fall in (the guests boot this host's own kernel, which has no KASLR, so
# the host's kallsyms names their kernel addresses).  No exits at all:
# the vCPU did not run guest code, or ran it without an exit.
guest_vcpu_state() {
	gp=$(cat /run/g$1.vmm 2>/dev/null)
	[ -n "$gp" ] || return 0
	if [ ! -d /proc/$gp ]; then
		gq=$(cat /run/g$1.qpid 2>/dev/null)
		echo "QEMU (pid $gp) is gone; the shell waiting for it (pid $gq) is in state" \
			"$(cut -d' ' -f3 /proc/$gq/stat 2>/dev/null), exit status ${gq:+$(cat /run/g$1.qrc 2>/dev/null)}"
		return 0
	fi
	for gt in /proc/$gp/task/*; do
		echo "thread $(cat $gt/comm 2>/dev/null): state $(cut -d' ' -f3 $gt/stat 2>/dev/null)," \
			"$(awk '{print $14 + $15}' $gt/stat 2>/dev/null) ticks, wchan $(cat $gt/wchan 2>/dev/null)"
		# The vCPU thread's host stack: in KVM's run loop, or stuck
		# in the host (the hypercall's handler, for one)?
		case $(cat $gt/comm 2>/dev/null) in
		CPU*) sed 's/^/  host stack: /' $gt/stack 2>/dev/null ;;
		esac
	done
	gi=/sys/kernel/tracing/instances/guest_hang
	mkdir $gi 2>/dev/null || [ -d $gi ] || return 0
	echo 256 > $gi/buffer_size_kb
	echo 1 > $gi/options/record-tgid
	: > $gi/trace
	echo 1 > $gi/events/kvm/kvm_exit/enable 2>/dev/null || { rmdir $gi; return 0; }
	sleep 3
	echo 0 > $gi/events/kvm/kvm_exit/enable
	grep -E "\( *$gp\) .*kvm_exit: " $gi/trace |
		sed -n 's/.*kvm_exit: .*reason \([^ ]*\) rip \(0x[0-9a-f]*\).*/\1 \2/p' > /tmp/g$1.exits
	rmdir $gi 2>/dev/null
	echo "VM exits in 3 s: $(wc -l < /tmp/g$1.exits)"
	sort /tmp/g$1.exits | uniq -c | sort -rn | head -n 5 |
		while read -r gn gr grip; do
			echo "$gn exits, reason $gr, rip $grip $(kernel_symbol "$grip")"
		done
}

# kernel_symbol <0xaddress>: the text symbol of this kernel the address
# falls in, as "(name)", or nothing.  Kernel addresses have 16 hex
# digits, so they compare as strings (busybox sh arithmetic is signed).
kernel_symbol() {
	ks_a=$(printf '%016s' "${1#0x}" | tr ' ' 0)
	awk -v a="$ks_a" '$2 ~ /^[tT]$/ && $1 <= a && $1 > best {best = $1; name = $3}
		END {if (name != "") print "(" name ")"}' /proc/kallsyms 2>/dev/null
}

# guest_lost <i>: say how guest i was lost.  A triple fault with no
# kernel report in its console, or a hang (guest_hung) with none, is the
# emulator's (rig/qemu-faults.sh, nested_guest_lost): the
# "nested-guest-lost" line makes rig/check.sh run the test file again in
# another boot.  Anything else is shown for a human.
guest_lost() {
	gl_e=$(guest_end "$1")
	if [ -f /run/g$1.hung ]; then
		grep -q -E -f /rig/splat-patterns /run/g$1.log ||
			echo "rig: nested-guest-lost: guest $1 hung, no kernel report in its console: $(cat /run/g$1.hung)"
	elif echo "$gl_e" | grep -q 'the guest triple-faulted' && guest_silent "$1"; then
		echo "rig: nested-guest-lost: guest $1, no kernel report in its console: $gl_e"
	fi
	echo "rig: guest $1 was lost: $gl_e; its console's last lines:"
	console_tail "$1" 30 "rig: g$1| "
}

# guest_run <i> <command> [timeout]: run a shell command in guest i, print
# its output and return its exit status.
guest_run() {
	guest_send "$1" "$2"
	guest_recv "$1" "${3:-60}"
}

# guest_num <i> <command> [timeout]: the first number <command> prints at
# the start of a line in guest i; nothing if none.
guest_num() {
	guest_run "$@" | grep -oE '^[0-9]+' | head -n 1
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
		rm -f "$f" /run/bench$i.img
	done
	sleep 1
	return $rc
}

# ksm_stat <name>: one KSM counter.
ksm_stat() { cat /sys/kernel/mm/ksm/$1; }

# kmemleak_report: scan twice (an object is reported once it has stayed
# unreferenced across two scans) and print what kmemleak found, if the
# kernel has it.
kmemleak_report() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan > /sys/kernel/debug/kmemleak
	sleep 2
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
}

# read_to_merge <dir> <files> [pages] [timeout]: time from a guest's
# read to the host's merge, page by page.  Both guests drop their page
# caches; then for each of the <files> largest files in <dir> (the same
# path and content in both guests), guest 0 reads its first [pages]
# (default 32) pages, and guest 1 reads them with ksm_hint_gpa, which
# prints the guest physical address of each page it read.  Meanwhile
# ksm_hint_vmstat -W watches guest 1's RAM in its VMM's page tables,
# from just before the host sends the command: a page's time is the
# first poll that saw it merged after the read wrote it (99: not merged
# within [timeout] s, default 10).  So other merges and
# unmerges in the guests cannot move it, as they can move the counters
# used before (pages_sharing, then ksm_merging_pages, which also fall when
# a frame merged before the drop_caches is written again, as a read into
# it does, and so can hide the probe's merges).  Prints "@@R2M <seconds>"
# per page read, counted from the host's command (an upper bound: it
# includes the nested guest starting the reader), and "@@R2MF <seconds>"
# per page merged, counted from the first poll that saw the read's write
# into guest RAM (the page's soft-dirty bit; a lower bound on a kernel
# without soft-dirty tracking, which the probe then says), and a line per
# file; a page never seen written was not read during the watch (still
# cached) and is only counted in that line.  A guest that does not answer
# within 120 s ends the probe with a line saying so (a nested guest has been seen to stop answering, idle, after
# a workload), rather than waiting on every remaining step.
read_to_merge() {
	rw=120
	# No sync first: the probe reads library files nobody writes, and
	# drop_caches leaves dirty pages alone anyway; a sync after the
	# workload waits for its writeback, minutes nested.
	for i in 0 1; do
		if ! guest_run $i 'echo 3 > /proc/sys/vm/drop_caches' $rw > /dev/null; then
			echo "r2m: guest $i did not answer drop_caches within $rw s: probe stopped"
			return 1
		fi
	done
	sleep 3
	rfiles=$(guest_run 0 "cd $1 && ls -S | head -n $2" $rw) || {
		echo "r2m: guest 0 did not answer within $rw s: probe stopped"
		return 1
	}
	for rf in $(echo "$rfiles" | grep -v '^rig:' | tr -d '\r'); do
		rp=${3:-32}
		rd="dd if=$1/$rf of=/dev/null bs=4096 count=$rp 2>/dev/null"
		if ! guest_run 0 "$rd" $rw > /dev/null; then
			echo "r2m: guest 0 did not answer within $rw s: probe stopped"
			return 1
		fi
		sleep 1
		rm -f /tmp/r2m.gpa /tmp/r2m.watch
		/opt/selftests/ksm_hint/ksm_hint_vmstat -m "$GUEST_MEM" -W "${4:-10}:/tmp/r2m.gpa" \
			"$(cat /run/g1.pid)" > /tmp/r2m.watch 2> /tmp/r2m.err &
		rwp=$!
		t=0
		while ! grep -qs '^ready' /tmp/r2m.watch && kill -0 $rwp 2> /dev/null && [ $t -lt 600 ]; do
			usleep 50000; t=$((t + 1))
		done
		if ! grep -qs '^ready' /tmp/r2m.watch; then
			echo "r2m: the host's watcher did not start: $(tail -n 1 /tmp/r2m.err)"
			kill $rwp 2> /dev/null
			return 1
		fi
		if ! guest_run 1 "ksm_hint_gpa $1/$rf $rp" $rw > /tmp/r2m.out; then
			echo "r2m: guest 1: $(tail -n 1 /tmp/r2m.out): probe stopped"
			kill $rwp 2> /dev/null
			return 1
		fi
		grep -E '^[0-9a-f]+$' /tmp/r2m.out > /tmp/r2m.gpa.new
		mv /tmp/r2m.gpa.new /tmp/r2m.gpa
		wait $rwp
		awk '/^r2m gpa=/ {split($3, a, "="); split($4, b, "=")
			if (a[2] != "-1") print "@@R2M " a[2]
			if (a[2] != "-1" && a[2] != "99") print "@@R2MF " b[2]}' /tmp/r2m.watch
		sum=$(grep '^r2m pages=' /tmp/r2m.watch)
		if [ -z "$sum" ]; then
			echo "r2m: $rf: the host's watcher failed: $(tail -n 1 /tmp/r2m.err)"
			continue
		fi
		echo "$sum" | awk -v f="$rf" '{for (i = 2; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}
			printf "r2m: %s: %d of %d pages merged, %d not read (still cached)\n", f, v["merged"], v["pages"] - v["unread"], v["unread"]
			if (v["soft_dirty"] != 1) print "r2m: the host does not track soft-dirty pages: its R2MF times are lower bounds"}'
	done
}

# r2m_summary [R2MF]: median, p95 and max of the "@@R2M" lines on stdin
# (from the host's command), or of the "@@R2MF" lines (from the read's
# write into guest RAM).
r2m_summary() {
	if [ "${1:-R2M}" = R2MF ]; then
		rt="read to merge from the read's write into guest RAM (merged pages)"
	else
		rt="read to merge from the host's command"
	fi
	sed -n "s/^@@${1:-R2M} //p" | sort -n | awk -v rt="$rt" '{v[NR] = $1} END {if (NR) printf "%s over %d pages: median %.2f s, p95 %.2f s, max %.2f s (99 = not merged in time)\n", rt, NR, v[int((NR + 1) / 2)], v[int(NR * 0.95 + 0.5)], v[NR]; else print rt ": no pages"}'
}

# proc_cpu_ms <pid>: user+system CPU time of a process in milliseconds.
proc_cpu_ms() {
	awk -v hz=100 '{print ($14 + $15) * 1000 / hz}' /proc/$1/stat
}

# guest_disk_sum <i>: digest of every file on guest i's disk, read back
# through its page cache (compare with /guest/disk.sum).
DISK_SUM_CMD='cd /mnt && find . -type f | sort | xargs md5sum | md5sum | cut -d" " -f1; cd /'
guest_disk_sum() {
	guest_send "$1" "$DISK_SUM_CMD"
	disk_sum_recv "$1"
}

# guest_disk_sums: "<digest of guest 0> <digest of guest 1>", both guests
# reading at the same time.
guest_disk_sums() {
	guest_send 0 "$DISK_SUM_CMD"; guest_send 1 "$DISK_SUM_CMD"
	echo "$(disk_sum_recv 0) $(disk_sum_recv 1)"
}

# disk_sum_recv <i>: guest i's answer to DISK_SUM_CMD.  The serial console
# also carries the guest kernel's messages, which can land on the same
# line as the digest: keep the digest only.  A guest that gave none
# answers "no-answer" (it timed out or died) or "no-digest", never an
# empty string, so that a silent guest is told from a wrong digest; test
# with is_digest before comparing two answers.
disk_sum_recv() {
	ds_out=$(guest_recv "$1" 300)
	ds_rc=$?
	ds=$(echo "$ds_out" | grep -oE '[0-9a-f]{32}' | head -n 1)
	if [ -n "$ds" ]; then
		echo "$ds"
	elif [ "$ds_rc" = 124 ]; then
		echo no-answer
		# Why it went silent, for the log (stdout is the answer).
		{ echo "$ds_out" | tail -n 1
		  guest_alive "$1" || echo "rig: guest $1: $(guest_end "$1")"
		  console_tail $1 15 "rig: g$1| "; } >&2
	else
		echo "no-digest(exit-$ds_rc)"
	fi
}

# is_digest <word>: the word is an md5 digest.
is_digest() {
	echo "$1" | grep -qxE '[0-9a-f]{32}'
}

# phase_mark <test> <phase>: print how long the phase that ends here took
# (since the previous mark, or since the first call) and ksmd's CPU time
# in it, so that a slow run shows which step grew.
phase_mark() {
	pm_t=$(cut -d' ' -f1 /proc/uptime); pm_c=$(proc_cpu_ms "$(ksmd_pid)")
	if [ -n "${PM_T0:-}" ]; then
		awk -v t0="$PM_T0" -v t1="$pm_t" -v c0="$PM_C0" -v c1="$pm_c" -v n="$1" -v p="$2" \
			'BEGIN {printf "rig: %s: phase %s took %.0f s, ksmd cpu %.1f s\n", n, p, t1 - t0, (c1 - c0) / 1000}'
	fi
	PM_T0=$pm_t PM_C0=$pm_c
}

# task_pid <comm>: the pid of the first task named <comm> (kernel threads
# have no command line to match).
task_pid() {
	for p in /proc/[0-9]*; do
		[ "$(cat $p/comm 2>/dev/null)" = "$1" ] && { echo ${p#/proc/}; return; }
	done
}
ksmd_pid() { task_pid ksmd; }

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

# The benchmark workload (rig/bench/loop.sh on the bench disk, GUEST_BENCH=1):
# a compile loop in the chroot /b; its state is in /b/bench/state.
# bench_start <i> <secs> [K] [jobs] ["make variables"] [churn]: start it
# in the background in guest i for <secs> seconds (0: until bench_stop),
# rewriting sources every K builds (default 2), make -j jobs (default 1),
# e.g. "PROGS=all" for the whole code base (rig/bench/Makefile), with the
# churn phase if churn is SECS:MIB (loop.sh's CHURN).
bench_start() {
	guest_run "$1" "CHURN=${6:-} chroot /b /bin/sh /bench/loop.sh $2 ${3:-2} ${4:-1} ${5:-} < /dev/null > /b/bench/loop.log 2>&1 &"
}

# bench_builds <i>: builds guest i has finished (0 before the first).
bench_builds() {
	b=$(guest_num "$1" 'cat /b/bench/state/builds 2>/dev/null || echo 0')
	echo "${b:-0}"
}

# bench_state <i>: "<builds finished> <objects of the build in progress>
# <churn revisions written> <status>", in one round trip.
bench_state() {
	guest_run "$1" 'echo "@@bench $(cat /b/bench/state/builds 2>/dev/null || echo 0) $(ls /b/bench/work/out/obj 2>/dev/null | wc -l) $(cat /b/bench/state/churn_revs 2>/dev/null || echo 0) $(cat /b/bench/state/status 2>/dev/null)"' |
		sed -n 's/^@@bench //p' | head -n 1
}

# bench_status <i>: running, done, stopped or failed.
bench_status() {
	guest_run "$1" 'cat /b/bench/state/status 2>/dev/null' | grep -oE '^(running|done|stopped|failed)' | head -n 1
}

# bench_progress <i>: one line a finished build ("build N rev R start
# EPOCH secs S sum MD5").
bench_progress() {
	guest_run "$1" 'cat /b/bench/state/progress' 120 | grep -E '^build [0-9]+ rev '
}

# bench_stop <i>: stop guest i's loop (the build in progress is dropped)
# and wait up to 60 s until it has.
bench_stop() {
	guest_run "$1" 'touch /b/bench/state/stop' > /dev/null
	bw=0	# not t: guest_recv, called inside the loop, sets a global t
	while [ "$(bench_status "$1")" = running ] && [ $bw -lt 60 ]; do
		sleep 2; bw=$((bw + 2))
	done
}
