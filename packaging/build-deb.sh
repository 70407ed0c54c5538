#!/usr/bin/env bash
# packaging/build-deb.sh [OUTDIR]   (make deb)
#
# Builds cordon's Debian package with Debian's own tools: the source tree
# (git's tracked and untracked-but-not-ignored files, or the whole tree
# without build output when this is not a git checkout) is copied to
# OUTDIR/cordon-VERSION with packaging/debian as its debian/, and
# dpkg-buildpackage builds the binary package there. The .deb, .buildinfo
# and .changes land in OUTDIR (default: build-deb in the repository).
#
# The staged tree's CMake build directory (obj-cordon) is kept between runs
# and the copied files keep their times, so a second run only recompiles
# what changed (dpkg-buildpackage --no-pre-clean). DEB_BUILD_OPTIONS=nocheck
# skips the unit tests (debian/rules runs them otherwise).
# Exit 2 when a tool is missing or the versions disagree.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make deb: $tool not found; install debhelper and dpkg-dev (scripts/deps.sh --test does)" >&2
        exit 2
    fi
done

# the package's version is the program's: debian/changelog must name it
code_version=$(sed -n 's/^#define CORDON_VERSION "\(.*\)"$/\1/p' "$src/admin/main.c")
deb_version=$(dpkg-parsechangelog -l "$src/packaging/debian/changelog" -S Version)
if [[ -z $code_version || $code_version != "$deb_version" ]]; then
    echo "make deb: packaging/debian/changelog is at $deb_version but admin/main.c says CORDON_VERSION \"$code_version\"; add a changelog entry (dch -v $code_version)" >&2
    exit 2
fi

stage=$out/cordon-$code_version
mkdir -p "$stage"
# a fresh copy of the sources (a file deleted since the last run must not
# linger: the build globs its sources), the build directory kept
find "$stage" -mindepth 1 -maxdepth 1 ! -name obj-cordon -exec rm -rf {} +
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [[ -f $f ]] && printf '%s\0' "$f"; done |
        tar --null -T - -cf -) | tar -xf - -C "$stage"
else
    (cd "$src" && tar --exclude='./build*' --exclude=./var --exclude=./conf/cordon.yaml \
        --exclude=./conf/audit.key --exclude=node_modules -cf - .) | tar -xf - -C "$stage"
fi
rm -rf "$stage/debian"
cp -a "$src/packaging/debian" "$stage/debian"

cd "$stage"
dpkg-buildpackage --build=binary --no-sign --no-pre-clean
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
echo "make deb: $out/cordon_${code_version}_${arch}.deb"
