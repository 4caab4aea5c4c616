# SPDX-License-Identifier: GPL-2.0
# In-host smoke job of the benchmark workload (issue 10): two nested guests
# with the bench disk (RIG_BENCH_DISK=1 rig/initramfs.sh) run
# rig/bench/loop.sh side by side for a few minutes, KSM off; prints the
# builds each guest finished, the time of one build, builds per minute,
# and checks that build n has the same digest of every output file in
# both guests, and in one guest for two builds of the same sources.
# Run: bash rig/vm-run.sh -m 6144 -t 3000 -l build/workload.log \
#          rig/jobs/workload-smoke.sh [secs] [K] [guest MiB]
# Arguments: seconds of workload (default 1500: a build took 6-15 min
# nested on a shared machine, and the checks want finished builds),
# rewrite every K builds (default 2), guest memory in MiB (default 512,
# the paper's).
secs=${1:-1500}
K=${2:-2}
GUEST_MEM=${3:-512}
GUEST_BENCH=1
. /rig/guests.sh
fails=0
pass() { echo "PASS: workload: $*"; }
fail() { echo "FAIL: workload: $*"; fails=$((fails + 1)); }
now() { cut -d. -f1 /proc/uptime; }
ended() { case "$1" in done|stopped|failed) return 0 ;; esac; return 1; }

echo "workload: host $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB;" \
	"bench disk $(du -m /guest/bench.img | cut -f1) MiB; guests ${GUEST_MEM} MiB; ${secs} s, rewrite every ${K} builds"
echo 2 > /sys/kernel/mm/ksm/run
# One after the other (see rig/tests/50-nested-smoke.sh).
t0=$(now)
if guest_start 0 && guest_wait 0 && guest_start 1 && guest_wait 1; then
	pass "two guests with the bench disk booted in $(( $(now) - t0 )) s"
else
	fail "two guests with the bench disk booted"
	guest_stop_all
	exit 1
fi
for g in 0 1; do
	guest_run $g 'mount | grep " /b "; df -k /b | tail -n 1; free -m | head -n 2' | sed "s/^/workload: guest $g: /"
done

# How fast one compile is in a guest, cold (cc1 read from disk) and warm:
# the smallest source of the code base, in guest 0 alone.
for w in cold warm; do
	guest_run 0 'a=$(cut -d" " -f1 /proc/uptime); chroot /b /bin/sh -c "PATH=/usr/bin:/bin; cd /bench/src && gcc -O2 -Wall -pipe -I. -c tools/testing/selftests/mm/on-fault-limit.c -o /tmp/one.o" && echo "one compile: $(awk -v a=$a -v b=$(cut -d" " -f1 /proc/uptime) "BEGIN {print b - a}") s"; rm -f /b/tmp/one.o' 600 |
		sed "s/^/workload: guest 0 ($w): /"
done

# Side by side: both loops start within a second or two of each other.
t0=$(now)
bench_start 0 "$secs" "$K" && bench_start 1 "$secs" "$K" || fail "loop started"
# A line every 30 s (and the console never silent for long).
while :; do
	sleep 30
	st0=$(bench_state 0); st1=$(bench_state 1)
	el=$(( $(now) - t0 ))
	s0=${st0##* }; s1=${st1##* }
	echo "workload: t=${el}s builds finished, objects of the build in progress, status: guest 0 $st0; guest 1 $st1"
	guest_run 0 'tail -n 1 /b/bench/state/make.log | cut -c1-160' | sed 's/^/workload: guest 0 make: /'
	# An empty state is a guest too busy to answer within guest_run's
	# timeout, not an end.
	ended "$s0" && ended "$s1" && break
	if [ "$el" -gt $((secs + 600)) ]; then
		fail "loops end within 10 min of their deadline"
		bench_stop 0; bench_stop 1
		break
	fi
done

for g in 0 1; do
	st=$(bench_status $g)
	[ "$st" = done ] && pass "guest $g loop ran to its deadline" || {
		fail "guest $g loop ran to its deadline (status $st)"
		guest_run $g 'tail -n 30 /b/bench/state/make.log; cat /b/bench/loop.log' | sed "s/^/workload: guest $g: /"
	}
	bench_progress $g > /run/bench$g.progress
	sed "s/^/workload: guest $g: /" /run/bench$g.progress
done

# Per guest: builds finished, first (cold page cache) and later builds'
# mean time, builds per minute over the whole run.
for g in 0 1; do
	awk -v g=$g -v secs="$secs" '
	{n++; s = $8; if (n == 1) first = s; else {rest += s; nr++}
	 if (n == 1 || s < min) min = s; if (s > max) max = s}
	END {
		printf "workload: guest %d: %d builds in %d s (%.2f a minute); first build %.1f s", g, n, secs, n * 60 / secs, first
		if (nr) printf ", later builds mean %.1f s (min %.1f, max %.1f)", rest / nr, min, max
		printf "\n"
	}' /run/bench$g.progress
done

# Determinism: same build number, same digest, in both guests; and in one
# guest, builds of the same rev (same sources) give the same digest.
same=0 diff=0
while read -r _ n _ rev _ _ _ _ _ sum; do
	other=$(awk -v n="$n" '$2 == n {print $10}' /run/bench1.progress)
	[ -n "$other" ] || continue
	if [ "$other" = "$sum" ]; then same=$((same + 1)); else diff=$((diff + 1)); echo "workload: build $n differs: $sum $other"; fi
done < /run/bench0.progress
if [ $same -ge 1 ] && [ $diff = 0 ]; then
	pass "$same builds byte-identical in both guests (md5 of every output file)"
else
	fail "builds byte-identical in both guests ($same same, $diff different)"
fi
revs=$(awk '{print $4, $10}' /run/bench0.progress /run/bench1.progress | sort -u | awk '{n[$1]++} END {for (r in n) if (n[r] > 1) bad++; print bad + 0}')
nrev=$(awk '{print $4}' /run/bench0.progress /run/bench1.progress | sort -u | wc -l)
ndig=$(awk '{print $10}' /run/bench0.progress /run/bench1.progress | sort -u | wc -l)
if [ "$revs" = 0 ] && [ "$nrev" = "$ndig" ]; then
	pass "one digest per rev: $nrev revs, $ndig digests (a rebuild of the same sources is identical, a rewrite changes the outputs)"
else
	fail "one digest per rev ($nrev revs, $ndig digests, $revs revs with several)"
fi
# The objects as they are now, read back through guest_run: both guests'
# last complete build of the same rev must match file by file.
for g in 0 1; do
	guest_run $g 'tail -n 1 /b/bench/state/progress; md5sum /b/bench/work/out/lib/libmmtest.a 2>/dev/null' | sed "s/^/workload: guest $g now: /"
done

if guest_stop_all; then pass "guest kernel logs clean"; else fail "guest kernel logs clean"; fi
echo "workload: $fails failures"
[ $fails = 0 ]
