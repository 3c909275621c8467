#!/usr/bin/env python3
"""Brings each shipped project's PublicAPI.Unshipped.txt up to date from the build's RS0016/RS0017 diagnostics.

Usage: python3 eng/update-public-api.py   (runs `dotnet build Integration.sln`, adds what is new, removes what is gone)
Review the diff: every line is a public API change.
"""
import re
import subprocess
import sys
from collections import defaultdict

pattern = re.compile(r"^(/\S+?/src/([^/]+)/)\S+\(\d+,\d+\): error (RS0016|RS0017): Symbol '(.+?)' (is not part of|is part of)")
def update():
    """One build; returns (changed, build). A project is only analyzed once the projects it references build."""
    build = subprocess.run(["dotnet", "build", "Integration.sln", "-v", "q", "-nologo"], capture_output=True, text=True)
    added, removed = defaultdict(set), defaultdict(set)
    for line in build.stdout.splitlines():
        m = pattern.match(line.strip())
        if m:
            (added if m.group(3) == "RS0016" else removed)[m.group(1)].add(m.group(4))
    for root in set(added) | set(removed):
        write(root, added[root], removed[root])
    return bool(added or removed), build


def write(root, added, removed):
    path = root + "PublicAPI.Unshipped.txt"
    with open(path) as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    header = [l for l in lines if l.startswith("#")]
    body = {l for l in lines if not l.startswith("#")} | added
    body -= removed
    with open(path, "w") as f:
        f.write("\n".join(header + sorted(body, key=lambda s: s.lstrip("~").split(" ", 1)[-1] if s.split(" ", 1)[0] in ("abstract", "const", "override", "static", "virtual", "readonly") else s)) + "\n")
    print(f"{path}: +{len(added)} -{len(removed)}")


for _ in range(5):
    changed, build = update()
    if not changed:
        print("public API files are up to date" if build.returncode == 0 else "the build fails for other reasons:\n" + build.stdout[-3000:])
        sys.exit(build.returncode)
