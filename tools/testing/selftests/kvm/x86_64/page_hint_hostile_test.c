// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_PAGE_HINT against a hostile guest.
 *
 * The guest sends thousands of random batches: gfns inside and outside its
 * memory (its own page tables and code included, and the gfns right next to
 * its data slot), random kinds and reserved fields, keys and indices from a
 * few values, from the whole 64-bit range and from families that all fall
 * into one bucket of a (file_key ^ index * golden ratio) hash, counts at and
 * beyond the limits, bad flags, misaligned, page-crossing and unbacked
 * batch addresses, while ksmd (mode hint) merges whatever the hints point
 * at.  Many pages are identical and many differ but are hinted with the
 * same (file key, index).
 *
 * Next to the data slot's host memory, but in no memslot, the host keeps
 * "victim" pages: mergeable pairs with the same content as guest pages.  No
 * hint can name them, and in mode hint ksmd scans only hinted pages, so
 * they must never be merged.
 *
 * Afterwards every page must still hold exactly what the guest last wrote,
 * the hint stack, attribute table and checksum hash table must be within
 * their caps, slab and vmalloc use must not have grown by more than
 * MEM_GROWTH_KB and the kernel must not be tainted.
 *
 * It also prints the guest-measured cost of a KVM_HC_PAGE_HINT hypercall
 * (1 and 128 entries, 128 new attributes spread out or colliding) against
 * an unknown hypercall number.
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
#include "page_hint_util.h"

#define ENTRY_SIZE	sizeof(struct kvm_page_hint_entry)
#define MAX_ENTRIES	((uint64_t)(PAGE_SIZE / ENTRY_SIZE))

#define SLOT_DATA	10
#define GPA_DATA	0x40000000ULL
#define GFN_DATA	(GPA_DATA >> PAGE_SHIFT)
#define NR_PAGES	256
/* Pages below this share 8 contents; the others are all different. */
#define NR_SAME		128
/* Host pages outside the memslots, in pairs of guest page contents. */
#define NR_VICTIM	64
#define NR_ROUNDS	4
#define GPA_NOWHERE	BIT_ULL(40)
#define BENCH_CALLS	2000
/* Calls of the benchmarks that add new attributes on every call. */
#define BENCH_NEW_CALLS	64
#define HC_UNKNOWN	0x7fffULL
/* The multiplier of the old attribute hash, which these keys defeated. */
#define GOLDEN_RATIO	0x61C8864680B583EBULL

/*
 * Attribute table sizes of even and odd rounds: one where collisions could
 * build long chains, and a small one that evicts all the time.
 */
#define ATTR_BIG	"16384"
#define ATTR_SMALL	"64"
/* Slab + VmallocUsed growth allowed over the storm (KASAN adds noise). */
#define MEM_GROWTH_KB	(8 * 1024)

#define KSM		"/sys/kernel/mm/ksm/"
#define KH		"/sys/kernel/mm/ksm_hint/"

enum { OP_FILL = 1, OP_CHECK, OP_HOSTILE, OP_BENCH };

/* How a batch picks its (file key, index) pairs. */
enum { KEYS_FEW, KEYS_SPREAD, KEYS_COLLIDE, KEYS_MIXED };

/* Where things are, set by the host once. */
static struct {
	uint64_t batch_gva, batch_gpa, mem_gfns, seed, collide;
} g;

/* Outcome of the hostile batches, read back by the host. */
static struct {
	uint64_t batches, einval, efault, accepted, entries, collide;
} stats;

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

/* Pages at @p (guest or host view of the data) not as @round wrote them. */
static uint64_t pages_bad(const uint64_t *p, uint64_t round)
{
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

static uint64_t guest_check(uint64_t round)
{
	return pages_bad((const uint64_t *)GPA_DATA, round);
}

static uint64_t rnd(void)
{
	/* xorshift64*: a guest needs no better randomness to be hostile. */
	g.seed ^= g.seed >> 12;
	g.seed ^= g.seed << 25;
	g.seed ^= g.seed >> 27;
	return g.seed * 0x2545f4914f6cdd1dULL;
}

/*
 * Attribute @i of a family that a (file_key ^ index * golden ratio) hash
 * puts in one bucket, whatever its seed: the index terms cancel out.
 */
static void collide_key(struct kvm_page_hint_entry *e, uint64_t i)
{
	e->file_key = g.collide ^ (i * GOLDEN_RATIO);
	e->index = i;
}

static void random_key(struct kvm_page_hint_entry *e, uint64_t keys)
{
	if (keys == KEYS_MIXED)
		keys = rnd() % KEYS_MIXED;
	switch (keys) {
	case KEYS_FEW:
		/* Few attributes: matches, stack pushes and merges. */
		e->file_key = rnd() % 4;
		e->index = rnd() % 64;
		break;
	case KEYS_SPREAD:
		e->file_key = rnd();
		e->index = rnd();
		break;
	default:
		collide_key(e, rnd());
		break;
	}
}

static void random_entry(struct kvm_page_hint_entry *e, uint64_t keys)
{
	switch (rnd() % 5) {
	case 0:
	case 1:
		e->gfn = GFN_DATA + rnd() % NR_PAGES;
		break;
	case 2:
		/* Anywhere in guest memory: code, stack, page tables. */
		e->gfn = rnd() % g.mem_gfns;
		break;
	case 3:
		/* Just outside the data slot, as far as the victims reach. */
		if (rnd() % 2)
			e->gfn = GFN_DATA + NR_PAGES + rnd() % NR_VICTIM;
		else
			e->gfn = GFN_DATA - 1 - rnd() % NR_VICTIM;
		break;
	default:
		e->gfn = rnd();
		break;
	}
	random_key(e, keys);
	e->kind = rnd() % 6;
	e->reserved = rnd() % 16 ? 0 : rnd();
}

static void guest_hostile(uint64_t nbatches)
{
	struct kvm_page_hint_entry *b = (void *)g.batch_gva;
	uint64_t n, i;

	for (n = 0; n < nbatches; n++) {
		uint64_t gpa = g.batch_gpa, count, flags = 0, expect = 0, r;
		uint64_t keys = rnd() % (KEYS_MIXED + 1);

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
			random_entry(&b[i], keys);
		stats.collide += keys == KEYS_COLLIDE;

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

/*
 * Cycles per call of hypercall @nr with a batch of @count valid entries:
 * the same batch on every call (KEYS_FEW), or attributes never seen before
 * on every call, spread over the key space (KEYS_SPREAD) or all of one
 * colliding family (KEYS_COLLIDE).
 */
static uint64_t guest_bench(uint64_t nr, uint64_t count, uint64_t keys)
{
	uint64_t calls = keys == KEYS_FEW ? BENCH_CALLS : BENCH_NEW_CALLS;
	struct kvm_page_hint_entry *b = (void *)g.batch_gva;
	uint64_t c, i, t0, cycles = 0;

	for (c = 0; c < calls; c++) {
		if (c && keys == KEYS_FEW)
			goto call;
		for (i = 0; i < count; i++) {
			b[i] = (struct kvm_page_hint_entry) {
				.gfn = GFN_DATA + i % NR_PAGES,
				.file_key = 0x1234, .index = i,
				.kind = KVM_PAGE_HINT_KIND_READ,
			};
			if (keys == KEYS_SPREAD)
				random_key(&b[i], KEYS_SPREAD);
			else if (keys == KEYS_COLLIDE)
				collide_key(&b[i], c * count + i);
		}
call:
		t0 = rdtsc();
		kvm_hypercall(nr, g.batch_gpa, count, 0, 0);
		cycles += rdtsc() - t0;
	}
	return cycles / calls;
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
			r = guest_bench(cmd.a0, cmd.a1, cmd.a2);
			break;
		default:
			GUEST_FAIL("unknown op %lu", cmd.op);
		}
		GUEST_SYNC(r);
	}
}

static const char * const knobs[] = {
	KSM "run", KSM "pages_to_scan", KSM "sleep_millisecs",
	KH "vm_hint_rate", KH "mode", KH "attr_table_size",
	KH "hint_stack_size",
};

static long meminfo_kb(const char *field)
{
	size_t len = strlen(field);
	char line[128];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	TEST_ASSERT(f, "open /proc/meminfo");
	while (kb < 0 && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	TEST_ASSERT(kb >= 0, "no %s in /proc/meminfo", field);
	return kb;
}

static long kernel_mem_kb(void)
{
	return meminfo_kb("Slab") + meminfo_kb("VmallocUsed");
}

/*
 * The hint tables stay within their caps whatever the guest sends.  The
 * checksum hash table holds hinted pages of live mms only, one entry per
 * page: here at most the pages of this VM, @vm_pages, and never more than
 * its buckets' total depth, hash_table_size (sized from RAM at boot).
 */
static bool check_caps(long vm_pages)
{
	long stack = sysfs_read(KH "hint_stack_entries");
	long stack_size = sysfs_read(KH "hint_stack_size");
	long attrs = sysfs_read(KH "attr_table_entries");
	long attr_size = sysfs_read(KH "attr_table_size");
	long table = sysfs_read(KH "hash_table_pages");
	long table_size = sysfs_read(KH "hash_table_size");
	bool ok;

	ok = stack >= 0 && stack <= stack_size &&
	     attrs >= 0 && attrs <= attr_size &&
	     table >= 0 && table <= table_size && table <= vm_pages;
	if (!ok)
		ksft_print_msg("over a cap: stack %ld/%ld attrs %ld/%ld hash table %ld/%ld/%ld\n",
			       stack, stack_size, attrs, attr_size, table,
			       table_size, vm_pages);
	return ok;
}

/* Polls until ksmd has taken every hint; returns the entries left. */
static long wait_stack_empty(unsigned int timeout_ms)
{
	unsigned int ms;
	long n;

	for (ms = 0; (n = sysfs_read(KH "hint_stack_entries")) &&
	     ms < timeout_ms; ms += 20)
		usleep(20 * 1000);
	return n;
}

static uint64_t host_check(struct kvm_vm *vm, uint64_t round)
{
	return pages_bad(addr_gpa2hva(vm, GPA_DATA), round);
}

static uint64_t *victims;

static void victims_map(void *near)
{
	size_t len = NR_VICTIM * PAGE_SIZE;

	/* Only a hint: where the guest's out-of-slot gfns would point. */
	victims = mmap(near, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(victims != MAP_FAILED, "mmap victims");
	TEST_ASSERT(!madvise(victims, len, MADV_NOHUGEPAGE), "MADV_NOHUGEPAGE");
	TEST_ASSERT(!madvise(victims, len, MADV_MERGEABLE), "MADV_MERGEABLE");
	ksft_print_msg("victim pages at %p, %s the data slot's memory\n",
		       victims, (void *)victims == near ? "right after" :
		       "not next to");
}

/* Victim pages 2k and 2k + 1 hold what guest page 7k holds in @round. */
static uint64_t victim_twin(uint64_t v)
{
	return v / 2 * 7 % NR_PAGES;
}

static void victims_fill(uint64_t round)
{
	uint64_t i, w;

	for (i = 0; i < NR_VICTIM; i++)
		for (w = 0; w < PAGE_SIZE / 8; w++)
			victims[i * PAGE_SIZE / 8 + w] =
				pattern(page_seed(victim_twin(i), round), w);
}

/*
 * Victim pages that share a page frame with their twin or with a guest
 * data page.  In mode hint ksmd scans hinted pages only, and no gfn leads
 * to a victim, so each one found is memory that a guest named without
 * owning it.
 */
static unsigned int victims_merged(struct kvm_vm *vm)
{
	uint64_t v[NR_VICTIM], d[NR_PAGES];
	unsigned int i, j, bad = 0;
	bool shared;

	read_pfns(victims, NR_VICTIM, v);
	read_pfns(addr_gpa2hva(vm, GPA_DATA), NR_PAGES, d);
	for (i = 0; i < NR_VICTIM; i++) {
		TEST_ASSERT(v[i], "victim page %u not present", i);
		shared = v[i] == v[i ^ 1];
		for (j = 0; j < NR_PAGES && !shared; j++)
			shared = v[i] == d[j];
		bad += shared;
	}
	return bad;
}

static void bench(struct kvm_vcpu *vcpu)
{
	uint64_t unk, one, full, spread, collide;

	unk = guest_do(vcpu, OP_BENCH, HC_UNKNOWN, 1, KEYS_FEW);
	one = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, 1, KEYS_FEW);
	full = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, MAX_ENTRIES,
			KEYS_FEW);
	spread = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, MAX_ENTRIES,
			  KEYS_SPREAD);
	collide = guest_do(vcpu, OP_BENCH, KVM_HC_PAGE_HINT, MAX_ENTRIES,
			   KEYS_COLLIDE);
	ksft_print_msg("cycles per hypercall, guest rdtsc over %d calls (%d for new attributes):\n",
		       BENCH_CALLS, BENCH_NEW_CALLS);
	ksft_print_msg("  unknown hypercall nr:                    %lu\n", unk);
	ksft_print_msg("  KVM_HC_PAGE_HINT 1 entry:                %lu\n", one);
	ksft_print_msg("  KVM_HC_PAGE_HINT %lu entries:            %lu\n",
		       MAX_ENTRIES, full);
	ksft_print_msg("  KVM_HC_PAGE_HINT %lu new attrs, spread:  %lu\n",
		       MAX_ENTRIES, spread);
	ksft_print_msg("  KVM_HC_PAGE_HINT %lu new attrs, collide: %lu\n",
		       MAX_ENTRIES, collide);
}

int main(int argc, char *argv[])
{
	uint64_t nbatches = 4000, round, bad;
	struct userspace_mem_region *slot0;
	unsigned int victim_bad = 0;
	long taint, mem0, mem1, vm_pages, left;
	struct kvm_vcpu *vcpu;
	bool caps_ok = true;
	struct kvm_vm *vm;
	vm_vaddr_t gva;
	void *hva;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			nbatches = strtoull(optarg, NULL, 0);
	}

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_PAGE_HINT));
	TEST_REQUIRE(!access(KH "mode", W_OK));

	ksft_print_header();
	ksft_set_plan(7);
	ph_save_knobs(knobs, ARRAY_SIZE(knobs));
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
	victims_map(hva + NR_PAGES * PAGE_SIZE);

	gva = vm_vaddr_alloc_page(vm);
	g.batch_gva = gva;
	g.batch_gpa = addr_gva2gpa(vm, gva);
	/* Slot 0 and a little beyond it. */
	g.mem_gfns = slot0->region.memory_size / PAGE_SIZE + 64;
	g.seed = 0x5eed0fba5eba11ULL;
	g.collide = 0x636f6c6c69646521ULL;
	sync_global_to_guest(vm, g);
	vm_pages = slot0->region.memory_size / PAGE_SIZE + NR_PAGES;

	/* A small stack, so that the overwrite path runs too. */
	sysfs_write(KH "vm_hint_rate", "0");
	sysfs_write(KH "attr_table_size", ATTR_BIG);
	sysfs_write(KH "hint_stack_size", "64");
	sysfs_write(KH "mode", "hint");
	sysfs_write(KSM "pages_to_scan", "200");
	sysfs_write(KSM "sleep_millisecs", "10");
	sysfs_write(KSM "run", "1");

	guest_do(vcpu, OP_FILL, 0, 0, 0);
	bench(vcpu);
	ksft_test_result_pass("hypercall cost measured\n");

	mem0 = kernel_mem_kb();
	for (round = 0; round < NR_ROUNDS; round++) {
		sysfs_write(KH "attr_table_size",
			    round % 2 ? ATTR_SMALL : ATTR_BIG);
		victims_fill(round);
		guest_do(vcpu, OP_FILL, round, 0, 0);
		guest_do(vcpu, OP_HOSTILE, nbatches / NR_ROUNDS, 0, 0);
		caps_ok &= check_caps(vm_pages);
		/* Let ksmd work through what the guest hinted. */
		usleep(500 * 1000);
		caps_ok &= check_caps(vm_pages);
		victim_bad += victims_merged(vm);
		TEST_ASSERT_EQ(guest_do(vcpu, OP_CHECK, round, 0, 0), 0);
		TEST_ASSERT_EQ(host_check(vm, round), 0);
	}
	/* Every hint taken, the victims have met all there is to meet. */
	left = wait_stack_empty(10000);
	victim_bad += victims_merged(vm);
	caps_ok &= check_caps(vm_pages);
	sysfs_write(KH "attr_table_size", ATTR_BIG);
	mem1 = kernel_mem_kb();

	sync_global_from_guest(vm, stats);
	ksft_print_msg("hostile batches: %lu (einval %lu, efault %lu, colliding keys %lu)\n",
		       stats.batches, stats.einval, stats.efault,
		       stats.collide);
	ksft_print_msg("entries in accepted batches: %lu, consumed %lu\n",
		       stats.entries, stats.accepted);
	ksft_print_msg("ksm_hint: received %ld rejected %ld attr_matches %ld\n",
		       sysfs_read(KH "hints_received"),
		       sysfs_read(KH "hints_rejected"),
		       sysfs_read(KH "attr_matches"));
	ksft_print_msg("ksm_hint: stack_overwrites %ld pages_merged %ld hash_table_pages %ld\n",
		       sysfs_read(KH "stack_overwrites"),
		       sysfs_read(KH "pages_merged"),
		       sysfs_read(KH "hash_table_pages"));
	ksft_print_msg("ksm: pages_sharing %ld\n", sysfs_read(KSM "pages_sharing"));
	ksft_print_msg("Slab + VmallocUsed: %ld kB before the storm, %ld kB after\n",
		       mem0, mem1);
	TEST_ASSERT_EQ(stats.batches, nbatches / NR_ROUNDS * NR_ROUNDS);
	ksft_test_result_pass("%lu hostile batches handled\n", stats.batches);

	ksft_test_result(!left && !victim_bad,
			 "memory in no memslot never merged (%u victim pages shared, %ld hints left)\n",
			 victim_bad, left);

	/* The linear scan too, over what the hints left behind. */
	sysfs_write(KH "mode", "hybrid");
	usleep(1000 * 1000);
	ksft_print_msg("victim pages shared after 1 s of hybrid (linear scan allowed): %u\n",
		       victims_merged(vm));
	bad = guest_do(vcpu, OP_CHECK, NR_ROUNDS - 1, 0, 0) +
	      host_check(vm, NR_ROUNDS - 1);
	ksft_test_result(!bad, "guest memory intact (%lu bad pages)\n", bad);
	caps_ok &= check_caps(vm_pages);
	ksft_test_result(caps_ok,
			 "hint stack, attribute and hash tables within caps\n");
	ksft_test_result(mem1 - mem0 < MEM_GROWTH_KB,
			 "Slab + VmallocUsed grew %ld kB (< %d kB)\n",
			 mem1 - mem0, MEM_GROWTH_KB);

	kvm_vm_free(vm);
	ksft_test_result(sysfs_read("/proc/sys/kernel/tainted") == taint,
			 "kernel not tainted\n");
	ksft_finished();
}
