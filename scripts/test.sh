#!/usr/bin/env bash
# Runs every test of promspec. Installs what the tests need first (promtool and
# the Prometheus server, amtool, Alertmanager, vmalert, exporters, PostgreSQL,
# Redis, the Grafana schema types): a
# missing tool is installed, never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
[ -x /usr/bin/prometheus ] || need_apt+=(prometheus)   # tests/e2e.rs runs the server
command -v amtool >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
command -v vmalert >/dev/null 2>&1 || need_apt+=(victoria-metrics)   # tests/it/targets.rs
# tests/it/catalog_live.rs: exporters, and the PostgreSQL and Redis they watch
[ -x /usr/bin/prometheus-node-exporter ] || need_apt+=(prometheus-node-exporter)
[ -x /usr/bin/prometheus-postgres-exporter ] || need_apt+=(prometheus-postgres-exporter)
[ -x /usr/bin/prometheus-redis-exporter ] || need_apt+=(prometheus-redis-exporter)
[ -x /usr/bin/prometheus-blackbox-exporter ] || need_apt+=(prometheus-blackbox-exporter)
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need_apt+=(postgresql-15)
if [ -f tests/grafana-schema/package.json ]; then
  command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}"
fi

if [ -f tests/grafana-schema/package.json ]; then
  (cd tests/grafana-schema && npm ci --no-audit --no-fund --loglevel=error)
fi

export CI="${CI:-true}"   # snapshot mismatches fail instead of writing .snap.new
cargo test --all-targets --locked "$@"
