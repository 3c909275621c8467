#!/usr/bin/env bash
# Native AOT smoke (docs/decisions/0012-native-aot.md): publishes the gateway as a native linux-x64 executable, starts it on
# the embedded defaults (offline mock models), answers a chat request, a stream and the Anthropic and Responses shapes, and
# prints the binary's size. With --tests it then runs the process-level gateway tests and the Node client suite against
# the binary (LITELLM_GATEWAY_BINARY); the in-process tests (WebApplication in the test process) cannot use a native binary.
#
# Needs clang (Debian: clang-14, which the project file finds) and zlib1g-dev for the link. Usage:
#   bash eng/aot-smoke.sh [--tests] [--out DIR | --binary PATH]   (--binary: smoke an existing publish, skip publishing)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

run_tests=0
out="${TMPDIR:-/tmp}/litellm-aot"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tests) run_tests=1 ;;
    --out) out="$2"; shift ;;
    --binary) binary="$2"; shift ;;
    *) echo "usage: $0 [--tests] [--out DIR | --binary PATH]" >&2; exit 2 ;;
  esac
  shift
done

if [ -z "$binary" ]; then
  command -v clang > /dev/null || command -v clang-14 > /dev/null \
    || { echo "aot-smoke: no clang on this machine (apt-get install clang-14 zlib1g-dev)." >&2; exit 2; }
  start=$(date +%s)
  dotnet publish src/LiteLlm.Gateway -c Release -r linux-x64 -p:PublishAot=true -o "$out" -v q -nologo
  binary="$out/LiteLlm.Gateway"
  echo "aot-smoke: published in $(( $(date +%s) - start )) s"
fi
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
[ -x "$binary" ] || { echo "aot-smoke: $binary is not an executable." >&2; exit 2; }
echo "aot-smoke: $binary is $(du -m "$binary" | cut -f1) MB"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
work=$(mktemp -d)
(cd "$work" && exec "$binary" --port "$port" --host 127.0.0.1 > "$work/gateway.log" 2>&1) &
gateway=$!
trap 'kill $gateway 2>/dev/null || true; wait $gateway 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health/liveliness" > /dev/null 2>&1 && break
  kill -0 $gateway 2>/dev/null || { echo "aot-smoke: the gateway exited at start:" >&2; cat "$work/gateway.log" >&2; exit 1; }
  sleep 0.1
done

fail() { echo "aot-smoke: $1" >&2; cat "$work/gateway.log" >&2; exit 1; }
post() { curl -sS -m 20 "http://127.0.0.1:$port$1" -H 'content-type: application/json' -d "$2"; }

post /v1/chat/completions '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}' \
  | grep -q '"object":"chat.completion"' || fail "no chat completion"
post /v1/chat/completions '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}' \
  | grep -q '^data: \[DONE\]' || fail "no chat stream"
post /v1/messages '{"model":"claude-3-5-haiku","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}' \
  | grep -q '"type":"message"' || fail "no Anthropic message"
post /v1/responses '{"model":"gpt-4o-mini","input":"hi"}' | grep -q '"status":"completed"' || fail "no response"
post /v1/chat/completions '{"model":"gpt-4o-mini","messages":"nope"}' | grep -q '"error"' || fail "bad input was not refused"
echo "aot-smoke: the native gateway answered chat, a stream, Anthropic messages and Responses; RSS $(ps -o rss= -p $gateway | tr -d ' ') KB"
kill $gateway; wait $gateway 2>/dev/null || true

if [ "$run_tests" -eq 1 ]; then
  export LITELLM_GATEWAY_BINARY="$binary"
  dotnet test tests/LiteLlm.Gateway.Tests --filter "FullyQualifiedName~LiteLlm.Gateway.Tests.Reliability"
  bash tests/clients/run.sh
fi
