# SPDX-License-Identifier: GPL-2.0
# In-host job of `make bench-profile`: where ksmd's time goes, per hinted
# page (mode hint) and per linear-scan page visit (stock KSM), in one run
# of ksm_hint_bench's scale mode under perf (cpu-clock samples of every
# CPU with kernel call chains; the emulated CPU has no PMU to count).
# Arguments: area MiB, hinted pairs.
. /rig/tap.sh
. /rig/perf.sh
mib=${1:-512} pairs=${2:-2048}
mountpoint -q /sys/kernel/debug 2>/dev/null ||
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
# -k CLOCK_MONOTONIC: sample times in the clock the benchmark prints its
# phases in, so each phase is reported on its own.
t0=$(cut -d' ' -f1 /proc/uptime)
perf record -q -k CLOCK_MONOTONIC -e cpu-clock -F 999 -a -g -o /tmp/perf.data -- \
	/opt/selftests/ksm_hint/ksm_hint_bench -A "$mib" -p "$pairs" -s 100 -m 20 -t 600 \
	> /tmp/bench.out 2>&1
rc=$?
cat /tmp/bench.out
rig_took "ksm_hint_bench scale $mib MiB under perf" "$t0"
[ $rc = 0 ] || echo "FAIL: ksm_hint_bench scale $mib MiB under perf (exit status $rc)"
for w in linear hint; do
	set -- $(sed -n "s/^# profile window $w //p" /tmp/bench.out)
	[ $# = 2 ] || { echo "FAIL: no $w window in the benchmark's output"; rc=1; continue; }
	echo "== profile: ksmd, $w phase ($1 - $2 s) =="
	perf_tables /tmp/perf.data 1 4 --comm ksmd --time "$1,$2"
done
exit $rc
