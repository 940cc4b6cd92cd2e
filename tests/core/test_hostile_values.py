"""Values the application hands to telemetry never raise into it: an object whose ``__str__`` (and
``__repr__``) raises, as a span attribute, event data, an event body or a log argument, and a
metric amount that is not a number. The record still goes out (the value replaced by a marker);
the problem is counted and logged once."""

from __future__ import annotations

import logging

import pytest

import agentel
from agentel._internal import errors
from agentel.testing import capture


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("boom")

    __repr__ = __str__


def test_unprintable_span_attribute_keeps_the_span(monkeypatch: pytest.MonkeyPatch) -> None:
    before = errors.internal_error_counts().get("attributes.unprintable", 0)
    with capture() as cap:
        with agentel.span("step", bad=Unprintable(), good=1, nested=[1, 2]):
            pass
    (span,) = cap.span_dicts()
    assert span["attributes"]["bad"] == "<unprintable Unprintable>"
    assert span["attributes"]["good"] == 1
    assert errors.internal_error_counts()["attributes.unprintable"] == before + 1


def test_unprintable_event_data_and_body_keep_the_event() -> None:
    with capture() as cap:
        agentel.event("agentel.feedback", Unprintable(), **{"agentel.feedback.comment": Unprintable()})
    (rec,) = cap.events("agentel.feedback")
    assert rec.log_record.attributes["agentel.feedback.comment"] == "<unprintable Unprintable>"
    assert rec.log_record.body == "<unprintable Unprintable>"


def test_unprintable_log_argument_never_raises_and_keeps_the_record() -> None:
    from agentel import sdk

    with capture() as cap:
        bridge = [h for h in logging.getLogger().handlers if isinstance(h, sdk._BridgeHandler)]
        assert bridge, "the logging bridge is installed"
        log = logging.getLogger("app.hostile")
        log.propagate, log.handlers = False, bridge  # only agentel's handler (not pytest's)
        try:
            log.warning("value %s", Unprintable())
            log.warning(Unprintable())
        finally:
            log.propagate, log.handlers = True, []
        bodies = [
            r.log_record.body for r in cap.logs if r.log_record.attributes.get("logger.name") == "app.hostile"
        ]
    assert bodies == ["<unprintable log message: RuntimeError>"] * 2


@pytest.mark.parametrize("amount", ["x", None, [1], {"a": 1}])
def test_metric_with_a_non_number_is_dropped_and_counted(amount: object) -> None:
    before = errors.internal_error_counts().get("metrics.amount", 0)
    with capture():
        agentel.metric("agentel.telemetry.dropped").add(amount)  # type: ignore[arg-type]
        agentel.metric("agentel.telemetry.dropped").add(2, {"agentel.signal": "spans"})
    assert errors.internal_error_counts()["metrics.amount"] == before + 1
