# SPDX-License-Identifier: GPL-2.0
# Shared settings for the ksm-hint rig scripts (sourced, not run).

RIG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RIG_BUILD=${RIG_BUILD:-$RIG_TOP/build}
KSRC_TAR=${KSRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
KTREE=$RIG_BUILD/linux		# pristine + patches/series + owned files
# RIG_KERNEL=release builds the same image without the debug options
# (rig/release.config: no KASAN, lockdep, kmemleak, DEBUG_VM, KUnit) in its
# own object folder: for benchmarks whose CPU numbers should be those of a
# kernel a host would run.  Tests always use the default, test.
RIG_KERNEL=${RIG_KERNEL:-test}
case $RIG_KERNEL in
test) KOBJ=$RIG_BUILD/obj ;;		# kernel objects (O=)
release) KOBJ=$RIG_BUILD/obj-release ;;
*) echo "rig: error: RIG_KERNEL must be test or release, not '$RIG_KERNEL'" >&2
   exit 1 ;;
esac
export RIG_KERNEL
KIMAGE=$KOBJ/arch/x86/boot/bzImage
STAGE=$RIG_BUILD/stage		# selftest binaries, disks, initramfs parts
HOST_INITRD=$RIG_BUILD/host-initrd.cpio.gz
NPROC=$(nproc)
# The compiler cache lives outside the checkout where it can, as ccache's
# own default does: a fresh clone on a machine that built before (CI's
# clean clones) then starts warm; the kernel build took 1051 s cold there.
if [ -z "${CCACHE_DIR:-}" ]; then
	CCACHE_DIR=$RIG_BUILD/ccache
	rig_cache=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}
	mkdir -p "$rig_cache/ksm-hint-ccache" 2>/dev/null &&
		[ -w "$rig_cache/ksm-hint-ccache" ] && CCACHE_DIR=$rig_cache/ksm-hint-ccache
fi
export CCACHE_DIR
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Paths under the checkout are hashed relative to it, so clones and
# worktrees that share CCACHE_DIR hit each other's objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$RIG_TOP}
KMAKE=(make -C "$KTREE" O="$KOBJ" CC="ccache gcc" HOSTCC="ccache gcc" -j$((NPROC + 1)))

# Top-level directories of the kernel tree that the repository mirrors.
OWNED_DIRS="Documentation arch block drivers fs include kernel lib mm net scripts tools virt"

die() { echo "rig: error: $*" >&2; exit 1; }

# merge_fragment <object folder> <fragment>: merge a config fragment into
# that folder's .config (the caller runs olddefconfig with its own make).
merge_fragment() {
	KCONFIG_CONFIG=$1/.config "$KTREE/scripts/kconfig/merge_config.sh" \
		-m -O "$1" "$1/.config" "$2" >/dev/null
}
log() { echo "rig: $*" >&2; }

# Files the project owns, relative to RIG_TOP (tracked or new, not ignored).
owned_files() {
	(cd "$RIG_TOP" && git ls-files -co --exclude-standard -- $OWNED_DIRS)
}

# Print a stamp of the given files' contents; changes when any of them does.
content_stamp() {
	cat "$@" 2>/dev/null | sha1sum | cut -d' ' -f1
}

# Serialise whole runs that share one build folder (make check, make run).
rig_lock() {
	mkdir -p "$RIG_BUILD"
	exec 9> "$RIG_BUILD/.rig-lock"
	if ! flock -n 9; then
		log "another make check/run is using $RIG_BUILD; waiting for it"
		flock 9
	fi
}
