#!/usr/bin/env bash
# layers_test: scripts/check-layers.py keeps the tree's two structural rules
# (DESIGN.md, Layout): the real tree passes it, and a small tree that breaks
# each rule once — an upward include, ECO_NPM outside ecosystems/, an
# ecosystem's name in a string literal — fails it, naming every violation.
# Needs python3 only; no network, no server.
set -u
SRC=${CORDON_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
CHECK="$SRC/scripts/check-layers.py"
fails=0
ok() { echo "ok - $1"; }
bad() { echo "not ok - $1"; fails=$((fails + 1)); }

out=$(python3 "$CHECK" "$SRC" 2>&1)
if [ $? -eq 0 ]; then ok "the tree keeps the layers and names no ecosystem outside ecosystems/"; else
    bad "the tree has violations:"; echo "$out" | sed 's/^/#   /'; fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/core" "$T/http" "$T/analysis" "$T/ecosystems/npm" "$T/review"
# allowed: own folder, a folder above, ecosystems/ naming itself, review/ including ecosystems/, comments
printf '#include "common/buf.h"\n#include "core/eco.h"\n/* npm, pypi, maven and ECO_NPM in prose */\n' >"$T/core/ok.c"
printf '#include "core/eco.h"\nint n = ECO_NPM; const char *s = "npm";\n' >"$T/ecosystems/npm/npm.c"
printf '#include "ecosystems/npm/npm.h"\n' >"$T/review/ok.c"
# the three violations
printf '#include <string.h>\n#include "ecosystems/pypi/pypi_path.h"\n' >"$T/core/up.c"
printf 'int f(int e)\n{\n    return e == ECO_NPM;\n}\n' >"$T/http/ids.c"
printf 'static const char *const L = "label";\nstatic const char *const P = "/PyPI/simple";\n' >"$T/analysis/lit.c"

out=$(python3 "$CHECK" "$T" 2>&1)
rc=$?
[ $rc -eq 1 ] && ok "a violating tree fails (exit 1)" || bad "a violating tree exits $rc, not 1"
expect() {
    if printf '%s\n' "$out" | grep -qF -- "$1"; then ok "names: $1"; else bad "does not name: $1"; fi
}
expect "core/up.c:2: core/ includes ecosystems/pypi/pypi_path.h (ecosystems/ is below it)"
expect "http/ids.c:3: names ECO_NPM outside ecosystems/"
expect 'analysis/lit.c:2: the string "/PyPI/simple" names an ecosystem outside ecosystems/'
expect "check-layers: 3 violations"
n=$(printf '%s\n' "$out" | grep -c '^[a-z]*/.*:[0-9]*: ')
[ "$n" -eq 3 ] && ok "exactly the three violations, nothing allowed is reported" ||
    { bad "$n lines reported, not 3:"; printf '%s\n' "$out" | sed 's/^/#   /'; }

[ $fails -eq 0 ] && echo "all passed" || echo "$fails failed"
[ $fails -eq 0 ]
