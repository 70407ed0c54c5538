#!/usr/bin/env bash
# scripts/first-config.sh [OUT]
#
# Writes a first cordon configuration (default: conf/cordon.yaml in the repo)
# unless OUT already exists. The upstreams are taken from this machine's own
# client settings; none is hard-coded:
#   npm    `npm config get registry`
#   pypi   $PIP_INDEX_URL, else `pip config get global.index-url` (or
#          install.index-url), with a trailing /simple/ removed: cordon's pypi
#          upstream is the base URL that serves /simple/
#   maven  the first (unblocked) <mirror><url> in ~/.m2/settings.xml
# cordon fetches artifacts only from an upstream's own origin and from
# fetch.allow_hosts: when the pypi index names its files on another host (it
# asks the index for one project's page), that host goes into allow_hosts.
# An ecosystem without a discovered upstream is left out (disabled), with a
# comment in the file saying how to add it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/conf/cordon.yaml}

# Where the written config makes cordon listen; an upstream pointing here
# would be cordon asking itself.
listen=127.0.0.1:7878
public_url=http://$listen

say() { printf 'first-config: %s\n' "$*"; }

if [[ -e $out ]]; then
  say "$out exists; leaving it as it is"
  exit 0
fi

run() { timeout 30 "$@" 2>/dev/null || true; }   # a client's answer, or nothing

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

# URL with any user:password@ replaced, for printing.
redact() { printf '%s' "$1" | sed -E 's#^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@#\1***@#'; }

has_userinfo() { [[ $1 =~ ^[a-zA-Z][a-zA-Z0-9+.-]*://[^/@]*@ ]]; }

# True when URL points at the cordon this config sets up (loopback, same port).
is_self() {
  local hp=${1,,}
  hp=${hp#*://}; hp=${hp%%/*}; hp=${hp##*@}
  case $hp in
    127.*:7878|localhost:7878|"[::1]:7878"|0.0.0.0:7878) return 0 ;;
  esac
  return 1
}

# Accepts a discovered URL for ecosystem $1, or says why not.
# Sets $url (accepted) or $why (left out).
accept() {
  local eco=$1 from=$2
  url=$(trim "$3") why=""
  case $url in
    ""|undefined|null) why="$from is not set" ;;
    http://*|https://*)
      if is_self "$url"; then why="$from points at cordon itself"; fi ;;
    *) why="$from is not an http(s) URL" ;;
  esac
  if [[ -n $why ]]; then
    say "$eco: $why; left out"
    url=""
    return 1
  fi
  return 0
}

# ---- npm -------------------------------------------------------------------
npm_url="" npm_note="" npm_why=""
if command -v npm >/dev/null 2>&1; then
  v=$(run npm config get registry | head -n 1)
  if accept npm "npm config get registry" "$v"; then
    npm_url=$url npm_note="from npm config get registry"
  else
    npm_why=$why
  fi
else
  npm_why="npm is not installed"
  say "npm: $npm_why; left out"
fi

# ---- pypi ------------------------------------------------------------------
pypi_url="" pypi_note="" pypi_warn="" pypi_why=""
pip_cmd=()
if command -v pip >/dev/null 2>&1; then pip_cmd=(pip)
elif command -v pip3 >/dev/null 2>&1; then pip_cmd=(pip3)
elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then pip_cmd=(python3 -m pip)
fi
v="" from=""
if [[ -n ${PIP_INDEX_URL:-} ]]; then
  v=$PIP_INDEX_URL from="PIP_INDEX_URL"
elif (( ${#pip_cmd[@]} )); then
  for key in global.index-url install.index-url; do
    v=$(run env PIP_DISABLE_PIP_VERSION_CHECK=1 "${pip_cmd[@]}" config get "$key" | head -n 1)
    from="pip config get $key"
    [[ -n $(trim "$v") ]] && break
  done
  [[ -z $(trim "$v") ]] && from="pip config get global.index-url"
fi
if [[ -z $from ]]; then
  pypi_why="pip is not installed"
  say "pypi: $pypi_why; left out"
elif ! accept pypi "$from" "$v"; then
  pypi_why=$why
else
  base=${url%/}
  if [[ $base == */simple ]]; then
    pypi_url=${base%simple}
  else
    pypi_url=$url
    pypi_warn="does not end in /simple/; cordon will ask it for ${url%/}/simple/ — check this"
  fi
  pypi_note="from $from, /simple/ removed"
  [[ -n $pypi_warn ]] && pypi_note="from $from"
fi

# The host the pypi index serves its files from, when it is not the index's
# own (read from the index's page for pip, whose files every index has).
pypi_files_host=""
if [[ -n $pypi_url ]] && command -v curl >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1; then
  page=$(run curl -fsS --max-time 10 -H 'Accept: application/vnd.pypi.simple.v1+json' "${pypi_url%/}/simple/pip/")
  pypi_files_host=$(printf '%s' "$page" | run python3 -c '
import json, sys, urllib.parse
index = sys.argv[1].rstrip("/") + "/simple/pip/"
def origin(u):
    return (u.scheme, u.hostname, u.port or {"http": 80, "https": 443}.get(u.scheme))
try:
    files = json.load(sys.stdin).get("files") or []
except ValueError:
    files = []
for f in files[:1]:
    u = urllib.parse.urlsplit(urllib.parse.urljoin(index, f.get("url", "")))
    if u.scheme in ("http", "https") and u.hostname and origin(u) != origin(urllib.parse.urlsplit(index)):
        print(u.hostname if u.port is None else "%s:%d" % (u.hostname, u.port))
' "$pypi_url")
fi

# ---- maven -----------------------------------------------------------------
maven_url="" maven_note="" maven_why=""
settings=$HOME/.m2/settings.xml
if [[ -r $settings ]]; then
  # First <mirror> that is not <blocked>; comments dropped, ${env.X} expanded
  # (left as it is when unset, and then refused below),
  # the five XML entities decoded.
  v=$(perl -0777 -ne '
        s/<!--.*?-->//gs;
        while (m{<mirror\b[^>]*>(.*?)</mirror>}gs) {
          my $m = $1;
          next if $m =~ m{<blocked>\s*true\s*</blocked>}s;
          if ($m =~ m{<url>\s*(.*?)\s*</url>}s) {
            my $u = $1;
            $u =~ s/\$\{env\.(\w+)\}/$ENV{$1} \/\/ "\${env.$1}"/ge;
            $u =~ s/&lt;/</g; $u =~ s/&gt;/>/g; $u =~ s/&quot;/"/g;
            $u =~ s/&apos;/\x27/g; $u =~ s/&amp;/&/g;
            print $u; last;
          }
        }' "$settings" 2>/dev/null || true)
  if [[ $v == *"\${"* ]]; then
    maven_why="the first <mirror> in ~/.m2/settings.xml uses a property that is not set"
    say "maven: $maven_why; left out"
  elif accept maven "the first <mirror> in ~/.m2/settings.xml" "$v"; then
    maven_url=$url
    maven_note="from the first <mirror> in ~/.m2/settings.xml"
  else
    maven_why=$why
  fi
else
  maven_why="there is no ~/.m2/settings.xml"
  say "maven: $maven_why; left out"
fi

# ---- write -----------------------------------------------------------------
yq() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

upstream_line() {   # eco url note why-missing example what-it-is
  if [[ -n $2 ]]; then
    printf '  %-6s %s   # %s\n' "$1:" "$(yq "$2")" "$3"
  else
    printf '  # %s is disabled: %s. To enable it, uncomment and fill in:\n' "$1" "$4"
    printf '  # %-6s %s   # %s\n' "$1:" "$5" "$6"
  fi
}

mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT

{
  cat <<YAML
# cordon configuration, written by scripts/first-config.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ).
# Generated for this machine (it is not committed); edit it freely, or delete
# it and run \`make run\` again to rediscover the upstreams.
# Every key is explained in conf/cordon.example.yaml.

listen: $listen            # one address or a list
public_url: $public_url # base for rewritten tarball / file URLs
data_dir: var/cordon              # LMDB environment + blob store
threads: 0                        # 0 = one event loop per core

upstreams:                        # an ecosystem without an upstream is disabled
YAML
  upstream_line npm "$npm_url" "$npm_note" "$npm_why" \
    https://npm-upstream.example/ "an npm registry"
  upstream_line pypi "$pypi_url" "$pypi_note" "$pypi_why" \
    https://pypi-upstream.example/ "the base that serves /simple/ (pip's index-url without /simple/)"
  upstream_line maven "$maven_url" "$maven_note" "$maven_why" \
    https://maven-upstream.example/maven2 "a Maven 2 layout repository"
  cat <<'YAML'

fetch:
  metadata_ttl: 5m                # revalidate metadata after this (ETag)
  timeout: 30s                    # no byte from upstream for this long: 504
  stale_if_error: 24h             # serve last good metadata when upstream fails
YAML
  if [[ -n $pypi_files_host ]]; then
    printf '  allow_hosts: [%s]   # where the pypi index serves its files (found in its index)\n' "$(yq "$pypi_files_host")"
  else
    printf '  allow_hosts: []                 # artifact hosts besides the upstreams'"'"' own ("host" or "host:port")\n'
  fi
  cat <<'YAML'

limits:
  max_body: 64MB                  # larger request bodies get 413 before being buffered

quarantine:
  min_age: 7d                     # default for every ecosystem
  npm:   { min_age: 3d }          # per ecosystem
  missing_timestamp: first_seen   # first_seen (hold until first seen + window) | deny
  # rules:                        # most specific match wins, e.g.
  #   - { match: "npm:@yourscope/*", min_age: 0 }
  #   - { match: "npm:some-package@1.2.3", allow: true }
YAML
} >"$tmp"

mode=644
for u in "$npm_url" "$pypi_url" "$maven_url"; do
  if has_userinfo "$u"; then mode=600; fi
done
chmod "$mode" "$tmp"
if [[ -e $out ]]; then
  say "$out appeared meanwhile; leaving it as it is"
  exit 0
fi
mv "$tmp" "$out"
trap - EXIT

say "wrote $out"
[[ -n $npm_url ]]   && say "npm upstream:   $(redact "$npm_url")   ($npm_note)"
[[ -n $pypi_url ]]  && say "pypi upstream:  $(redact "$pypi_url")   ($pypi_note)"
[[ -n $pypi_warn ]] && say "warning: pypi index URL $pypi_warn"
[[ -n $pypi_files_host ]] && say "pypi files are served from $pypi_files_host: listed in fetch.allow_hosts"
[[ -n $maven_url ]] && say "maven upstream: $(redact "$maven_url")   ($maven_note)"
if [[ -z $npm_url$pypi_url$maven_url ]]; then
  say "no upstream discovered: every ecosystem is disabled until you add one to $out"
fi
exit 0
