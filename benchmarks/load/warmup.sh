#!/usr/bin/env bash
# Warm-up curve: the production gateway (master key, a virtual key, SQLite spend rows) pinned to one CPU, as a one-CPU
# container runs it, under 64 connections from the first second; prints req/s for each 5 s round since the start.
#   bash benchmarks/load/warmup.sh [rounds] [VAR=value ...]
# e.g. `bash benchmarks/load/warmup.sh 12` (runtime default) against
#      `bash benchmarks/load/warmup.sh 12 DOTNET_TC_DelaySingleProcMultiplier=1` (as deploy/Dockerfile sets it).
# Shows how long tiered compilation takes to reach steady state; needs wrk and the Release builds run.sh makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
. benchmarks/load/prod-config.sh
ROUNDS="${1:-12}"; shift || true
MOCK=19200; GW=19201; OUT=$(mktemp -d)
pids=(); cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$OUT"; }; trap cleanup EXIT
dotnet build src/LiteLlm.Gateway -c Release -v q -nologo >/dev/null
dotnet build tests/LiteLlm.MockUpstream -c Release -v q -nologo >/dev/null
taskset -c 0 dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $MOCK > "$OUT/mock.log" 2>&1 & pids+=($!)
prod_config $MOCK "$OUT/spend.db" > "$OUT/config.yaml"
env "$@" taskset -c 1 dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port $GW > "$OUT/gateway.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$GW/health/liveliness" && break; sleep 0.1; done
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$MOCK/health" && break; sleep 0.1; done
KEY=$(curl -s "http://127.0.0.1:$GW/key/generate" -H 'Authorization: Bearer sk-bench-master' -H 'content-type: application/json' \
  -d '{"models":["bench"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
echo "req/s per 5 s round since start (${*:-runtime defaults}):"
for i in $(seq 1 "$ROUNDS"); do
  BENCH_HEADERS="Authorization: Bearer $KEY" taskset -c 0 wrk -t2 -c64 -d5s -s benchmarks/load/chat.lua "http://127.0.0.1:$GW/v1/chat/completions" \
    | awk -v r="$i" '/Requests\/sec/ {printf "%3d-%3d s: %s\n", (r-1)*5, r*5, $2}'
done
