"""The schema: ``schema/*.sql`` rendered for a database/prefix/TTL, applied once, versioned.

Each file is one migration, applied in order and recorded in ``agentel_schema_migrations``;
every statement is idempotent (IF NOT EXISTS / OR REPLACE), so applying twice, or concurrently on
a server, is harmless. The same rendered DDL initializes a ClickHouse server for the collector
(``create_schema: false`` there) and the deploy stack's init SQL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from importlib import resources

from agentel.store.engine import Engine, StoreError, _split_statements

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TTL = re.compile(r"\{ttl:([^}]*)\}")
_TABLE_TTL = re.compile(
    r"CREATE TABLE IF NOT EXISTS \{db\}\.\{prefix\}(\w+)\s*\((?:(?!CREATE ).)*?\{ttl:([^}]*)\}", re.S
)
_ENGINE_TTL = re.compile(r"\bTTL (.*?)(?: SETTINGS |$)")


@dataclass(frozen=True)
class SchemaOptions:
    """Where and how the tables are made."""

    database: str = "agentel"
    prefix: str = ""
    ttl_days: int = 30  # 0 = no TTL
    engine: str = "MergeTree()"

    def __post_init__(self) -> None:
        if not _IDENT.match(self.database):
            raise StoreError(f"database name {self.database!r}: use letters, digits and '_'")
        if self.prefix and not _IDENT.match(self.prefix):
            raise StoreError(f"table prefix {self.prefix!r}: use letters, digits and '_'")
        if self.ttl_days < 0:
            raise StoreError(f"TTL {self.ttl_days!r} days: use 0 (no TTL) or a positive number of days")


def migration_files() -> list[tuple[str, str]]:
    """(name, raw text) of every schema file, in order."""
    folder = resources.files("agentel.store").joinpath("schema")
    files = sorted(
        (f.name, f.read_text(encoding="utf-8")) for f in folder.iterdir() if f.name.endswith(".sql")
    )
    return files


def render(text: str, opts: SchemaOptions) -> str:
    """Fill the placeholders ``{db}``, ``{prefix}``, ``{engine}``, ``{ttl:EXPR}``."""
    ttl = (
        (lambda m: f"TTL {m.group(1)} + toIntervalDay({opts.ttl_days})") if opts.ttl_days else (lambda m: "")
    )
    text = _TTL.sub(ttl, text)
    return (
        text.replace("{db}", opts.database).replace("{prefix}", opts.prefix).replace("{engine}", opts.engine)
    )


def render_all(opts: SchemaOptions) -> str:
    """The whole DDL as one script (for a server's init SQL)."""
    parts = [f"CREATE DATABASE IF NOT EXISTS {opts.database};"]
    for name, text in migration_files():
        parts.append(f"-- {name}\n" + render(text, opts).strip())
    return "\n\n".join(parts) + "\n"


def ttl_columns() -> dict[str, str]:
    """table (without prefix) -> the time expression its TTL counts from, for every table with a TTL."""
    out: dict[str, str] = {}
    for _, text in migration_files():
        for m in _TABLE_TTL.finditer(text):
            out[m.group(1)] = m.group(2)
    return out


def reconcile_ttl(engine: Engine, opts: SchemaOptions) -> list[str]:
    """Make every table's TTL what ``opts`` says (tables made earlier keep the TTL they were made with
    until this runs); returns the tables changed. Shortening a TTL deletes the rows past it."""
    changed = []
    for table, expr in ttl_columns().items():
        name = opts.prefix + table
        r = engine.query(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}",
            {"db": opts.database, "t": name},
        )
        if not r.rows:
            continue
        m = _ENGINE_TTL.search(str(r.rows[0][0]))
        have = m.group(1).strip() if m else ""
        want = f"{expr} + toIntervalDay({opts.ttl_days})" if opts.ttl_days else ""
        if have.replace(" ", "") == want.replace(" ", ""):
            continue
        if want:
            engine.execute(f"ALTER TABLE {opts.database}.{name} MODIFY TTL {want}")
        elif have:
            engine.execute(f"ALTER TABLE {opts.database}.{name} REMOVE TTL")
        changed.append(name)
    return changed


def apply(engine: Engine, opts: SchemaOptions | None = None, *, set_ttl: bool = False) -> list[str]:
    """Apply the migrations not applied yet; returns their names.

    A new table gets the TTL of ``opts``; an existing table keeps its own unless ``set_ttl`` (the
    TTL was configured explicitly), which alters it to ``opts.ttl_days``.
    """
    opts = opts or SchemaOptions(database=engine.database)
    engine.execute(f"CREATE DATABASE IF NOT EXISTS {opts.database}")
    engine.execute(
        f"CREATE TABLE IF NOT EXISTS {opts.database}.agentel_schema_migrations "
        "(version String, checksum String, applied_at DateTime DEFAULT now()) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    done = {
        r[0]: r[1]
        for r in engine.query(
            f"SELECT version, checksum FROM {opts.database}.agentel_schema_migrations FINAL"
        ).rows
    }
    applied = []
    for name, text in migration_files():
        rendered = render(text, opts)
        # the TTL is left out of the version: changing it is reconcile_ttl's job, not a new schema
        checksum = hashlib.sha256(render(text, replace(opts, ttl_days=0)).encode()).hexdigest()[:16]
        if done.get(name) == checksum:
            continue
        for stmt in _split_statements(rendered):
            try:
                engine.execute(stmt)
            except StoreError as exc:
                raise StoreError(f"schema {name}: {exc}") from None
        engine.execute(
            f"INSERT INTO {opts.database}.agentel_schema_migrations (version, checksum) VALUES ({{v:String}}, {{c:String}})",
            {"v": name, "c": checksum},
        )
        applied.append(name)
    if set_ttl:
        reconcile_ttl(engine, opts)
    return applied


# --- a ClickHouse cluster ------------------------------------------------------------------------

_ZK_PATH = "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"
# Distributed sharding keys: a trace stays on one shard (trace lookups, span trees and the
# call/evaluation joins on SpanKey stay local); records without a trace spread evenly.
_BY_TRACE = "if(TraceId = '', rand(), cityHash64(TraceId))"
SHARDING_KEYS = {
    "otel_traces": "cityHash64(TraceId)",
    "otel_traces_trace_id_ts": "cityHash64(TraceId)",
    "otel_logs": _BY_TRACE,
    "otel_metrics_gauge": "cityHash64(MetricName, Attributes)",
    "otel_metrics_sum": "cityHash64(MetricName, Attributes)",
    "otel_metrics_histogram": "cityHash64(MetricName, Attributes)",
    "otel_metrics_exponential_histogram": "cityHash64(MetricName, Attributes)",
    "otel_metrics_summary": "cityHash64(MetricName, Attributes)",
    "llm_calls": "cityHash64(TraceId)",
    "eval_results": _BY_TRACE,
    "feedback_events": _BY_TRACE,
    "pack_events": _BY_TRACE,
    "evolution_run_spans": "cityHash64(TraceId)",
    "agentel_load_state": "cityHash64(Path)",  # every version of a path on one shard: FINAL holds
    "agentel_load_expired": "cityHash64(Path)",
}
_CREATE_TABLE = re.compile(r"^CREATE TABLE IF NOT EXISTS (\w+)\.(\w+) \(", re.S)
_REPLICATED = [
    (re.compile(r"ENGINE = MergeTree\(\)"), f"ENGINE = ReplicatedMergeTree({_ZK_PATH})"),
    (
        re.compile(r"ENGINE = ReplacingMergeTree\((\w+)\)"),
        f"ENGINE = ReplicatedReplacingMergeTree({_ZK_PATH}, \\1)",
    ),
    (re.compile(r"ENGINE = AggregatingMergeTree\b"), f"ENGINE = ReplicatedAggregatingMergeTree({_ZK_PATH})"),
]


def _ident(name: str, what: str) -> str:
    if not _IDENT.match(name):
        raise StoreError(f"{what} {name!r}: use letters, digits and '_'")
    return name


def render_cluster(opts: SchemaOptions, cluster: str, shards: int = 1, replicas: int = 1) -> str:
    """The DDL for a ClickHouse cluster, from the same migrations as :func:`render_all`.

    Each table becomes ``<name>_local`` (``Replicated*MergeTree`` with the single-node ORDER BY,
    PARTITION BY, TTL and settings) ``ON CLUSTER``, plus a ``Distributed`` table under the standard
    name with its sharding key (:data:`SHARDING_KEYS`); materialized views read and fill the local
    tables, so each shard computes its own part; the typed views read the Distributed tables;
    mutations and added columns apply to the local tables (added columns to the Distributed ones too).
    ``shards``/``replicas`` only shape the ``remote_servers`` example in the header.
    """
    cluster = _ident(cluster, "cluster name")
    if shards < 1 or replicas < 1:
        raise StoreError("--shards and --replicas: use 1 or more")
    db = opts.database
    on = f" ON CLUSTER {cluster}"
    statements: list[str] = []
    for _, text in migration_files():
        for stmt in _split_statements(render(text, replace(opts, engine="MergeTree()"))):
            lines = stmt.splitlines()
            while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
                lines.pop(0)  # a comment heading the statement
            statements.append("\n".join(lines))
    tables = [m.group(2) for s in statements if (m := _CREATE_TABLE.match(s))]

    def local(sql: str) -> str:
        # references to the data tables, in a view's SELECT or an ALTER, mean the local tables
        for t in sorted(tables, key=len, reverse=True):
            sql = re.sub(rf"\b{db}\.{t}\b(?!_)", f"{db}.{t}_local", sql)
        return sql

    out = [_cluster_header(cluster, db, shards, replicas), f"CREATE DATABASE IF NOT EXISTS {db}{on};"]
    for s in statements:
        m = _CREATE_TABLE.match(s)
        if m:
            name = m.group(2)
            body = s.replace(f"{db}.{name} (", f"{db}.{name}_local{on} (", 1)
            for pattern, repl in _REPLICATED:
                body = pattern.sub(repl, body, count=1)
            key = SHARDING_KEYS.get(
                name[len(opts.prefix) :] if name.startswith(opts.prefix) else name, "rand()"
            )
            out.append(body + ";")
            out.append(
                f"CREATE TABLE IF NOT EXISTS {db}.{name}{on} AS {db}.{name}_local\n"
                f"ENGINE = Distributed({cluster}, {db}, {name}_local, {key});"
            )
        elif s.startswith("CREATE MATERIALIZED VIEW"):
            mv = re.match(r"CREATE MATERIALIZED VIEW IF NOT EXISTS (\S+)", s)
            assert mv is not None
            out.append(local(s).replace(mv.group(0), mv.group(0) + on, 1) + ";")
        elif s.startswith("CREATE OR REPLACE VIEW"):
            v = re.match(r"CREATE OR REPLACE VIEW (\S+)", s)
            assert v is not None
            out.append(s.replace(v.group(0), v.group(0) + on, 1) + ";")
        elif s.startswith("DROP VIEW IF EXISTS"):
            out.append(re.sub(r"^(DROP VIEW IF EXISTS \S+)", rf"\1{on}", s) + ";")
        elif s.startswith("ALTER TABLE"):
            a = re.match(r"ALTER TABLE (\S+)", s)
            assert a is not None
            out.append(local(s).replace(local(a.group(0)), local(a.group(0)) + on, 1) + ";")
            if " ADD COLUMN " in s:
                out.append(s.replace(a.group(0), a.group(0) + on, 1) + ";")
        else:
            raise StoreError(f"schema statement the cluster render does not know: {s[:80]}")
    return "\n\n".join(out) + "\n"


def _cluster_header(cluster: str, db: str, shards: int, replicas: int) -> str:
    hosts = "\n".join(
        "--   <shard><internal_replication>true</internal_replication>"
        + "".join(
            f"<replica><host>ch-{s}-{r}</host><port>9000</port></replica>" for r in range(1, replicas + 1)
        )
        + "</shard>"
        for s in range(1, shards + 1)
    )
    return (
        f"-- agentel store DDL for the ClickHouse cluster '{cluster}' ({shards} shard(s) x {replicas} replica(s)),\n"
        f"-- database {db}. Needs ClickHouse Keeper and the macros {{shard}} and {{replica}} on every node;\n"
        f"-- remote_servers (config.d), hosts named here ch-SHARD-REPLICA:\n"
        f"-- <{cluster}>\n{hosts}\n-- </{cluster}>"
    )
