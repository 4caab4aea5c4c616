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
start=$(cut -d. -f1 /proc/uptime)
guest_start 8 -kernel /nonexistent
if guest_wait 8 > /tmp/g8.err 2>&1; then
	echo "FAIL: rig: a guest whose QEMU cannot start is reported"
else
	echo "PASS: rig: a guest whose QEMU cannot start is reported ($(grep -m1 rig: /tmp/g8.err))"
fi
# A guest that stays up but never gets ready (a stand-in VMM that only
# sleeps): only the boot time limit can catch it.
cat > /tmp/never-ready-vmm <<'EOS'
#!/bin/sh
for a; do case $a in *path=*) p=${a##*path=}; p=${p%%,*} ;; esac; done
exec sleep 600 > "$p.out"
EOS
chmod +x /tmp/never-ready-vmm
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
cat > /tmp/silent-reset-vmm <<'EOS'
#!/bin/sh
for a; do case $a in *path=*) p=${a##*path=}; p=${p%%,*} ;; esac; done
echo "[    0.000000] Linux version (stand-in guest)" > "$p.out"
exit 0
EOS
chmod +x /tmp/silent-reset-vmm
GUEST_QEMU=/tmp/silent-reset-vmm guest_start 7
guest_wait 7 > /tmp/g7.err 2>&1
rc=$?
if [ $rc != 0 ] && [ "$(grep -c '^RETRY: nested guest 7 reset itself' /tmp/g7.err)" = 1 ] &&
   grep -q 'rig: guest 7 exited before it booted' /tmp/g7.err; then
	echo "PASS: rig: a guest that resets itself silently during boot is booted again once, then reported"
else
	echo "FAIL: rig: a guest that resets itself silently during boot is booted again once, then reported"
	sed 's/^/rig: g7.err| /' /tmp/g7.err
fi
# A guest whose console stops during boot, cut off mid-line, with no
# kernel report: booted again once, then reported, its console's last
# line printed whole (a "FAIL: " line after it once lost its start).
cat > /tmp/stall-vmm <<'EOS'
#!/bin/sh
for a; do case $a in *path=*) p=${a##*path=}; p=${p%%,*} ;; esac; done
{ printf '[    0.000000] Linux version (stand-in guest)\n@'; exec sleep 600; } > "$p.out"
EOS
chmod +x /tmp/stall-vmm
GUEST_QEMU=/tmp/stall-vmm guest_start 6
saved="$GUEST_BOOT_TIMEOUT $GUEST_BOOT_STALL"; GUEST_BOOT_TIMEOUT=12 GUEST_BOOT_STALL=3
guest_wait 6 > /tmp/g6.err 2>&1
rc=$?
GUEST_BOOT_TIMEOUT=${saved% *} GUEST_BOOT_STALL=${saved#* }
if [ $rc != 0 ] && [ "$(grep -c '^RETRY: nested guest 6 stalled during boot' /tmp/g6.err)" = 1 ] &&
   grep -q 'rig: guest 6 did not boot within' /tmp/g6.err && grep -qx '@' /tmp/g6.err; then
	echo "PASS: rig: a guest whose console stalls during boot is booted again once, then reported"
else
	echo "FAIL: rig: a guest whose console stalls during boot is booted again once, then reported"
	sed 's/^/rig: g6.err| /' /tmp/g6.err
fi
# A guest that booted, then hangs (a stand-in that says "@@READY" and
# nothing more): the first command it does not start within its time
# limit stops it, the next one fails at once, and guest_lost names it
# for rig/check.sh as the emulator's.
cat > /tmp/hang-vmm <<'EOS'
#!/bin/sh
for a; do case $a in *path=*) p=${a##*path=}; p=${p%%,*} ;; esac; done
# It opens its console's input, as QEMU does, so that commands reach it.
{ printf '[    0.000000] Linux version (stand-in guest)\n@@READY\n'; exec sleep 600 < "$p.in"; } > "$p.out"
EOS
chmod +x /tmp/hang-vmm
GUEST_QEMU=/tmp/hang-vmm guest_start 5
guest_wait 5 > /tmp/g5.err 2>&1
guest_run 5 'echo hello' 4 >> /tmp/g5.err 2>&1
rc=$?
t0=$(cut -d. -f1 /proc/uptime)
guest_run 5 'echo again' 60 >> /tmp/g5.err 2>&1
rc2=$? t1=$(cut -d. -f1 /proc/uptime)
guest_lost 5 >> /tmp/g5.err 2>&1
if [ $rc = 124 ] && [ $rc2 = 124 ] && [ $((t1 - t0)) -le 2 ] && ! guest_alive 5 &&
   grep -q '^rig: guest 5 hung: did not start a command' /tmp/g5.err &&
   grep -q '^rig: guest 5 hung: thread ' /tmp/g5.err &&
   grep -q '^rig: nested-guest-lost: guest 5 hung, no kernel report' /tmp/g5.err; then
	echo "PASS: rig: a guest that hangs after boot is stopped at its first unanswered command and reported lost"
else
	echo "FAIL: rig: a guest that hangs after boot is stopped at its first unanswered command and reported lost"
	sed 's/^/rig: g5.err| /' /tmp/g5.err
fi
# A guest that hangs in the middle of a command (a stand-in that starts
# every command and never ends one): stopped when its console stayed
# silent for the last GUEST_HANG_QUIET s of the command's time limit.
cat > /tmp/midhang-vmm <<'EOS'
#!/bin/sh
for a; do case $a in *path=*) p=${a##*path=}; p=${p%%,*} ;; esac; done
{ printf '[    0.000000] Linux version (stand-in guest)\n@@READY\n'
  while read -r id cmd; do echo "@@BEGIN $id"; done < "$p.in"; exec sleep 600; } > "$p.out"
EOS
chmod +x /tmp/midhang-vmm
GUEST_QEMU=/tmp/midhang-vmm guest_start 4
guest_wait 4 > /tmp/g4.err 2>&1
saved=$GUEST_HANG_QUIET; GUEST_HANG_QUIET=3
guest_run 4 'echo hello' 6 >> /tmp/g4.err 2>&1
rc=$?
GUEST_HANG_QUIET=$saved
guest_lost 4 >> /tmp/g4.err 2>&1
if [ $rc = 124 ] && ! guest_alive 4 && grep -q '^rig: g4| @@BEGIN ' /tmp/g4.err &&
   grep -q '^rig: guest 4 hung: console silent for the last [0-9]* s of a command' /tmp/g4.err &&
   grep -q '^rig: nested-guest-lost: guest 4 hung, no kernel report' /tmp/g4.err; then
	echo "PASS: rig: a guest that hangs in the middle of a command is stopped and reported lost"
else
	echo "FAIL: rig: a guest that hangs in the middle of a command is stopped and reported lost"
	sed 's/^/rig: g4.err| /' /tmp/g4.err
fi
kill "$(cat /run/g4.qpid)" "$(cat /run/g5.qpid)" "$(cat /run/g6.qpid)" "$(cat /run/g7.qpid)" "$(cat /run/g8.qpid)" "$(cat /run/g9.qpid)" 2>/dev/null
rm -f /run/g4.* /run/g5.* /run/g6.* /run/g7.* /run/g8.* /run/g9.*
echo "rig: guest failure checks took $(( $(cut -d. -f1 /proc/uptime) - start )) s"
