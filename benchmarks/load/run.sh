#!/usr/bin/env bash
# Gateway load bench: the same mock upstream measured directly and through the gateway, in one run.
#   bash benchmarks/load/run.sh [--duration 10]
# Prints one summary table and writes raw results to benchmarks/load/results/<timestamp>/.
# Needs Debian's wrk and hey (installed when missing). Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=10
[ "${1:-}" = "--duration" ] && DURATION="$2"
OUT="benchmarks/load/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

if ! command -v wrk >/dev/null || ! command -v hey >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk hey >/dev/null
fi

dotnet build src/LiteLlm.Gateway -c Release -v q -nologo >/dev/null
dotnet build tests/LiteLlm.MockUpstream -c Release -v q -nologo >/dev/null

MOCK=9100; SLOW=9101; GW=4100
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $MOCK --chunks 20 > "$OUT/mock.log" 2>&1 & pids+=($!)
dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $SLOW --delay-ms 20 --chunks 20 > "$OUT/mock-slow.log" 2>&1 & pids+=($!)
cat > "$OUT/config.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$MOCK/v1", api_key: bench-key}
  - model_name: bench-slow
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$SLOW/v1", api_key: bench-key}
YAML
dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port $GW > "$OUT/gateway.log" 2>&1 & GWPID=$!; pids+=($GWPID)

for port in $MOCK $SLOW $GW; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health/liveliness" 2>/dev/null && break; curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.1; done
done

direct="http://127.0.0.1:$MOCK/v1/chat/completions"
gateway="http://127.0.0.1:$GW/v1/chat/completions"
body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'

# Warm-up (JIT, connection pools).
wrk -t1 -c8 -d3s -s benchmarks/load/chat.lua "$direct" > /dev/null
wrk -t1 -c8 -d3s -s benchmarks/load/chat.lua "$gateway" > /dev/null

run_wrk() { # name conns url
  wrk -t"$([ "$2" -gt 1 ] && echo 2 || echo 1)" -c"$2" -d"${DURATION}s" --latency -s benchmarks/load/chat.lua "$3" > "$OUT/$1.txt"
}
pct() { awk -v p="$2" '$1==p {print $2}' "$OUT/$1.txt"; }           # "50%" / "99%" lines of wrk --latency
rps() { awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt"; }
ms() { # wrk latency text (e.g. 123.45us, 1.20ms, 1.01s) -> ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else { sub(/s$/,"",v); print v*1000 } }'
}

run_wrk direct-1 1 "$direct";   run_wrk gateway-1 1 "$gateway"
run_wrk direct-64 64 "$direct"; run_wrk gateway-64 64 "$gateway"

# 20 ms upstream at a fixed rate (hey: 25 workers x 8 req/s = 200 req/s).
hey -z "${DURATION}s" -c 25 -q 8 -m POST -T application/json -d "$body" "http://127.0.0.1:$SLOW/v1/chat/completions" > "$OUT/direct-slow.txt"
BENCH_MODEL=bench-slow hey -z "${DURATION}s" -c 25 -q 8 -m POST -T application/json -d '{"model":"bench-slow","messages":[{"role":"user","content":"Say hello."}]}' "$gateway" > "$OUT/gateway-slow.txt"
hey_p99() { awk '/99% in/ {print $3*1000}' "$OUT/$1.txt"; }

# Streaming: time to first byte of the SSE body, 200 sequential requests each way.
ttfb() { # url model -> p50 ms
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w '%{time_starttransfer}\n' -H 'content-type: application/json' \
      -d "{\"model\":\"$2\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" "$1"
  done | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000}'
}
read -r s_direct50 s_direct99 < <(ttfb "$direct" bench)
read -r s_gw50 s_gw99 < <(ttfb "$gateway" bench)

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$GWPID/status")

d50=$(ms "$(pct direct-1 50%)"); d99=$(ms "$(pct direct-1 99%)")
g50=$(ms "$(pct gateway-1 50%)"); g99=$(ms "$(pct gateway-1 99%)")
{
  echo "| measure | direct to mock | through gateway | added / ratio |"
  echo "|---|---|---|---|"
  printf "| 1 connection p50 (ms) | %.3f | %.3f | +%.3f |\n" "$d50" "$g50" "$(echo "$g50 - $d50" | bc -l)"
  printf "| 1 connection p99 (ms) | %.3f | %.3f | +%.3f |\n" "$d99" "$g99" "$(echo "$g99 - $d99" | bc -l)"
  printf "| 64 connections (req/s) | %s | %s | %.1f%% |\n" "$(rps direct-64)" "$(rps gateway-64)" "$(echo "100 * $(rps gateway-64) / $(rps direct-64)" | bc -l)"
  printf "| 20 ms upstream @200 req/s p99 (ms) | %s | %s | |\n" "$(hey_p99 direct-slow)" "$(hey_p99 gateway-slow)"
  printf "| stream time to first byte p50 (ms) | %.3f | %.3f | +%.3f |\n" "$s_direct50" "$s_gw50" "$(echo "$s_gw50 - $s_direct50" | bc -l)"
  printf "| gateway peak RSS (MB) | | %.1f | |\n" "$(echo "$rss_kb / 1024" | bc -l)"
  echo
  echo "Mock upstream's own ceiling (64 connections, direct): $(rps direct-64) req/s. wrk, hey, the mock and the gateway share this machine's $(nproc) cores."
} | tee "$OUT/summary.md"
