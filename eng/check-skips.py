#!/usr/bin/env python3
"""Fails CI when a test skipped that is not on the known list (eng/known-skips.txt).

Reads every TRX file under the directory given (dotnet test ... --report-xunit-trx --results-directory DIR).
A skip is a test that did not run: a Redis or PostgreSQL test without its server, a fixture test without
../shared/fixtures. Those must fail CI, or CI passes on tests that never ran. Known skips are the conformance
rows a provider has no distinct signal for; each line of the list is a test name as the TRX writes it.
Also fails when no TRX was written (the test run did not report); a known skip that ran is reported so the
list shrinks with the code.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main() -> int:
    results = pathlib.Path(sys.argv[1])
    known_file = pathlib.Path(sys.argv[2])
    known = {line.strip() for line in known_file.read_text().splitlines() if line.strip() and not line.startswith("#")}
    files = sorted(results.rglob("*.trx"))
    if not files:
        print(f"check-skips: no .trx file under {results}; the test run wrote no results", file=sys.stderr)
        return 1
    skipped: dict[str, str] = {}
    total = 0
    for trx in files:
        root = ET.parse(trx).getroot()
        for result in root.iter(NS + "UnitTestResult"):
            total += 1
            if result.get("outcome") == "NotExecuted":
                message = result.find(f"{NS}Output/{NS}ErrorInfo/{NS}Message")
                if message is None:
                    message = result.find(f"{NS}Output/{NS}StdOut")
                skipped[result.get("testName", "?")] = (message.text or "").strip() if message is not None else ""
    unexpected = {name: why for name, why in skipped.items() if name not in known}
    stale = sorted(known - skipped.keys())
    print(f"check-skips: {total} results in {len(files)} file(s); {len(skipped)} skipped, {len(unexpected)} not on {known_file}")
    for name, why in sorted(unexpected.items()):
        print(f"  unexpected skip: {name} -- {why}", file=sys.stderr)
    for name in stale:
        print(f"  note: a known skip ran this time (remove it from {known_file} if it always does): {name}")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
