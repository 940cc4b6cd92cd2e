"""@agentel.trace and agentel.span: every function shape, errors recorded and re-raised."""

from __future__ import annotations

import asyncio

import pytest
from opentelemetry import trace as trace_api
from opentelemetry.trace import SpanKind, StatusCode

import agentel
from agentel import testing


@agentel.trace
def double(x: int) -> int:
    return x * 2


@agentel.trace(name="custom", kind=SpanKind.CLIENT, attributes={"k": "v"})
async def adouble(x: int) -> int:
    await asyncio.sleep(0)
    return x * 2


@agentel.trace
def gen(n: int):  # type: ignore[no-untyped-def]
    for i in range(n):
        with agentel.span("gen.step", i=i):
            pass
        yield i
    return "done"


@agentel.trace
async def agen(n: int):  # type: ignore[no-untyped-def]
    for i in range(n):
        yield i


@agentel.trace
def fails() -> None:
    raise KeyError("missing")


def test_sync_function_span() -> None:
    with testing.capture() as cap:
        assert double(2) == 4
    d = cap.span_dicts()[0]
    assert d["name"] == "double" and d["status"] == "UNSET"
    assert d["attributes"]["code.function.name"] == "double"


def test_async_function_span_with_options() -> None:
    with testing.capture() as cap:
        assert asyncio.run(adouble(3)) == 6
    s = cap.span("custom")
    assert s.kind is SpanKind.CLIENT and s.attributes["k"] == "v"


def test_generator_span_covers_iteration_and_children_nest() -> None:
    with testing.capture() as cap:
        consumer_span_during_iteration = []
        for _ in gen(3):
            consumer_span_during_iteration.append(trace_api.get_current_span().is_recording())
    outer = cap.span("gen")
    steps = [s for s in cap.spans if s.name == "gen.step"]
    assert len(steps) == 3
    assert all(s.parent is not None and s.parent.span_id == outer.context.span_id for s in steps)
    # the generator's span is not current in the consumer between yields
    assert consumer_span_during_iteration == [False, False, False]


def test_generator_closed_early_ends_span() -> None:
    with testing.capture() as cap:
        g = gen(10)
        next(g)
        g.close()
    assert cap.span("gen").end_time is not None


def test_generator_return_value_kept() -> None:
    with testing.capture():
        g = gen(1)
        assert next(g) == 0
        with pytest.raises(StopIteration) as stop:
            next(g)
        assert stop.value.value == "done"


def test_async_generator_span() -> None:
    async def consume() -> list[int]:
        return [i async for i in agen(3)]

    with testing.capture() as cap:
        assert asyncio.run(consume()) == [0, 1, 2]
    assert cap.span_names() == ["agen"]


def test_exception_recorded_and_reraised_unchanged() -> None:
    with testing.capture() as cap:
        with pytest.raises(KeyError, match="missing"):
            fails()
    s = cap.span("fails")
    assert s.status.status_code is StatusCode.ERROR
    assert s.attributes["error.type"] == "KeyError"
    assert [e.name for e in s.events] == ["exception"]


def test_span_context_manager_attributes_and_nesting() -> None:
    with testing.capture() as cap:
        with agentel.span("parent", step=1) as p:
            p.set_attribute("late", True)
            with agentel.span("child"):
                pass
    parent, child = cap.span("parent"), cap.span("child")
    assert parent.attributes == {"step": 1, "late": True}
    assert child.parent.span_id == parent.context.span_id


def test_deterministic_ids_and_clock() -> None:
    clock = testing.FrozenClock(start_ns=1_000, step_ns=10)
    with testing.capture(clock=clock) as cap:
        with agentel.span("a"):
            pass
    s = cap.span("a")
    assert (s.context.trace_id, s.context.span_id) == (1, 1)
    assert (s.start_time, s.end_time) == (1_010, 1_020)
