/* listener: one h2o evloop per thread, all accepting from the same listening
 * sockets (the kernel wakes one loop per connection; a loop that loses the
 * race gets EAGAIN, which h2o handles). HTTP/1.1 and HTTP/2 (h2c prior
 * knowledge, or ALPN on the TLS listener) are h2o's. */
#include "http/listener.h"

#define H2O_USE_LIBUV 0
#include <errno.h>
#include <h2o.h>
#include <h2o/http2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "upstream/flight.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "http/access_log.h"
#include "http/body_limits.h"
#include "http/conn_guard.h"
#include "http/http.h"
#include "http/loop.h"
#include "http/router.h"

#define MAX_LISTENERS 16
#define DRAIN_MS 5000

typedef struct listen_sock {
    int fd;
    int tls;
} listen_sock_t;

static listen_sock_t g_socks[MAX_LISTENERS];
static size_t g_nsocks;
static SSL_CTX *g_ssl;
static h2o_globalconf_t g_globalconf;
static h2o_hostconf_t *g_hostconf;
/* set by signal handlers on whichever thread takes the signal, read by every
 * loop: lock-free atomics (a volatile sig_atomic_t is only for a handler and
 * the thread it interrupted) */
static atomic_int g_stop;
static atomic_int g_reload;
static void (*g_reload_fn)(void);

void listener_request_stop(void) { atomic_store(&g_stop, 1); }
void listener_on_reload(void (*fn)(void)) { g_reload_fn = fn; }
static void (*g_ready_fn)(int threads);
void listener_on_ready(void (*fn)(int threads)) { g_ready_fn = fn; }

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        atomic_store(&g_reload, 1);
    else
        atomic_store(&g_stop, 1);
}

static int bind_one(const char *addr, int tls, char *err, size_t errlen)
{
    if (g_nsocks >= MAX_LISTENERS) {
        snprintf(err, errlen, "too many listen addresses");
        return -1;
    }
    char host[256];
    const char *colon = strrchr(addr, ':');
    snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
    /* [::1]:7878 */
    char *h = host;
    if (h[0] == '[') {
        h++;
        char *end = strchr(h, ']');
        if (end)
            *end = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve listen address %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    freeaddrinfo(res);
    g_socks[g_nsocks].fd = fd;
    g_socks[g_nsocks].tls = tls;
    g_nsocks++;
    return 0;
}

static int setup_tls(const config_t *cfg, char *err, size_t errlen)
{
    g_ssl = SSL_CTX_new(TLS_server_method());
    if (g_ssl == NULL) {
        snprintf(err, errlen, "cannot create a TLS context");
        return -1;
    }
    SSL_CTX_set_min_proto_version(g_ssl, TLS1_2_VERSION);
    SSL_CTX_set_options(g_ssl, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(g_ssl, cfg->tls_cert) != 1) {
        snprintf(err, errlen, "%s: cannot load the TLS certificate: %s", cfg->tls_cert,
                 ERR_reason_error_string(ERR_get_error()));
        return -1;
    }
    if (SSL_CTX_use_PrivateKey_file(g_ssl, cfg->tls_key, SSL_FILETYPE_PEM) != 1 || !SSL_CTX_check_private_key(g_ssl)) {
        snprintf(err, errlen, "%s: cannot load the TLS key (or it does not match the certificate): %s", cfg->tls_key,
                 ERR_reason_error_string(ERR_get_error()));
        return -1;
    }
    h2o_ssl_register_alpn_protocols(g_ssl, h2o_http2_alpn_protocols);
    return 0;
}

int listener_bind(const config_t *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->nlisten; i++)
        if (bind_one(cfg->listen[i], 0, err, errlen) != 0)
            return -1;
    if (cfg->tls_listen) {
        if (setup_tls(cfg, err, errlen) != 0 || bind_one(cfg->tls_listen, 1, err, errlen) != 0)
            return -1;
    }
    return 0;
}

/* room for limits.max_connections client sockets besides the store's and
 * upstreams' files: the soft limit on open files goes up to the hard one */
static void raise_fd_limit(const config_t *cfg)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)cfg->max_connections + 512;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want)
    {
        char msg[200];
        snprintf(msg, sizeof(msg), "the open-file limit (%llu) is below limits.max_connections + 512; connections past "
                 "it fail at accept", (unsigned long long)rl.rlim_cur);
        log_event(LOG_WARN, msg, NULL);
    }
}

typedef struct loop_thread {
    cordon_loop_t loop;
    /* this loop's copy of the global configuration: h2o reads the request
     * body limit from it, and conn_guard raises it for one read at a time */
    h2o_globalconf_t gconf;
    pthread_t tid;
    h2o_accept_ctx_t accept_plain, accept_tls;
    h2o_socket_t *socks[MAX_LISTENERS];
    size_t small_body, max_body; /* h2o's body limit: the small one when the guard works */
} loop_thread_t;

/* Each loop makes its evloop, context and queue on its own thread: h2o keeps
 * a buffer pool per thread, and a socket made on the main thread (h2o's
 * context and cordon's queue each have one) would recycle its buffers into
 * the main thread's pool, which every loop then shares without a lock.
 * Loops start one after the other: the first one's conn_guard_init learns
 * h2o's request reader, which every read a later loop arms looks at. */
static pthread_mutex_t g_start_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_start_cv = PTHREAD_COND_INITIALIZER;
static int g_loops_ready; /* loops past loop_init; under g_start_mu */
static int g_guarded;     /* conn_guard_init worked; written by the first loop before it is ready */

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err != NULL)
        return;
    h2o_accept_ctx_t *actx = listener->data;
    /* one connection per wake-up: every loop is woken for a new connection,
     * so taking one each spreads a burst of clients across the loops instead
     * of piling it onto whichever woke first (a long tail on big bodies) */
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (sock != NULL)
        conn_guard_accept(actx, sock);
}

/* on the loop's thread: its evloop, context, queue and accepting sockets */
static void loop_init(loop_thread_t *t)
{
    h2o_context_init(&t->loop.ctx, h2o_evloop_create(), &t->gconf);
    if (t->loop.index == 0)
        g_guarded = conn_guard_init(&t->loop.ctx) == 0;
    t->gconf.max_request_entity_size = g_guarded ? t->small_body : t->max_body;
    t->loop.queue = h2o_multithread_create_queue(t->loop.ctx.loop);
    h2o_multithread_register_receiver(t->loop.queue, &t->loop.flight_receiver, flight_on_messages);
    t->accept_plain.ctx = &t->loop.ctx;
    t->accept_plain.hosts = g_globalconf.hosts;
    t->accept_tls = t->accept_plain;
    t->accept_tls.ssl_ctx = g_ssl;
    for (size_t i = 0; i < g_nsocks; i++) {
        t->socks[i] = h2o_evloop_socket_create(t->loop.ctx.loop, g_socks[i].fd, H2O_SOCKET_FLAG_DONT_READ);
        t->socks[i]->data = g_socks[i].tls ? &t->accept_tls : &t->accept_plain;
        h2o_socket_read_start(t->socks[i], on_accept);
    }
    pthread_mutex_lock(&g_start_mu);
    g_loops_ready++;
    pthread_cond_broadcast(&g_start_cv);
    pthread_mutex_unlock(&g_start_mu);
}

static void *loop_main(void *arg)
{
    loop_thread_t *t = arg;
    loop_init(t);
    h2o_evloop_t *evloop = t->loop.ctx.loop;
    while (!atomic_load(&g_stop)) {
        h2o_evloop_run(evloop, 200);
        if (t->loop.index == 0 && atomic_exchange(&g_reload, 0)) {
            if (g_reload_fn)
                g_reload_fn();
        }
    }
    /* stop accepting, close idle connections, let in-flight requests finish */
    for (size_t i = 0; i < g_nsocks; i++)
        h2o_socket_read_stop(t->socks[i]);
    h2o_context_request_shutdown(&t->loop.ctx);
    int64_t deadline = time_now_ms() + DRAIN_MS;
    while (router_active_requests() > 0 && time_now_ms() < deadline)
        h2o_evloop_run(evloop, 50);
    return NULL;
}

int listener_run(const config_t *cfg)
{
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    raise_fd_limit(cfg);
    h2o_config_init(&g_globalconf);
    g_globalconf.max_request_entity_size = (size_t)cfg->max_body;
    g_globalconf.server_name = h2o_iovec_init(H2O_STRLIT("cordon"));
    g_hostconf = h2o_config_register_host(&g_globalconf, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(g_hostconf, "/", 0);
    router_register(pathconf);
    http_register_security_headers(pathconf);
    http_register_security_headers(&g_hostconf->fallback_path); /* h2o's own answers (400, 413) */
    access_log_register(pathconf);

    int n = cfg->threads > 0 ? cfg->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    /* kept reachable until exit: the loops are not disposed (see below) */
    static loop_thread_t *threads;
    threads = calloc((size_t)n, sizeof(*threads));
    if (threads == NULL)
        return -1;
    /* bodies are judged from their heads (conn_guard): h2o's own limit is the
     * small one, raised for a large body the guard admits; if the guard
     * cannot work, h2o's limit stays limits.max_body for every route */
    size_t small = (size_t)body_limit(BODY_ROUTE_SMALL, cfg->max_body);
    for (int i = 0; i < n; i++) {
        loop_thread_t *t = &threads[i];
        t->loop.index = i;
        t->loop.started_ms = time_now_ms();
        t->gconf = g_globalconf;
        t->small_body = small;
        t->max_body = (size_t)cfg->max_body;
        if (pthread_create(&t->tid, NULL, loop_main, t) != 0) {
            log_event(LOG_ERROR, "cannot start a loop thread", (const log_field_t[]){LOG_INT("thread", i), LOG_END});
            atomic_store(&g_stop, 1);
            n = i;
            break;
        }
        pthread_mutex_lock(&g_start_mu);
        while (g_loops_ready <= i)
            pthread_cond_wait(&g_start_cv, &g_start_mu);
        pthread_mutex_unlock(&g_start_mu);
    }
    if (g_ready_fn)
        g_ready_fn(n);
    else
        log_event(LOG_INFO, "cordon serving",
                  (const log_field_t[]){LOG_STR("listen", cfg->listen[0]), LOG_INT("threads", n), LOG_END});
    for (int i = 0; i < n; i++)
        pthread_join(threads[i].tid, NULL);
    /* loops and contexts are not torn down one by one: the process exits next,
     * and h2o 2.2 has no safe way to dispose a loop with live sockets */
    log_event(LOG_INFO, "cordon stopped", NULL);
    return 0;
}

void listener_close(void)
{
    for (size_t i = 0; i < g_nsocks; i++)
        close(g_socks[i].fd);
    g_nsocks = 0;
    if (g_ssl)
        SSL_CTX_free(g_ssl);
    g_ssl = NULL;
}
