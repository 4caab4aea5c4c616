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

static ssize_t hint_stack_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ksm_hint_stack_capacity());
}

static ssize_t hint_stack_size_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	unsigned int size;
	int err;

	if (kstrtouint(buf, 10, &size))
		return -EINVAL;
	err = ksm_hint_resize_stack(size);
	return err ? err : count;
}

static ssize_t attr_table_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ksm_hint_attr_capacity());
}

static ssize_t attr_table_size_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	unsigned int size;
	int err;

	if (kstrtouint(buf, 10, &size))
		return -EINVAL;
	err = ksm_hint_resize_attr_table(size);
	return err ? err : count;
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
	ksm_hint_set_vm_default(v);
	return count;
}

static ssize_t vm_hint_rate_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ksm_hint_get_rate());
}

static ssize_t vm_hint_rate_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	unsigned int v;

	if (kstrtouint(buf, 10, &v))
		return -EINVAL;
	ksm_hint_set_rate(v);
	return count;
}

static ssize_t attr_table_entries_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ksm_hint_attr_entries());
}

static ssize_t hash_table_size_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", ksm_hint_hash_table_size());
}

static ssize_t hint_stack_entries_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", ksm_hint_stack_entries());
}

#define KH_ATTR_RW(_name) \
	static struct kobj_attribute _name##_attr = __ATTR_RW(_name)
#define KH_STAT_RO(_name, _stat)					\
static ssize_t _name##_show(struct kobject *kobj,			\
			    struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%ld\n",					\
			  ksm_hint_stat_read(_stat));	\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RO(_name)

KH_ATTR_RW(mode);
KH_ATTR_RW(hint_stack_size);
KH_ATTR_RW(attr_table_size);
KH_ATTR_RW(vm_default);
KH_ATTR_RW(vm_hint_rate);
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
KH_STAT_RO(merge_retries, KSM_HINT_STAT_RETRIED);
KH_STAT_RO(merges_given_up, KSM_HINT_STAT_GIVEN_UP);
static struct kobj_attribute attr_table_entries_attr =
	__ATTR_RO(attr_table_entries);
static struct kobj_attribute hint_stack_entries_attr =
	__ATTR_RO(hint_stack_entries);
static struct kobj_attribute hash_table_size_attr =
	__ATTR_RO(hash_table_size);

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
	&merge_retries_attr.attr,
	&merges_given_up_attr.attr,
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
