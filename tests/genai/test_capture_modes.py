"""Where message content goes: AGENTEL_CAPTURE_CONTENT and OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT."""

from __future__ import annotations

import openai
import pytest
from genai_helpers import MESSAGES

from agentel.config import ConfigError, Settings
from agentel.genai import semconv as sc
from agentel.genai.instrumentors.openai import OpenAIInstrumentor
from agentel.testing import capture

pytestmark = pytest.mark.usefixtures("instrumented")
CONTENT_KEYS = (sc.INPUT_MESSAGES, sc.OUTPUT_MESSAGES)


def _record(oai: openai.OpenAI, **settings: object) -> tuple[bool, bool]:
    """(content on the span?, content event emitted?) for one call under ``settings``."""
    with capture(**settings) as cap:
        oai.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
    attrs = cap.spans[0].attributes or {}
    on_span = all(k in attrs for k in CONTENT_KEYS)
    assert on_span or not any(k in attrs for k in CONTENT_KEYS)
    events = cap.events(sc.EVENT_INFERENCE_DETAILS)
    if events:
        assert all(k in (events[0].log_record.attributes or {}) for k in CONTENT_KEYS)
        assert "REDACTED:content" not in str(events[0].log_record.attributes)
    if on_span:
        assert "REDACTED:content" not in attrs[sc.INPUT_MESSAGES]
    return on_span, bool(events)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        # captured by default (issue 18 item 12), always through the redactor
        ({}, (True, True)),
        ({"AGENTEL_CAPTURE_CONTENT": "off"}, (False, False)),
        ({"AGENTEL_CAPTURE_CONTENT": "1"}, (True, True)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "NO_CONTENT"}, (False, False)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_ONLY"}, (True, False)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "EVENT_ONLY"}, (False, True)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_AND_EVENT"}, (True, True)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"}, (True, True)),
        ({"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false"}, (False, False)),
        (
            {
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "span_only",
                "AGENTEL_CAPTURE_CONTENT": "1",
            },
            (True, False),
        ),
        # agentel's own switch, set explicitly, wins over the standard one: on...
        (
            {
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "false",
                "AGENTEL_CAPTURE_CONTENT": "on",
            },
            (True, True),
        ),
        # ... and off
        (
            {
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_AND_EVENT",
                "AGENTEL_CAPTURE_CONTENT": "0",
            },
            (False, False),
        ),
    ],
)
def test_capture_modes(
    oai: openai.OpenAI, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: tuple[bool, bool]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _record(oai) == expected


def test_an_unknown_mode_is_a_clear_configuration_error() -> None:
    with pytest.raises(
        ConfigError, match="OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: unknown mode 'SPANS'"
    ):
        Settings.load(env={"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPANS"})


def test_the_instrumentor_option_can_only_narrow_capture(oai: openai.OpenAI) -> None:
    OpenAIInstrumentor().uninstrument()
    OpenAIInstrumentor().instrument(capture_content="EVENT_ONLY")
    assert _record(oai, capture_content=True) == (False, True)
    assert _record(oai, capture_content=False) == (
        False,
        False,
    )  # the privacy switch is off: the option cannot turn it on
    OpenAIInstrumentor().uninstrument()
    OpenAIInstrumentor().instrument(capture_content=False)
    assert _record(oai, capture_content=True) == (False, False)


@pytest.mark.parametrize("settings", [{}, {"capture_content": True}])
def test_captured_content_still_passes_the_redactor(oai: openai.OpenAI, settings: dict[str, bool]) -> None:
    with capture(**settings) as cap:
        oai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "my key is sk-proj-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}],
        )
    attrs = cap.spans[0].attributes or {}
    assert "sk-proj-ABCDEFGHIJ" not in attrs[sc.INPUT_MESSAGES]
    assert "REDACTED" in attrs[sc.INPUT_MESSAGES]
    (event,) = cap.events(sc.EVENT_INFERENCE_DETAILS)
    assert "sk-proj-ABCDEFGHIJ" not in str(event.log_record.attributes)
