"""Issue 18 item 5: the generation monitor's own Python API, ``monitor.export_metrics(path,
format=json|csv|excel|parquet, window=timedelta)`` and ``monitor.visualize_metrics(save_dir)``, as a
synthetic-data generator calls it, giving what `agentel metrics export` / `agentel plots` give."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import openai
import openpyxl
import pyarrow.parquet as pq
import pytest

import agentel
from testsupport import invoke_cli


def test_export_metrics_and_visualize_metrics_from_the_monitor(client: openai.OpenAI, tmp_path: Path) -> None:
    agentel.configure(metrics_interval_s=0)
    with agentel.generation.monitor("support-dialogues") as mon:
        for i in range(4):
            with mon.generation(conversation_length=2 + i) as g:
                reply = client.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": f"dialogue {i}"}]
                )
                g.usage(reply.usage.prompt_tokens, reply.usage.completion_tokens)
        written = {}
        for fmt, name in (
            ("json", "m.json"),
            ("csv", "m.csv"),
            ("excel", "m.xlsx"),
            ("parquet", "m.parquet"),
        ):
            written[fmt] = mon.export_metrics(str(tmp_path / name), format=fmt, window=timedelta(hours=1))
        charts = mon.visualize_metrics(str(tmp_path / "charts"))
        with pytest.raises(ValueError, match="format"):
            mon.export_metrics(str(tmp_path / "m.txt"), format="txt")
    agentel.shutdown()

    points = json.loads((tmp_path / "m.json").read_text())
    names = {p["metric"] for p in points}
    assert {"generation.requests", "generation.conversation.length", "gen_ai.client.token.usage"} <= names
    requests = [p for p in points if p["metric"] == "generation.requests"]
    assert sum(p["value"] for p in requests) == 4
    assert len(points) == written["json"] == written["csv"] == written["excel"] == written["parquet"]
    assert len(list(csv.DictReader(io.StringIO((tmp_path / "m.csv").read_text())))) == len(points)
    assert openpyxl.load_workbook(tmp_path / "m.xlsx").active.max_row == len(points) + 1
    assert pq.read_table(tmp_path / "m.parquet").num_rows == len(points)

    # the same points as the CLI's export over the same window
    cli = invoke_cli("metrics", "export", "--window", "1h", "--format", "json")
    assert cli.exit_code == 0, cli.output
    key = lambda p: (p["metric"], p["attributes"], p["value"])  # noqa: E731
    assert sorted(map(key, json.loads(cli.stdout))) == sorted(map(key, points))

    drawn = [c for c in charts if c["path"]]
    assert drawn and all(
        Path(c["path"]).is_file() and Path(c["path"]).parent == tmp_path / "charts" for c in drawn
    )
