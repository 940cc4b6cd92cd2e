"""Metric attributes limited by the policy (views, exemplars); content capture never exempt."""

from __future__ import annotations

import json
from typing import Any

from opentelemetry import metrics as metrics_api

import agentel
from agentel.redaction import marker
from agentel.testing import capture

EMAIL = "content.person@example.com"


def _points(cap: Any, name: str) -> list[Any]:
    return list(cap.metrics().get(name, []))


def test_registered_instrument_declaring_a_denied_key_loses_it() -> None:
    agentel.register_metric(
        "test.redaction.signups", "counter", "{signup}", "signups", attributes=("plan", "user_email")
    )
    with capture() as cap:
        agentel.metric("test.redaction.signups").add(1, {"plan": "pro", "user_email": EMAIL})
    points = _points(cap, "test.redaction.signups")
    assert [dict(p.attributes) for p in points] == [{"plan": "pro"}]


def test_instruments_outside_the_registry_lose_denied_keys_and_exemplars_carry_none() -> None:
    meter = metrics_api.get_meter("raw.library")
    hist = meter.create_histogram("raw.library.latency", unit="s")
    with capture() as cap:
        with agentel.span("request"):  # a sampled span: exemplars are taken
            hist.record(0.5, {"route": "/a", "password": "hunter2", "api_key": "k"})
        points = _points(cap, "raw.library.latency")  # the first collection carries the exemplars
    assert [dict(p.attributes) for p in points] == [{"route": "/a"}]
    exemplars = [e for p in points for e in (p.exemplars or [])]
    assert exemplars, "the histogram should have kept an exemplar inside a sampled span"
    assert all(not e.filtered_attributes for e in exemplars)
    assert "hunter2" not in repr(points)


def test_content_keys_are_replaced_when_capture_is_off() -> None:
    with capture(capture_content=False) as cap:
        with agentel.span(
            "chat gpt-4o",
            **{
                "gen_ai.input.messages": json.dumps([{"role": "user", "content": "hi"}]),
                "gen_ai.request.model": "gpt-4o",
            },
        ):
            pass
        agentel.event(
            "gen_ai.client.inference.operation.details",
            body={"content": "hello"},
            **{"gen_ai.output.messages": "answer", "gen_ai.system_instructions": "be nice"},
        )
    attrs = dict(cap.spans[0].attributes)
    assert attrs == {"gen_ai.input.messages": marker("content"), "gen_ai.request.model": "gpt-4o"}
    rec = cap.events("gen_ai.client.inference.operation.details")[0].log_record
    assert rec.body == marker("content")
    assert dict(rec.attributes)["gen_ai.output.messages"] == marker("content")


def test_captured_content_still_passes_every_rule() -> None:
    messages = json.dumps(
        [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": f"email me at {EMAIL}, my card is 4111 1111 1111 1111"},
            {
                "role": "assistant",
                "tool_calls": [
                    {"function": {"name": "login", "arguments": json.dumps({"password": "hunter2"})}}
                ],
            },
        ]
    )
    with capture(capture_content=True) as cap:
        with agentel.span("chat gpt-4o", **{"gen_ai.input.messages": messages}):
            pass
        agentel.event("gen_ai.client.inference.operation.details", body=f"answer to {EMAIL}")
    out = dict(cap.spans[0].attributes)["gen_ai.input.messages"]
    parsed = json.loads(out)
    assert parsed[0]["content"] == "You are helpful."
    assert parsed[1]["content"] == f"email me at {marker('email')}, my card is {marker('credit_card')}"
    args = json.loads(parsed[2]["tool_calls"][0]["function"]["arguments"])
    assert args == {"password": marker("denied_key")}
    assert "hunter2" not in out and EMAIL not in out
    rec = cap.events("gen_ai.client.inference.operation.details")[0].log_record
    assert rec.body == f"answer to {marker('email')}"


def test_capture_setting_from_the_environment(monkeypatch: Any) -> None:
    monkeypatch.setenv("AGENTEL_CAPTURE_CONTENT", "1")
    with capture() as cap:
        with agentel.span("s", **{"gen_ai.output.messages": "plain answer"}):
            pass
    assert dict(cap.spans[0].attributes)["gen_ai.output.messages"] == "plain answer"
