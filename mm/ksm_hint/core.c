// SPDX-License-Identifier: GPL-2.0
/*
 * Hint-driven KSM scanning: the core.
 *
 * Hint sources (VMs through KVM, processes through debugfs) report pages
 * that cache a file page (file key, index).  When two pages report the same
 * attribute, each is pushed onto the bounded LIFO hint stack (stack.c) of
 * its own source, and ksmd (mm/ksm.c) scans hinted pages before, or instead
 * of, its linear scan, taking one hint from each source with hints in turn:
 * a source that floods only overwrites its own oldest hints and gets one
 * scan in N when N sources have hints pending.
 *
 * Everything a source can fill is bounded by a knob: the attribute table
 * (attr.c) by attr_table_size and each source's stack by hint_stack_size.
 * Both are guarded by one spinlock, because ksm_hint_submit() runs on a
 * vCPU exit and must neither sleep nor wait for ksmd; no user is in
 * interrupt context, so it is a plain one.
 *
 * The attribute table names sources by a 64-bit id that is never reused,
 * never by pointer: a destroyed source leaves only ids behind that no
 * longer resolve.  Its stack and pending hints go with it.
 */

#define pr_fmt(fmt) "ksm_hint: " fmt

#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/ksm_hint.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "attr.h"
#include "core.h"
#include "stack.h"

#define CREATE_TRACE_POINTS
#include <trace/events/ksm_hint.h>

static atomic_long_t ksm_hint_stats[KSM_HINT_NR_STATS];

static DEFINE_SPINLOCK(ksm_hint_lock);
/* Serializes resizes, and source creation and removal against them. */
static DEFINE_MUTEX(ksm_hint_resize_mutex);
static DEFINE_HASHTABLE(ksm_hint_sources, 6);
/* Sources with hints pending, in the order ksmd takes from them. */
static LIST_HEAD(ksm_hint_active);
static unsigned int ksm_hint_pending_nr;	/* hints on all stacks */
static u64 ksm_hint_next_id = 1;
static struct ksm_hint_attr_table ksm_hint_attrs;
static u32 ksm_hint_bucket_seed __read_mostly;
/* log2 of the buckets of ksmd's checksum table, set when it is allocated */
static unsigned int ksm_hint_hash_bits __read_mostly = KSM_HINT_HASH_BITS_MIN;

static enum ksm_hint_mode ksm_hint_mode_val = KSM_HINT_MODE_OFF;
static unsigned int ksm_hint_stack_size = KSM_HINT_STACK_DEFAULT;
static unsigned int ksm_hint_attr_size = KSM_HINT_ATTR_DEFAULT_MIN;
static bool ksm_hint_vm_default_val;
static unsigned int ksm_hint_rate = KSM_HINT_RATE_DEFAULT;

const char * const ksm_hint_mode_names[3] = {
	[KSM_HINT_MODE_OFF] = "off",
	[KSM_HINT_MODE_HINT] = "hint",
	[KSM_HINT_MODE_HYBRID] = "hybrid",
};

static void kh_stat_add(enum ksm_hint_stat s, long v)
{
	atomic_long_add(v, &ksm_hint_stats[s]);
}

static u32 kh_bucket(u32 checksum, u32 seed, unsigned int bits)
{
	return hash_32(checksum ^ seed, bits);
}

/* ---- sources and submission ----------------------------------------- */

/* Called with ksm_hint_lock held: forget @src's pending hints. */
static void kh_drop_pending(struct ksm_hint_source *src)
{
	kh_stat_add(KSM_HINT_STAT_DROPPED, src->stack.count);
	ksm_hint_pending_nr -= src->stack.count;
	src->stack.count = 0;
	list_del_init(&src->active);
}

static struct ksm_hint_source *kh_find_source(u64 id)
{
	struct ksm_hint_source *src;

	hash_for_each_possible(ksm_hint_sources, src, hnode, id)
		if (src->id == id)
			return src;
	return NULL;
}

/**
 * ksm_hint_source_create - register a source of hints about one mm
 * @mm: the address space the source's hints point into
 * @name: a short name for diagnostics
 *
 * May sleep.  Holds a reference on @mm (mmgrab) until the source is
 * destroyed.  The source gets a hint stack of hint_stack_size slots.
 *
 * Return: the new source, or an ERR_PTR() on failure.
 */
struct ksm_hint_source *ksm_hint_source_create(struct mm_struct *mm,
					       const char *name)
{
	struct ksm_hint_source *src;

	if (!mm)
		return ERR_PTR(-EINVAL);
	src = kzalloc(sizeof(*src), GFP_KERNEL);
	if (!src)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&ksm_hint_resize_mutex);
	if (ksm_hint_stack_init(&src->stack, ksm_hint_stack_size)) {
		mutex_unlock(&ksm_hint_resize_mutex);
		kfree(src);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(src->name, name ? name : "", sizeof(src->name));
	INIT_LIST_HEAD(&src->active);
	mmgrab(mm);
	src->mm = mm;
	src->tb_stamp = jiffies;
	src->tb_tokens = READ_ONCE(ksm_hint_rate);

	spin_lock(&ksm_hint_lock);
	src->id = ksm_hint_next_id++;
	hash_add(ksm_hint_sources, &src->hnode, src->id);
	spin_unlock(&ksm_hint_lock);
	mutex_unlock(&ksm_hint_resize_mutex);
	return src;
}
EXPORT_SYMBOL_GPL(ksm_hint_source_create);

/**
 * ksm_hint_source_destroy - unregister a hint source
 * @src: the source, from ksm_hint_source_create()
 *
 * May sleep.  Hints still pending for @src are dropped with its stack.
 * ksmd takes its own mm reference under ksm_hint_lock, so dropping ours
 * here is safe.
 */
void ksm_hint_source_destroy(struct ksm_hint_source *src)
{
	if (IS_ERR_OR_NULL(src))
		return;
	mutex_lock(&ksm_hint_resize_mutex);
	spin_lock(&ksm_hint_lock);
	hash_del(&src->hnode);
	kh_drop_pending(src);
	spin_unlock(&ksm_hint_lock);
	mutex_unlock(&ksm_hint_resize_mutex);
	ksm_hint_stack_free(&src->stack);
	mmdrop(src->mm);
	kfree(src);
}
EXPORT_SYMBOL_GPL(ksm_hint_source_destroy);

/* Called with ksm_hint_lock held. */
static void kh_push(struct ksm_hint_source *src, unsigned long addr)
{
	bool overwrote = ksm_hint_stack_push(&src->stack, addr);

	if (overwrote) {
		kh_stat_add(KSM_HINT_STAT_STACK_OVERWRITES, 1);
	} else {
		ksm_hint_pending_nr++;
		if (list_empty(&src->active))
			list_add_tail(&src->active, &ksm_hint_active);
	}
	trace_ksm_hint_pushed(src->id, addr & PAGE_MASK, overwrote);
}

/* Called with ksm_hint_lock held, for one entry of a valid kind. */
static void kh_process(struct ksm_hint_source *src,
		       const struct ksm_hint_entry *e)
{
	struct ksm_hint_attr_table *t = &ksm_hint_attrs;
	unsigned long addr = e->addr & PAGE_MASK;
	struct ksm_hint_attr *a;

	if (e->kind == KSM_HINT_KIND_ZERO) {
		/*
		 * Zeroed pages match each other whatever file they were;
		 * ksmd checks that the page is zero before it acts on this.
		 */
		kh_push(src, addr | KSM_HINT_POP_ZERO);
		return;
	}
	a = ksm_hint_attr_lookup(t, e->file_key, e->index);
	if (e->kind == KSM_HINT_KIND_DROP) {
		/* Only the page that holds the attribute can give it up. */
		if (a && a->src_id == src->id && a->addr == addr)
			ksm_hint_attr_remove(t, a);
		return;
	}
	if (!a) {
		ksm_hint_attr_insert(t, e->file_key, e->index, src->id, addr);
		return;
	}
	ksm_hint_attr_touch(t, a);
	if (a->src_id == src->id && a->addr == addr)
		return;
	/* A second page with this attribute: both are worth a scan. */
	kh_stat_add(KSM_HINT_STAT_ATTR_MATCHES, 1);
	if (a->src_id == src->id) {
		kh_push(src, a->addr);
	} else {
		struct ksm_hint_source *other = kh_find_source(a->src_id);

		/* Each page waits on the stack of the source it is in. */
		if (other)
			kh_push(other, a->addr);
	}
	kh_push(src, addr);
	/* Remember the newest page; the older one is on the stack now. */
	a->src_id = src->id;
	a->addr = addr;
}

static unsigned int kh_take_tokens(struct ksm_hint_source *src,
				   unsigned int nr)
{
	unsigned int rate = READ_ONCE(ksm_hint_rate);
	unsigned long now = jiffies, elapsed = now - src->tb_stamp, add;

	if (!rate)
		return nr;
	if (elapsed >= HZ) {
		/* Idle for a second or more: a full bucket, no overflow. */
		src->tb_tokens = rate;
		src->tb_stamp = now;
	} else {
		add = elapsed * rate / HZ;
		if (add) {
			src->tb_tokens = min_t(unsigned long,
					       src->tb_tokens + add, rate);
			/* Keep the fraction of a token already earned. */
			src->tb_stamp += add * HZ / rate;
		} else if (src->tb_tokens > rate) {
			/* The rate was lowered. */
			src->tb_tokens = rate;
		}
	}
	nr = min_t(unsigned long, nr, src->tb_tokens);
	src->tb_tokens -= nr;
	return nr;
}

/**
 * ksm_hint_submit - hand a batch of hints to ksmd
 * @src: the source the hints come from
 * @ents: the hints; addresses are in @src's mm
 * @nr: number of entries in @ents
 *
 * Never sleeps and never waits for ksmd: usable on a vCPU exit.  Entries
 * are consumed in order, each costing one token of the source's
 * vm_hint_rate whether it is valid or not.  An entry of unknown kind
 * (front ends mark entries they found bad with KSM_HINT_KIND_INVALID) is
 * skipped and counted in hints_rejected.  When the tokens run out the rest
 * is not looked at and is counted in hints_rate_limited.
 *
 * Return: the number of leading entries consumed (processed or rejected);
 * less than @nr only when the rate limit stopped the batch.
 */
int ksm_hint_submit(struct ksm_hint_source *src,
		    const struct ksm_hint_entry *ents, unsigned int nr)
{
	unsigned int i, n, ok = 0, bad = 0;
	bool ready, was_idle, wake;

	if (!nr)
		return 0;
	spin_lock(&ksm_hint_lock);
	was_idle = !ksm_hint_pending_nr;
	n = kh_take_tokens(src, nr);
	/* Without tables (failed init) every hint is rejected. */
	ready = ksm_hint_attrs.ents;
	for (i = 0; i < n; i++) {
		const struct ksm_hint_entry *e = &ents[i];

		if (!ready || e->kind < KSM_HINT_KIND_READ ||
		    e->kind > KSM_HINT_KIND_ZERO) {
			bad++;
			continue;
		}
		trace_ksm_hint_received(src->id, e->addr, e->file_key,
					e->index, e->kind);
		kh_process(src, e);
		ok++;
	}
	src->received += ok;
	src->rejected += bad;
	src->rate_limited += nr - n;
	/* ksmd sleeps only on an empty stack: wake it when that ends. */
	wake = was_idle && ksm_hint_pending_nr;
	spin_unlock(&ksm_hint_lock);

	kh_stat_add(KSM_HINT_STAT_RECEIVED, ok);
	kh_stat_add(KSM_HINT_STAT_REJECTED, bad);
	kh_stat_add(KSM_HINT_STAT_RATE_LIMITED, nr - n);
	if (wake && READ_ONCE(ksm_hint_mode_val) != KSM_HINT_MODE_OFF)
		ksm_hint_wake_ksmd();
	return n;
}
EXPORT_SYMBOL_GPL(ksm_hint_submit);

/**
 * ksm_hint_note_rate_limited - count hints a front end did not submit
 * @src: the source the hints came from
 * @nr: entries of a batch left after ksm_hint_submit() ran out of tokens
 *
 * Front ends that submit a batch in chunks stop at the first chunk the
 * rate limit cut short; the entries of the chunks after it count here,
 * so that hints_rate_limited covers the whole unconsumed rest.
 */
void ksm_hint_note_rate_limited(struct ksm_hint_source *src, unsigned int nr)
{
	if (!nr)
		return;
	spin_lock(&ksm_hint_lock);
	src->rate_limited += nr;
	spin_unlock(&ksm_hint_lock);
	kh_stat_add(KSM_HINT_STAT_RATE_LIMITED, nr);
}
EXPORT_SYMBOL_GPL(ksm_hint_note_rate_limited);

/**
 * ksm_hint_vm_default - whether VMs hint unless their VMM says otherwise
 *
 * Return: the value of /sys/kernel/mm/ksm_hint/vm_default.
 */
bool ksm_hint_vm_default(void)
{
	return READ_ONCE(ksm_hint_vm_default_val);
}
EXPORT_SYMBOL_GPL(ksm_hint_vm_default);

/**
 * ksm_hint_enabled - whether the host takes hints at all
 *
 * In mode off nothing scans hints, so sources should not send them:
 * KVM answers -KVM_ENOSYS and the guest backs off instead of filling the
 * stacks with entries that only wait to be overwritten.
 *
 * Return: true unless /sys/kernel/mm/ksm_hint/mode is off.
 */
bool ksm_hint_enabled(void)
{
	return READ_ONCE(ksm_hint_mode_val) != KSM_HINT_MODE_OFF;
}
EXPORT_SYMBOL_GPL(ksm_hint_enabled);

/* ---- the ksmd side --------------------------------------------------- */

/**
 * ksm_hint_get_mode - current scan mode
 *
 * Return: the value of /sys/kernel/mm/ksm_hint/mode.
 */
enum ksm_hint_mode ksm_hint_get_mode(void)
{
	return READ_ONCE(ksm_hint_mode_val);
}

/**
 * ksm_hint_stack_entries - hints waiting on the stacks of all sources
 *
 * Return: the value of /sys/kernel/mm/ksm_hint/hint_stack_entries.
 */
unsigned int ksm_hint_stack_entries(void)
{
	return READ_ONCE(ksm_hint_pending_nr);
}

/**
 * ksm_hint_pending - whether the hint stack holds hints
 *
 * Lockless: a stale answer only delays ksmd by one wakeup.
 *
 * Return: true if there is something to pop.
 */
bool ksm_hint_pending(void)
{
	return ksm_hint_stack_entries() != 0;
}

/**
 * ksm_hint_sources_show - list the live hint sources and their counters
 * @m: the seq_file of /sys/kernel/debug/ksm_hint/sources
 *
 * One line per source: id, name, hints received, rejected, rate limited.
 */
void ksm_hint_sources_show(struct seq_file *m)
{
	struct ksm_hint_source *src;
	unsigned int bkt;

	spin_lock(&ksm_hint_lock);
	hash_for_each(ksm_hint_sources, bkt, src, hnode)
		seq_printf(m, "%llu %s received=%lu rejected=%lu rate_limited=%lu pending=%u\n",
			   src->id, src->name, src->received, src->rejected,
			   src->rate_limited, src->stack.count);
	spin_unlock(&ksm_hint_lock);
}

/**
 * ksm_hint_pop - take the next hint: round robin between sources
 * @mm: set to the hinted mm, with a reference from mmgrab()
 * @addr: set to the hinted address, with KSM_HINT_POP_* flags in its
 *	low bits
 *
 * Takes the newest hint of the source first in line, then puts that
 * source at the back of the line if it has more: with N sources pending,
 * each gets one hint in N scanned, however much any of them sends.
 * Constant time, whatever is pending.
 *
 * Return: true if a hint was taken; the caller must mmdrop(*mm).
 */
bool ksm_hint_pop(struct mm_struct **mm, unsigned long *addr)
{
	struct ksm_hint_source *src;

	spin_lock(&ksm_hint_lock);
	src = list_first_entry_or_null(&ksm_hint_active,
				       struct ksm_hint_source, active);
	if (!src || !ksm_hint_stack_pop(&src->stack, addr)) {
		spin_unlock(&ksm_hint_lock);
		return false;
	}
	ksm_hint_pending_nr--;
	if (src->stack.count)
		list_move_tail(&src->active, &ksm_hint_active);
	else
		list_del_init(&src->active);
	mmgrab(src->mm);
	*mm = src->mm;
	spin_unlock(&ksm_hint_lock);
	return true;
}

/**
 * ksm_hint_bucket - checksum hash table bucket of a page
 * @checksum: the page's KSM checksum
 *
 * The per-boot seed keeps guests from aiming pages at one bucket; the
 * bucket depth bounds the damage if they manage it anyway.
 *
 * Return: a bucket index below the table's bucket count.
 */
u32 ksm_hint_bucket(u32 checksum)
{
	return kh_bucket(checksum, ksm_hint_bucket_seed,
			 READ_ONCE(ksm_hint_hash_bits));
}

/**
 * ksm_hint_set_hash_bits - record the size of ksmd's checksum table
 * @bits: log2 of its bucket count, as allocated at boot
 *
 * Called once, before any hint can reach ksmd.
 */
void __init ksm_hint_set_hash_bits(unsigned int bits)
{
	WRITE_ONCE(ksm_hint_hash_bits, bits);
}

/**
 * ksm_hint_hash_table_size - capacity of ksmd's checksum table
 *
 * Return: the most hinted pages it can hold (buckets times depth).
 */
unsigned long ksm_hint_hash_table_size(void)
{
	return (unsigned long)KSM_HINT_BUCKET_DEPTH << READ_ONCE(ksm_hint_hash_bits);
}

/**
 * ksm_hint_note_scanned - count a hinted page ksmd looked at
 */
void ksm_hint_note_scanned(void)
{
	kh_stat_add(KSM_HINT_STAT_SCANNED, 1);
}

/**
 * ksm_hint_note_merged - count pages merged by the hint path
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 * @pages: pages that became shared
 */
void ksm_hint_note_merged(struct mm_struct *mm, unsigned long addr,
			  unsigned int pages)
{
	kh_stat_add(KSM_HINT_STAT_MERGED, pages);
	trace_ksm_hint_merged(mm, addr, pages);
}

/**
 * ksm_hint_note_skipped - count and trace a hinted page that was not merged
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 * @why: the reason
 *
 * Counts the reasons that say what a guest's hints cost ksmd for nothing:
 * no identical page yet (a wrong or early attribute match), nothing to do
 * (merged or waiting already), or no page left to merge.  The other
 * reasons have counters of their own.
 */
void ksm_hint_note_skipped(struct mm_struct *mm, unsigned long addr,
			   enum ksm_hint_skip why)
{
	switch (why) {
	case KSM_HINT_SKIP_NO_MATCH:
		kh_stat_add(KSM_HINT_STAT_UNMATCHED, 1);
		break;
	case KSM_HINT_SKIP_UNCHANGED:
		kh_stat_add(KSM_HINT_STAT_UNCHANGED, 1);
		break;
	case KSM_HINT_SKIP_NO_SOURCE:
	case KSM_HINT_SKIP_NO_MM:
	case KSM_HINT_SKIP_NO_PAGE:
		kh_stat_add(KSM_HINT_STAT_GONE, 1);
		break;
	default:
		break;
	}
	trace_ksm_hint_skipped(mm, addr, why);
}

/**
 * ksm_hint_note_zero_rejected - count a zero hint on a page that is not zero
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 */
void ksm_hint_note_zero_rejected(struct mm_struct *mm, unsigned long addr)
{
	kh_stat_add(KSM_HINT_STAT_ZERO_REJECTED, 1);
	trace_ksm_hint_skipped(mm, addr, KSM_HINT_SKIP_NOT_ZERO);
}

/**
 * ksm_hint_note_stale_dropped - count a stale stable rmap_item dropped
 *
 * For the maintenance pass of mode hint: a page listed on a stable node
 * whose address no longer maps that KSM page (written to, unmapped).
 */
void ksm_hint_note_stale_dropped(void)
{
	kh_stat_add(KSM_HINT_STAT_STALE_DROPPED, 1);
}

/**
 * ksm_hint_note_stale_remerged - count merged pages copied out and merged again
 * @mm: mm of the page
 * @addr: its address
 * @pages: 1 when merged into a KSM page of the stable tree, 2 when merged
 *	with another copy that waited in the checksum table
 *
 * For the maintenance pass of mode hint: a page listed on a stable node
 * whose address maps a copy of the same content (khugepaged collapsed its
 * range into a THP), merged again.
 */
void ksm_hint_note_stale_remerged(struct mm_struct *mm, unsigned long addr,
				  unsigned int pages)
{
	kh_stat_add(KSM_HINT_STAT_STALE_REMERGED, pages);
	trace_ksm_hint_merged(mm, addr, pages);
}

/**
 * ksm_hint_note_retried - count a hinted page queued to be tried again
 *
 * Its merge failed, maybe for a transient reason (an extra reference from
 * a CPU's LRU batch, a page lock, a pin).
 */
void ksm_hint_note_retried(void)
{
	kh_stat_add(KSM_HINT_STAT_RETRIED, 1);
}

/**
 * ksm_hint_note_given_up - count a hinted page whose merges kept failing
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 */
void ksm_hint_note_given_up(struct mm_struct *mm, unsigned long addr)
{
	kh_stat_add(KSM_HINT_STAT_GIVEN_UP, 1);
	trace_ksm_hint_skipped(mm, addr, KSM_HINT_SKIP_MERGE_FAILED);
}

/**
 * ksm_hint_note_table_evicted - count a waiting page pushed out of the table
 * @mm: mm of the evicted page
 * @addr: address of the evicted page
 *
 * Its checksum bucket was full when another hinted page came: the oldest
 * page gives way and is not tried again unless it is hinted again.
 */
void ksm_hint_note_table_evicted(struct mm_struct *mm, unsigned long addr)
{
	kh_stat_add(KSM_HINT_STAT_TABLE_EVICTED, 1);
	trace_ksm_hint_skipped(mm, addr, KSM_HINT_SKIP_EVICTED);
}

/**
 * ksm_hint_table_pages_add - account pages in ksmd's checksum hash table
 * @delta: pages added (positive) or removed (negative)
 */
void ksm_hint_table_pages_add(long delta)
{
	kh_stat_add(KSM_HINT_STAT_TABLE_PAGES, delta);
}

/* ---- knobs, for the sysfs front end --------------------------------- */

/**
 * ksm_hint_stat_read - read one of the global counters
 * @stat: which counter
 *
 * Return: its current value.
 */
long ksm_hint_stat_read(enum ksm_hint_stat stat)
{
	return atomic_long_read(&ksm_hint_stats[stat]);
}

/**
 * ksm_hint_set_mode - switch between off, hint and hybrid scanning
 * @mode: the new mode
 */
void ksm_hint_set_mode(enum ksm_hint_mode mode)
{
	WRITE_ONCE(ksm_hint_mode_val, mode);
	/* ksmd may be asleep waiting for hints, or for a mode change. */
	ksm_hint_wake_ksmd();
}

/**
 * ksm_hint_stack_capacity - the hint stack's size
 *
 * Return: the value of /sys/kernel/mm/ksm_hint/hint_stack_size.
 */
unsigned int ksm_hint_stack_capacity(void)
{
	return READ_ONCE(ksm_hint_stack_size);
}

/**
 * ksm_hint_resize_stack - give every source a hint stack of a new size
 * @size: new number of slots, KSM_HINT_STACK_MIN..KSM_HINT_STACK_MAX
 *
 * May sleep.  Allocates outside the spinlock and swaps each source's
 * stack in constant time under it, so vCPU exits never wait for a copy;
 * the hints pending on the old stacks are dropped.
 *
 * Return: 0, -EINVAL for a size out of range, or -ENOMEM (the sources not
 * reached yet keep their old stacks).
 */
int ksm_hint_resize_stack(unsigned int size)
{
	struct ksm_hint_stack new, old;
	struct ksm_hint_source *src;
	unsigned int bkt;
	int err = 0;

	if (size < KSM_HINT_STACK_MIN || size > KSM_HINT_STACK_MAX)
		return -EINVAL;
	mutex_lock(&ksm_hint_resize_mutex);
	WRITE_ONCE(ksm_hint_stack_size, size);
	/* The mutex keeps sources from coming and going meanwhile. */
	hash_for_each(ksm_hint_sources, bkt, src, hnode) {
		if (ksm_hint_stack_init(&new, size)) {
			err = -ENOMEM;
			break;
		}
		spin_lock(&ksm_hint_lock);
		kh_drop_pending(src);
		old = src->stack;
		src->stack = new;
		spin_unlock(&ksm_hint_lock);
		ksm_hint_stack_free(&old);
	}
	mutex_unlock(&ksm_hint_resize_mutex);
	return err;
}

/**
 * ksm_hint_attr_capacity - the attribute table's size
 *
 * Return: the value of /sys/kernel/mm/ksm_hint/attr_table_size.
 */
unsigned int ksm_hint_attr_capacity(void)
{
	return READ_ONCE(ksm_hint_attr_size);
}

/**
 * ksm_hint_attr_entries - attributes currently remembered
 *
 * Return: the number of used attribute table entries.
 */
unsigned int ksm_hint_attr_entries(void)
{
	return READ_ONCE(ksm_hint_attrs.used);
}

/**
 * ksm_hint_resize_attr_table - replace the attribute table by an empty one
 * @size: new number of entries, KSM_HINT_ATTR_MIN..KSM_HINT_ATTR_MAX
 *
 * May sleep.  The attributes remembered so far are dropped.
 *
 * Return: 0, -EINVAL for a size out of range, or -ENOMEM.
 */
int ksm_hint_resize_attr_table(unsigned int size)
{
	struct ksm_hint_attr_table fresh;

	if (size < KSM_HINT_ATTR_MIN || size > KSM_HINT_ATTR_MAX)
		return -EINVAL;
	mutex_lock(&ksm_hint_resize_mutex);
	if (ksm_hint_attr_init(&fresh, size)) {
		mutex_unlock(&ksm_hint_resize_mutex);
		return -ENOMEM;
	}
	spin_lock(&ksm_hint_lock);
	ksm_hint_attr_replace(&ksm_hint_attrs, &fresh);
	WRITE_ONCE(ksm_hint_attr_size, size);
	spin_unlock(&ksm_hint_lock);
	mutex_unlock(&ksm_hint_resize_mutex);
	ksm_hint_attr_free(&fresh);
	return 0;
}

/**
 * ksm_hint_set_vm_default - whether new VMs hint without VMM opt-in
 * @on: the new value of vm_default
 */
void ksm_hint_set_vm_default(bool on)
{
	WRITE_ONCE(ksm_hint_vm_default_val, on);
}

/**
 * ksm_hint_get_rate - the per-source hint rate limit
 *
 * Return: hints per second each source may submit, 0 for no limit.
 */
unsigned int ksm_hint_get_rate(void)
{
	return READ_ONCE(ksm_hint_rate);
}

/**
 * ksm_hint_set_rate - set the per-source hint rate limit
 * @rate: hints per second each source may submit, 0 for no limit
 */
void ksm_hint_set_rate(unsigned int rate)
{
	WRITE_ONCE(ksm_hint_rate, rate);
}

/* ---- init ------------------------------------------------------------ */

/* Only sets a variable, so parsing it early is harmless. */
static int __init ksm_hint_setup(char *str)
{
	int i;

	if (!str)
		return -EINVAL;
	i = match_string(ksm_hint_mode_names, ARRAY_SIZE(ksm_hint_mode_names),
			 str);
	if (i < 0) {
		pr_warn("unknown ksm_hint=%s, keeping \"off\"\n", str);
		return -EINVAL;
	}
	ksm_hint_mode_val = i;
	return 0;
}
early_param("ksm_hint", ksm_hint_setup);

static int __init ksm_hint_init(void)
{
	int err;

	ksm_hint_bucket_seed = get_random_u32();
	ksm_hint_attr_size = clamp_t(unsigned long,
				     totalram_pages() >> KSM_HINT_ATTR_RAM_SHIFT,
				     KSM_HINT_ATTR_DEFAULT_MIN, KSM_HINT_ATTR_MAX);
	err = ksm_hint_attr_init(&ksm_hint_attrs, ksm_hint_attr_size);
	if (!err)
		err = ksm_hint_sysfs_init();
	if (err) {
		pr_err("initialization failed: %d\n", err);
		return err;
	}
	ksm_hint_debugfs_init();
	return 0;
}
subsys_initcall(ksm_hint_init);

#ifdef CONFIG_KSM_HINT_KUNIT_TEST
#include "tests/core-kunit.h"
#endif
