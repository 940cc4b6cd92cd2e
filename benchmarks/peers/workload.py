"""One benchmark process: the same openai workload with one instrumentation, CPU time per call.

Runs in the project's venv (``none``, ``agentel``) or in a peer's venv under /tmp/bench-venvs
(``none``, ``contrib``, ``openllmetry``, ``openlit``, ``logfire``); imports nothing of agentel
unless asked to. The client talks to an in-process ``httpx2.MockTransport`` (no sockets), every
tool exports to no-op exporters through batch processors, and the batch work is flushed inside
each timed round so it is counted. Prints one JSON line: {mode: µs per call (median of rounds)}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that answers briefly."},
    {"role": "user", "content": "Summarize what OpenTelemetry is in two sentences."},
]
REPLY = (
    "OpenTelemetry is a vendor-neutral standard and toolkit for traces, metrics and logs. "
    "It lets applications emit telemetry once and send it to any compatible backend."
)
USAGE = {
    "prompt_tokens": 31,
    "completion_tokens": 38,
    "total_tokens": 69,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
}
COMMON = {
    "id": "chatcmpl-bench",
    "created": 1700000000,
    "model": "gpt-4o-mini-2024-07-18",
    "system_fingerprint": "fp_bench",
}
BODY = json.dumps(
    {
        **COMMON,
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": REPLY, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": USAGE,
        "service_tier": "default",
    }
).encode()


def _sse() -> bytes:
    def chunk(
        delta: dict[str, Any], finish: str | None = None, usage: Any = None, choices: bool = True
    ) -> str:
        c = {**COMMON, "object": "chat.completion.chunk", "usage": usage}
        c["choices"] = (
            [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}] if choices else []
        )
        return "data: " + json.dumps(c) + "\n\n"

    words = REPLY.split(" ")
    parts = [chunk({"role": "assistant", "content": ""})]
    parts += [chunk({"content": (" " if i else "") + w}) for i, w in enumerate(words)]
    parts.append(chunk({}, "stop"))
    parts.append(chunk({}, usage=USAGE, choices=False))
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


SSE = _sse()


def make_client() -> Any:
    import openai

    try:
        import httpx2
    except ImportError:  # openai < 3 (the openlit venv) is built on httpx
        import httpx as httpx2  # type: ignore[no-redef]

    def handler(request: Any) -> Any:
        if b'"stream":true' in request.content or b'"stream": true' in request.content:
            return httpx2.Response(200, content=SSE, headers={"content-type": "text/event-stream"})
        return httpx2.Response(200, content=BODY, headers={"content-type": "application/json"})

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    return openai.OpenAI(
        api_key="sk-bench", base_url="http://bench.local/v1", http_client=http, max_retries=0
    )


# --- the instrumentations, each exporting to no-op exporters --------------------------------


def _noop_exporters() -> tuple[Any, Any]:
    from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class NoSpans(SpanExporter):
        def export(self, spans: Sequence[Any]) -> SpanExportResult:
            return SpanExportResult.SUCCESS

    class NoLogs(LogRecordExporter):
        def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
            return LogRecordExportResult.SUCCESS

        def shutdown(self) -> None:
            pass

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return True

    return NoSpans(), NoLogs()


def _otel_providers() -> tuple[Any, Any, Any, Callable[[], None]]:
    from opentelemetry import _logs, metrics, trace
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    spans, logs = _noop_exporters()
    tp = TracerProvider()
    tp.add_span_processor(BatchSpanProcessor(spans))
    mp = MeterProvider(metric_readers=[InMemoryMetricReader()])
    lp = LoggerProvider()
    lp.add_log_record_processor(BatchLogRecordProcessor(logs))
    trace.set_tracer_provider(tp)
    metrics.set_meter_provider(mp)
    _logs.set_logger_provider(lp)

    def flush() -> None:
        tp.force_flush()
        lp.force_flush()

    return tp, mp, lp, flush


class Variant:
    """One instrumentation, switchable per round: the same client on and off, and its flush."""

    def __init__(self, client: Any, flush: Callable[[], None] = lambda: None) -> None:
        self.client_on = self.client_off = client
        self.flush = flush
        self._instrumentors: list[Any] = []

    def toggle_instrumentors(self, match: str) -> None:
        """Switch with the BaseInstrumentors that are on now and whose module contains ``match``."""
        from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

        def walk(cls: type) -> list[type]:
            return [cls, *[c for sub in cls.__subclasses__() for c in walk(sub)]]

        self._instrumentors = [
            c._instance
            for c in walk(BaseInstrumentor)
            if c._instance is not None
            and c._instance.is_instrumented_by_opentelemetry
            and match in c.__module__
        ]
        assert self._instrumentors, f"no active instrumentor from a module matching {match!r}"

    def on(self) -> None:
        for inst in self._instrumentors:
            if not inst.is_instrumented_by_opentelemetry:
                inst.instrument(**_seen_kwargs.get(id(inst), {}))

    def off(self) -> None:
        for inst in self._instrumentors:
            inst.uninstrument()


#: the arguments each instrumentor was first instrumented with (to switch it back on alike)
_seen_kwargs: dict[int, dict[str, Any]] = {}


def _remember_instrument_kwargs() -> None:
    from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

    original = BaseInstrumentor.instrument

    def instrument(self: Any, **kwargs: Any) -> Any:
        _seen_kwargs.setdefault(id(self), dict(kwargs))
        return original(self, **kwargs)

    BaseInstrumentor.instrument = instrument  # type: ignore[method-assign]


def setup(instrument: str, capture: bool, client: Any) -> Variant:
    """Turn on ``instrument`` and return it as a :class:`Variant` (off again by ``off()``)."""
    if instrument != "logfire":
        _remember_instrument_kwargs()
    if instrument == "agentel":
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader

        import agentel

        spans, logs = _noop_exporters()
        agentel.configure(
            sinks=(),
            span_exporters=[spans],
            log_exporters=[logs],
            metric_readers=[InMemoryMetricReader()],
            metrics_interval_s=0,
            capture_content=capture,
            bridge_logging=False,  # the peers bridge no stdlib logs either: compare the same signals
        )
        agentel.instrument_openai()
        pipeline = agentel.sdk.current_pipeline()
        assert pipeline is not None

        def flush_agentel() -> None:  # traces and logs, like the peers' flush (metrics are pulled)
            pipeline.tracer_provider.force_flush()
            pipeline.logger_provider.force_flush()

        v = Variant(client, flush_agentel)
        v.toggle_instrumentors("agentel.genai")
        return v
    if instrument == "contrib":
        os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
        os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = (
            "SPAN_AND_EVENT" if capture else "NO_CONTENT"
        )
        from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

        tp, mp, lp, flush = _otel_providers()
        OpenAIInstrumentor().instrument(tracer_provider=tp, meter_provider=mp, logger_provider=lp)
        v = Variant(client, flush)
        v.toggle_instrumentors("openai_v2")
        return v
    if instrument == "openllmetry":
        os.environ["TRACELOOP_TRACE_CONTENT"] = "true" if capture else "false"
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor as TLInstrumentor

        tp, mp, lp, flush = _otel_providers()
        TLInstrumentor().instrument(tracer_provider=tp, meter_provider=mp, logger_provider=lp)
        v = Variant(client, flush)
        v.toggle_instrumentors("opentelemetry.instrumentation.openai")
        return v
    if instrument == "openlit":
        import inspect

        import openlit

        tp, mp, lp, flush = _otel_providers()
        # the content switch was renamed across openlit versions
        params = inspect.signature(openlit.init).parameters
        content = "capture_message_content" if "capture_message_content" in params else "trace_content"
        extra: dict[str, Any] = {content: capture}
        if "tracer" in params:  # older openlit takes them; newer ones use the global providers set above
            extra.update(tracer=tp.get_tracer("openlit"), meter=mp.get_meter("openlit"))
        openlit.init(collect_gpu_stats=False, disable_batch=False, **extra)
        v = Variant(client, flush)
        v.toggle_instrumentors("openlit.instrumentation.openai")
        return v
    if instrument == "logfire":
        import logfire
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        logfire.configure(
            send_to_logfire=False,
            console=False,
            additional_span_processors=[BatchSpanProcessor(_noop_exporters()[0])],
            metrics=logfire.MetricsOptions(additional_readers=[InMemoryMetricReader()]),
            inspect_arguments=False,
        )
        logfire.instrument_openai(client)  # per client; logfire records request/response bodies either way
        v = Variant(client, lambda: logfire.force_flush())
        v.client_off = make_client()
        return v
    raise SystemExit(f"unknown instrumentation {instrument!r}")


# --- the timed loop --------------------------------------------------------------------------


def fake_completions() -> None:
    """Replace the SDK's ``Completions.create`` by one returning a parsed response (mode
    ``overhead``): what is left to time is the instrumentation's own work, with little noise."""
    from openai.resources.chat.completions.completions import Completions
    from openai.types.chat import ChatCompletion

    parsed = ChatCompletion.model_validate(json.loads(BODY))
    Completions.create = lambda self, **kwargs: parsed  # type: ignore[method-assign]


def one_call(client: Any, stream: bool) -> None:
    if stream:
        for _ in client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        ):
            pass
    else:
        client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=128
        )


def timed(client: Any, stream: bool, calls: int, flush: Callable[[], None]) -> float:
    """CPU µs per call for ``calls`` calls (the whole process: batch threads count too)."""
    t0 = time.process_time()
    for _ in range(calls):
        one_call(client, stream)
    flush()
    return (time.process_time() - t0) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instrument", required=True)
    parser.add_argument("--capture", choices=("off", "on"), default="off")
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--modes", default="nonstream,stream")
    args = parser.parse_args()
    if args.modes == "overhead":
        fake_completions()  # before setup, so the instrumentation wraps the fake
    v = setup(args.instrument, args.capture == "on", make_client())
    out: dict[str, dict[str, float]] = {}
    for mode in args.modes.split(","):
        stream = mode == "stream"
        for client in (v.client_off, v.client_on):
            for _ in range(max(20, args.calls // 5)):
                one_call(client, stream)
        base, inst, ratio, added = [], [], [], []
        # rounds alternate off/on in one process, so drift on a shared machine hits both alike
        for _ in range(args.rounds):
            v.off()
            b = timed(v.client_off, stream, args.calls, v.flush)
            v.on()
            i = timed(v.client_on, stream, args.calls, v.flush)
            base.append(b)
            inst.append(i)
            ratio.append(i / b)
            added.append(i - b)
        out[mode] = {
            "none_us": statistics.median(base),
            "us": statistics.median(inst),
            "ratio": statistics.median(ratio),
            "added_us": statistics.median(added),
        }
    print(json.dumps(out), flush=True)
    sys.stdout.flush()
    os._exit(0)  # skip exit-time exporters/atexit hooks: nothing after the numbers is measured


if __name__ == "__main__":
    main()
