/* SPDX-License-Identifier: GPL-2.0 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ksm_hint

#if !defined(_TRACE_KSM_HINT_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_KSM_HINT_H

#include <linux/tracepoint.h>

/*
 * ksm_hint_received - a source handed over a hint of a valid kind
 * @src_id: id of the hint source
 * @addr: address of the page in the source's mm
 * @file_key: file key of the page
 * @index: page index in the file
 * @kind: kind of the hint
 */
TRACE_EVENT(ksm_hint_received,
	    TP_PROTO(u64 src_id, unsigned long addr, u64 file_key, u64 index,
		     u32 kind),
	    TP_ARGS(src_id, addr, file_key, index, kind),
	    TP_STRUCT__entry(__field(u64, src_id)
			     __field(unsigned long, addr)
			     __field(u64, file_key)
			     __field(u64, index)
			     __field(u32, kind)),
	    TP_fast_assign(__entry->src_id = src_id;
			   __entry->addr = addr;
			   __entry->file_key = file_key;
			   __entry->index = index;
			   __entry->kind = kind;),
	    TP_printk("src %llu addr %lx key %llx index %llu kind %u",
		      __entry->src_id, __entry->addr, __entry->file_key,
		      __entry->index, __entry->kind)
);

/*
 * ksm_hint_pushed - a page hint went onto the hint stack
 * @src_id: id of the hint source
 * @addr: address of the page in the source's mm
 * @overwrote: the stack was full and its oldest hint was overwritten
 */
TRACE_EVENT(ksm_hint_pushed,
	    TP_PROTO(u64 src_id, unsigned long addr, bool overwrote),
	    TP_ARGS(src_id, addr, overwrote),
	    TP_STRUCT__entry(__field(u64, src_id)
			     __field(unsigned long, addr)
			     __field(bool, overwrote)),
	    TP_fast_assign(__entry->src_id = src_id;
			   __entry->addr = addr;
			   __entry->overwrote = overwrote;),
	    TP_printk("src %llu addr %lx overwrote %d",
		      __entry->src_id, __entry->addr, __entry->overwrote)
);

/*
 * ksm_hint_merged - ksmd merged a hinted page
 * @mm: mm of the hinted page
 * @addr: address of the hinted page
 * @pages: number of pages that became shared
 */
TRACE_EVENT(ksm_hint_merged,
	    TP_PROTO(void *mm, unsigned long addr, unsigned int pages),
	    TP_ARGS(mm, addr, pages),
	    TP_STRUCT__entry(__field(void *, mm)
			     __field(unsigned long, addr)
			     __field(unsigned int, pages)),
	    TP_fast_assign(__entry->mm = mm;
			   __entry->addr = addr;
			   __entry->pages = pages;),
	    TP_printk("mm %p addr %lx pages %u",
		      __entry->mm, __entry->addr, __entry->pages)
);

/*
 * ksm_hint_skipped - ksmd did not merge a hinted page
 * @mm: mm of the hinted page, NULL when the source is gone
 * @addr: address of the hinted page
 * @why: enum ksm_hint_skip reason
 */
TRACE_EVENT(ksm_hint_skipped,
	    TP_PROTO(void *mm, unsigned long addr, int why),
	    TP_ARGS(mm, addr, why),
	    TP_STRUCT__entry(__field(void *, mm)
			     __field(unsigned long, addr)
			     __field(int, why)),
	    TP_fast_assign(__entry->mm = mm;
			   __entry->addr = addr;
			   __entry->why = why;),
	    TP_printk("mm %p addr %lx why %d",
		      __entry->mm, __entry->addr, __entry->why)
);

#endif /* _TRACE_KSM_HINT_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
