// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_PAGE_HINT against a hostile guest.
 *
 * The guest sends thousands of random batches: gfns inside and outside its
 * memory (its own page tables and code included), random kinds, keys,
 * indices and reserved fields, counts at and beyond the limits, bad flags,
 * misaligned, page-crossing and unbacked batch addresses, while ksmd merges
 * whatever the hints point at.  Many pages are identical and many differ
 * but are hinted with the same (file key, index).  Afterwards every page
 * must still hold exactly what the guest last wrote, the host's hint tables
 * must be within their caps and the kernel must not be tainted.
 *
 * It also prints the guest-measured cost of a KVM_HC_PAGE_HINT hypercall
 * (1 and 128 entries) against an unknown hypercall number.
 *
 * Needs root (sysfs knobs).  -n sets the number of hostile batches.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_page_hint.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define ENTRY_SIZE	sizeof(struct kvm_page_hint_entry)
#define MAX_ENTRIES	((uint64_t)(PAGE_SIZE / ENTRY_SIZE))

#define SLOT_DATA	10
#define GPA_DATA	0x40000000ULL
#define NR_PAGES	256
/* Pages below this share 8 contents; the others are all different. */
#define NR_SAME		128
#define NR_ROUNDS	4
#define GPA_NOWHERE	BIT_ULL(40)
#define BENCH_CALLS	2000
#define HC_UNKNOWN	0x7fffULL

#define KSM		"/sys/kernel/mm/ksm/"
#define KH		"/sys/kernel/mm/ksm_hint/"

enum { OP_FILL = 1, OP_CHECK, OP_HOSTILE, OP_BENCH };

static struct {
	uint64_t op, a0, a1, a2;
} cmd;

/* Where things are, set by the host once. */
static struct {
	uint64_t batch_gva, batch_gpa, mem_gfns, seed;
} g;

/* Outcome of the hostile batches, read back by the host. */
static struct {
	uint64_t batches, einval, efault, accepted, entries;
} stats;

static uint64_t pattern(uint64_t seed, uint64_t word)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (word * 0xff51afd7ed558ccdULL);
}

static uint64_t page_seed(uint64_t page, uint64_t round)
{
	if (page < NR_SAME)
		return page % 8 + 100 * round;
	return 1000 + page + 100000 * round;
}

static void guest_fill(uint64_t round)
{
	uint64_t *p = (uint64_t *)GPA_DATA;
	uint64_t i, w;

	for (i = 0; i < NR_PAGES; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			p[i * PAGE_SIZE / 8 + w] = pattern(page_seed(i, round), w);
}

static uint64_t guest_check(uint64_t round)
{
	uint64_t *p = (uint64_t *)GPA_DATA;
	uint64_t i, w, bad = 0;

	for (i = 0; i < NR_PAGES; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			if (p[i * PAGE_SIZE / 8 + w] !=
			    pattern(page_seed(i, round), w)) {
				bad++;
				break;
			}
	return bad;
}

static uint64_t rnd(void)
{
	/* xorshift64*: a guest needs no better randomness to be hostile. */
	g.seed ^= g.seed >> 12;
	g.seed ^= g.seed << 25;
	g.seed ^= g.seed >> 27;
	return g.seed * 0x2545f4914f6cdd1dULL;
}

static void random_entry(struct kvm_page_hint_entry *e)
{
	switch (rnd() % 4) {
	case 0:
	case 1:
		e->gfn = (GPA_DATA >> PAGE_SHIFT) + rnd() % NR_PAGES;
		break;
	case 2:
		/* Anywhere in guest memory: code, stack, page tables. */
		e->gfn = rnd() % g.mem_gfns;
		break;
	default:
		e->gfn = rnd();
		break;
	}
	e->file_key = rnd() % 4;
	e->index = rnd() % 64;
	e->kind = rnd() % 6;
	e->reserved = rnd() % 16 ? 0 : rnd();
}

static void guest_hostile(uint64_t nbatches)
{
	struct kvm_page_hint_entry *b = (void *)g.batch_gva;
	uint64_t n, i;

	for (n = 0; n < nbatches; n++) {
		uint64_t gpa = g.batch_gpa, count, flags = 0, expect = 0, r;

		switch (rnd() % 4) {
		case 0:
			count = 1;
			break;
		case 1:
			count = MAX_ENTRIES;
			break;
		default:
			count = 1 + rnd() % MAX_ENTRIES;
			break;
		}
		for (i = 0; i < count; i++)
			random_entry(&b[i]);

		switch (rnd() % 32) {
		case 0:
			flags = rnd() | 1;
			expect = -KVM_EINVAL;
			break;
		case 1:
			count = rnd() % 2 ? 0 : MAX_ENTRIES + 1 + rnd() % 4096;
			expect = -KVM_EINVAL;
			break;
		case 2:
			gpa += 1 + rnd() % 7;
			expect = -KVM_EINVAL;
			break;
		case 3:
			gpa += 8 * (1 + rnd() % (PAGE_SIZE / 8 - 1));
			count = MAX_ENTRIES;
			expect = -KVM_EINVAL;
			break;
		case 4:
			gpa = GPA_NOWHERE + (rnd() % 1024) * PAGE_SIZE;
			expect = -KVM_EFAULT;
			break;
		}

		r = kvm_hypercall(KVM_HC_PAGE_HINT, gpa, count, flags, 0);
		stats.batches++;
		if (expect) {
			GUEST_ASSERT_EQ(r, expect);
			if (expect == -KVM_EINVAL)
				stats.einval++;
			else
				stats.efault++;
		} else {
			/* No rate limit is set: every entry is consumed. */
			__GUEST_ASSERT(r == count, "returned %lu for %lu entries",
				       r, count);
			stats.accepted += r;
			stats.entries += count;
		}
	}
}

/* Cycles per call of hypercall @nr with a batch of @count valid entries. */
static uint64_t guest_bench(uint64_t nr, uint64_t count)
{
	struct kvm_page_hint_entry *b = (void *)g.batch_gva;
	uint64_t i, t0;

	for (i = 0; i < count; i++) {
		b[i] = (struct kvm_page_hint_entry) {
			.gfn = (GPA_DATA >> PAGE_SHIFT) + i % NR_PAGES,
			.file_key = 0x1234, .index = i,
			.kind = KVM_PAGE_HINT_KIND_READ,
		};
	}
	t0 = rdtsc();
	for (i = 0; i < BENCH_CALLS; i++)
		kvm_hypercall(nr, g.batch_gpa, count, 0, 0);
	return (rdtsc() - t0) / BENCH_CALLS;
}

static void guest_code(void)
{
	for (;;) {
		uint64_t r = 0;

		switch (READ_ONCE(cmd.op)) {
		case OP_FILL:
			guest_fill(cmd.a0);
			break;
		case OP_CHECK:
			r = guest_check(cmd.a0);
			break;
		case OP_HOSTILE:
			guest_hostile(cmd.a0);
			break;
		case OP_BENCH:
			r = guest_bench(cmd.a0, cmd.a1);
			break;
		default:
			GUEST_FAIL("unknown op %lu", cmd.op);
		}
		GUEST_SYNC(r);
	}
}

static uint64_t guest_do(struct kvm_vcpu *vcpu, uint64_t op, uint64_t a0,
			 uint64_t a1)
{
	struct ucall uc;

	cmd.op = op;
	cmd.a0 = a0;
	cmd.a1 = a1;
	sync_global_to_guest(vcpu->vm, cmd);
	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		return uc.args[1];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
	return 0;
}

static long sysfs_read(const char *path)
{
	char buf[64] = "", *end;
	long v;
	int fd;

	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(read(fd, buf, sizeof(buf) - 1) > 0, "read %s", path);
	close(fd);
	errno = 0;
	v = strtol(buf, &end, 10);
	return errno || end == buf ? -1 : v;
}

static void sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	TEST_ASSERT(fd >= 0, "open %s", path);
	TEST_ASSERT(write(fd, val, strlen(val)) == (ssize_t)strlen(val),
		    "write '%s' to %s", val, path);
	close(fd);
}

static const char * const knobs[] = {
	KSM "run", KSM "pages_to_scan", KSM "sleep_millisecs",
	KH "vm_hint_rate", KH "mode", KH "attr_table_size",
	KH "hint_stack_size",
};

static char saved[ARRAY_SIZE(knobs)][32];

static void save_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		int fd = open(knobs[i], O_RDONLY);
		ssize_t n;

		TEST_ASSERT(fd >= 0, "open %s", knobs[i]);
		n = read(fd, saved[i], sizeof(saved[i]) - 1);
		TEST_ASSERT(n > 0, "read %s", knobs[i]);
		close(fd);
		saved[i][n] = 0;
		*strchrnul(saved[i], '\n') = 0;
	}
}

static void restore_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		int fd = open(knobs[i], O_WRONLY);

		if (fd < 0)
			continue;
		if (write(fd, saved[i], strlen(saved[i])) < 0)
			perror(knobs[i]);
		close(fd);
	}
}

static void check_caps(void)
{
	long used = sysfs_read(KH "attr_table_entries");
	long size = sysfs_read(KH "attr_table_size");

	TEST_ASSERT(used >= 0 && used <= size,
		    "attr_table_entries %ld > attr_table_size %ld", used, size);
}

static uint64_t host_check(struct kvm_vm *vm, uint64_t round)
{
	uint64_t *p = addr_gpa2hva(vm, GPA_DATA);
	uint64_t i, w, bad = 0;

	for (i = 0; i < NR_PAGES; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			if (p[i * PAGE_SIZE / 8 + w] !=
			    pattern(page_seed(i, round), w)) {
				bad++;
				break;
			}
	return bad;
}

static void bench(struct kvm_vcpu *vcpu)
{
	uint64_t unk, one, full;

	unk = guest_do(vcpu, OP_BENCH, HC_UNKNOWN, 1);
	one = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, 1);
	full = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, MAX_ENTRIES);
	ksft_print_msg("cycles per hypercall, guest rdtsc over %d calls:\n",
		       BENCH_CALLS);
	ksft_print_msg("  unknown hypercall nr:         %lu\n", unk);
	ksft_print_msg("  KVM_HC_PAGE_HINT 1 entry:     %lu\n", one);
	ksft_print_msg("  KVM_HC_PAGE_HINT %lu entries: %lu\n", MAX_ENTRIES,
		       full);
}

int main(int argc, char *argv[])
{
	uint64_t nbatches = 4000, round, bad;
	struct userspace_mem_region *slot0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	vm_vaddr_t gva;
	long taint;
	void *hva;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			nbatches = strtoull(optarg, NULL, 0);
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_PAGE_HINT));
	TEST_REQUIRE(!access(KH "mode", W_OK));

	ksft_print_header();
	ksft_set_plan(4);
	save_knobs();
	atexit(restore_knobs);
	taint = sysfs_read("/proc/sys/kernel/tainted");

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_userspace_mem_region_add(vm, VM_MEM_SRC_ANONYMOUS, GPA_DATA,
				    SLOT_DATA, NR_PAGES, 0);
	virt_map(vm, GPA_DATA, GPA_DATA, NR_PAGES);
	hva = addr_gpa2hva(vm, GPA_DATA);
	TEST_ASSERT(!madvise(hva, NR_PAGES * PAGE_SIZE, MADV_MERGEABLE),
		    "MADV_MERGEABLE");
	/* Slot 0 too: hints at the guest's code and page tables may merge. */
	slot0 = memslot2region(vm, 0);
	TEST_ASSERT(!madvise(slot0->host_mem, slot0->region.memory_size,
			     MADV_MERGEABLE), "MADV_MERGEABLE slot 0");
	vm_enable_cap(vm, KVM_CAP_PAGE_HINT, 1);

	gva = vm_vaddr_alloc_page(vm);
	g.batch_gva = gva;
	g.batch_gpa = addr_gva2gpa(vm, gva);
	/* Slot 0 and a little beyond it. */
	g.mem_gfns = slot0->region.memory_size / PAGE_SIZE + 64;
	g.seed = 0x5eed0fba5eba11ULL;
	sync_global_to_guest(vm, g);

	/* Small tables so that eviction and overwrite paths run too. */
	sysfs_write(KH "vm_hint_rate", "0");
	sysfs_write(KH "attr_table_size", "64");
	sysfs_write(KH "hint_stack_size", "64");
	sysfs_write(KH "mode", "hint");
	sysfs_write(KSM "pages_to_scan", "200");
	sysfs_write(KSM "sleep_millisecs", "10");
	sysfs_write(KSM "run", "1");

	guest_do(vcpu, OP_FILL, 0, 0);
	bench(vcpu);
	ksft_test_result_pass("hypercall cost measured\n");

	for (round = 0; round < NR_ROUNDS; round++) {
		guest_do(vcpu, OP_FILL, round, 0);
		guest_do(vcpu, OP_HOSTILE, nbatches / NR_ROUNDS, 0);
		check_caps();
		/* Let ksmd work through what the guest hinted. */
		usleep(500 * 1000);
		TEST_ASSERT_EQ(guest_do(vcpu, OP_CHECK, round, 0), 0);
		TEST_ASSERT_EQ(host_check(vm, round), 0);
	}
	sysfs_write(KH "mode", "hybrid");
	usleep(1000 * 1000);
	sync_global_from_guest(vm, stats);
	ksft_print_msg("hostile batches: %lu (einval %lu, efault %lu)\n",
		       stats.batches, stats.einval, stats.efault);
	ksft_print_msg("entries in accepted batches: %lu, consumed %lu\n",
		       stats.entries, stats.accepted);
	ksft_print_msg("ksm_hint: received %ld rejected %ld attr_matches %ld\n",
		       sysfs_read(KH "hints_received"),
		       sysfs_read(KH "hints_rejected"),
		       sysfs_read(KH "attr_matches"));
	ksft_print_msg("ksm_hint: stack_overwrites %ld pages_merged %ld attr_table_entries %ld\n",
		       sysfs_read(KH "stack_overwrites"),
		       sysfs_read(KH "pages_merged"),
		       sysfs_read(KH "attr_table_entries"));
	ksft_print_msg("ksm: pages_sharing %ld\n", sysfs_read(KSM "pages_sharing"));
	TEST_ASSERT_EQ(stats.batches, nbatches / NR_ROUNDS * NR_ROUNDS);
	ksft_test_result_pass("%lu hostile batches handled\n", stats.batches);

	bad = guest_do(vcpu, OP_CHECK, NR_ROUNDS - 1, 0) +
	      host_check(vm, NR_ROUNDS - 1);
	ksft_test_result(!bad, "guest memory intact (%lu bad pages)\n", bad);
	check_caps();

	kvm_vm_free(vm);
	ksft_test_result(sysfs_read("/proc/sys/kernel/tainted") == taint,
			 "kernel not tainted, hint tables within caps\n");
	ksft_finished();
}
