#!/usr/bin/env bash
# Runs the BenchmarkDotNet suite (short job by default; --full for BenchmarkDotNet's default job).
# Results: benchmarks/results/ (markdown reports are kept; the rest is ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
job="--job short"
[ "${1:-}" = "--full" ] && job="" && shift
dotnet run -c Release --project benchmarks/LiteLlm.Benchmarks -- --filter "${FILTER:-*}" $job --artifacts benchmarks/results/artifacts "$@"
mkdir -p benchmarks/results
cp benchmarks/results/artifacts/results/*-report-github.md benchmarks/results/ 2>/dev/null || true
