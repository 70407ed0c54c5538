#!/usr/bin/env bash
# scripts/deps.sh [--test | --bench]
#
# Makes sure the Debian packages cordon needs are installed. Quiet and fast
# (one dpkg-query call) when nothing is missing.
#   (no argument)  what the build needs
#   --test         also what the tests need (node, npm, python3, mvn, gradle, java, curl, clang,
#                  chromium for the admin page's browser test, Debian's Maven plugin
#                  packages, stress-ng for `make test-under-load`, gcc's ThreadSanitizer
#                  runtime for `make test-tsan`, Debian's packaging tools for `make deb`
#                  and its test: debhelper, dpkg-dev, fakeroot, lintian, logrotate;
#                  iproute2 and util-linux's unshare for the agent sandbox test)
#   --bench        also what `make bench` measures against or with: nginx (the static
#                  peer), wrk, curl, jq, node and npm (Verdaccio, npm as peers)
# When something is missing: as root it runs `apt-get update` once and installs
# it; otherwise it prints the exact `sudo apt-get install` line and exits 1.
# CORDON_SKIP_DEPS=1 skips every check (for images prepared some other way).
set -euo pipefail

usage() { echo "usage: $0 [--test | --bench]" >&2; }

with_test=0
with_bench=0
case $# in
  0) ;;
  1) case $1 in
       --test) with_test=1 ;;
       --bench) with_bench=1 ;;
       -h|--help) usage; exit 0 ;;
       *) usage; exit 2 ;;
     esac ;;
  *) usage; exit 2 ;;
esac

[[ ${CORDON_SKIP_DEPS:-0} == 1 ]] && exit 0

build_pkgs=(build-essential cmake pkg-config libh2o-evloop-dev libcurl4-openssl-dev
            libssl-dev liblmdb-dev libyajl-dev libarchive-dev libyaml-dev libxml2-dev zlib1g-dev)
# pkg-config modules the build uses (checked instead of packages where dpkg is absent)
pc_modules=(libh2o-evloop libcurl openssl lmdb yajl libarchive yaml-0.1 libxml-2.0 zlib)

pkgs=("${build_pkgs[@]}")
if (( with_test )); then
  # package:command — the package is needed only when the command is not
  # already on PATH (node, python3 or a JDK may come from somewhere else).
  for pair in nodejs:node npm:npm python3:python3 maven:mvn gradle:gradle \
              default-jdk-headless:java curl:curl clang:clang chromium:chromium \
              stress-ng:stress-ng iproute2:ip util-linux:unshare; do
    command -v "${pair#*:}" >/dev/null 2>&1 || pkgs+=("${pair%%:*}")
  done
  # Debian's packaged Maven plugins: their /usr/share/maven-repo is the fixture
  # upstream's plugin content, so the mvn tests build without the internet
  # (the default lifecycle of a jar project, plus install and deploy).
  # gcc's ThreadSanitizer runtime (libtsan.so) for `make test-tsan`
  pkgs+=(libtsan2)
  # `make deb` (dpkg-buildpackage, debhelper compat 13) and packaging_test.sh
  # (lintian on the result; logrotate -d on its logrotate file)
  pkgs+=(debhelper dpkg-dev fakeroot lintian logrotate)
  pkgs+=(libmaven-resources-plugin-java libmaven-compiler-plugin-java
         libmaven-jar-plugin-java libsurefire-java libmaven-install-plugin-java
         libmaven-deploy-plugin-java libmaven-dependency-plugin-java)
  # Debian's own python3 ships without pip and venv; the pip tests need both.
  # A python3 from elsewhere (pyenv, a venv, …) is taken as it is.
  py=$(command -v python3 2>/dev/null || true)
  if [[ -z $py || $py == /usr/bin/python3 ]]; then
    pkgs+=(python3-pip python3-venv)
  fi
fi

if (( with_bench )); then
  for pair in nginx:nginx wrk:wrk curl:curl jq:jq nodejs:node npm:npm; do
    command -v "${pair#*:}" >/dev/null 2>&1 || pkgs+=("${pair%%:*}")
  done
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not Debian: check what the build itself can see, and say what is missing.
  missing=()
  for m in "${pc_modules[@]}"; do
    pkg-config --exists "$m" 2>/dev/null || missing+=("pkg-config module $m")
  done
  for c in cc make cmake pkg-config; do
    command -v "$c" >/dev/null 2>&1 || missing+=("command $c")
  done
  (( ${#missing[@]} == 0 )) && exit 0
  echo "cordon: this is not a Debian system (no dpkg-query); install the equivalents of:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  echo "Debian package names: ${pkgs[*]}" >&2
  exit 1
fi

# One dpkg-query call for every package; names it does not know are missing.
declare -A installed=()
# shellcheck disable=SC2016  # ${Package} is dpkg-query's format, not a shell variable
while read -r name _ _ status; do
  [[ $status == installed ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null || true)

missing=()
for p in "${pkgs[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
(( ${#missing[@]} == 0 )) && exit 0

if (( EUID != 0 )); then
  {
    echo "cordon: missing Debian packages: ${missing[*]}"
    echo "install them with:"
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}"
    echo "(run 'sudo apt-get update' first if apt cannot find them)"
  } >&2
  exit 1
fi

echo "cordon: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
