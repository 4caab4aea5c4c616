/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * KVM_HC_PAGE_HINT: a guest tells the host which of its pages hold file
 * pages that other guests likely hold too, so the host merges them sooner.
 * See Documentation/virt/kvm/x86/hypercalls.rst.
 */
#ifndef _UAPI_LINUX_KVM_PAGE_HINT_H
#define _UAPI_LINUX_KVM_PAGE_HINT_H

#include <linux/types.h>

/* Values of kvm_page_hint_entry.kind */
#define KVM_PAGE_HINT_KIND_READ		1 /* page cache page read from storage */
#define KVM_PAGE_HINT_KIND_WRITEBACK	2 /* page cache page written back */
#define KVM_PAGE_HINT_KIND_DROP		3 /* page cache page dropped */
#define KVM_PAGE_HINT_KIND_ZERO		4 /* page was zeroed */

/**
 * struct kvm_page_hint_entry - one hint of a KVM_HC_PAGE_HINT batch
 * @gfn: guest frame number of the page
 * @file_key: 64-bit hash of the file's path in the guest, computed the same
 *	way in every guest so that the same file has the same key everywhere:
 *	FNV-1a 64 over the bytes of the file's absolute path in the guest's
 *	initial mount namespace ("/usr/lib/libc.so.6"; no trailing NUL), that
 *	is h = 0xcbf29ce484222325, then for each byte b: h ^= b;
 *	h *= 0x100000001b3 (mod 2^64).  "/etc/hostname" gives
 *	0xed297ff01810aaf0.  The host only uses it to pair pages; it always
 *	compares content before it shares a page
 * @index: page index of the page in that file
 * @kind: one of KVM_PAGE_HINT_KIND_*
 * @reserved: must be 0
 *
 * 32 bytes, in the guest's byte order (little endian on x86).
 */
struct kvm_page_hint_entry {
	__u64 gfn;
	__u64 file_key;
	__u64 index;
	__u32 kind;
	__u32 reserved;
};

/* Flags (a2) of KVM_HC_PAGE_HINT: none are defined, a2 must be 0. */
#define KVM_PAGE_HINT_FLAGS_VALID	0

#endif /* _UAPI_LINUX_KVM_PAGE_HINT_H */
