"""Issue 18 item 11: numpy arrays and tensors are dropped with a marker (the type allowlist), not
exported as the text the OTel SDK turns them into (``'[0 1 2 3 4]'``)."""

from __future__ import annotations

import json
import logging

import numpy as np
import opentelemetry.attributes as otel_attributes
from opentelemetry import trace as trace_api

import agentel
from agentel.redaction import marker
from agentel.testing import capture

TYPE = marker("type")


def test_arrays_become_the_type_marker_on_every_attribute_path() -> None:
    with capture() as cap:
        with agentel.span("s", arr=np.arange(5), grid=np.zeros((2, 2)), n=np.int64(7)) as span:
            span.set_attribute("later", np.arange(3))
            span.set_attributes({"mixed": [1, 2], "listed": np.array(["a", "b"])})
            trace_api.get_current_span().add_event("e", {"arr": np.arange(4)})
        agentel.event("app.arrays", arr=np.arange(5))
        logging.getLogger("app.arrays").warning("hi", extra={"arr": np.arange(5)})

        @agentel.trace(name="f", attributes={"weights": np.ones(3)})
        def f() -> None:
            pass

        f()
    attrs = dict(cap.span("s").attributes or {})
    assert attrs["arr"] == TYPE and attrs["grid"] == TYPE and attrs["later"] == TYPE
    assert attrs["listed"] == TYPE and attrs["mixed"] == (1, 2)
    assert attrs["n"] == 7 and type(attrs["n"]) is int  # a numpy scalar is its number
    assert dict(cap.span("s").events[0].attributes or {})["arr"] == TYPE
    assert dict(cap.span("f").attributes or {})["weights"] == TYPE
    dumped = json.dumps([dict(r.log_record.attributes or {}) for r in cap.logs], default=str)
    assert "[0 1 2" not in dumped and TYPE in dumped
    assert agentel.redaction.counts()["redacted"].get("type/attributes", 0) >= 5


def test_the_sdk_is_left_as_it_was_after_shutdown() -> None:
    before = otel_attributes._clean_attribute_value
    with capture():
        assert otel_attributes._clean_attribute_value is not before
    assert otel_attributes._clean_attribute_value is before
