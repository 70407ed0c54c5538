#!/usr/bin/env python3
"""Generate the benchmark's upstream files (stdlib only, deterministic).

usage: gen.py OUT_DIR TARBALL_BASE_URL PYPI_DIR PYPI_FILES_URL

Writes
  OUT_DIR/small-pkg                    ~5 versions, a few KB
  OUT_DIR/big-pkg                      ~3,000 versions, ~10 MB, `time` for every version;
                                       the newest YOUNG_VERSIONS were published within the
                                       last day (relative to now), all others years ago
  OUT_DIR/tarballs/big-pkg-1.0.0.tgz   5 MiB gzip tar of package/ (incompressible data)
  PYPI_DIR/simple/big-py/index.json    PEP 691 JSON project page of big-py: PY_FILES files
                                       (sdists and wheels) of PY_RELEASES releases; the
                                       newest PY_YOUNG_RELEASES releases and one late wheel
                                       of an old release were uploaded within the last day
and prints one line of facts about them. Every dist.tarball is
TARBALL_BASE_URL/<file>; only big-pkg-1.0.0.tgz exists, and its sha512
integrity and sha1 shasum are the real ones. big-py's file URLs point under
PYPI_FILES_URL/packages/ and its hashes are made up: none of its files exists
(the benchmark measures the page, not downloads).

Any quarantine window longer than a day holds all the young versions and
files back. With run.sh's window (3 days, cordon and Verdaccio alike) none of
them becomes eligible for 2 days after generation, so a filtered copy cached
by cordon stays valid for the whole run. Everything but those timestamps is
the same on every run.
"""
import base64
import datetime
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile

TARBALL_BYTES = 5 * 1024 * 1024  # incompressible payload inside the tarball
BIG_VERSIONS = 3000
YOUNG_VERSIONS = 30  # of big-pkg's, published 24 h to ~2 h before generation
PY_PROJECT = "big-py"
PY_RELEASES = 1000
PY_YOUNG_RELEASES = 10  # of big-py's, uploaded 24 h to ~3 h before generation
PY_LATE_WHEEL = 501     # this old release also gets a wheel uploaded 3 h before generation

WORDS = ("fast small robust stream parser buffer async promise tree graph cache "
         "config loader module plugin router schema token lexer render format "
         "color string array object event emitter queue pool worker socket http "
         "json yaml path file glob watch build bundle test mock assert diff patch "
         "merge clone deep equal hash crypto random uuid date time locale").split()
DEP_NAMES = ["dep-%s-%s" % (a, b) for a in WORDS[:24] for b in ("core", "utils", "js", "lite")]
PEOPLE = [("alice", "alice@example.invalid"), ("bob", "bob@example.invalid"),
          ("carol", "carol@example.invalid"), ("dave", "dave@example.invalid")]


def sri(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_tarball(name, version):
    rng = random.Random(42)
    payload = rng.randbytes(TARBALL_BYTES)
    pkg_json = json.dumps({"name": name, "version": version, "main": "index.js",
                           "license": "MIT"}, indent=2).encode()
    files = [("package/package.json", pkg_json),
             ("package/index.js", b"module.exports = require('./lib/data');\n"),
             ("package/lib/data.bin", payload)]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in files:
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = 499162500  # npm's fixed tarball mtime (1985-10-26)
            ti.mode = 0o644
            tar.addfile(ti, io.BytesIO(data))
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=6) as g:
        g.write(raw.getvalue())
    return gz.getvalue(), len(payload) + len(pkg_json)


def fake_dist(rng, base, name, version):
    blob = rng.randbytes(64)
    return {
        "integrity": "sha512-" + base64.b64encode(blob).decode(),
        "shasum": hashlib.sha1(blob).hexdigest(),
        "tarball": "%s/%s-%s.tgz" % (base, name, version),
        "fileCount": rng.randint(5, 80),
        "unpackedSize": rng.randint(4000, 900000),
        "signatures": [{"keyid": "SHA256:" + base64.b64encode(rng.randbytes(32)).decode().rstrip("="),
                        "sig": base64.b64encode(rng.randbytes(70)).decode()}],
    }


def manifest(rng, name, version, dist, big):
    maint = [{"name": n, "email": e} for n, e in PEOPLE[: (3 if big else 2)]]
    deps = {d: "^%d.%d.%d" % (rng.randint(0, 9), rng.randint(0, 20), rng.randint(0, 9))
            for d in rng.sample(DEP_NAMES, rng.randint(10, 20) if big else 2)}
    dev = {d: "~%d.%d.0" % (rng.randint(0, 9), rng.randint(0, 20))
           for d in rng.sample(DEP_NAMES, rng.randint(12, 24) if big else 1)}
    m = {
        "name": name,
        "version": version,
        "description": sentence(rng, 60 if big else 8).capitalize() + ".",
        "main": "index.js",
        "types": "index.d.ts",
        "scripts": {"test": "node test/run.js --reporter dot",
                    "build": "node scripts/build.js && node scripts/check-types.js",
                    "lint": "eslint lib test scripts",
                    "prepublishOnly": "npm run build && npm test"},
        "repository": {"type": "git", "url": "git+https://git.example.invalid/acme/%s.git" % name},
        "keywords": rng.sample(WORDS, 6),
        "author": {"name": "Alice Example", "email": "alice@example.invalid"},
        "license": "MIT",
        "bugs": {"url": "https://git.example.invalid/acme/%s/issues" % name},
        "homepage": "https://git.example.invalid/acme/%s#readme" % name,
        "engines": {"node": ">=%d" % rng.choice((10, 12, 14, 16, 18))},
        "files": ["index.js", "index.d.ts", "lib/"],
        "dependencies": deps,
        "devDependencies": dev,
        "gitHead": rng.randbytes(20).hex(),
        "_id": "%s@%s" % (name, version),
        "_nodeVersion": "%d.%d.%d" % (rng.randint(10, 20), rng.randint(0, 20), rng.randint(0, 9)),
        "_npmVersion": "%d.%d.%d" % (rng.randint(6, 10), rng.randint(0, 20), rng.randint(0, 9)),
        "dist": dist,
        "_npmUser": maint[0],
        "maintainers": maint,
        "directories": {},
        "_hasShrinkwrap": False,
    }
    if big:
        m["contributors"] = [{"name": n, "email": e} for n, e in PEOPLE]
        m["funding"] = {"type": "opencollective", "url": "https://funding.example.invalid/%s" % name}
        m["_npmOperationalInternal"] = {"host": "s3://bench-packages.example.invalid",
                                        "tmp": "tmp/%s_%s_%d_0.%d" % (name, version, rng.randint(10**12, 10**13),
                                                                       rng.randint(10**15, 10**16))}
    if big and rng.random() < 0.3:
        m["peerDependencies"] = {rng.choice(DEP_NAMES): ">=1"}
    if big and rng.random() < 0.2:
        m["optionalDependencies"] = {rng.choice(DEP_NAMES): "^2.0.0"}
    if big and rng.random() < 0.1:
        m["bin"] = {name: "bin/cli.js"}
    return m


def packument(rng, name, versions, base, real, big, young=0, now=None):
    t0 = datetime.datetime(2016, 1, 4, 9, 30, 0, 123000)
    out_versions, times = {}, {}
    for i, v in enumerate(versions):
        dist = real[v] if v in real else fake_dist(rng, base, name, v)
        out_versions[v] = manifest(rng, name, v, dist, big)
        if v in real:
            # the one real tarball's package.json declares none of these: the
            # registry's manifest must say the same, or cordon's analysis
            # rightly holds it as manifest confusion
            for k in ("scripts", "dependencies", "optionalDependencies", "bin"):
                out_versions[v].pop(k, None)
        times[v] = iso(t0 + datetime.timedelta(hours=19 * i, seconds=rng.randint(0, 3000)))
    # the last `young` versions: published within the last day, 45 minutes apart
    for k, v in enumerate(versions[len(versions) - young:]):
        times[v] = iso(now - datetime.timedelta(hours=24) + datetime.timedelta(minutes=45 * k))
    created = iso(t0 - datetime.timedelta(days=3))
    doc = {
        "_id": name,
        "_rev": "%d-%s" % (len(versions), rng.randbytes(16).hex()),
        "name": name,
        "description": "The %s package, generated for cordon's benchmark." % name,
        "dist-tags": {"latest": versions[-1], "next": versions[-1]},
        "versions": out_versions,
        "time": dict([("created", created), ("modified", times[versions[-1]])] + list(times.items())),
        "maintainers": [{"name": n, "email": e} for n, e in PEOPLE[:3]],
        "author": {"name": "Alice Example", "email": "alice@example.invalid"},
        "repository": {"type": "git", "url": "git+https://git.example.invalid/acme/%s.git" % name},
        "homepage": "https://git.example.invalid/acme/%s#readme" % name,
        "bugs": {"url": "https://git.example.invalid/acme/%s/issues" % name},
        "license": "MIT",
        "keywords": ["benchmark", "cordon"],
        "readme": "# %s\n\n%s\n" % (name, "\n\n".join(sentence(rng, 60) for _ in range(60 if big else 1))),
        "readmeFilename": "README.md",
        "users": {n: True for n, _ in PEOPLE},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def iso_us(t):
    """PEP 700 upload-time as the big index writes it: microseconds, Z"""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def pypi_page(rng, now, files_base):
    """big-py's PEP 691 JSON page: PY_RELEASES releases, 2 files per release on
    average (every release an sdist; in each group of 4 releases one universal
    wheel, two CPython wheels, none, one universal wheel), keys sorted like the
    big index's answers. Returns (bytes, files, held files, held releases)."""
    dist = PY_PROJECT.replace("-", "_")
    versions = ["%d.%d.%d" % (a, b, c) for a in range(10) for b in range(25) for c in range(4)][:PY_RELEASES]
    manylinux = "manylinux_2_17_x86_64.manylinux2014_x86_64"
    t0 = datetime.datetime(2017, 3, 1, 8, 0, 0)
    files, held, held_rel = [], 0, 0
    recent = now - datetime.timedelta(days=1, minutes=1)
    for i, v in enumerate(versions):
        young = i >= PY_RELEASES - PY_YOUNG_RELEASES
        if young:
            k = i - (PY_RELEASES - PY_YOUNG_RELEASES)
            t = now - datetime.timedelta(hours=24) + datetime.timedelta(minutes=140 * k)
        else:
            t = t0 + datetime.timedelta(hours=47 * i, seconds=rng.randint(0, 3000))
        if i < 100:
            rp = None
        elif i < 300:
            rp = ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*"
        elif i < 600:
            rp = ">=3.6"
        else:
            rp = ">=3.8"
        wheels = [["py3-none-any"], ["cp311-cp311-" + manylinux, "cp312-cp312-" + manylinux], [],
                  ["py3-none-any"]][i % 4]
        entries = [("%s-%s.tar.gz" % (dist, v), t, False)]
        for j, tag in enumerate(wheels):
            entries.append(("%s-%s-%s.whl" % (dist, v, tag), t + datetime.timedelta(seconds=20 + 15 * j), True))
        if i == PY_LATE_WHEEL:  # a wheel for a new Python, uploaded long after its release
            entries[-1] = ("%s-%s-cp313-cp313-%s.whl" % (dist, v, manylinux), now - datetime.timedelta(hours=3), True)
        for name, when, wheel in entries:
            path = rng.randbytes(32).hex()
            meta = {"sha256": rng.randbytes(32).hex()} if wheel else False  # PEP 658 on wheels
            files.append({
                "core-metadata": meta,
                "data-dist-info-metadata": meta,
                "filename": name,
                "hashes": {"sha256": rng.randbytes(32).hex()},
                "provenance": None,
                "requires-python": rp,
                "size": rng.randint(20000, 160000) if wheel else rng.randint(40000, 300000),
                "upload-time": iso_us(when.replace(microsecond=rng.randint(0, 999999))),
                "url": "%s/packages/%s/%s/%s/%s" % (files_base, path[:2], path[2:4], path[4:60], name),
                "yanked": False,
            })
        young_files = sum(1 for _, when, _ in entries if when > recent)
        held += young_files
        held_rel += young_files == len(entries)  # every file held: the release leaves `versions`
    doc = {
        "alternate-locations": [],
        "files": files,
        "meta": {"_last-serial": 24000000 + rng.randint(0, 999999), "api-version": "1.3"},
        "name": PY_PROJECT,
        "project-status": {"status": "active"},
        "versions": versions,
    }
    return json.dumps(doc, separators=(",", ":")).encode(), len(files), held, held_rel


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: gen.py OUT_DIR TARBALL_BASE_URL PYPI_DIR PYPI_FILES_URL")
    out, base = sys.argv[1], sys.argv[2].rstrip("/")
    pypi_dir, files_base = sys.argv[3], sys.argv[4].rstrip("/")
    os.makedirs(os.path.join(out, "tarballs"), exist_ok=True)
    rng = random.Random(7)

    tgz, unpacked = make_tarball("big-pkg", "1.0.0")
    real = {"1.0.0": {
        "integrity": sri(tgz),
        "shasum": hashlib.sha1(tgz).hexdigest(),
        "tarball": "%s/big-pkg-1.0.0.tgz" % base,
        "fileCount": 3,
        "unpackedSize": unpacked,
    }}
    with open(os.path.join(out, "tarballs", "big-pkg-1.0.0.tgz"), "wb") as f:
        f.write(tgz)

    small = packument(rng, "small-pkg", ["0.1.0", "0.2.0", "1.0.0", "1.0.1", "1.1.0"], base, {}, False)
    # 3,000 versions in semver order: 0.0.0 .. 9.29.9 (1.0.0 among them)
    versions = ["%d.%d.%d" % (a, b, c) for a in range(10) for b in range(30) for c in range(10)][:BIG_VERSIONS]
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    big = packument(rng, "big-pkg", versions, base, real, True, YOUNG_VERSIONS, now)
    for name, data in (("small-pkg", small), ("big-pkg", big)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    page, nfiles, held, held_rel = pypi_page(random.Random(11), now, files_base)
    os.makedirs(os.path.join(pypi_dir, "simple", PY_PROJECT), exist_ok=True)
    with open(os.path.join(pypi_dir, "simple", PY_PROJECT, "index.json"), "wb") as f:
        f.write(page)
    print("generated: small-pkg %d B, big-pkg %d B (%d versions, the newest %d published in the last day),"
          " big-pkg-1.0.0.tgz %d B, %s page %d B (%d files of %d releases, %d files uploaded in the last day,"
          " %d releases all young)" % (len(small), len(big), len(versions), YOUNG_VERSIONS, len(tgz), PY_PROJECT,
                                       len(page), nfiles, PY_RELEASES, held, held_rel))


if __name__ == "__main__":
    main()
