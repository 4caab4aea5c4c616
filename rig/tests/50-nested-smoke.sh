# SPDX-License-Identifier: GPL-2.0
# Nested smoke test: two guests with byte-identical disks read the same
# files; stock KSM on the host must merge their identical pages, and after
# merging each guest must still read exactly its own data.
ksm=/sys/kernel/mm/ksm
echo 2 > $ksm/run
# Zero pages go to the zero page, so pages_sharing counts real content.
echo 1 > $ksm/use_zero_pages
t0=$(cut -d. -f1 /proc/uptime)
# One after the other: two nested guests booting at once have hung the
# emulated host, and on the SMP host a guest booting side by side has
# exited silently mid-boot (1 of 5 pairs in rig/nested-stress.sh).
if guest_start 0 && guest_wait 0 && guest_start 1 && guest_wait 1; then
	echo "rig: both guests booted and read their disks in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	echo "PASS: smoke: two nested guests boot and read their disks"
else
	echo "FAIL: smoke: two nested guests boot and read their disks"
	return 0
fi
echo 500 > $ksm/pages_to_scan
echo 20 > $ksm/sleep_millisecs
# full_scans counts since boot, and earlier tests ran scans of their own.
# Identical pages merge in the second scan after they appear (the first
# records their checksums): stop there if it merged enough, else after a
# third.
fs0=$(ksm_stat full_scans)
echo 1 > $ksm/run
ksm_progress 300 5 '[ $((scans - fs0)) -ge 3 ] ||
	{ [ $((scans - fs0)) -ge 2 ] && [ "$sharing" -ge 6000 ]; }'
echo 0 > $ksm/run
sharing=$(ksm_stat pages_sharing)
# The disk holds ~12000 pages of file data that both guests read into
# their page cache; demand at least half of it, not just "above zero".
if [ "$sharing" -ge 6000 ]; then
	echo "PASS: smoke: KSM merged the guests' identical pages (pages_sharing=$sharing)"
else
	echo "FAIL: smoke: KSM merged the guests' identical pages (pages_sharing=$sharing, want >= 6000)"
fi

want=$(cat /guest/disk.sum)
s0=$(guest_disk_sum 0); s1=$(guest_disk_sum 1)
if [ "$s0" = "$want" ] && [ "$s1" = "$want" ]; then
	echo "PASS: smoke: both guests read their exact disk contents after merging"
else
	echo "FAIL: smoke: both guests read their exact disk contents after merging ($s0 $s1 want $want)"
fi
# Guest 0 overwrites merged page cache pages; guest 1 must not see it.
guest_run 0 'dd if=/dev/urandom of=/mnt/qemu-system-x86_64 bs=4096 count=256 conv=notrunc 2>/dev/null'
s0=$(guest_disk_sum 0); s1=$(guest_disk_sum 1)
if [ "$s0" != "$want" ] && [ "$s1" = "$want" ]; then
	echo "PASS: smoke: a write in one guest stays in that guest"
else
	echo "FAIL: smoke: a write in one guest stays in that guest ($s0 $s1 want $want)"
fi
echo 2 > $ksm/run
guest_stop_all && echo "PASS: smoke: guest kernel logs clean" ||
	echo "FAIL: smoke: guest kernel logs clean"
