// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_PAGE_HINT: the hypercall's ABI (opt-in, argument checks, skipped
 * entries, rate limit) and its purpose: pages that two memslots hold with
 * the same content and the same (file key, index) get merged by ksmd in
 * mode=hint, and writes afterwards keep each side's data its own.
 *
 * Needs root (sysfs knobs, PFNs in /proc/self/pagemap).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <linux/kvm_page_hint.h>

#include "test_util.h"
#include "kvm_util.h"
#include "processor.h"

#define X86_FEATURE_KVM_PAGE_HINT \
	KVM_X86_CPU_FEATURE(0x40000001, 0, EAX, KVM_FEATURE_PAGE_HINT)

#define ENTRY_SIZE	sizeof(struct kvm_page_hint_entry)
#define MAX_ENTRIES	((uint64_t)(PAGE_SIZE / ENTRY_SIZE))

#define SLOT_A		10
#define SLOT_B		11
#define SLOT_C		12
#define GPA_A		0x40000000ULL
#define GPA_B		0x48000000ULL
#define GPA_C		0x50000000ULL
#define NR_PAGES	32
/* No memslot is anywhere near here. */
#define GPA_NOWHERE	BIT_ULL(36)
#define FILE_KEY	0x6b736d2d68696e74ULL

#define KSM		"/sys/kernel/mm/ksm/"
#define KH		"/sys/kernel/mm/ksm_hint/"

enum { OP_HCALL = 1, OP_FILL, OP_CHECK, OP_CPUID };

/* What the guest does next; the host syncs it in before each run. */
static struct {
	uint64_t op, a0, a1, a2;
} cmd;

static uint64_t pattern(uint64_t seed, uint64_t word)
{
	return (seed + 1) * 0x9e3779b97f4a7c15ULL ^ (word * 0xff51afd7ed558ccdULL);
}

static void guest_fill(uint64_t gva, uint64_t npages, uint64_t seed)
{
	uint64_t *p = (uint64_t *)gva;
	uint64_t i, w;

	for (i = 0; i < npages; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			p[i * PAGE_SIZE / 8 + w] = pattern(seed + i, w);
}

static uint64_t guest_check(uint64_t gva, uint64_t npages, uint64_t seed)
{
	uint64_t *p = (uint64_t *)gva;
	uint64_t i, w, bad = 0;

	for (i = 0; i < npages; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			if (p[i * PAGE_SIZE / 8 + w] != pattern(seed + i, w)) {
				bad++;
				break;
			}
	return bad;
}

static void guest_code(void)
{
	for (;;) {
		uint64_t r = 0;

		switch (READ_ONCE(cmd.op)) {
		case OP_HCALL:
			r = kvm_hypercall(KVM_HC_PAGE_HINT, cmd.a0, cmd.a1,
					  cmd.a2, 0);
			break;
		case OP_FILL:
			guest_fill(cmd.a0, cmd.a1, cmd.a2);
			break;
		case OP_CHECK:
			r = guest_check(cmd.a0, cmd.a1, cmd.a2);
			break;
		case OP_CPUID:
			r = this_cpu_has(X86_FEATURE_KVM_PAGE_HINT);
			break;
		default:
			GUEST_FAIL("unknown op %lu", cmd.op);
		}
		GUEST_SYNC(r);
	}
}

static uint64_t guest_do(struct kvm_vcpu *vcpu, uint64_t op, uint64_t a0,
			 uint64_t a1, uint64_t a2)
{
	struct ucall uc;

	cmd.op = op;
	cmd.a0 = a0;
	cmd.a1 = a1;
	cmd.a2 = a2;
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

static uint64_t hcall(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t nr,
		      uint64_t flags)
{
	return guest_do(vcpu, OP_HCALL, gpa, nr, flags);
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

/* Knobs this test changes, put back at exit. */
static const char * const knobs[] = {
	KSM "run", KSM "pages_to_scan", KSM "sleep_millisecs",
	KH "vm_default", KH "vm_hint_rate", KH "mode",
};

static char saved[ARRAY_SIZE(knobs)][32];

static void save_knobs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		int fd = open(knobs[i], O_RDONLY);
		ssize_t n;
		char *s;

		TEST_ASSERT(fd >= 0, "open %s", knobs[i]);
		n = read(fd, saved[i], sizeof(saved[i]) - 1);
		TEST_ASSERT(n > 0, "read %s", knobs[i]);
		close(fd);
		saved[i][n] = 0;
		/* "off [hint] hybrid" style: keep the selected word. */
		s = strchr(saved[i], '[');
		if (s) {
			memmove(saved[i], s + 1, strlen(s));
			*strchrnul(saved[i], ']') = 0;
		}
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

static uint64_t pfn_of(void *hva)
{
	uint64_t ent;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	TEST_ASSERT(fd >= 0, "open pagemap");
	TEST_ASSERT(pread(fd, &ent, sizeof(ent),
			  (uintptr_t)hva / PAGE_SIZE * sizeof(ent)) == sizeof(ent),
		    "read pagemap");
	close(fd);
	return (ent & (1ULL << 63)) ? ent & ((1ULL << 55) - 1) : 0;
}

struct test_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	vm_paddr_t batch_gpa;
	struct kvm_page_hint_entry *batch;	/* host view of the batch page */
};

static void add_region(struct test_vm *t, uint32_t slot, uint64_t gpa)
{
	void *hva;

	vm_userspace_mem_region_add(t->vm, VM_MEM_SRC_ANONYMOUS, gpa, slot,
				    NR_PAGES, 0);
	virt_map(t->vm, gpa, gpa, NR_PAGES);
	hva = addr_gpa2hva(t->vm, gpa);
	/* As QEMU does for guest RAM: KSM may merge it. */
	TEST_ASSERT(!madvise(hva, NR_PAGES * PAGE_SIZE, MADV_NOHUGEPAGE),
		    "MADV_NOHUGEPAGE");
	TEST_ASSERT(!madvise(hva, NR_PAGES * PAGE_SIZE, MADV_MERGEABLE),
		    "MADV_MERGEABLE");
}

static void test_vm_create(struct test_vm *t)
{
	vm_vaddr_t gva;

	t->vm = vm_create_with_one_vcpu(&t->vcpu, guest_code);
	gva = vm_vaddr_alloc_page(t->vm);
	t->batch_gpa = addr_gva2gpa(t->vm, gva);
	t->batch = addr_gpa2hva(t->vm, t->batch_gpa);
}

static void set_entry(struct test_vm *t, unsigned int i, uint64_t gpa,
		      uint64_t key, uint64_t index, uint32_t kind)
{
	t->batch[i] = (struct kvm_page_hint_entry) {
		.gfn = gpa >> PAGE_SHIFT, .file_key = key, .index = index,
		.kind = kind,
	};
}

static void test_abi(struct test_vm *t)
{
	uint64_t gpa = t->batch_gpa;
	long rej;
	int r;

	TEST_ASSERT(kvm_cpu_has(X86_FEATURE_KVM_PAGE_HINT),
		    "KVM_FEATURE_PAGE_HINT not in KVM_GET_SUPPORTED_CPUID");
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CPUID, 0, 0, 0), 1);
	ksft_test_result_pass("feature bit\n");

	set_entry(t, 0, GPA_A, FILE_KEY, 0, KVM_PAGE_HINT_KIND_READ);
	sysfs_write(KH "vm_default", "0");
	sysfs_write(KH "vm_hint_rate", "0");
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 0), (uint64_t)-KVM_ENOSYS);
	/* Not even the argument checks run without opt-in. */
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 0, 1), (uint64_t)-KVM_ENOSYS);
	ksft_test_result_pass("ENOSYS before opt-in\n");

	r = __vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 2);
	TEST_ASSERT(r == -1 && errno == EINVAL, "KVM_CAP_PAGE_HINT arg 2: %d", r);
	vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 1);
	vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 1);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 0), 1);
	ksft_test_result_pass("KVM_CAP_PAGE_HINT opt-in\n");

	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 1), (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 1ULL << 63), (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 0, 0), (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, MAX_ENTRIES + 1, 0),
		       (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, -1ULL, 0), (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa + 4, 1, 0), (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa + 8, MAX_ENTRIES, 0),
		       (uint64_t)-KVM_EINVAL);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa + PAGE_SIZE - ENTRY_SIZE, 2, 0),
		       (uint64_t)-KVM_EINVAL);
	/* The limits themselves are fine. */
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa + PAGE_SIZE - ENTRY_SIZE, 1, 0), 1);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa + 8, MAX_ENTRIES - 1, 0),
		       MAX_ENTRIES - 1);
	ksft_test_result_pass("EINVAL: flags, count, alignment, page crossing\n");

	TEST_ASSERT_EQ(hcall(t->vcpu, GPA_NOWHERE, 1, 0), (uint64_t)-KVM_EFAULT);
	ksft_test_result_pass("EFAULT: batch outside guest memory\n");

	/* One good entry among bad ones: all consumed, four rejected. */
	memset(t->batch, 0, 5 * ENTRY_SIZE);
	set_entry(t, 0, GPA_NOWHERE, FILE_KEY, 1, KVM_PAGE_HINT_KIND_READ);
	set_entry(t, 1, GPA_A, FILE_KEY, 2, 0);
	set_entry(t, 2, GPA_A, FILE_KEY, 3, 99);
	set_entry(t, 3, GPA_A, FILE_KEY, 4, KVM_PAGE_HINT_KIND_READ);
	t->batch[3].reserved = 1;
	set_entry(t, 4, GPA_A, FILE_KEY, 5, KVM_PAGE_HINT_KIND_ZERO);
	rej = sysfs_read(KH "hints_rejected");
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 5, 0), 5);
	TEST_ASSERT_EQ(sysfs_read(KH "hints_rejected") - rej, 4);
	ksft_test_result_pass("bad entries skipped and counted\n");
}

static bool all_merged(struct kvm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < NR_PAGES; i++) {
		uint64_t a = pfn_of(addr_gpa2hva(vm, GPA_A + i * PAGE_SIZE));
		uint64_t b = pfn_of(addr_gpa2hva(vm, GPA_B + i * PAGE_SIZE));

		if (!a || a != b)
			return false;
	}
	return true;
}

static void test_merge(struct test_vm *t)
{
	unsigned int i, ms;
	uint64_t *pa, *pb;
	long merged;

	sysfs_write(KH "vm_hint_rate", "0");
	sysfs_write(KSM "pages_to_scan", "100");
	sysfs_write(KSM "sleep_millisecs", "20");
	sysfs_write(KH "mode", "hint");
	sysfs_write(KSM "run", "1");

	/* Same content and attributes in both slots, distinct per page. */
	guest_do(t->vcpu, OP_FILL, GPA_A, NR_PAGES, 1000);
	guest_do(t->vcpu, OP_FILL, GPA_B, NR_PAGES, 1000);
	TEST_ASSERT(!all_merged(t->vm), "pages merged before any hint");

	merged = sysfs_read(KH "pages_merged");
	for (i = 0; i < NR_PAGES; i++) {
		set_entry(t, 2 * i, GPA_A + i * PAGE_SIZE, FILE_KEY + 1, i,
			  KVM_PAGE_HINT_KIND_READ);
		set_entry(t, 2 * i + 1, GPA_B + i * PAGE_SIZE, FILE_KEY + 1, i,
			  KVM_PAGE_HINT_KIND_READ);
	}
	TEST_ASSERT_EQ(hcall(t->vcpu, t->batch_gpa, 2 * NR_PAGES, 0),
		       2 * NR_PAGES);

	for (ms = 0; ms < 30000 && !all_merged(t->vm); ms += 100)
		usleep(100 * 1000);
	pr_info("merge: %u ms, pages_merged +%ld, pages_sharing %ld\n", ms,
		sysfs_read(KH "pages_merged") - merged,
		sysfs_read(KSM "pages_sharing"));
	ksft_test_result(all_merged(t->vm),
			 "hinted identical pages merged (%u ms)\n", ms);

	/* Writes from each side after the merge stay on that side. */
	guest_do(t->vcpu, OP_FILL, GPA_A, 1, 5000);
	guest_do(t->vcpu, OP_FILL, GPA_B + PAGE_SIZE, 1, 6000);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_A, 1, 5000), 0);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_B, 1, 1000), 0);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_A + PAGE_SIZE, 1, 1001),
		       0);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_B + PAGE_SIZE, 1, 6000),
		       0);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_A + 2 * PAGE_SIZE,
				NR_PAGES - 2, 1002), 0);
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CHECK, GPA_B + 2 * PAGE_SIZE,
				NR_PAGES - 2, 1002), 0);
	/* And the host sees what the guest wrote. */
	pa = addr_gpa2hva(t->vm, GPA_A);
	pb = addr_gpa2hva(t->vm, GPA_B);
	TEST_ASSERT(pa[7] == pattern(5000, 7) && pb[7] == pattern(1000, 7),
		    "host view of slot A/B page 0 wrong after write");
	TEST_ASSERT(pfn_of(pa) != pfn_of(pb), "page 0 still shared after write");
	ksft_test_result_pass("writes after merge stay separate\n");
}

static void test_rate_limit(struct test_vm *t)
{
	long limited = sysfs_read(KH "hints_rate_limited");
	uint64_t r1, r2;
	unsigned int i;

	for (i = 0; i < MAX_ENTRIES; i++)
		set_entry(t, i, GPA_A + (i % NR_PAGES) * PAGE_SIZE,
			  FILE_KEY + 2, i, KVM_PAGE_HINT_KIND_READ);
	sysfs_write(KH "vm_hint_rate", "16");
	r1 = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
	r2 = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
	sysfs_write(KH "vm_hint_rate", "0");
	pr_info("rate limit 16/s: accepted %lu and %lu of %lu\n", r1, r2,
		MAX_ENTRIES);
	TEST_ASSERT(r1 <= 32 && r2 <= 32, "rate limit not applied");
	TEST_ASSERT(sysfs_read(KH "hints_rate_limited") - limited >=
		    (long)(2 * MAX_ENTRIES - r1 - r2), "hints_rate_limited");
	TEST_ASSERT_EQ(hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0),
		       MAX_ENTRIES);
	ksft_test_result_pass("vm_hint_rate gives partial counts\n");
}

/* A VM that opts in through vm_default and dies with hints queued. */
static void test_default_and_destroy(void)
{
	struct test_vm t2;
	unsigned int i;

	sysfs_write(KSM "run", "0");
	sysfs_write(KH "vm_default", "1");
	test_vm_create(&t2);
	add_region(&t2, SLOT_C, GPA_C);
	guest_do(t2.vcpu, OP_FILL, GPA_C, NR_PAGES, 1000);
	for (i = 0; i < NR_PAGES; i++)
		set_entry(&t2, i, GPA_C + i * PAGE_SIZE, FILE_KEY + 1, i,
			  KVM_PAGE_HINT_KIND_READ);
	TEST_ASSERT_EQ(hcall(t2.vcpu, t2.batch_gpa, NR_PAGES, 0), NR_PAGES);
	sysfs_write(KH "vm_default", "0");
	ksft_test_result_pass("vm_default=1 enables hinting without the cap\n");

	kvm_vm_free(t2.vm);
	/* Let ksmd meet the hints of the VM that is gone. */
	sysfs_write(KSM "run", "1");
	usleep(500 * 1000);
	ksft_test_result_pass("VM destroyed with hints pending\n");
}

int main(int argc, char *argv[])
{
	struct test_vm t;
	long taint;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_PAGE_HINT));
	TEST_REQUIRE(!access(KH "mode", W_OK));

	ksft_print_header();
	ksft_set_plan(12);

	save_knobs();
	atexit(restore_knobs);
	taint = sysfs_read("/proc/sys/kernel/tainted");

	test_vm_create(&t);
	add_region(&t, SLOT_A, GPA_A);
	add_region(&t, SLOT_B, GPA_B);

	test_abi(&t);
	test_merge(&t);
	test_rate_limit(&t);
	test_default_and_destroy();
	kvm_vm_free(t.vm);

	ksft_test_result(sysfs_read("/proc/sys/kernel/tainted") == taint,
			 "kernel not tainted\n");
	ksft_finished();
}
