# SPDX-License-Identifier: GPL-2.0
# ksm-hint: build the patched 6.12 kernel, boot it as a KVM host under
# QEMU TCG, and run nested guests in it.  See README.md.

SHELL := /bin/bash
T ?=

.PHONY: run check bench bench-driver bench-scale bench-profile deps tree kernel selftests initramfs clean distclean

## Main job: build, boot, start two guests, show KSM sharing live.
run:
	@bash rig/run.sh

## Every test; ends with "N passed, N failed".  T="word ..." runs only the
## in-host tests whose file name contains a word (build steps always run).
check:
	@bash rig/check.sh $(T)

## The sharing benchmark (paper's figure 6 and table 1) on real guests:
## CSVs, plots and a table under build/bench/<stamp>/.  Knobs: BENCH_*
## (rig/bench.sh).
bench:
	@bash rig/bench.sh

## Benchmark of the guest page hint driver (read cost, hints per
## hypercall, read to merge); prints numbers.
bench-driver:
	@bash rig/bench-driver.sh

## ksmd time per hinted page against the mergeable area's size (64, 512,
## 2048 MiB; BENCH_SCALE_MIB), beside stock KSM's linear scan.
bench-scale:
	@bash rig/bench-scale.sh

## A perf profile of ksmd per hinted page and per linear-scan visit
## (BENCH_PROFILE_MIB, BENCH_PROFILE_PAIRS).
bench-profile:
	@bash rig/bench-profile.sh

deps:
	@bash rig/deps.sh

tree:
	@bash rig/tree.sh

kernel: tree
	@bash rig/kernel.sh

selftests: kernel
	@bash rig/selftests.sh

initramfs: selftests
	@bash rig/initramfs.sh

clean:
	rm -rf build/obj build/stage build/*.log build/*.cpio.gz

distclean:
	rm -rf build
