"""Build the whole pipeline from :class:`Settings`, in one place: providers, processors, sinks.

    application → EnrichingProcessor (correlation keys) → Redacting processor → batch → sinks

Every exporter, built-in or passed in, is reached only through the redaction wrappers built in
:func:`_wrap_spans` / :func:`_wrap_logs`; ``pipeline_exporters()`` lists them for the structural
test that proves it.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry._logs import SeverityNumber
from opentelemetry.context import Context
from opentelemetry.sdk._logs import LoggerProvider, LogRecordProcessor, ReadWriteLogRecord
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    LogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)

from agentel import alerts, correlation
from agentel._internal import feed, lifecycle, proxy, state
from agentel._internal.errors import handle_internal_errors
from agentel.config import SETTINGS, ConfigError, Settings

# The redacting processors are the only door to the sinks. Should any part of the redactor fail to
# import, configure() refuses with a ConfigError (see _redaction()) instead of building a pipeline
# without it: there is no fallback path that returns an unwrapped processor.
try:
    from agentel.redaction import metrics as _redaction_metrics
    from agentel.redaction import policy as _redaction_policy
    from agentel.redaction import processors as _redaction_module
    from agentel.redaction import typeguard as _redaction_typeguard
except ImportError as _exc:  # pragma: no cover - exercised in a subprocess test
    _redaction_module = _redaction_metrics = _redaction_policy = None  # type: ignore[assignment]
    _redaction_typeguard = None  # type: ignore[assignment]
    _redaction_import_error: str = f"{type(_exc).__name__}: {_exc}"
else:
    _redaction_import_error = ""

__all__ = ["configure", "current_settings", "force_flush", "shutdown"]

_lock = threading.RLock()
_pipeline: Pipeline | None = None
#: why the run wrapper's configuration failed (then configure() is inert), else None
_wrapper_error: str | None = None
_INERT = Settings(sinks=(), run_id="unconfigured")
_SETTING_NAMES = tuple(spec.name for spec in SETTINGS)
_SDK_VERSION = "0.1.0"


# --- processors ------------------------------------------------------------------------------


class EnrichingSpanProcessor(SpanProcessor):
    """Copies the correlation keys in force onto every span at start."""

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        keys = correlation.current_keys(parent_context)
        if keys:
            existing = span.attributes or {}
            span.set_attributes({k: v for k, v in keys.items() if k not in existing})

    def on_end(self, span: ReadableSpan) -> None:
        pass


class EnrichingLogProcessor(LogRecordProcessor):
    """Copies the correlation keys in force onto every log record."""

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        keys = correlation.current_keys(log_record.log_record.context)
        if keys:
            attrs = log_record.log_record.attributes
            for k, v in keys.items():
                if attrs is not None and k not in attrs:
                    attrs[k] = v  # type: ignore[index]

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class FanOutSpanProcessor(SpanProcessor):
    """Hands each ended span to several export processors."""

    def __init__(self, processors: Sequence[SpanProcessor]) -> None:
        self.processors = list(processors)

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        for p in self.processors:
            with handle_internal_errors("sdk.fanout.spans"):
                p.on_end(span)

    def shutdown(self) -> None:
        for p in self.processors:
            with handle_internal_errors("sdk.fanout.shutdown"):
                p.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all([p.force_flush(timeout_millis) for p in self.processors])


class FanOutLogProcessor(LogRecordProcessor):
    """Hands each log record to several export processors."""

    def __init__(self, processors: Sequence[LogRecordProcessor]) -> None:
        self.processors = list(processors)

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        for p in self.processors:
            with handle_internal_errors("sdk.fanout.logs"):
                p.on_emit(log_record)

    def shutdown(self) -> None:
        for p in self.processors:
            with handle_internal_errors("sdk.fanout.shutdown"):
                p.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all([p.force_flush(timeout_millis) for p in self.processors])


def _redaction() -> Any:
    """The redaction processors module, or a ConfigError: no pipeline exists without the redactor."""
    if _redaction_module is None:
        raise ConfigError(
            f"the redactor could not be loaded ({_redaction_import_error}); agentel refuses to export "
            "unredacted telemetry — reinstall agentel (pip install --force-reinstall agentel)"
        )
    return _redaction_module


def _build_redaction(what: str, build: Any, *args: Any) -> Any:
    """Build one redaction stage; any failure is a configure-time error, never an unwrapped path."""
    try:
        return build(*args)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"AGENTEL_REDACTION_POLICY: the redactor for {what} could not be built "
            f"({type(exc).__name__}: {exc}); agentel refuses to export unredacted telemetry"
        ) from None


def _wrap_spans(inner: SpanProcessor, settings: Settings) -> SpanProcessor:
    """The only door from the span pipeline to the sinks: the redacting processor."""
    wrapped: SpanProcessor = _build_redaction("spans", _redaction().wrap_span_processor, inner, settings)
    return wrapped


def _wrap_logs(inner: LogRecordProcessor, settings: Settings) -> LogRecordProcessor:
    """The only door from the log pipeline to the sinks: the redacting processor."""
    wrapped: LogRecordProcessor = _build_redaction("logs", _redaction().wrap_log_processor, inner, settings)
    return wrapped


def _redact_resource(resource: Resource, settings: Settings) -> Resource:
    """Resource attributes pass the redaction policy once, for every signal (metrics included)."""
    redacted: Resource = _build_redaction("the resource", _redaction().redact_resource, resource, settings)
    return redacted


def _views(settings: Settings) -> list[Any]:
    """Metric views: the registry's attribute bounds, narrowed by the redaction policy."""
    _redaction()
    policy = _build_redaction("metrics", _redaction_policy.load_policy, settings.redaction_policy)
    views: list[Any] = _build_redaction("metrics", _redaction_metrics.metric_views, policy)
    return views


# --- the pipeline ----------------------------------------------------------------------------


@dataclass
class Pipeline:
    """Everything ``configure()`` built and installed, so ``shutdown()`` undoes it and tests see it.

    The public record of the pipeline's structure (read by the structural redaction test instead of
    SDK private fields): ``span_processors`` / ``log_processors`` are the processors added to the
    providers, in order (enrich → [alert feed] → redacting door); ``span_exporters`` /
    ``log_exporters`` are every exporter, all of them behind ``span_door`` / ``log_door``;
    ``metric_readers`` and ``views`` what the meter provider got; ``installed`` what configure()
    changed in the process (``installed.names``), undone by shutdown().
    """

    settings: Settings
    resource: Resource
    tracer_provider: TracerProvider
    logger_provider: LoggerProvider
    meter_provider: MeterProvider
    span_exporters: list[SpanExporter] = field(default_factory=list)
    log_exporters: list[LogRecordExporter] = field(default_factory=list)
    metric_readers: list[MetricReader] = field(default_factory=list)
    span_processors: list[SpanProcessor] = field(default_factory=list)
    log_processors: list[LogRecordProcessor] = field(default_factory=list)
    views: list[Any] = field(default_factory=list)
    span_door: SpanProcessor | None = None
    log_door: LogRecordProcessor | None = None
    logging_handler: logging.Handler | None = None
    installed: lifecycle.Installed = field(default_factory=lifecycle.Installed)
    overrides: dict[str, Any] = field(default_factory=dict)
    origin: str = "configure"  # or "distro" when opentelemetry-instrument / agentel run built it


def _sampler(settings: Settings) -> Sampler:
    name, arg = settings.traces_sampler, settings.traces_sampler_arg
    base: Sampler = {"always_on": ALWAYS_ON, "always_off": ALWAYS_OFF}.get(
        name.removeprefix("parentbased_"), TraceIdRatioBased(arg)
    )
    return ParentBased(base) if name.startswith("parentbased_") else base


def _resource(settings: Settings) -> Resource:
    attrs: dict[str, Any] = dict(settings.resource_attributes)
    attrs["service.name"] = settings.service_name or attrs.get("service.name") or _program_name()
    attrs["agentel.run_id"] = settings.run_id
    attrs["process.pid"] = os.getpid()
    attrs["telemetry.distro.name"] = "agentel"
    attrs["telemetry.distro.version"] = _SDK_VERSION
    # Resource.create would re-read OTEL_* env (already folded into settings, with precedence)
    return Resource.get_empty().merge(Resource(attrs))


def _program_name() -> str:
    argv0 = sys.argv[0] if sys.argv and sys.argv[0] else "python"
    name = os.path.splitext(os.path.basename(argv0))[0]
    return name or "python"


def _otlp_exporters(settings: Settings) -> tuple[SpanExporter, LogRecordExporter, MetricExporter]:
    endpoint = (settings.otlp_endpoint or "").rstrip("/")
    headers = dict(settings.otlp_headers)
    if settings.otlp_protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        insecure = endpoint.startswith("http://") or endpoint.startswith("grpc://")
        target = endpoint.split("://", 1)[-1]
        return (
            OTLPSpanExporter(endpoint=target, insecure=insecure, headers=headers),
            OTLPLogExporter(endpoint=target, insecure=insecure, headers=headers),
            OTLPMetricExporter(endpoint=target, insecure=insecure, headers=headers),
        )
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HTTPLog
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HTTPMetric
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HTTPSpan

    return (
        HTTPSpan(endpoint=f"{endpoint}/v1/traces", headers=headers),
        HTTPLog(endpoint=f"{endpoint}/v1/logs", headers=headers),
        HTTPMetric(endpoint=f"{endpoint}/v1/metrics", headers=headers),
    )


def _metric_reader(exporter: MetricExporter, settings: Settings) -> MetricReader:
    interval = settings.metrics_interval_s * 1000 if settings.metrics_interval_s > 0 else math.inf
    return PeriodicExportingMetricReader(exporter, export_interval_millis=interval)


def _sink_exporters(
    settings: Settings, spans: list[SpanExporter], logs: list[LogRecordExporter], readers: list[MetricReader]
) -> None:
    """The built-in sinks the settings ask for (appended as each is made, so a failure can close
    what was already built). Sink modules are imported lazily: only the configured ones load."""
    sinks = settings.sinks
    if "files" in sinks:
        from agentel.sinks.files import FileLogExporter, FileMetricExporter, FileSpanExporter

        spans.append(FileSpanExporter(settings.run_dir))
        logs.append(FileLogExporter(settings.run_dir))
        readers.append(_metric_reader(FileMetricExporter(settings.run_dir), settings))
    if "console" in sinks:
        from agentel.sinks.console import ConsoleLogExporter, ConsoleSpanExporter

        spans.append(ConsoleSpanExporter(settings.console))
        logs.append(ConsoleLogExporter(settings.console, settings.log_level))
    if "otlp" in sinks:
        s, lg, m = _otlp_exporters(settings)
        spans.append(s)
        logs.append(lg)
        readers.append(_metric_reader(m, settings))
    if "clickhouse" in sinks:
        from agentel.sinks import clickhouse as ch_sink  # type: ignore[attr-defined,unused-ignore]

        s, lg, m = ch_sink.build_exporters(settings)
        spans.append(s)
        logs.append(lg)
        readers.append(_metric_reader(m, settings))
    if "prometheus" in sinks:
        from agentel.sinks import prometheus as prom_sink  # type: ignore[attr-defined,unused-ignore]

        readers.extend(prom_sink.build_metric_readers(settings))


def _close_partial(
    spans: list[SpanExporter], logs: list[LogRecordExporter], readers: list[MetricReader]
) -> None:
    """configure() failed half-way: close what was built (threads, files, sockets)."""
    closeables: list[Any] = [*spans, *logs, *readers]
    for closeable in closeables:
        with handle_internal_errors("sdk.configure.cleanup"):
            closeable.shutdown()


def _build(
    settings: Settings,
    span_exporters: Sequence[SpanExporter],
    log_exporters: Sequence[LogRecordExporter],
    metric_readers: Sequence[MetricReader],
    sync_export: bool,
    id_generator: IdGenerator | None,
) -> Pipeline:
    # The redaction stages come first: a redactor that cannot be built stops configure() here
    # (ConfigError) before any sink exists. The doors wrap fan-outs that are filled afterwards.
    resource = _redact_resource(_resource(settings), settings)
    views = _views(settings)
    span_fanout, log_fanout = FanOutSpanProcessor([]), FanOutLogProcessor([])
    span_door = _wrap_spans(span_fanout, settings)
    log_door = _wrap_logs(log_fanout, settings)

    spans: list[SpanExporter] = []
    logs: list[LogRecordExporter] = []
    readers: list[MetricReader] = []
    try:
        _sink_exporters(settings, spans, logs, readers)
    except BaseException:
        _close_partial(spans, logs, readers)
        raise
    spans.extend(span_exporters)
    logs.extend(log_exporters)
    readers.extend(metric_readers)
    if sync_export:
        span_fanout.processors = [SimpleSpanProcessor(e) for e in spans]
        log_fanout.processors = [SimpleLogRecordProcessor(e) for e in logs]
    else:
        q = settings.max_queue_size
        # AGENTEL_FLUSH=sync: the files sink writes each record before the call returns (a kill -9
        # loses nothing already recorded); network sinks keep batching (docs/reliability.md)
        durable: tuple[type, ...] = ()
        if settings.flush == "sync":
            from agentel.sinks.files import FileLogExporter, FileSpanExporter

            durable = (FileSpanExporter, FileLogExporter)
        span_fanout.processors = [
            SimpleSpanProcessor(e)
            if isinstance(e, durable)
            else BatchSpanProcessor(e, max_queue_size=q, schedule_delay_millis=1000)
            for e in spans
        ]
        log_fanout.processors = [
            SimpleLogRecordProcessor(e)
            if isinstance(e, durable)
            else BatchLogRecordProcessor(e, max_queue_size=q, schedule_delay_millis=1000)
            for e in logs
        ]
    # In provider order: enrichment, the in-process feed (alerts subscribe to it), the redacting door.
    span_processors: list[SpanProcessor] = [EnrichingSpanProcessor(), feed.SpanFeed(), span_door]
    log_processors: list[LogRecordProcessor] = [EnrichingLogProcessor(), log_door]

    tracer_provider = TracerProvider(
        resource=resource, sampler=_sampler(settings), id_generator=id_generator, shutdown_on_exit=False
    )
    for sp in span_processors:
        tracer_provider.add_span_processor(sp)
    logger_provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
    for lp in log_processors:
        logger_provider.add_log_record_processor(lp)
    meter_provider = MeterProvider(
        resource=resource, metric_readers=readers, views=views, shutdown_on_exit=False
    )
    # measurements and meter names pass the redactor too, whenever the instrument is made
    _build_redaction("metrics", _redaction_metrics.guard_meter_provider, meter_provider, settings)
    return Pipeline(
        settings=settings,
        resource=resource,
        tracer_provider=tracer_provider,
        logger_provider=logger_provider,
        meter_provider=meter_provider,
        span_exporters=spans,
        log_exporters=logs,
        metric_readers=readers,
        span_processors=span_processors,
        log_processors=log_processors,
        views=views,
        span_door=span_door,
        log_door=log_door,
    )


_SEVERITY = (
    (logging.CRITICAL, SeverityNumber.FATAL, "FATAL"),
    (logging.ERROR, SeverityNumber.ERROR, "ERROR"),
    (logging.WARNING, SeverityNumber.WARN, "WARN"),
    (logging.INFO, SeverityNumber.INFO, "INFO"),
    (logging.DEBUG, SeverityNumber.DEBUG, "DEBUG"),
)
_RESERVED = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "error_code"}


class _BridgeHandler(logging.Handler):
    """stdlib logging → OTel log records (trace/span ids from the current context).

    Error records get ``error.code`` (the ``error_code`` extra, else the exception type);
    ``extra={...}`` keys become attributes; agentel's and the SDK's own loggers are skipped so an
    exporter's warning never feeds back into the pipeline.
    """

    _SKIP = ("opentelemetry", "agentel.internal")

    def __init__(self, level: int) -> None:
        super().__init__(level=level)
        from opentelemetry._logs import get_logger

        self._get_logger = get_logger

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self._SKIP):
            return
        from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY, get_value

        if get_value(_SUPPRESS_INSTRUMENTATION_KEY):
            return  # logged while exporting (e.g. urllib3 debug lines of the OTLP exporter): no feedback loop
        try:
            self._emit(record)
        except Exception as exc:  # never into the application
            from agentel._internal.errors import record_internal_error

            record_internal_error("sdk.logging_bridge", exc)

    def _emit(self, record: logging.LogRecord) -> None:
        number, text = SeverityNumber.TRACE, "TRACE"
        for floor, num, txt in _SEVERITY:
            if record.levelno >= floor:
                number, text = num, txt
                break
        attrs: dict[str, Any] = {
            "code.file.path": record.pathname,
            "code.function.name": record.funcName,
            "code.line.number": record.lineno,
            "logger.name": record.name,
        }
        for key, value in vars(record).items():
            if (
                key not in _RESERVED
                and not key.startswith("_")
                and isinstance(value, (str, int, float, bool))
            ):
                attrs[key] = value
        exc_info = record.exc_info
        if exc_info and exc_info[0] is not None:
            import traceback

            attrs["exception.type"] = exc_info[0].__qualname__
            attrs["exception.message"] = str(exc_info[1])
            attrs["exception.stacktrace"] = "".join(traceback.format_exception(*exc_info))
        if record.levelno >= logging.ERROR:
            code = getattr(record, "error_code", None)
            if code is None and exc_info and exc_info[0] is not None:
                code = exc_info[0].__qualname__
            attrs["error.code"] = str(code or "unspecified")
        try:
            body = record.getMessage() if isinstance(record.msg, str) or record.args else str(record.msg)
        except Exception as exc:  # an argument whose __str__ raises: keep the record, mark the body
            from agentel._internal.errors import record_internal_error

            record_internal_error("attributes.unprintable", exc)
            body = f"<unprintable log message: {type(exc).__name__}>"
        self._get_logger(record.name).emit(
            timestamp=int(record.created * 1e9),
            severity_number=number,
            severity_text=text,
            body=body,
            attributes=attrs,
        )


_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def configure(
    *,
    span_exporters: Sequence[SpanExporter] = (),
    log_exporters: Sequence[LogRecordExporter] = (),
    metric_readers: Sequence[MetricReader] = (),
    sync_export: bool = False,
    id_generator: IdGenerator | None = None,
    # one keyword per setting of agentel.config.Settings (a test keeps them in step); None = not given
    service_name: str | None = None,
    resource_attributes: Mapping[str, Any] | None = None,
    dir: str | None = None,
    run_id: str | None = None,
    sinks: Sequence[str] | None = None,
    console: str | None = None,
    log_level: str | None = None,
    capture_content: bool | None = None,
    genai_capture_message_content: str | None = None,
    prices_file: str | None = None,
    redaction_strict: bool | None = None,
    redaction_strict_action: str | None = None,
    redaction_policy: Any = None,
    metrics_interval_s: float | None = None,
    strict_events: bool | None = None,
    bridge_logging: bool | None = None,
    propagate_threads: bool | None = None,
    otlp_endpoint: str | None = None,
    otlp_protocol: str | None = None,
    otlp_headers: Mapping[str, Any] | None = None,
    clickhouse_url: str | None = None,
    prometheus_port: int | None = None,
    traces_sampler: str | None = None,
    traces_sampler_arg: float | None = None,
    max_queue_size: int | None = None,
    flush: str | None = None,
    clickhouse_timeout_s: float | None = None,
    disk_budget_mb: int | None = None,
    alerts: bool | None = None,
    alert_window_s: float | None = None,
    alert_thresholds: Mapping[str, Any] | None = None,
    ttl_days: int | None = None,
    no_serve: bool | None = None,
    serve_password: str | None = None,
    redaction_hash_key: str | None = None,
    raise_internal_errors: bool | None = None,
) -> Settings:
    """Set up tracing, logs and metrics once; returns the settings in force.

    Each setting keyword (see docs/reference/configuration.md) wins over its environment
    variable; None means "not given". Extra exporters/readers are added behind the same redacting
    processors as the built-in sinks. Calling again with no arguments returns the current
    settings; calling with different settings while configured is an error — call
    :func:`shutdown` first to re-configure. Everything this installs in the process is recorded
    (``current_pipeline().installed``) and undone by :func:`shutdown`.
    """
    given = locals()
    overrides: dict[str, Any] = {n: given[n] for n in _SETTING_NAMES if given.get(n) is not None}
    global _pipeline
    with _lock:
        if _pipeline is None and _wrapper_error is not None:
            # The run wrapper could not configure (it said why, once): the program runs without
            # agentel, and its own configure() must not take it down either.
            return _INERT
        if _pipeline is not None:
            extra = span_exporters or log_exporters or metric_readers or id_generator is not None
            if not overrides and not extra:
                return _pipeline.settings
            if overrides == _pipeline.overrides and not extra:
                return _pipeline.settings
            if _pipeline.origin == "distro":
                # The wrapper (agentel run / opentelemetry-instrument) configured first; the
                # program's own configure(...) must not crash it. The wrapper's settings win.
                logging.getLogger("agentel.internal").warning(
                    "agentel.configure(%s) ignored: already configured by the agentel run / "
                    "opentelemetry-instrument wrapper (set AGENTEL_* variables instead)",
                    ", ".join(sorted(overrides)),
                )
                return _pipeline.settings
            raise ConfigError(
                "agentel is already configured with other settings; call agentel.shutdown() before "
                "configuring again (changed: " + ", ".join(sorted(overrides)) + ")"
            )
        settings = Settings.load(**overrides)
        proxy.install()  # before building anything: another global provider is a ConfigError
        pipeline = _build(settings, span_exporters, log_exporters, metric_readers, sync_export, id_generator)
        pipeline.overrides = dict(overrides)
        try:
            _install(pipeline)
        except BaseException:
            _teardown(pipeline, 5_000)
            raise
        _pipeline = pipeline
        return settings


def _install(pipeline: Pipeline) -> None:
    """Put the pipeline in force and record each change to the process with its undo."""
    settings, installed = pipeline.settings, pipeline.installed
    proxy.switch(pipeline.tracer_provider, pipeline.logger_provider, pipeline.meter_provider)
    installed.add("global providers", lambda: proxy.switch(None, None, None))
    state.set_current(settings, _flush_pipeline(pipeline))
    installed.add("settings", lambda: state.set_current(None))
    if settings.bridge_logging:
        handler = _BridgeHandler(level=_LEVELS[settings.log_level])
        root = logging.getLogger()
        root.addHandler(handler)
        installed.add("logging handler", lambda: root.removeHandler(handler))
        pipeline.logging_handler = handler
        before = root.level
        if before > handler.level or before == logging.NOTSET:
            root.setLevel(handler.level)

            def restore_level(level: int = handler.level) -> None:
                if root.level == level:  # unless the application changed it since
                    root.setLevel(before)

            installed.add("root logger level", restore_level)
    if settings.propagate_threads and correlation.propagate_into_threads(True):

        def unpatch_threads() -> None:
            correlation.propagate_into_threads(False)

        installed.add("thread propagation", unpatch_threads)
    # arrays and tensors become [REDACTED:type] before the SDK turns them into text
    installed.add("attribute type guard", _build_redaction("attributes", _redaction_typeguard.install))
    atexit.register(shutdown)
    installed.add("atexit", lambda: atexit.unregister(shutdown))
    if settings.alerts:
        alerts.start(keep_handlers=True)
    # the process's alert monitor (started here or by the application) stops with the pipeline
    installed.add("alert monitor", alerts.stop)


def _flush_pipeline(pipeline: Pipeline) -> Any:
    def flush(timeout_millis: int = 30_000) -> bool:
        return _force_flush(pipeline, timeout_millis)

    return flush


def configure_from_wrapper() -> Settings | None:
    """``opentelemetry-instrument`` / ``agentel run``: configure from the environment.

    A bad setting (or a sink that cannot start) must not take the program down: it is one line on
    stderr naming the setting, the program runs without agentel, and the program's own
    ``configure()`` calls return inert settings (no sinks) instead of raising.
    """
    global _wrapper_error
    try:
        settings = configure()
    except Exception as exc:  # noqa: BLE001 - whatever it is, the program runs
        _wrapper_error = str(exc)
        try:
            sys.stderr.write(
                f"agentel: {exc} — the program runs without agentel (fix the setting to record it)\n"
            )
        except Exception:  # noqa: BLE001 - stderr closed
            pass
        return None
    if _pipeline is not None:
        _pipeline.origin = "distro"
    return settings


def current_settings_or_none() -> Settings | None:
    """The settings in force, or None before ``configure()`` (same as ``_internal.state.settings()``)."""
    return state.settings()


def current_settings() -> Settings:
    """The settings in force; raises if agentel is not configured."""
    p = _pipeline
    if p is None:
        raise RuntimeError("agentel is not configured; call agentel.configure() first")
    return p.settings


def current_pipeline() -> Pipeline | None:
    """What ``configure()`` built (for tests, doctor and the structural redaction test)."""
    return _pipeline


def _force_flush(p: Pipeline, timeout_millis: int) -> bool:
    ok = True
    with handle_internal_errors("sdk.force_flush"):
        ok = bool(p.tracer_provider.force_flush(timeout_millis)) and ok
        ok = bool(p.logger_provider.force_flush(timeout_millis)) and ok
        ok = bool(p.meter_provider.force_flush(timeout_millis)) and ok
    return ok


def force_flush(timeout_millis: int = 30_000) -> bool:
    """Export everything recorded so far; True when every sink confirmed."""
    p = _pipeline
    return True if p is None else _force_flush(p, timeout_millis)


def _teardown(p: Pipeline, timeout_millis: int) -> None:
    """Undo what was installed, then flush and close every sink."""
    p.installed.undo_all()
    with handle_internal_errors("sdk.shutdown.traces"):
        p.tracer_provider.shutdown()
    with handle_internal_errors("sdk.shutdown.logs"):
        p.logger_provider.shutdown()
    with handle_internal_errors("sdk.shutdown.metrics"):
        # a reader with periodic export off (interval 0) collects only when asked: ask once
        p.meter_provider.force_flush(timeout_millis)
        p.meter_provider.shutdown(timeout_millis=timeout_millis)


def shutdown(timeout_millis: int = 30_000) -> None:
    """Flush and close every sink and undo everything ``configure()`` installed in the process
    (logging handler and level, thread propagation, atexit, the alert monitor, fork handlers);
    afterwards ``configure()`` may be called again."""
    global _pipeline
    with _lock:
        p = _pipeline
        if p is None:
            return
        _pipeline = None
        _teardown(p, timeout_millis)
