// SPDX-License-Identifier: GPL-2.0
/*
 * Hint-driven KSM scanning.
 *
 * Hint sources (VMs through KVM, processes through debugfs) report pages
 * that cache a file page (file key, index).  When two pages report the same
 * attribute, both are pushed onto a bounded LIFO hint stack, and ksmd
 * (mm/ksm.c) scans hinted pages before, or instead of, its linear scan.
 *
 * Everything a source can fill is bounded by a knob: the attribute table by
 * attr_table_size (preallocated, least recently used entry evicted) and the
 * hint stack by hint_stack_size (oldest hint overwritten).  All of it is
 * guarded by one irq-safe spinlock, because ksm_hint_submit() runs on a
 * vCPU exit and must neither sleep nor wait for ksmd.
 *
 * Sources are named in the stack and table by a 64-bit id that is never
 * reused, never by pointer: a destroyed source leaves only ids behind that
 * no longer resolve, so its pending hints are dropped as ksmd meets them.
 */

#define pr_fmt(fmt) "ksm_hint: " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/ksm_hint.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "ksm_hint_internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/ksm_hint.h>

#define KSM_HINT_STACK_DEFAULT	4096
#define KSM_HINT_STACK_MIN	16
#define KSM_HINT_STACK_MAX	1048576U
#define KSM_HINT_ATTR_DEFAULT	16384
#define KSM_HINT_ATTR_MIN	16
#define KSM_HINT_ATTR_MAX	1048576U

/* One page to scan: which source's mm, and where in it. */
struct ksm_hint_slot {
	u64 src_id;
	unsigned long addr;
};

/* Circular LIFO of page hints: newest first, oldest overwritten. */
struct ksm_hint_stack {
	struct ksm_hint_slot *slots;
	unsigned int size;
	unsigned int top;	/* next slot to write */
	unsigned int count;
};

/* The last page seen with a given (file_key, index). */
struct ksm_hint_attr {
	struct hlist_node hnode;
	struct list_head lru;
	u64 file_key;
	u64 index;
	u64 src_id;
	unsigned long addr;
};

struct ksm_hint_attr_table {
	struct ksm_hint_attr *ents;	/* preallocated, size entries */
	struct hlist_head *buckets;
	struct list_head lru;		/* used entries, oldest first */
	struct list_head free;
	unsigned int size;
	unsigned int used;
	unsigned int hash_bits;
	u64 seed;
};

struct ksm_hint_source {
	struct hlist_node hnode;
	struct mm_struct *mm;
	u64 id;
	char name[32];
	unsigned long tb_stamp;		/* token bucket refill time, jiffies */
	unsigned long tb_tokens;
	unsigned long received;
	unsigned long rejected;
	unsigned long rate_limited;
};

enum ksm_hint_stat {
	KH_RECEIVED,
	KH_REJECTED,
	KH_RATE_LIMITED,
	KH_ATTR_MATCHES,
	KH_STACK_OVERWRITES,
	KH_SCANNED,
	KH_MERGED,
	KH_TABLE_PAGES,
	KH_NR_STATS,
};

static atomic_long_t ksm_hint_stats[KH_NR_STATS];

static DEFINE_SPINLOCK(ksm_hint_lock);
static DEFINE_MUTEX(ksm_hint_resize_mutex);	/* serializes resizes */
static DEFINE_HASHTABLE(ksm_hint_sources, 6);
static u64 ksm_hint_next_id = 1;
static struct ksm_hint_stack ksm_hint_stack;
static struct ksm_hint_attr_table ksm_hint_attrs;
static u32 ksm_hint_bucket_seed __read_mostly;

static enum ksm_hint_mode ksm_hint_mode_val = KSM_HINT_MODE_OFF;
static unsigned int ksm_hint_stack_size = KSM_HINT_STACK_DEFAULT;
static unsigned int ksm_hint_attr_size = KSM_HINT_ATTR_DEFAULT;
static bool ksm_hint_vm_default_val;
static unsigned int ksm_hint_rate;

static const char * const ksm_hint_mode_names[] = {
	[KSM_HINT_MODE_OFF] = "off",
	[KSM_HINT_MODE_HINT] = "hint",
	[KSM_HINT_MODE_HYBRID] = "hybrid",
};

static void kh_stat_add(enum ksm_hint_stat s, long v)
{
	atomic_long_add(v, &ksm_hint_stats[s]);
}

/* ---- hint stack ------------------------------------------------------ */

static int kh_stack_init(struct ksm_hint_stack *st, unsigned int size)
{
	st->slots = kvcalloc(size, sizeof(*st->slots), GFP_KERNEL);
	if (!st->slots)
		return -ENOMEM;
	st->size = size;
	st->top = 0;
	st->count = 0;
	return 0;
}

/* Returns true when the oldest hint was overwritten to make room. */
static bool kh_stack_push(struct ksm_hint_stack *st, u64 src_id,
			  unsigned long addr)
{
	bool overwrote = st->count == st->size;

	st->slots[st->top].src_id = src_id;
	st->slots[st->top].addr = addr;
	st->top = (st->top + 1) % st->size;
	if (!overwrote)
		st->count++;
	return overwrote;
}

static bool kh_stack_pop(struct ksm_hint_stack *st, struct ksm_hint_slot *out)
{
	if (!st->count)
		return false;
	st->top = (st->top + st->size - 1) % st->size;
	st->count--;
	*out = st->slots[st->top];
	return true;
}

/*
 * Move the newest hints of @old into @new (empty, already allocated), keeping
 * their order: when shrinking, the oldest ones are the ones to lose.
 */
static void kh_stack_move(struct ksm_hint_stack *new, struct ksm_hint_stack *old)
{
	unsigned int n = min(old->count, new->size);
	unsigned int i, pos;

	pos = (old->top + old->size - n) % old->size;
	for (i = 0; i < n; i++) {
		new->slots[i] = old->slots[pos];
		pos = (pos + 1) % old->size;
	}
	new->top = n % new->size;
	new->count = n;
}

static u32 kh_bucket(u32 checksum, u32 seed)
{
	return hash_32(checksum ^ seed, KSM_HINT_HASH_BITS);
}

/* ---- attribute table ------------------------------------------------- */

static int kh_attr_init(struct ksm_hint_attr_table *t, unsigned int size,
			u64 seed)
{
	unsigned int i;

	t->hash_bits = ilog2(roundup_pow_of_two(size));
	t->ents = kvcalloc(size, sizeof(*t->ents), GFP_KERNEL);
	t->buckets = kvcalloc(1U << t->hash_bits, sizeof(*t->buckets),
			      GFP_KERNEL);
	if (!t->ents || !t->buckets) {
		kvfree(t->ents);
		kvfree(t->buckets);
		t->ents = NULL;
		t->buckets = NULL;
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&t->lru);
	INIT_LIST_HEAD(&t->free);
	for (i = 0; i < size; i++)
		list_add_tail(&t->ents[i].lru, &t->free);
	t->size = size;
	t->used = 0;
	t->seed = seed;
	return 0;
}

static void kh_attr_free(struct ksm_hint_attr_table *t)
{
	kvfree(t->ents);
	kvfree(t->buckets);
	t->ents = NULL;
	t->buckets = NULL;
}

static struct hlist_head *kh_attr_bucket(struct ksm_hint_attr_table *t,
					 u64 file_key, u64 index)
{
	/* Keyed by a boot-time seed so guests cannot aim at one chain. */
	u64 h = file_key ^ t->seed ^ (index * GOLDEN_RATIO_64);

	return &t->buckets[hash_64(h, t->hash_bits)];
}

static struct ksm_hint_attr *kh_attr_lookup(struct ksm_hint_attr_table *t,
					    u64 file_key, u64 index)
{
	struct ksm_hint_attr *a;

	hlist_for_each_entry(a, kh_attr_bucket(t, file_key, index), hnode)
		if (a->file_key == file_key && a->index == index)
			return a;
	return NULL;
}

static void kh_attr_remove(struct ksm_hint_attr_table *t,
			   struct ksm_hint_attr *a)
{
	hlist_del(&a->hnode);
	list_move(&a->lru, &t->free);
	t->used--;
}

/* Insert a new attribute, evicting the least recently used when full. */
static struct ksm_hint_attr *kh_attr_insert(struct ksm_hint_attr_table *t,
					    u64 file_key, u64 index,
					    u64 src_id, unsigned long addr)
{
	struct ksm_hint_attr *a;

	if (list_empty(&t->free))
		kh_attr_remove(t, list_first_entry(&t->lru,
						   struct ksm_hint_attr, lru));
	a = list_first_entry(&t->free, struct ksm_hint_attr, lru);
	a->file_key = file_key;
	a->index = index;
	a->src_id = src_id;
	a->addr = addr;
	hlist_add_head(&a->hnode, kh_attr_bucket(t, file_key, index));
	list_move_tail(&a->lru, &t->lru);
	t->used++;
	return a;
}

/* ---- sources and submission ----------------------------------------- */

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
 * destroyed.
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
	strscpy(src->name, name ? name : "", sizeof(src->name));
	mmgrab(mm);
	src->mm = mm;
	src->tb_stamp = jiffies;
	src->tb_tokens = READ_ONCE(ksm_hint_rate);

	spin_lock_irq(&ksm_hint_lock);
	src->id = ksm_hint_next_id++;
	hash_add(ksm_hint_sources, &src->hnode, src->id);
	spin_unlock_irq(&ksm_hint_lock);
	return src;
}
EXPORT_SYMBOL_GPL(ksm_hint_source_create);

/**
 * ksm_hint_source_destroy - unregister a hint source
 * @src: the source, from ksm_hint_source_create()
 *
 * May sleep.  Hints still pending for @src are dropped: once its id is
 * unhashed, ksmd can no longer resolve them to an mm.  ksmd takes its own
 * mm reference under ksm_hint_lock, so dropping ours here is safe.
 */
void ksm_hint_source_destroy(struct ksm_hint_source *src)
{
	if (IS_ERR_OR_NULL(src))
		return;
	spin_lock_irq(&ksm_hint_lock);
	hash_del(&src->hnode);
	spin_unlock_irq(&ksm_hint_lock);
	mmdrop(src->mm);
	kfree(src);
}
EXPORT_SYMBOL_GPL(ksm_hint_source_destroy);

static void kh_push(u64 src_id, unsigned long addr)
{
	bool overwrote = kh_stack_push(&ksm_hint_stack, src_id, addr);

	if (overwrote)
		kh_stat_add(KH_STACK_OVERWRITES, 1);
	trace_ksm_hint_pushed(src_id, addr, overwrote);
}

/* Called with ksm_hint_lock held, for one entry of a valid kind. */
static void kh_process(struct ksm_hint_source *src,
		       const struct ksm_hint_entry *e)
{
	struct ksm_hint_attr_table *t = &ksm_hint_attrs;
	unsigned long addr = e->addr & PAGE_MASK;
	struct ksm_hint_attr *a;

	if (e->kind == KSM_HINT_KIND_ZERO) {
		/* Zeroed pages match each other whatever file they were. */
		kh_push(src->id, addr);
		return;
	}
	a = kh_attr_lookup(t, e->file_key, e->index);
	if (e->kind == KSM_HINT_KIND_DROP) {
		/* Only the page that holds the attribute can give it up. */
		if (a && a->src_id == src->id && a->addr == addr)
			kh_attr_remove(t, a);
		return;
	}
	if (!a) {
		kh_attr_insert(t, e->file_key, e->index, src->id, addr);
		return;
	}
	list_move_tail(&a->lru, &t->lru);
	if (a->src_id == src->id && a->addr == addr)
		return;
	/* A second page with this attribute: both are worth a scan. */
	kh_stat_add(KH_ATTR_MATCHES, 1);
	kh_push(a->src_id, a->addr);
	kh_push(src->id, addr);
	/* Remember the newest page; the older one is on the stack now. */
	a->src_id = src->id;
	a->addr = addr;
}

static unsigned int kh_take_tokens(struct ksm_hint_source *src,
				   unsigned int nr)
{
	unsigned int rate = READ_ONCE(ksm_hint_rate);
	unsigned long now = jiffies, add;

	if (!rate)
		return nr;
	/* Clamp first: a long idle time times the rate must not overflow. */
	add = min_t(unsigned long, now - src->tb_stamp, HZ) * rate / HZ;
	if (add) {
		/* Burst of at most one second's worth. */
		src->tb_tokens = min_t(unsigned long, src->tb_tokens + add,
				       rate);
		src->tb_stamp = now;
	} else if (src->tb_tokens > rate) {
		src->tb_tokens = rate;
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
 * are consumed in order; an entry of unknown kind is skipped and counted
 * in hints_rejected.  When the source's vm_hint_rate is used up the rest
 * is not consumed and is counted in hints_rate_limited.
 *
 * Return: the number of leading entries consumed (processed or rejected).
 */
int ksm_hint_submit(struct ksm_hint_source *src,
		    const struct ksm_hint_entry *ents, unsigned int nr)
{
	unsigned int i, n, ok = 0, bad = 0;
	unsigned long flags;

	if (!nr)
		return 0;
	spin_lock_irqsave(&ksm_hint_lock, flags);
	n = kh_take_tokens(src, nr);
	if (ksm_hint_stack.slots && ksm_hint_attrs.ents) {
		for (i = 0; i < n; i++) {
			const struct ksm_hint_entry *e = &ents[i];

			if (e->kind < KSM_HINT_KIND_READ ||
			    e->kind > KSM_HINT_KIND_ZERO) {
				bad++;
				continue;
			}
			trace_ksm_hint_received(src->id, e->addr, e->file_key,
						e->index, e->kind);
			kh_process(src, e);
			ok++;
		}
	} else {
		bad = n;
	}
	src->received += ok;
	src->rejected += bad;
	src->rate_limited += nr - n;
	spin_unlock_irqrestore(&ksm_hint_lock, flags);

	kh_stat_add(KH_RECEIVED, ok);
	kh_stat_add(KH_REJECTED, bad);
	kh_stat_add(KH_RATE_LIMITED, nr - n);
	if (ok && READ_ONCE(ksm_hint_mode_val) != KSM_HINT_MODE_OFF &&
	    ksm_hint_pending())
		ksm_hint_wake_ksmd();
	return n;
}
EXPORT_SYMBOL_GPL(ksm_hint_submit);

/**
 * ksm_hint_note_rejected - count hints the caller rejected itself
 * @src: the source the hints came from
 * @nr: how many were rejected (bad gfn, kind, reserved field, ...)
 */
void ksm_hint_note_rejected(struct ksm_hint_source *src, unsigned int nr)
{
	unsigned long flags;

	spin_lock_irqsave(&ksm_hint_lock, flags);
	src->rejected += nr;
	spin_unlock_irqrestore(&ksm_hint_lock, flags);
	kh_stat_add(KH_REJECTED, nr);
}
EXPORT_SYMBOL_GPL(ksm_hint_note_rejected);

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
 * ksm_hint_pending - whether the hint stack holds hints
 *
 * Lockless: a stale answer only delays ksmd by one wakeup.
 *
 * Return: true if there is something to pop.
 */
bool ksm_hint_pending(void)
{
	return READ_ONCE(ksm_hint_stack.count) != 0;
}

/**
 * ksm_hint_pop - take the newest hint off the stack
 * @mm: set to the hinted mm, with a reference from mmgrab()
 * @addr: set to the hinted address
 *
 * Hints whose source is gone are dropped on the way.
 *
 * Return: true if a hint was taken; the caller must mmdrop(*mm).
 */
bool ksm_hint_pop(struct mm_struct **mm, unsigned long *addr)
{
	struct ksm_hint_source *src;
	struct ksm_hint_slot slot;

	spin_lock_irq(&ksm_hint_lock);
	while (kh_stack_pop(&ksm_hint_stack, &slot)) {
		src = kh_find_source(slot.src_id);
		if (!src) {
			trace_ksm_hint_skipped(NULL, slot.addr,
					       KSM_HINT_SKIP_NO_SOURCE);
			continue;
		}
		mmgrab(src->mm);
		*mm = src->mm;
		*addr = slot.addr;
		spin_unlock_irq(&ksm_hint_lock);
		return true;
	}
	spin_unlock_irq(&ksm_hint_lock);
	return false;
}

/**
 * ksm_hint_bucket - checksum hash table bucket of a page
 * @checksum: the page's KSM checksum
 *
 * The per-boot seed keeps guests from aiming pages at one bucket; the
 * bucket depth bounds the damage if they manage it anyway.
 *
 * Return: a bucket index below 1 << KSM_HINT_HASH_BITS.
 */
u32 ksm_hint_bucket(u32 checksum)
{
	return kh_bucket(checksum, ksm_hint_bucket_seed);
}

/**
 * ksm_hint_note_scanned - count a hinted page ksmd looked at
 */
void ksm_hint_note_scanned(void)
{
	kh_stat_add(KH_SCANNED, 1);
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
	kh_stat_add(KH_MERGED, pages);
	trace_ksm_hint_merged(mm, addr, pages);
}

/**
 * ksm_hint_note_skipped - trace a hinted page that was not merged
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 * @why: the reason
 */
void ksm_hint_note_skipped(struct mm_struct *mm, unsigned long addr,
			   enum ksm_hint_skip why)
{
	trace_ksm_hint_skipped(mm, addr, why);
}

/**
 * ksm_hint_table_pages_add - account pages in ksmd's checksum hash table
 * @delta: pages added (positive) or removed (negative)
 */
void ksm_hint_table_pages_add(long delta)
{
	kh_stat_add(KH_TABLE_PAGES, delta);
}

/* ---- sysfs ----------------------------------------------------------- */

#ifdef CONFIG_SYSFS
static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", ksm_hint_mode_names[ksm_hint_get_mode()]);
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int i = sysfs_match_string(ksm_hint_mode_names, buf);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(ksm_hint_mode_val, i);
	/* ksmd may be asleep waiting for hints, or for a mode change. */
	ksm_hint_wake_ksmd();
	return count;
}

static ssize_t hint_stack_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ksm_hint_stack_size));
}

static ssize_t hint_stack_size_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct ksm_hint_stack new, old;
	unsigned int size;

	if (kstrtouint(buf, 10, &size) || size < KSM_HINT_STACK_MIN ||
	    size > KSM_HINT_STACK_MAX)
		return -EINVAL;
	mutex_lock(&ksm_hint_resize_mutex);
	if (kh_stack_init(&new, size)) {
		mutex_unlock(&ksm_hint_resize_mutex);
		return -ENOMEM;
	}
	spin_lock_irq(&ksm_hint_lock);
	old = ksm_hint_stack;
	kh_stack_move(&new, &old);
	ksm_hint_stack = new;
	WRITE_ONCE(ksm_hint_stack_size, size);
	spin_unlock_irq(&ksm_hint_lock);
	mutex_unlock(&ksm_hint_resize_mutex);
	kvfree(old.slots);
	return count;
}

static ssize_t attr_table_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ksm_hint_attr_size));
}

static ssize_t attr_table_size_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct ksm_hint_attr_table new, old;
	unsigned int size;

	if (kstrtouint(buf, 10, &size) || size < KSM_HINT_ATTR_MIN ||
	    size > KSM_HINT_ATTR_MAX)
		return -EINVAL;
	mutex_lock(&ksm_hint_resize_mutex);
	if (kh_attr_init(&new, size, get_random_u64())) {
		mutex_unlock(&ksm_hint_resize_mutex);
		return -ENOMEM;
	}
	/*
	 * Attributes are only hints: start the new table empty rather than
	 * rehash under a spinlock that vCPU exits wait for.
	 */
	spin_lock_irq(&ksm_hint_lock);
	old = ksm_hint_attrs;
	ksm_hint_attrs = new;
	/* The list heads moved with the struct copy: fix them up. */
	INIT_LIST_HEAD(&ksm_hint_attrs.lru);
	INIT_LIST_HEAD(&ksm_hint_attrs.free);
	list_splice_init(&new.free, &ksm_hint_attrs.free);
	WRITE_ONCE(ksm_hint_attr_size, size);
	spin_unlock_irq(&ksm_hint_lock);
	mutex_unlock(&ksm_hint_resize_mutex);
	kh_attr_free(&old);
	return count;
}

static ssize_t vm_default_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", ksm_hint_vm_default());
}

static ssize_t vm_default_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v) || v > 1)
		return -EINVAL;
	WRITE_ONCE(ksm_hint_vm_default_val, v);
	return count;
}

static ssize_t vm_hint_rate_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ksm_hint_rate));
}

static ssize_t vm_hint_rate_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v))
		return -EINVAL;
	WRITE_ONCE(ksm_hint_rate, v);
	return count;
}

static ssize_t attr_table_entries_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ksm_hint_attrs.used));
}

#define KH_ATTR_RW(_name) \
	static struct kobj_attribute _name##_attr = __ATTR_RW(_name)
#define KH_STAT_RO(_name, _stat)					\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%ld\n",					\
			  atomic_long_read(&ksm_hint_stats[_stat]));	\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RO(_name)

KH_ATTR_RW(mode);
KH_ATTR_RW(hint_stack_size);
KH_ATTR_RW(attr_table_size);
KH_ATTR_RW(vm_default);
KH_ATTR_RW(vm_hint_rate);
KH_STAT_RO(hints_received, KH_RECEIVED);
KH_STAT_RO(hints_rejected, KH_REJECTED);
KH_STAT_RO(hints_rate_limited, KH_RATE_LIMITED);
KH_STAT_RO(attr_matches, KH_ATTR_MATCHES);
KH_STAT_RO(stack_overwrites, KH_STACK_OVERWRITES);
KH_STAT_RO(hints_scanned, KH_SCANNED);
KH_STAT_RO(pages_merged, KH_MERGED);
KH_STAT_RO(hash_table_pages, KH_TABLE_PAGES);
static struct kobj_attribute attr_table_entries_attr =
	__ATTR_RO(attr_table_entries);

static struct attribute *ksm_hint_sysfs_attrs[] = {
	&mode_attr.attr,
	&hint_stack_size_attr.attr,
	&attr_table_size_attr.attr,
	&vm_default_attr.attr,
	&vm_hint_rate_attr.attr,
	&hints_received_attr.attr,
	&hints_rejected_attr.attr,
	&hints_rate_limited_attr.attr,
	&attr_matches_attr.attr,
	&stack_overwrites_attr.attr,
	&hints_scanned_attr.attr,
	&pages_merged_attr.attr,
	&hash_table_pages_attr.attr,
	&attr_table_entries_attr.attr,
	NULL,
};

static const struct attribute_group ksm_hint_attr_group = {
	.attrs = ksm_hint_sysfs_attrs,
};

static int __init ksm_hint_sysfs_init(void)
{
	struct kobject *kobj;
	int err;

	kobj = kobject_create_and_add("ksm_hint", mm_kobj);
	if (!kobj)
		return -ENOMEM;
	err = sysfs_create_group(kobj, &ksm_hint_attr_group);
	if (err)
		kobject_put(kobj);
	return err;
}
#else
static inline int ksm_hint_sysfs_init(void)
{
	return 0;
}
#endif /* CONFIG_SYSFS */

/* ---- debugfs test source --------------------------------------------- */

/* The record a process writes: the uapi hint entry with an address. */
struct ksm_hint_user_rec {
	__u64 addr;
	__u64 file_key;
	__u64 index;
	__u32 kind;
	__u32 reserved;
};

#define KH_DEBUGFS_BATCH	64

static int kh_debugfs_open(struct inode *inode, struct file *file)
{
	struct ksm_hint_source *src;

	if (!capable(CAP_SYS_ADMIN) || !current->mm)
		return -EPERM;
	/* Bound to the opener's own mm: it can only hint its own pages. */
	src = ksm_hint_source_create(current->mm, "debugfs");
	if (IS_ERR(src))
		return PTR_ERR(src);
	file->private_data = src;
	return 0;
}

static int kh_debugfs_release(struct inode *inode, struct file *file)
{
	ksm_hint_source_destroy(file->private_data);
	return 0;
}

static ssize_t kh_debugfs_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct ksm_hint_source *src = file->private_data;
	struct ksm_hint_user_rec *recs;
	struct ksm_hint_entry *ents;
	size_t nrec = count / sizeof(*recs), done = 0;
	ssize_t ret = 0;

	/* An inherited fd must not hint into the opener's mm. */
	if (current->mm != src->mm)
		return -EPERM;
	if (!count || count % sizeof(*recs))
		return -EINVAL;
	recs = kmalloc_array(KH_DEBUGFS_BATCH, sizeof(*recs), GFP_KERNEL);
	ents = kmalloc_array(KH_DEBUGFS_BATCH, sizeof(*ents), GFP_KERNEL);
	if (!recs || !ents) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < nrec) {
		unsigned int n = min_t(size_t, nrec - done, KH_DEBUGFS_BATCH);
		unsigned int i, valid = 0, bad = 0;
		int acc;

		if (copy_from_user(recs, ubuf + done * sizeof(*recs),
				   n * sizeof(*recs))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < n; i++) {
			if (recs[i].reserved || recs[i].addr >= TASK_SIZE) {
				bad++;
				continue;
			}
			ents[valid].addr = recs[i].addr;
			ents[valid].file_key = recs[i].file_key;
			ents[valid].index = recs[i].index;
			ents[valid].kind = recs[i].kind;
			valid++;
		}
		if (bad)
			ksm_hint_note_rejected(src, bad);
		acc = ksm_hint_submit(src, ents, valid);
		done += n;
		if (acc < valid) {
			/* Rate limited: report what was taken, stop. */
			done -= valid - acc;
			break;
		}
		cond_resched();
	}
	if (!ret || done)
		ret = done * sizeof(*recs);
out:
	kfree(recs);
	kfree(ents);
	return ret;
}

static const struct file_operations kh_debugfs_fops = {
	.owner = THIS_MODULE,
	.open = kh_debugfs_open,
	.release = kh_debugfs_release,
	.write = kh_debugfs_write,
	.llseek = noop_llseek,
};

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
	struct dentry *dir;
	int err;

	ksm_hint_bucket_seed = get_random_u32();
	err = kh_stack_init(&ksm_hint_stack, ksm_hint_stack_size);
	if (!err)
		err = kh_attr_init(&ksm_hint_attrs, ksm_hint_attr_size,
				   get_random_u64());
	if (!err)
		err = ksm_hint_sysfs_init();
	if (err) {
		pr_err("initialization failed: %d\n", err);
		return err;
	}
	dir = debugfs_create_dir("ksm_hint", NULL);
	debugfs_create_file("submit", 0200, dir, NULL, &kh_debugfs_fops);
	return 0;
}
subsys_initcall(ksm_hint_init);

#ifdef CONFIG_KSM_HINT_KUNIT_TEST
#include "ksm_hint_kunit.h"
#endif
