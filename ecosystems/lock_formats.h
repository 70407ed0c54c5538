/* lock_formats: the lockfile formats the ecosystems define
 * (core/lock_internal.h's lock_format_def_t), one per parser file, for the
 * ecosystems' lockfiles tables. */
#ifndef CORDON_LOCK_FORMATS_H
#define CORDON_LOCK_FORMATS_H

#include "core/lock_internal.h"

/* the parsers: each fills b from text; 0 or -1 (b->err set) */
int lock_parse_npm(lock_builder_t *b, const char *text, size_t len);
int lock_parse_yarn(lock_builder_t *b, const char *text, size_t len);
int lock_parse_pnpm(lock_builder_t *b, const char *text, size_t len);
int lock_parse_pip(lock_builder_t *b, const char *text, size_t len);
int lock_parse_maven(lock_builder_t *b, const char *text, size_t len);

extern const lock_format_def_t npm_lock_format;
extern const lock_format_def_t yarn_lock_format;
extern const lock_format_def_t pnpm_lock_format;
extern const lock_format_def_t pip_lock_format;
extern const lock_format_def_t maven_lock_format;

#endif
