#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the rig itself, on the build machine: a patch that does not
# apply and a missing package each stop the build with a clear message and
# a non-zero exit.  (A guest that never boots is checked inside the host,
# rig/tests/05-rig.sh.)  Prints PASS:/FAIL: lines; cheap, no kernel build.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_failure <name> <regex> <command...>: run the command, check that
# it exits with a status other than 0 and prints <regex>.
expect_failure() {
	local name=$1 re=$2 rc; shift 2
	"$@" > "$tmp/out" 2>&1
	rc=$?
	if [ $rc != 0 ] && grep -qE "$re" "$tmp/out"; then
		echo "PASS: rig: $name (exit $rc: $(grep -m1 -E "$re" "$tmp/out"))"
	else
		echo "FAIL: rig: $name (exit $rc, want non-zero and /$re/); it said:"
		sed 's/^/  | /' "$tmp/out" | tail -n 10
	fi
}

# tree_in <build-dir> <tarball>: make tree with the copy of the rig below.
tree_in() {
	env RIG_BUILD="$1" KSRC_TAR="$2" bash "$tmp/repo/rig/tree.sh"
}

# A minimal "kernel source package" and a copy of the repository whose
# series holds one patch that cannot apply to it.
mkdir -p "$tmp/pkg/linux-source-6.12/mm"
printf 'VERSION = 6\n' > "$tmp/pkg/linux-source-6.12/Makefile"
printf 'int ksm_line_one;\nint ksm_line_two;\n' > "$tmp/pkg/linux-source-6.12/mm/ksm.c"
tar -C "$tmp/pkg" -cJf "$tmp/linux-source-6.12.tar.xz" linux-source-6.12
mkdir -p "$tmp/repo/rig" "$tmp/repo/patches"
cp "$RIG_TOP"/rig/*.sh "$tmp/repo/rig/"
git -C "$tmp/repo" init -q
cat > "$tmp/repo/patches/0001-mm-ksm-broken.patch" <<'EOF'
Subject: [PATCH] a deliberately broken patch

--- a/mm/ksm.c
+++ b/mm/ksm.c
@@ -1,2 +1,2 @@
-int ksm_line_that_is_not_there;
+int ksm_line_one_changed;
 int ksm_line_two;
EOF
echo 0001-mm-ksm-broken.patch > "$tmp/repo/patches/series"
expect_failure "a patch that does not apply stops make tree, naming it" \
	'rig: error: patch .*0001-mm-ksm-broken.patch does not apply' \
	tree_in "$tmp/build" "$tmp/linux-source-6.12.tar.xz"

# The same tree with a good patch assembles, so the failure above was the
# patch's and not the harness's.
cat > "$tmp/repo/patches/0001-mm-ksm-broken.patch" <<'EOF'
Subject: [PATCH] a patch that applies

--- a/mm/ksm.c
+++ b/mm/ksm.c
@@ -1,2 +1,2 @@
-int ksm_line_one;
+int ksm_line_one_changed;
 int ksm_line_two;
EOF
rm -rf "$tmp/build"
if tree_in "$tmp/build" "$tmp/linux-source-6.12.tar.xz" > "$tmp/out" 2>&1 &&
	grep -q ksm_line_one_changed "$tmp/build/linux/mm/ksm.c"; then
	echo "PASS: rig: a patch that applies assembles the tree"
else
	echo "FAIL: rig: a patch that applies assembles the tree"
	sed 's/^/  | /' "$tmp/out" | tail -n 10
fi

# The kernel source package missing.
expect_failure "a missing linux-source-6.12 package is named with the fix" \
	'install the linux-source-6.12 package' \
	tree_in "$tmp/build2" "$tmp/nonexistent.tar.xz"

# Any other missing package: deps.sh --check names it and the command to
# run as root.  A package name that cannot exist stands in for it.
expect_failure "a missing Debian package is named with the command to install it" \
	'missing Debian packages: ksm-hint-no-such-package' \
	env RIG_EXTRA_PKGS=ksm-hint-no-such-package bash "$RIG_TOP/rig/deps.sh" --check
