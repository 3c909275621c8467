#!/usr/bin/env bash
# Gateway load bench: the same mock upstream measured directly, through our gateway (bare, and "production": master
# key, a virtual key, SQLite spend records), through the floor (a minimal ASP.NET Core proxy, benchmarks/load/floor),
# through a plain reverse proxy (nginx) and through a peer gateway (Portkey's open-source gateway on Node), in one run.
#   bash benchmarks/load/run.sh [--duration 10] [--pin] [--ui-off] [--native PATH] [--tiering-default]
# --ui-off: adds a column gateway-prod-noui, the production gateway with its admin UI turned off (general_settings.ui:
#   false); gateway-prod has it on (the default with a master key), so the two columns give req/s UI-on vs UI-off.
# --pin: every proxy on core 1, the mock and the load generators on core 0 (taskset), so proxies compare per core.
# --native PATH: adds a column gateway-prod-native, the production gateway as the Native AOT binary at PATH
#   (dotnet publish src/LiteLlm.Gateway -c Release -r linux-x64 -p:PublishAot=true; eng/aot-smoke.sh).
# Every .NET process here (mock, gateway, floor) runs with DOTNET_TC_DelaySingleProcMultiplier=1, as deploy/Dockerfile
#   sets it: on a process limited to one CPU (--pin, or a one-CPU container) the runtime otherwise waits ten times longer
#   before each tier-up, and a gateway with many hot methods is still in tier 0 after a minute of load (docs/performance.md,
#   "Warm-up on one CPU"; benchmarks/load/warmup.sh prints the curve). --tiering-default runs them with the runtime's default.
# Prints one summary table and writes raw results to benchmarks/load/results/<timestamp>/.
# Needs Debian's wrk and hey (installed when missing); nginx and the peer (benchmarks/load/peer, npm) are installed when
# possible and their columns left out when not. Only loopback addresses are used.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=10
PIN_PROXY=""; PIN_LOAD=""; UI_OFF=""; NATIVE=""; DOTNET_ENV="DOTNET_TC_DelaySingleProcMultiplier=1"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --pin) PIN_PROXY="taskset -c 1"; PIN_LOAD="taskset -c 0"; shift ;;
    --ui-off) UI_OFF=1; shift ;;
    --native) NATIVE="$2"; shift 2 ;;
    --tiering-default) DOTNET_ENV=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT="benchmarks/load/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

if ! command -v wrk >/dev/null || ! command -v hey >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk hey >/dev/null
fi

command -v nginx >/dev/null || { apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null 2>&1 || true; }
PEER=benchmarks/load/peer/node_modules/@portkey-ai/gateway/build/start-server.js
[ -f "$PEER" ] || { command -v npm >/dev/null && (cd benchmarks/load/peer && npm ci --no-audit --no-fund --ignore-scripts >/dev/null 2>&1) || true; }

dotnet build src/LiteLlm.Gateway -c Release -v q -nologo >/dev/null
dotnet build tests/LiteLlm.MockUpstream -c Release -v q -nologo >/dev/null
dotnet build benchmarks/load/floor -c Release -v q -nologo >/dev/null

MOCK=9100; SLOW=9101; GW=4100; NGX=4101; PK=4102; FL=4103; GWP=4104; GWN=4105
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

env $DOTNET_ENV $PIN_LOAD dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $MOCK --chunks 20 > "$OUT/mock.log" 2>&1 & pids+=($!)
env $DOTNET_ENV $PIN_LOAD dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $SLOW --delay-ms 20 --chunks 20 > "$OUT/mock-slow.log" 2>&1 & pids+=($!)
cat > "$OUT/config.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$MOCK/v1", api_key: bench-key}
  - model_name: bench-slow
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$SLOW/v1", api_key: bench-key}
YAML
env $DOTNET_ENV $PIN_PROXY dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port $GW > "$OUT/gateway.log" 2>&1 & GWPID=$!; pids+=($GWPID)

# The gateway as a real deployment runs it: a master key, every request on a virtual key, a spend row each (SQLite).
{ cat "$OUT/config.yaml"; printf 'general_settings:\n  master_key: sk-bench-master\n  sqlite_path: %s\n' "$PWD/$OUT/spend.db"; } > "$OUT/config-prod.yaml"
env $DOTNET_ENV $PIN_PROXY dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config-prod.yaml" --port $GWP > "$OUT/gateway-prod.log" 2>&1 & GWPPID=$!; pids+=($GWPPID)

# The same production gateway with the admin UI off (--ui-off): the UI is on by default whenever a master key is set.
GWNPID=""
if [ -n "$UI_OFF" ]; then
  { cat "$OUT/config.yaml"; printf 'general_settings:\n  master_key: sk-bench-master\n  sqlite_path: %s\n  ui: false\n' "$PWD/$OUT/spend-noui.db"; } > "$OUT/config-prod-noui.yaml"
  env $DOTNET_ENV $PIN_PROXY dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config-prod-noui.yaml" --port $GWN > "$OUT/gateway-prod-noui.log" 2>&1 & GWNPID=$!; pids+=($GWNPID)
fi

# The production gateway as the Native AOT binary (--native): no JIT, so no tier-up to wait for.
GWAPID=""; GWA=4106
if [ -n "$NATIVE" ]; then
  { cat "$OUT/config.yaml"; printf 'general_settings:\n  master_key: sk-bench-master\n  sqlite_path: %s\n' "$PWD/$OUT/spend-native.db"; } > "$OUT/config-prod-native.yaml"
  $PIN_PROXY "$NATIVE" --config "$OUT/config-prod-native.yaml" --port $GWA > "$OUT/gateway-prod-native.log" 2>&1 & GWAPID=$!; pids+=($GWAPID)
fi

# The floor: the least an ASP.NET Core reverse proxy does.
env $DOTNET_ENV $PIN_PROXY dotnet benchmarks/load/floor/bin/Release/net10.0/Floor.dll --port $FL --upstream "http://127.0.0.1:$MOCK" > "$OUT/floor.log" 2>&1 & FLPID=$!; pids+=($FLPID)

# The plain reverse proxy: nginx with keep-alive to the mock, no access log, unbuffered (for streams).
NGXPID=""
if command -v nginx >/dev/null; then
  mkdir -p "$OUT/nginx"
  cat > "$OUT/nginx/nginx.conf" <<NGINX
worker_processes auto;
daemon off;
pid $PWD/$OUT/nginx/nginx.pid;
error_log $PWD/$OUT/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $PWD/$OUT/nginx;
  proxy_temp_path $PWD/$OUT/nginx;
  upstream mock { server 127.0.0.1:$MOCK; keepalive 128; }
  server {
    listen 127.0.0.1:$NGX;
    location / { proxy_pass http://mock; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGINX
  $PIN_PROXY nginx -c "$PWD/$OUT/nginx/nginx.conf" > "$OUT/nginx/stdout.log" 2>&1 & NGXPID=$!; pids+=($NGXPID)
fi

# The peer gateway: Portkey's gateway, told per request to use the OpenAI format against the mock.
PKPID=""
PKHEADERS="x-portkey-provider: openai|x-portkey-custom-host: http://127.0.0.1:$MOCK/v1|Authorization: Bearer bench-key"
if [ -f "$PEER" ] && command -v node >/dev/null; then
  NODE_ENV=production $PIN_PROXY node "$PEER" --port=$PK --headless > "$OUT/peer.log" 2>&1 & PKPID=$!; pids+=($PKPID)
fi

for port in $MOCK $SLOW $GW $GWP $FL ${GWNPID:+$GWN} ${GWAPID:+$GWA}; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health/liveliness" 2>/dev/null && break; curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.1; done
done

direct="http://127.0.0.1:$MOCK/v1/chat/completions"
gateway="http://127.0.0.1:$GW/v1/chat/completions"
proxy="http://127.0.0.1:$NGX/v1/chat/completions"
peer="http://127.0.0.1:$PK/v1/chat/completions"
body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'

# A virtual key for the production gateway (models: the bench groups; no budget, so nothing refuses the load).
VKEY=$(curl -s "http://127.0.0.1:$GWP/key/generate" -H 'Authorization: Bearer sk-bench-master' -H 'content-type: application/json' \
  -d '{"models":["bench","bench-slow"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

# Targets measured: name, URL, extra headers ("Name: value|…"), pid for peak RSS.
names=(direct gateway gateway-prod floor); urls=("$direct" "$gateway" "http://127.0.0.1:$GWP/v1/chat/completions" "http://127.0.0.1:$FL/v1/chat/completions")
hdrs=("" "" "Authorization: Bearer $VKEY" ""); rsspids=("" "$GWPID" "$GWPPID" "$FLPID")
if [ -n "$GWNPID" ]; then
  # The UI must be off there (its /ui is the gateway's 404) and on in gateway-prod, or the comparison means nothing.
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GWN/ui/login")" = 404 ] || { echo "gateway-prod-noui still serves /ui" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GWP/ui/login")" = 200 ] || { echo "gateway-prod does not serve /ui" >&2; exit 1; }
  NKEY=$(curl -s "http://127.0.0.1:$GWN/key/generate" -H 'Authorization: Bearer sk-bench-master' -H 'content-type: application/json' \
    -d '{"models":["bench","bench-slow"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  names+=(gateway-prod-noui); urls+=("http://127.0.0.1:$GWN/v1/chat/completions"); hdrs+=("Authorization: Bearer $NKEY"); rsspids+=("$GWNPID")
fi
if [ -n "$GWAPID" ]; then
  AKEY=$(curl -s "http://127.0.0.1:$GWA/key/generate" -H 'Authorization: Bearer sk-bench-master' -H 'content-type: application/json' \
    -d '{"models":["bench","bench-slow"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  names+=(gateway-prod-native); urls+=("http://127.0.0.1:$GWA/v1/chat/completions"); hdrs+=("Authorization: Bearer $AKEY"); rsspids+=("$GWAPID")
fi
if [ -n "$NGXPID" ] && curl -s -o /dev/null --retry 20 --retry-delay 0 --retry-connrefused -m 2 "http://127.0.0.1:$NGX/health" 2>/dev/null; then
  names+=(nginx); urls+=("$proxy"); hdrs+=(""); rsspids+=("$NGXPID")
fi
if [ -n "$PKPID" ]; then
  for _ in $(seq 1 100); do curl -s -o /dev/null -m 1 "http://127.0.0.1:$PK/" && break; sleep 0.1; done
  names+=(peer); urls+=("$peer"); hdrs+=("$PKHEADERS"); rsspids+=("$PKPID")
fi

run_wrk() { # name conns url headers
  BENCH_HEADERS="$4" $PIN_LOAD wrk -t"$([ "$2" -gt 1 ] && echo 2 || echo 1)" -c"$2" -d"${DURATION}s" --latency -s benchmarks/load/chat.lua "$3" > "$OUT/$1.txt"
}
pct() { awk -v p="$2" '$1==p {print $2}' "$OUT/$1.txt"; }           # "50%" / "99%" lines of wrk --latency
rps() { awk '/Requests\/sec/ {print $2}' "$OUT/$1.txt"; }
ms() { # wrk latency text (e.g. 123.45us, 1.20ms, 1.01s) -> ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v); print v } else { sub(/s$/,"",v); print v*1000 } }'
}
hey_p99() { awk '/99% in/ {print $3*1000}' "$OUT/$1.txt"; }
ttfb() { # url headers -> p50 ms of the time to the first byte of a stream over 200 sequential requests, each on a new
        # connection ("failed" if any is not a 200)
  local args=(); local IFS='|'; for h in $2; do args+=(-H "$h"); done; unset IFS
  for _ in $(seq 1 200); do
    curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}\n' -H 'content-type: application/json' "${args[@]}" \
      -d '{"model":"bench","stream":true,"messages":[{"role":"user","content":"hi"}]}' "$1"
  done > "$OUT/ttfb.tmp"
  if awk '$1 != 200 {bad = 1} END {exit !bad}' "$OUT/ttfb.tmp"; then
    echo failed
  else
    awk '{print $2}' "$OUT/ttfb.tmp" | sort -n | awk '{a[NR]=$1} END {print a[int(NR*0.5)]*1000}'
  fi
}
peak_rss_mb() { # pid (and its children: nginx workers) -> MB
  [ -z "$1" ] && { echo ""; return; }
  local kb=0; for p in "$1" $(pgrep -P "$1" 2>/dev/null); do kb=$((kb + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
  echo "scale=1; $kb / 1024" | bc -l
}

declare -A p50 p99 r64 slow s50 rss
for i in "${!names[@]}"; do
  n=${names[$i]}; u=${urls[$i]}; h=${hdrs[$i]}
  # Warm-up: pools, and tiered JIT settling (15-20 s of load on one CPU with the multiplier at 1; see warmup.sh).
  BENCH_HEADERS="$h" $PIN_LOAD wrk -t2 -c64 -d20s -s benchmarks/load/chat.lua "$u" > /dev/null
  run_wrk "$n-1" 1 "$u" "$h"; p50[$n]=$(ms "$(pct "$n-1" 50%)"); p99[$n]=$(ms "$(pct "$n-1" 99%)")
  run_wrk "$n-64" 64 "$u" "$h"; r64[$n]=$(rps "$n-64")
  ttfb "$u" "$h" > /dev/null                                                     # warm-up of the streaming path
  read -r s50[$n] _ < <(ttfb "$u" "$h")
done

# 20 ms upstream at a fixed rate (hey: 25 workers x 8 req/s = 200 req/s): direct and through our gateway.
hey -z "${DURATION}s" -c 25 -q 8 -m POST -T application/json -d "$body" "http://127.0.0.1:$SLOW/v1/chat/completions" > "$OUT/direct-slow.txt"
hey -z "${DURATION}s" -c 25 -q 8 -m POST -T application/json -d '{"model":"bench-slow","messages":[{"role":"user","content":"Say hello."}]}' "$gateway" > "$OUT/gateway-slow.txt"

for i in "${!names[@]}"; do rss[${names[$i]}]=$(peak_rss_mb "${rsspids[$i]}"); done

added() { echo "$1 - ${2}" | bc -l; }
{
  header="| measure | direct to mock |"; sep="|---|---|"
  for n in "${names[@]:1}"; do header+=" $n |"; sep+="---|"; done
  echo "$header"; echo "$sep"
  row() { # label, array name, format of an added value (empty: absolute only)
    local line="| $1 | $(printf '%.3f' "$(eval echo \${$2[direct]})") |"
    for n in "${names[@]:1}"; do
      local v; v=$(eval echo \${$2[$n]})
      if [ "$v" = failed ]; then line+=" failed (not a 200) |"; continue; fi
      line+=" $(printf '%.3f (%+.3f)' "$v" "$(added "$v" "$(eval echo \${$2[direct]})")") |"
    done
    echo "$line"
  }
  row "1 connection p50 (ms)" p50
  row "1 connection p99 (ms)" p99
  line="| 64 connections (req/s) | ${r64[direct]} |"
  for n in "${names[@]:1}"; do line+=" $(printf '%s (%.1f%%)' "${r64[$n]}" "$(echo "100 * ${r64[$n]} / ${r64[direct]}" | bc -l)") |"; done
  echo "$line"
  row "stream time to first byte p50 (ms)" s50
  line="| peak RSS (MB) | |"; for n in "${names[@]:1}"; do line+=" ${rss[$n]} |"; done; echo "$line"
  echo
  for n in "${names[@]}"; do
    errors=$(grep -h -E "Non-2xx|Socket errors" "$OUT/$n-1.txt" "$OUT/$n-64.txt" | tr -s ' ' | paste -sd ';' - || true)
    if [ -n "$errors" ]; then echo "$n: wrk reported $errors"; fi
  done
  echo "20 ms upstream at 200 req/s, p99: direct $(hey_p99 direct-slow) ms, through the gateway $(hey_p99 gateway-slow) ms."
  echo "Columns: gateway = LiteLlm for .NET without keys; gateway-prod = with a master key, a virtual key and SQLite spend rows (admin UI on);"
  if [ -n "$GWNPID" ]; then echo "gateway-prod-noui = gateway-prod with general_settings.ui: false (the admin UI off);"; fi
  if [ -n "$GWAPID" ]; then echo "gateway-prod-native = gateway-prod as the Native AOT binary $NATIVE;"; fi
  echo ".NET processes ran with: ${DOTNET_ENV:-default tiering}."
  echo "floor = a minimal ASP.NET Core proxy (benchmarks/load/floor); nginx = a plain reverse proxy (keep-alive upstream, no access log);"
  if [ -n "$PIN_PROXY" ]; then echo "Pinned: each proxy on core 1, the mock and the load generators on core 0."; fi
  echo "peer = Portkey's open-source gateway (Node). wrk, hey, the mock and the proxies share this machine's $(nproc) cores;"
  echo "the mock's own ceiling is the direct 64-connection figure."
} | tee "$OUT/summary.md"
