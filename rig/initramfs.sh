#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the host initramfs: busybox, QEMU with its shared libraries and
# firmware (to start nested guests), the selftest binaries, the rig's
# in-host scripts, and for the guests the same kernel image, a guest
# initramfs and an ext4 disk image of real files (RIG_BENCH_DISK=1: and
# the benchmark's bench disk, rig/bench-disk.sh).  Nothing is downloaded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$KIMAGE" ] || die "no kernel image at $KIMAGE: run rig/kernel.sh first"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -x mkfifo >/dev/null ||
	die "busybox-static not installed (as root: bash rig/deps.sh)"
QEMU=$(command -v qemu-system-x86_64) || die "qemu-system-x86 not installed (as root: bash rig/deps.sh)"

root=$STAGE/hostroot
groot=$STAGE/guestroot
rm -rf "$root" "$groot"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,run,tmp,mnt,guest,opt,usr/bin,usr/share/qemu,rig}
mkdir -p "$groot"/{bin,sbin,proc,sys,dev,mnt}

# Copy an ELF program and the shared libraries it needs (same paths).
copy_elf() {
	local src=$1 dst=$2
	mkdir -p "$(dirname "$root$dst")"
	cp -L "$src" "$root$dst"
	{ ldd "$src" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } | while read -r lib; do
		[ -f "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Guest side: busybox + init, and a disk of real files.
cp "$BUSYBOX" "$groot/bin/busybox"
cp "$RIG_TOP/rig/guest/init" "$groot/init"
# Static guest halves: the read-to-merge probe (make bench) and the
# O_TMPFILE check of rig/tests/60-pagehint.sh.
for gbin in ksm_hint_gpa pagehint_tmpfile; do
	[ ! -x "$STAGE/selftests/ksm_hint/$gbin" ] || cp "$STAGE/selftests/ksm_hint/$gbin" "$groot/bin/"
done
(cd "$groot" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) > "$root/guest/initrd.gz"

# The guests' disk: the shared libraries QEMU uses (~30 MiB of real,
# varied file data that any machine with the rig's packages has).
files=$STAGE/diskfiles
rm -rf "$files"; mkdir -p "$files/lib"
ldd "$QEMU" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
	cp -L "$lib" "$files/lib/"
done
cp -L "$QEMU" "$files/"
disk=$root/guest/disk.img
rm -f "$disk"
E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -F -L ksmhint \
	-U 6b736d2d-6869-6e74-0000-000000000001 -E root_owner=0:0,hash_seed=6b736d2d-6869-6e74-0000-000000000002 \
	-d "$files" "$disk" 96M || die "mke2fs failed"
# What a guest must read back from its disk: one digest over every file.
(cd "$files" && find . -type f | LC_ALL=C sort | xargs md5sum | md5sum | cut -d' ' -f1) > "$root/guest/disk.sum"
# Pages of file data on it: what two guests that read it all can share.
(cd "$files" && find . -type f -printf '%s\n' | awk '{p += int(($1 + 4095) / 4096)} END {print p}') > "$root/guest/disk.pages"
cp "$KIMAGE" "$root/guest/bzImage"
# The benchmark's bench disk (rig/bench-disk.sh, GUEST_BENCH=1 in
# rig/host/guests.sh) only when asked: it adds about 200 MiB to the
# initramfs, which make check's tests do not use.
if [ "${RIG_BENCH_DISK:-0}" = 1 ]; then
	bash "$RIG_TOP/rig/bench-disk.sh" "$root/guest/bench.img"
fi

# Host side.
cp "$BUSYBOX" "$root/bin/busybox"
cp "$RIG_TOP/rig/host/init" "$root/init"
copy_elf "$QEMU" /usr/bin/qemu-system-x86_64
for f in kvmvapic.bin linuxboot.bin linuxboot_dma.bin multiboot.bin multiboot_dma.bin; do
	cp -L "/usr/share/qemu/$f" "$root/usr/share/qemu/"
done
cp -L /usr/share/seabios/bios-256k.bin "$root/usr/share/qemu/"
# perf (Debian's linux-perf) for `make bench-profile` only.
if [ "${RIG_PERF:-0}" = 1 ]; then
	perf=$(command -v perf) || die "perf not installed (as root: RIG_EXTRA_PKGS=linux-perf bash rig/deps.sh)"
	copy_elf "$perf" /usr/bin/perf
fi
cp "$RIG_TOP"/rig/host/*.sh "$RIG_TOP/rig/splat-patterns" "$root/rig/"
cp -r "$RIG_TOP/rig/tests" "$RIG_TOP/rig/jobs" "$root/rig/"
if [ -d "$STAGE/selftests" ]; then
	# Executables only: programs (with their libraries) and scripts.
	(cd "$STAGE/selftests" && find . -type f -perm -u+x) | while read -r f; do
		if [ "$(head -c4 "$STAGE/selftests/$f" | tail -c3)" = ELF ]; then
			copy_elf "$STAGE/selftests/$f" "/opt/selftests/${f#./}"
		else
			mkdir -p "$(dirname "$root/opt/selftests/${f#./}")"
			cp "$STAGE/selftests/$f" "$root/opt/selftests/${f#./}"
		fi
	done
fi
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) > "$HOST_INITRD.tmp"
mv "$HOST_INITRD.tmp" "$HOST_INITRD"
log "host initramfs: $(du -h "$HOST_INITRD" | cut -f1) ($HOST_INITRD)"
