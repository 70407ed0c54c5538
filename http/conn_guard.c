/* conn_guard: the connection cap and the request-body guard (see
 * conn_guard.h). How it sits below h2o 2.2 (libh2o-evloop):
 *
 * h2o runs a handler only once a request's whole body is buffered (in
 * lib/http1.c the entity reader calls process_request when the last byte is
 * in; HTTP/2 waits for END_STREAM), and checks nothing on the way but
 * h2o_globalconf_t.max_request_entity_size: a Content-Length above it gets
 * 413 before the body is read, a chunked body 413 once it passes it. There
 * is no hook between a request's head and its body. So:
 *
 *  - every connection cordon accepts gets a slot, reached from its socket
 *    through sock->on_close (h2o leaves that to the owner of a server
 *    socket), freed when the socket is;
 *  - h2o arms every read with h2o_socket_read_start. cordon defines that
 *    symbol itself (the dynamic linker binds libh2o's own calls to the
 *    executable's definition) and calls h2o's through dlsym(RTLD_NEXT);
 *    when h2o arms its HTTP/1 request reader on a guarded connection,
 *    guard_on_read goes in front of it. Before h2o looks at newly read
 *    bytes, guard_on_read parses the request head at the start of the
 *    socket's input (h2o keeps the request it is reading there) and judges
 *    its body (body_limits). A refused body's Content-Length and
 *    Transfer-Encoding headers are renamed in place (x-unread-bytes,
 *    x-unread-encoding: the same lengths), so h2o hands the request to the
 *    router at once, as one without a body (and sends no 100 Continue); the
 *    router answers the refusal (conn_guard_take) and closes the connection:
 *    the body is never read. A head h2o would parse without a read (one
 *    pipelined behind the request it answered, a TLS connection's first
 *    that came with the handshake) is held from h2o for one turn of the
 *    loop and handed to it through guard_on_read;
 *  - h2o's closes go through cordon's h2o_socket_close too (the same way):
 *    a connection whose body was refused lingers before it closes, so the
 *    client gets its answer and not a reset (see linger_start);
 *  - h2o's own limit is per loop: each loop's context has its own copy of
 *    the global configuration (listener.c), whose limit is the small one,
 *    raised to limits.max_body only while h2o reads a large body the guard
 *    admitted. HTTP/2 bodies, which cannot be judged from a head cordon does
 *    not parse (HPACK), stop at the small limit: h2o resets the stream.
 *
 * h2o's HTTP/1 request reader is a static function; conn_guard_init learns
 * its address by accepting a probe connection (a socketpair) at start.
 * Loop threads touch only their own connections' slots; the counts shared
 * by all loops are atomics. */
#include "http/conn_guard.h"
#include "common/log.h"

#include <dlfcn.h>
#include <h2o/http1.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "http/http.h"
#include "core/runtime.h"

/* picohttpparser, which libh2o bundles and exports (no header is installed) */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
                      size_t last_len);

typedef struct conn_slot {
    h2o_socket_t *sock;
    h2o_context_t *ctx;      /* its loop's; ctx->globalconf is the loop's own copy */
    body_verdict_t refusal;  /* decided on the head of the request being read */
    int64_t length;          /* what that head announced */
    int large;               /* holds one of limits.max_large_bodies */
    int in_request;          /* a whole head went to h2o; until the router has the request */
    h2o_buffer_t *held;      /* read bytes held from h2o until `handover` fires */
    h2o_timeout_entry_t handover;
    int unread_body;         /* a refused body's bytes may still be on the way: linger at close */
    int lingering;           /* h2o closed it; cordon drops what still comes (see linger_start) */
    int linger_ticks;
    size_t dropped, dropped_at_tick;
    h2o_timeout_entry_t linger_tick;
} conn_slot_t;


/* who may send a lockfile body (the admin API's token check), set at start;
 * none set: nobody may */
static conn_guard_auth_fn g_may_submit;
void conn_guard_set_lockfile_auth(conn_guard_auth_fn fn) { g_may_submit = fn; }
static atomic_long g_open, g_large;
static atomic_uint_fast64_t g_refused_conns, g_refused_bodies[BODY_VERDICT_COUNT];
static _Atomic int64_t g_last_warn_ms;

typedef void (*read_start_fn)(h2o_socket_t *sock, h2o_socket_cb cb);
typedef void (*socket_close_fn)(h2o_socket_t *sock);
static read_start_fn g_h2o_read_start;
static socket_close_fn g_h2o_close;
static atomic_int g_lingering;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static h2o_socket_cb g_http1_reader; /* lib/http1.c reqread_on_read; written by the first loop before the others start */
static h2o_socket_t *g_probe;        /* the socket conn_guard_init learns it on */

static void find_h2o_read_start(void)
{
    void *f = dlsym(RTLD_NEXT, "h2o_socket_read_start");
    memcpy(&g_h2o_read_start, &f, sizeof(f));
    f = dlsym(RTLD_NEXT, "h2o_socket_close");
    memcpy(&g_h2o_close, &f, sizeof(f));
}

static void on_conn_closed(void *data)
{
    conn_slot_t *slot = data;
    if (h2o_timeout_is_linked(&slot->handover))
        h2o_timeout_unlink(&slot->handover);
    if (slot->held != NULL)
        h2o_buffer_dispose(&slot->held);
    if (h2o_timeout_is_linked(&slot->linger_tick))
        h2o_timeout_unlink(&slot->linger_tick);
    if (slot->lingering)
        atomic_fetch_sub(&g_lingering, 1);
    if (slot->large)
        atomic_fetch_sub(&g_large, 1);
    atomic_fetch_sub(&g_open, 1);
    free(slot);
}

static conn_slot_t *slot_of(h2o_socket_t *sock)
{
    return sock != NULL && sock->on_close.cb == on_conn_closed ? sock->on_close.data : NULL;
}

/* ---- judging a head ---- */

static const char UNREAD_LENGTH[] = "x-unread-bytes";      /* as long as "content-length" */
static const char UNREAD_ENCODING[] = "x-unread-encoding"; /* as long as "transfer-encoding" */

static int header_is(const struct phr_header *h, const char *name)
{
    size_t n = strlen(name);
    return h->name_len == n && strncasecmp(h->name, name, n) == 0;
}

/* Judges the request head at the start of sock's input. Returns the body
 * limit h2o is to apply while it reads. */
static size_t vet_head(h2o_socket_t *sock, conn_slot_t *slot)
{
    const config_t *cfg = runtime_config();
    size_t small = (size_t)body_limit(BODY_ROUTE_SMALL, cfg->max_body);
    h2o_buffer_t *in = sock->input;
    struct phr_header h[H2O_MAX_HEADERS];
    size_t nh = H2O_MAX_HEADERS, mlen, plen;
    const char *method, *path;
    int minor;
    /* the same bounds as h2o's own parse: what it rejects, it answers */
    size_t len = in->size < H2O_MAX_REQLEN ? in->size : H2O_MAX_REQLEN;
    slot->refusal = BODY_ADMIT;
    if (phr_parse_request(in->bytes, len, &method, &mlen, &path, &plen, &minor, h, &nh, 0) <= 0)
        return small; /* not a whole head yet */
    slot->in_request = 1;
    /* h2o takes the body's length as it does here: Transfer-Encoding over
     * Content-Length, and the first Content-Length */
    int chunked = 0, have_length = 0;
    size_t cl = 0;
    const struct phr_header *auth = NULL;
    for (size_t i = 0; i < nh; i++) {
        if (header_is(&h[i], "transfer-encoding"))
            chunked = 1;
        else if (header_is(&h[i], "content-length") && !have_length) {
            have_length = 1;
            cl = h2o_strtosize(h[i].value, h[i].value_len);
        } else if (header_is(&h[i], "authorization"))
            auth = &h[i];
    }
    if (!chunked && have_length && cl == SIZE_MAX)
        return small; /* a broken Content-Length: h2o answers 400 */
    int64_t length = chunked ? BODY_CHUNKED : have_length ? (int64_t)cl : 0;
    if (length == 0)
        return small;

    body_route_t route = body_route(cfg, method, mlen, path, plen);
    body_verdict_t v = body_judge(route, length, cfg->max_body);
    if (route == BODY_ROUTE_LOCKFILE && (v == BODY_ADMIT || v == BODY_ADMIT_LARGE) &&
        !(g_may_submit && g_may_submit(auth ? auth->value : NULL, auth ? auth->value_len : 0)))
        v = BODY_REFUSE_AUTH;
    if (v == BODY_ADMIT_LARGE && !slot->large) {
        if (atomic_fetch_add(&g_large, 1) >= cfg->max_large_bodies) {
            atomic_fetch_sub(&g_large, 1);
            v = BODY_REFUSE_BUSY;
        } else {
            slot->large = 1;
        }
    }
    if (v == BODY_ADMIT)
        return small;
    if (v == BODY_ADMIT_LARGE)
        return (size_t)cfg->max_body;
    /* refused: h2o is to see a request without a body */
    for (size_t i = 0; i < nh; i++) {
        if (header_is(&h[i], "content-length"))
            memcpy((char *)h[i].name, UNREAD_LENGTH, sizeof(UNREAD_LENGTH) - 1);
        else if (header_is(&h[i], "transfer-encoding"))
            memcpy((char *)h[i].name, UNREAD_ENCODING, sizeof(UNREAD_ENCODING) - 1);
    }
    slot->refusal = v;
    slot->length = length;
    atomic_fetch_add(&g_refused_bodies[v], 1);
    return small;
}

static void guard_on_read(h2o_socket_t *sock, const char *err)
{
    conn_slot_t *slot = slot_of(sock);
    if (err != NULL || slot == NULL) {
        g_http1_reader(sock, err);
        return;
    }
    /* an admitted large body keeps its limit until the router has it */
    size_t limit = slot->large ? (size_t)runtime_config()->max_body : vet_head(sock, slot);
    h2o_globalconf_t *g = slot->ctx->globalconf;
    size_t saved = g->max_request_entity_size;
    g->max_request_entity_size = limit;
    g_http1_reader(sock, err); /* may close the socket, and free the slot */
    g->max_request_entity_size = saved;
}

/* hands h2o the bytes held from it, through guard_on_read */
static void on_handover(h2o_timeout_entry_t *entry)
{
    conn_slot_t *slot = H2O_STRUCT_FROM_MEMBER(conn_slot_t, handover, entry);
    h2o_socket_t *sock = slot->sock;
    h2o_buffer_dispose(&sock->input); /* the empty one it had meanwhile */
    sock->input = slot->held;
    slot->held = NULL;
    g_h2o_read_start(sock, guard_on_read);
    guard_on_read(sock, NULL);
}

/* h2o's reads all start here (see the top of this file) */
void h2o_socket_read_start(h2o_socket_t *sock, h2o_socket_cb cb)
{
    pthread_once(&g_once, find_h2o_read_start);
    if (g_h2o_read_start == NULL) {
        fprintf(stderr, "cordon: libh2o's h2o_socket_read_start is not to be found\n");
        abort();
    }
    if (sock == g_probe && g_http1_reader == NULL)
        g_http1_reader = cb;
    conn_slot_t *slot;
    if (cb != NULL && cb == g_http1_reader && (slot = slot_of(sock)) != NULL) {
        if (sock->input->size != 0 && !slot->in_request && slot->held == NULL) {
            /* A head already read, which h2o parses as soon as this returns,
             * outside guard_on_read: a request pipelined behind the one it
             * just answered, or a TLS connection's first, read with the end
             * of the handshake. Its bytes are held from h2o (which then
             * sees none, and waits) and handed over through guard_on_read
             * on the loop's next turn; reading starts then. */
            slot->held = sock->input;
            h2o_buffer_init(&sock->input, &h2o_socket_buffer_prototype);
            h2o_timeout_link(slot->ctx->loop, &slot->ctx->zero_timeout, &slot->handover);
            return;
        }
        /* (with a request in progress: the rest of one whose 100 Continue
         * just went out; its head was judged. h2o then reads what is
         * buffered of its body at once, under the small limit: a chunked
         * large body whose client sent over 64 kB before the 100 Continue
         * came gets h2o's 413; one with a Content-Length is not checked
         * again) */
        cb = guard_on_read;
    }
    g_h2o_read_start(sock, cb);
}

static void on_probe_closed(void *data) { *(int *)data = 1; }

int conn_guard_init(h2o_context_t *ctx)
{
    pthread_once(&g_once, find_h2o_read_start);
    if (g_h2o_read_start == NULL || g_h2o_close == NULL) {
        log_event(LOG_ERROR, "cannot find h2o_socket_read_start: request bodies are judged only once read", NULL);
        return -1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    h2o_socket_t *sock = h2o_evloop_socket_create(ctx->loop, sv[0], 0);
    int closed = 0;
    sock->on_close.cb = on_probe_closed;
    sock->on_close.data = &closed;
    h2o_accept_ctx_t actx = {.ctx = ctx, .hosts = ctx->globalconf->hosts};
    struct timeval now;
    gettimeofday(&now, NULL);
    g_probe = sock;
    h2o_http1_accept(&actx, sock, now);
    g_probe = NULL;
    close(sv[1]); /* the peer goes: h2o reads the end and closes its connection */
    for (int i = 0; i < 200 && !closed; i++)
        h2o_evloop_run(ctx->loop, 10);
    if (g_http1_reader == NULL) {
        log_event(LOG_ERROR, "cannot learn h2o's HTTP/1 request reader: request bodies are judged only once read", NULL);
        return -1;
    }
    return 0;
}

/* ---- closing a connection whose body was refused ----
 *
 * A refused body is never read. Closing a socket with bytes unread in it
 * makes the kernel send a TCP reset, and a client still sending its body
 * (one that reads its answer only afterwards: curl on a busy machine, npm
 * publishing) then loses the answer it had already received. So when h2o
 * closes such a connection, cordon takes it over for a bounded while: the
 * answer is out; a plain connection is shut for writing (the client reads
 * the answer and its end), and what still comes is read and dropped, until
 * the client closes, a second passes with nothing new, LINGER_SECONDS pass
 * or LINGER_BYTES were dropped; then h2o closes it (TLS: its close_notify).
 * Only a body announced at most LINGER_BYTES long lingers: cordon spends
 * no more than that on a refused body, and a larger one is never read.
 * At most LINGER_MAX connections linger at once; beyond, the close is plain.
 * Lingering connections keep their slot, so limits.max_connections counts
 * them. */
#define LINGER_SECONDS 3
#define LINGER_BYTES ((size_t)1 << 20) /* bodies announced larger do not linger */
#define LINGER_MAX 256

static void linger_end(h2o_socket_t *sock, conn_slot_t *slot)
{
    if (h2o_timeout_is_linked(&slot->linger_tick))
        h2o_timeout_unlink(&slot->linger_tick);
    h2o_socket_read_stop(sock);
    g_h2o_close(sock); /* frees the slot (on_conn_closed) */
}

static void linger_on_read(h2o_socket_t *sock, const char *err)
{
    conn_slot_t *slot = slot_of(sock);
    if (slot == NULL) { /* cannot be: the slot lives until the socket closes */
        g_h2o_close(sock);
        return;
    }
    if (err != NULL) { /* the client closed (or the connection broke): done */
        linger_end(sock, slot);
        return;
    }
    slot->dropped += sock->input->size;
    h2o_buffer_consume(&sock->input, sock->input->size);
    if (slot->dropped > LINGER_BYTES)
        linger_end(sock, slot);
}

static void linger_on_tick(h2o_timeout_entry_t *entry)
{
    conn_slot_t *slot = H2O_STRUCT_FROM_MEMBER(conn_slot_t, linger_tick, entry);
    if (++slot->linger_ticks >= LINGER_SECONDS || slot->dropped == slot->dropped_at_tick) {
        linger_end(slot->sock, slot);
        return;
    }
    slot->dropped_at_tick = slot->dropped;
    h2o_timeout_link(slot->ctx->loop, &slot->ctx->one_sec_timeout, &slot->linger_tick);
}

static int linger_start(h2o_socket_t *sock, conn_slot_t *slot)
{
    if (atomic_fetch_add(&g_lingering, 1) >= LINGER_MAX) {
        atomic_fetch_sub(&g_lingering, 1);
        return -1;
    }
    slot->lingering = 1;
    if (sock->ssl == NULL)
        shutdown(h2o_socket_get_fd(sock), SHUT_WR);
    h2o_buffer_consume(&sock->input, sock->input->size);
    slot->linger_tick.cb = linger_on_tick;
    h2o_timeout_link(slot->ctx->loop, &slot->ctx->one_sec_timeout, &slot->linger_tick);
    g_h2o_read_start(sock, linger_on_read);
    return 0;
}

/* h2o's closes all come here (see the top of this file) */
void h2o_socket_close(h2o_socket_t *sock)
{
    pthread_once(&g_once, find_h2o_read_start);
    if (g_h2o_close == NULL) {
        fprintf(stderr, "cordon: libh2o's h2o_socket_close is not to be found\n");
        abort();
    }
    conn_slot_t *slot = slot_of(sock);
    if (slot != NULL && slot->unread_body && !slot->lingering && linger_start(sock, slot) == 0)
        return;
    g_h2o_close(sock);
}

/* ---- accepting ---- */

static void on_refusal_sent(h2o_socket_t *sock, const char *err)
{
    free(sock->data);
    sock->data = NULL;
    h2o_socket_close(sock);
}

static void refuse_connection(h2o_accept_ctx_t *actx, h2o_socket_t *sock, int max)
{
    uint64_t n = atomic_fetch_add(&g_refused_conns, 1) + 1;
    int64_t now = time_now_ms(), last = atomic_load(&g_last_warn_ms);
    if (now - last >= 10000 && atomic_compare_exchange_strong(&g_last_warn_ms, &last, now))
        log_event(LOG_WARN, "connections refused: limits.max_connections reached",
                  (const log_field_t[]){LOG_INT("max_connections", max), LOG_INT("refused_total", n), LOG_END});
    if (actx->ssl_ctx != NULL) { /* no TLS session to answer in */
        h2o_socket_close(sock);
        return;
    }
    char body[300];
    int blen = snprintf(body, sizeof(body),
                        "{\"error\":\"cordon has limits.max_connections (%d) connections open; try again in a "
                        "moment\",\"reason\":\"busy\"}\n",
                        max);
    char *msg = malloc(1024);
    if (msg == NULL) {
        h2o_socket_close(sock);
        return;
    }
    int n2 = snprintf(msg, 1024,
                      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                      "X-Content-Type-Options: nosniff\r\nContent-Security-Policy: %s\r\nCache-Control: no-store\r\n"
                      "Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
                      HTTP_SANDBOX_CSP, blen, body);
    sock->data = msg;
    h2o_iovec_t buf = h2o_iovec_init(msg, (size_t)n2);
    h2o_socket_write(sock, &buf, 1, on_refusal_sent);
}

void conn_guard_accept(h2o_accept_ctx_t *actx, h2o_socket_t *sock)
{
    int max = runtime_config()->max_connections;
    if (atomic_fetch_add(&g_open, 1) >= max) {
        atomic_fetch_sub(&g_open, 1);
        refuse_connection(actx, sock, max);
        return;
    }
    conn_slot_t *slot = calloc(1, sizeof(*slot));
    if (slot == NULL) {
        atomic_fetch_sub(&g_open, 1);
        h2o_socket_close(sock);
        return;
    }
    slot->sock = sock;
    slot->ctx = actx->ctx;
    slot->handover.cb = on_handover;
    sock->on_close.cb = on_conn_closed;
    sock->on_close.data = slot;
    h2o_accept(actx, sock);
}

/* ---- the router's side ---- */

body_verdict_t conn_guard_take(h2o_req_t *req, int64_t *length)
{
    *length = 0;
    h2o_socket_t *sock = req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    conn_slot_t *slot = slot_of(sock);
    if (slot == NULL)
        return BODY_ADMIT;
    if (slot->large) {
        slot->large = 0;
        atomic_fetch_sub(&g_large, 1);
    }
    body_verdict_t v = slot->refusal;
    /* the connection closes after the answer: a body small enough to drain
     * lingers (linger_start), a larger one is never read at all */
    if (v != BODY_ADMIT && slot->length > 0 && slot->length <= (int64_t)LINGER_BYTES)
        slot->unread_body = 1;
    *length = slot->length;
    slot->refusal = BODY_ADMIT;
    slot->length = 0;
    slot->in_request = 0;
    return v;
}

void conn_guard_count(body_verdict_t v)
{
    if (v > BODY_ADMIT_LARGE && v < BODY_VERDICT_COUNT)
        atomic_fetch_add(&g_refused_bodies[v], 1);
}

void conn_guard_stats(conn_guard_stats_t *out)
{
    long open = atomic_load(&g_open), large = atomic_load(&g_large);
    out->open = open > 0 ? (uint64_t)open : 0;
    out->large_receiving = large > 0 ? (uint64_t)large : 0;
    out->refused = atomic_load(&g_refused_conns);
    for (int i = 0; i < BODY_VERDICT_COUNT; i++)
        out->bodies_refused[i] = atomic_load(&g_refused_bodies[i]);
}
