/* pom: what a Maven POM declares that analysis looks at — the repositories
 * its dependencies and plugins may resolve from — read as XML with
 * libxml2's streaming reader (common/xml.c: no network, no DTD, no
 * entities), never by string search. Elements are matched by local name
 * anywhere in the document (profiles included), whatever their prefix. */
#ifndef CORDON_POM_H
#define CORDON_POM_H

#include <stddef.h>

typedef struct pom_facts {
    int repositories;        /* <repositories> elements seen */
    int plugin_repositories; /* <pluginRepositories> elements seen */
    char first_tag[24];      /* "repositories" or "pluginRepositories": the first one, "" when none */
    char first_url[200];     /* the first <url> inside it (trimmed), "" when none */
} pom_facts_t;

/* 0 when the whole document was read (facts in out), -1 when it is not a
 * POM cordon can read (err: "line 3: …"; out holds what was seen before) */
int pom_read(const char *doc, size_t len, pom_facts_t *out, char *err, size_t errlen);

#endif
