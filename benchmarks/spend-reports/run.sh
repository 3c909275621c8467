#!/usr/bin/env bash
# Spend reports over a large spend table: fills a throw-away PostgreSQL database with --rows spend rows (default
# 1,000,000: 90 days, 50 teams, 500 keys, 8 models, a third of the rows tagged) through the schema the gateway creates,
# then times the report endpoints through the gateway (each asked 5 times; the median is printed):
#   bash benchmarks/spend-reports/run.sh [--rows 1000000] [--no-build]
# Needs PostgreSQL (eng/services.sh; LITELLM_BENCH_POSTGRES overrides the admin connection URL). Not part of the test run.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROWS=1000000; BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

ADMIN="${LITELLM_BENCH_POSTGRES:-postgresql://litellm:litellm@127.0.0.1:5432/litellm_test}"
DB="litellm_bench_$(date +%s)"
BASE="${ADMIN%/*}"
OUT="benchmarks/spend-reports/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

[ "$BUILD" = 1 ] && nice dotnet build src/LiteLlm.Gateway -c Release -v q -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GW=$(free_port)
MASTER="sk-bench-master-$(date +%s)"
GWPID=""
cleanup() {
  [ -n "$GWPID" ] && kill "$GWPID" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE);" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql -q "$ADMIN" -c "CREATE DATABASE $DB;" >/dev/null
cat > "$OUT/config.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: mock/bench}
general_settings:
  master_key: $MASTER
  database_url: $BASE/$DB
YAML
dotnet src/LiteLlm.Gateway/bin/Release/net10.0/LiteLlm.Gateway.dll --config "$OUT/config.yaml" --port "$GW" --host 127.0.0.1 > "$OUT/gateway.log" 2>&1 & GWPID=$!
for i in $(seq 1 300); do
  [ "$(curl -s "http://127.0.0.1:$GW/health/readiness" | jq -r .db 2>/dev/null)" = connected ] && break
  [ "$i" = 300 ] && { echo "the gateway never became ready; see $OUT/gateway.log" >&2; exit 1; }
  sleep 0.1
done

echo "filling $ROWS spend rows..."
START_MS=$(( ($(date +%s) - 90 * 86400) * 1000 ))
psql -q "$BASE/$DB" >/dev/null <<SQL
INSERT INTO litellm_spend_logs (request_id, api_key, user_id, team_id, model_group, deployment, provider, model, prompt_tokens,
  completion_tokens, total_tokens, cached_tokens, spend, latency_ms, cache_hit, status, start_time, end_time, endpoint, request_tags)
SELECT 'bench-' || g, encode(sha256(('key-' || (g % 500))::bytea), 'hex'), 'user-' || (g % 200), 'team-' || (g % 50), 'model-' || (g % 8), 'dep', 'mock', 'mock/bench',
  100, 50, 150, 0, 0.0001 * (1 + g % 7), 120.5, 0, 'success',
  $START_MS + (g::bigint * 90 * 86400000 / $ROWS), $START_MS + (g::bigint * 90 * 86400000 / $ROWS) + 500, '/chat/completions',
  CASE WHEN g % 3 = 0 THEN '["tag-' || (g % 20) || '"]' END
FROM generate_series(1, $ROWS) AS g;
INSERT INTO litellm_spend_tags (request_id, tag, start_time, spend)
SELECT request_id, 'tag-' || (substr(request_id, 7)::bigint % 20), start_time, spend FROM litellm_spend_logs WHERE request_tags IS NOT NULL;
ANALYZE;
SQL

FROM=$(date -u -d "@$(( $(date +%s) - 30 * 86400 ))" +%Y-%m-%d); TO=$(date -u +%Y-%m-%d)
time_endpoint() {
  local name="$1" path="$2" times=()
  for i in 1 2 3 4 5; do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $MASTER" "http://127.0.0.1:$GW$path")")
  done
  printf '%-48s median %ss  (%s)\n' "$name" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)" "${times[*]}"
}
{
  echo "rows: $ROWS, range: $FROM .. $TO"
  time_endpoint "/global/spend/report (30 days, by team)" "/global/spend/report?start_date=$FROM&end_date=$TO"
  time_endpoint "/global/spend/report (30 days, by api_key)" "/global/spend/report?start_date=$FROM&end_date=$TO&group_by=api_key"
  time_endpoint "/global/spend/report (30 days, by model)" "/global/spend/report?start_date=$FROM&end_date=$TO&group_by=model"
  time_endpoint "/spend/tags (30 days)" "/spend/tags?start_date=$FROM&end_date=$TO"
  time_endpoint "/spend/tags (all time)" "/spend/tags"
  time_endpoint "/spend/logs (one key, page 1)" "/spend/logs?api_key=$(printf key-7 | sha256sum | cut -d' ' -f1)"
  time_endpoint "/global/spend" "/global/spend"
} | tee "$OUT/summary.txt"
