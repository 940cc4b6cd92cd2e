#!/bin/bash
# First start of the ClickHouse container only (docker-entrypoint-initdb.d): create agentel's
# tables, materialized views and views in $CLICKHOUSE_DB, with a TTL of $AGENTEL_TTL_DAYS days.
# A subshell, so that it behaves the same whether the entrypoint executes or sources it.
(
  set -euo pipefail
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  db="${CLICKHOUSE_DB:-default}"
  ttl_days="${AGENTEL_TTL_DAYS:-30}"
  case "$ttl_days" in
    '' | *[!0-9]* | 0) echo "AGENTEL_TTL_DAYS must be a positive integer, got '$ttl_days'" >&2; exit 1 ;;
  esac
  sed -e "s/__AGENTEL_DB__/${db}/g" -e "s/toIntervalDay(98765)/toIntervalDay(${ttl_days})/g" \
      "$here/agentel-schema.sql.tmpl" \
    | clickhouse client --user "${CLICKHOUSE_USER:-default}" --password "${CLICKHOUSE_PASSWORD:-}" --multiquery
  echo "agentel schema applied to database ${db} (TTL ${ttl_days} days)"
)
