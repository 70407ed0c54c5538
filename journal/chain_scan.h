/* chain_scan: the audit chain read back a page at a time, newest record
 * first, filtered by type and by the members people look for (the admin
 * API's decisions and audit pages). The records are handed out as stored:
 * the JSON bytes each chain record holds. */
#ifndef CORDON_CHAIN_SCAN_H
#define CORDON_CHAIN_SCAN_H

#include <stddef.h>
#include <stdint.h>

/* "" (or NULL) matches any value; a record without the member has "" */
typedef struct chain_filter {
    int only_decisions; /* records of type "decision" only */
    const char *type, *ecosystem, *package, *version, *decision;
    const char *request_id; /* the request a decision was made for (explain_denial) */
    int64_t since;   /* records from this time on; TIME_NONE: any (the chain is in time order) */
    uint64_t before; /* records before this sequence number; 0: from the newest */
    long limit;      /* records handed out at most */
    long scan_max;   /* records looked at at most: a page of rare records ends early */
} chain_filter_t;

typedef struct chain_page {
    long n;               /* records handed out */
    int more;             /* the limit or scan_max ended the page: older ones may match */
    uint64_t next_before; /* with more: where the next page starts (pass it as before) */
} chain_page_t;

/* called for each kept record, newest first (i counts them from 0); rec is
 * valid during the call only */
typedef void (*chain_visit_fn)(void *arg, long i, const char *rec, size_t len);

/* 0 with out filled, or -1 when the store cannot be read */
int chain_scan(const chain_filter_t *f, chain_visit_fn visit, void *arg, chain_page_t *out);

#endif
