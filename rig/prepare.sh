#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Everything a boot of the emulated host needs, incrementally: packages,
# tree, kernel, selftests, host initramfs.  Used by `make run` and
# `make bench-driver` (`make check` runs the same steps with results).
set -euo pipefail
top=$(dirname "$0")
bash "$top/deps.sh"
bash "$top/tree.sh"
bash "$top/kernel.sh"
bash "$top/selftests.sh"
bash "$top/initramfs.sh"
