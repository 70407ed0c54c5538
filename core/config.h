/* config: cordon's configuration as loaded from YAML (conf/cordon.yaml), the
 * defaults DESIGN.md documents, and the command-line overrides. The loader
 * reports the first problem as "FILE:LINE: message". */
#ifndef CORDON_CONFIG_H
#define CORDON_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/eco.h"
#include "core/finding_kind.h"

typedef enum { MISSING_TS_FIRST_SEEN = 0, MISSING_TS_DENY = 1 } missing_ts_t;

typedef struct quarantine_rule {
    eco_id_t eco;
    char *pattern;   /* package name or glob (@acme/ + star), canonical form */
    char *version;   /* exact version, or NULL */
    int64_t min_age; /* -1 when the rule does not set one */
    int allow;       /* admit (exact version) */
    int deny;        /* block */
    int line;        /* where it was written, for "rule at cordon.yaml:12" */
    char *text;      /* the match string as written */
} quarantine_rule_t;

/* how far the archive walk (analysis/archive.h) may go before an archive
 * is malformed: bombs are caught by proportion, not by size */
typedef struct archive_limits {
    int64_t max_total;   /* uncompressed bytes over all entries (default 8 GB) */
    int64_t max_entries; /* entries (default 50,000) */
    int64_t max_entry;   /* uncompressed bytes of one entry (default 8 GB: as the total) */
    int64_t max_ratio;   /* uncompressed total / archive size (default 200), checked once past 1 MB */
    int max_path;        /* bytes of one entry's path (default 1024) */
    int max_depth;       /* path components (default 48) */
} archive_limits_t;

void archive_limits_default(archive_limits_t *l);

typedef struct analysis_config {
    finding_action_t action[FINDING_KIND_COUNT]; /* hold | warn | ignore per finding kind */
    char **pth_allow;   /* .pth file names a wheel may ship (distutils-precedence.pth) */
    size_t npth_allow;
    char *popular_file; /* extra popular names, "eco:name" per line; NULL = none */
    int popular_served; /* the N packages this cordon served most join the popular set (0 = off) */
    int prefetch;       /* fetch and analyse held versions' artifacts ahead of eligibility */
    archive_limits_t limits;
} analysis_config_t;

/* intel: what cordon learns from the world (intel/) */
typedef struct intel_config {
    char *osv_dir; /* OSV records (intel/osv_index.h); NULL: no feed */
    int fast_lane; /* a version fixing an advisory against the newest allowed one skips the window */
    int takedowns; /* a version upstream no longer lists is no longer served (intel/takedown.h) */
} intel_config_t;

typedef struct config {
    char *path; /* file it was loaded from */
    char **listen;
    size_t nlisten;
    char *public_url; /* no trailing slash */
    char *data_dir;
    int threads;
    int workers; /* worker-pool threads: analyses and lockfile checks (common/workpool.h) */
    char *upstream[ECO_COUNT]; /* no trailing slash, no userinfo; NULL = ecosystem disabled */
    /* credentials sent to that upstream's origin only (upstream/outbound.h):
     * from the URL's userinfo, or username + password_file; NULL = none */
    char *upstream_username[ECO_COUNT];
    char *upstream_password[ECO_COUNT];      /* from a file: filled by config_read_secrets */
    char *upstream_password_file[ECO_COUNT]; /* NULL: the password is in the configuration itself */
    int upstream_password_line[ECO_COUNT];   /* where password_file was written */
    char **allow_hosts; /* fetch.allow_hosts: origins artifacts may come from besides the upstreams',
                           "host" or "host:port", lower case */
    size_t nallow_hosts;

    int64_t metadata_ttl_ms;
    int64_t timeout_ms;          /* no progress from upstream for this long: the transfer fails */
    int64_t connect_timeout_ms;
    int64_t metadata_timeout_ms; /* a metadata request's whole transfer (0 = unbounded) */
    int64_t stale_if_error_ms;
    int64_t lockfile_deadline_ms; /* how long a lockfile check waits for metadata it fetches; 0: none fetched */

    int64_t max_body;     /* request bodies (lockfile submissions, npm audit) */
    int max_connections;  /* open client connections; more are refused at accept */
    int max_large_bodies; /* bodies above the small limit being received at once */
    int review_requests_per_hour; /* per client address, POST /-/api/reviews */
    char *review_contact; /* review.contact: whom to ask, named in every denial's next step; NULL none */
    int64_t max_artifact; /* upstream artifact bodies (default 8 GB) */
    int64_t map_size;     /* initial LMDB map size */

    char *tls_listen, *tls_cert, *tls_key;
    char *access_log; /* "stderr", "off" or a file path */
    char *log_file;   /* the server log: NULL = stderr, else a file path */
    int log_text;     /* log.format: 0 json (the default), 1 text */

    int64_t min_age_default;
    int64_t min_age_eco[ECO_COUNT]; /* -1 = inherit the default */
    missing_ts_t missing_timestamp;
    quarantine_rule_t *rules;
    size_t nrules;

    analysis_config_t analysis;
    intel_config_t intel;

    char *audit_key_file;    /* audit.key_file; NULL = audit.key beside the configuration file */
    int64_t journal_keep_ms; /* journal.keep: decision records older than this leave the chain; 0 = never */

    /* a number no other configuration loaded by this process has: what is
     * derived from a configuration (policy/policy.c's fingerprint) is
     * cached per generation, never per pointer */
    uint64_t generation;
} config_t;

/* Loads path into *cfg (defaults first). On error returns -1 and writes
 * "FILE:LINE: message" to err. A missing file is an error. */
int config_load(config_t *cfg, const char *path, char *err, size_t errlen);
/* Same, from a string (tests); name is used in messages. */
int config_load_string(config_t *cfg, const char *name, const char *yaml, size_t len, char *err, size_t errlen);
void config_defaults(config_t *cfg);
/* Reads the password files the configuration names (cordon serve does, at
 * start and on reload; commands that never fetch need not be able to read
 * them). -1 and "FILE:LINE: message" in err when one cannot be used. */
int config_read_secrets(config_t *cfg, char *err, size_t errlen);
void config_free(config_t *cfg);
/* replaces a string field (command-line overrides) */
void config_set_str(char **field, const char *value);
int config_set_listen(config_t *cfg, const char *addr);

#endif
