/* pep508: Python dependency specifiers (PEP 508): a requirement line read
 * into its name, extras, version specifier, URL and marker; environment
 * markers evaluated against a described interpreter; PEP 440 version
 * specifier sets matched against a version; and the Requires-Dist values
 * of a core metadata document. Every input is bounded (4096 bytes, 32
 * levels of parentheses) and nothing is kept between calls. */
#ifndef CORDON_PEP508_H
#define CORDON_PEP508_H

#include <stddef.h>

/* the environment markers are evaluated against */
typedef struct pep508_env {
    const char *python_version;          /* "3.11" */
    const char *python_full_version;     /* "3.11.0" */
    const char *os_name;                 /* "posix" */
    const char *sys_platform;            /* "linux" */
    const char *platform_system;         /* "Linux" */
    const char *platform_machine;        /* "x86_64" */
    const char *platform_release;        /* "" */
    const char *platform_version;        /* "" */
    const char *platform_python_implementation; /* "CPython" */
    const char *implementation_name;     /* "cpython" */
    const char *implementation_version;  /* "3.11.0" */
    const char *extra;                   /* NULL or "": no extra requested */
} pep508_env_t;
/* linux / CPython 3.11 on x86_64, no extra */
void pep508_env_default(pep508_env_t *env);

typedef struct pep508_req {
    char name[128];        /* as written */
    char normalized[128];  /* PEP 503: lower case, runs of -_. as one '-' */
    char extras[256];      /* "a,b" as written without spaces, "" none */
    char *specifier;       /* ">=1.0,<2" (spaces removed; parenthesised form unwrapped), "" none */
    char *url;             /* "name @ URL" form, NULL otherwise */
    char *marker;          /* the text after ';' trimmed, NULL none */
} pep508_req_t;
/* 0, or -1 with err; free with pep508_req_free */
int pep508_parse(const char *line, pep508_req_t *out, char *err, size_t errlen);
void pep508_req_free(pep508_req_t *r);
/* 1 true, 0 false, -1 malformed (err) */
int pep508_marker_eval(const char *marker, const pep508_env_t *env, char *err, size_t errlen);
/* PEP 440 specifier set (comma-separated: ==, !=, <=, >=, <, >, ~=, ===, with ==X.* / !=X.* wildcards and local-version rules):
 * 1 version matches every clause, 0 not, -1 the set or the version is malformed.
 * prereleases: 1 admit pre/dev releases, 0 exclude them unless a clause names a prerelease (PEP 440's default) */
int pep440_specifier_match(const char *spec, const char *version, int prereleases);
/* Calls fn for every Requires-Dist header value of a core metadata document
 * (METADATA / PKG-INFO / a PEP 658 .metadata file: RFC 822 headers up to the first blank line, continuation lines folded);
 * returns how many, or -1 when the document has no header block. */
int pep508_requires_dist(const char *metadata, size_t len, void (*fn)(const char *value, void *arg), void *arg);

#endif
