/* ecosystem: the one interface each package ecosystem fills in, like curl's
 * Curl_handler table per protocol. The router owns everything shared (path
 * checks, request ids, refusal of write verbs, access log); an ecosystem
 * owns its URL layout, its metadata format and its artifact route. */
#ifndef CORDON_ECOSYSTEM_H
#define CORDON_ECOSYSTEM_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include "common/buf.h"
#include "core/config.h"

/* what the hooks take from layers above, by pointer only */
struct version_facts; /* policy/policy.h */
struct findings;        /* analysis/findings.h */
struct artifact_reader; /* analysis/artifact.h */
struct lock_format_def; /* core/lock_internal.h */
struct artifact_check;  /* upstream/upstream_cache.h */

/* The upstream document that lists one version (what version_facts reads
 * once it is cached): what a lockfile check fetches when cordon's copy does
 * not know the version. */
typedef struct version_source {
    char key[1200];            /* the metadata cache key ("npm:lodash") */
    char url[2048];
    const char *accept;        /* NULL: no Accept header */
    /* validates and indexes the fetched document (upstream/upstream_cache.h's
     * metadata_ingest_fn); NULL: stored as it is */
    int (*ingest)(const char *key, const char *path, int64_t size, char *err, size_t errlen);
} version_source_t;

/* The dependency closure (review/closure.c) asks an ecosystem for the
 * direct dependencies of one version, each resolved as its client would
 * resolve it. */
typedef struct closure_target {
    const char *platform; /* "linux" | "macos" | "windows" (PyPI markers) */
    const char *python;   /* "3.11" (PyPI markers) */
} closure_target_t;
typedef struct closure_dep {
    const char *package; /* canonical name */
    const char *spec;    /* what the dependant asks for, as written ("^1.2.0", ">=2,<3", "[1.0,2.0)") */
    /* the version the client would install once reviewers admit what it
     * needs: the highest allowed version that satisfies spec, else the
     * highest that does; NULL when none does (error says why) */
    const char *version;
    const char *error;
} closure_dep_t;
typedef void (*closure_dep_fn)(void *arg, const closure_dep_t *d);
/* a document the closure must fetch before it can ask again */
typedef void (*closure_need_fn)(void *arg, const version_source_t *src);
/* one version a range admits (ecosystem_t.spec_versions) */
typedef void (*spec_version_fn)(void *arg, const char *version);

/* One artifact of a version, as the version view fetches it when it is
 * not cached (ecosystem_t.version_artifact): where the blob index keeps
 * it, where upstream has it and what it must hash to, and the analysis its
 * bytes go through (which records what it holds). */
typedef struct version_artifact {
    char key[1400];
    char url[4096];
    char integrity[200]; /* cordon's form: "sha512-…", "sha1:<hex>", "sha256:<hex>" */
    char filename[512];
    struct artifact_check *check; /* the caller's to run or free */
} version_artifact_t;

/* How the name check (analysis/typosquat.c) reads an ecosystem's names
 * (ecosystem_t.typosquat). A NULL or 0 field: that rule does not apply. */
typedef struct typosquat_rules {
    /* where a name splits into owner and name: npm "@scope/x" (split '/',
     * split_lead '@': only names starting with it split), Maven "g:a"
     * (split ':'); 0: names have no owner */
    char split, split_lead;
    /* affixes that make a popular name look official ("js-", "-python"),
     * NULL-ended; asked only of names without an owner */
    const char *const *prefixes;
    const char *const *suffixes;
    const char *bare_suffix; /* a suffix also taken with no separator at all (npm "xjs") */
    /* the owner of packages that type another one ("@types/"): such a name
     * is judged by the name it types (DefinitelyTyped writes "@a/b" "a__b") */
    const char *types_scope;
    int owner_games;     /* a popular multi-word name under a new owner, a popular owner's name alone */
    int one_edit;        /* a name one edit from a popular one */
    int owner_lookalike; /* a popular name under an owner one edit, a prefix or an extension away (groupIds) */
    /* the built-in popular list (ecosystems/popular_builtin.h) and its length */
    const char *const *popular;
    const size_t *npopular;
} typosquat_rules_t;

/* ecosystem_t.flags */
#define ECO_F_FOLD_NAMES 1u /* names compare folded (core/eco.h's eco_fold_name, PEP 503): rule patterns, name checks */

/* The data part (id, name, prefix, flags, name_form) is required but
 * name_form; each hook says whether it is. */
typedef struct ecosystem {
    eco_id_t id;
    const char *name;   /* "npm": configuration keys, store keys, URLs, metrics labels */
    const char *prefix; /* "/npm/" : every route of the ecosystem is below it */
    unsigned flags;     /* ECO_F_… */
    const char *osv_name; /* the ecosystem as OSV records name it (intel/osv.h); NULL: none */

    /* Requests with a write verb that only read (npm audit POSTs): these are
     * handled; every other write verb is refused as a publish. */
    int (*is_read_only_write)(const char *method, size_t mlen, const char *path, size_t plen);

    /* The package a (refused) write names, for the decision log; "" if none. */
    void (*package_of)(const char *path, size_t plen, char *out, size_t outlen);

    /* Handles a request below prefix; path is the raw path after the prefix
     * (still percent-encoded, query removed). */
    void (*handle)(h2o_req_t *req, const char *path, size_t plen);

    /* The canonical form of a package name as people type it (PyPI PEP 503
     * normalised, Maven "groupId:artifactId"); -1 when it cannot be a name. */
    int (*canonical_name)(const char *in, char *out, size_t outlen);

    /* What cordon knows about one version — of one of its files when file
     * is given (PyPI: each file has its own upload time; NULL: the release
     * as a whole, which is its newest file) — from its records: facts
     * (times, snapshot; removed_at 0 or, where the ecosystem reads it
     * itself, the takedown) and findings (what the metadata and analysis of its
     * artifacts found; the name check, the reviewers' records and upstream's
     * takedowns are the caller's, policy/judge.h) filled. 1 listed, 0 not listed, -1 no
     * cached metadata. Reads the store. Required. */
    int (*version_facts)(const char *package, const char *version, const char *file, struct version_facts *facts,
                         struct findings *findings);

    /* The newest version clients may install instead of `version` (what a
     * denial names as "alternative"), from the cached metadata: 0 and out
     * filled, -1 when there is none (or no metadata). NULL: not offered. */
    int (*alternative)(const char *package, const char *version, char *out, size_t outlen);

    /* 1 when version is a development build a release proxy does not serve
     * unless a rule names it (Maven SNAPSHOTs). NULL: the ecosystem has none. */
    int (*is_snapshot)(const char *version);

    /* <0, 0, >0 by the ecosystem's own version ordering (lockfile diffs) */
    int (*version_compare)(const char *a, const char *b);

    /* Where upstream lists (package, version): 0 and src filled, -1 when the
     * ecosystem has no upstream or the name cannot be one. Reads no store. */
    int (*version_source)(const char *package, const char *version, version_source_t *src);

    /* After src was fetched for (package, version): what the ecosystem learns
     * from it beyond its ingest (Maven: the version's time from its POM's
     * Last-Modified). NULL: nothing more. */
    void (*version_learned)(const char *package, const char *version, const version_source_t *src);

    /* The digests upstream publishes for the artifacts of one version, from
     * the cached metadata, appended to out space-separated in cordon's form
     * ("sha512-<base64>", "sha1:<hex>", "sha256:<hex>"; npm dist.integrity and
     * dist.shasum, PyPI every file of the release): 1 listed, 0 not listed,
     * -1 no cached metadata. algs (bits 1 << digest_alg_t) says which the
     * caller compares, so an ecosystem may skip reading what it cannot use.
     * NULL: upstream publishes none a lockfile carries (Maven). */
    int (*version_digests)(const char *package, const char *version, unsigned algs, buf_t *out);

    /* How analysis reads the ecosystem's artifacts (analysis/artifact.h:
     * which file names are archives and how, which entries the walk hands
     * over and what they mean). Required. */
    const struct artifact_reader *artifacts;

    /* The lockfile formats the ecosystem reads (core/lockfile.h), ended by
     * NULL; detection asks them in table order. NULL: none. */
    const struct lock_format_def *const *lockfiles;

    /* A name as lockfiles and name lists (the popular-name file) write it,
     * canonical: 0 and out filled, -1 when it cannot be a name of the
     * ecosystem (PyPI: PEP 503 normalised; Maven: not groupId:artifactId).
     * Looser than canonical_name: it checks the form, not each character.
     * NULL: the name as written. */
    int (*list_name)(const char *in, char *out, size_t outlen);
    /* how a name is written, for messages ("groupId:artifactId"); NULL: nothing to say */
    const char *name_form;
    /* what a lockfile report says when upstream has no document for a
     * version (version_source's fetch found none); NULL: "the <name>
     * registry has no package <package>" */
    const char *upstream_lacks;

    /* The typosquat check's rules for the ecosystem's names. NULL: its
     * names are checked for look-alike characters only. */
    const typosquat_rules_t *typosquat;

    /* The direct dependencies of package@version that installing it pulls
     * in (npm: dependencies, optionalDependencies, peerDependencies; PyPI:
     * Requires-Dist whose markers hold for t; Maven: compile and runtime
     * scope), each resolved against upstream's versions, through dep. When
     * cordon's copy lacks a document it needs (the version's own, or a
     * dependency's listing), it names each through need and returns 0: the
     * closure fetches them and asks again. 1 done, -1 with err (the version
     * is not in upstream's listing, or its metadata is unreadable). Reads
     * the store, fetches nothing. NULL: no closure for the ecosystem. */
    int (*closure_deps)(const char *package, const char *version, const closure_target_t *t, closure_dep_fn dep,
                        closure_need_fn need, void *arg, char *err, size_t errlen);

    /* The versions upstream lists for package that spec admits, read as
     * the ecosystem's client reads what people write ("^1.2", "latest",
     * ">=2,<3", "[1.0,2.0)"; "" any release), through fn in any order, from
     * cordon's copy of the listing. When cordon has no copy it names the
     * document through need and returns 0 (the caller fetches it and asks
     * again). 1 done, -1 with err (a spec the client would not read, an
     * unusable listing). Reads the store, fetches nothing. NULL: ranges are
     * not read for the ecosystem. */
    int (*spec_versions)(const char *package, const char *spec, spec_version_fn fn, closure_need_fn need, void *arg,
                         char *err, size_t errlen);

    /* The artifact of package@version whose contents the version view
     * compares (npm: the tarball; PyPI: the file named like like_file
     * written for like_version — another version's wheel of the same tag —
     * else a universal wheel, else the sdist), from cordon's copy of the
     * metadata: 1 and out filled, 0 when the copy lists no such artifact (or
     * none whose integrity cordon can verify without another fetch), -1
     * no copy. Reads the store, fetches nothing. NULL: not offered. */
    int (*version_artifact)(const char *package, const char *version, const char *like_file,
                            const char *like_version, version_artifact_t *out);
} ecosystem_t;

extern const ecosystem_t npm_ecosystem;
extern const ecosystem_t pypi_ecosystem;
extern const ecosystem_t maven_ecosystem;

/* the table, indexed by eco_id_t; NULL where an ecosystem is not built yet */
extern const ecosystem_t *const ecosystems[ECO_COUNT];

#endif
