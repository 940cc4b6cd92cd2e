"""Global providers that can be re-pointed.

OTel's global providers can be set once per process. agentel sets these switchable proxies once
and re-points them on every ``configure()``: tracers, loggers, meters and instruments obtained
before (at import time, by instrumentors) follow the pipeline in force, and ``shutdown()`` followed
by ``configure()`` is a real re-configure instead of a silent no-op.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import metrics as metrics_api
from opentelemetry import trace as trace_api
from opentelemetry._logs import LoggerProvider as APILoggerProvider
from opentelemetry._logs import NoOpLoggerProvider
from opentelemetry.metrics import NoOpMeterProvider

from agentel.config import ConfigError

_lock = threading.Lock()


class _Slot:
    """The current real provider plus a generation number bumped on every switch."""

    def __init__(self, default: Any) -> None:
        self.default = default
        self.current = default
        self.generation = 0

    def switch(self, provider: Any | None) -> None:
        with _lock:
            self.current = provider if provider is not None else self.default
            self.generation += 1


TRACES = _Slot(trace_api.NoOpTracerProvider())
LOGS = _Slot(NoOpLoggerProvider())
METRICS = _Slot(NoOpMeterProvider())


class _Resolving:
    """Resolves the real object lazily, once per generation of ``slot``."""

    _make: Callable[[Any], Any]

    def __init__(self, slot: _Slot) -> None:
        self._slot = slot
        self._gen = -1
        self._real: Any = None

    def _resolve(self) -> Any:
        slot = self._slot
        if self._gen != slot.generation:
            self._real = self._make(slot.current)
            self._gen = slot.generation
        return self._real


class SwitchableTracer(_Resolving, trace_api.Tracer):
    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__(TRACES)
        self._make = lambda p: p.get_tracer(*args, **kwargs)

    def start_span(self, *args: Any, **kwargs: Any) -> trace_api.Span:
        return self._resolve().start_span(*args, **kwargs)  # type: ignore[no-any-return]

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> Any:
        return self._resolve().start_as_current_span(*args, **kwargs)


class SwitchableTracerProvider(trace_api.TracerProvider):
    def get_tracer(self, *args: Any, **kwargs: Any) -> trace_api.Tracer:
        return SwitchableTracer(args, kwargs)

    @property
    def current(self) -> Any:
        return TRACES.current


class SwitchableLogger(_Resolving):
    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__(LOGS)
        self._make = lambda p: p.get_logger(*args, **kwargs)

    def emit(self, *args: Any, **kwargs: Any) -> None:
        self._resolve().emit(*args, **kwargs)

    def enabled(self, *args: Any, **kwargs: Any) -> bool:
        fn = getattr(self._resolve(), "enabled", None)
        return True if fn is None else bool(fn(*args, **kwargs))


class SwitchableLoggerProvider(APILoggerProvider):
    def get_logger(self, *args: Any, **kwargs: Any) -> Any:
        return SwitchableLogger(args, kwargs)

    @property
    def current(self) -> Any:
        return LOGS.current


class SwitchableInstrument(_Resolving):
    def __init__(
        self, meter: SwitchableMeter, factory: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        super().__init__(METRICS)
        self._make = lambda p: getattr(meter._resolve(), factory)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self._resolve().add(*args, **kwargs)

    def record(self, *args: Any, **kwargs: Any) -> None:
        self._resolve().record(*args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        self._resolve().set(*args, **kwargs)


_observables: weakref.WeakSet[SwitchableInstrument] = weakref.WeakSet()


class SwitchableMeter(_Resolving):
    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__(METRICS)
        self._make = lambda p: p.get_meter(*args, **kwargs)

    def __getattr__(self, factory: str) -> Callable[..., SwitchableInstrument]:
        if not factory.startswith("create_"):
            raise AttributeError(factory)

        def create(*args: Any, **kwargs: Any) -> SwitchableInstrument:
            inst = SwitchableInstrument(self, factory, args, kwargs)
            if factory.startswith("create_observable"):
                # callbacks must be registered with the real meter now and after every switch
                inst._resolve()
                _observables.add(inst)
            return inst

        return create


class SwitchableMeterProvider(metrics_api.MeterProvider):
    def get_meter(self, *args: Any, **kwargs: Any) -> Any:
        return SwitchableMeter(args, kwargs)

    @property
    def current(self) -> Any:
        return METRICS.current


_installed = False


def install() -> None:
    """Set the switchable proxies as the OTel global providers (once per process).

    OpenTelemetry lets a global provider be set only once and silently keeps the first one; when
    someone else's provider got there first, nothing agentel records would ever reach its sinks.
    That is a :class:`~agentel.config.ConfigError` naming the other provider and the fix.
    """
    global _installed
    if _installed:
        return
    from opentelemetry import _logs

    trace_api.set_tracer_provider(SwitchableTracerProvider())
    metrics_api.set_meter_provider(SwitchableMeterProvider())
    _logs.set_logger_provider(SwitchableLoggerProvider())
    checks: tuple[tuple[str, Any, type, str], ...] = (
        (
            "TracerProvider",
            trace_api.get_tracer_provider(),
            SwitchableTracerProvider,
            "trace.set_tracer_provider",
        ),
        (
            "MeterProvider",
            metrics_api.get_meter_provider(),
            SwitchableMeterProvider,
            "metrics.set_meter_provider",
        ),
        (
            "LoggerProvider",
            _logs.get_logger_provider(),
            SwitchableLoggerProvider,
            "_logs.set_logger_provider",
        ),
    )
    for kind, current, ours, setter in checks:
        if not isinstance(current, ours):
            other = f"{type(current).__module__}.{type(current).__qualname__}"
            raise ConfigError(
                f"another {kind} ({other}) was set as the OpenTelemetry global before agentel.configure(), "
                f"so agentel's sinks would receive nothing: remove that {setter}(...) call and pass its "
                "exporters to agentel.configure(span_exporters=..., log_exporters=..., metric_readers=...), "
                "or call agentel.configure() first"
            )
    _installed = True


def switch(tracer_provider: Any, logger_provider: Any, meter_provider: Any) -> None:
    """Point the proxies at a new pipeline (None = back to no-op)."""
    TRACES.switch(tracer_provider)
    LOGS.switch(logger_provider)
    METRICS.switch(meter_provider)
    for inst in list(_observables):
        inst._resolve()


def observables() -> Sequence[SwitchableInstrument]:
    return list(_observables)
