#!/usr/bin/env python3
"""bench/census_report.py — the census table (bench/census.sh).

    census_report.py --url URL --token-file F --title T [--lockfile package-lock.json ...]
                     [--list FILE] [--held] [--markdown OUT] [--json OUT]

Reads what was installed (npm package-lock.json files, or a list of
"ecosystem<TAB>package<TAB>version" lines), asks cordon's admin API for the
verdict of every distinct version (GET /-/api/versions/E/P/V), and prints:
versions analysed, findings per kind, holds per reason with the package
names, warnings per kind with the package names, and apart from the holds
the refusals a configured policy makes on purpose (Maven SNAPSHOTs: Debian
relabels some of its artifacts as such). With --held it also lists
the held queue (versions a client was refused: an install that failed on a
hold leaves no lockfile entry for it). Exit status: 0 when nothing is held,
1 when something is, 2 when the API could not be read.
"""

import argparse
import collections
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def lockfile_versions(path):
    """(name, version) of every installed package of an npm lockfile v2/v3."""
    with open(path, encoding="utf-8") as f:
        lock = json.load(f)
    out = set()
    for key, p in (lock.get("packages") or {}).items():
        if not key or p.get("link") or "version" not in p:
            continue
        name = p.get("name") or key.rsplit("node_modules/", 1)[-1]
        out.add(("npm", name, p["version"]))
    return out


def api(base, token, path):
    req = urllib.request.Request(base.rstrip("/") + "/-/api/" + path,
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def verdict(base, token, eco, name, version):
    q = lambda s: urllib.parse.quote(s, safe="")
    return api(base, token, "versions/%s/%s/%s" % (q(eco), q(name), q(version)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token-file", required=True)
    ap.add_argument("--title", required=True)
    ap.add_argument("--lockfile", action="append", default=[])
    ap.add_argument("--list")
    ap.add_argument("--held", action="store_true")
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    a = ap.parse_args()
    with open(a.token_file) as f:
        token = f.read().strip()

    versions = set()
    for lf in a.lockfile:
        versions |= lockfile_versions(lf)
    if a.list:
        with open(a.list, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3 and all(parts):
                    versions.add(tuple(parts))

    findings = collections.Counter()             # kind -> versions with it
    holds = collections.defaultdict(set)         # reason -> "pkg@ver"
    warns = collections.defaultdict(set)         # kind -> package names
    policy = collections.defaultdict(set)        # refusals a configured policy decides, not analysis
    errors = []
    for eco, name, version in sorted(versions):
        try:
            d = verdict(a.url, token, eco, name, version)
        except (urllib.error.URLError, OSError, ValueError) as e:
            errors.append("%s %s@%s: %s" % (eco, name, version, e))
            continue
        for f in d.get("findings") or []:
            findings[f["kind"]] += 1
            if f.get("action") == "warn":
                warns[f["kind"]].add(name)
        if not d.get("allowed"):
            reason = d.get("reason") or "?"
            if reason == "blocked" and "SNAPSHOT" in (d.get("policy") or ""):
                policy[reason + " (" + (d.get("policy") or "") + ")"].add("%s@%s" % (name, version))
            else:
                holds[reason].add("%s@%s" % (name, version))

    refused = []
    if a.held:
        try:
            for e in api(a.url, token, "held").get("held", []):
                refused.append("%s %s@%s (%s)" % (e.get("ecosystem"), e.get("package"), e.get("version"),
                                                  e.get("reason")))
                if not any("%s@%s" % (e.get("package"), e.get("version")) in s for s in holds.values()):
                    holds[e.get("reason") or "?"].add("%s@%s" % (e.get("package"), e.get("version")))
        except (urllib.error.URLError, OSError, ValueError) as e:
            errors.append("held queue: %s" % e)

    nholds = sum(len(s) for s in holds.values())
    lines = ["### %s" % a.title, "",
             "| what | count | packages |", "|---|---|---|",
             "| versions analysed (distinct, installed through cordon) | %d | |" % len(versions)]
    for kind, n in sorted(findings.items()):
        lines.append("| findings: %s | %d | |" % (kind, n))
    lines.append("| **holds** | **%d** | |" % nholds)
    for reason, s in sorted(holds.items()):
        lines.append("| hold: %s | %d | %s |" % (reason, len(s), ", ".join(sorted(s))))
    for what, s in sorted(policy.items()):
        lines.append("| refused by policy (not counted as holds): %s | %d | %s |" % (what, len(s), ", ".join(sorted(s))))
    for kind, s in sorted(warns.items()):
        lines.append("| warn: %s | %d packages | %s |" % (kind, len(s), ", ".join(sorted(s))))
    if errors:
        lines.append("")
        lines.append("API errors (%d): %s" % (len(errors), "; ".join(errors[:5])))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"versions": len(versions), "findings": findings, "holds": {k: sorted(v) for k, v in holds.items()},
                       "warns": {k: sorted(v) for k, v in warns.items()},
                       "policy": {k: sorted(v) for k, v in policy.items()}, "errors": errors}, f, indent=1)
    if errors and not versions:
        return 2
    return 1 if nholds or errors else 0


if __name__ == "__main__":
    sys.exit(main())
