"""The engine interface behaves the same on both engines: bound parameters of every type, inserts,
raw formats, and bad SQL as a one-line StoreError."""

from __future__ import annotations

import json

import pytest

from agentel.store import StoreError
from agentel.store.engine import Engine


def test_parameters_are_bound_never_formatted(engine: Engine) -> None:
    r = engine.query(
        "SELECT {s:String} AS s, {n:Int64} AS n, {a:Array(String)} AS a, {xs:Array(Int64)} AS xs",
        {"s": "it's; DROP TABLE otel_traces", "n": 42, "a": ["x'y", "back\\slash"], "xs": [1, 2]},
    )
    assert r.dicts() == [
        {"s": "it's; DROP TABLE otel_traces", "n": 42, "a": ["x'y", "back\\slash"], "xs": [1, 2]}
    ]


def test_insert_rows_and_read_them_in_any_format(engine: Engine) -> None:
    engine.execute(
        "CREATE TABLE t (k String, v Float64, m Map(LowCardinality(String), String)) ENGINE = MergeTree ORDER BY k"
    )
    assert engine.insert("t", [{"k": "a", "v": 1.5, "m": {"x": "1"}}, {"k": "b", "v": 2.0, "m": {}}]) == 2
    assert engine.query("SELECT k, v, m FROM t ORDER BY k").rows == [("a", 1.5, {"x": "1"}), ("b", 2.0, {})]
    lines = engine.query_raw("SELECT k FROM t ORDER BY k", "JSONEachRow").decode().splitlines()
    assert [json.loads(x) for x in lines] == [{"k": "a"}, {"k": "b"}]


def test_bad_sql_is_a_one_line_store_error(engine: Engine) -> None:
    with pytest.raises(StoreError, match=r"UNKNOWN_TABLE|Unknown table") as info:
        engine.query("SELECT * FROM no_such_table")
    assert "\n" not in str(info.value)
