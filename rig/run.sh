#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: set up (packages, tree, kernel, initramfs), boot the host and
# run rig/jobs/run.sh in it, streaming its progress.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
rig_lock
bash "$RIG_TOP/rig/prepare.sh"
exec bash "$RIG_TOP/rig/vm-run.sh" -t "${RIG_RUN_TIMEOUT:-1200}" \
	-l "$RIG_BUILD/run-vm.log" "$RIG_TOP/rig/jobs/run.sh" "${RIG_RUN_SECONDS:-90}"
