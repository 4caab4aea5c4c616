# SPDX-License-Identifier: GPL-2.0
# In-host job of `make check`: run rig/tests/*.sh in order (or only those
# whose names contain one of the arguments), then ask kmemleak for leaks.
. /rig/guests.sh
. /rig/tap.sh
# The guest driver test took 641-714 s on the morning of 2026-12-02 and
# was stopped at 1200 s that afternoon, on the same quiet machine with
# every nested guest step about twice as slow: the limit leaves room.
export RIG_TEST_TIMEOUT=${RIG_TEST_TIMEOUT:-1800}
for t in /rig/tests/*.sh; do
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do case "$name" in *"$a"*) want=1 ;; esac; done
		[ $want = 1 ] || continue
	fi
	echo "@@TEST-BEGIN $name $(cut -d' ' -f1 /proc/uptime)"
	# RIG_CHECK_LOSE_IN (rig/check.sh) exercises the lost-host path: the
	# first boot resets itself here as QEMU's losses do, without a word.
	case " $(cat /proc/cmdline) " in *" rig.lose_in=$name "*)
		sync; reboot -f ;;
	esac
	timeout "$RIG_TEST_TIMEOUT" sh -c ". /rig/guests.sh; . /rig/tap.sh; . $t"
	rc=$?
	[ $rc = 0 ] || echo "FAIL: $name: script exit status $rc"
	guest_stop_all > /dev/null 2>&1
	echo "@@TEST-END $name $(cut -d' ' -f1 /proc/uptime)"
done
kmemleak_report
exit 0
