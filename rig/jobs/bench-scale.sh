# SPDX-License-Identifier: GPL-2.0
# In-host job of `make bench-scale`: ksm_hint_bench's scale mode at each
# area size given as an argument (MiB).  Prints numbers; fails only if a
# run fails (a hinted pair that did not merge, a program error).
. /rig/tap.sh
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
rc=0
for mib in "$@"; do
	t0=$(cut -d' ' -f1 /proc/uptime)
	/opt/selftests/ksm_hint/ksm_hint_bench -A "$mib" -p 500 -s 100 -m 20 -t 600 ||
		{ echo "bench-scale: ${mib} MiB run failed"; rc=1; }
	rig_took "ksm_hint_bench scale ${mib} MiB" "$t0"
done
exit $rc
