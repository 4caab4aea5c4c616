# SPDX-License-Identifier: GPL-2.0
# The rig reports guests that never boot instead of hanging.

# The host has the CPUs QEMU was given: without ACPI's MADT, SeaBIOS's MP
# table listed one under TCG and every test ran on a uniprocessor.
want=$(sed -n 's/.*rig\.smp=\([0-9]*\).*/\1/p' /proc/cmdline)
online=$(grep -c '^processor' /proc/cpuinfo)
if [ -n "$want" ] && [ "$online" = "$want" ]; then
	echo "PASS: rig: the host has its $want CPUs online"
else
	echo "FAIL: rig: the host has ${want:-?} CPUs online ($online are)"
fi
# stand_in <path>: a stand-in for QEMU, its body on standard input; $p
# is the console FIFOs' path from the -chardev argument guest_start gives.
stand_in() {
	{ printf '#!/bin/sh\nfor a; do case $a in *path=*) p=${a##*path=}; p=${p%%%%,*} ;; esac; done\n'
	  cat; } > "$1"
	chmod +x "$1"
}
# verdict <status> <what> <log>: PASS if status is 0, else FAIL with the
# log, each line tagged with its name.
verdict() {
	if [ "$1" = 0 ]; then
		echo "PASS: rig: $2"
	else
		echo "FAIL: rig: $2"
		sed "s|^|rig: $(basename "$3")\| |" "$3"
	fi
}
start=$(cut -d. -f1 /proc/uptime)
guest_start 8 -kernel /nonexistent
if guest_wait 8 > /tmp/g8.err 2>&1; then
	echo "FAIL: rig: a guest whose QEMU cannot start is reported"
else
	echo "PASS: rig: a guest whose QEMU cannot start is reported ($(grep -m1 rig: /tmp/g8.err))"
fi
# A guest that stays up but never gets ready (a stand-in VMM that only
# sleeps): only the boot time limit can catch it.
stand_in /tmp/never-ready-vmm <<'EOS'
exec sleep 600 > "$p.out"
EOS
GUEST_QEMU=/tmp/never-ready-vmm guest_start 9
saved=$GUEST_BOOT_TIMEOUT; GUEST_BOOT_TIMEOUT=10
guest_wait 9 > /tmp/g9.err 2>&1
rc=$?
GUEST_BOOT_TIMEOUT=$saved
if [ $rc = 0 ] || ! grep -q "did not boot within" /tmp/g9.err; then
	echo "FAIL: rig: a guest that never boots is reported"
else
	echo "PASS: rig: a guest that never boots is reported ($(grep -m1 rig: /tmp/g9.err))"
fi
# A guest that resets itself during boot with no message from QEMU or its
# kernel is booted again once, then reported.  A stand-in for QEMU plays
# that guest (a console line, then a silent exit, as -no-reboot makes of
# a reset): two real nested boots to a reset cost four minutes here.
stand_in /tmp/silent-reset-vmm <<'EOS'
echo "[    0.000000] Linux version (stand-in guest)" > "$p.out"
exit 0
EOS
GUEST_QEMU=/tmp/silent-reset-vmm guest_start 7
guest_wait 7 > /tmp/g7.err 2>&1
rc=$?
[ $rc != 0 ] && [ "$(grep -c '^RETRY: nested guest 7 reset itself' /tmp/g7.err)" = 1 ] &&
   grep -q 'rig: guest 7 exited before it booted' /tmp/g7.err
verdict $? "a guest that resets itself silently during boot is booted again once, then reported" /tmp/g7.err
# A guest whose console stops during boot, cut off mid-line, with no
# kernel report: booted again once, then reported, its console's last
# line printed whole (a "FAIL: " line after it once lost its start).
stand_in /tmp/stall-vmm <<'EOS'
{ printf '[    0.000000] Linux version (stand-in guest)\n@'; exec sleep 600; } > "$p.out"
EOS
GUEST_QEMU=/tmp/stall-vmm guest_start 6
saved="$GUEST_BOOT_TIMEOUT $GUEST_BOOT_STALL"; GUEST_BOOT_TIMEOUT=12 GUEST_BOOT_STALL=3
guest_wait 6 > /tmp/g6.err 2>&1
rc=$?
GUEST_BOOT_TIMEOUT=${saved% *} GUEST_BOOT_STALL=${saved#* }
[ $rc != 0 ] && [ "$(grep -c '^RETRY: nested guest 6 stalled during boot' /tmp/g6.err)" = 1 ] &&
   grep -q 'rig: guest 6 did not boot within' /tmp/g6.err && grep -qx '@' /tmp/g6.err
verdict $? "a guest whose console stalls during boot is booted again once, then reported" /tmp/g6.err
# A guest that booted, then hangs (a stand-in that says "@@READY" and
# nothing more): the first command it does not start within its time
# limit stops it, the next one fails at once, and guest_lost names it
# for rig/check.sh as the emulator's.
stand_in /tmp/hang-vmm <<'EOS'
# It opens its console's input, as QEMU does, so that commands reach it.
{ printf '[    0.000000] Linux version (stand-in guest)\n@@READY\n'; exec sleep 600 < "$p.in"; } > "$p.out"
EOS
GUEST_QEMU=/tmp/hang-vmm guest_start 5
guest_wait 5 > /tmp/g5.err 2>&1
guest_run 5 'echo hello' 4 >> /tmp/g5.err 2>&1
rc=$?
t0=$(cut -d. -f1 /proc/uptime)
guest_run 5 'echo again' 60 >> /tmp/g5.err 2>&1
rc2=$? t1=$(cut -d. -f1 /proc/uptime)
guest_lost 5 >> /tmp/g5.err 2>&1
[ $rc = 124 ] && [ $rc2 = 124 ] && [ $((t1 - t0)) -le 2 ] && ! guest_alive 5 &&
   grep -q '^rig: guest 5 hung: did not start a command' /tmp/g5.err &&
   grep -q '^rig: guest 5 hung: thread ' /tmp/g5.err &&
   grep -q '^rig: nested-guest-lost: guest 5 hung, no kernel report' /tmp/g5.err
verdict $? "a guest that hangs after boot is stopped at its first unanswered command and reported lost" /tmp/g5.err
# A guest that hangs in the middle of a command (a stand-in that starts
# every command and never ends one): stopped when its console stayed
# silent for the last GUEST_HANG_QUIET s of the command's time limit.
stand_in /tmp/midhang-vmm <<'EOS'
{ printf '[    0.000000] Linux version (stand-in guest)\n@@READY\n'
  while read -r id cmd; do echo "@@BEGIN $id"; done < "$p.in"; exec sleep 600; } > "$p.out"
EOS
GUEST_QEMU=/tmp/midhang-vmm guest_start 4
guest_wait 4 > /tmp/g4.err 2>&1
saved=$GUEST_HANG_QUIET; GUEST_HANG_QUIET=3
guest_run 4 'echo hello' 6 >> /tmp/g4.err 2>&1
rc=$?
GUEST_HANG_QUIET=$saved
guest_lost 4 >> /tmp/g4.err 2>&1
[ $rc = 124 ] && ! guest_alive 4 && grep -q '^rig: g4| @@BEGIN ' /tmp/g4.err &&
   grep -q '^rig: guest 4 hung: console silent for the last [0-9]* s of a command' /tmp/g4.err &&
   grep -q '^rig: nested-guest-lost: guest 4 hung, no kernel report' /tmp/g4.err
verdict $? "a guest that hangs in the middle of a command is stopped and reported lost" /tmp/g4.err
kill "$(cat /run/g4.qpid)" "$(cat /run/g5.qpid)" "$(cat /run/g6.qpid)" "$(cat /run/g7.qpid)" "$(cat /run/g8.qpid)" "$(cat /run/g9.qpid)" 2>/dev/null
rm -f /run/g4.* /run/g5.* /run/g6.* /run/g7.* /run/g8.* /run/g9.*
echo "rig: guest failure checks took $(( $(cut -d. -f1 /proc/uptime) - start )) s"
