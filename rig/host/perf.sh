# SPDX-License-Identifier: GPL-2.0
# perf_tables <perf.data> <self %> <callees %> [perf report options]: the
# two tables the benchmarks print of a ksmd profile: self time by
# function, then time including callees, each down to its percent limit.
# The options narrow the samples (--comm, --time).
perf_tables() {
	local data=$1 self=$2 children=$3
	shift 3
	echo "== self time by function =="
	perf report -i "$data" --stdio "$@" --no-children --sort sym -g none \
		--percent-limit "$self" 2>/dev/null | grep -v '^#' | grep -v '^$' | head -50
	echo "== time including callees =="
	perf report -i "$data" --stdio "$@" --children --sort sym -g none \
		--percent-limit "$children" 2>/dev/null | grep -v '^#' | grep -v '^$' | head -70
}
