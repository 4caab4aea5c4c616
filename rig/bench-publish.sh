#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Copy a `make bench` (or `make run`) result folder into results/<name>/
# for committing: the table, plots, parameters, the list of tries, every
# run's CSVs and its console log (gzipped), plus the machine's description.
# Usage: rig/bench-publish.sh <result folder> <name>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
src=${1:?usage: $0 <result folder> <name>}
name=${2:?usage: $0 <result folder> <name>}
dst=$RIG_TOP/results/$name
[ -f "$src/table.md" ] || die "$src has no table.md (run rig/bench-report.sh $src first)"
mkdir -p "$dst"
cp "$src"/table.md "$src"/params.txt "$src"/runs.txt "$src"/runs.tsv "$dst"/
cp "$src"/*.png "$src"/*.csv "$src"/*.summary "$dst"/ 2>/dev/null || true
for f in "$src"/*.log; do
	gzip -9 -c "$f" > "$dst/$(basename "$f").gz"
done
log "published $src as $dst ($(du -sh "$dst" | cut -f1))"
