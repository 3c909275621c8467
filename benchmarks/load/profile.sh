#!/usr/bin/env bash
# Profiles the gateway as a deployment runs it (master key, a virtual key, SQLite spend rows, Prometheus on) over the
# zero-delay mock, with short low-concurrency load, and keeps the traces for reading (dotnet-trace; no timed figures).
#   bash benchmarks/load/profile.sh [out dir] [stream|chat] [seconds]
# Needs Release builds of src/LiteLlm.Gateway and tests/LiteLlm.MockUpstream, hey, dotnet-trace and dotnet-counters
# (dotnet tool install -g dotnet-trace / dotnet-counters). Writes cpu.nettrace (sampled thread stacks), alloc.nettrace
# (GC events and allocation ticks with stacks), counters.csv (bytes allocated per request over a fixed request count),
# gc.nettrace with latency.csv (GC pauses and every request's latency, same window). CONCURRENCY=1 for the p99 question.
set -euo pipefail
cd "$(dirname "$0")/../.."
. benchmarks/load/prod-config.sh
OUT="${1:-$(mktemp -d)}"; KIND="${2:-chat}"; SECS="${3:-12}"; mkdir -p "$OUT"
MOCK=18241; GW=18242; TOOLS="${DOTNET_TOOLS:-$HOME/.dotnet/tools}"
pids=(); cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }; trap cleanup EXIT
dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $MOCK --chunks 20 > "$OUT/mock.log" 2>&1 & pids+=($!)
rm -f "$OUT/spend.db"*
prod_config $MOCK "$OUT/spend.db" > "$OUT/config.yaml"
${GATEWAY_ENV:-} dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port $GW > "$OUT/gateway.log" 2>&1 & G=$!; pids+=($G)
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$GW/health/liveliness" && break; sleep 0.2; done
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$MOCK/health" && break; sleep 0.2; done
KEY=$(curl -s "http://127.0.0.1:$GW/key/generate" -H 'Authorization: Bearer sk-bench-master' -H 'content-type: application/json' \
  -d '{"models":["bench"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
if [ "$KIND" = stream ]; then
  body='{"model":"bench","stream":true,"messages":[{"role":"user","content":"Say hello."}]}'
else
  body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'
fi
load() { hey "$@" -m POST -T application/json -H "Authorization: Bearer $KEY" -d "$body" "http://127.0.0.1:$GW/v1/chat/completions"; }
CONC=${CONCURRENCY:-4}
load -z 15s -c "$CONC" > /dev/null                                   # warm-up: tiered JIT settles
"$TOOLS/dotnet-trace" collect -p $G --profile dotnet-sampled-thread-time -o "$OUT/cpu.nettrace" --duration "00:00:$SECS" > /dev/null 2>&1 & T=$!
sleep 1; load -z "$((SECS - 2))s" -c "$CONC" | grep -E "Requests/sec|\[2" > "$OUT/cpu-hey.txt"; wait $T || true
"$TOOLS/dotnet-trace" collect -p $G --profile gc-verbose -o "$OUT/alloc.nettrace" --duration "00:00:$SECS" > /dev/null 2>&1 & T=$!
sleep 1; load -z "$((SECS - 2))s" -c "$CONC" | grep -E "Requests/sec|\[2" > "$OUT/alloc-hey.txt"; wait $T || true
N=${REQUESTS:-10000}
"$TOOLS/dotnet-counters" collect -p $G --counters System.Runtime --format csv -o "$OUT/counters.csv" --refresh-interval 1 --duration 00:00:40 > /dev/null 2>&1 & C=$!
sleep 2; load -n "$N" -c "$CONC" | grep -E "Requests/sec|\[2" > "$OUT/counters-hey.txt"; sleep 1; kill -INT $C 2>/dev/null || true; wait $C || true
grep -i "total_allocated" "$OUT/counters.csv" | awk -F, -v n="$N" '{s+=$NF} END {printf "allocated: %.0f bytes over %d requests -> %.0f B/request\n", s, n, s/n}' | tee "$OUT/alloc-per-request.txt"
grep -ci "gc.collections" "$OUT/counters.csv" >/dev/null || true
# GC pauses beside each request's latency (gc-collect is light; hey's CSV has every request's start offset and time).
"$TOOLS/dotnet-trace" collect -p $G --profile gc-collect -o "$OUT/gc.nettrace" --duration "00:00:$SECS" > /dev/null 2>&1 & T=$!
sleep 1; load -z "$((SECS - 2))s" -c "$CONC" -o csv > "$OUT/latency.csv"; wait $T || true
echo "traces in $OUT"
