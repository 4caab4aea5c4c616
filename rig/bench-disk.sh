#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the benchmark's "bench disk": an ext4 image holding a minimal
# chroot-able root in which a nested guest compiles a real C code base in
# a loop (rig/bench/loop.sh, the workload of issue 10, modelled on the
# paper's kernel build).  Everything comes from installed Debian packages
# and from the rig's kernel tree and build; nothing is downloaded and
# nothing here is committed.
#
#   toolchain  gcc-12 (driver, cc1, collect2, the LTO linker plugin that
#              the driver hands to collect2), binutils (as, ld.bfd, ar),
#              make, busybox-static (sh and the other tools) and the shared
#              libraries they need (ldd, as copy_elf in initramfs.sh)
#   headers    glibc's (libc6-dev), gcc's own, libnuma-dev's, and instead of
#              linux-libc-dev the uapi headers of the rig's kernel build
#   libraries  libc6-dev's crt files and link-time libraries, libgcc
#   sources    /bench/src: tools/testing/selftests/mm of linux-source-6.12
#              (from $KTREE), with the five headers outside it that its
#              programs include (why this code base: rig/bench/Makefile)
#   scripts    /bench/Makefile, /bench/loop.sh
#
# The image is deterministic (fixed UUID, hash seed, creation time, file
# times), and the two guests of a benchmark each get a copy of the same
# file, so their page cache starts from identical content.
#
# Usage: rig/bench-disk.sh <image>
set -euo pipefail
. "$(dirname "$0")/lib.sh"

img=${1:?usage: $0 <image>}
hdr=$KOBJ/usr/include
[ -d "$hdr/linux" ] || die "no exported headers in $hdr: run rig/kernel.sh first"
mm=$KTREE/tools/testing/selftests/mm
[ -d "$mm" ] || die "$mm missing: run rig/tree.sh first"
gcclib=/usr/lib/gcc/x86_64-linux-gnu/12
for f in /usr/bin/x86_64-linux-gnu-gcc-12 $gcclib/cc1 $gcclib/collect2 \
	/usr/bin/x86_64-linux-gnu-as /usr/bin/x86_64-linux-gnu-ld.bfd \
	/usr/bin/x86_64-linux-gnu-ar /usr/bin/make /usr/include/numa.h; do
	[ -e "$f" ] || die "$f missing (as root: bash rig/deps.sh)"
done

root=$STAGE/benchroot
rm -rf "$root"
# Merged /usr as on Debian 12, so the paths ldd and the linker scripts
# (libc.so, libm.so) name resolve unchanged.  busybox's applets live in
# /bin, apart from /usr/bin, so that the real gcc, ld, ar, make win on PATH.
mkdir -p "$root"/{bin,usr/bin,usr/lib64,usr/lib/x86_64-linux-gnu,usr/include,proc,dev,tmp,bench}
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"

# put <path>: copy a file to the same path in the root; a symlink is kept
# and its target copied too.
put() {
	local p=$1
	[ -e "$root$p" ] || [ -L "$root$p" ] && return 0
	mkdir -p "$root$(dirname "$p")"
	if [ -L "$p" ]; then
		cp -P "$p" "$root$p"
		put "$(readlink -f "$p")"
	else
		cp "$p" "$root$p"
	fi
}
# put_elf <src> [dst]: an ELF program or library and every shared library
# ldd lists for it.
put_elf() {
	local src=$1 dst=${2:-$1} lib
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	{ ldd "$src" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
		put "$lib"
	done
}
# pkg_files <pkg> <regex>: the package's regular files and symlinks whose
# path matches <regex>.
pkg_files() {
	dpkg -L "$1" | grep -E "$2" | while read -r p; do
		[ -f "$p" ] || [ -L "$p" ] && echo "$p"
	done
}

cp /bin/busybox "$root/bin/busybox"
for a in $(/bin/busybox --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
put_elf /usr/bin/x86_64-linux-gnu-gcc-12 /usr/bin/gcc
ln -s gcc "$root/usr/bin/cc"
put_elf $gcclib/cc1
put_elf $gcclib/collect2
put_elf $gcclib/liblto_plugin.so
put_elf /usr/bin/x86_64-linux-gnu-as /usr/bin/as
put_elf /usr/bin/x86_64-linux-gnu-ld.bfd /usr/bin/ld
put_elf /usr/bin/x86_64-linux-gnu-ar /usr/bin/ar
put_elf /usr/bin/make
# Link time: crt files, libc/libm/... (shared and static), libgcc, and
# the run-time libraries those linker scripts and -l options name.
pkg_files libc6-dev '^/usr/(include|lib)/' | while read -r p; do put "$p"; done
pkg_files libc6 '^/lib(64)?/[^/]*/[^/]+\.so' | while read -r p; do put "$p"; done
pkg_files libgcc-12-dev "^$gcclib/(crt[^/]*\.o|libgcc(_eh)?\.a|libgcc_s\.so|include/)" |
	while read -r p; do put "$p"; done
put /lib/x86_64-linux-gnu/libgcc_s.so.1
pkg_files libnuma-dev '^/usr/(include/.*\.h|lib/.*\.so)$' | while read -r p; do put "$p"; done
# The kernel's uapi headers in place of linux-libc-dev's (6.1) ones: the
# mm selftests use 6.12 interfaces (PAGEMAP_SCAN, mseal, ...).
(cd "$hdr" && find . -type f ! -name '.*') | while read -r f; do
	mkdir -p "$root/usr/include/$(dirname "$f")"
	cp "$hdr/$f" "$root/usr/include/$f"
done

# The code base, at its kernel paths so its relative includes resolve.
src=$root/bench/src
mkdir -p "$src/tools/testing/selftests/mm" "$src/mm" "$src/lib" "$src/include/vdso"
cp "$mm"/*.c "$mm"/*.h "$src/tools/testing/selftests/mm/"
cp "$KTREE"/tools/testing/selftests/kselftest.h "$KTREE"/tools/testing/selftests/kselftest_harness.h \
	"$src/tools/testing/selftests/"
cp "$KTREE/mm/gup_test.h" "$src/mm/"
cp "$KTREE/lib/test_hmm_uapi.h" "$src/lib/"
cp "$KTREE/include/vdso/time64.h" "$src/include/vdso/"
cp "$RIG_TOP/rig/bench/Makefile" "$src/Makefile"
cp "$RIG_TOP/rig/bench/loop.sh" "$root/bench/loop.sh"

# RIG_BENCH_DISK_COPIES more copies of the toolchain and sources under
# /rd/<n>, for `make bench-driver`'s cold reads of a few hundred MiB (0
# for the benchmark, whose disk must not change with it).
copies=${RIG_BENCH_DISK_COPIES:-0}
case $copies in *[!0-9]* | '') die "RIG_BENCH_DISK_COPIES must be a number" ;; esac
for n in $(seq 1 "$copies"); do
	mkdir -p "$root/rd/$n"
	cp -a "$root/bin" "$root/usr" "$root/bench" "$root/rd/$n/"
done

# Fixed times (make compares them; mke2fs -d copies them), root-owned
# files when built as root, then one image whose content does not depend
# on when or where it was built.
find "$root" -exec touch -h -d @1700000000 {} +
used=$(du -sm "$root" | cut -f1)
# Room for the work tree, the build outputs (3 MiB with PROGS=all) and
# ext4's own overhead; fixed so the image does not depend on the build.
size=$(( (used + 96 + 63) / 64 * 64 ))
rm -f "$img"
# 4 KiB blocks as on a real root (mke2fs picks 1 KiB for a disk this small).
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -b 4096 -F -L ksmbench \
	-U 6b736d2d-6869-6e74-0000-000000000003 -E root_owner=0:0,hash_seed=6b736d2d-6869-6e74-0000-000000000004 \
	-d "$root" "$img" "${size}M" > /dev/null || die "mke2fs failed for the bench disk"
# mke2fs -d copies each file's ctime, which touch cannot set, and atime,
# which reading the files (mke2fs, du) moved: fix them.
(cd "$root" && { echo /; find . -mindepth 1 | sed 's|^\.||'; } |
	awk '{printf "sif \"%s\" ctime 0x6553f100\nsif \"%s\" atime 0x6553f100\n", $0, $0}') \
	> "$STAGE/bench-ctime.debugfs"
E2FSPROGS_FAKE_TIME=1700000000 debugfs -w -f "$STAGE/bench-ctime.debugfs" "$img" > "$STAGE/bench-ctime.log" 2>&1 ||
	die "debugfs failed on the bench disk ($STAGE/bench-ctime.log)"
log "bench disk: ${size} MiB image, ${used} MiB of files ($img)"
