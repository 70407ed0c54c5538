/* loop: loop_post through each loop's h2o multithread queue, and request
 * replies on top of it (see loop.h). A reply learns that its request went
 * away from a guard in the request's pool; the guard's dispose and the
 * reply's delivery both run on the request's loop thread, so they never
 * race. */
#include "http/loop.h"

#include "common/xalloc.h"

void loop_post(cordon_loop_t *loop, loop_msg_t *msg)
{
    h2o_multithread_send_message(&loop->post_receiver, &msg->super);
}

void loop_on_posts(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    while (!h2o_linklist_is_empty(messages)) {
        loop_msg_t *m = H2O_STRUCT_FROM_MEMBER(loop_msg_t, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        m->fn(m);
    }
}

void loop_init_posts(cordon_loop_t *loop)
{
    h2o_multithread_register_receiver(loop->queue, &loop->post_receiver, loop_on_posts);
}

/* lives in the request's pool: tells the reply when the request is gone */
typedef struct reply_guard {
    loop_reply_t *reply;
} reply_guard_t;

struct loop_reply {
    loop_msg_t msg; /* first */
    cordon_loop_t *loop;
    h2o_req_t *req; /* NULL once the request was disposed */
    reply_guard_t *guard;
    loop_reply_fn fn;
    void *arg;
};

static void on_guard_dispose(void *p)
{
    reply_guard_t *g = p;
    if (g->reply)
        g->reply->req = NULL;
}

static void deliver(loop_msg_t *msg)
{
    loop_reply_t *r = (loop_reply_t *)msg;
    if (r->req != NULL)
        r->guard->reply = NULL; /* the request outlives this call: its guard forgets the reply */
    r->fn(r->req, r->arg);
    free(r);
}

loop_reply_t *loop_reply_new(h2o_req_t *req, loop_reply_fn fn, void *arg)
{
    loop_reply_t *r = xcalloc(1, sizeof(*r));
    reply_guard_t *g = h2o_mem_alloc_shared(&req->pool, sizeof(*g), on_guard_dispose);
    g->reply = r;
    r->msg.fn = deliver;
    r->loop = loop_of(req);
    r->req = req;
    r->guard = g;
    r->fn = fn;
    r->arg = arg;
    return r;
}

void loop_reply_post(loop_reply_t *r) { loop_post(r->loop, &r->msg); }
