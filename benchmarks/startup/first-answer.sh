#!/usr/bin/env bash
# Start to first answered request: starts the gateway command given (embedded defaults: offline mock models), sends a
# chat request every 10 ms until one is answered, prints the RSS after 2 s idle, then stops the gateway. Time the whole run
# from outside (hyperfine, /usr/bin/time -v); the run is the start-to-first-answer time plus about 10 ms of polling.
#   bash benchmarks/startup/first-answer.sh [--idle-rss] -- COMMAND [ARG ...]
#   e.g. -- dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll   or   -- /tmp/litellm-aot/LiteLlm.Gateway
set -euo pipefail
idle_rss=0
[ "${1:-}" = "--idle-rss" ] && { idle_rss=1; shift; }
[ "${1:-}" = "--" ] && shift
port="${PORT:-4519}"
work=$(mktemp -d)
cd "$work"
"$@" --port "$port" --host 127.0.0.1 > "$work/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true; rm -rf "$work"' EXIT
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
until curl -fsS -m 5 "http://127.0.0.1:$port/v1/chat/completions" -H 'content-type: application/json' -d "$body" > /dev/null 2>&1; do
  kill -0 $gateway 2>/dev/null || { cat "$work/gateway.log" >&2; exit 1; }
  sleep 0.01
done
if [ "$idle_rss" -eq 1 ]; then
  sleep 2
  echo "idle RSS: $(ps -o rss= -p $gateway | tr -d ' ') KB"
fi
