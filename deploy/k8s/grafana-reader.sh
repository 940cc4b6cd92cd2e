#!/bin/bash
# First start of the ClickHouse container only (docker-entrypoint-initdb.d), after the schema:
# create Grafana's read-only account ($GRAFANA_CLICKHOUSE_USER) with SELECT on $CLICKHOUSE_DB.
# The collector keeps the writing account; Grafana never gets it.
(
  set -euo pipefail
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  db="${CLICKHOUSE_DB:-default}"
  user="${GRAFANA_CLICKHOUSE_USER:-grafana}"
  password="${GRAFANA_CLICKHOUSE_PASSWORD:-}"
  for pair in "CLICKHOUSE_DB=$db" "GRAFANA_CLICKHOUSE_USER=$user"; do
    case "${pair#*=}" in
      '' | *[!A-Za-z0-9_]*) echo "${pair%%=*} must be letters, digits or _, got '${pair#*=}'" >&2; exit 1 ;;
    esac
  done
  if [ -z "$password" ]; then
    echo "GRAFANA_CLICKHOUSE_PASSWORD is empty: set it (docker-compose.yaml passes it)" >&2
    exit 1
  fi
  # The password goes inside a SQL string literal: escape backslashes, then quotes.
  escaped="${password//\\/\\\\}"
  escaped="${escaped//\'/\\\'}"
  sql="$(<"$here/grafana-reader.sql.tmpl")"
  sql="${sql//__AGENTEL_DB__/"$db"}"
  sql="${sql//__GRAFANA_USER__/"$user"}"
  sql="${sql//__GRAFANA_PASSWORD__/"$escaped"}"
  # In the container's first start the server is local; the k8s Job names it (tcp://host:port).
  remote=()
  if [ -n "${CLICKHOUSE_ENDPOINT:-}" ]; then
    hostport="${CLICKHOUSE_ENDPOINT#*://}"
    hostport="${hostport%%/*}"
    remote=(--host "${hostport%%:*}")
    [ "$hostport" != "${hostport%%:*}" ] && remote+=(--port "${hostport##*:}")
  fi
  printf '%s\n' "$sql" \
    | clickhouse client "${remote[@]}" --user "${CLICKHOUSE_USER:-default}" --password "${CLICKHOUSE_PASSWORD:-}" --multiquery
  echo "read-only ClickHouse user ${user} created for Grafana (SELECT on ${db})"
)
