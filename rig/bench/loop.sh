#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark's guest workload (issue 10), run inside the bench disk's
# chroot by busybox sh:
#   chroot /b /bin/sh /bench/loop.sh SECS [K] [JOBS] [make variables...]
#
# Modelled on the paper's kernel build: copy the pristine sources to a
# work tree, then until SECS seconds have passed (0: until stopped):
# every K builds (default 2) rewrite half of the sources the build
# compiles ("rev" r = build / K), clean, build with make -j JOBS (default
# 1; make variables such as PROGS=all go to /bench/Makefile), record the
# build.  Page cache keeps changing as in a kernel build: every build
# deletes and rewrites all its outputs, and each rewrite replaces sources
# and, through them, every object and program built from them.
#
# Deterministic: build n of any guest sees the same tree and writes the
# same bytes to the same paths (no timestamps: ar D, no __DATE__; fixed
# paths; LC_ALL=C), so two guests' build n have the same digest.
#
# Progress, for the host (rig/host/guests.sh, bench_*), in /bench/state:
#   builds     number of builds finished
#   progress   one line a build: "build N rev R start EPOCH secs S sum MD5"
#              (secs from /proc/uptime, to the second: make is polled
#              once a second; sum: md5 over every output file's md5)
#   last.md5   md5sum of each output file of the last build
#   status     running | done | stopped | failed
#   make.log   the last build's output
#   churn_revs revisions of the churn set written (CHURN below)
# Stop it early by creating /bench/state/stop (the build in progress is
# killed and not counted).
#
# CHURN=SECS:MIB in the environment adds the churn phase: the paper found
# 80 % of a kernel build's shareable pages changed within 5 minutes, but
# one build here takes many minutes nested, so besides the builds a set
# of MIB MiB of files is rewritten every SECS seconds (and synced: written
# back, as a build's outputs are).  Revision r of file i is the pristine
# sources, concatenated in sorted order, after a pad of
# (r * 131 + i * 17) % 4093 + 1 bytes: every page differs from the
# previous revision's, and revision r is the same in every guest.
secs=${1:?usage: loop.sh SECS [K] [JOBS] [make variables...]}
K=${2:-2}
J=${3:-1}
shift; shift $(($# < 2 ? $# : 2))
B=/bench
S=$B/state
T=$B/work/tree
O=$B/work/out
export PATH=/usr/bin:/bin LC_ALL=C TMPDIR=/tmp SOURCE_DATE_EPOCH=1700000000
umask 022

rm -rf "$S" "$B/work"
mkdir -p "$S" "$B/work"
echo $$ > "$S/pid"
echo 0 > "$S/builds"
: > "$S/progress"
echo running > "$S/status"
up() { cut -d' ' -f1 /proc/uptime; }
t_start=$(up)
deadline=$(awk -v a="$t_start" -v s="$secs" 'BEGIN {print (s > 0) ? a + s : 0}')
late() {	# past the deadline, or asked to stop?
	[ -e "$S/stop" ] && return 0
	[ "$deadline" != 0 ] && awk -v n="$(up)" -v d="$deadline" 'BEGIN {exit !(n >= d)}'
}

# rewrite <rev>: files i with i % 2 == rev % 2 get the pristine source plus
# a block of 1024 pseudo-random words seeded by (rev, i) that the compiler
# keeps (used): new source and object content at every rev, the same in
# every guest.  Written to a new file and renamed: new page cache pages.
rewrite() {
	i=0
	while read -r f; do
		if [ $((i % 2)) = $(($1 % 2)) ]; then
			awk -v rev="$1" -v idx="$i" '
			{print}
			END {
				# Park-Miller: exact in awk doubles, same everywhere.
				x = (rev * 7919 + idx * 104729 + 1) % 2147483647
				printf "\n/* ksm-hint bench: rev %d */\n", rev
				printf "static const unsigned int bench_rev_data[1024] __attribute__((used)) = {\n"
				for (k = 0; k < 1024; k++) {
					x = (x * 16807) % 2147483647
					printf "%s%d,", (k % 8) ? " " : "\t", x
					if (k % 8 == 7) printf "\n"
				}
				printf "};\n"
			}' "$B/src/$f" > "$T/$f.new" && mv "$T/$f.new" "$T/$f"
		fi
		i=$((i + 1))
	done < "$S/sources"
}

churn() {
	cs=${CHURN%%:*} cm=${CHURN#*:}
	C=$B/work/churn
	mkdir -p "$C"
	(cd "$B/src" && find . -type f | sort | xargs cat) > "$B/work/churn.src"
	# One awk for the pad, not one per file: nested, every process counts.
	awk 'BEGIN {for (n = 0; n < 4093; n++) printf "#"}' > "$B/work/churn.pad"
	size=$(wc -c < "$B/work/churn.src")
	nf=$(( (cm * 1048576 + size - 1) / size ))
	r=0
	while ! late; do
		c0=$(up)
		i=0
		while [ $i -lt $nf ]; do
			head -c $(( (r * 131 + i * 17) % 4093 + 1 )) "$B/work/churn.pad" > "$C/f$i.new"
			cat "$B/work/churn.src" >> "$C/f$i.new"
			mv "$C/f$i.new" "$C/f$i"
			i=$((i + 1))
		done
		sync
		r=$((r + 1))
		echo $r > "$S/churn_revs"
		left=$(awk -v a="$c0" -v n="$(up)" -v s="$cs" 'BEGIN {d = a + s - n; printf "%d", (d > 0) ? d : 0}')
		while [ "$left" -gt 0 ] && ! late; do
			sleep 1; left=$((left - 1))
		done
	done
}

# The churn phase starts first: copying the tree and the first rewrite
# take minutes nested, and the churn does not depend on them.
echo 0 > "$S/churn_revs"
if [ -n "${CHURN:-}" ]; then
	churn &
	churn_pid=$!
	trap 'kill $churn_pid 2>/dev/null' EXIT
fi

cp -a "$B/src" "$T"
# The sources a rewrite touches: those the build compiles, sorted, so
# file i is the same file in every guest.
make -s -C "$T" "$@" srcs > "$S/sources" || { echo failed > "$S/status"; exit 1; }
nsrc=$(wc -l < "$S/sources")

n=0
while ! late; do
	rev=$((n / K))
	[ $((n % K)) = 0 ] && rewrite $rev
	make -s -C "$T" OUT="$O" "$@" clean > /dev/null 2>&1
	t0=$(up); e0=$(date +%s)
	# Own session, so a stop kills make and the compilers it started.
	setsid make -C "$T" OUT="$O" -j"$J" "$@" > "$S/make.log" 2>&1 &
	mp=$!
	while kill -0 $mp 2>/dev/null; do
		if late; then
			kill -TERM -$mp 2>/dev/null || kill -TERM $mp
			wait $mp
			# The deadline cut a build short: done, unless asked to stop.
			[ -e "$S/stop" ] && echo stopped > "$S/status" || echo done > "$S/status"
			exit 0
		fi
		sleep 1
	done
	if ! wait $mp; then
		echo failed > "$S/status"
		exit 1
	fi
	t1=$(up)
	(cd "$O" && find . -type f | sort | xargs md5sum) > "$S/last.md5"
	sum=$(md5sum < "$S/last.md5" | cut -d' ' -f1)
	n=$((n + 1))
	echo "build $n rev $rev start $e0 secs $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') sum $sum" >> "$S/progress"
	echo $n > "$S/builds.new" && mv "$S/builds.new" "$S/builds"
done
[ -e "$S/stop" ] && echo stopped > "$S/status" || echo done > "$S/status"
echo "loop: $n builds of $nsrc sources in $(awk -v a="$t_start" -v b="$(up)" 'BEGIN {printf "%.0f", b - a}') s"
