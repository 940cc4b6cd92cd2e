"""One LLM call as telemetry: the span, the GenAI metrics, the cost and the opt-in content event.

:class:`LLMCall` is what every instrumentor and ``agentel.llm_call(...)`` record through, so a
call looks the same whichever client made it. It is built for the hot path: attributes are
gathered in plain fields and written to the span once, at the end.
"""

from __future__ import annotations

import functools
import inspect
import math
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace as trace_api
from opentelemetry.trace import SpanKind, Status, StatusCode

from agentel._internal import errors
from agentel._internal.totals import ObservableTotals
from agentel.genai import content
from agentel.genai import cost as cost_mod
from agentel.genai import semconv as sc
from agentel.registry import REGISTRY

SCOPE = "agentel.genai"
_VERSION = "0.1.0"
_CALL_KEY = otel_context.create_key("agentel.genai.call")
_tracer = trace_api.get_tracer(SCOPE, _VERSION)

F = TypeVar("F", bound=Callable[..., Any])


def _cost_attributes(key: tuple[str, str, str | None, str]) -> dict[str, str]:
    provider, request_model, response_model, kind = key
    attrs = {sc.PROVIDER_NAME: provider, sc.REQUEST_MODEL: request_model, sc.COST_KIND: kind}
    if response_model:
        attrs[sc.RESPONSE_MODEL] = response_model
    return attrs


class _Instruments:
    """The registry-made instruments, looked up once (they follow re-configuration themselves)."""

    duration: Any = None
    tokens: Any = None
    ttft: Any = None
    per_chunk: Any = None
    # ``agentel.cost.usd``: a synchronous counter's ``add`` would cost ~20 µs twice per call
    cost = ObservableTotals(lambda: REGISTRY.metrics[sc.METRIC_COST], _cost_attributes)
    unknown: Any = None

    @classmethod
    def load(cls) -> type[_Instruments]:
        if cls.duration is None:
            from agentel.registry import metric

            cls.tokens = metric(sc.METRIC_TOKEN_USAGE)
            cls.ttft = metric(sc.METRIC_TIME_TO_FIRST_CHUNK)
            cls.per_chunk = metric(sc.METRIC_TIME_PER_OUTPUT_CHUNK)
            cls.unknown = metric(sc.METRIC_COST_UNKNOWN_MODEL)
            cls.duration = metric(sc.METRIC_OPERATION_DURATION)
        return cls


def estimate_tokens(chars: int) -> int:
    """A rough token count for ``chars`` characters of text (~4 per token), for estimated usage."""
    return math.ceil(chars / 4) if chars > 0 else 0


def genai_attributes(
    c: Any,
    capture: bool,
    attrs: dict[str, Any] | None = None,
    *,
    when: datetime | None = None,
    price: bool = True,
) -> tuple[dict[str, Any], cost_mod.Cost | None, bool]:
    """The GenAI span attributes of one call's outcome — live (:class:`LLMCall`) or ingested (an
    ``Interaction``): ``(attributes, cost, price unknown)``. One builder, so both rows are equal.

    ``c`` has :class:`LLMCall`'s response, usage, timing, error, content and ``cost`` fields; they
    are added to ``attrs`` (filled in place when given). The cost is computed at ``when``
    (default now) unless ``c.cost`` is set or ``price`` is false. Content goes in only when
    ``capture``, as JSON strings (the conventions' form for span attributes).
    """
    if attrs is None:
        attrs = {}
    if c.response_id:
        attrs[sc.RESPONSE_ID] = c.response_id
    if c.response_model:
        attrs[sc.RESPONSE_MODEL] = c.response_model
    if c.finish_reasons:
        attrs[sc.RESPONSE_FINISH_REASONS] = list(c.finish_reasons)
    if c.input_tokens is not None:
        attrs[sc.USAGE_INPUT_TOKENS] = c.input_tokens
    if c.output_tokens is not None:
        attrs[sc.USAGE_OUTPUT_TOKENS] = c.output_tokens
    if c.cache_read_tokens:
        attrs[sc.USAGE_CACHE_READ_INPUT_TOKENS] = c.cache_read_tokens
    if c.cache_write_tokens:
        attrs[sc.USAGE_CACHE_CREATION_INPUT_TOKENS] = c.cache_write_tokens
    if c.cache_write_1h_tokens:
        attrs[sc.ANTHROPIC_CACHE_CREATION_1H] = c.cache_write_1h_tokens
    if c.reasoning_tokens:
        attrs[sc.USAGE_REASONING_OUTPUT_TOKENS] = c.reasoning_tokens
    if c.estimated:
        attrs[sc.USAGE_ESTIMATED] = True
    if c.incomplete:
        attrs[sc.STREAM_INCOMPLETE] = True
    if c.ttft is not None:
        attrs[sc.RESPONSE_TIME_TO_FIRST_CHUNK] = c.ttft
    if c.error_type:
        attrs[sc.ERROR_TYPE] = c.error_type
    model = c.response_model or c.request_model
    unknown_price = False
    cost = c.cost
    # One rule for every source (docs/cost.md): a failed call is priced only from usage the
    # provider reported, never from estimated tokens (its cost is unknown otherwise).
    guessed = bool(c.error_type) and bool(c.estimated)
    if (
        cost is None
        and price
        and model
        and not guessed
        and (c.input_tokens is not None or c.output_tokens is not None)
    ):
        usage = cost_mod.Usage(
            c.input_tokens or 0,
            c.cache_read_tokens or 0,
            c.cache_write_tokens or 0,
            c.cache_write_1h_tokens or 0,
            c.output_tokens or 0,
        )
        cost = cost_mod.compute(c.provider, model, usage, when)
        unknown_price = cost is None
    if cost is not None:
        attrs[sc.COST_INPUT_USD] = cost.input_usd
        attrs[sc.COST_OUTPUT_USD] = cost.output_usd
        attrs[sc.COST_TOTAL_USD] = cost.total_usd
        attrs[sc.COST_SOURCE] = cost.source
        attrs[sc.COST_VERSION] = cost.version
    if capture:
        if c.input_messages:
            attrs[sc.INPUT_MESSAGES] = content.to_json(c.input_messages)
        if c.output_messages:
            attrs[sc.OUTPUT_MESSAGES] = content.to_json(c.output_messages)
        system = content.instructions(c.system_instructions, c.input_messages)
        if system:
            attrs[sc.SYSTEM_INSTRUCTIONS] = content.to_json(system)
        if c.tool_definitions:
            attrs[sc.TOOL_DEFINITIONS] = content.to_json(c.tool_definitions)
    return attrs, cost, unknown_price


class LLMCall:
    """Records one LLM call; set what is known, then :meth:`end` (done for you by the wrappers).

    ``input_tokens`` means *all* input tokens, cache reads and writes included (the conventions'
    rule); the cache counts are subsets of it.
    """

    __slots__ = (
        "_ended",
        "_last_chunk",
        "chunk_gaps",
        "_parent_ctx",
        "_t0",
        "attributes",
        "cache_read_tokens",
        "cache_write_1h_tokens",
        "cache_write_tokens",
        "capture_event",
        "capture_span",
        "cost",
        "error_type",
        "estimated",
        "finish_reasons",
        "incomplete",
        "input_messages",
        "input_tokens",
        "operation",
        "output_messages",
        "output_tokens",
        "provider",
        "reasoning_tokens",
        "request_model",
        "response_id",
        "response_model",
        "server_address",
        "server_port",
        "span",
        "system_instructions",
        "tool_definitions",
        "ttft",
    )

    def __init__(
        self,
        provider: str,
        operation: str = sc.OP_CHAT,
        model: str | None = None,
        *,
        server_address: str | None = None,
        server_port: int | None = None,
        attributes: Mapping[str, Any] | None = None,
        tracer: trace_api.Tracer | None = None,
        capture: tuple[bool, bool] | None = None,
    ) -> None:
        self.provider = provider
        self.operation = operation
        self.request_model = model
        self.server_address = server_address
        self.server_port = server_port
        attrs: dict[str, Any] = {sc.OPERATION_NAME: operation, sc.PROVIDER_NAME: provider}
        if model:
            attrs[sc.REQUEST_MODEL] = model
        if server_address:
            attrs[sc.SERVER_ADDRESS] = server_address
            if server_port:
                attrs[sc.SERVER_PORT] = server_port
        if attributes:
            attrs.update(attributes)
        self._parent_ctx = otel_context.get_current()
        self.span = (tracer or _tracer).start_span(
            f"{operation} {model}" if model else operation,
            context=self._parent_ctx,
            kind=SpanKind.CLIENT,
            attributes=attrs,
        )
        self._t0 = time.perf_counter()
        self.capture_span, self.capture_event = capture if capture is not None else content.capture_mode()
        self.response_id: str | None = None
        self.response_model: str | None = None
        self.finish_reasons: Sequence[str] | None = None
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.cache_read_tokens: int | None = None
        self.cache_write_tokens: int | None = None
        self.cache_write_1h_tokens: int | None = None
        self.reasoning_tokens: int | None = None
        self.estimated = False
        self.incomplete = False
        self.ttft: float | None = None
        self._last_chunk = 0.0
        #: seconds between consecutive streamed chunks (gen_ai.client.operation.time_per_output_chunk)
        self.chunk_gaps: list[float] = []
        self.cost: cost_mod.Cost | None = None
        self.input_messages: Any = None
        self.output_messages: Any = None
        self.system_instructions: Any = None
        self.tool_definitions: Any = None
        #: extra span attributes written at the end (provider-specific response details)
        self.attributes: dict[str, Any] | None = None
        #: a failure reported inside a successful HTTP response (e.g. a failed streamed response)
        self.error_type: str | None = None
        self._ended = False

    # --- what callers set ----------------------------------------------------------------

    @property
    def capture_content(self) -> bool:
        """Whether message content is being recorded for this call (span or event)."""
        return self.capture_span or self.capture_event

    def set_request(self, **params: Any) -> None:
        """Request parameters by their convention names without the prefix: ``temperature=0.2``,
        ``max_tokens=``, ``top_p=``, ``top_k=``, ``stop_sequences=``, ``seed=``, ``choice_count=``..."""
        attrs = {}
        for key, value in params.items():
            if value is None:
                continue
            if key == "stop_sequences" and isinstance(value, str):
                value = [value]
            elif key == "top_k" and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)  # a double in the conventions' registry
            attrs[sc.request_attribute(key)] = value
        self.span.set_attributes(attrs)

    def set_usage(
        self,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        *,
        cache_read_input_tokens: int | None = None,
        cache_creation_input_tokens: int | None = None,
        reasoning_output_tokens: int | None = None,
        estimated: bool = False,
    ) -> None:
        """Token usage as the provider reported it (``estimated=True`` when you estimated it)."""
        if input_tokens is not None:
            self.input_tokens = input_tokens
        if output_tokens is not None:
            self.output_tokens = output_tokens
        if cache_read_input_tokens is not None:
            self.cache_read_tokens = cache_read_input_tokens
        if cache_creation_input_tokens is not None:
            self.cache_write_tokens = cache_creation_input_tokens
        if reasoning_output_tokens is not None:
            self.reasoning_tokens = reasoning_output_tokens
        self.estimated = estimated

    def set_response(
        self,
        *,
        id: str | None = None,  # noqa: A002 - the convention's name
        model: str | None = None,
        finish_reasons: Sequence[str] | None = None,
    ) -> None:
        """The response's id, model and finish reasons."""
        if id is not None:
            self.response_id = id
        if model is not None:
            self.response_model = model
        if finish_reasons is not None:
            self.finish_reasons = list(finish_reasons)

    def set_messages(self, input: Any = None, output: Any = None, system: Any = None) -> None:  # noqa: A002
        """Message content (kept only when capture is on): convention-shaped lists, or strings."""
        if not self.capture_content:
            return
        if input is not None:
            self.input_messages = (
                [{"role": "user", "parts": [content.text_part(input)]}] if isinstance(input, str) else input
            )
        if output is not None:
            self.output_messages = (
                [{"role": "assistant", "parts": [content.text_part(output)], "finish_reason": ""}]
                if isinstance(output, str)
                else output
            )
        if system is not None:
            self.system_instructions = [content.text_part(system)] if isinstance(system, str) else system

    def set_cost(
        self, input_usd: float, output_usd: float, *, source: str = "reported", version: str = ""
    ) -> None:
        """A cost the client reported itself (replaces the computed one)."""
        self.cost = cost_mod.Cost(input_usd, output_usd, input_usd + output_usd, source, version or source)

    def set_attribute(self, key: str, value: Any) -> None:
        self.set_attributes({key: value})

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Any attributes; GenAI usage/response names (and OpenInference ``llm.*``) feed the call."""
        rest: dict[str, Any] = {}
        for key, value in sc.from_openinference(attributes).items():
            field = _ROUTED.get(key)
            if field is None:
                rest[key] = value
            elif field == "request_model":
                self.request_model = value
                self.span.update_name(f"{self.operation} {value}")
                rest[key] = value
            elif field == "finish_reasons":
                self.finish_reasons = [value] if isinstance(value, str) else list(value)
            else:
                setattr(self, field, value)
        if rest:
            self.span.set_attributes(rest)

    def first_chunk(self) -> None:
        """Mark the arrival of the first streamed chunk (time to first chunk)."""
        if self.ttft is None:
            self._last_chunk = time.perf_counter()
            self.ttft = self._last_chunk - self._t0

    def chunk(self) -> None:
        """Mark the arrival of a streamed chunk: the first gives the time to first chunk, each
        later one a time per output chunk (since the previous one)."""
        now = time.perf_counter()
        if self.ttft is None:
            self.ttft = now - self._t0
        else:
            self.chunk_gaps.append(now - self._last_chunk)
        self._last_chunk = now

    # --- the end -------------------------------------------------------------------------

    def end(self, error: BaseException | None = None) -> None:
        """End the span and record the metrics, cost and content event (once; later calls no-op)."""
        if self._ended:
            return
        self._ended = True
        duration = time.perf_counter() - self._t0
        try:
            self._finish(duration, error)
        except Exception as exc:
            errors.record_internal_error("genai.call.end", exc)
            if self.span.is_recording():
                self.span.end()
            if errors.RAISE:
                raise

    def _finish(self, duration: float, error: BaseException | None) -> None:
        span = self.span
        error_type = None
        if error is not None:
            error_type = self.error_type = type(error).__qualname__
            status = getattr(error, "status_code", None)
            if isinstance(status, int):
                extra = self.attributes = self.attributes or {}
                extra[sc.HTTP_STATUS_CODE] = status
            span.set_status(Status(StatusCode.ERROR, f"{error_type}: {error}"[:1024]))
        elif self.error_type:
            error_type = self.error_type
            span.set_status(Status(StatusCode.ERROR, self.error_type))
        attrs, cost, unknown_price = genai_attributes(self, self.capture_span, self.attributes)
        self.cost = cost
        model = self.response_model or self.request_model
        span.set_attributes(attrs)
        span.end()

        inst = _Instruments.duration or _Instruments.load().duration
        m: dict[str, Any] = {sc.OPERATION_NAME: self.operation, sc.PROVIDER_NAME: self.provider}
        if self.request_model:
            m[sc.REQUEST_MODEL] = self.request_model
        if self.response_model:
            m[sc.RESPONSE_MODEL] = self.response_model
        if self.server_address:
            m[sc.SERVER_ADDRESS] = self.server_address
            if self.server_port:
                m[sc.SERVER_PORT] = self.server_port
        if error_type:
            m[sc.ERROR_TYPE] = error_type
        inst.record(duration, m)
        if self.ttft is not None:
            _Instruments.ttft.record(self.ttft, m)
        if self.chunk_gaps:
            per_chunk = _Instruments.per_chunk
            for gap in self.chunk_gaps:
                per_chunk.record(gap, m)
        if not self.estimated and error_type is None:
            # the token histogram carries measured usage of completed calls only (a failed call has
            # a duration with error.type); estimates stay on the span, flagged
            if self.input_tokens is not None:
                _Instruments.tokens.record(self.input_tokens, {**m, sc.TOKEN_TYPE: sc.TOKEN_INPUT})
            if self.output_tokens is not None:
                _Instruments.tokens.record(self.output_tokens, {**m, sc.TOKEN_TYPE: sc.TOKEN_OUTPUT})
            if cost is not None:
                key = (self.provider, self.request_model or model or "", self.response_model)
                _Instruments.cost.add_many(
                    (((*key, "input"), cost.input_usd), ((*key, "output"), cost.output_usd))
                )
        if unknown_price:
            _Instruments.unknown.add(
                1, {sc.PROVIDER_NAME: self.provider, sc.REQUEST_MODEL: self.request_model or model}
            )
        if self.capture_event:
            emit_inference_event(self, attrs, trace_api.set_span_in_context(self.span, self._parent_ctx))


def emit_inference_event(
    c: Any,
    span_attrs: Mapping[str, Any],
    context: otel_context.Context,
    *,
    scope: str = SCOPE,
    timestamp: int | None = None,
) -> None:
    """The opt-in ``gen_ai.client.inference.operation.details`` event of call ``c`` (live or
    ingested, same fields as :func:`genai_attributes`) in ``context`` (the span's): the event's
    keys taken from the span attributes, the content as structured values."""
    from opentelemetry._logs import SeverityNumber, get_logger

    from agentel.registry import REGISTRY

    spec, emit = REGISTRY.should_emit(sc.EVENT_INFERENCE_DETAILS)
    if not emit:
        return
    keys = spec.keys if spec is not None else ()
    attrs: dict[str, Any] = {sc.OPERATION_NAME: c.operation, sc.PROVIDER_NAME: c.provider}
    for key in keys:
        if key in span_attrs and key not in _CONTENT_KEYS:
            attrs[key] = span_attrs[key]
    if c.request_model:
        attrs[sc.REQUEST_MODEL] = c.request_model
    for key, value in (
        (sc.INPUT_MESSAGES, c.input_messages),
        (sc.OUTPUT_MESSAGES, c.output_messages),
        (sc.SYSTEM_INSTRUCTIONS, content.instructions(c.system_instructions, c.input_messages)),
        (sc.TOOL_DEFINITIONS, c.tool_definitions),
    ):
        if value:
            attrs[key] = content.structured(value)  # events take structured values
    get_logger(scope, _VERSION).emit(
        timestamp=timestamp,
        event_name=sc.EVENT_INFERENCE_DETAILS,
        severity_number=SeverityNumber.INFO,
        severity_text="INFO",
        context=context,
        attributes=attrs,
    )


_CONTENT_KEYS = frozenset(
    (sc.INPUT_MESSAGES, sc.OUTPUT_MESSAGES, sc.SYSTEM_INSTRUCTIONS, sc.TOOL_DEFINITIONS)
)


_ROUTED = {
    sc.REQUEST_MODEL: "request_model",
    sc.RESPONSE_MODEL: "response_model",
    sc.RESPONSE_ID: "response_id",
    sc.RESPONSE_FINISH_REASONS: "finish_reasons",
    sc.USAGE_INPUT_TOKENS: "input_tokens",
    sc.USAGE_OUTPUT_TOKENS: "output_tokens",
    sc.USAGE_CACHE_READ_INPUT_TOKENS: "cache_read_tokens",
    sc.USAGE_CACHE_CREATION_INPUT_TOKENS: "cache_write_tokens",
    sc.USAGE_REASONING_OUTPUT_TOKENS: "reasoning_tokens",
    sc.USAGE_ESTIMATED: "estimated",
}


def current_llm_call() -> LLMCall | None:
    """The call being recorded by the enclosing ``llm_call`` block or decorated function."""
    return otel_context.get_value(_CALL_KEY)  # type: ignore[return-value]


def activate(call: LLMCall) -> object:
    """Make ``call`` (and its span) current; returns the token for :func:`deactivate`."""
    ctx = trace_api.set_span_in_context(call.span, call._parent_ctx)
    return otel_context.attach(otel_context.set_value(_CALL_KEY, call, ctx))


def deactivate(token: object) -> None:
    otel_context.detach(token)  # type: ignore[arg-type]


class llm_call:  # noqa: N801 - used like a function: agentel.llm_call(...)
    """Record any LLM client by hand: a context manager (sync or async) or a decorator.

        with agentel.llm_call(provider="mistral_ai", model="mistral-large") as call:
            reply = my_client.chat(...)
            call.set_usage(input_tokens=reply.in_tok, output_tokens=reply.out_tok)
            call.set_response(id=reply.id, model=reply.model, finish_reasons=["stop"])

    The span, metrics and cost are the same the instrumentors produce. An exception leaving the
    block is recorded (``error.type``) and re-raised unchanged. As a decorator, the function
    reaches its call with :func:`current_llm_call`.
    """

    def __init__(
        self,
        provider: str,
        model: str | None = None,
        operation: str = sc.OP_CHAT,
        *,
        server_address: str | None = None,
        server_port: int | None = None,
        **attributes: Any,
    ) -> None:
        self._args = (provider, operation, model, server_address, server_port, attributes)
        self._stack: list[tuple[LLMCall, object]] = []

    def _start(self) -> LLMCall:
        provider, operation, model, address, port, attributes = self._args
        call = LLMCall(provider, operation, model, server_address=address, server_port=port)
        if attributes:
            call.set_attributes(attributes)
        self._stack.append((call, activate(call)))
        return call

    def _stop(self, exc: BaseException | None) -> None:
        call, token = self._stack.pop()
        deactivate(token)
        call.end(exc)

    def __enter__(self) -> LLMCall:
        return self._start()

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self._stop(exc)

    async def __aenter__(self) -> LLMCall:
        return self._start()

    async def __aexit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self._stop(exc)

    def __call__(self, fn: F) -> F:
        args = self._args

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def async_wrapper(*a: Any, **kw: Any) -> Any:
                async with llm_call(
                    args[0], args[2], args[1], server_address=args[3], server_port=args[4], **args[5]
                ):
                    return await fn(*a, **kw)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            with llm_call(args[0], args[2], args[1], server_address=args[3], server_port=args[4], **args[5]):
                return fn(*a, **kw)

        return wrapper  # type: ignore[return-value]
