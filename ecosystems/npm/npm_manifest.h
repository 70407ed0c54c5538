/* npm_manifest: "manifest confusion" — does the package.json inside a
 * tarball say what the registry's manifest for that version says? Compared
 * fields: name, version, scripts, dependencies, optionalDependencies, bin.
 * Values are compared as JSON values (object member order does not matter),
 * after the normalisations npm itself applies at publish time so that an
 * honest package never differs: a string "bin" is {<name without scope>:
 * path}, bin paths lose a leading "./", and a registry "install": "node-gyp
 * rebuild" script that npm added for a binding.gyp is not a difference when
 * the tarball has binding.gyp and no install/preinstall script. Also from
 * npm's publish code: non-string scripts and dependencies are dropped, a
 * script may lose a leading "node_modules/.bin/", bin paths are normalised
 * as paths ("a//b", "x/../a"), and a registry dependency that equals the
 * tarball's optionalDependencies entry is no difference (older npm
 * copied optional dependencies into dependencies). */
#ifndef CORDON_NPM_MANIFEST_H
#define CORDON_NPM_MANIFEST_H

#include <stddef.h>

#include "analysis/contents.h"

/* Returns 0 when the fields agree, 1 when they differ (diff gets one line
 * naming the first differing field and both values, e.g. "scripts.postinstall:
 * registry has none, the tarball has \"node x.js\""), -1 when either
 * document is not a JSON object (diff says which). has_binding_gyp: the
 * tarball has binding.gyp at its root. */
int npm_manifest_compare(const char *registry, size_t rlen, const char *tarball, size_t tlen, int has_binding_gyp,
                         char *diff, size_t difflen);

/* 1 when a manifest (a package.json or a registry version object) declares
 * preinstall, install or postinstall scripts; 0 when not; -1 not JSON */
int npm_manifest_has_install_script(const char *json, size_t len);

/* What a package.json declares, as contents facts: dependencies (optional
 * and peer ones marked), install scripts (the node-gyp run a root
 * binding.gyp implies), main and bin, repository and homepage. Nothing
 * when it is not a JSON object. */
void npm_manifest_facts(const char *json, size_t len, int has_binding_gyp, contents_t *out);

#endif
