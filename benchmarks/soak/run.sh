#!/usr/bin/env bash
# Gateway soak: steady load for a long time while the gateway's RSS, open file descriptors and threads are sampled.
#   bash benchmarks/soak/run.sh [--duration 600] [--interval 10] [--rate 200] [--no-build]
# Builds Release, starts the mock upstream and the gateway (virtual keys + spend in SQLite, so the key gate and the spend
# writer are exercised too), drives --rate req/s (90% plain, 10% streamed) with hey (wrk if hey is missing: unthrottled,
# 2 connections), samples /proc/<gateway>/ every --interval s into samples.csv and prints the curve plus a verdict
# comparing the first minute of load with the last. Not part of the test run. Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=600; INTERVAL=10; RATE=200; BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --interval) INTERVAL="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "$DURATION" -ge 60 ] || { echo "--duration must be at least 60 s (the verdict compares minutes)" >&2; exit 2; }

OUT="benchmarks/soak/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

if [ "$BUILD" = 1 ]; then
  nice dotnet build src/LiteLlm.Gateway -c Release -v q -nologo >/dev/null
  nice dotnet build tests/LiteLlm.MockUpstream -c Release -v q -nologo >/dev/null
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MOCK=$(free_port); GW=$(free_port)
MASTER="sk-soak-master-$(date +%s)"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port "$MOCK" --chunks 20 > "$OUT/mock.log" 2>&1 & pids+=($!)
cat > "$OUT/config.yaml" <<YAML
model_list:
  - model_name: soak
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$MOCK/v1", api_key: soak-upstream-key}
router_settings:
  num_retries: 0
general_settings:
  master_key: $MASTER
  sqlite_path: "$PWD/$OUT/gateway.db"
YAML
dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port "$GW" --host 127.0.0.1 > "$OUT/gateway.log" 2>&1 & GWPID=$!; pids+=($GWPID)

for port in $MOCK $GW; do
  for i in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port/health/liveliness" 2>/dev/null && break
    curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break
    [ "$i" = 300 ] && { echo "port $port never answered; see $OUT/*.log" >&2; exit 1; }
    sleep 0.1
  done
done

KEY=$(curl -s -H "Authorization: Bearer $MASTER" -H 'content-type: application/json' -d '{"key_alias":"soak"}' "http://127.0.0.1:$GW/key/generate" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
URL="http://127.0.0.1:$GW/v1/chat/completions"
BODY='{"model":"soak","messages":[{"role":"user","content":"Say hello."}]}'
STREAM_BODY='{"model":"soak","stream":true,"messages":[{"role":"user","content":"Say hello."}]}'

sample() { # t -> csv line: t_s,rss_kb,fds,threads
  local rss threads fds
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$GWPID/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$GWPID/status")
  fds=$(ls "/proc/$GWPID/fd" | wc -l)
  echo "$1,$rss,$fds,$threads"
}

echo "t_s,rss_kb,fds,threads" > "$OUT/samples.csv"
sample 0 >> "$OUT/samples.csv" # idle, before any load (not in the verdict)

# Steady load in the background for DURATION seconds.
if command -v hey >/dev/null; then
  LOADER="hey ($RATE req/s: $((RATE * 9 / 10)) plain + $((RATE / 10)) streamed)"
  # hey's -q is per worker: 18 workers x RATE/20 plain, 2 workers x RATE/20 streamed.
  Q=$(( RATE / 20 > 0 ? RATE / 20 : 1 ))
  hey -z "${DURATION}s" -c 18 -q "$Q" -m POST -T application/json -H "Authorization: Bearer $KEY" -d "$BODY" "$URL" > "$OUT/load-plain.txt" 2>&1 & LOAD1=$!
  hey -z "${DURATION}s" -c 2 -q "$Q" -m POST -T application/json -H "Authorization: Bearer $KEY" -d "$STREAM_BODY" "$URL" > "$OUT/load-stream.txt" 2>&1 & LOAD2=$!
  pids+=($LOAD1 $LOAD2)
else
  LOADER="wrk (2 connections, unthrottled)"
  cat > "$OUT/soak.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.body = '$BODY'
LUA
  wrk -t1 -c2 -d"${DURATION}s" -s "$OUT/soak.lua" "$URL" > "$OUT/load-plain.txt" 2>&1 & LOAD1=$!; LOAD2=""
  pids+=($LOAD1)
fi

START=$(date +%s)
while :; do
  sleep "$INTERVAL"
  NOW=$(( $(date +%s) - START ))
  kill -0 "$GWPID" 2>/dev/null || { echo "the gateway died at t=${NOW}s; see $OUT/gateway.log" >&2; exit 1; }
  sample "$NOW" >> "$OUT/samples.csv"
  [ "$NOW" -ge "$DURATION" ] && break
done
wait "$LOAD1" ${LOAD2:+"$LOAD2"} 2>/dev/null || true
sleep 2
sample "after" > "$OUT/after.csv" # load stopped: what the gateway keeps

{
  echo "# Gateway soak finished $(date -u +%Y-%m-%dT%H:%M:%SZ): ${DURATION} s, $LOADER, sampled every ${INTERVAL} s, $(nproc) cores shared"
  echo
  echo "| t (s) | RSS (MB) | fds | threads | RSS |"
  echo "|---:|---:|---:|---:|:---|"
  awk -F, 'NR > 1 { printf "| %s | %.1f | %s | %s | %s |\n", $1, $2/1024, $3, $4, substr("##################################################################################################", 1, int($2/1024/4)) }' "$OUT/samples.csv"
  echo
  awk -F, -v d="$DURATION" '
    NR > 1 && $1 > 0 && $1 <= 60     { fr += $2; ff += $3; ft += $4; fn++ }
    NR > 1 && $1 > d - 60            { lr += $2; lf += $3; lt += $4; ln++ }
    END {
      if (fn == 0 || ln == 0) { print "not enough samples for a verdict"; exit }
      fr /= fn; ff /= fn; ft /= fn; lr /= ln; lf /= ln; lt /= ln
      printf "| average | first minute | last minute | change |\n|---|---:|---:|---:|\n"
      printf "| RSS (MB) | %.1f | %.1f | %+.1f%% |\n", fr/1024, lr/1024, 100*(lr-fr)/fr
      printf "| open fds | %.1f | %.1f | %+.1f |\n", ff, lf, lf-ff
      printf "| threads | %.1f | %.1f | %+.1f |\n", ft, lt, lt-ft
      growing = (lr > fr * 1.10 && lr - fr > 10*1024) || (lf - ff > 20) || (lt - ft > 10)
      print ""
      if (growing) print "VERDICT: GROWING - RSS up >10% (and >10 MB), or fds up >20, or threads up >10 between the first and last minute; run longer and look for a leak."
      else print "VERDICT: STABLE - RSS within 10% (or 10 MB), fds within 20 and threads within 10 between the first and last minute."
    }' "$OUT/samples.csv"
  echo
  IFS=, read -r _ arss afds athreads < "$OUT/after.csv"
  printf "2 s after the load stopped: RSS %.1f MB, %s fds, %s threads.\n" "$(echo "$arss / 1024" | bc -l)" "$afds" "$athreads"
  echo
  echo "Load results (status codes):"
  for f in "$OUT"/load-*.txt; do
    echo "  $(basename "$f" .txt): $(awk '/Requests\/sec/ {printf "%s req/s; ", $2} /\[[0-9]+\][[:space:]]+[0-9]+ responses/ {printf "%s %s; ", $1, $2} /Non-2xx/ {printf "non-2xx %s; ", $NF}' "$f")"
  done
  rows=$(sqlite3 "$OUT/gateway.db" 'SELECT COUNT(*) FROM litellm_spend_logs' 2>/dev/null || echo "?")
  echo "  spend rows written: $rows"
  echo
  echo "Raw: $OUT/samples.csv, gateway.log, load-*.txt"
} | tee "$OUT/summary.md"
