"""Metric points export to JSON, CSV, Parquet and Excel, and read back equal."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from agentel.analytics import formats, questions
from agentel.analytics.window import Window
from agentel.store.engine import Engine
from testsupport import ExampleData


def test_metric_points_round_trip_every_format(seeded: ExampleData, engine: Engine, tmp_path: Path) -> None:
    rows = questions.metric_points(engine, Window.parse(window="1h"))
    assert rows and {"training.loss", "gen_ai.client.operation.duration", "consortium.confidence"} <= {
        r["metric"] for r in rows
    }
    n = len(rows)
    for fmt in formats.FILE_FORMATS:
        assert formats.write_file(rows, str(tmp_path / f"m.{fmt}"), fmt) == n
    from_json = json.loads((tmp_path / "m.json").read_text())
    assert from_json == formats.clean(rows)
    csv = pd.read_csv(tmp_path / "m.csv")
    parquet = pq.read_table(tmp_path / "m.parquet").to_pandas()
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx", read_only=True)
    sheet = list(wb["data"].values)
    wb.close()
    header, body = list(sheet[0]), sheet[1:]
    assert len(csv) == len(parquet) == len(body) == n
    assert list(csv.columns) == list(parquet.columns) == header == list(rows[0])
    for i in (0, n // 2, n - 1):
        want = rows[i]
        assert (
            csv.loc[i, "metric"]
            == parquet.loc[i, "metric"]
            == body[i][header.index("metric")]
            == want["metric"]
        )
        assert parquet.loc[i, "value"] == pytest.approx(want["value"], nan_ok=True)
        assert parquet.loc[i, "attributes"] == body[i][header.index("attributes")] == want["attributes"]
        t = pd.Timestamp(want["time"], tz="UTC")
        assert parquet.loc[i, "time"] == t
        assert pd.Timestamp(body[i][header.index("time")], tz="UTC") == t.floor("us")
    assert str(parquet["time"].dtype).startswith("datetime64")


def test_counter_totals_match_the_example(seeded: ExampleData, engine: Engine) -> None:
    train = seeded.summaries["training_loop"]
    last: dict[str, float] = {}
    for r in questions.metric_points(engine, Window(), metric="training.cache.*"):
        last[r["metric"]] = r["value"]  # cumulative: the last point is the total
    assert last == {
        "training.cache.hits": train["cache_hits"],
        "training.cache.misses": train["cache_misses"],
    }
    assert questions.metric_points(engine, Window(), metric="no.such.metric") == []
