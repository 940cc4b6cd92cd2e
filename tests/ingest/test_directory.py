"""Ingest of a directory: valid, malformed, truncated, huge and duplicate files. Nothing is lost
(every good record is a span; every bad file is kept in quarantine with its reason) and nothing
is loaded twice (re-runs, copies, fixed files put back)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner
from ingest_samples import agentel_record, anthropic_pair, openai_pair, write_json, write_jsonl

import agentel
from agentel.cli import cli
from agentel.ingest import DirectorySource, IngestBusyError, Ingestor, LogFile, LogSource
from agentel.store import SchemaOptions, apply, open_engine
from agentel.store.loader import load
from agentel.testing import Capture, capture


@pytest.fixture()
def logs(tmp_path: Path) -> Path:
    d = tmp_path / "logs"
    d.mkdir()
    return d


def ingest(directory: Path, **kw: object) -> tuple[object, Capture]:
    with capture() as cap, Ingestor(DirectorySource(str(directory), **kw)) as ing:  # type: ignore[arg-type]
        report = ing.ingest_once()
    return report, cap


def llm_spans(cap: Capture) -> list[dict]:
    return [s for s in cap.span_dicts() if s["name"].startswith("chat ")]


def test_valid_files_of_every_format(logs: Path) -> None:
    write_json(logs / "a.json", openai_pair(1))
    write_json(logs / "b.json", [anthropic_pair(1), anthropic_pair(2)])
    write_json(logs / "c.json", {"records": [agentel_record(1)]})
    write_jsonl(logs / "d.jsonl", [agentel_record(2), openai_pair(2), anthropic_pair(3)])
    report, cap = ingest(logs)
    assert report.as_dict()["ingested"] == 4 and report.records == 7  # type: ignore[attr-defined]
    spans = llm_spans(cap)
    assert sorted(s["attributes"]["agentel.ingest.format"] for s in spans) == [
        "agentel",
        "agentel",
        "anthropic.messages",
        "anthropic.messages",
        "anthropic.messages",
        "openai.chat",
        "openai.chat",
    ]
    oa = next(s for s in spans if s["attributes"].get("gen_ai.response.id") == "chatcmpl-000001")
    assert oa["kind"] == "CLIENT" and oa["parent"] is None
    assert oa["attributes"]["gen_ai.usage.input_tokens"] == 20
    assert oa["attributes"]["agentel.cost.total_usd"] > 0  # priced at the call's date
    assert "gen_ai.input.messages" in oa["attributes"]  # content is captured by default (redacted)
    raw = next(s for s in cap.spans if s.attributes.get("gen_ai.response.id") == "chatcmpl-000001")
    assert (raw.start_time, raw.end_time) == (1_767_225_601 * 10**9, 1_767_225_601 * 10**9 + 640_000_000)
    assert sorted(os.listdir(logs)) == [
        ".agentel-ingest",
        "processed_a.json",
        "processed_b.json",
        "processed_c.json",
        "processed_d.jsonl",
    ]
    # checks ran on the content (before capture decided to drop it) and point at each span
    checks = cap.events("gen_ai.evaluation.result")
    assert {(r.log_record.trace_id, r.log_record.span_id) for r in checks} == {
        (s["trace_id"], s["span_id"]) for s in spans
    }


def test_content_is_kept_when_capture_is_on(logs: Path) -> None:
    write_json(logs / "a.json", openai_pair(1))
    with capture(capture_content=True) as cap, Ingestor(DirectorySource(str(logs))) as ing:
        ing.ingest_once()
    attrs = llm_spans(cap)[0]["attributes"]
    assert json.loads(attrs["gen_ai.output.messages"])[0]["parts"][0]["content"] == "Paris."


def test_malformed_truncated_and_huge_files_are_quarantined_with_reasons(logs: Path) -> None:
    write_json(logs / "good.json", agentel_record(1))
    (logs / "truncated.json").write_text(json.dumps(openai_pair(5))[:-40])
    (logs / "not_json.json").write_text("model: gpt-4o\nprompt: hi\n")
    write_json(logs / "unknown.json", {"hello": "world"})
    (logs / "empty.json").write_text("")
    (logs / "binary.json").write_bytes(b"\x1f\x8b\x08\x00\xff\xfe")
    write_json(logs / "huge.json", [agentel_record(i) for i in range(200)])
    mixed = "".join(
        [
            json.dumps(agentel_record(10)) + "\n",
            "{not json\n",
            json.dumps({"model": "m"}) + "\n",
            json.dumps(agentel_record(11)) + "\n",
            json.dumps(agentel_record(12))[:30],  # the writer died mid-line
        ]
    )
    (logs / "mixed.jsonl").write_text(mixed)
    with capture() as cap, Ingestor(DirectorySource(str(logs)), max_bytes=8_000) as ing:
        report = ing.ingest_once()
    outcomes = {f.name: f.outcome for f in report.files}
    assert outcomes == {
        "good.json": "ingested",
        "truncated.json": "quarantined",
        "not_json.json": "quarantined",
        "unknown.json": "quarantined",
        "empty.json": "quarantined",
        "binary.json": "quarantined",
        "huge.json": "quarantined",
        "mixed.jsonl": "quarantined",
    }
    q = logs / "quarantine"
    reasons = {p.name.removesuffix(".reason"): p.read_text() for p in q.glob("*.reason")}
    assert set(reasons) == set(outcomes) - {"good.json"}
    assert all((q / name).exists() for name in reasons)  # the file itself is kept: nothing lost
    assert "the file ends early: truncated?" in reasons["truncated.json"]
    assert "invalid JSON at line 1, column 1" in reasons["not_json.json"]
    assert "not a known log format" in reasons["unknown.json"]
    assert "empty file" in reasons["empty.json"]
    assert "not UTF-8" in reasons["binary.json"]
    assert "too large" in reasons["huge.json"] and "--max-bytes" in reasons["huge.json"]
    mixed_reason = reasons["mixed.jsonl"]
    assert "3 record(s) could not be read; the other 2 were ingested" in mixed_reason
    assert "line 2, column 2: invalid JSON" in mixed_reason
    assert "line 3: not a known log format" in mixed_reason
    assert "line 5, column" in mixed_reason and "(the last line has no end: truncated?)" in mixed_reason
    assert sorted(s["attributes"]["agentel.ingest.file"] for s in llm_spans(cap)) == [
        "good.json",
        "mixed.jsonl",
        "mixed.jsonl",
    ]


def test_nothing_is_ingested_twice(logs: Path) -> None:
    write_jsonl(logs / "day1.jsonl", [openai_pair(1), openai_pair(2)])
    _, first = ingest(logs)
    assert len(llm_spans(first)) == 2
    # a re-sent batch overlapping the first, a byte-identical copy, and a re-run
    write_jsonl(logs / "day1-resent.jsonl", [openai_pair(2), openai_pair(3)])
    (logs / "copy.jsonl").write_bytes((logs / "processed_day1.jsonl").read_bytes())
    report, second = ingest(logs)
    by_name = {f.name: f for f in report.files}  # type: ignore[attr-defined]
    assert by_name["copy.jsonl"].outcome == "duplicate"
    assert (by_name["day1-resent.jsonl"].records, by_name["day1-resent.jsonl"].duplicates) == (1, 1)
    assert [s["attributes"]["gen_ai.response.id"] for s in llm_spans(second)] == ["chatcmpl-000003"]
    report, third = ingest(logs)
    assert report.files == [] and llm_spans(third) == []  # type: ignore[attr-defined]


def test_a_fixed_file_put_back_adds_only_what_was_missing(logs: Path) -> None:
    lines = [
        json.dumps(agentel_record(1)),
        '{"model": "gpt-4o", "prompt": "x", "answer": ',
        json.dumps(agentel_record(3)),
    ]
    (logs / "batch.jsonl").write_text("\n".join(lines) + "\n")
    _, first = ingest(logs)
    assert len(llm_spans(first)) == 2
    fixed = logs / "quarantine" / "batch.jsonl"
    fixed.write_text(fixed.read_text().replace('"answer": \n', '"answer": "ok"}\n'))
    os.replace(fixed, logs / "batch.jsonl")
    report, second = ingest(logs)
    assert report.files[0].outcome == "ingested"  # type: ignore[attr-defined]
    assert (report.files[0].records, report.files[0].duplicates) == (1, 2)  # type: ignore[attr-defined]
    (added,) = llm_spans(second)
    assert added["attributes"]["agentel.usage.estimated"] is True  # the record gave no usage


def test_record_mode_leaves_files_in_place(logs: Path) -> None:
    path = write_jsonl(logs / "app.jsonl", [agentel_record(1)])
    report, _ = ingest(logs, mark="record")
    assert report.count("ingested") == 1 and path.exists()  # type: ignore[attr-defined]
    report, _ = ingest(logs, mark="record")
    assert report.files == []  # type: ignore[attr-defined]
    with path.open("a") as fh:  # the application appends: the file is offered again, old records skipped
        fh.write(json.dumps(agentel_record(2)) + "\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    report, cap = ingest(logs, mark="record")
    assert (report.files[0].records, report.files[0].duplicates) == (1, 1)  # type: ignore[attr-defined]
    assert len(llm_spans(cap)) == 1


def test_a_custom_prefix_and_quarantine_folder(logs: Path, tmp_path: Path) -> None:
    write_json(logs / "a.json", agentel_record(1))
    (logs / "b.json").write_text("{")
    ingest(logs, prefix="done.", quarantine_dir=str(tmp_path / "bad"))
    assert sorted(os.listdir(logs)) == [".agentel-ingest", "done.a.json"]
    assert sorted(os.listdir(tmp_path / "bad")) == ["b.json", "b.json.reason"]


def test_settle_time_leaves_files_still_being_written(logs: Path) -> None:
    write_json(logs / "a.json", agentel_record(1))
    now = [os.stat(logs / "a.json").st_mtime + 0.5]
    source = DirectorySource(str(logs), settle_s=2.0, clock=lambda: now[0])
    assert list(source.iter_files()) == []
    now[0] += 2
    assert [f.name for f in source.iter_files()] == ["a.json"]


def test_one_ingest_per_source(logs: Path) -> None:
    with Ingestor(DirectorySource(str(logs))), pytest.raises(IngestBusyError, match="another agentel ingest"):
        Ingestor(DirectorySource(str(logs)))


class MemorySource(LogSource):
    """A source that is not a directory: the interface is enough for the ingest loop."""

    name = "memory"

    def __init__(self, files: dict[str, bytes], state_dir: str) -> None:
        self.files = files
        self._state = state_dir
        self.processed: list[str] = []
        self.quarantined: dict[str, str] = {}

    def iter_files(self) -> Iterator[LogFile]:
        for name, data in sorted(self.files.items()):
            yield LogFile(name, len(data), 1_767_225_600.0)

    def open(self, item: LogFile) -> IO[bytes]:
        return io.BytesIO(self.files[item.name])

    def mark_processed(self, item: LogFile) -> None:
        self.processed.append(item.name)
        del self.files[item.name]

    def quarantine(self, item: LogFile, reason: str) -> None:
        self.quarantined[item.name] = reason
        del self.files[item.name]

    @property
    def state_dir(self) -> str:
        return self._state


def test_another_source_plugs_into_the_same_loop(tmp_path: Path) -> None:
    src = MemorySource(
        {"x.json": json.dumps(agentel_record(1)).encode(), "y.jsonl": b"nope\n"}, str(tmp_path / "state")
    )
    with capture() as cap, Ingestor(src) as ing:
        report = ing.ingest_once()
    assert src.processed == ["x.json"] and list(src.quarantined) == ["y.jsonl"]
    assert report.records == 1 and len(llm_spans(cap)) == 1
    assert llm_spans(cap)[0]["attributes"]["run"] == "import-1"


def test_ingested_calls_reach_the_store_once(logs: Path, tmp_path: Path) -> None:
    """Through the CLI: files → spans/checks in AGENTEL_DIR → loaded → llm_logs and eval_checks."""
    write_jsonl(logs / "a.jsonl", [openai_pair(i) for i in range(1, 6)])
    write_json(
        logs / "b.json",
        [anthropic_pair(1), agentel_record(1, answer="I'm sorry, but I can't help with that.")],
    )
    (logs / "c.json").write_text("[")
    runner = CliRunner()
    first = runner.invoke(cli, ["ingest", str(logs), "--capture-content"])
    assert first.exit_code == 0, first.output
    assert "2 ingested, 0 duplicate, 1 quarantined; 7 call(s) recorded" in first.stdout
    assert "older than the store's TTL" in first.stderr
    (logs / "again.jsonl").write_bytes((logs / "processed_a.jsonl").read_bytes())
    second = runner.invoke(cli, ["ingest", str(logs), "--format", "json"])
    assert json.loads(second.stdout)["duplicate"] == 1

    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine, SchemaOptions(ttl_days=0))  # the logs are from January: keep them
        load(engine, [os.environ["AGENTEL_DIR"]])
        calls = engine.query(
            "SELECT count() AS n, uniqExact(trace_id) AS traces, countIf(response != '') AS content, "
            "countIf(cost > 0) AS priced, min(timestamp) AS first FROM llm_logs"
        ).dicts()[0]
        refusals = engine.query(
            "SELECT l.model FROM eval_checks e JOIN llm_logs l ON l.span_id = e.span_id "
            "WHERE e.check_name = 'refusal' AND NOT e.passed"
        ).rows
    finally:
        engine.close()
    assert calls["n"] == calls["traces"] == calls["content"] == calls["priced"] == 7
    assert calls["first"].startswith("2026-01-01 00:00:01")  # the log's own time, not the ingest's
    assert refusals == [("gpt-4o",)]


def test_cli_refuses_agentel_own_folder_and_missing_dirs(tmp_path: Path) -> None:
    runner = CliRunner()
    own = runner.invoke(cli, ["ingest", os.environ["AGENTEL_DIR"]])
    assert own.exit_code == 2 and "inside AGENTEL_DIR" in own.output
    missing = runner.invoke(cli, ["ingest", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such directory" in missing.output
    agentel.shutdown()
