#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests for cordon's own HTTP surface under attack (issue 14,
# items 5, 7 (request side) and 9):
#   - no upstream bytes run on cordon's origin: every answer carries
#     X-Content-Type-Options: nosniff, every proxied document and artifact
#     Content-Security-Policy: default-src 'none'; sandbox, artifacts
#     Content-Disposition: attachment, and the admin page keeps its own CSP;
#   - request bodies are judged from the request head, before they are read:
#     a route that takes none answers at once (413, or 405 for a publish),
#     the review route and the admin API take 64 kB, lockfile submissions
#     (with a token) and npm audit take limits.max_body, at most
#     limits.max_large_bodies of those at once; stalled uploads do not grow
#     the server's memory; limits.max_connections caps connections at accept;
#   - review requests only from JSON posts (415 otherwise), and a rate limit
#     per address that other addresses cannot reset.
# cordon runs in front of the fixture upstream (tests/fixtures/upstream.py
# with tests/fixtures/http_spec.json).  Raw HTTP/1.1 requests (a head sent
# without its body, slow and stalled uploads) come from small Python
# clients.  Everything on 127.0.0.1 (review requests also from other
# loopback addresses).
#
#   CORDON_BIN=build/cordon bash tests/integration/http_hardening_test.sh

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_failed "curl not found"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/http_spec.json"
MAX_CONNS=100
MAX_LARGE=4
CORDON_QUARANTINE_YAML='{ min_age: 7d }'
CORDON_FETCH_YAML='{ metadata_ttl: 5m, timeout: 20s, stale_if_error: 24h }'
TLS_PORT=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$IT_TMP/key.pem" -out "$IT_TMP/cert.pem" >/dev/null 2>&1 || setup_failed "openssl could not make a certificate"
CORDON_EXTRA_YAML="limits: { max_body: 8MB, max_connections: $MAX_CONNS, max_large_bodies: $MAX_LARGE, review_requests_per_hour: 3 }
tls: { listen: 127.0.0.1:$TLS_PORT, cert: $IT_TMP/cert.pem, key: $IT_TMP/key.pem }"
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
DATA=$IT_TMP/data
API=$CORDON_URL/-/api
CSP_SANDBOX="default-src 'none'; sandbox"

make_token() { # NAME ROLE
    local out
    out=$(timeout 15 "$CORDON_BIN" token add "$1" --role "$2" --data-dir "$DATA" 2>"$IT_TMP/token-$1.err")
    printf '%s' "${out%%$'\n'*}" | tr -d '\r'
}
T_REV=$(make_token rita reviewer)
T_CI=$(make_token cid ci)
[[ $T_REV == cordon_* && $T_CI == cordon_* ]] || setup_failed "cordon token add: $(cat "$IT_TMP"/token-*.err)"

# ------------------------------------------------------------------ raw HTTP/1.1 clients

# raw.py PORT HEADFILE [--body N] [--body-file F] [--wait S] [--source ADDR]:
# sends the request head in HEADFILE (\n become \r\n), then (in the
# background) N bytes of body or the bytes of F, and prints what came back
# as JSON: {"status", "reason", "headers" (lower-case names -> list of values),
# "body", "got_100", "closed", "error", "sent"}.
cat >"$IT_TMP/raw.py" <<'PY'
import json, socket, sys, threading, time
args = sys.argv[1:]
port, headfile = int(args[0]), args[1]
opt = {"--body": "0", "--body-file": "", "--wait": "20", "--source": ""}
i = 2
while i < len(args):
    opt[args[i]] = args[i + 1]
    i += 2
head = open(headfile, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
body = open(opt["--body-file"], "rb").read() if opt["--body-file"] else b"a" * int(opt["--body"])
s = socket.socket()
if opt["--source"]:
    s.bind((opt["--source"], 0))
s.settimeout(float(opt["--wait"]))
s.connect(("127.0.0.1", port))
out = {"status": None, "reason": "", "headers": {}, "body": "", "got_100": False, "closed": False,
       "error": "", "sent": 0}
s.sendall(head)
def send_body():
    try:
        for k in range(0, len(body), 65536):
            s.sendall(body[k:k + 65536])
            out["sent"] += len(body[k:k + 65536])
    except OSError:
        pass
t = threading.Thread(target=send_body, daemon=True)
t.start()
buf = b""
deadline = time.time() + float(opt["--wait"])
try:
    while time.time() < deadline:
        if b"\r\n\r\n" in buf:
            h, rest = buf.split(b"\r\n\r\n", 1)
            if h.startswith(b"HTTP/1.1 100"):
                out["got_100"] = True
                buf = rest
                continue
            lines = h.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ", 2)
            out["status"] = int(parts[1])
            out["reason"] = parts[2] if len(parts) > 2 else ""
            for l in lines[1:]:
                k, _, v = l.partition(":")
                out["headers"].setdefault(k.strip().lower(), []).append(v.strip())
            # without a Content-Length (Connection: close), the body runs to the end
            n = int(out["headers"].get("content-length", [str(1 << 30)])[0])
            while len(rest) < n and time.time() < deadline:
                c = s.recv(65536)
                if not c:
                    break
                rest += c
            out["body"] = rest[:n].decode("utf-8", "replace")
            break
        c = s.recv(65536)
        if not c:
            out["closed"] = True
            break
        buf += c
except OSError as e:
    out["error"] = str(e) or e.__class__.__name__
print(json.dumps(out))
PY

# raw PYCHECK HEAD [raw.py options]: one raw request; its answer (d) must
# satisfy the Python statements PYCHECK (check_json's want()).
raw() {
    local check=$1 head=$2
    shift 2
    RAW_N=$((${RAW_N:-0} + 1))
    printf '%s' "$head" >"$IT_TMP/raw.$RAW_N.head"
    "$PYTHON" "$IT_TMP/raw.py" "$CPORT" "$IT_TMP/raw.$RAW_N.head" "$@" >"$IT_TMP/raw.$RAW_N.out" ||
        fail "raw.py failed: $(cat "$IT_TMP/raw.$RAW_N.out")"
    check_json "$IT_TMP/raw.$RAW_N.out" "$check" "the answer to: $(head -n 1 "$IT_TMP/raw.$RAW_N.head")"
}

# the answer was a JSON error object with this status, sent before any body
# byte went out (the head was all cordon got), and the connection closes
REFUSED_UNREAD='
want(d["status"] == int(env["WANT"]), "status %r (%s), wanted %s; body %r; error %r" % (d["status"], d["reason"], env["WANT"], d["body"][:300], d["error"]))
want(not d["got_100"], "cordon said 100 Continue to a body it refuses")
want(d["headers"].get("x-content-type-options") == ["nosniff"], "nosniff %r" % d["headers"].get("x-content-type-options"))
want("close" in ",".join(d["headers"].get("connection", [])).lower(), "the connection stays open after a refused body: %r" % d["headers"])
try:
    b = json.loads(d["body"])
except ValueError:
    b = {}
want(isinstance(b.get("error"), str) and b["error"], "no JSON error: %r" % d["body"][:300])
if env.get("REASON"):
    want(b.get("reason") == env["REASON"], "reason %r, wanted %r" % (b.get("reason"), env["REASON"]))
'

vmrss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$CORDON_PID/status"; }

metric() { # NAME{labels} as printed: its value (0 when absent)
    curl -s --max-time 5 "$CORDON_URL/-/metrics" | awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'
}

# ------------------------------------------------------------------ item 5: headers

# expect_doc_headers WHAT [attachment]: the last http() answer carries
# nosniff and the sandbox CSP once each; an artifact also
# Content-Disposition: attachment, a document none.
expect_doc_headers() {
    local what=$1 kind=${2:-document} n
    n=$(grep -ci '^x-content-type-options:' "$HTTP_HEADERS")
    assert_eq 1 "$n" "$what: X-Content-Type-Options headers"
    assert_eq nosniff "$(header x-content-type-options)" "$what: X-Content-Type-Options"
    n=$(grep -ci '^content-security-policy:' "$HTTP_HEADERS")
    assert_eq 1 "$n" "$what: Content-Security-Policy headers"
    assert_eq "$CSP_SANDBOX" "$(header content-security-policy)" "$what: Content-Security-Policy"
    if [[ $kind == attachment ]]; then
        assert_contains "$(header content-disposition)" "attachment" "$what: Content-Disposition"
    else
        assert_eq "" "$(header content-disposition)" "$what: Content-Disposition of a document"
    fi
}

t_headers_npm() {
    http GET "$CORDON_URL/npm/left-pad"
    expect_status 200 "packument"
    expect_doc_headers "packument"
    local etag
    etag=$(header etag)
    http GET "$CORDON_URL/npm/left-pad" -H "If-None-Match: $etag"
    expect_status 304 "packument revalidated"
    assert_eq nosniff "$(header x-content-type-options)" "304: X-Content-Type-Options"
    http GET "$CORDON_URL/npm/left-pad" -H 'Accept: application/vnd.npm.install-v1+json'
    expect_status 200 "abbreviated packument"
    expect_doc_headers "abbreviated packument"
    http GET "$CORDON_URL/npm/left-pad/-/left-pad-1.3.0.tgz"
    expect_status 200 "tarball"
    expect_doc_headers "tarball" attachment
    assert_contains "$(header content-disposition)" 'filename="left-pad-1.3.0.tgz"' "tarball: Content-Disposition"
    http HEAD "$CORDON_URL/npm/left-pad/-/left-pad-1.3.0.tgz" -I
    expect_status 200 "HEAD tarball"
    expect_doc_headers "HEAD tarball" attachment
    # HTTP/2 answers carry them too
    http GET "$CORDON_URL/npm/left-pad" --http2-prior-knowledge
    expect_status 200 "packument over h2c"
    expect_doc_headers "packument over h2c"
    http GET "$CORDON_URL/npm/-/ping"
    expect_status 200 "ping"
    expect_doc_headers "ping"
}

t_headers_pypi() {
    http GET "$CORDON_URL/pypi/simple/" -H 'Accept: text/html'
    expect_status 200 "the project list as HTML (upstream's bytes)"
    assert_contains "$(header content-type)" "text/html" "the project list's type"
    expect_doc_headers "the project list (HTML)"
    http GET "$CORDON_URL/pypi/simple/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "the project list as JSON"
    expect_doc_headers "the project list (JSON)"
    http GET "$CORDON_URL/pypi/simple/fx-page/" -H 'Accept: text/html'
    expect_status 200 "project page HTML"
    assert_contains "$(header content-type)" "text/html" "project page type"
    expect_doc_headers "project page (HTML)"
    http GET "$CORDON_URL/pypi/simple/fx-page/" -H 'Accept: application/vnd.pypi.simple.v1+json'
    expect_status 200 "project page JSON"
    expect_doc_headers "project page (JSON)"
    local wheel sdist
    wheel=$(json_eval "$HTTP_BODY" '[f["url"] for f in d["files"] if f["filename"].endswith(".whl")][0]') || fail "no wheel in $(body)"
    sdist=$(json_eval "$HTTP_BODY" '[f["url"] for f in d["files"] if f["filename"].endswith(".tar.gz")][0]') || fail "no sdist in $(body)"
    http GET "$wheel"
    expect_status 200 "wheel"
    expect_doc_headers "wheel" attachment
    http GET "$sdist"
    expect_status 200 "sdist"
    expect_doc_headers "sdist" attachment
    http GET "$wheel.metadata"
    expect_status 200 "core metadata"
    expect_doc_headers "core metadata"
    http GET "$CORDON_URL/pypi/simple/FX_Page/"
    expect_status 301 "a non-normalised name"
    assert_eq nosniff "$(header x-content-type-options)" "301: X-Content-Type-Options"
}

t_headers_maven() {
    local base=$CORDON_URL/maven/org/cordon/http/fx-doc
    http GET "$base/maven-metadata.xml"
    expect_status 200 "maven-metadata.xml"
    expect_doc_headers "maven-metadata.xml"
    http GET "$base/maven-metadata.xml.sha1"
    expect_status 200 "maven-metadata.xml.sha1"
    expect_doc_headers "maven-metadata.xml.sha1"
    http GET "$base/1.0/fx-doc-1.0.pom"
    expect_status 200 "a POM with an XHTML script"
    assert_contains "$(body)" "x:script" "the POM"
    expect_doc_headers "POM"
    http GET "$base/1.0/fx-doc-1.0.pom.sha1"
    expect_status 200 "POM checksum"
    expect_doc_headers "POM checksum"
    http GET "$base/1.0/fx-doc-1.0.jar"
    expect_status 200 "jar"
    expect_doc_headers "jar" attachment
    assert_contains "$(header content-disposition)" 'filename="fx-doc-1.0.jar"' "jar: Content-Disposition"
    http GET "$base/1.0/fx-doc-1.0.jar.sha1"
    expect_status 200 "jar checksum"
    expect_doc_headers "jar checksum"
}

t_headers_cordon_own() {
    # denials and errors
    http GET "$CORDON_URL/npm/left-pad/-/left-pad-1.4.0.tgz"
    expect_status 403 "a held version's tarball"
    expect_doc_headers "403 denial"
    http GET "$CORDON_URL/no/such/route"
    expect_status 404 "unknown route"
    expect_doc_headers "404"
    http GET "$CORDON_URL/npm/a/%2e%2e/b"
    expect_status 400 "unsafe path"
    expect_doc_headers "400"
    http PUT "$CORDON_URL/npm/left-pad" -H 'Content-Type: application/json' --data-binary '{}'
    expect_status 405 "publish"
    expect_doc_headers "405 publish"
    http GET "$CORDON_URL/npm/nonexistent-pkg-xyz"
    expect_status 404 "a package upstream does not have"
    expect_doc_headers "404 from upstream"
    # cordon's own endpoints
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health"
    expect_doc_headers "/-/health"
    http GET "$CORDON_URL/-/metrics"
    expect_status 200 "metrics"
    expect_doc_headers "/-/metrics"
    http GET "$API/held" -H "Authorization: Bearer $T_REV"
    expect_status 200 "admin API"
    expect_doc_headers "admin API"
    http GET "$API/held"
    expect_status 401 "admin API without a token"
    expect_doc_headers "admin API 401"
    # an error h2o itself answers (a broken Content-Length) carries nosniff too
    WANT=400 raw 'want(d["status"] == 400, "status %r" % d["status"]); want(d["headers"].get("x-content-type-options") == ["nosniff"], "nosniff %r" % d["headers"])' \
        $'POST /-/api/reviews HTTP/1.1\nHost: x\nContent-Length: 12abc\n\n'
    # the admin page keeps its own strict policy (its token lives in sessionStorage)
    http GET "$CORDON_URL/-/admin/"
    expect_status 200 "admin page"
    assert_eq 1 "$(grep -ci '^content-security-policy:' "$HTTP_HEADERS")" "admin page: one CSP header"
    assert_contains "$(header content-security-policy)" "script-src 'self'" "admin page CSP"
    assert_contains "$(header content-security-policy)" "frame-ancestors 'none'" "admin page CSP"
    assert_not_contains "$(header content-security-policy)" "sandbox" "admin page CSP"
    assert_eq 1 "$(grep -ci '^x-content-type-options:' "$HTTP_HEADERS")" "admin page: one nosniff header"
    assert_eq DENY "$(header x-frame-options)" "admin page X-Frame-Options"
    http GET "$CORDON_URL/-/admin/admin.js"
    expect_status 200 "admin page script"
    assert_contains "$(header content-security-policy)" "script-src 'self'" "admin script CSP"
    http GET "$CORDON_URL/-/admin"
    expect_status 301 "admin page without its slash"
    assert_eq nosniff "$(header x-content-type-options)" "admin 301: nosniff"
}

# ------------------------------------------------------------------ item 7: request bodies

t_no_body_routes_refused_unread() {
    # the head alone, a body promised and never sent: the answer must come
    # at once, without the body (h2o would otherwise wait for it)
    WANT=413 raw "$REFUSED_UNREAD" $'GET /npm/left-pad HTTP/1.1\nHost: x\nContent-Length: 5000000\n\n'
    WANT=413 raw "$REFUSED_UNREAD" $'GET /npm/left-pad HTTP/1.1\nHost: x\nContent-Length: 5000000\nExpect: 100-continue\n\n'
    WANT=413 raw "$REFUSED_UNREAD" $'GET /-/health HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n'
    WANT=413 raw "$REFUSED_UNREAD" $'POST /-/admin/ HTTP/1.1\nHost: x\nContent-Length: 1000000\n\n'
    WANT=413 raw "$REFUSED_UNREAD" $'GET /-/api/held HTTP/1.1\nHost: x\nContent-Length: 1000000\nExpect: 100-continue\n\n'
    # a publish: refused as a publish (405, recorded), its body never read
    WANT=405 REASON=publish_forbidden raw "$REFUSED_UNREAD" $'PUT /npm/unread-publish HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 5000000\n\n'
    wait_for_decision 'r.get("reason") == "publish_forbidden" and r.get("package") == "unread-publish"' >/dev/null ||
        fail "the refused publish was not recorded"
    WANT=405 REASON=publish_forbidden raw "$REFUSED_UNREAD" $'PUT /maven/org/x/y/1.0/y-1.0.jar HTTP/1.1\nHost: x\nContent-Length: 5000000\nExpect: 100-continue\n\n'
    # a GET with an empty body is a GET
    raw 'want(d["status"] == 200, "status %r" % d["status"])' $'GET /-/health HTTP/1.1\nHost: x\nContent-Length: 0\n\n'
}

# late_reader.py PORT TLS CAFILE BODYBYTES: sends a refused request's head and
# BODYBYTES of its body at once, reads nothing for a second, then reads the
# answer; prints {"status": N, "reason": ..., "error": ...}. A server that
# closes with the body unread in its socket sends a TCP reset, and the
# client's kernel drops the answer it had already received.
cat >"$IT_TMP/late_reader.py" <<'PY'
import json, socket, ssl, sys, threading, time
port, use_tls, cafile, n = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3], int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port), timeout=20)
if use_tls:
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.set_alpn_protocols(["http/1.1"])
    s = ctx.wrap_socket(s, server_hostname="127.0.0.1")
head = b"GET /-/health HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n
def send():
    try:
        s.sendall(head + b"z" * n)
    except OSError:
        pass
t = threading.Thread(target=send, daemon=True)
t.start()
time.sleep(1.0)
data, err = b"", ""
try:
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
except OSError as e:
    err = e.__class__.__name__
line = data.split(b"\r\n", 1)[0].decode("latin-1")
parts = line.split(" ")
status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
try:
    reason = json.loads(body.decode()).get("reason")
except ValueError:
    reason = None
print(json.dumps({"status": status, "reason": reason, "error": err}))
PY

t_refusal_reaches_a_late_reader() {
    # the refusal is written, the connection closed for writing, and what
    # the client still sends read and dropped until it is done (a bounded
    # while): a client that reads its answer only after sending, as curl
    # on a busy machine or npm publishing, gets the answer, not a reset
    local tls out=$IT_TMP/late_reader.out
    for tls in 0 1; do
        "$PYTHON" "$IT_TMP/late_reader.py" "$([[ $tls == 1 ]] && echo "$TLS_PORT" || echo "$CPORT")" \
            "$tls" "$IT_TMP/cert.pem" 300000 >"$out" || fail "late_reader.py failed: $(cat "$out")"
        check_json "$out" '
want(d["status"] == 413, "status %r" % d["status"])
want(d["reason"] == "body_not_allowed", "reason %r" % d["reason"])
want(d["error"] == "", "the connection ended in %s, not a close after the answer" % d["error"])' \
            "what a late reader got (TLS $tls)"
    done
}

t_small_routes() {
    # the review route and the admin API: 64 kB, refused from the head
    WANT=413 REASON=too_large raw "$REFUSED_UNREAD" $'POST /-/api/reviews HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 70000\n\n'
    WANT=413 REASON=too_large raw "$REFUSED_UNREAD" $'POST /-/api/approvals HTTP/1.1\nHost: x\nAuthorization: Bearer '"$T_REV"$'\nContent-Type: application/json\nContent-Length: 5000000\nExpect: 100-continue\n\n'
    # no Content-Length: a chunked body there is refused too (411)
    WANT=411 raw "$REFUSED_UNREAD" $'POST /-/api/reviews HTTP/1.1\nHost: x\nContent-Type: application/json\nTransfer-Encoding: chunked\n\n'
    # under the limit, a body is read and judged as before
    local body='{"ecosystem": "npm", "package": "left-pad", "version": "1.4.0", "comment": "small body case"}'
    http POST "$API/blocks" -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' --data-binary "$body"
    expect_status 201 "a small admin API body"
    local id
    id=$(json_eval "$HTTP_BODY" 'd["id"]') || fail "no id: $(body)"
    http DELETE "$API/blocks/$id" -H "Authorization: Bearer $T_REV"
    expect_status 200 "lift the block"
    # the same body with Expect: 100-continue: cordon says 100 and reads it
    printf '%s' "$body" >"$IT_TMP/small.json"
    raw 'want(d["status"] == 201, "status %r: %r" % (d["status"], d["body"][:300])); want(d["got_100"], "no 100 Continue")' \
        $'POST /-/api/blocks HTTP/1.1\nHost: x\nAuthorization: Bearer '"$T_REV"$'\nContent-Type: application/json\nExpect: 100-continue\nContent-Length: '"${#body}"$'\nConnection: close\n\n' \
        --body-file "$IT_TMP/small.json"
}

# a package-lock.json of about 300 kB: one real entry and padding
big_lockfile() {
    "$PYTHON" -c '
import json
lock = {"name": "big", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "big", "version": "1.0.0", "description": "x" * 300000,
                          "dependencies": {"left-pad": "^1.3.0"}},
                     "node_modules/left-pad": {"version": "1.3.0",
                          "resolved": "http://127.0.0.1/npm/left-pad/-/left-pad-1.3.0.tgz"}}}
print(json.dumps(lock))' >"$IT_TMP/big-lock.json"
}

t_large_routes() {
    big_lockfile
    # a lockfile above 64 kB with a ci token: read and checked
    http POST "$API/lockfiles/big-project" -H "Authorization: Bearer $T_CI" -H 'Content-Type: application/json' \
        --data-binary "@$IT_TMP/big-lock.json"
    [[ $HTTP_STATUS == 200 ]] || fail "a 300 kB lockfile with a token: HTTP $HTTP_STATUS: $(head -c 500 "$HTTP_BODY")"
    # the same with Expect: 100-continue (what curl and the CLI send for big bodies)
    http POST "$API/lockfiles/big-project" -H "Authorization: Bearer $T_CI" -H 'Content-Type: application/json' \
        -H 'Expect: 100-continue' --data-binary "@$IT_TMP/big-lock.json"
    [[ $HTTP_STATUS == 200 ]] || fail "a 300 kB lockfile with a token and Expect: HTTP $HTTP_STATUS: $(head -c 500 "$HTTP_BODY")"
    # without a token, its body is not read: 401 from the head
    WANT=401 REASON=unauthorized raw "$REFUSED_UNREAD" $'POST /-/api/lockfiles/big-project HTTP/1.1\nHost: x\nContent-Length: 5000000\n\n'
    WANT=401 REASON=unauthorized raw "$REFUSED_UNREAD" $'POST /-/api/lockfiles/big-project HTTP/1.1\nHost: x\nAuthorization: Bearer cordon_not-a-token\nContent-Length: 5000000\n\n'
    # over limits.max_body (8 MB here), even with a token: 413 from the head
    WANT=413 REASON=too_large raw "$REFUSED_UNREAD" $'POST /-/api/lockfiles/big-project HTTP/1.1\nHost: x\nAuthorization: Bearer '"$T_CI"$'\nContent-Length: 9000000\n\n'
    # npm audit (no token, as npm sends it): above 64 kB is fine
    "$PYTHON" -c 'import json; print(json.dumps({"left-pad": ["1.3.0"], "pad": "y" * 200000}))' >"$IT_TMP/audit.json"
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data-binary "@$IT_TMP/audit.json"
    expect_status 200 "a 200 kB npm audit body"
    expect_doc_headers "the npm audit relay's answer (upstream's bytes)"
    WANT=413 REASON=too_large raw "$REFUSED_UNREAD" $'POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\nHost: x\nContent-Length: 9000000\n\n'
    # HTTP/2 cannot be judged from the head in h2o 2.2: its bodies stop at 64 kB
    http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" --http2-prior-knowledge -H 'Content-Type: application/json' --data-binary "@$IT_TMP/audit.json"
    [[ $HTTP_STATUS != 200 ]] || fail "a 200 kB body over HTTP/2 was accepted"
    http POST "$API/blocks" --http2-prior-knowledge -H "Authorization: Bearer $T_REV" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem": "npm", "package": "h2-pkg", "comment": "h2 small body"}'
    expect_status 201 "a small admin API body over HTTP/2"
}

# pipe.py PORT: requests on one connection, answers read in order; prints
# their status lines as a JSON list. Argument pairs: WRITE (bytes to send,
# \n become \r\n; @N = N bytes of body, #N = a JSON body of N bytes) or READ (one answer).
cat >"$IT_TMP/pipe.py" <<'PY'
import json, socket, sys
port, steps = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=20)
f = s.makefile("rb")
out = []
def read_answer():
    line = f.readline().decode("latin-1").strip()
    if not line:
        return "closed"
    n, close = None, False
    while True:
        h = f.readline().decode("latin-1").strip()
        if not h:
            break
        k, _, v = h.partition(":")
        if k.lower() == "content-length":
            n = int(v)
        if k.lower() == "connection" and "close" in v.lower():
            close = True
    if n is not None:
        f.read(n)
    elif close:
        f.read()
    return line
try:
    for st in steps:
        if st == "READ":
            out.append(read_answer())
        elif st.startswith("@"):
            s.sendall(b"b" * int(st[1:]))
        elif st.startswith("#"):  # a JSON body of exactly that many bytes
            s.sendall(b'{"a":"' + b"b" * (int(st[1:]) - 8) + b'"}')
        else:
            s.sendall(st.replace("\n", "\r\n").encode())
except OSError as e:
    out.append("error " + e.__class__.__name__)
print(json.dumps(out))
PY

pipe() { # CHECK STEPS...: pipe.py's status lines (d) must satisfy CHECK
    local check=$1
    shift
    PIPE_N=$((${PIPE_N:-0} + 1))
    "$PYTHON" "$IT_TMP/pipe.py" "$CPORT" "$@" >"$IT_TMP/pipe.$PIPE_N.out" || fail "pipe.py: $(cat "$IT_TMP/pipe.$PIPE_N.out")"
    check_json "$IT_TMP/pipe.$PIPE_N.out" "$check" "the answers on one connection"
}

t_keepalive_and_pipelining() {
    local blk='{"ecosystem": "npm", "package": "ka-pkg", "comment": "keep-alive case"}'
    # an admitted body, then another request on the same connection
    pipe 'want(len(d) == 2 and d[0].startswith("HTTP/1.1 201") and d[1].startswith("HTTP/1.1 200"), "answers %r" % d)' \
        $'POST /-/api/blocks HTTP/1.1\nHost: x\nAuthorization: Bearer '"$T_REV"$'\nContent-Type: application/json\nContent-Length: '"${#blk}"$'\n\n'"$blk" READ \
        $'GET /-/health HTTP/1.1\nHost: x\n\n' READ
    # two requests in one write (pipelined): both answered
    pipe 'want(d == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"], "answers %r" % d)' \
        $'GET /-/health HTTP/1.1\nHost: x\n\nGET /-/health HTTP/1.1\nHost: x\n\n' READ READ
    # a refused body pipelined behind a request: judged from its head too
    pipe 'want(len(d) == 2 and d[0] == "HTTP/1.1 200 OK" and d[1].startswith("HTTP/1.1 413"), "answers %r" % d)' \
        $'GET /-/health HTTP/1.1\nHost: x\n\nGET /npm/left-pad HTTP/1.1\nHost: x\nContent-Length: 5000000\n\n' READ READ
    # a large body pipelined behind a request: read under limits.max_body
    pipe 'want(d == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK"], "answers %r" % d)' \
        $'GET /-/health HTTP/1.1\nHost: x\n\nPOST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 100000\n\n' '#100000' READ READ
    # and one over it, pipelined, is refused from its head
    pipe 'want(len(d) == 2 and d[0] == "HTTP/1.1 200 OK" and d[1].startswith("HTTP/1.1 413"), "answers %r" % d)' \
        $'GET /-/health HTTP/1.1\nHost: x\n\nPOST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 9000000\n\n' READ READ
}

t_tls_bodies() {
    local tls=https://127.0.0.1:$TLS_PORT
    # a TLS connection's first request often comes with the end of the
    # handshake (h2o parses it at once): judged from its head all the same
    http GET "$tls/-/health" --cacert "$IT_TMP/cert.pem" --http1.1 --data-binary "@$IT_TMP/audit.json" -X GET
    expect_status 413 "a body on GET /-/health over TLS"
    assert_eq body_not_allowed "$(json_eval "$HTTP_BODY" 'd["reason"]')" "its reason"
    http POST "$tls/npm/-/npm/v1/security/advisories/bulk" --cacert "$IT_TMP/cert.pem" --http1.1 \
        -H 'Content-Type: application/json' --data-binary "@$IT_TMP/audit.json"
    expect_status 200 "a 200 kB npm audit body over TLS (HTTP/1.1)"
    expect_doc_headers "the npm audit relay over TLS"
    http POST "$tls/-/api/reviews" --cacert "$IT_TMP/cert.pem" --http1.1 -H 'Content-Type: application/json' \
        --data-binary "@$IT_TMP/audit.json"
    expect_status 413 "a 200 kB review request over TLS"
    # HTTP/2 by ALPN: bodies stop at 64 kB
    http POST "$tls/npm/-/npm/v1/security/advisories/bulk" --cacert "$IT_TMP/cert.pem" --http2 \
        -H 'Content-Type: application/json' --data-binary "@$IT_TMP/audit.json"
    [[ $HTTP_STATUS != 200 ]] || fail "a 200 kB body over HTTP/2 (TLS) was accepted"
}

# stall.py PORT COUNT READYFILE RELEASEFILE HEADFILE...: COUNT connections
# (round-robin over the heads), each sending its head and then BODY bytes
# of its body (never the whole of it) and holding on; READYFILE gets a
# JSON summary once every connection sent what it could or was refused;
# the connections close when RELEASEFILE appears (or after 60 s).
cat >"$IT_TMP/stall.py" <<'PY'
import json, os, socket, sys, threading, time
port, count, ready, release = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
body_bytes = int(os.environ.get("STALL_BODY", "4000000"))
heads = [open(f, "rb").read().replace(b"\n", b"\r\n") for f in sys.argv[5:]]
socks, results, lock = [], [], threading.Lock()
def one(i):
    s = socket.socket()
    s.settimeout(30)
    r = {"sent": 0, "answer": "", "error": ""}
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(heads[i % len(heads)])
        chunk = b"z" * 65536
        while r["sent"] < body_bytes:
            n = min(len(chunk), body_bytes - r["sent"])
            s.sendall(chunk[:n])
            r["sent"] += n
    except OSError as e:
        r["error"] = e.__class__.__name__
    try:
        s.setblocking(False)
        r["answer"] = s.recv(200).decode("latin-1").split("\r\n")[0]
    except OSError:
        pass
    with lock:
        socks.append(s)
        results.append(r)
threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
for t in threads:
    t.start()
for t in threads:
    t.join()
summary = {"connections": count, "fully_sent": sum(1 for r in results if r["sent"] >= body_bytes),
           "bytes_sent": sum(r["sent"] for r in results),
           "answers": sorted(set(r["answer"] for r in results if r["answer"])),
           "errors": sorted(set(r["error"] for r in results if r["error"]))}
with open(ready + ".tmp", "w") as f:
    json.dump(summary, f)
os.rename(ready + ".tmp", ready)
deadline = time.time() + 60
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.05)
for s in socks:
    s.close()
PY

# stall_start COUNT HEAD...: start stall.py in the background; stall_wait
# waits for its summary (in $STALL_SUMMARY); stall_release ends it.
stall_start() {
    local count=$1 i=0 f
    shift
    STALL_N=$((${STALL_N:-0} + 1))
    local files=()
    for f in "$@"; do
        i=$((i + 1))
        printf '%s' "$f" >"$IT_TMP/stall.$STALL_N.$i.head"
        files+=("$IT_TMP/stall.$STALL_N.$i.head")
    done
    STALL_READY=$IT_TMP/stall.$BASHPID.$STALL_N.ready
    STALL_RELEASE=$IT_TMP/stall.$BASHPID.$STALL_N.release
    rm -f "$STALL_READY" "$STALL_RELEASE"
    "$PYTHON" "$IT_TMP/stall.py" "$CPORT" "$count" "$STALL_READY" "$STALL_RELEASE" "${files[@]}" \
        >"$IT_TMP/stall.$STALL_N.out" 2>&1 &
    STALL_PID=$!
    IT_BG_PIDS+=("$STALL_PID")
}
stall_wait() {
    local i
    for ((i = 0; i < 600; i++)); do
        [[ -s $STALL_READY ]] && break
        sleep 0.1
    done
    [[ -s $STALL_READY ]] || fail "the stalled uploads did not get going within 60 s: $(cat "$IT_TMP/stall.$STALL_N.out")"
    STALL_SUMMARY=$(cat "$STALL_READY")
    note "stalled uploads: $STALL_SUMMARY"
}
stall_release() {
    : >"$STALL_RELEASE"
    wait "$STALL_PID" 2>/dev/null
}

t_stalled_uploads_memory() {
    # 60 uploads of 4 MB each (under max_body) to routes that take no body
    # or 64 kB, or need a token they do not have, each stalled before its
    # end: cordon must not hold their bytes (60 x 4 MB = 240 MB if it did)
    local before after grown
    curl -s -o /dev/null --max-time 5 "$CORDON_URL/npm/left-pad"
    before=$(vmrss_kb)
    STALL_BODY=4000000 stall_start 60 \
        $'GET /npm/left-pad HTTP/1.1\nHost: x\nContent-Length: 6000000\n\n' \
        $'POST /-/api/reviews HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 6000000\n\n' \
        $'POST /-/api/approvals HTTP/1.1\nHost: x\nAuthorization: Bearer '"$T_REV"$'\nContent-Type: application/json\nContent-Length: 6000000\n\n' \
        $'PUT /npm/stalled-publish HTTP/1.1\nHost: x\nContent-Length: 6000000\n\n' \
        $'POST /-/api/lockfiles/stalled HTTP/1.1\nHost: x\nContent-Length: 6000000\n\n' \
        $'GET /-/health HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n'
    stall_wait
    after=$(vmrss_kb)
    grown=$(( (after - before) / 1024 ))
    note "cordon's RSS: $((before / 1024)) MB before, $((after / 1024)) MB with 60 stalled 4 MB uploads (+$grown MB)"
    stall_release
    check_json "$STALL_READY" 'want(d["fully_sent"] == 0, "%d uploads were read to their end by cordon" % d["fully_sent"])'
    (( grown < 40 )) || fail "60 stalled uploads grew cordon's RSS by $grown MB (their bytes are buffered)"
    http GET "$CORDON_URL/-/health"
    expect_status 200 "health after the stalled uploads"
}

t_large_bodies_at_once() {
    # MAX_LARGE npm audit uploads above 64 kB, stalled; the next one is
    # turned away (503, from the head) until they end
    local i ok=0 busy
    for ((i = 0; i < 3 && ok == 0; i++)); do
        STALL_BODY=100000 stall_start "$MAX_LARGE" \
            $'POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 1000000\n\n'
        stall_wait
        raw 'want(d["status"] is not None, "no answer: %r" % d)' \
            $'POST /npm/-/npm/v1/security/advisories/bulk HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 1000000\n\n' --wait 20
        busy=$(json_eval "$IT_TMP/raw.$RAW_N.out" 'd["status"]')
        if [[ $busy == 503 ]]; then
            WANT=503 REASON=busy check_json "$IT_TMP/raw.$RAW_N.out" "$REFUSED_UNREAD" "the large body past max_large_bodies"
            ok=1
        else
            # h2o closes an upload that is not complete after 10 s: on a
            # machine that slow the stalled ones may be gone already; again
            note "the $((MAX_LARGE + 1))th large body got $busy (the stalled ones timed out?); again"
        fi
        stall_release
    done
    (( ok )) || fail "the $((MAX_LARGE + 1))th large body was never refused as busy"
    (( $(metric 'cordon_request_bodies_refused_total{why="busy"}') >= 1 )) || fail "no busy refusal in /-/metrics"
    # once they are gone, large bodies are taken again
    local deadline=$(( $(date +%s) + 15 ))
    while :; do
        http POST "$CORDON_URL/npm/-/npm/v1/security/advisories/bulk" -H 'Content-Type: application/json' --data-binary "@$IT_TMP/audit.json"
        [[ $HTTP_STATUS == 200 ]] && break
        (( $(date +%s) < deadline )) || fail "large bodies still refused after the stalled ones closed: HTTP $HTTP_STATUS $(body)"
        sleep 0.2
    done
}

# hold_start COUNT PKG: COUNT connections that each wait for PKG (one of the
# slow-pkg-N, which the fixture answers after 8 s; cordon asks upstream once
# for all of them, and then has it cached: each attempt takes another)
hold_start() {
    cat >"$IT_TMP/hold.py" <<'PY'
import os, socket, sys, time
port, count, ready, release, pkg = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
socks = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(b"GET /npm/%s HTTP/1.1\r\nHost: x\r\n\r\n" % pkg.encode())
    socks.append(s)
open(ready, "w").close()
deadline = time.time() + 60
while not os.path.exists(release) and time.time() < deadline:
    time.sleep(0.05)
answered = 0
for s in socks:
    try:
        s.settimeout(0.01)
        if s.recv(20):
            answered += 1
    except OSError:
        pass
    s.close()
print(answered)
PY
    HOLD_READY=$IT_TMP/hold.ready.$1
    HOLD_RELEASE=$IT_TMP/hold.release.$1
    rm -f "$HOLD_READY" "$HOLD_RELEASE"
    "$PYTHON" "$IT_TMP/hold.py" "$CPORT" "$1" "$HOLD_READY" "$HOLD_RELEASE" "$2" >"$IT_TMP/hold.out" 2>&1 &
    HOLD_PID=$!
    IT_BG_PIDS+=("$HOLD_PID")
    local i
    for ((i = 0; i < 300; i++)); do
        [[ -e $HOLD_READY ]] && return 0
        kill -0 "$HOLD_PID" 2>/dev/null || break
        sleep 0.1
    done
    fail "could not open $1 connections: $(cat "$IT_TMP/hold.out")"
}
hold_release() {
    : >"$HOLD_RELEASE"
    wait "$HOLD_PID" 2>/dev/null
    HOLD_ANSWERED=$(cat "$IT_TMP/hold.out")
}

t_connection_cap() {
    local i ok=0 s
    for ((i = 0; i < 3 && ok == 0; i++)); do
        hold_start "$MAX_CONNS" "slow-pkg-$((i + 1))"
        # the cap is reached: the next connection is answered 503 (or closed) at once
        raw 'want(True, "")' $'GET /-/health HTTP/1.1\nHost: x\n\n' --wait 15
        s=$(json_eval "$IT_TMP/raw.$RAW_N.out" '"%s %s %s" % (d["status"], d["closed"], d["error"])')
        hold_release
        note "connection $((MAX_CONNS + 1)): $s; held connections answered before the release: $HOLD_ANSWERED"
        if [[ $s == "503 "* ]]; then
            check_json "$IT_TMP/raw.$RAW_N.out" 'want(d["headers"].get("x-content-type-options") == ["nosniff"], "nosniff"); want("close" in ",".join(d["headers"].get("connection", [])).lower(), "Connection: close")' "the 503 past max_connections"
            ok=1
        elif [[ $s == "None "* ]]; then
            ok=1 # closed or reset without an answer: also a refusal
        elif [[ $HOLD_ANSWERED == 0 ]]; then
            fail "connection $((MAX_CONNS + 1)) was served while $MAX_CONNS others were open: $s"
        fi
        # else: the held requests had been answered already (a slow machine); again
    done
    (( ok )) || fail "the connection past the cap was never refused"
    # it recovers: once the held connections are gone, new ones are served
    local deadline=$(( $(date +%s) + 30 ))
    while :; do
        http GET "$CORDON_URL/-/health"
        [[ $HTTP_STATUS == 200 ]] && break
        (( $(date +%s) < deadline )) || fail "cordon did not take connections again: HTTP $HTTP_STATUS"
        sleep 0.2
    done
    (( $(metric cordon_connections_refused_total) >= 1 )) || fail "cordon_connections_refused_total not counted"
    local m
    m=$(curl -s --max-time 5 "$CORDON_URL/-/metrics")
    [[ $m == *$'\ncordon_connections_open '* ]] || fail "no cordon_connections_open gauge"
}

# ------------------------------------------------------------------ item 9: review requests

REVIEW_BODY='{"ecosystem": "npm", "package": "left-pad", "version": "1.4.0", "justification": "needed for the http hardening test"}'

review_count() {
    http GET "$API/reviews" -H "Authorization: Bearer $T_REV"
    expect_status 200 "GET reviews"
    json_eval "$HTTP_BODY" 'len(d["reviews"])'
}

t_reviews_json_only() {
    local n0 ct
    n0=$(review_count)
    # what a web page can send from a visitor's browser without a preflight
    for ct in 'text/plain' 'application/x-www-form-urlencoded' 'multipart/form-data; boundary=x' 'text/plain; charset=utf-8' 'application/jsonp' ''; do
        if [[ -n $ct ]]; then
            http POST "$API/reviews" --interface 127.0.0.11 -H "Content-Type: $ct" --data-binary "$REVIEW_BODY"
        else
            http POST "$API/reviews" --interface 127.0.0.11 -H 'Content-Type:' --data-binary "$REVIEW_BODY"
        fi
        expect_status 415 "a review request sent as '$ct'"
        check_json "$HTTP_BODY" 'want(d.get("reason") == "unsupported_media_type", "reason %r" % d.get("reason")); want("application/json" in d.get("error", ""), "error %r" % d.get("error"))'
    done
    assert_eq "$n0" "$(review_count)" "reviews stored after the refused posts"
    http POST "$API/reviews" --interface 127.0.0.11 -H 'Content-Type: Application/JSON; charset=utf-8' --data-binary "$REVIEW_BODY"
    expect_status 201 "a review request as application/json"
    assert_eq "$((n0 + 1))" "$(review_count)" "reviews stored after the JSON post"
}

t_review_rate_limit_collision() {
    # two addresses that share a slot of a 4096-entry FNV-1a table: the
    # second must not reset the first one's count
    local pair a b i
    pair=$("$PYTHON" -c '
def fnv(s):
    h = 2166136261
    for c in s.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h
a = "127.0.0.21"
for x in range(1, 255):
    for y in range(1, 255):
        b = "127.0.%d.%d" % (x, y)
        if b != a and fnv(b) % 4096 == fnv(a) % 4096:
            print(a, b)
            raise SystemExit
')
    read -r a b <<<"$pair"
    [[ -n $b ]] || fail "no colliding address found"
    note "colliding addresses: $a $b"
    for ((i = 1; i <= 3; i++)); do
        http POST "$API/reviews" --interface "$a" -H 'Content-Type: application/json' --data-binary "$REVIEW_BODY"
        expect_status 201 "review request $i from $a"
    done
    http POST "$API/reviews" --interface "$a" -H 'Content-Type: application/json' --data-binary "$REVIEW_BODY"
    expect_status 429 "the 4th from $a"
    http POST "$API/reviews" --interface "$b" -H 'Content-Type: application/json' --data-binary "$REVIEW_BODY"
    expect_status 201 "the first from $b"
    http POST "$API/reviews" --interface "$a" -H 'Content-Type: application/json' --data-binary "$REVIEW_BODY"
    expect_status 429 "$a after $b posted (its count must not have been reset)"
    [[ -n $(header retry-after) ]] || fail "no Retry-After on the 429"
}

run_test "headers: npm packument, abbreviated, 304, tarball (attachment), HEAD, h2c, ping" t_headers_npm
run_test "headers: PyPI project list (upstream HTML), pages HTML+JSON, wheel, sdist, core metadata, 301" t_headers_pypi
run_test "headers: maven-metadata.xml, a POM with an XHTML script, jar (attachment), checksums" t_headers_maven
run_test "headers: denials, errors (h2o's own too), health, metrics, admin API; the admin page keeps its CSP" t_headers_cordon_own
run_test "bodies: a route that takes none answers from the head (413; a publish 405, recorded), before the body" t_no_body_routes_refused_unread
run_test "bodies: review route and admin API take 64 kB (413 from the head, 411 chunked); smaller ones are read" t_small_routes
run_test "bodies: lockfiles (with a token) and npm audit take max_body; no token 401 unread; over 413; h2 64 kB" t_large_routes
run_test "bodies: over TLS too (HTTP/1.1 judged from the head; HTTP/2 64 kB)" t_tls_bodies
run_test "bodies: a refusal reaches a client that reads only after sending its body (no reset)" t_refusal_reaches_a_late_reader
run_test "bodies: keep-alive after a body; pipelined requests judged from their heads, large ones read" t_keepalive_and_pipelining
run_test "bodies: 60 stalled 4 MB uploads do not grow cordon's RSS" t_stalled_uploads_memory
run_test "bodies: at most limits.max_large_bodies large bodies at once (503 busy beyond), then again" t_large_bodies_at_once
run_test "connections: limits.max_connections refuses the next one at accept, counts it, recovers" t_connection_cap
run_test "reviews: only JSON posts (415 for what a web page can send); nothing stored" t_reviews_json_only
run_test "reviews: the per-address limit survives another address in the same hash slot" t_review_rate_limit_collision
finish
