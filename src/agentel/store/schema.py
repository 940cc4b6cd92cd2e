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
