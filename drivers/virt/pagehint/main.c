// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint: tell the KVM host which guest pages hold which file page.
 *
 * Page cache folios of regular files are hinted when their content is
 * known and stable: when a read from storage completes (kind READ), when
 * writeback completes and the folio is clean (kind WRITEBACK), and when a
 * folio leaves the page cache (kind DROP, so the host forgets it).  Each
 * 4 KiB page is one entry (gfn, file key, index, kind) of a per-CPU batch
 * that one KVM_HC_PAGE_HINT hypercall sends.  The host compares content
 * before it merges anything; a hint only says where to look first.
 *
 * Hooks come from <linux/pagecache_hint.h>: static branches that cost
 * nothing while this driver is off.  Setting the "enable" parameter to 0
 * takes the same path as unloading the module.
 */

#define pr_fmt(fmt) "pagehint: " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/jump_label.h>
#include <linux/kvm_para.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pagecache_hint.h>
#include <linux/pagemap.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>

#include "flow.h"
#include "key.h"

/* Counters kept by this file, after the flow's. */
enum {
	PAGEHINT_STAT_KEYS_CACHED = PAGEHINT_NR_STATS,
	PAGEHINT_STAT_KEYS_FULL,	/* files not hinted: key cache full */
	PAGEHINT_STAT_UNHINTABLE,	/* files opened that are not hinted */
	PAGEHINT_STAT_NO_KEY,		/* folio events of files with no key */
	PAGEHINT_STAT_STALE_KEY,	/* folios not hinted: file renamed */
	PAGEHINT_STAT_NAMES_CHANGED,	/* renames/unlinks that staled keys */
	PAGEHINT_STAT_HOOK_NS,		/* time in page cache hooks (timing) */
	PAGEHINT_STAT_HYPERCALL_NS,	/* time in hypercalls (timing) */
	PAGEHINT_STAT_TOTAL
};

static const char * const pagehint_stat_names[PAGEHINT_STAT_TOTAL] = {
	[PAGEHINT_STAT_QUEUED] = "hints_queued",
	[PAGEHINT_STAT_SENT] = "hints_sent",
	[PAGEHINT_STAT_RETRIED] = "hints_retried",
	[PAGEHINT_STAT_DROPPED_FULL] = "dropped_batch_full",
	[PAGEHINT_STAT_DROPPED_RATE] = "dropped_rate_limited",
	[PAGEHINT_STAT_DROPPED_OFF] = "dropped_host_off",
	[PAGEHINT_STAT_DROPPED_ERROR] = "dropped_error",
	[PAGEHINT_STAT_HYPERCALLS] = "hypercalls",
	[PAGEHINT_STAT_ENOSYS] = "enosys_answers",
	[PAGEHINT_STAT_KEYS_CACHED] = "keys_cached",
	[PAGEHINT_STAT_KEYS_FULL] = "keys_cache_full",
	[PAGEHINT_STAT_UNHINTABLE] = "unhintable_files",
	[PAGEHINT_STAT_NO_KEY] = "folios_without_key",
	[PAGEHINT_STAT_STALE_KEY] = "folios_stale_key",
	[PAGEHINT_STAT_NAMES_CHANGED] = "names_changed",
	[PAGEHINT_STAT_HOOK_NS] = "hook_ns",
	[PAGEHINT_STAT_HYPERCALL_NS] = "hypercall_ns",
};

static bool pagehint_enable = true;
static unsigned int pagehint_flush_ms = 50;
static unsigned int pagehint_batch_size = PAGEHINT_BATCH_MAX;
static unsigned int pagehint_max_keys = 65536;

static DEFINE_MUTEX(pagehint_mutex);	/* guards what follows */
static bool pagehint_ready;		/* module init has run */
static bool pagehint_active;
static struct pagehint_flow pagehint_flow;
static struct pagehint_keys pagehint_keys;
/* Counters of earlier enabled periods, and of the key cache. */
static u64 pagehint_saved[PAGEHINT_NR_STATS];
static atomic64_t pagehint_file_stats[PAGEHINT_STAT_TOTAL];
/* Bumped on the read completion path, so per CPU rather than shared. */
static DEFINE_PER_CPU(u64, pagehint_no_key);
static DEFINE_PER_CPU(u64, pagehint_stale_key);
/*
 * What the driver costs the guest, measured by itself: a benchmark under
 * emulation cannot tell a cost of a few percent from the run-to-run
 * spread of whole reads, but the share of a read's CPU time spent here
 * does not depend on how fast the emulator ran that read.  Off by
 * default: two clock reads per folio would be a good part of the hook.
 */
static DEFINE_STATIC_KEY_FALSE(pagehint_timing);
static DEFINE_PER_CPU(u64, pagehint_hook_ns);
static DEFINE_PER_CPU(u64, pagehint_hypercall_ns);
static struct dentry *pagehint_debugfs;

static long pagehint_hypercall(struct kvm_page_hint_entry *ents,
			       unsigned int nr)
{
	/* In a KVM guest a page's frame number is its gfn. */
	phys_addr_t pa = virt_to_phys(ents);
	u64 t0;
	long r;

	if (!static_branch_unlikely(&pagehint_timing))
		return kvm_hypercall3(KVM_HC_PAGE_HINT, pa, nr, 0);
	t0 = local_clock();
	r = kvm_hypercall3(KVM_HC_PAGE_HINT, pa, nr, 0);
	this_cpu_add(pagehint_hypercall_ns, local_clock() - t0);
	return r;
}

static void pagehint_folio_hint(struct folio *folio,
				enum pagecache_hint_event event)
{
	enum pagehint_key_state state;
	struct address_space *mapping;
	struct inode *inode;
	u32 kind;
	u64 key;

	/* Page cache of regular files only: no anon, swap or shmem. */
	if (folio_test_anon(folio) || folio_test_swapbacked(folio))
		return;
	mapping = READ_ONCE(folio->mapping);
	if (!mapping)
		return;
	switch (event) {
	case PAGECACHE_HINT_READ:
		kind = KVM_PAGE_HINT_KIND_READ;
		break;
	case PAGECACHE_HINT_WRITTEN:
		/* Redirtied during writeback: its content is changing. */
		if (folio_test_dirty(folio))
			return;
		kind = KVM_PAGE_HINT_KIND_WRITEBACK;
		break;
	default:
		kind = KVM_PAGE_HINT_KIND_DROP;
		break;
	}
	inode = mapping->host;
	state = pagehint_keys_get(&pagehint_keys, inode, &key);
	if (state == PAGEHINT_KEY_NONE) {
		this_cpu_inc(pagehint_no_key);
		return;
	}
	/*
	 * Renamed or unlinked since it was opened: its old path may name
	 * another file now.  A drop still retracts what that key hinted.
	 */
	if (kind != KVM_PAGE_HINT_KIND_DROP &&
	    (state == PAGEHINT_KEY_STALE || !READ_ONCE(inode->i_nlink))) {
		this_cpu_inc(pagehint_stale_key);
		return;
	}
	pagehint_flow_queue(&pagehint_flow, folio_pfn(folio), key,
			    folio->index, kind, folio_nr_pages(folio));
}

static void pagehint_folio_event(struct folio *folio,
				 enum pagecache_hint_event event)
{
	u64 t0;

	if (!static_branch_unlikely(&pagehint_timing)) {
		pagehint_folio_hint(folio, event);
		return;
	}
	t0 = local_clock();
	pagehint_folio_hint(folio, event);
	this_cpu_add(pagehint_hook_ns, local_clock() - t0);
}

static void pagehint_file_open(struct file *file)
{
	struct inode *inode = file_inode(file);
	unsigned int gen;
	int ret;
	u64 key;

	if (!S_ISREG(inode->i_mode))
		return;
	/*
	 * A file of one name whose key is current keeps it: a rename or
	 * unlink since it was hashed would have made it stale.  A build
	 * opens the same headers over and over, and d_path() and the hash
	 * were the hook's cost.  A file of several names gets the key of
	 * the name it was opened by, as each open did before.
	 */
	if (READ_ONCE(inode->i_nlink) == 1 &&
	    pagehint_keys_get(&pagehint_keys, inode, &key) ==
	    PAGEHINT_KEY_CURRENT)
		return;
	gen = pagehint_keys_gen(&pagehint_keys);
	ret = pagehint_file_key(file, &key);
	if (!ret)
		ret = pagehint_keys_set(&pagehint_keys, inode, key, gen);
	if (ret == -EOPNOTSUPP)
		atomic64_inc(&pagehint_file_stats[PAGEHINT_STAT_UNHINTABLE]);
	else if (ret)
		atomic64_inc(&pagehint_file_stats[PAGEHINT_STAT_KEYS_FULL]);
}

static void pagehint_inode_evict(struct inode *inode)
{
	pagehint_keys_forget(&pagehint_keys, inode);
}

static void pagehint_name_change(struct inode *inode)
{
	if (S_ISDIR(inode->i_mode))
		pagehint_keys_stale_all(&pagehint_keys);
	else if (S_ISREG(inode->i_mode))
		pagehint_keys_stale(&pagehint_keys, inode);
	else
		return;
	atomic64_inc(&pagehint_file_stats[PAGEHINT_STAT_NAMES_CHANGED]);
}

static const struct pagecache_hint_ops pagehint_ops = {
	.folio_event = pagehint_folio_event,
	.file_open = pagehint_file_open,
	.inode_evict = pagehint_inode_evict,
	.name_change = pagehint_name_change,
};

/* Turn hinting on; pagehint_mutex held. */
static int pagehint_start(void)
{
	int ret;

	ret = pagehint_flow_init(&pagehint_flow, pagehint_hypercall,
				 pagehint_flush_ms, pagehint_batch_size);
	if (ret)
		return ret;
	ret = pagehint_keys_init(&pagehint_keys, pagehint_max_keys);
	if (ret)
		goto out_flow;
	ret = pagecache_hint_register(&pagehint_ops);
	if (ret)
		goto out_keys;
	pagehint_active = true;
	return 0;
out_keys:
	pagehint_keys_destroy(&pagehint_keys);
out_flow:
	pagehint_flow_destroy(&pagehint_flow, pagehint_saved);
	return ret;
}

/* Turn hinting off, the same way as on unload; pagehint_mutex held. */
static void pagehint_stop(void)
{
	/* After this no hook runs or will run any of our code. */
	pagecache_hint_unregister(&pagehint_ops);
	pagehint_flow_destroy(&pagehint_flow, pagehint_saved);
	pagehint_keys_destroy(&pagehint_keys);
	pagehint_active = false;
}

static int pagehint_enable_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int ret;

	ret = kstrtobool(val, &on);
	if (ret)
		return ret;
	mutex_lock(&pagehint_mutex);
	/* Before module init (boot command line) only note the value. */
	if (pagehint_ready && on && !pagehint_active)
		ret = pagehint_start();
	else if (pagehint_ready && !on && pagehint_active)
		pagehint_stop();
	if (!ret)
		pagehint_enable = on;
	mutex_unlock(&pagehint_mutex);
	return ret;
}

static const struct kernel_param_ops pagehint_enable_ops = {
	.set = pagehint_enable_set,
	.get = param_get_bool,
};
module_param_cb(enable, &pagehint_enable_ops, &pagehint_enable, 0644);
MODULE_PARM_DESC(enable, "Send page cache hints to the host (default 1)");

static int pagehint_flush_ms_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint_minmax(val, kp, 1, 10000);

	if (!ret)
		WRITE_ONCE(pagehint_flow.interval_ms, pagehint_flush_ms);
	return ret;
}

static const struct kernel_param_ops pagehint_flush_ms_ops = {
	.set = pagehint_flush_ms_set,
	.get = param_get_uint,
};
module_param_cb(flush_ms, &pagehint_flush_ms_ops, &pagehint_flush_ms, 0644);
MODULE_PARM_DESC(flush_ms,
		 "Interval of the timed flush of batches that are not full, 1..10000 ms (default 50)");

static int pagehint_batch_size_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret = param_set_uint_minmax(val, kp, 1, PAGEHINT_BATCH_MAX);

	if (!ret)
		WRITE_ONCE(pagehint_flow.batch_max, pagehint_batch_size);
	return ret;
}

static const struct kernel_param_ops pagehint_batch_size_ops = {
	.set = pagehint_batch_size_set,
	.get = param_get_uint,
};
module_param_cb(batch_size, &pagehint_batch_size_ops, &pagehint_batch_size, 0644);
MODULE_PARM_DESC(batch_size, "Entries per hypercall, 1..128 (default 128)");

module_param_named(max_keys, pagehint_max_keys, uint, 0444);
MODULE_PARM_DESC(max_keys,
		 "Most files with a cached key; more are not hinted (default 65536)");

/* The counters kept per CPU by this file, or NULL. */
static u64 __percpu *pagehint_percpu_stat(unsigned long i)
{
	switch (i) {
	case PAGEHINT_STAT_NO_KEY:
		return &pagehint_no_key;
	case PAGEHINT_STAT_STALE_KEY:
		return &pagehint_stale_key;
	case PAGEHINT_STAT_HOOK_NS:
		return &pagehint_hook_ns;
	case PAGEHINT_STAT_HYPERCALL_NS:
		return &pagehint_hypercall_ns;
	default:
		return NULL;
	}
}

static int pagehint_stat_get(void *data, u64 *val)
{
	unsigned long i = (unsigned long)data;
	u64 stats[PAGEHINT_NR_STATS];

	mutex_lock(&pagehint_mutex);
	if (i < PAGEHINT_NR_STATS) {
		memcpy(stats, pagehint_saved, sizeof(stats));
		if (pagehint_active)
			pagehint_flow_stats(&pagehint_flow, stats);
		*val = stats[i];
	} else if (i == PAGEHINT_STAT_KEYS_CACHED) {
		*val = pagehint_active ? atomic_read(&pagehint_keys.nr) : 0;
	} else if (pagehint_percpu_stat(i)) {
		u64 __percpu *pcp = pagehint_percpu_stat(i);
		u64 sum = 0;
		int cpu;

		for_each_possible_cpu(cpu)
			sum += *per_cpu_ptr(pcp, cpu);
		*val = sum;
	} else {
		*val = atomic64_read(&pagehint_file_stats[i]);
	}
	mutex_unlock(&pagehint_mutex);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pagehint_stat_fops, pagehint_stat_get, NULL, "%llu\n");

static int pagehint_flush_write(void *data, u64 val)
{
	mutex_lock(&pagehint_mutex);
	if (pagehint_active)
		pagehint_flow_flush(&pagehint_flow);
	mutex_unlock(&pagehint_mutex);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pagehint_flush_fops, NULL, pagehint_flush_write,
			 "%llu\n");

static int pagehint_timing_get(void *data, u64 *val)
{
	*val = static_branch_unlikely(&pagehint_timing);
	return 0;
}

static int pagehint_timing_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	/* Serialised, so enable and disable never race. */
	mutex_lock(&pagehint_mutex);
	if (val)
		static_branch_enable(&pagehint_timing);
	else
		static_branch_disable(&pagehint_timing);
	mutex_unlock(&pagehint_mutex);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pagehint_timing_fops, pagehint_timing_get,
			 pagehint_timing_set, "%llu\n");

static void pagehint_debugfs_init(void)
{
	unsigned long i;

	pagehint_debugfs = debugfs_create_dir("pagehint", NULL);
	for (i = 0; i < PAGEHINT_STAT_TOTAL; i++)
		debugfs_create_file_unsafe(pagehint_stat_names[i], 0444,
					   pagehint_debugfs, (void *)i,
					   &pagehint_stat_fops);
	debugfs_create_file_unsafe("flush", 0200, pagehint_debugfs, NULL,
				   &pagehint_flush_fops);
	debugfs_create_file_unsafe("timing", 0600, pagehint_debugfs, NULL,
				   &pagehint_timing_fops);
}

static int __init pagehint_init(void)
{
	int ret = 0;

	/* The hypercall means nothing outside a KVM guest. */
	if (!kvm_para_available())
		return -ENODEV;
	pagehint_debugfs_init();
	mutex_lock(&pagehint_mutex);
	pagehint_ready = true;
	if (pagehint_enable)
		ret = pagehint_start();
	mutex_unlock(&pagehint_mutex);
	if (ret) {
		debugfs_remove_recursive(pagehint_debugfs);
		return ret;
	}
	pr_info("%s, %u entries per hypercall, flush after %u ms\n",
		pagehint_enable ? "on" : "off", pagehint_batch_size,
		pagehint_flush_ms);
	return 0;
}
module_init(pagehint_init);

static void __exit pagehint_exit(void)
{
	mutex_lock(&pagehint_mutex);
	if (pagehint_active)
		pagehint_stop();
	pagehint_ready = false;
	mutex_unlock(&pagehint_mutex);
	debugfs_remove_recursive(pagehint_debugfs);
}
module_exit(pagehint_exit);

MODULE_DESCRIPTION("KVM guest page cache hints for KSM on the host");
MODULE_LICENSE("GPL");
