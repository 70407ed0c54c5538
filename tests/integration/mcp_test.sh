#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2317  # test functions are called through run_test
# Integration tests: the MCP endpoint /-/mcp (DESIGN.md's /-/mcp row,
# docs/agents.md) in front of the fixture upstream (tests/fixtures/upstream.py
# with tests/fixtures/mcp_spec.json).
#
#   CORDON_BIN=build/cordon bash tests/integration/mcp_test.sh
#
# The agent's side is the official MCP TypeScript SDK (pinned, installed by
# scripts/test-tools.sh): its Client over StreamableHTTPClientTransport
# initializes, lists the tools and calls every one (tests/mcp/mcp_client.mjs);
# the SDK checks each structured result against the tool's outputSchema.
# The MCP Inspector's CLI (pinned too) lists the tools and calls one.
# The transport's rules (Origin, media types, sessions, JSON-RPC errors,
# bounded bodies) are driven with curl, message by message.

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v curl >/dev/null || setup_skip "curl not found"
command -v node >/dev/null || setup_skip "node not found"
TOOLS=${CORDON_TOOLS:-$IT_ROOT/build/tools}
[[ -f $TOOLS/node_modules/@modelcontextprotocol/sdk/package.json ]] ||
    setup_skip "the MCP SDK is not in $TOOLS (run scripts/test-tools.sh)"

it_setup
start_fixture "$IT_ROOT/tests/fixtures/mcp_spec.json"
CORDON_QUARANTINE_YAML="{ min_age: 7d }"
CORDON_EXTRA_YAML='limits: { review_requests_per_hour: 3 }
review: { contact: "#appsec-chat" }'
start_cordon "$UPSTREAM_URL" "$FIXTURE_URL/pypi" "$FIXTURE_URL/maven2"
T_AUD=$(timeout 15 "$CORDON_BIN" token add audrey --role auditor --data-dir "$IT_TMP/data" 2>"$IT_TMP/token.err" | head -n 1 | tr -d '\r\n')
[[ $T_AUD == cordon_* ]] || setup_failed "cordon token add failed: $(cat "$IT_TMP/token.err")"
MCP=$CORDON_URL/-/mcp

# mcp BODY [curl args...]: one POST of a JSON-RPC message as an agent sends it
mcp() {
    local body=$1
    shift
    http POST "$MCP" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        --data-binary "$body" "$@"
}

# a session made by initialize, in SID
new_session() {
    mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl-agent","version":"1"}}}'
    expect_status 200 "initialize"
    SID=$(header mcp-session-id)
    [[ $SID =~ ^[0-9a-f]{32}$ ]] || fail "initialize answered no session id: '$SID'"
}

# rpc_error CODE: the last answer is a JSON-RPC error with that code
rpc_error() {
    check_json "$HTTP_BODY" "
want(d.get('jsonrpc') == '2.0', 'jsonrpc')
want(d.get('error', {}).get('code') == $1, 'error code %r, wanted $1' % (d.get('error'),))
want(isinstance(d.get('error', {}).get('message'), str) and d['error']['message'], 'a message')
want('result' not in d, 'no result')" "${2:-the JSON-RPC error}"
}

# ------------------------------------------------------------------ cases

t_sdk_client_calls_every_tool() {
    # a refusal an agent met: its request_id is what explain_denial takes
    http GET "${NPM_REGISTRY}agent-pkg/-/agent-pkg-1.1.0.tgz"
    expect_status 403 "the held tarball"
    local rid
    rid=$(json_eval "$HTTP_BODY" 'd["request_id"]') || fail "no request_id in the denial: $(body)"
    [[ -n $rid ]] || fail "empty request_id in the denial"
    cat >"$IT_TMP/package-lock.json" <<EOF
{"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
 "packages": {"": {"name": "app", "version": "1.0.0", "dependencies": {"agent-pkg": "^1.0.0"}},
  "node_modules/agent-pkg": {"version": "1.1.0", "resolved": "${NPM_REGISTRY}agent-pkg/-/agent-pkg-1.1.0.tgz"}}}
EOF
    RID=$rid LOCK=$IT_TMP/package-lock.json "$PYTHON" - >"$IT_TMP/calls.json" <<'PY'
import json, os
lock = open(os.environ["LOCK"]).read()
print(json.dumps([
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "version": "1.0.0"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "version": "1.1.0"}},
    {"name": "check_package", "arguments": {"ecosystem": "pypi", "package": "Agent_Py", "version": "1.1"}},
    {"name": "check_package", "arguments": {"ecosystem": "maven", "package": "org.cordon.agent:agent-jar", "version": "1.1"}},
    {"name": "check_package", "arguments": {"ecosystem": "cargo", "package": "x", "version": "1"}},
    {"name": "check_lockfile", "arguments": {"content": lock}},
    {"name": "explain_denial", "arguments": {"request_id": os.environ["RID"]}},
    {"name": "explain_denial", "arguments": {"request_id": "no-such-request"}},
    {"name": "request_review", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "version": "1.1.0",
                                             "justification": "needs the fix in 1.1.0 for the build"}},
    {"name": "request_review", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "version": "1.1.0"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "range": "^1.0.0"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "range": "latest"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "range": ">=1.1.0"}},
    {"name": "check_package", "arguments": {"ecosystem": "pypi", "package": "agent-py", "range": ">=1.0,<2"}},
    {"name": "check_package", "arguments": {"ecosystem": "maven", "package": "org.cordon.agent:agent-jar", "range": "[1.0,2.0)"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "range": "^9"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg"}},
    {"name": "check_package", "arguments": {"ecosystem": "npm", "package": "agent-pkg", "range": "^1", "version": "1.0.0"}},
]))
PY
    timeout 120 node "$IT_ROOT/tests/mcp/mcp_client.mjs" "$TOOLS" "$MCP" "$IT_TMP/calls.json" "$IT_TMP/mcp-out.json" \
        >"$IT_TMP/mcp-client.log" 2>&1 || fail "the SDK client failed: $(tail -n 30 "$IT_TMP/mcp-client.log")"
    RID=$rid check_json "$IT_TMP/mcp-out.json" "
want(d['server']['name'] == 'cordon', 'serverInfo.name')
want(d['protocol'] in ('2025-11-25', '2025-06-18'), 'negotiated revision %r' % d['protocol'])
want(re.fullmatch(r'[0-9a-f]{32}', d['session'] or ''), 'session id %r' % d['session'])
want('check_package' in (d['instructions'] or ''), 'instructions name the tools')
want(d['ping'] == {}, 'ping')
names = [t['name'] for t in d['tools']]
want(names == ['check_package', 'check_lockfile', 'explain_denial', 'request_review'], 'tools %r' % names)
for t in d['tools']:
    want(t['inputSchema'].get('type') == 'object' and t['outputSchema'].get('type') == 'object', t['name'] + ' schemas')
    want(t['description'], t['name'] + ' description')
eco = d['tools'][0]['inputSchema']['properties']['ecosystem']['enum']
want(eco == ['npm', 'pypi', 'maven'], 'the ecosystems offered: %r' % eco)
c = d['calls']
for i, r in enumerate(c):
    want('thrown' not in r, 'call %d threw: %r' % (i, r.get('thrown')))
def sc(i): return c[i].get('structuredContent') or {}
def text(i): return ''.join(x.get('text', '') for x in c[i].get('content', []))
want(c[0]['isError'] is False and sc(0).get('status') == 'allowed' and sc(0).get('allow') is True, 'allowed: %r' % c[0])
want(text(0).startswith('allowed'), 'allowed text %r' % text(0))
s = sc(1)
want(s.get('status') == 'held' and s.get('allow') is False, 'held: %r' % s)
want(s.get('alternative') == '1.0.0', 'alternative %r' % s.get('alternative'))
want(iso(s.get('eligible_at')), 'eligible_at %r' % s.get('eligible_at'))
want(s.get('reason') and s.get('error') and s.get('next') and s.get('review_url'), 'reason, error, next, review_url')
want('1.0.0' in text(1) and text(1).startswith('held'), 'held text %r' % text(1))
want(sc(2).get('status') == 'held' and sc(2).get('package') == 'agent-py', 'pypi, canonical name: %r' % sc(2))
want(sc(3).get('status') == 'held' and sc(3).get('package') == 'org.cordon.agent:agent-jar', 'maven: %r' % sc(3))
want(c[4]['isError'] is True and 'must be one of' in text(4) and 'structuredContent' not in c[4], 'bad ecosystem: %r' % c[4])
l = sc(5)
want(l.get('ok') is False and l.get('submission') is None and l.get('accepted') is False, 'lockfile verdict %r' % {k: l.get(k) for k in ('ok', 'submission', 'accepted')})
want(l.get('summary', {}).get('held') == 1, 'one held entry: %r' % l.get('summary'))
want(any(ch.get('package') == 'agent-pkg' and ch.get('version') == '1.1.0' and ch.get('verdict', {}).get('status') == 'held' for ch in l.get('changes', [])), 'the held entry listed')
want(text(5).startswith('not ok') and 'agent-pkg@1.1.0' in text(5), 'lockfile text %r' % text(5))
e = sc(6)
want(e.get('found') is True and e['decision'].get('request_id') == env['RID'], 'explained: %r' % e)
want(e.get('decision', {}).get('decision') == 'deny' and e['decision'].get('version') == '1.1.0', 'the denial recorded')
want((e.get('now') or {}).get('status') == 'held' and e['now'].get('alternative') == '1.0.0', 'and now: %r' % e.get('now'))
want('deny' in text(6) and 'Now:' in text(6), 'explain text %r' % text(6))
want(sc(7).get('found') is False and c[7]['isError'] is False, 'unknown request id: %r' % c[7])
r = sc(8)
want(isinstance(r.get('id'), int) and r.get('status') == 'open', 'review request %r' % r)
want('review request' in text(8), 'review text %r' % text(8))
want(c[9]['isError'] is True and 'justification' in text(9), 'no justification: %r' % c[9])
# ranges: the version the client gets, and the newer held ones
r = sc(10)
want(r.get('status') == 'allowed' and r.get('version') == '1.0.0' and r.get('range') == '^1.0.0', 'npm range: %r' % r)
want([h['version'] for h in r.get('held_newer', [])] == ['1.1.0'] and r['held_newer'][0]['reason'] == 'quarantine', 'held newer: %r' % r.get('held_newer'))
want((r.get('resolved') or {}).get('allow') is True and r.get('satisfying') == 2, 'resolved verdict, 2 inside: %r' % r)
want('serves 1.0.0' in text(10) and '1.1.0' in text(10), 'range text %r' % text(10))
want(sc(11).get('version') == '1.0.0', 'the latest tag as cordon serves it: %r' % sc(11))
r = sc(12)
want(r.get('status') == 'held' and r.get('allow') is False and r.get('version') is None, 'nothing served inside >=1.1.0: %r' % r)
want([h['version'] for h in r.get('held_newer', [])] == ['1.1.0'] and 'install agent-pkg@1.0.0 instead' in r.get('next', ''), 'what to do: %r' % r.get('next'))
want(sc(13).get('version') == '1.0' and [h['version'] for h in sc(13).get('held_newer', [])] == ['1.1'], 'pypi range: %r' % sc(13))
want(sc(14).get('version') == '1.0' and [h['version'] for h in sc(14).get('held_newer', [])] == ['1.1'], 'maven range: %r' % sc(14))
want(c[15]['isError'] is True and 'no version' in text(15), 'a range nothing satisfies: %r' % c[15])
want(c[16]['isError'] is True and 'range' in text(16), 'neither version nor range: %r' % c[16])
want(c[17]['isError'] is True and 'not both' in text(17), 'both: %r' % c[17])
" "the SDK client's results"
    # the request is filed, and nothing was stored by the lockfile dry run
    http GET "$CORDON_URL/-/api/reviews" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "the review requests"
    check_json "$HTTP_BODY" "
want(any(r['package'] == 'agent-pkg' and r['version'] == '1.1.0' and r['user_agent'] for r in d['reviews']), 'filed through MCP: %r' % d['reviews'])"
    http GET "$CORDON_URL/-/api/lockfiles" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "the lockfile projects"
    check_json "$HTTP_BODY" "want(d['projects'] == [], 'check_lockfile stored nothing: %r' % d['projects'])"
    # every call is in the decision log, with its session: agents' traffic is told apart
    local sid
    sid=$(json_eval "$IT_TMP/mcp-out.json" 'd["session"]')
    http GET "$CORDON_URL/-/api/decisions?decision=check&limit=100" -H "Authorization: Bearer $T_AUD"
    expect_status 200 "the decisions"
    SID=$sid check_json "$HTTP_BODY" "
mine = [r for r in d['decisions'] if env['SID'] in r.get('detail', '')]
want(len(mine) == 18, '18 tool calls recorded, %d are' % len(mine))
rules = sorted(set(r['rule'] for r in mine))
want(rules == ['mcp check_lockfile', 'mcp check_package', 'mcp explain_denial', 'mcp request_review'], 'rules %r' % rules)
want(any(r['rule'] == 'mcp check_package' and r['version'] == '1.1.0' and r['reason'] for r in mine), 'the held check names its reason')
want(all(r['client'] and r['user_agent'] for r in mine), 'client and user agent')
want(any('(tool error)' in r['detail'] for r in mine), 'tool errors marked')"
    http GET "$CORDON_URL/-/metrics"
    assert_contains "$(body)" 'cordon_decisions_total{decision="check"' "agents' checks in the metrics"
}

t_inspector_cli_lists_and_calls() {
    local cli=$TOOLS/inspector/node_modules/.bin/mcp-inspector-cli out
    if [[ ! -x $cli ]]; then
        client_missing "the MCP Inspector CLI" "not in $TOOLS/inspector (run scripts/test-tools.sh)"
        return 0
    fi
    out=$(timeout 120 "$cli" --cli "$MCP" --transport http --method tools/list 2>&1) || fail "inspector tools/list: $out"
    printf '%s' "$out" >"$IT_TMP/inspector-list.json"
    check_json "$IT_TMP/inspector-list.json" "
want([t['name'] for t in d['tools']] == ['check_package', 'check_lockfile', 'explain_denial', 'request_review'], 'tools: %r' % [t['name'] for t in d['tools']])" "the Inspector's tools/list"
    out=$(timeout 120 "$cli" --cli "$MCP" --transport http --method tools/call --tool-name check_package \
        --tool-arg ecosystem=npm --tool-arg package=agent-pkg --tool-arg version=1.1.0 2>&1) || fail "inspector tools/call: $out"
    printf '%s' "$out" >"$IT_TMP/inspector-call.json"
    check_json "$IT_TMP/inspector-call.json" "
s = d.get('structuredContent') or {}
want(s.get('status') == 'held' and s.get('alternative') == '1.0.0' and d.get('isError') is False, 'the verdict: %r' % d)" "the Inspector's tools/call"
}

t_transport_rules() {
    http GET "$MCP" -H 'Accept: text/event-stream'
    expect_status 405 "GET: no server-initiated stream"
    assert_contains "$(header allow)" "POST" "Allow"
    new_session
    check_json "$HTTP_BODY" "
want(d['result']['protocolVersion'] == '2025-06-18', 'the revision asked for is kept')
want(d['result']['capabilities'] == {'tools': {'listChanged': False}}, 'capabilities')"
    mcp '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01","capabilities":{},"clientInfo":{"name":"old","version":"1"}}}'
    json_eval "$HTTP_BODY" 'd["result"]["protocolVersion"]' | grep -qx '2025-11-25' || fail "an unknown revision is answered with cordon's newest: $(body)"
    # DNS rebinding: a page of another origin is refused, cordon's own is not
    mcp '{"jsonrpc":"2.0","id":2,"method":"ping"}' -H "Mcp-Session-Id: $SID" -H 'Origin: http://evil.example'
    expect_status 403 "a foreign Origin"
    mcp '{"jsonrpc":"2.0","id":2,"method":"ping"}' -H "Mcp-Session-Id: $SID" -H "Origin: $CORDON_URL"
    expect_status 200 "cordon's own Origin"
    # media types
    http POST "$MCP" -H 'Content-Type: text/plain' --data-binary '{"jsonrpc":"2.0","id":1,"method":"ping"}' -H "Mcp-Session-Id: $SID"
    expect_status 415 "text/plain"
    http POST "$MCP" -H 'Content-Type: application/json' -H 'Accept: text/html' -H "Mcp-Session-Id: $SID" \
        --data-binary '{"jsonrpc":"2.0","id":1,"method":"ping"}'
    expect_status 406 "Accept without JSON"
    # JSON-RPC errors
    mcp '{"jsonrpc":"2.0","id":3,"method":"ping"' -H "Mcp-Session-Id: $SID"
    expect_status 400 "malformed JSON"
    rpc_error -32700
    mcp '[{"jsonrpc":"2.0","id":3,"method":"ping"}]' -H "Mcp-Session-Id: $SID"
    expect_status 400 "a batch"
    rpc_error -32600
    mcp '{"jsonrpc":"1.0","id":3,"method":"ping"}' -H "Mcp-Session-Id: $SID"
    expect_status 400 "jsonrpc 1.0"
    rpc_error -32600
    mcp '{"jsonrpc":"2.0","id":4,"method":"resources/list"}' -H "Mcp-Session-Id: $SID"
    expect_status 200 "an unknown method"
    rpc_error -32601
    json_eval "$HTTP_BODY" 'd["id"]' | grep -qx 4 || fail "the error carries the request's id: $(body)"
    mcp '{"jsonrpc":"2.0","id":"s-5","method":"tools/call","params":{"name":"approve","arguments":{}}}' -H "Mcp-Session-Id: $SID"
    rpc_error -32602 "an unknown tool"
    json_eval "$HTTP_BODY" 'd["id"]' | grep -qx 's-5' || fail "a string id comes back: $(body)"
    mcp '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"check_package","arguments":"npm"}}' -H "Mcp-Session-Id: $SID"
    rpc_error -32602 "arguments not an object"
    "$PYTHON" -c 'print("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\",\"params\":{\"a\":" + "[" * 100 + "]" * 100 + "}}")' >"$IT_TMP/deep.json"
    mcp "@$IT_TMP/deep.json" -H "Mcp-Session-Id: $SID"
    expect_status 400 "100 levels of nesting"
    rpc_error -32600
    # notifications and the client's responses get 202 and no body
    mcp '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "Mcp-Session-Id: $SID"
    expect_status 202 "a notification"
    [[ ! -s $HTTP_BODY ]] || fail "a notification's answer has a body: $(body)"
    # sessions and revisions
    mcp '{"jsonrpc":"2.0","id":8,"method":"tools/list"}'
    expect_status 400 "no session id"
    mcp '{"jsonrpc":"2.0","id":8,"method":"tools/list"}' -H 'Mcp-Session-Id: 0123456789abcdef0123456789abcdef'
    expect_status 404 "a session cordon never made"
    mcp '{"jsonrpc":"2.0","id":8,"method":"tools/list"}' -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 1999-01-01'
    expect_status 400 "an unknown MCP-Protocol-Version"
    mcp '{"jsonrpc":"2.0","id":8,"method":"tools/list"}' -H "Mcp-Session-Id: $SID" -H 'MCP-Protocol-Version: 2025-06-18'
    expect_status 200 "tools/list"
    http DELETE "$MCP" -H "Mcp-Session-Id: $SID"
    [[ $HTTP_STATUS == 2?? ]] || fail "DELETE ended the session with $HTTP_STATUS"
    mcp '{"jsonrpc":"2.0","id":9,"method":"ping"}' -H "Mcp-Session-Id: $SID"
    expect_status 404 "an ended session"
    # bodies are bounded before they are read
    head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$IT_TMP/huge.json"
    mcp "@$IT_TMP/huge.json"
    expect_status 413 "a 17 MB message"
    # the server still answers
    new_session
}

t_review_requests_share_the_rate_limit() {
    # limits.review_requests_per_hour is 3 for this client, over the API and MCP together
    # (the SDK case may have filed one already: file until refused)
    new_session
    local i refused=0 body
    for i in 1 2 3 4; do
        body='{"jsonrpc":"2.0","id":'$i',"method":"tools/call","params":{"name":"request_review","arguments":{"ecosystem":"pypi","package":"agent-py","version":"1.1","justification":"try '$i'"}}}'
        mcp "$body" -H "Mcp-Session-Id: $SID"
        expect_status 200 "request_review $i"
        if [[ $(json_eval "$HTTP_BODY" 'd["result"]["isError"]') == true ]]; then
            refused=1
            assert_contains "$(json_eval "$HTTP_BODY" 'd["result"]["content"][0]["text"]')" "too many review requests" "the refusal says why"
            break
        fi
    done
    (( refused )) || fail "four review requests in a row were all filed"
    http POST "$CORDON_URL/-/api/reviews" -H 'Content-Type: application/json' \
        --data-binary '{"ecosystem":"pypi","package":"agent-py","version":"1.1","justification":"the API too"}'
    expect_status 429 "the API after MCP used the allowance"
}

t_every_denial_names_its_request() {
    # the 403 of each ecosystem's artifact route carries request_id, and explain_denial finds the decision
    new_session
    local url rid n=0
    for url in "${NPM_REGISTRY}agent-pkg/-/agent-pkg-1.1.0.tgz" "$CORDON_URL/pypi/files/agent-py/agent_py-1.1-py3-none-any.whl" \
        "${MAVEN_REPO}org/cordon/agent/agent-jar/1.1/agent-jar-1.1.jar"; do
        n=$((n + 1))
        http GET "$url"
        expect_status 403 "$url"
        rid=$(json_eval "$HTTP_BODY" 'd["request_id"]') || fail "$url: the denial is not JSON: $(body)"
        [[ -n $rid && $rid == "$(header x-request-id)" ]] || fail "$url: request_id '$rid', X-Request-Id '$(header x-request-id)'"
        mcp '{"jsonrpc":"2.0","id":'$n',"method":"tools/call","params":{"name":"explain_denial","arguments":{"request_id":"'"$rid"'"}}}' \
            -H "Mcp-Session-Id: $SID"
        expect_status 200 "explain_denial for $url"
        RID=$rid check_json "$HTTP_BODY" "
s = d['result']['structuredContent']
want(s['found'] is True and s['decision']['request_id'] == env['RID'], 'found: %r' % s)
want(s['decision']['decision'] == 'deny' and s['decision']['reason'] == 'quarantine', 'the denial: %r' % s['decision'])
want(s['now']['status'] == 'held', 'held now: %r' % s['now'])" "explain_denial for $url"
    done
}

run_test "the official MCP SDK client lists and calls every tool" t_sdk_client_calls_every_tool
run_test "the MCP Inspector's CLI lists the tools and calls check_package" t_inspector_cli_lists_and_calls
run_test "the streamable HTTP transport's rules: Origin, media types, sessions, JSON-RPC errors, bounds" t_transport_rules
run_test "every ecosystem's denial names its request, and explain_denial finds it" t_every_denial_names_its_request
run_test "request_review is rate-limited with POST /-/api/reviews" t_review_requests_share_the_rate_limit
finish
