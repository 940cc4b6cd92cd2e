"""Structured content on the inference event survives the whole path: redactor, files sink
(OTLP/JSON as protobuf's parser reads it), loader, store — and llm_logs keeps its messages."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

import agentel
from agentel.genai import semconv as sc
from agentel.store import apply, open_engine
from agentel.testing.stubllm import StubLLMServer

pytestmark = pytest.mark.usefixtures("instrumented")


def test_structured_event_content_is_loaded_and_llm_logs_keeps_its_messages(
    oai: openai.OpenAI, stub: StubLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_AND_EVENT")
    agentel.configure(dir=str(tmp_path), run_id="r", metrics_interval_s=0, capture_content=True)
    try:
        oai.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "Mail jane.doe@example.com and say hello."}],
        )
    finally:
        agentel.shutdown()
    lines = [line for f in tmp_path.rglob("logs*.jsonl") for line in f.read_text().splitlines() if line]
    records = []
    for line in lines:
        request = json_format.Parse(line, ExportLogsServiceRequest())  # what upstream parsers accept
        for rl in request.resource_logs:
            for sl in rl.scope_logs:
                records += [r for r in sl.log_records if r.event_name == sc.EVENT_INFERENCE_DETAILS]
    (record,) = records
    attrs = {kv.key: kv.value for kv in record.attributes}
    messages = attrs[sc.INPUT_MESSAGES]
    assert messages.WhichOneof("value") == "array_value"  # structured, not a JSON string
    text = messages.array_value.values[0].kvlist_value
    parts = {kv.key: kv.value for kv in text.values}["parts"].array_value.values[0].kvlist_value
    content = {kv.key: kv.value.string_value for kv in parts.values}["content"]
    assert "jane.doe@example.com" not in content and "hello" in content  # redacted inside the structure

    engine = open_engine(str(tmp_path / "store"))
    try:
        apply(engine)
        from agentel.store.loader import load

        load(engine, [str(tmp_path)])
        (row,) = engine.query(
            f"SELECT LogAttributes['{sc.INPUT_MESSAGES}'] FROM otel_logs WHERE EventName = '{sc.EVENT_INFERENCE_DETAILS}'"
            f" OR LogAttributes['event.name'] = '{sc.EVENT_INFERENCE_DETAILS}'"
        ).rows
        stored = json.loads(row[0])
        assert stored[0]["role"] == "user" and stored[0]["parts"][0]["type"] == "text"
        (llm,) = engine.query("SELECT messages, output_messages, response FROM llm_logs").rows
        assert json.loads(llm[0])[0]["parts"][0]["content"] == stored[0]["parts"][0]["content"]
        output = json.loads(llm[1])
        assert output[0]["role"] == "assistant"
        assert llm[2] and llm[2] == "".join(p["content"] for p in output[0]["parts"] if p["type"] == "text")
    finally:
        engine.close()
