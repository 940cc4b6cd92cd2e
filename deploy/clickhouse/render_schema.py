"""Write the ClickHouse server's init SQL from agentel's store DDL (the same migrations the
embedded store applies), as a template the container's init script fills in:

    python deploy/clickhouse/render_schema.py     # rewrites deploy/clickhouse/initdb/agentel-schema.sql.tmpl

`__AGENTEL_DB__` becomes $CLICKHOUSE_DB and the TTL days $AGENTEL_TTL_DAYS (default 30) when the
container first starts (initdb/10-agentel-schema.sh). A test fails when the template is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agentel.store.schema import SchemaOptions, render_all

DB_PLACEHOLDER = "__AGENTEL_DB__"
TTL_SENTINEL = 98765  # days; replaced by $AGENTEL_TTL_DAYS at init
OUT = Path(__file__).resolve().parent / "initdb" / "agentel-schema.sql.tmpl"


def template() -> str:
    header = (
        "-- agentel store DDL for a ClickHouse server: rendered from src/agentel/store/schema/*.sql by\n"
        "-- deploy/clickhouse/render_schema.py; filled in and applied by 10-agentel-schema.sh. Do not edit.\n"
    )
    return header + render_all(SchemaOptions(database=DB_PLACEHOLDER, ttl_days=TTL_SENTINEL))


def main() -> int:
    OUT.write_text(template())
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
