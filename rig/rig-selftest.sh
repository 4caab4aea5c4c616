#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the rig itself, on the build machine: a patch that does not
# apply and a missing package each stop the build with a clear message and
# a non-zero exit.  (A guest that never boots is checked inside the host,
# rig/tests/05-rig.sh.)  Prints PASS:/FAIL: lines; cheap, no kernel build.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_failure <name> <regex> <command...>: run the command, check that
# it exits with a status other than 0 and prints <regex>.
expect_failure() {
	local name=$1 re=$2 rc; shift 2
	"$@" > "$tmp/out" 2>&1
	rc=$?
	if [ $rc != 0 ] && grep -qE "$re" "$tmp/out"; then
		echo "PASS: rig: $name (exit $rc: $(grep -m1 -E "$re" "$tmp/out"))"
	else
		echo "FAIL: rig: $name (exit $rc, want non-zero and /$re/); it said:"
		sed 's/^/  | /' "$tmp/out" | tail -n 10
	fi
}

# tree_in <build-dir> <tarball>: make tree with the copy of the rig below.
tree_in() {
	env RIG_BUILD="$1" KSRC_TAR="$2" bash "$tmp/repo/rig/tree.sh"
}

# A minimal "kernel source package" and a copy of the repository whose
# series holds one patch that cannot apply to it.
mkdir -p "$tmp/pkg/linux-source-6.12/mm"
printf 'VERSION = 6\n' > "$tmp/pkg/linux-source-6.12/Makefile"
printf 'int ksm_line_one;\nint ksm_line_two;\n' > "$tmp/pkg/linux-source-6.12/mm/ksm.c"
tar -C "$tmp/pkg" -cJf "$tmp/linux-source-6.12.tar.xz" linux-source-6.12
mkdir -p "$tmp/repo/rig" "$tmp/repo/patches"
cp "$RIG_TOP"/rig/*.sh "$tmp/repo/rig/"
git -C "$tmp/repo" init -q
cat > "$tmp/repo/patches/0001-mm-ksm-broken.patch" <<'EOF'
Subject: [PATCH] a deliberately broken patch

--- a/mm/ksm.c
+++ b/mm/ksm.c
@@ -1,2 +1,2 @@
-int ksm_line_that_is_not_there;
+int ksm_line_one_changed;
 int ksm_line_two;
EOF
echo 0001-mm-ksm-broken.patch > "$tmp/repo/patches/series"
expect_failure "a patch that does not apply stops make tree, naming it" \
	'rig: error: patch .*0001-mm-ksm-broken.patch does not apply' \
	tree_in "$tmp/build" "$tmp/linux-source-6.12.tar.xz"

# The same tree with a good patch assembles, so the failure above was the
# patch's and not the harness's.
cat > "$tmp/repo/patches/0001-mm-ksm-broken.patch" <<'EOF'
Subject: [PATCH] a patch that applies

--- a/mm/ksm.c
+++ b/mm/ksm.c
@@ -1,2 +1,2 @@
-int ksm_line_one;
+int ksm_line_one_changed;
 int ksm_line_two;
EOF
rm -rf "$tmp/build"
if tree_in "$tmp/build" "$tmp/linux-source-6.12.tar.xz" > "$tmp/out" 2>&1 &&
	grep -q ksm_line_one_changed "$tmp/build/linux/mm/ksm.c"; then
	echo "PASS: rig: a patch that applies assembles the tree"
else
	echo "FAIL: rig: a patch that applies assembles the tree"
	sed 's/^/  | /' "$tmp/out" | tail -n 10
fi

# The kernel source package missing.
expect_failure "a missing linux-source-6.12 package is named with the fix" \
	'install the linux-source-6.12 package' \
	tree_in "$tmp/build2" "$tmp/nonexistent.tar.xz"

# Any other missing package: deps.sh --check names it and the command to
# run as root.  A package name that cannot exist stands in for it.
expect_failure "a missing Debian package is named with the command to install it" \
	'missing Debian packages: ksm-hint-no-such-package' \
	env RIG_EXTRA_PKGS=ksm-hint-no-such-package bash "$RIG_TOP/rig/deps.sh" --check

# expect_qemu_fault <classifier> <log> <want> <name>: the classifier of
# rig/qemu-faults.sh blames the log's report on QEMU, saying <want> (a
# glob).
expect_qemu_fault() {
	local got
	got=$($1 "$2")	# the classifier may carry arguments
	# shellcheck disable=SC2053
	if [[ $got == $3 ]]; then
		echo "PASS: rig: $4"
	else
		echo "FAIL: rig: $4 (got '$got')"
	fi
}

# expect_run_failed <classifier> <report> <log:case>...: for each log the
# classifier blames nothing on QEMU, so the run stays failed.
expect_run_failed() {
	local cls=$1 what=$2 f got
	shift 2
	for f in "$@"; do
		got=$($cls "$tmp/${f%%:*}.log")
		if [ -z "$got" ]; then
			echo "PASS: rig: $what ${f#*:} fails the run"
		else
			echo "FAIL: rig: $what ${f#*:} fails the run (got '$got')"
		fi
	done
}

# rig/qemu-faults.sh: the one lockdep report that proves an interrupt with
# IF clear earns a second boot of the file it happened in; the same report
# with another report beside it, with the lock held elsewhere, or outside
# a running test file, does not.
. "$RIG_TOP/rig/qemu-faults.sh"
irq_log() {	# irq_log <held-at function> <extra line> [softirq stamp]
	cat <<LOG
@@TEST-BEGIN 40-kvm-page-hint 100.0
@@TEST-END 40-kvm-page-hint 120.0
@@TEST-BEGIN 60-pagehint 121.0
[  689.342494] ================================
[  689.342984] WARNING: inconsistent lock state
[  689.345318] inconsistent {IN-HARDIRQ-W} -> {HARDIRQ-ON-W} usage.
[  689.346417] swapper/0/0 [HC0[0]:SC1[1]:HE0:SE0] takes:
[  689.359372] hardirqs last  enabled at (1542867): [<ffffffff8126d258>] finish_task_switch.isra.0+0x3ab/0x687
[  689.359774] hardirqs last disabled at (1542868): [<ffffffff8134be63>] tick_nohz_idle_enter+0x68/0xc2
[  689.360943] softirqs last  enabled at (1542794): [<ffffffff812164a8>] handle_softirqs+0x57f/0x62f
[  689.361409] softirqs last disabled at (${3:-1542869}): [<ffffffff812165dd>] __irq_exit_rcu+0x85/0xdf
[  689.365492] 1 lock held by swapper/0/0:
[  689.365800]  #0: ffff88811b82cb28 ((null)){?.-.}-{0:0}, at: $1+0x1b/0x6a
[  689.367170] Call Trace:
[  689.367377]  dump_stack_lvl+0x69/0x90
$2
@@TEST-END 60-pagehint 849.0
LOG
}
irq_log tick_nohz_start_idle "" > "$tmp/irq.log"
expect_qemu_fault host_irq_while_masked "$tmp/irq.log" "60-pagehint: a vCPU took an interrupt with IF clear*" \
	"an interrupt taken with IF clear is QEMU's, in 60-pagehint"
irq_log some_function "" > "$tmp/irq1.log"
irq_log tick_nohz_start_idle "[  700.000000] BUG: KASAN: slab-use-after-free in foo+0x1/0x2" > "$tmp/irq2.log"
irq_log tick_nohz_start_idle "" | sed '/^@@TEST-BEGIN 60/d; /^@@TEST-BEGIN 40/d' > "$tmp/irq3.log"
irq_log tick_nohz_start_idle "" 1542875 > "$tmp/irq4.log"
irq_log tick_nohz_start_idle "" | sed '/^@@TEST-END 60/d; s/^\(@@TEST-BEGIN 60-pagehint .*\)/\1\n@@TEST-END 60-pagehint 200.0/' > "$tmp/irq5.log"
expect_run_failed host_irq_while_masked "the lockdep report with" "irq1:the lock held elsewhere" \
	"irq2:a KASAN report beside it" "irq3:no test file running" \
	"irq4:irq events between cli and the interrupt" "irq5:its test file already ended"

# A double fault in a nested guest's VMM on a stack in the first MiB earns
# a second boot of the file; with another report, another task, a stack
# the host could own, or no test file running, it does not.
df_log() {	# df_log <comm> <rsp> <extra line>
	cat <<LOG
@@TEST-BEGIN 40-kvm-page-hint 662.56
@@TEST-END 40-kvm-page-hint 680.32
@@TEST-BEGIN 60-pagehint 680.38
[ 1354.121115] rig: host alive
$3
[ 1361.013491] traps: PANIC: double fault, error_code: 0x0
[ 1361.016976] Oops: double fault: 0000 [#1] SMP KASAN
[ 1361.018167] CPU: 0 UID: 0 PID: 598 Comm: $1 Tainted: G                 N 6.12.118 #12
[ 1361.018918] RIP: 0010:error_entry+0xd/0xc0
[ 1361.020602] RSP: 0018:$2 EFLAGS: 00000097
[ 1361.021964] Call Trace:
[ 1361.022553] ---[ end trace 0000000000000000 ]---
[ 1361.023192] Kernel panic - not syncing: Fatal exception in interrupt
LOG
}
df_log qemu-system-x86 ffff88800009b000 "" > "$tmp/df.log"
expect_qemu_fault host_nested_stack_fault "$tmp/df.log" "60-pagehint: a double fault in a nested guest's VMM*ffff88800009b000*" \
	"a double fault on a stack in the first MiB in a nested VMM is QEMU's, in 60-pagehint"
df_log qemu-system-x86 ffff88800009b000 "[ 1300.000000] BUG: KASAN: slab-use-after-free in foo+0x1/0x2" > "$tmp/df1.log"
df_log ksmd ffff88800009b000 "" > "$tmp/df2.log"
df_log qemu-system-x86 ffff88800c93bf00 "" > "$tmp/df3.log"
df_log qemu-system-x86 ffff88800009b000 "" | sed '/^@@TEST-BEGIN 60/d' > "$tmp/df4.log"
expect_run_failed host_nested_stack_fault "the double fault" "df1:with a KASAN report before it" \
	"df2:in another task" "df3:on a stack the host could own" "df4:with no test file running"

# An interrupt whose entry frame shows the interrupted kernel code with IF
# clear (the first report's own call trace) earns a second boot; IF set
# there, no interrupt frame, another report first, or no test file
# running does not.
ifc_log() {	# ifc_log <eflags> <entry function> <extra line>
	cat <<LOG
@@TEST-BEGIN 60-pagehint 680.38
$3
[ 1121.390568] BUG: spinlock recursion on CPU#0, qemu-system-x86/2736
[ 1121.391160]  lock: 0xffff88807f6a1d08, .magic: dead4ead, .owner: qemu-system-x86/2736, .owner_cpu: 0
[ 1121.395213] Call Trace:
[ 1121.395517]  <IRQ>
[ 1121.396507]  do_raw_spin_lock+0xd0/0x1de
[ 1121.396694]  kthread_queue_work+0x21/0x5c
[ 1121.396753]  pit_timer_fn+0xa3/0x146
[ 1121.397156]  sysvec_apic_timer_interrupt+0x63/0x7d
[ 1121.397272]  </IRQ>
[ 1121.397315]  <TASK>
[ 1121.397341]  $2+0x1a/0x20
[ 1121.397592] RIP: 0010:lock_is_held+0x0/0x8
[ 1121.397785] Code: 0f 83 ca ff 0f bd d0 8d 42 01 c3 b8 01 00 00 00 c3 e8 98 ff ff ff
[ 1121.398444] RSP: 0018:ffff888013a674e8 EFLAGS: $1
[ 1121.400746]  kthread_queue_work+0x45/0x5c
[ 1121.402587]  </TASK>
[ 1147.391805] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
[ 1147.453927] Call Trace:
LOG
}
ifc_log 00000002 asm_sysvec_apic_timer_interrupt "" > "$tmp/ifc.log"
expect_qemu_fault host_irq_with_if_clear "$tmp/ifc.log" "60-pagehint: a vCPU took an interrupt with IF clear (asm_sysvec_apic_timer_interrupt at lock_is_held+0x0/0x8, EFLAGS 00000002;*" \
	"a spinlock taken again in an interrupt that came with IF clear is QEMU's, in 60-pagehint"
ifc_log 00000246 asm_sysvec_apic_timer_interrupt "" > "$tmp/ifc1.log"
ifc_log 00000002 some_function "" > "$tmp/ifc2.log"
ifc_log 00000002 asm_sysvec_apic_timer_interrupt "[ 1100.000000] BUG: KASAN: slab-use-after-free in foo+0x1/0x2" > "$tmp/ifc3.log"
ifc_log 00000002 asm_sysvec_apic_timer_interrupt "" | sed '/^@@TEST-BEGIN/d' > "$tmp/ifc4.log"
expect_run_failed host_irq_with_if_clear "the spinlock recursion" "ifc1:in an interrupt taken with IF set" \
	"ifc2:with no interrupt frame" "ifc3:after a KASAN report" "ifc4:with no test file running"

# A host that limps on with one vCPU lost to QEMU: the hung-task report
# makes rig/vm-run.sh stop it, host-dump.py's verdict names the lost
# interrupt, and the unfinished files earn a second boot (the CI run of
# e6a93ef on 2026-12-03 waited 3600 s for such a host instead).  Another
# report first, or a verdict without the signature, leaves it failed.
hung_log() {	# hung_log <extra line> <verdict>
	cat <<LOG
@@TEST-BEGIN 60-pagehint 680.38
$1
[  973.100000] rig: host alive
[ 1093.231000] INFO: task khugepaged:31 blocked for more than 122 seconds.
[ 1093.231500] "echo 0 > /proc/sys/kernel/hung_task_timeout_secs" disables this message.
[ 1093.232000] Call Trace:
[ 1093.239332]  khugepaged+0xc0/0x9e2
[ 1093.244447] Showing all locks held in the system:
[ 1093.252597]  #2: ffff88807d77fd18 (&pit->pit_state.lock){+.+.}-{3:3}, at: pit_ioport_write+0x80/0x4b2
[ 1133.000000] rig: host alive
rig: host reported a hung task 60s ago: dumping its vCPUs and stopping it
rig: host vCPUs at 0: pv_native_safe_halt+0xf/0x20, 1: lock_acquire+0x1d0/0x400
rig: host-dump cpu 0: RIP=ffffffff81c5e9af (pv_native_safe_halt+0xf) RFLAGS=00000246 IF=1 HLT=1
rig: host-dump cpu 0 lapic: IRR 251
rig: host-dump verdict: $2
LOG
}
lost1="lost interrupt (1 of 2 vCPUs halted with IF=1 in two looks a second apart; deliverable, not delivered: cpu 0 vector 251)"
hung_log "" "$lost1" > "$tmp/hung.log"
expect_qemu_fault "qemu_fault 124" "$tmp/hung.log" "hung: $lost1" \
	"a host that reported a hung task with one vCPU asleep on a deliverable vector was lost by QEMU"
hung_log "[ 1000.000000] BUG: KASAN: slab-use-after-free in foo+0x1/0x2" "$lost1" > "$tmp/hung1.log"
hung_log "" "not the lost-interrupt signature" > "$tmp/hung2.log"
expect_run_failed "qemu_fault 124" "the hung task" "hung1:after a KASAN report" \
	"hung2:without the lost-interrupt signature"

# host-dump.py's verdict: a vCPU lost only if it sleeps with IF=1 on a
# deliverable vector in both looks; all of them, or some while others run.
verdict_is() {	# verdict_is <looks as a Python literal> <want glob> <name>
	local got
	got=$(cd "$RIG_TOP/rig" && python3 -c "
import importlib.util as u
s = u.spec_from_file_location('hd', 'host-dump.py'); m = u.module_from_spec(s)
s.loader.exec_module(m)
print(m.verdict(['0', '1'], $1))")
	# shellcheck disable=SC2053
	if [[ $got == $2 ]]; then
		echo "PASS: rig: host-dump verdict $3"
	else
		echo "FAIL: rig: host-dump verdict $3 (got '$got')"
	fi
}
verdict_is "[{'0': (True, 251), '1': (False, None)}] * 2" "lost interrupt (1 of 2 vCPUs*cpu 0 vector 251)" \
	"names one vCPU asleep on a vector in both looks while the other runs"
verdict_is "[{'0': (True, 236), '1': (True, 251)}] * 2" "lost interrupt (every vCPU halted*cpu 0 vector 236, cpu 1 vector 251)" \
	"names a whole host asleep on deliverable vectors"
verdict_is "[{'0': (True, 251), '1': (False, None)}, {'0': (True, None), '1': (False, None)}]" \
	"not the lost-interrupt signature" "clears a vCPU that took its vector by the second look"
verdict_is "[{'0': (True, None), '1': (False, 251)}] * 2" "not the lost-interrupt signature" \
	"clears an idle vCPU with nothing pending and a running one with a vector"

# rig/vm-run.sh stops a host a grace time after it reports a hung task,
# with status 124 and the verdict in its log, even though its console
# keeps printing (a stand-in QEMU prints the report and a heartbeat).
mkdir -p "$tmp/vm/obj/arch/x86/boot" "$tmp/bin"
touch "$tmp/vm/obj/arch/x86/boot/bzImage" "$tmp/vm/host-initrd.cpio.gz" "$tmp/vm/obj/System.map"
echo 'exit 0' > "$tmp/job.sh"
cat > "$tmp/bin/qemu-system-x86_64" <<'QEMU'
#!/bin/bash
while [ $# -gt 0 ]; do [ "$1" = -pidfile ] && echo $$ > "$2"; shift; done
echo "[ 1093.231000] INFO: task khugepaged:31 blocked for more than 122 seconds."
while sleep 1; do echo "[ 1100.000000] rig: host alive"; done
QEMU
chmod +x "$tmp/bin/qemu-system-x86_64"
t=$(date +%s)
PATH="$tmp/bin:$PATH" RIG_BUILD="$tmp/vm" RIG_WATCHDOG_POLL_SECONDS=1 RIG_HUNG_GRACE_SECONDS=2 \
	timeout 120 bash "$RIG_TOP/rig/vm-run.sh" -q -t 100 -l "$tmp/vm/vm.log" "$tmp/job.sh" > "$tmp/vm.out" 2>&1
rc=$? t=$(( $(date +%s) - t ))
if [ $rc = 124 ] && [ $t -lt 60 ] && grep -q '^rig: host reported a hung task 2s ago: dumping' "$tmp/vm/vm.log" &&
	grep -q '^rig: host hung: reported a hung task' "$tmp/vm.out"; then
	echo "PASS: rig: a host that reports a hung task is stopped ${t} s later, not at the timeout (exit 124)"
else
	echo "FAIL: rig: a host that reports a hung task is stopped (exit $rc after $t s, want 124 within 60 s)"
	sed 's/^/  | /' "$tmp/vm.out" | tail -n 5
fi

# guest_end names a nested guest's triple fault from the host's kvm_exit
# trace of SHUTDOWN exits (rig/host/guests.sh), with the event the vCPU
# was delivering in words; a guest whose QEMU exited 0 with no such exit
# traced is said to have reset, and one traced for another QEMU is not
# blamed.  The trace lines are shaped as the host prints them.
mkdir -p "$tmp/gtrace"
cat > "$tmp/gtrace/trace" <<'EOF'
# tracer: nop
    CPU 0/KVM-4250    (   4242) [001] d..1.   845.123456: kvm_exit: vcpu 0 reason shutdown rip 0x40f620 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x80000b0e error_code 0x00000014
    CPU 0/KVM-4350    (  14242) [000] d..1.   900.000001: kvm_exit: vcpu 0 reason shutdown rip 0xffffffff81001000 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x80000b0d error_code 0x00000000
EOF
sh_=sh; command -v busybox > /dev/null && sh_="busybox sh"
g=$((90 + RANDOM % 9))
# shellcheck disable=SC2016
out=$($sh_ -c '. "$0/rig/host/guests.sh"; GUEST_EXIT_TRACE=$1; g=$2
	echo 0 > /run/g$g.qrc
	echo 4242 > /run/g$g.vmm; echo "A: $(guest_end $g)"
	echo 14242 > /run/g$g.vmm; echo "B: $(guest_end $g)"
	echo 4343 > /run/g$g.vmm; echo "C: $(guest_end $g)"
	rm -f /run/g$g.qrc /run/g$g.vmm' "$RIG_TOP" "$tmp/gtrace" "$g" 2>&1)
want_a="A: QEMU exited with status 0: the guest triple-faulted (KVM SHUTDOWN exit at rip 0x40f620 intr_info 0x80000b0e error_code 0x00000014: delivering #PF (error code 0x14: user instruction fetch, page not present))"
want_b="B: QEMU exited with status 0: the guest triple-faulted (KVM SHUTDOWN exit at rip 0xffffffff81001000 intr_info 0x80000b0d error_code 0x00000000: delivering #GP (error code 0))"
want_c="C: QEMU exited with status 0 (the guest powered off or reset; no triple fault traced)"
if [ "$out" = "$(printf '%s\n%s\n%s' "$want_a" "$want_b" "$want_c")" ]; then
	echo "PASS: rig: guest_end names a triple fault and the event in delivery from the kvm_exit trace, and only for its own QEMU"
else
	echo "FAIL: rig: guest_end from the kvm_exit trace; it said:"
	printf '%s\n' "$out" | sed 's/^/  | /'
fi

# A nested guest lost to a triple fault with no kernel report (60-pagehint
# prints the marker) earns its file a second boot; not after a kernel
# report in the host's log, nor once the file has ended.
ngl_log() {	# ngl_log <extra line before the marker> <line after>
	cat <<LOG
@@TEST-BEGIN 50-other 100.0
@@TEST-END 50-other 120.0
@@TEST-BEGIN 60-pagehint 130.0
FAIL: pagehint: stock KSM: both guests read their exact files after merging (read 7ed6 no-answer)
$1
rig: nested-guest-lost: guest 1, no kernel report in its console: QEMU exited with status 0: the guest triple-faulted (KVM SHUTDOWN exit at rip 0xffffffff81bd30bd intr_info 0x80000030 error_code 0x00000000: delivering external interrupt vector 48)
$2
LOG
}
ngl_log "" "" > "$tmp/ngl.log"
expect_qemu_fault "qemu_fault 0" "$tmp/ngl.log" "60-pagehint: guest 1, no kernel report in its console: QEMU exited with status 0: the guest triple-faulted (KVM SHUTDOWN exit at rip 0xffffffff81bd30bd *" \
	"a nested guest's silent triple fault reruns its test file"
ngl_log "[  900.000000] BUG: KASAN: use-after-free in ksm_hint_scan_one+0x1/0x2" "" > "$tmp/ngl1.log"
ngl_log "@@TEST-END 60-pagehint 990.0" "" > "$tmp/ngl2.log"
printf '@@TEST-BEGIN 60-pagehint 130.0\nrig: pagehint: guest 1 was lost: QEMU killed by signal 9\n' > "$tmp/ngl4.log"
expect_run_failed "qemu_fault 0" "the lost nested guest" "ngl1:after a host KASAN report" \
	"ngl4:killed, not triple-faulted"
got=$(nested_guest_lost "$tmp/ngl2.log")
[ -z "$got" ] && echo "PASS: rig: the lost nested guest outside a running test file fails the run" ||
	echo "FAIL: rig: the lost nested guest outside a running test file fails the run (got '$got')"
