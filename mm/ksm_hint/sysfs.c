// SPDX-License-Identifier: GPL-2.0
/*
 * Hint-driven KSM scanning: the sysfs front end, /sys/kernel/mm/ksm_hint.
 * Knobs validate their input here and leave the work to the core; a bad
 * write returns -EINVAL and changes nothing.
 */

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/ksm_hint.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "core.h"

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
	ksm_hint_set_mode(i);
	return count;
}

/*
 * The numeric knobs take one decimal unsigned int; @_set gets it and
 * returns 0 or a negative errno, which the write returns.
 */
#define KH_UINT_RW(_name, _get, _set)					\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", _get());				\
}									\
static ssize_t _name##_store(struct kobject *kobj,			\
			     struct kobj_attribute *attr,		\
			     const char *buf, size_t count)		\
{									\
	unsigned int v;							\
	int err;							\
									\
	if (kstrtouint(buf, 10, &v))					\
		return -EINVAL;						\
	err = _set(v);							\
	return err ? err : count;					\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RW(_name)

#define KH_RO(_name, _fmt, _value)					\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, _fmt "\n", _value);			\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RO(_name)

#define KH_STAT_RO(_name, _stat)					\
	KH_RO(_name, "%ld", ksm_hint_stat_read(_stat))

static unsigned int kh_vm_default(void)
{
	return ksm_hint_vm_default();
}

static int kh_set_vm_default(unsigned int v)
{
	if (v > 1)
		return -EINVAL;
	ksm_hint_set_vm_default(v);
	return 0;
}

static int kh_set_rate(unsigned int v)
{
	ksm_hint_set_rate(v);
	return 0;
}

static struct kobj_attribute mode_attr = __ATTR_RW(mode);
KH_UINT_RW(hint_stack_size, ksm_hint_stack_capacity, ksm_hint_resize_stack);
KH_UINT_RW(attr_table_size, ksm_hint_attr_capacity,
	   ksm_hint_resize_attr_table);
KH_UINT_RW(vm_default, kh_vm_default, kh_set_vm_default);
KH_UINT_RW(vm_hint_rate, ksm_hint_get_rate, kh_set_rate);
KH_STAT_RO(hints_received, KSM_HINT_STAT_RECEIVED);
KH_STAT_RO(hints_rejected, KSM_HINT_STAT_REJECTED);
KH_STAT_RO(hints_rate_limited, KSM_HINT_STAT_RATE_LIMITED);
KH_STAT_RO(attr_matches, KSM_HINT_STAT_ATTR_MATCHES);
KH_STAT_RO(stack_overwrites, KSM_HINT_STAT_STACK_OVERWRITES);
KH_STAT_RO(hints_scanned, KSM_HINT_STAT_SCANNED);
KH_STAT_RO(pages_merged, KSM_HINT_STAT_MERGED);
KH_STAT_RO(hash_table_pages, KSM_HINT_STAT_TABLE_PAGES);
KH_STAT_RO(zero_hints_rejected, KSM_HINT_STAT_ZERO_REJECTED);
KH_STAT_RO(stale_items_dropped, KSM_HINT_STAT_STALE_DROPPED);
KH_STAT_RO(stale_items_remerged, KSM_HINT_STAT_STALE_REMERGED);
KH_STAT_RO(merge_retries, KSM_HINT_STAT_RETRIED);
KH_STAT_RO(merges_given_up, KSM_HINT_STAT_GIVEN_UP);
KH_STAT_RO(hash_table_evictions, KSM_HINT_STAT_TABLE_EVICTED);
KH_STAT_RO(hints_unmatched, KSM_HINT_STAT_UNMATCHED);
KH_STAT_RO(hints_unchanged, KSM_HINT_STAT_UNCHANGED);
KH_STAT_RO(hints_gone, KSM_HINT_STAT_GONE);
KH_STAT_RO(hints_dropped, KSM_HINT_STAT_DROPPED);
KH_RO(attr_table_entries, "%u", ksm_hint_attr_entries());
KH_RO(hint_stack_entries, "%u", ksm_hint_stack_entries());
KH_RO(hash_table_size, "%lu", ksm_hint_hash_table_size());

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
	&hash_table_size_attr.attr,
	&zero_hints_rejected_attr.attr,
	&stale_items_dropped_attr.attr,
	&stale_items_remerged_attr.attr,
	&merge_retries_attr.attr,
	&merges_given_up_attr.attr,
	&hash_table_evictions_attr.attr,
	&hints_unmatched_attr.attr,
	&hints_unchanged_attr.attr,
	&hints_gone_attr.attr,
	&hints_dropped_attr.attr,
	&attr_table_entries_attr.attr,
	&hint_stack_entries_attr.attr,
	NULL,
};

static const struct attribute_group ksm_hint_attr_group = {
	.attrs = ksm_hint_sysfs_attrs,
};

/**
 * ksm_hint_sysfs_init - create /sys/kernel/mm/ksm_hint
 *
 * Called once by the core, after the stack and table are allocated.
 *
 * Return: 0, or a negative errno.
 */
int __init ksm_hint_sysfs_init(void)
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
