/* established: is a package that looks like a popular one a typosquat, or
 * a package with a history of its own?
 *
 * A name check alone cannot tell "@jridgewell/source-map" (a dependency of
 * every webpack build since 2022) from "@evil/source-map" (published an hour
 * ago): both are "a popular name under another scope". What tells them apart
 * is the candidate's own history, from the upstream metadata cordon read
 * (store/record.h, package_rec_t): typosquats are young and small, because
 * registries remove them once they are found. So a look-alike is held only
 * when it is young and small; an established one is at most a warning.
 *
 *   established package   first published at least ESTABLISHED_AGE ago, or
 *                         at least ESTABLISHED_VERSIONS versions published
 *                         over at least ESTABLISHED_SPAN (a young but
 *                         actively maintained package; a squat that pushes
 *                         ten versions in an afternoon does not qualify)
 *   established npm scope at least ESTABLISHED_SCOPE_PEERS other packages
 *                         under the scope that are established themselves
 *                         (an organisation such as @jridgewell, @parcel,
 *                         @npmcli): its packages are never "a popular name
 *                         under another scope"
 * Unknown history (no metadata read yet, no publish times) is not
 * established: the check fails closed. */
#ifndef CORDON_ESTABLISHED_H
#define CORDON_ESTABLISHED_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "core/eco.h"
#include "store/record.h"

#define ESTABLISHED_AGE (180LL * 86400 * 1000)
#define ESTABLISHED_VERSIONS 10
#define ESTABLISHED_SPAN (30LL * 86400 * 1000)
#define ESTABLISHED_SCOPE_PEERS 3

/* 1 when r (NULL: unknown) says the package is established at now, with
 * the reason in why ("first published 2022-02-14, 7 versions"); 0 when not.
 * until: when age alone will make it established (TIME_NONE: not by age). */
int package_established(const package_rec_t *r, int64_t now, char *why, size_t whylen, int64_t *until);

/* 1 when the scope of name ("@s/x", an npm scope: the typosquat scope rule's)
 * has ESTABLISHED_SCOPE_PEERS other established packages of ecosystem eco
 * among those cordon has read metadata of */
int scope_established(MDB_txn *txn, eco_id_t eco, const char *name, int64_t now);

#endif
