#!/usr/bin/env bash
# Runs the official OpenAI and Anthropic Node clients against a real gateway process (mock deployments, offline).
# Usage: dotnet build Integration.sln && bash tests/clients/run.sh
# LITELLM_GATEWAY_BINARY=path runs that executable (e.g. the Native AOT publish, eng/aot-smoke.sh) instead of the dll.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -n "${LITELLM_GATEWAY_BINARY:-}" ]; then
  [ -x "$LITELLM_GATEWAY_BINARY" ] || { echo "LITELLM_GATEWAY_BINARY=$LITELLM_GATEWAY_BINARY is not an executable." >&2; exit 2; }
  gateway_cmd=("$LITELLM_GATEWAY_BINARY")
else
  dll="$root/src/LiteLlm.Gateway/bin/${CONFIGURATION:-Debug}/net10.0/LiteLlm.Gateway.dll"
  [ -f "$dll" ] || { echo "Build first: $dll is missing." >&2; exit 2; }
  gateway_cmd=(dotnet "$dll")
fi

if [ ! -d "$here/node_modules" ]; then
  # Retried once: a registry hiccup should not fail the run.
  npm ci --prefix "$here" --no-audit --no-fund --loglevel=error \
    || { sleep 5; npm ci --prefix "$here" --no-audit --no-fund --loglevel=error; }
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The loopback Anthropic API claude-code.test.mjs starts, which the gateway's claude-code deployment calls.
upstream_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CLAUDE_CODE_UPSTREAM="http://127.0.0.1:$upstream_port"
(cd "$work" && exec "${gateway_cmd[@]}" --config "$here/gateway.yaml" --port "$port" --host 127.0.0.1 > "$work/gateway.log" 2>&1) &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; rm -rf "$work"' EXIT

for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/health/liveliness" > /dev/null 2>&1 && break
  kill -0 $gateway 2>/dev/null || { echo "The gateway exited at start:" >&2; cat "$work/gateway.log" >&2; exit 1; }
  sleep 0.2
done

cd "$here"
GATEWAY_URL="http://127.0.0.1:$port" GATEWAY_KEY=sk-client-conformance-master CLAUDE_CODE_UPSTREAM_PORT="$upstream_port" \
  node --test --test-reporter=spec openai.test.mjs anthropic.test.mjs claude-code.test.mjs responses.test.mjs sdks.test.mjs
