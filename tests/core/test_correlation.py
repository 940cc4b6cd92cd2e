"""Correlation keys nest, cross threads, asyncio tasks and processes, and label every record."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opentelemetry import propagate

import agentel
from agentel import testing


def test_nesting_inner_wins_and_restores() -> None:
    with testing.capture() as cap:
        with agentel.context(run="r1", model="a"):
            with agentel.context(iteration=2, model="b"):
                with agentel.span("inner"):
                    pass
            with agentel.span("outer"):
                pass
    assert {k: cap.span("inner").attributes[k] for k in ("run", "iteration", "model")} == {
        "run": "r1",
        "iteration": 2,
        "model": "b",
    }
    assert "iteration" not in cap.span("outer").attributes
    assert cap.span("outer").attributes["model"] == "a"


def test_keys_on_log_records_and_events() -> None:
    with testing.capture() as cap:
        with agentel.context(run="r2", request="q-7"):
            logging.getLogger("app").info("hello")
            agentel.event("agentel.feedback", **{"agentel.feedback.good": True})
    for rec in cap.logs:
        assert rec.log_record.attributes["run"] == "r2"
        assert rec.log_record.attributes["request"] == "q-7"


def test_keys_cross_threads_and_pools() -> None:
    def work(name: str) -> None:
        with agentel.span(name):
            pass

    with testing.capture() as cap:
        with agentel.context(run="threads"):
            t = threading.Thread(target=work, args=("thread",))
            t.start()
            t.join()
            with ThreadPoolExecutor(2) as pool:
                list(pool.map(work, ["pool-a", "pool-b"]))
                pool.submit(work, "pool-c").result()
    for name in ("thread", "pool-a", "pool-b", "pool-c"):
        assert cap.span(name).attributes["run"] == "threads", name


def test_keys_cross_asyncio_tasks() -> None:
    async def child(i: int) -> None:
        with agentel.context(iteration=i):
            await asyncio.sleep(0)
            with agentel.span(f"task-{i}"):
                pass

    async def main() -> None:
        with agentel.context(run="async"):
            await asyncio.gather(*(child(i) for i in range(3)))

    with testing.capture() as cap:
        asyncio.run(main())
    for i in range(3):
        attrs = cap.span(f"task-{i}").attributes
        assert (attrs["run"], attrs["iteration"]) == ("async", i)


_CHILD = """
import json, sys
from opentelemetry import propagate, context as ctx
import agentel
agentel.configure(dir=sys.argv[1], run_id="child", metrics_interval_s=0)
carrier = json.loads(sys.argv[2])
token = ctx.attach(propagate.extract(carrier))
with agentel.span("remote-work"):
    pass
ctx.detach(token)
agentel.shutdown()
"""


def test_keys_ride_w3c_baggage_across_processes(tmp_path: Path) -> None:
    import json

    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    with testing.capture() as cap:
        with agentel.context(run="xproc", iteration=4), agentel.span("parent"):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            subprocess.run(
                [sys.executable, str(script), str(tmp_path), json.dumps(carrier)], check=True, timeout=60
            )
    assert "baggage" in carrier and "traceparent" in carrier
    text = (tmp_path / "child" / "traces.jsonl").read_text()
    line = json.loads(text.splitlines()[0])
    span = line["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    attrs = {a["key"]: a["value"] for a in span["attributes"]}
    assert attrs["run"] == {"stringValue": "xproc"} and attrs["iteration"] == {"stringValue": "4"}
    assert span["traceId"] == format(cap.span("parent").context.trace_id, "032x")
