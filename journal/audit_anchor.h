/* audit_anchor: writes the audit chain's head to the server log (stderr),
 * so that a log collector outside the host keeps it where whoever can
 * write the store cannot reach: one line
 *   {"level":"info","msg":"audit head","seq":N,"hash":"…","head":"N:HASH"}
 * at start, after any commit that brought 100 or more records since the
 * last line, within 10 s of any other new record (whichever process wrote
 * it), and at a clean stop. `cordon audit verify --head N:HASH` checks the
 * chain against such a line: records cut after it, or a chain rewritten
 * up to it, fail. */
#ifndef CORDON_AUDIT_ANCHOR_H
#define CORDON_AUDIT_ANCHOR_H

/* 0, or -1 when the thread cannot start; the store must be open */
int audit_anchor_start(void);
/* a commit happened: check the 100-record rule now (cheap, never blocks) */
void audit_anchor_poke(void);
/* logs the final head and stops */
void audit_anchor_stop(void);

#endif
