# SPDX-License-Identifier: GPL-2.0
# End to end with the guest driver (drivers/virt/pagehint, built into the
# guest kernel): two nested guests with byte-identical ext4 disks read the
# same files and hint them; the host in mode hint merges their page cache.
# Guest 1 boots with pagehint.enable=0 (the driver stays off) and turns it
# on at run time before reading its disk again.  Then: the driver turned
# off and on many times under reads, each guest writing different content
# to the same paths (nothing wrong merged, every guest reads back exactly
# its own data), and stock KSM (mode off) on the same two guests: their
# identical pages merge, a write in one guest stays in that guest, and the
# drivers meet a host that does not take hints (-KVM_ENOSYS, backoff, no
# error storm).  Two nested boots in all: they are the costliest step of
# make check.
kh=/sys/kernel/mm/ksm_hint
ksm=/sys/kernel/mm/ksm
khs() { cat $kh/$1; }
# ph <guest> <counter>: a counter of the guest's pagehint driver.
ph() { guest_run "$1" "cat /sys/kernel/debug/pagehint/$2" 30 | grep -oE '^[0-9]+' | head -n 1; }
check() {	# check <name> <shell condition> [detail]
	if eval "$2"; then echo "PASS: pagehint: $1${3:+ ($3)}"
	else echo "FAIL: pagehint: $1${3:+ ($3)}"; fi
}
# ph_end: put the host's knobs back and stop the guests.
ph_end() {
	echo 1 > $kh/vm_default
	echo "$stack0" > $kh/hint_stack_size
	echo "$attr0" > $kh/attr_table_size
	echo 0 > $ksm/run
}
# guests_up <phase>: both guests still run after <phase>.  A guest that
# is gone fails the test file at once: every later step would only time
# out on it.
guests_up() {
	for i in 0 1; do
		guest_alive $i && continue
		echo "FAIL: pagehint: both guests still run after $1 (guest $i: $(guest_end $i))"
		guest_lost $i
		guest_stop_all || echo "FAIL: pagehint: guest kernel logs clean"
		ph_end
		return 1
	done
}
if [ ! -d $kh ]; then
	echo "FAIL: pagehint: no $kh in the host"; return 0
fi

echo 2 > $ksm/run
echo 0 > $ksm/use_zero_pages
echo hint > $kh/mode
echo 1 > $kh/vm_default
# Room for every hint of the disk (24,764 with both guests): this test is
# about the guest driver; the defaults are sized by the benchmarks.
stack0=$(cat $kh/hint_stack_size) attr0=$(cat $kh/attr_table_size)
echo 65536 > $kh/hint_stack_size
echo 65536 > $kh/attr_table_size
echo 100 > $ksm/pages_to_scan
echo 20 > $ksm/sleep_millisecs
echo 1 > $ksm/run
m0=$(khs pages_merged); a0=$(khs attr_matches); r0=$(khs hints_received)
o0=$(khs stack_overwrites)
sd0=$(khs stale_items_dropped); sr0=$(khs stale_items_remerged)
# khugepaged copies merged pages out when it collapses a range of guest
# memory into a THP; the maintenance pass merges them again.
tk=/sys/kernel/mm/transparent_hugepage/khugepaged
pc0=$(cat $tk/pages_collapsed 2>/dev/null || echo 0)
s0=$(ksm_stat pages_sharing)

PM_T0=; phase_mark pagehint start

# Both boot at once, each on its own CPU of the emulated host.
if guest_start 0 &&
   GUEST_APPEND="${GUEST_APPEND:-} pagehint.enable=0" guest_start 1 &&
   guest_wait 0 && guest_wait 1; then
	echo "PASS: pagehint: two guests boot and read their disks (guest 1 with its driver off)"
else
	echo "FAIL: pagehint: two guests boot and read their disks (guest 1 with its driver off)"
	return 0
fi
phase_mark pagehint "boot both guests"
v=$(guest_run 1 'cat /sys/module/pagehint/parameters/enable' 30 | tr -dc NY)
h=$(ph 1 hypercalls); q=$(ph 1 hints_queued)
check "pagehint.enable=0 keeps the driver off" \
	'[ "$v" = N ] && [ "$h" = 0 ] && [ "$q" = 0 ]' "enable=$v, $q hints, $h hypercalls"
# On, then every file read again from storage: a hint per page.
guest_run 1 'echo 1 > /sys/module/pagehint/parameters/enable; echo 3 > /proc/sys/vm/drop_caches' 30 > /dev/null
disk=$(cat /guest/disk.sum)
d1=$(guest_disk_sum 1)
# Pages of file data that both guests read (they read every file).
want=$(cat /guest/disk.pages)
t=0
while [ $t -lt 180 ]; do
	sharing=$(( $(ksm_stat pages_sharing) - s0 ))
	[ "$sharing" -ge $((want * 9 / 10)) ] && break
	sleep 2; t=$((t + 2))
done
sharing=$(( $(ksm_stat pages_sharing) - s0 ))
phase_mark pagehint "guest 1 reads its disk, host merges"
echo "rig: pagehint: ${t}s after guest 1 read its disk: pages_sharing=$sharing of $want file pages" \
	"($(awk -v a="$sharing" -v b="$want" 'BEGIN {printf "%.1f", 100 * a / b}')%)," \
	"hints_received=$(( $(khs hints_received) - r0 )) attr_matches=$(( $(khs attr_matches) - a0 ))" \
	"pages_merged=$(( $(khs pages_merged) - m0 )) stack_overwrites=$(( $(khs stack_overwrites) - o0 ))" \
	"full_scans=$(ksm_stat full_scans) stale_items_dropped=$(( $(khs stale_items_dropped) - sd0 ))" \
	"stale_items_remerged=$(( $(khs stale_items_remerged) - sr0 ))" \
	"khugepaged pages_collapsed=+$(( $(cat $tk/pages_collapsed 2>/dev/null || echo 0) - pc0 ))"
for i in 0 1; do
	q=$(ph $i hints_queued); s=$(ph $i hints_sent); h=$(ph $i hypercalls)
	echo "rig: pagehint: guest $i: hints_queued=$q hints_sent=$s hypercalls=$h" \
		"keys_cached=$(ph $i keys_cached) unhintable_files=$(ph $i unhintable_files)" \
		"dropped: full=$(ph $i dropped_batch_full) rate=$(ph $i dropped_rate_limited)" \
		"off=$(ph $i dropped_host_off) error=$(ph $i dropped_error)"
	check "guest $i sent its hints (${s:-?} of ${q:-?} in ${h:-?} hypercalls)" \
		'[ "${s:-0}" -ge "$want" ] && [ "$(ph $i dropped_error)" = 0 ]'
done
check "host matched attributes and merged hinted pages" \
	'[ $(( $(khs attr_matches) - a0 )) -ge $((want / 2)) ] && [ $(( $(khs pages_merged) - m0 )) -ge $((want / 2)) ]'
check "pages_sharing covers at least 80 % of the file pages both guests read" \
	'[ "$sharing" -ge $((want * 8 / 10)) ]' "$sharing of $want"
check "guest 1 read its exact disk with the driver turned on" '[ "$d1" = "$disk" ]' "read $d1"

# khugepaged collapses ranges of the guests' memory that hold up to 256
# merged pages into THPs by copying them out: on a slow CI host
# pages_sharing ended a fifth below what the hint path had merged, three
# minutes after the reads (make check here then counted 1474 stale items
# within a minute, 3155 after 10 s of fast khugepaged).  Nothing hints
# them again, so in mode hint the maintenance pass must merge the copies
# again.  khugepaged scans fast for 10 s (longer, up to 30 s, until it
# has collapsed a range), then sharing must come back (to 95 % of what it
# was: khugepaged goes on at its own pace) through copies merged again.
if [ -w $tk/scan_sleep_millisecs ]; then
	ks0=$(cat $tk/scan_sleep_millisecs); kp0=$(cat $tk/pages_to_scan)
	pc1=$(cat $tk/pages_collapsed); sr1=$(khs stale_items_remerged)
	sd1=$(khs stale_items_dropped)
	echo 100 > $tk/scan_sleep_millisecs; echo 65536 > $tk/pages_to_scan
	tf=0
	while [ $tf -lt 30 ]; do
		sleep 2; tf=$((tf + 2))
		[ $tf -ge 10 ] && [ "$(cat $tk/pages_collapsed)" -gt "$pc1" ] && break
	done
	echo "$ks0" > $tk/scan_sleep_millisecs; echo "$kp0" > $tk/pages_to_scan
	low=$(( $(ksm_stat pages_sharing) - s0 ))
	t=0
	while [ $t -lt 60 ]; do
		sharing2=$(( $(ksm_stat pages_sharing) - s0 ))
		sr=$(( $(khs stale_items_remerged) - sr1 ))
		[ "$sharing2" -ge $((sharing * 95 / 100)) ] && [ "$sr" -gt 0 ] && break
		sleep 2; t=$((t + 2))
	done
	pc=$(( $(cat $tk/pages_collapsed) - pc1 ))
	echo "rig: pagehint: khugepaged fast for $tf s: pages_collapsed=+$pc" \
		"stale_items_remerged=+$sr stale_items_dropped=+$(( $(khs stale_items_dropped) - sd1 )):" \
		"pages_sharing $sharing -> $low, ${t}s later $sharing2"
	check "merged pages that khugepaged copied into THPs are merged again" \
		'[ "$pc" -gt 0 ] && [ "$sr" -gt 0 ] && [ "$sharing2" -ge $((sharing * 95 / 100)) ]' \
		"pages_sharing $sharing -> $low -> $sharing2, $sr merged again"
else
	echo "FAIL: pagehint: no $tk in the host"
fi
phase_mark pagehint "khugepaged copies merged again"
sums=$(guest_disk_sums); d0=${sums% *} d1=${sums#* }
check "both guests read their exact disk contents after merging" \
	'[ "$d0" = "$disk" ] && [ "$d1" = "$disk" ]' "read $d0 $d1"
phase_mark pagehint "both disks read back"

# The driver off and on 40 times while guest 0 reads its disk in a loop;
# every pass of the loop must read exactly the disk's content.  The
# driver times itself meanwhile (debugfs "timing"), so its timed hooks and
# hypercalls go through the same teardowns.
guest_run 0 'echo 1 > /sys/kernel/debug/pagehint/timing' 30 > /dev/null
guest_run 0 'rm -f /ph-sums /ph-stop; (while [ ! -f /ph-stop ]; do (cd /mnt && find . -type f | sort | xargs md5sum | md5sum | cut -d" " -f1) >> /ph-sums; echo 1 > /proc/sys/vm/drop_caches; done) > /dev/null 2>&1 &' 30
guest_run 0 'p=/sys/module/pagehint/parameters/enable; for n in $(seq 40); do echo 0 > $p; usleep 100000; echo 1 > $p; usleep 200000; done; echo "enable: $(cat $p)"' 300 \
	> /tmp/ph-enable
# Tagged lines: the console also carries the guest kernel's messages.
guest_run 0 'touch /ph-stop; sleep 8; sort -u /ph-sums | sed "s/^/sum: /"; echo "passes: $(wc -l < /ph-sums)"' 120 > /tmp/ph-sums
passes=$(grep -oE 'passes: [0-9]+' /tmp/ph-sums | tr -dc 0-9)
sums=$(grep -oE 'sum: [0-9a-f]{32}' /tmp/ph-sums | cut -d' ' -f2)
check "driver off/on 40 times under reads: reads correct, driver on at the end" \
	'[ "$sums" = "$disk" ] && [ "${passes:-0}" -ge 1 ] && grep -q "enable: Y" /tmp/ph-enable' \
	"${passes:-?} read passes, $(echo "$sums" | grep -c .) distinct digests"
if ! [ "$sums" = "$disk" ] || ! grep -q "enable: Y" /tmp/ph-enable; then
	echo "rig: pagehint: want digest $disk; the guest said:"
	sed 's/^/rig:   /' /tmp/ph-enable /tmp/ph-sums
	echo "rig: pagehint: guest 0 console, last lines:"
	console_tail 0 30 "rig:   "
fi
# Its own time: counted while timing is on, not counted once it is off
# (the hooks still run: hints_queued rises), and only 0 or 1 is taken.
# (One line: the guest reads a command a line.)
tcmd='T=/sys/kernel/debug/pagehint; echo "@on $(cat $T/hook_ns) $(cat $T/hypercall_ns)"; echo 0 > $T/timing; h=$(cat $T/hook_ns) c=$(cat $T/hypercall_ns) q=$(cat $T/hints_queued);'
tcmd="$tcmd"' echo 3 > /proc/sys/vm/drop_caches; find /mnt -type f | xargs cat > /dev/null; echo 1 > $T/flush;'
tcmd="$tcmd"' echo "@off $(($(cat $T/hook_ns) - h)) $(($(cat $T/hypercall_ns) - c)) $(($(cat $T/hints_queued) - q))"; if echo 2 > $T/timing; then echo "@took 2"; else echo "@refused 2"; fi; echo "@timing $(cat $T/timing)"'
guest_run 0 "$tcmd" 300 > /tmp/ph-timing
set -- $(grep -oE '^@on [0-9]+ [0-9]+' /tmp/ph-timing) x x x; tn_hook=$2 tn_hc=$3
set -- $(grep -oE '^@off [0-9-]+ [0-9-]+ [0-9-]+' /tmp/ph-timing) x x x x; tf_hook=$2 tf_hc=$3 tf_q=$4
check "the driver times its hooks and hypercalls while timing is on" \
	'[ "$tn_hook" -gt 0 ] 2>/dev/null && [ "$tn_hc" -gt 0 ]' "hook_ns $tn_hook, hypercall_ns $tn_hc"
check "timing off: hooks run untimed, and timing takes only 0 or 1" \
	'[ "$tf_hook" = 0 ] && [ "$tf_hc" = 0 ] && [ "$tf_q" -gt 0 ] 2>/dev/null && grep -q "^@refused 2" /tmp/ph-timing && grep -q "^@timing 0" /tmp/ph-timing' \
	"hook_ns +$tf_hook, hypercall_ns +$tf_hc over a read that queued $tf_q hints; $(grep -oE '^@(took|refused) 2' /tmp/ph-timing)"
guest_run 0 'echo scan > /sys/kernel/debug/kmemleak && echo kmemleak-scanned; sleep 6; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak' 120 > /tmp/ph-leak
# A scan that could not run prints nothing either: require that it ran.
check "guest kmemleak clean after the off/on cycles" \
	'grep -q kmemleak-scanned /tmp/ph-leak && ! grep -q unreferenced /tmp/ph-leak' \
	"$(grep -c unreferenced /tmp/ph-leak) reports, scan $(grep -q kmemleak-scanned /tmp/ph-leak && echo ran || echo 'did not run')"
phase_mark pagehint "driver off/on 40 times, kmemleak"
guests_up "the driver's off/on cycles" || return 0

# Same paths, different content: each guest writes its own data to the
# same files (written back, then read back from storage: both hint kinds
# with equal keys and indexes across the guests).  Nothing may be merged
# wrongly: each guest reads back exactly what it wrote.  The content is
# random (no two equal pages, different in each guest), its digest taken
# from the stream tee writes, before it reaches the page cache ("W"
# lines), and again from the file after drop_caches ("R" lines).  (It was
# generated by awk, in the guests and again in the host to compare, in a
# phase that took 97-143 s.)
a1=$(khs attr_matches); u1=$(khs hints_unmatched); m1=$(khs pages_merged)
for i in 0 1; do
	guest_send $i "cd /mnt/lib && for f in \$(ls | head -n 6); do echo \"W \$(dd if=/dev/urandom bs=4096 count=64 2>/dev/null | tee \$f | md5sum | cut -d' ' -f1) \$f\"; done; sync; sleep 1; echo 3 > /proc/sys/vm/drop_caches; for f in \$(ls | head -n 6); do echo \"R \$(md5sum < \$f | cut -d' ' -f1) \$f\"; done; cd /"
done
for i in 0 1; do
	guest_recv $i 180 > /tmp/ph-out$i ||
		echo "rig: pagehint: guest $i: $(tail -n 1 /tmp/ph-out$i) ($(guest_end $i))"
	# What it wrote, and what it read back.
	grep -E '^W [0-9a-f]{32} ' /tmp/ph-out$i | cut -d' ' -f2- > /tmp/ph-e$i
	grep -E '^R [0-9a-f]{32} ' /tmp/ph-out$i | cut -d' ' -f2- > /tmp/ph-w$i
done
sleep 5
a2=$(( $(khs attr_matches) - a1 ))
u2=$(( $(khs hints_unmatched) - u1 ))
echo "rig: pagehint: same paths, different content: attr_matches=+$a2 hints_unmatched=+$u2 pages_merged=+$(( $(khs pages_merged) - m1 ))"
same_ok=1
for i in 0 1; do
	[ "$(grep -c . /tmp/ph-e$i)" = 6 ] && cmp -s /tmp/ph-w$i /tmp/ph-e$i || same_ok=0
done
# The premise: the two guests wrote different data under each path.
differ=$(cat /tmp/ph-e0 /tmp/ph-e1 | cut -d' ' -f1 | sort -u | grep -c .)
check "each guest reads back exactly what it wrote to the same paths" '[ $same_ok = 1 ] && [ "$differ" = 12 ]' \
	"$differ distinct digests written in all, 12 wanted"
check "same paths with different content were paired by the host" '[ "$a2" -gt 0 ]' "attr_matches +$a2"
# Each such pair costs ksmd two lookups that find no identical page
# (half allowed for hints ksmd has not taken yet).
check "the host counts the hints it could not merge" '[ "$u2" -ge $((a2 / 2)) ] && [ "$u2" -gt 0 ]' "hints_unmatched +$u2, attr_matches +$a2"
if [ $same_ok = 0 ]; then
	for i in 0 1; do
		echo "rig: pagehint: guest $i: $(guest_end $i)"
		echo "rig: pagehint: guest $i: digests it read back (<) against those of what it wrote (>):"
		diff /tmp/ph-w$i /tmp/ph-e$i | sed 's/^/rig:   /'
		echo "rig: pagehint: guest $i console, last lines:"
		console_tail $i 20 "rig:   "
	done
fi
phase_mark pagehint "same paths, different content"
guests_up "writing the same paths" || return 0

# Names that stop being true (guest 0).  A file read after it, or a
# directory above it, was renamed since its last open must not be hinted
# under the old path (folios_stale_key), and is hinted again once opened
# under the new one.  Files of proc and tmpfs, an unlinked file reopened
# through /proc/self/fd, and an O_TMPFILE file written back and read from
# storage (pagehint_tmpfile) are not hinted (unhintable_files; the
# counter's own debugfs file counts once more).  One command line: the
# guest's init runs each command with eval.
names_cmd=$(tr '\n' ';' <<'EOS'
P=/sys/kernel/debug/pagehint
cd /mnt
dd if=/dev/urandom of=ph-rn bs=4096 count=64 2>/dev/null
dd if=/dev/urandom of=ph-ul bs=4096 count=64 2>/dev/null
mkdir -p ph-dir
dd if=/dev/urandom of=ph-dir/f bs=4096 count=64 2>/dev/null
sync
cat ph-rn ph-dir/f > /dev/null
exec 3< ph-rn 4< ph-dir/f 5< ph-ul
n0=$(cat $P/names_changed)
mv ph-rn ph-rn2
mv ph-dir ph-dir2
echo 3 > /proc/sys/vm/drop_caches
s0=$(cat $P/folios_stale_key)
cat <&3 > /dev/null
cat <&4 > /dev/null
s1=$(cat $P/folios_stale_key)
n1=$(cat $P/names_changed)
echo "names: renamed stale=$((s1 - s0)) changed=$((n1 - n0))"
echo 3 > /proc/sys/vm/drop_caches
q0=$(cat $P/hints_queued)
s2=$(cat $P/folios_stale_key)
cat ph-rn2 ph-dir2/f > /dev/null
q1=$(cat $P/hints_queued)
s3=$(cat $P/folios_stale_key)
echo "names: reopened queued=$((q1 - q0)) stale=$((s3 - s2))"
q4=$(cat $P/hints_queued)
w4=$(cat $P/folios_without_key)
u4=$(cat $P/unhintable_files)
pagehint_tmpfile /mnt 64
u5=$(cat $P/unhintable_files)
w5=$(cat $P/folios_without_key)
q5=$(cat $P/hints_queued)
echo "names: tmpfile queued=$((q5 - q4)) without_key=$((w5 - w4)) unhintable=$((u5 - u4))"
mkdir -p /tmp/ph-t
mount -t tmpfs none /tmp/ph-t
echo x > /tmp/ph-t/x
rm ph-ul
u0=$(cat $P/unhintable_files)
cat /proc/version /tmp/ph-t/x /proc/self/fd/5 > /dev/null
u1=$(cat $P/unhintable_files)
echo "names: unhintable=$((u1 - u0))"
exec 3<&- 4<&- 5<&-
umount /tmp/ph-t
rm -rf ph-rn2 ph-dir2
cd /
EOS
)
guest_run 0 "$names_cmd" 120 > /tmp/ph-names
sed -n 's/^names: /rig: pagehint: names: /p' /tmp/ph-names
nv() { sed -n "s/^names: $1 .*$2=\([0-9-]*\).*/\1/p" /tmp/ph-names; }
rn_stale=$(nv renamed stale); rn_changed=$(nv renamed changed)
ro_queued=$(nv reopened queued); ro_stale=$(nv reopened stale)
unh=$(sed -n 's/^names: unhintable=\([0-9-]*\)$/\1/p' /tmp/ph-names)
tf_queued=$(nv tmpfile queued); tf_nokey=$(nv tmpfile without_key)
tf_unh=$(nv tmpfile unhintable)
# 2 files of 64 pages read back from storage through descriptors opened
# before their renames: most of them must be refused.
check "pages of a renamed file or of a file in a renamed directory are not hinted under the old path" \
	'[ "${rn_stale:-0}" -ge 64 ] && [ "${rn_changed:-0}" -ge 2 ]' "folios_stale_key +$rn_stale, names_changed +$rn_changed"
check "a renamed file is hinted again once opened under its new name" \
	'[ "${ro_queued:-0}" -ge 64 ] && [ "$ro_stale" = 0 ]' "hints_queued +$ro_queued, folios_stale_key +$ro_stale"
# 64 pages written back, dropped and read again: at least 64 folio events
# that find no key, and nothing queued.
check "an O_TMPFILE file is not hinted" \
	'[ "${tf_unh:-0}" -ge 2 ] && [ "$tf_queued" = 0 ] && [ "${tf_nokey:-0}" -ge 64 ]' \
	"unhintable_files +$tf_unh, hints_queued +$tf_queued, folios_without_key +$tf_nokey"
check "proc, tmpfs and an unlinked file reopened through /proc are not hinted" \
	'[ "${unh:-0}" -ge 4 ]' "unhintable_files +$unh, 4 expected"
phase_mark pagehint "renamed, unlinked and unhintable files"
guests_up "the file name checks" || return 0

# Stock KSM (mode off) on the same two guests: everything unmerged, then
# KSM's own linear scan must find the pages their disks have in common
# (all but the six rewritten files), and a guest that writes to merged
# page cache must change only its own copy.  Each guest's expected digest
# is the one it read just before (the rewritten files differ by guest).
# Meanwhile guest 1 reads its disk again from storage: its driver meets a
# host that does not take hints.
echo 2 > $ksm/run
echo off > $kh/mode
# check21 and check23 went silent for minutes somewhere in this step:
# marks say which part.
phase_mark pagehint "unmerge all, mode off"
off0=$(cut -d. -f1 /proc/uptime)
r0=$(khs hints_received); m0=$(khs pages_merged)
h0=$(ph 1 hypercalls); e0=$(ph 1 enosys_answers); q0=$(ph 1 hints_queued)
# Zero pages go to the zero page, so pages_sharing counts real content.
echo 1 > $ksm/use_zero_pages
guest_run 1 'echo 3 > /proc/sys/vm/drop_caches' 30 > /dev/null
# Pages of file data guest 1 now reads (six files were rewritten shorter).
want_off=$(guest_run 1 'find /mnt -type f -exec stat -c %s {} + | awk "{p += int((\$1 + 4095) / 4096)} END {print p}"' 120 |
	grep -oE '^[0-9]+' | head -n 1)
sums=$(guest_disk_sums); b0=${sums% *} b1=${sums#* }
phase_mark pagehint "both disks read, host not taking hints"
echo 500 > $ksm/pages_to_scan
# Identical pages merge in the second full scan after they appear (the
# first records their checksums): stop there if it merged enough, else
# after a third.  full_scans counts since boot.
fs0=$(ksm_stat full_scans)
echo 1 > $ksm/run
ksm_progress 300 5 '[ $((scans - fs0)) -ge 3 ] ||
	{ [ $((scans - fs0)) -ge 2 ] && [ "$sharing" -ge 6000 ]; }'
echo 0 > $ksm/run
sharing=$(ksm_stat pages_sharing)
phase_mark pagehint "stock KSM scans"
# The disk holds ~12000 pages of file data that both guests read into
# their page cache: demand half of it, not just "above zero".
check "stock KSM merged the guests' identical pages" '[ "$sharing" -ge 6000 ]' \
	"pages_sharing=$sharing, want >= 6000"
sums=$(guest_disk_sums); d0=${sums% *} d1=${sums#* }
check "stock KSM: both guests read their exact files after merging" \
	'is_digest "$b0" && is_digest "$b1" && [ "$d0" = "$b0" ] && [ "$d1" = "$b1" ]' "read $d0 $d1, before $b0 $b1"
# Guest 0 overwrites merged page cache pages; guest 1 must not see it.
guest_run 0 'dd if=/dev/urandom of=/mnt/qemu-system-x86_64 bs=4096 count=256 conv=notrunc 2>/dev/null' 120
sums=$(guest_disk_sums); d0=${sums% *} d1=${sums#* }
check "stock KSM: a write in one guest stays in that guest" \
	'is_digest "$d0" && is_digest "$b0" && [ "$d0" != "$b0" ] && is_digest "$b1" && [ "$d1" = "$b1" ]' \
	"read $d0 $d1, before $b0 $b1"
# The driver probes a host that answered -KVM_ENOSYS after 1 s, then
# after each doubling up to 64 s: the most hypercalls it may make in the
# time the host was off, plus one for the batch that met it first.
secs=$(( $(cut -d. -f1 /proc/uptime) - off0 ))
h=$(( $(ph 1 hypercalls) - h0 )); e=$(( $(ph 1 enosys_answers) - e0 ))
q=$(( $(ph 1 hints_queued) - q0 ))
most=$(awk -v T="$secs" 'BEGIN {n = 1; s = 1; t = 0; while (t + s <= T) {t += s; n++; if (s < 64) s *= 2} print n + 1}')
echo "rig: pagehint: host off for ${secs} s: guest 1 read ${want_off:-?} file pages: hints_queued=+$q hypercalls=+$h" \
	"enosys_answers=+$e (backoff allows $most) dropped_host_off=$(ph 1 dropped_host_off)"
check "host off: every hypercall answered -KVM_ENOSYS and counted, backing off" \
	'[ "$e" -ge 1 ] && [ "$h" = "$e" ] && [ "$h" -le "$most" ] && [ -n "$want_off" ] && [ "$q" -ge "$want_off" ]' \
	"$h hypercalls for $q hints in $secs s"
check "host off: no hint received, none merged" \
	'[ "$(khs hints_received)" = "$r0" ] && [ "$(khs pages_merged)" = "$m0" ]'
echo 2 > $ksm/run
echo 0 > $ksm/use_zero_pages
echo 100 > $ksm/pages_to_scan
# A guest lost before here (its checks above failed for want of an
# answer): a triple fault with no kernel report in its console is the
# emulator's, and rig/check.sh runs this file again in a second boot.
lost=""
for i in 0 1; do
	guest_alive $i && continue
	lost="$lost $i"
	guest_lost $i
done
# How the rig tells a guest's triple fault from a reset it asked for
# (guest_end): guest 0 triple-faults on purpose (the kernel's "triple"
# reboot loads an empty IDT and raises int3), guest 1 resets through the
# keyboard controller; under -no-reboot either ends QEMU with status 0.
if [ -n "$lost" ]; then
	echo "FAIL: pagehint: a guest's triple fault told from its own reset (guest$lost already lost)"
else
	guest_send 0 'sync; echo triple > /sys/kernel/reboot/type && reboot -f'
	guest_send 1 'sync; echo kbd > /sys/kernel/reboot/type && reboot -f'
	t=0
	while { guest_alive 0 || guest_alive 1; } && [ $t -lt 60 ]; do sleep 1; t=$((t + 1)); done
	end0=$(guest_end 0); end1=$(guest_end 1)
	echo "rig: pagehint: guest 0: $end0"
	echo "rig: pagehint: guest 1: $end1"
	check "a guest's triple fault is named, with the RIP KVM saw" \
		'echo "$end0" | grep -q "status 0: the guest triple-faulted (KVM SHUTDOWN exit at rip 0x"' "$end0"
	check "a guest's own reset is not called a triple fault" \
		'echo "$end1" | grep -q "status 0 (the guest powered off or reset; no triple fault traced)"' "$end1"
fi
guest_stop_all && echo "PASS: pagehint: guest kernel logs clean" ||
	echo "FAIL: pagehint: guest kernel logs clean"
phase_mark pagehint "stock KSM checks, host off, guests stopped"

ph_end
