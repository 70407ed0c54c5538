#!/usr/bin/env python3
"""bench/gen_osv.py DIR N [PACKAGE...]: an OSV folder in the OSSF
malicious-packages layout (DIR/osv/malicious/<ecosystem>/<name>/MAL-*.json),
N records spread over npm, PyPI and Maven, shaped like the repository's
(summary, details, a "0" range and two named versions). Each PACKAGE given
as ECOSYSTEM:NAME (npm:small-pkg, PyPI:big-py) gets one more record naming a
version it does not have (0.0.0-bench), so the feed knows the packages a
benchmark asks for and every decision of them evaluates a record, yet
refuses nothing the benchmark fetches."""
import json
import os
import sys

FOLDERS = {"npm": "npm", "PyPI": "pypi", "Maven": "maven"}


def write(base, osv_eco, name, rec_id, affected):
    d = os.path.join(base, "osv", "malicious", FOLDERS[osv_eco], name)
    os.makedirs(d, exist_ok=True)
    rec = {"id": rec_id, "summary": "Malicious code in %s (%s)" % (name, osv_eco),
           "modified": "2024-06-01T00:00:00Z", "published": "2024-06-01T00:00:00Z",
           "details": "\n---\n_-= Per source details. Do not edit below this line.=-_\n",
           "affected": [dict({"package": {"ecosystem": osv_eco, "name": name}}, **affected)]}
    with open(os.path.join(d, rec_id + ".json"), "w") as f:
        json.dump(rec, f, indent=2)


def main():
    base, n, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    ecos = [("npm", "pkg-%05d"), ("PyPI", "py-pkg-%05d"), ("Maven", "org.bench:art-%05d")]
    for i in range(n):
        osv_eco, fmt = ecos[i % 3]
        write(base, osv_eco, fmt % i, "MAL-2024-%05d" % i,
              {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}], "versions": ["1.0.0", "1.0.1"]})
    for k, spec in enumerate(extra):
        osv_eco, name = spec.split(":", 1)
        write(base, osv_eco, name, "MAL-2099-%05d" % k, {"versions": ["0.0.0-bench"]})


if __name__ == "__main__":
    main()
