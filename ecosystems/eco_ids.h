/* eco_ids: the ecosystems and lockfile formats by name, for ecosystem code
 * and tests. Code outside ecosystems/ never names them: it walks
 * ecosystems[] (core/ecosystem.h) or looks an id up by name. The values are
 * stored (lockfile snapshots keep ecosystem ids), so they never change. */
#ifndef CORDON_ECO_IDS_H
#define CORDON_ECO_IDS_H

#include "core/eco.h"

enum { ECO_NPM = 0, ECO_PYPI = 1, ECO_MAVEN = 2 };

/* lockfile formats (core/lockfile.h): 0 is LOCK_AUTO */
enum { LOCK_NPM = 1, LOCK_YARN = 2, LOCK_PNPM = 3, LOCK_PIP = 4, LOCK_MAVEN = 5 };

#endif
