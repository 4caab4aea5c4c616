# SPDX-License-Identifier: GPL-2.0
# The rig reports guests that never boot instead of hanging.
start=$(cut -d. -f1 /proc/uptime)
guest_start 8 -kernel /nonexistent
if guest_wait 8 > /tmp/g8.err 2>&1; then
	echo "FAIL: rig: a guest whose QEMU cannot start is reported"
else
	echo "PASS: rig: a guest whose QEMU cannot start is reported ($(grep -m1 rig: /tmp/g8.err))"
fi
# An empty initramfs and panic=0: the guest kernel finds no init and hangs
# for ever, so only the boot time limit can catch it.
: > /tmp/empty.img
guest_start 9 -initrd /tmp/empty.img -append "console=ttyS0 panic=0"
saved=$GUEST_BOOT_TIMEOUT; GUEST_BOOT_TIMEOUT=45
guest_wait 9 > /tmp/g9.err 2>&1
rc=$?
GUEST_BOOT_TIMEOUT=$saved
if [ $rc = 0 ] || ! grep -q "did not boot within" /tmp/g9.err; then
	echo "FAIL: rig: a guest that never boots is reported"
else
	echo "PASS: rig: a guest that never boots is reported ($(grep -m1 rig: /tmp/g9.err))"
fi
kill "$(cat /run/g8.qpid)" "$(cat /run/g9.qpid)" 2>/dev/null
rm -f /run/g8.* /run/g9.*
echo "rig: guest failure checks took $(( $(cut -d. -f1 /proc/uptime) - start )) s"
