"""Hostile records never abort an ingest run, and what ingest reports never quotes a secret.

Deeply nested JSON, ``timestamp: 1e30``, ``latency_s: 1e308``, a year past 2262: each such record
is set aside with its reason (the file goes to quarantine with a ``.reason`` listing it) and every
other record of the run is ingested. Error messages that quote a bad value pass the redactor
before they reach ``--format json`` output or a ``.reason`` file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_samples import agentel_record, write_json, write_jsonl

from agentel.cli import cli
from agentel.ingest import DirectorySource, Ingestor
from agentel.testing import capture

DEEP = '{"model": "gpt-4o", "prompt": ' + "[" * 100_000 + "]" * 100_000 + ', "answer": "x"}'
SECRET_EMAIL = "alice.secret@example.com"


def _hostile_lines() -> list[str]:
    return [
        json.dumps(agentel_record(1)),
        DEEP,
        json.dumps(agentel_record(2, timestamp=1e30)),
        json.dumps(agentel_record(3, latency_s=1e308)),
        json.dumps(agentel_record(4, timestamp="9999-12-31T23:59:59Z")),
        json.dumps(agentel_record(5, latency_s=float("inf"))).replace("Infinity", "1e999"),
        json.dumps(agentel_record(6, timestamp=-5)),
        json.dumps(agentel_record(7)),
    ]


def test_hostile_records_are_quarantined_and_the_rest_ingested(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text("\n".join(_hostile_lines()) + "\n")
    write_jsonl(logs / "b.jsonl", [agentel_record(8), agentel_record(9)])
    (logs / "deep.json").write_text(DEEP)
    with capture() as cap, Ingestor(DirectorySource(str(logs))) as ing:
        report = ing.ingest_once()
    by_name = {f.name: f for f in report.files}
    a = by_name["a.jsonl"]
    assert (a.outcome, a.records) == ("quarantined", 2), a.as_dict()
    problems = "\n".join(a.problems)
    for where in ("line 2", "line 3", "line 4", "line 5", "line 6", "line 7"):
        assert where in problems, problems
    assert "nested too deeply" in problems
    assert by_name["b.jsonl"].outcome == "ingested" and by_name["b.jsonl"].records == 2
    assert by_name["deep.json"].outcome == "quarantined"
    assert "nested too deeply" in by_name["deep.json"].reason
    reason = (logs / "quarantine" / "a.jsonl.reason").read_text()
    assert "line 3" in reason and "timestamp" in reason
    spans = [s for s in cap.span_dicts() if s["name"].startswith("chat ")]
    assert len(spans) == 4  # records 1, 7, 8, 9


def test_an_ingested_record_never_has_a_time_out_of_range(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    write_jsonl(logs / "a.jsonl", [agentel_record(1, timestamp=9e9, latency_s=1e9)])
    with capture(), Ingestor(DirectorySource(str(logs))) as ing:
        report = ing.ingest_once()
    assert report.files[0].outcome == "quarantined"
    assert "2262" in report.files[0].problems[0]


def test_errors_quoting_input_are_redacted_in_json_output_and_reason_files(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    write_jsonl(
        logs / "a.jsonl",
        [
            agentel_record(1),
            agentel_record(2, timestamp=SECRET_EMAIL),
            agentel_record(3, format=f"password={SECRET_EMAIL}"),
        ],
    )
    write_json(logs / "b.json", {"model": "m", "prompt": "p", "answer": "a", "latency_s": SECRET_EMAIL})
    result = CliRunner().invoke(
        cli, ["ingest", str(logs), "--format", "json", "--no-checks"], catch_exceptions=False
    )
    out = result.output
    assert json.loads(out[out.index("{") :])["quarantined"] == 2, out
    assert SECRET_EMAIL not in out
    for reason in (logs / "quarantine").glob("*.reason"):
        text = reason.read_text()
        assert "line 2" in text or "record 1" in text
        assert SECRET_EMAIL not in text, text


@pytest.mark.parametrize("value", [1e30, 1e308, "9999-01-01T00:00:00Z", "0001-01-01T00:00:00Z"])
def test_out_of_range_times_are_format_errors(value: object) -> None:
    from agentel.ingest.formats import FormatError, parse_time_ns

    with pytest.raises(FormatError, match="2262"):
        parse_time_ns(value)
