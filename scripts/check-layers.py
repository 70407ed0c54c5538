#!/usr/bin/env python3
"""scripts/check-layers.py [ROOT] — the tree's two structural rules, checked.

1. Folders are layers (DESIGN.md, Layout). A source file in one of the
   folders below may include (#include "…") only headers of its own folder
   or of folders listed above it:

       common core store upstream analysis intel policy journal http
       ecosystems review admin

   A sub-folder counts as its top folder (ecosystems/npm is ecosystems).
   Files outside these folders (tests/, fuzz/, bench/) consume the layers
   and are not checked.

2. Only ecosystems/ knows that an ecosystem exists: outside it, no code
   names ECO_NPM, ECO_PYPI or ECO_MAVEN, and no string literal contains
   "npm", "pypi" or "maven" (any case). Comments may, since they are prose.

Prints one line per violation (FILE:LINE: what) and exits 1 when there is
any, 0 when the tree keeps both rules, 2 on a usage error.
"""

import os
import re
import sys

LAYERS = ["common", "core", "store", "upstream", "analysis", "intel", "policy", "journal", "http",
          "ecosystems", "review", "admin"]
RANK = {name: i for i, name in enumerate(LAYERS)}
ECO_IDS = re.compile(r"\bECO_(NPM|PYPI|MAVEN)\b")
ECO_WORDS = re.compile(r"npm|pypi|maven", re.IGNORECASE)
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def strip_comments(text):
    """C source with comments replaced by spaces (newlines kept), and the
    string literals found, as (line, content)."""
    out, strings = [], []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            out.append(re.sub(r"[^\n]", " ", chunk))
            line += chunk.count("\n")
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            lit = text[i:j + 1]
            if c == '"':
                strings.append((line, lit[1:-1]))
            out.append(lit)
            i = j + 1
        else:
            if c == "\n":
                line += 1
            out.append(c)
            i += 1
    return "".join(out), strings


def layer_of(rel):
    top = rel.split("/", 1)[0]
    return top if top in RANK else None


def check(root):
    problems = []
    for folder in LAYERS:
        base = os.path.join(root, folder)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                mine = layer_of(rel)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
                code, strings = strip_comments(text)
                for no, ln in enumerate(code.split("\n"), 1):
                    m = INCLUDE.match(ln)
                    if not m:
                        continue
                    target = m.group(1)
                    theirs = layer_of(target)
                    if theirs is None:
                        if "/" in target and not target.startswith(("h2o", "yajl")):
                            problems.append("%s:%d: includes %s, which is in no layer" % (rel, no, target))
                        continue
                    if RANK[theirs] > RANK[mine]:
                        problems.append("%s:%d: %s/ includes %s (%s/ is below it)" % (rel, no, mine, target, theirs))
                if mine == "ecosystems":
                    continue
                for no, ln in enumerate(code.split("\n"), 1):
                    m = ECO_IDS.search(ln)
                    if m:
                        problems.append("%s:%d: names %s outside ecosystems/" % (rel, no, m.group(0)))
                lines = code.split("\n")
                for no, lit in strings:
                    if INCLUDE.match(lines[no - 1]):
                        continue  # a header's name is checked as an include above
                    m = ECO_WORDS.search(lit)
                    if m:
                        problems.append('%s:%d: the string "%s" names an ecosystem outside ecosystems/' %
                                        (rel, no, lit[:60]))
    return problems


def main(argv):
    if len(argv) > 2:
        sys.stderr.write("usage: check-layers.py [ROOT]\n")
        return 2
    root = argv[1] if len(argv) == 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(root)
    problems.sort(key=lambda p: (p.split(":")[0], int(p.split(":")[1])))
    for p in problems:
        print(p)
    if problems:
        print("check-layers: %d violation%s (DESIGN.md, Layout)" % (len(problems), "" if len(problems) == 1 else "s"),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
