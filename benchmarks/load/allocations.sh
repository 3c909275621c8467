#!/usr/bin/env bash
# Needs a Release build (dotnet build -c Release src/LiteLlm.Gateway tests/LiteLlm.MockUpstream), hey, and dotnet-counters
# (dotnet tool install -g dotnet-counters). Usage: bash benchmarks/load/allocations.sh [repo dir]
# Bytes allocated per proxied request: dotnet-counters' per-second dotnet.gc.heap.total_allocated summed over a window
# that holds a fixed number of requests (after a warm-up of the same size), divided by that number.
set -e
cd "${1:-$(dirname "$0")/../..}"
MOCK=18231; GW=18232; OUT=$(mktemp -d)
dotnet tests/LiteLlm.MockUpstream/bin/Release/net10.0/LiteLlm.MockUpstream.dll --port $MOCK --chunks 20 > $OUT/mock.log 2>&1 & M=$!
cat > $OUT/config.yaml <<Y
model_list:
  - model_name: bench
    litellm_params: {model: openai/mock-model, api_base: "http://127.0.0.1:$MOCK/v1", api_key: bench-key}
Y
DOTNET_gcServer=0 dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config $OUT/config.yaml --port $GW > $OUT/gw.log 2>&1 & G=$!
sleep 4
body='{"model":"bench","messages":[{"role":"user","content":"Say hello."}]}'
hey -n 20000 -c 8 -m POST -T application/json -d "$body" http://127.0.0.1:$GW/v1/chat/completions > /dev/null
for n in 1 2; do
  ${DOTNET_COUNTERS:-$HOME/.dotnet/tools/dotnet-counters} collect -p $G --counters System.Runtime --format csv -o $OUT/c$n.csv --refresh-interval 1 --duration 00:00:12 > /dev/null 2>&1 &
  C=$!; sleep 2
  hey -n 20000 -c 8 -m POST -T application/json -d "$body" http://127.0.0.1:$GW/v1/chat/completions | grep -E "Requests/sec|\[200\]"
  wait $C || true
  grep -i "total_allocated\|Allocation Rate" $OUT/c$n.csv | awk -F, '{s+=$NF} END {printf "allocated in window: %.0f bytes -> %.0f B/request\n", s, s/20000}'
done
kill $G $M
