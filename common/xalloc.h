/* xalloc: cordon's one allocation-failure policy, and the allocators that
 * carry it out.
 *
 * Two kinds of allocation, told apart by who decides the size:
 *
 *  - cordon decides it (a structure, a key, a name, a copy of a string
 *    bounded by a limit or by the configuration): xmalloc, xcalloc,
 *    xrealloc, xstrdup, xstrndup. They never return NULL: on failure they
 *    print "cordon: out of memory (N bytes)" and abort. Such a failure means
 *    the process is out of address space; a recovery path (answer 503, drop
 *    the job) would allocate too, is never exercised, and left unchecked
 *    becomes a NULL dereference somewhere else. h2o does the same for its
 *    own memory (h2o_mem_alloc).
 *
 *  - the input decides it (a request or upstream body, a document, an
 *    archive entry, the entries of a lockfile or a packument): plain malloc
 *    and realloc, buf_t (common/buf.h, whose error sticks) or vec_t
 *    (common/vec.h), each checked where it happens. Such a failure is the
 *    one input's fault and must not take the server down: it ends that
 *    request with a 503 ("out of memory"), that job with a finding, that
 *    document with an error.
 *
 * Every allocation is one or the other; an unchecked malloc/strdup is a bug.
 */
#ifndef CORDON_XALLOC_H
#define CORDON_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* the failure itself (what the allocators above call): message, abort */
void xalloc_fail(size_t n) __attribute__((noreturn));

#endif
