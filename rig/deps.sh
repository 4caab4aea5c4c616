#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install (as root) or check the Debian packages the rig needs.
# Usage: rig/deps.sh [--check]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# gcc-12, binutils, libc6-dev, libnuma-dev, make and busybox-static also
# make up the benchmark's bench disk (rig/bench-disk.sh).
PKGS="linux-source-6.12 qemu-system-x86 qemu-utils busybox-static quilt sparse
ccache e2fsprogs libnuma-dev cpio bc bison flex libelf-dev libssl-dev python3 gzip xz-utils
make gcc gcc-12 binutils libc6-dev perl coreutils kmod gnuplot-nox ${RIG_EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "${1:-}" = "--check" ] || [ "$(id -u)" != 0 ]; then
	echo "rig: missing Debian packages:$missing" >&2
	echo "rig: install them with (as root): bash rig/deps.sh" >&2
	exit 1
fi
log "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || die "apt-get update failed"
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	die "apt-get install failed for:$missing"
