// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_PAGE_HINT: the hypercall's ABI (opt-in, argument checks, skipped
 * entries, the per-VM rate limit and its exact counts) and its purpose:
 * pages that two memslots hold with the same content and the same (file
 * key, index) get merged by ksmd in mode=hint, and only once hinted, and
 * writes afterwards keep each side's data its own.  Also the host's view:
 * the global counters, the per-source counters in debugfs and the hint
 * stack, which ksmd empties of a destroyed VM's hints.
 *
 * Needs root (sysfs knobs, PFNs in /proc/self/pagemap).  The per-source
 * checks are skipped when debugfs is not mounted.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
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
#include "page_hint_util.h"

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
#define KH_DEBUGFS	"/sys/kernel/debug/ksm_hint/"

enum { OP_HCALL = 1, OP_FILL, OP_CHECK, OP_CPUID };

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

static uint64_t hcall(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t nr,
		      uint64_t flags)
{
	return guest_do(vcpu, OP_HCALL, gpa, nr, flags);
}

/* Knobs this test changes, put back at exit. */
static const char * const knobs[] = {
	KSM "run", KSM "pages_to_scan", KSM "sleep_millisecs",
	KH "vm_default", KH "vm_hint_rate", KH "mode",
};

static unsigned int ms_since(struct timespec start)
{
	return timespec_to_ns(timespec_elapsed(start)) / 1000000;
}

/* Polls until the hint stack is empty; returns the entries left. */
static long wait_stack_empty(unsigned int timeout_ms, unsigned int *ms)
{
	struct timespec start;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((n = sysfs_read(KH "hint_stack_entries")) &&
	       ms_since(start) < timeout_ms)
		usleep(20 * 1000);
	*ms = ms_since(start);
	return n;
}

/* One line of the debugfs list of hint sources. */
struct src_stat {
	uint64_t id;
	long received, rejected, limited;
};

#define MAX_SOURCES	8

/*
 * The hint sources of this process's VMs (all named "kvm-<pid>"): stores up
 * to @max of them in @out and returns how many there are, or -1 when
 * debugfs is not mounted.
 */
static int read_sources(struct src_stat *out, int max)
{
	char line[256], name[64], mine[32];
	struct src_stat s;
	int n = 0;
	FILE *f;

	if (access(KH_DEBUGFS, F_OK))
		return -1;
	f = fopen(KH_DEBUGFS "sources", "r");
	TEST_ASSERT(f, "open " KH_DEBUGFS "sources");
	snprintf(mine, sizeof(mine), "kvm-%d", getpid());
	while (fgets(line, sizeof(line), f)) {
		TEST_ASSERT(sscanf(line, "%lu %63s received=%ld rejected=%ld rate_limited=%ld",
				   &s.id, name, &s.received, &s.rejected,
				   &s.limited) == 5,
			    "bad line in sources: %s", line);
		if (strcmp(name, mine))
			continue;
		if (n < max)
			out[n] = s;
		n++;
	}
	fclose(f);
	TEST_ASSERT(!out || n <= max, "%d sources named %s", n, mine);
	return n;
}

/* Sums the counters of this process's sources; false without debugfs. */
static bool sum_sources(struct src_stat *sum)
{
	struct src_stat s[MAX_SOURCES];
	int i, n = read_sources(s, MAX_SOURCES);

	memset(sum, 0, sizeof(*sum));
	if (n < 0)
		return false;
	for (i = 0; i < n; i++) {
		sum->received += s[i].received;
		sum->rejected += s[i].rejected;
		sum->limited += s[i].limited;
	}
	return true;
}

static bool has_source(const struct src_stat *s, int n, uint64_t id)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i].id == id)
			return true;
	return false;
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
	struct src_stat s0, s1;
	uint64_t gpa = t->batch_gpa;
	long rcv, rej;
	int r;

	TEST_ASSERT(kvm_cpu_has(X86_FEATURE_KVM_PAGE_HINT),
		    "KVM_FEATURE_PAGE_HINT not in KVM_GET_SUPPORTED_CPUID");
	TEST_ASSERT_EQ(guest_do(t->vcpu, OP_CPUID, 0, 0, 0), 1);
	ksft_test_result_pass("feature bit\n");

	/* A good entry and a bad one: neither may be looked at. */
	set_entry(t, 0, GPA_A, FILE_KEY, 0, KVM_PAGE_HINT_KIND_READ);
	set_entry(t, 1, GPA_NOWHERE, FILE_KEY, 1, KVM_PAGE_HINT_KIND_READ);
	sysfs_write(KH "vm_default", "0");
	sysfs_write(KH "vm_hint_rate", "0");
	/* Hints in mode hint, but ksmd asleep: they stay on the stack. */
	sysfs_write(KSM "run", "0");
	sysfs_write(KH "mode", "hint");
	rcv = sysfs_read(KH "hints_received");
	rej = sysfs_read(KH "hints_rejected");
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 2, 0), (uint64_t)-KVM_ENOSYS);
	/* Not even the argument checks run without opt-in. */
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 0, 1), (uint64_t)-KVM_ENOSYS);
	ksft_test_result_pass("ENOSYS before opt-in\n");
	r = read_sources(NULL, 0);
	ksft_test_result(sysfs_read(KH "hints_received") == rcv &&
			 sysfs_read(KH "hints_rejected") == rej && r <= 0,
			 "ENOSYS counts nothing and creates no source (%d)\n", r);

	r = __vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 2);
	TEST_ASSERT(r == -1 && errno == EINVAL, "KVM_CAP_PAGE_HINT arg 2: %d", r);
	vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 1);
	vm_enable_cap(t->vm, KVM_CAP_PAGE_HINT, 1);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 0), 1);
	ksft_test_result_pass("KVM_CAP_PAGE_HINT opt-in\n");

	/* Mode off: nothing would scan hints, so none are taken. */
	sysfs_write(KH "mode", "off");
	rcv = sysfs_read(KH "hints_received");
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 0), (uint64_t)-KVM_ENOSYS);
	ksft_test_result(sysfs_read(KH "hints_received") == rcv,
			 "ENOSYS in mode off, after opt-in, counting nothing\n");
	sysfs_write(KH "mode", "hint");
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 1, 0), 1);

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
	sum_sources(&s0);
	TEST_ASSERT_EQ(hcall(t->vcpu, gpa, 5, 0), 5);
	TEST_ASSERT_EQ(sysfs_read(KH "hints_rejected") - rej, 4);
	ksft_test_result_pass("bad entries skipped and counted\n");

	/* The same counts on this VM's own line of the sources file. */
	if (sum_sources(&s1))
		ksft_test_result(s1.rejected - s0.rejected == 4 &&
				 s1.received - s0.received == 1,
				 "per-VM counters: rejected +%ld received +%ld\n",
				 s1.rejected - s0.rejected,
				 s1.received - s0.received);
	else
		ksft_test_result_skip("per-VM counters: no debugfs\n");
}

/* Page pairs that slots A and B share. */
static unsigned int nr_merged(struct kvm_vm *vm)
{
	unsigned int i, n = 0;

	for (i = 0; i < NR_PAGES; i++) {
		uint64_t a = pfn_of(addr_gpa2hva(vm, GPA_A + i * PAGE_SIZE));
		uint64_t b = pfn_of(addr_gpa2hva(vm, GPA_B + i * PAGE_SIZE));

		n += a && a == b;
	}
	return n;
}

static void test_merge(struct test_vm *t)
{
	struct timespec start;
	unsigned int i, n, ms;
	long merged, scans;
	uint64_t *pa, *pb;

	sysfs_write(KH "vm_hint_rate", "0");
	sysfs_write(KSM "pages_to_scan", "100");
	sysfs_write(KSM "sleep_millisecs", "20");
	sysfs_write(KH "mode", "hint");
	sysfs_write(KSM "run", "1");

	/* Same content and attributes in both slots, distinct per page. */
	guest_do(t->vcpu, OP_FILL, GPA_A, NR_PAGES, 1000);
	guest_do(t->vcpu, OP_FILL, GPA_B, NR_PAGES, 1000);

	/*
	 * Mode hint: ksmd's linear scan does not run, so 50 scan intervals,
	 * in which it would merge all 64 pages several times over, merge
	 * nothing: merging comes from hints.
	 */
	scans = sysfs_read(KSM "full_scans");
	usleep(50 * 20 * 1000);
	n = nr_merged(t->vm);
	ksft_test_result(!n && sysfs_read(KSM "full_scans") == scans,
			 "nothing merged without hints (%u pairs, full_scans +%ld)\n",
			 n, sysfs_read(KSM "full_scans") - scans);

	merged = sysfs_read(KH "pages_merged");
	for (i = 0; i < NR_PAGES; i++) {
		set_entry(t, 2 * i, GPA_A + i * PAGE_SIZE, FILE_KEY + 1, i,
			  KVM_PAGE_HINT_KIND_READ);
		set_entry(t, 2 * i + 1, GPA_B + i * PAGE_SIZE, FILE_KEY + 1, i,
			  KVM_PAGE_HINT_KIND_READ);
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	TEST_ASSERT_EQ(hcall(t->vcpu, t->batch_gpa, 2 * NR_PAGES, 0),
		       2 * NR_PAGES);

	/* Generous: the host may itself be an emulated (TCG) machine. */
	while ((n = nr_merged(t->vm)) < NR_PAGES && ms_since(start) < 20000)
		usleep(50 * 1000);
	ms = ms_since(start);
	merged = sysfs_read(KH "pages_merged") - merged;
	pr_info("merge: %u of %u pairs in %u ms, pages_merged +%ld, pages_sharing %ld\n",
		n, NR_PAGES, ms, merged, sysfs_read(KSM "pages_sharing"));
	ksft_test_result(n == NR_PAGES,
			 "hinted identical pages merged (%u of %u pairs, %u ms)\n",
			 n, NR_PAGES, ms);
	ksft_test_result(merged >= NR_PAGES, "pages_merged +%ld >= %u\n",
			 merged, NR_PAGES);

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

static void set_batch(struct test_vm *t, uint64_t gpa, uint64_t key)
{
	unsigned int i;

	for (i = 0; i < MAX_ENTRIES; i++)
		set_entry(t, i, gpa + (i % NR_PAGES) * PAGE_SIZE, key, i,
			  KVM_PAGE_HINT_KIND_READ);
}

/*
 * vm_hint_rate=16: a bucket holds at most 16 tokens, one per entry, valid
 * or not.  A call returns how many leading entries it consumed; the rest
 * were not looked at and are counted in hints_rate_limited.
 */
static void test_rate_limit(struct test_vm *t)
{
	uint64_t r1, r2, r3, r4;
	long limited, rejected;
	struct test_vm t3;

	/* A second VM of this process, opted in, with a bucket of its own. */
	test_vm_create(&t3);
	add_region(&t3, SLOT_C, GPA_C);
	vm_enable_cap(t3.vm, KVM_CAP_PAGE_HINT, 1);
	/* Its first run is slow: have it done before the timed part. */
	TEST_ASSERT_EQ(guest_do(t3.vcpu, OP_CPUID, 0, 0, 0), 1);
	set_batch(&t3, GPA_C, FILE_KEY + 3);

	set_batch(t, GPA_A, FILE_KEY + 2);
	sysfs_write(KH "vm_hint_rate", "16");
	/* Whatever the buckets held, a second of rest fills both. */
	usleep(1100 * 1000);
	limited = sysfs_read(KH "hints_rate_limited");
	r1 = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
	r2 = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
	pr_info("rate limit 16/s: accepted %lu and %lu of %lu\n", r1, r2,
		MAX_ENTRIES);
	TEST_ASSERT(r1 >= 1 && r1 <= 32 && r1 < MAX_ENTRIES,
		    "first call under the rate limit returned %lu", r1);
	TEST_ASSERT(r2 <= 32, "second call under the rate limit returned %lu",
		    r2);
	TEST_ASSERT_EQ(sysfs_read(KH "hints_rate_limited") - limited,
		       2 * MAX_ENTRIES - r1 - r2);
	ksft_test_result_pass("vm_hint_rate gives partial, exactly counted returns\n");

	/* Bad entries cost tokens too: the limit bounds a VM's work. */
	set_batch(t, GPA_NOWHERE, FILE_KEY + 2);
	limited = sysfs_read(KH "hints_rate_limited");
	rejected = sysfs_read(KH "hints_rejected");
	r3 = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
	limited = sysfs_read(KH "hints_rate_limited") - limited;
	rejected = sysfs_read(KH "hints_rejected") - rejected;
	ksft_test_result(r3 <= 32 && r3 < MAX_ENTRIES &&
			 limited == (long)(MAX_ENTRIES - r3) &&
			 rejected == (long)r3,
			 "rate limit applies to bad entries (%lu consumed, rejected +%ld, rate_limited +%ld)\n",
			 r3, rejected, limited);

	/* The first VM ran dry just now; the second's bucket is still full. */
	limited = sysfs_read(KH "hints_rate_limited");
	r4 = hcall(t3.vcpu, t3.batch_gpa, MAX_ENTRIES, 0);
	limited = sysfs_read(KH "hints_rate_limited") - limited;
	ksft_test_result(r4 >= 1 && r4 <= 32 &&
			 limited == (long)(MAX_ENTRIES - r4),
			 "rate limit is per VM (second VM: %lu of %lu)\n", r4,
			 MAX_ENTRIES);

	sysfs_write(KH "vm_hint_rate", "0");
	kvm_vm_free(t3.vm);
	set_batch(t, GPA_A, FILE_KEY + 2);
	TEST_ASSERT_EQ(hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0),
		       MAX_ENTRIES);
}

/*
 * The batch page vanishes between two of the host's chunk reads (the VMM
 * unmapping guest memory under the guest's feet): the host must answer
 * with the prefix it submitted, never -KVM_EFAULT after submitting some,
 * and count exactly what it says it took.  A thread flips the page's
 * protection while the guest sends full batches; how often the flip lands
 * between chunks is luck, so that count is printed, not required.
 */
#define EFAULT_ROUNDS	3000

static int flip_stop;

static void *flip_batch_page(void *page)
{
	while (!READ_ONCE(flip_stop)) {
		mprotect(page, PAGE_SIZE, PROT_NONE);
		sched_yield();
		mprotect(page, PAGE_SIZE, PROT_READ | PROT_WRITE);
		sched_yield();
	}
	return NULL;
}

static void test_efault_prefix(struct test_vm *t)
{
	unsigned int full = 0, partial = 0, efault = 0, bad = 0, i;
	long rcv, got;
	pthread_t flipper;
	uint64_t r;

	set_batch(t, GPA_A, FILE_KEY + 5);
	WRITE_ONCE(flip_stop, 0);
	pthread_create(&flipper, NULL, flip_batch_page, t->batch);
	for (i = 0; i < EFAULT_ROUNDS; i++) {
		rcv = sysfs_read(KH "hints_received");
		r = hcall(t->vcpu, t->batch_gpa, MAX_ENTRIES, 0);
		got = sysfs_read(KH "hints_received") - rcv;
		if (r == (uint64_t)-KVM_EFAULT && !got)
			efault++;
		else if (r == MAX_ENTRIES && got == (long)r)
			full++;
		else if (r && r < MAX_ENTRIES && got == (long)r)
			partial++;
		else if (bad++ < 5)
			pr_info("returned %ld, hints_received +%ld\n",
				(long)r, got);
	}
	WRITE_ONCE(flip_stop, 1);
	pthread_join(flipper, NULL);
	ksft_test_result(!bad && efault && full,
			 "batch unmapped mid-call: %u full, %u prefixes, %u EFAULT with nothing taken, %u wrong\n",
			 full, partial, efault, bad);
}

/* A VM that opts in through vm_default and dies with hints queued. */
static void test_default_and_destroy(void)
{
	struct src_stat before[MAX_SOURCES], now[MAX_SOURCES];
	int i, nb, nn, found = 0;
	uint64_t id = 0;
	struct timespec start;
	struct test_vm t2;
	unsigned int ms;
	long n, want;

	/* Start from an empty stack: ksmd (mode hint) drains it. */
	sysfs_write(KH "mode", "hint");
	sysfs_write(KSM "run", "1");
	n = wait_stack_empty(10000, &ms);
	TEST_ASSERT(!n, "%ld hints left on the stack after %u ms", n, ms);
	/* Stopped, ksmd leaves the hints pushed from now on where they are. */
	sysfs_write(KSM "run", "0");
	nb = read_sources(before, MAX_SOURCES);

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

	/*
	 * test_merge left (FILE_KEY + 1, i) to slot B's page i of the first
	 * VM, so each hint here is a match that pushes both pages.
	 */
	want = min((long)sysfs_read(KH "hint_stack_size"), 2L * NR_PAGES);
	n = sysfs_read(KH "hint_stack_entries");
	ksft_test_result(n == want, "hint_stack_entries %ld of %ld pending\n",
			 n, want);

	/* The new VM's source: the one line of this process not seen before. */
	nn = read_sources(now, MAX_SOURCES);
	for (i = 0; i < nn; i++) {
		if (has_source(before, nb, now[i].id))
			continue;
		id = now[i].id;
		found++;
	}
	TEST_ASSERT(nb < 0 || (found == 1 && nn == nb + 1),
		    "%d new sources, %d before, %d now", found, nb, nn);

	kvm_vm_free(t2.vm);
	/* ksmd meets the hints of the VM that is gone, and drops them. */
	sysfs_write(KSM "run", "1");
	n = wait_stack_empty(10000, &ms);
	ksft_test_result(!n, "VM destroyed with hints pending: stack drained (%ld left, %u ms)\n",
			 n, ms);

	if (nb < 0) {
		ksft_test_result_skip("destroyed VM's source removed: no debugfs\n");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		nn = read_sources(now, MAX_SOURCES);
		if (!has_source(now, nn, id) || ms_since(start) >= 10000)
			break;
		usleep(50 * 1000);
	}
	for (i = 0, found = 0; i < nb; i++)
		found += has_source(now, nn, before[i].id);
	ksft_test_result(!has_source(now, nn, id) && nn == nb && found == nb,
			 "destroyed VM's source %lu removed, %d others kept\n",
			 id, found);
}

/*
 * KVM_CAP_PAGE_HINT with args[0] = 0 keeps hinting off even when
 * vm_default is 1; once on, hinting cannot be turned off.
 */
static void test_opt_out(void)
{
	struct test_vm t4;
	int r;

	sysfs_write(KH "vm_default", "1");
	test_vm_create(&t4);
	set_entry(&t4, 0, t4.batch_gpa, FILE_KEY + 3, 0,
		  KVM_PAGE_HINT_KIND_READ);
	vm_enable_cap(t4.vm, KVM_CAP_PAGE_HINT, 0);
	vm_enable_cap(t4.vm, KVM_CAP_PAGE_HINT, 0);
	TEST_ASSERT_EQ(hcall(t4.vcpu, t4.batch_gpa, 1, 0),
		       (uint64_t)-KVM_ENOSYS);
	vm_enable_cap(t4.vm, KVM_CAP_PAGE_HINT, 1);
	TEST_ASSERT_EQ(hcall(t4.vcpu, t4.batch_gpa, 1, 0), 1);
	r = __vm_enable_cap(t4.vm, KVM_CAP_PAGE_HINT, 0);
	TEST_ASSERT(r == -1 && errno == EBUSY,
		    "KVM_CAP_PAGE_HINT 0 after 1: %d", r);
	sysfs_write(KH "vm_default", "0");
	kvm_vm_free(t4.vm);
	ksft_test_result_pass("KVM_CAP_PAGE_HINT 0 keeps a VM out of vm_default\n");
}

int main(int argc, char *argv[])
{
	struct test_vm t;
	long taint;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_PAGE_HINT));
	TEST_REQUIRE(!access(KH "mode", W_OK));

	ksft_print_header();
	ksft_set_plan(23);

	ph_save_knobs(knobs, ARRAY_SIZE(knobs));
	taint = sysfs_read("/proc/sys/kernel/tainted");

	test_vm_create(&t);
	add_region(&t, SLOT_A, GPA_A);
	add_region(&t, SLOT_B, GPA_B);

	test_abi(&t);
	test_merge(&t);
	test_rate_limit(&t);
	test_efault_prefix(&t);
	test_default_and_destroy();
	test_opt_out();
	kvm_vm_free(t.vm);

	ksft_test_result(sysfs_read("/proc/sys/kernel/tainted") == taint,
			 "kernel not tainted\n");
	ksft_finished();
}
