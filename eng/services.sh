#!/usr/bin/env bash
# Installs (Debian packages) and starts the real servers the integration tests use:
# Redis on 127.0.0.1:6379 and PostgreSQL 15 on 127.0.0.1:5432 (user/password litellm, database litellm_test).
# Idempotent: running it twice is harmless. Exits non-zero, naming the server, when Redis or PostgreSQL does not
# answer at the end: tests that need a server skip when it is absent, and CI must not pass on skipped tests.
set -euo pipefail

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -d /usr/lib/postgresql ] || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != "PONG" ]; then
  echo "eng/services.sh: Redis does not answer at 127.0.0.1:6379" >&2
  exit 1
fi
echo "redis: PONG"

if command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  if [ -n "$cluster" ]; then
    set -- $cluster
    pg_ctlcluster "$1" "$2" start >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break; sleep 0.2; done
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='litellm'\"" | grep -q 1 \
      || su postgres -c "psql -qc \"CREATE ROLE litellm LOGIN SUPERUSER PASSWORD 'litellm'\""
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='litellm_test'\"" | grep -q 1 \
      || su postgres -c "psql -qc \"CREATE DATABASE litellm_test OWNER litellm\""
  fi
fi
# Ask as the tests do (user litellm over TCP), not only whether the port is open.
if ! PGPASSWORD=litellm psql -h 127.0.0.1 -p 5432 -U litellm -d litellm_test -qtAc 'SELECT 1' 2>/dev/null | grep -q 1; then
  echo "eng/services.sh: PostgreSQL does not answer at 127.0.0.1:5432 (user litellm, database litellm_test)" >&2
  exit 1
fi
echo "postgres: $(pg_isready -h 127.0.0.1 -p 5432)"
