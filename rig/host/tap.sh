# SPDX-License-Identifier: GPL-2.0
# Run a TAP-producing test program inside the host and turn its results
# into the rig's "PASS: / FAIL: / SKIP: <name>" lines (sourced by sh).
# The program's own output is kept, indented, for the log.

# rig_took <name> <uptime at start>: how long a program ran, for the log
# (make check prints these lines to show where its time goes).
rig_took() {
	echo "rig: took $(awk -v a="$2" '{printf "%d", $1 - a}' /proc/uptime) s: $1"
}

# run_tap <prefix> <timeout> <program> [args...]
# With RIG_TAP_STRICT=1 (the project's own tests, which must run in the
# rig's host) a skipped test or a skipped program is a failure.
run_tap() {
	prefix=$1 tmo=$2; shift 2
	strict=${RIG_TAP_STRICT:-0}
	out=/tmp/tap.$$
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout "$tmo" "$@" > $out 2>&1
	rc=$?
	rig_took "$prefix" "$t0"
	sed 's/^/  | /' $out
	awk -v p="$prefix" -v strict="$strict" '
		/^ok [0-9]+/ || /^not ok [0-9]+/ {
			ok = ($1 == "ok"); sub(/^(not )?ok [0-9]+ (- )?/, "")
			skip = ($0 ~ /# *[Ss][Kk][Ii][Pp]/); sub(/ *#.*$/, "")
			n++
			if (skip && strict == 1) print "FAIL: " p ": " $0 " (skipped)"
			else if (skip) print "SKIP: " p ": " $0
			else if (ok) print "PASS: " p ": " $0
			else print "FAIL: " p ": " $0
		}
		END { if (n == 0) print "NORESULT" }' $out > $out.res
	grep -v '^NORESULT$' $out.res
	# A crash, a timeout or a run that reported nothing is a failure.
	if grep -q '^NORESULT$' $out.res; then
		if [ $rc = 4 ] && [ "$strict" != 1 ]; then
			echo "SKIP: $prefix (exit 4, skipped)"
		else
			echo "FAIL: $prefix: no TAP results (exit $rc)"
		fi
	elif [ $rc != 0 ] && { [ $rc != 4 ] || [ "$strict" = 1 ]; } &&
		! grep -q '^FAIL' $out.res; then
		echo "FAIL: $prefix: exit status $rc"
	fi
	rm -f $out $out.res
}

# run_exit <name> <timeout> <program> [args...]: a test that reports by
# exit status only (kselftest codes: 0 pass, 4 skip, else fail).
run_exit() {
	name=$1 tmo=$2; shift 2
	t0=$(cut -d' ' -f1 /proc/uptime)
	timeout "$tmo" "$@" > /tmp/exit.$$ 2>&1
	rc=$?
	rig_took "$name" "$t0"
	sed 's/^/  | /' /tmp/exit.$$
	rm -f /tmp/exit.$$
	case $rc in
	0) echo "PASS: $name" ;;
	4) [ "${RIG_TAP_STRICT:-0}" = 1 ] && echo "FAIL: $name (skipped)" ||
		echo "SKIP: $name" ;;
	*) echo "FAIL: $name (exit status $rc)" ;;
	esac
}
