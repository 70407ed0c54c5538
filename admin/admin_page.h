/* admin_page: the reviewers' web page at /-/admin/ — static HTML, CSS and
 * JS from admin/page/, compiled into the binary (cmake/embed.cmake) and
 * served with a strict Content-Security-Policy. All the page's data comes
 * from the admin API with the reviewer's token. */
#ifndef CORDON_ADMIN_PAGE_H
#define CORDON_ADMIN_PAGE_H

#include <stddef.h>

#define H2O_USE_LIBUV 0
#include <h2o.h>

typedef struct admin_asset {
    const char *name;
    const unsigned char *data;
    size_t len;
} admin_asset_t;

/* generated; ends with an entry whose name is NULL */
extern const admin_asset_t admin_assets[];

/* path is what follows "/-/admin" ("" or "/…") */
void admin_page_handle(h2o_req_t *req, const char *path, size_t plen);

#endif
