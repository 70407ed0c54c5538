/* served_held: the held versions clients were served metadata without.
 * A resolver that reads a packument or page with a version withheld never
 * asks for its artifact, so the artifact route cannot count it; the
 * metadata routes note here, per version and client, what the document they
 * served left out (and the alternative it pointed at). The counts wait in
 * memory (a bounded table, one mutex: an event loop never writes the store
 * for this) until the held queue takes them into its records, inside a
 * store write (review/held.c). Beyond SERVED_HELD_MAX pending rows new
 * rows are dropped and counted; the next take makes room. */
#ifndef CORDON_SERVED_HELD_H
#define CORDON_SERVED_HELD_H

#include <stddef.h>
#include <stdint.h>

#define SERVED_HELD_MAX 8192

typedef struct served_held {
    char eco[16];
    char *package, *version, *alternative; /* alternative: "" when the document kept none */
    char client[64], ua[200];
    int64_t count, first, last;
} served_held_t;

/* A rendered document's note (what it withheld): one line per held version,
 * "VERSION ALTERNATIVE" or "VERSION" when nothing was kept. */
void served_held_note_add(char **note, size_t *len, const char *version, const char *alternative);

/* counts one request served a document whose note is `note` */
void served_held_count(const char *eco, const char *package, const char *note, const char *client, const char *ua,
                       int64_t now);

/* whether anything waits to be taken */
int served_held_pending(void);
/* takes every pending row (the caller owns them: served_held_free) */
size_t served_held_take(served_held_t **out);
void served_held_free(served_held_t *v, size_t n);
/* rows dropped because the table was full, since start */
uint64_t served_held_dropped(void);

#endif
