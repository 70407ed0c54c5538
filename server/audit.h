/* audit: the tamper-evident chain every decision, approval, revocation,
 * block, token change and review request is appended to (LMDB database
 * "decisions"). Each record is one flat JSON object keyed by its 8-byte
 * big-endian sequence number; its last member "prev" is the SHA-256 of the
 * previous record's bytes (64 zeros for the first). The chain head (last
 * sequence number and its hash) is kept in the state database in the same
 * transaction, so an edited or removed last record is caught too. */
#ifndef CORDON_AUDIT_H
#define CORDON_AUDIT_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

/* Appends {"seq":N,"type":TYPE,"time":…,MEMBERS,"prev":…} inside txn.
 * members is a comma-separated list of JSON members (may be empty). Any
 * process may append: the head is read inside the write transaction, which
 * LMDB serialises. Returns an LMDB code; *seq_out (optional) gets N. */
int audit_append(MDB_txn *txn, const char *type, int64_t time_ms, const char *members, size_t mlen,
                 uint64_t *seq_out);

typedef struct audit_report {
    int ok;
    uint64_t records;   /* records checked */
    uint64_t broken_at; /* sequence number of the first bad record (0 when ok) */
    char head[65];      /* hash of the last record */
    char error[300];
} audit_report_t;

/* walks the whole chain; the store must be open. Returns 0 when it could
 * read the store (the verdict is in out->ok), -1 otherwise. */
int audit_verify(audit_report_t *out);

/* 8-byte big-endian keys shared by the id-keyed databases */
void audit_u64_key(uint64_t v, unsigned char out[8]);
uint64_t audit_u64_from_key(const void *p, size_t n);

#endif
