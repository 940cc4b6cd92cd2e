"""Prometheus sink: a scrape endpoint (prometheus-client) and a node-exporter textfile.

Two metric readers, both cumulative (what Prometheus expects):

* the **textfile** ``AGENTEL_DIR/metrics.prom`` is rewritten every metrics interval, and on flush
  and shutdown, atomically (temporary file + ``rename``) so node-exporter's textfile collector or a
  ``cat`` never sees half a file;
* the **scrape endpoint** is served only when a port is configured (``AGENTEL_PROMETHEUS_PORT``;
  ``0`` lets the OS choose). Each scrape collects fresh values. The bound address is written as a
  Prometheus ``file_sd`` target (``AGENTEL_DIR/prometheus-targets/<run_id>.json``, removed on
  shutdown), so a Prometheus server discovers every process of a directory without knowing ports.

OTel names become Prometheus names the way the Collector's Prometheus exporter converts them
(dots to underscores, unit suffix such as ``_seconds``, ``_total`` on counters, ``{annotation}``
units dropped), so the same PromQL works on the SDK endpoint and on the collector.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from opentelemetry.sdk.metrics import (
    Counter,
    Histogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
)
from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    ExponentialHistogram,
    Gauge,
    MetricExporter,
    MetricExportResult,
    MetricReader,
    MetricsData,
    PeriodicExportingMetricReader,
    Sum,
)
from opentelemetry.sdk.metrics.export import (
    Histogram as HistogramData,
)
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.samples import Sample

from agentel._internal.errors import handle_internal_errors

TEXTFILE_NAME = "metrics.prom"
TARGETS_DIR = "prometheus-targets"

_CUMULATIVE: dict[type, AggregationTemporality] = {
    kind: AggregationTemporality.CUMULATIVE
    for kind in (
        Counter,
        UpDownCounter,
        Histogram,
        ObservableCounter,
        ObservableUpDownCounter,
        ObservableGauge,
    )
}

# Unit words of the Collector's translator (github.com/prometheus/otlptranslator, metric_namer.go).
_UNIT_WORDS = {
    "d": "days",
    "h": "hours",
    "min": "minutes",
    "s": "seconds",
    "ms": "milliseconds",
    "us": "microseconds",
    "ns": "nanoseconds",
    "By": "bytes",
    "KiBy": "kibibytes",
    "MiBy": "mebibytes",
    "GiBy": "gibibytes",
    "TiBy": "tibibytes",
    "KBy": "kilobytes",
    "MBy": "megabytes",
    "GBy": "gigabytes",
    "TBy": "terabytes",
    "m": "meters",
    "V": "volts",
    "A": "amperes",
    "J": "joules",
    "W": "watts",
    "g": "grams",
    "Cel": "celsius",
    "Hz": "hertz",
    "1": "",
    "%": "percent",
}
_PER_WORDS = {"s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year"}
_NAME_SPLIT = re.compile(r"[^a-zA-Z0-9:]+")
_INVALID_LABEL = re.compile(r"[^a-zA-Z0-9_]")
_MULTI_UNDERSCORE = re.compile(r"__+")


def _clean_unit(word: str) -> str:
    return _MULTI_UNDERSCORE.sub("_", re.sub(r"[^a-zA-Z0-9:]", "_", word)).removeprefix("_")


def prometheus_name(name: str, unit: str | None, kind: str = "gauge") -> str:
    """The Prometheus name of an OTel metric, as the Collector's Prometheus exporter builds it.

    ``kind`` is ``counter`` (monotonic sum: ``_total``), ``gauge`` (unit ``1``: ``_ratio``) or
    ``histogram``. ``s`` → ``_seconds``; ``By/s`` → ``_bytes_per_second``; ``{token}`` → nothing.
    """
    tokens = [t for t in _NAME_SPLIT.split(name) if t]
    main, per = "", ""
    unit = (unit or "").strip()
    main_unit, _, per_unit = unit.partition("/")
    main_unit, per_unit = main_unit.strip(), per_unit.strip()
    if main_unit and not any(c in main_unit for c in "{}"):
        main = _clean_unit(_UNIT_WORDS.get(main_unit, main_unit))
    if per_unit and not any(c in per_unit for c in "{}"):
        per_word = _PER_WORDS.get(per_unit, per_unit)
        per = _clean_unit("per_" + per_word) if per_word else ""
    if main in tokens:
        main = ""
    per = "" if per == "per_" else per.removesuffix("_")
    if per in tokens:
        per = ""
    if per:
        main = main.removesuffix("_")
    tokens += [t for t in (main, per) if t]
    if kind == "counter":
        tokens = [t for t in tokens if t != "total"] + ["total"]
    if unit == "1" and kind == "gauge":
        tokens = [t for t in tokens if t != "ratio"] + ["ratio"]
    out = "_".join(tokens)
    return "_" + out if out[:1].isdigit() else out


def _label_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return json.dumps(list(value), separators=(",", ":"))
    return str(value)


def _label_name(key: str) -> str:
    """OTel attribute key → Prometheus label name (otlptranslator's LabelNamer, default options)."""
    out = _MULTI_UNDERSCORE.sub("_", _INVALID_LABEL.sub("_", key)) or "_"
    if out[0].isdigit():
        return "key_" + out
    if out.startswith("_") and not key.startswith("__"):
        return "key" + out
    return out


def _labels(attributes: Mapping[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in (attributes or {}).items():
        label = _label_name(str(key))
        # Two OTel keys that sanitize to the same label are joined, as the Collector does.
        out[label] = f"{out[label]};{_label_value(value)}" if label in out else _label_value(value)
    return out


def _le(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(float(bound))


def _families(data: MetricsData) -> list[Metric]:
    """Convert one collection into Prometheus metric families, merged by name across scopes."""
    families: dict[str, Metric] = {}
    for rm in data.resource_metrics:
        resource_labels = _labels(dict(rm.resource.attributes))
        if resource_labels and "target_info" not in families:
            info = GaugeMetricFamily("target_info", "Target metadata", labels=list(resource_labels))
            info.add_metric(list(resource_labels.values()), 1)
            families["target_info"] = info
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                _add_metric(
                    families, metric.name, metric.description or metric.name, metric.unit, metric.data
                )
    return list(families.values())


def _add_metric(families: dict[str, Metric], name: str, doc: str, unit: str | None, data: Any) -> None:
    monotonic = isinstance(data, Sum) and data.is_monotonic
    kind = (
        "counter"
        if monotonic
        else "histogram"
        if isinstance(data, (HistogramData, ExponentialHistogram))
        else "gauge"
    )
    prom = prometheus_name(name, unit, kind)
    if not prom:
        return  # a name made only of invalid characters has no Prometheus form (the Collector drops it too)
    if monotonic:
        prom = prom.removesuffix("_total")
        fam = families.get(prom) or families.setdefault(prom, CounterMetricFamily(prom, doc, labels=[]))
        if fam.type != "counter":
            return
        for p in data.data_points:
            labels = _labels(p.attributes)
            fam.samples.append(_sample(f"{prom}_total", labels, p.value))
    elif isinstance(data, (Sum, Gauge)):
        fam = families.get(prom) or families.setdefault(prom, GaugeMetricFamily(prom, doc, labels=[]))
        if fam.type != "gauge":
            return
        for p in data.data_points:
            fam.samples.append(_sample(prom, _labels(p.attributes), p.value))
    elif isinstance(data, HistogramData):
        fam = families.get(prom) or families.setdefault(prom, HistogramMetricFamily(prom, doc, labels=[]))
        if fam.type != "histogram":
            return
        for hp in data.data_points:
            bounds = [*hp.explicit_bounds, math.inf]
            counts = list(hp.bucket_counts) + [0] * (len(bounds) - len(hp.bucket_counts))
            _histogram_samples(
                fam, prom, _labels(hp.attributes), zip(bounds, counts, strict=True), hp.count, hp.sum
            )
    elif isinstance(data, ExponentialHistogram):
        fam = families.get(prom) or families.setdefault(prom, HistogramMetricFamily(prom, doc, labels=[]))
        if fam.type != "histogram":
            return
        for ep in data.data_points:
            base = 2.0 ** (2.0**-ep.scale)
            # Negative values and the zero bucket are at or below 0: they fold into an le="0" bucket.
            pairs: list[tuple[float, int]] = [(0.0, ep.zero_count + sum(ep.negative.bucket_counts))]
            for i, c in enumerate(ep.positive.bucket_counts):
                pairs.append((base ** (ep.positive.offset + i + 1), c))
            pairs.append((math.inf, 0))
            _histogram_samples(fam, prom, _labels(ep.attributes), pairs, ep.count, ep.sum)


def _sample(name: str, labels: dict[str, str], value: float) -> Sample:
    return Sample(name, labels, float(value))


def _histogram_samples(
    fam: Metric,
    prom: str,
    labels: dict[str, str],
    bucket_pairs: Iterable[tuple[float, int]],
    count: int,
    total: float,
) -> None:
    running = 0
    for bound, c in bucket_pairs:
        running += c
        fam.samples.append(_sample(f"{prom}_bucket", {**labels, "le": _le(bound)}, running))
    fam.samples.append(_sample(f"{prom}_count", labels, count))
    fam.samples.append(_sample(f"{prom}_sum", labels, total))


class _Families:
    """A registry-shaped view over a list of families, for ``generate_latest``."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)


def render_text(data: MetricsData | None) -> bytes:
    """The Prometheus text exposition (format 0.0.4) of one collection."""
    return generate_latest(_Families(_families(data) if data is not None else []))  # type: ignore[arg-type]


def write_atomically(path: str, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so readers see the old file or the new one, never a mix."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(payload)
    os.replace(tmp, path)


class TextfileMetricExporter(MetricExporter):
    """Writes each (cumulative) collection to a node-exporter textfile, atomically."""

    def __init__(self, path: str) -> None:
        super().__init__(preferred_temporality=_CUMULATIVE)
        self.path = path

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        with handle_internal_errors("sinks.prometheus.textfile"):
            write_atomically(self.path, render_text(metrics_data))
            return MetricExportResult.SUCCESS
        return MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        return None


class _ScrapeCollector:
    """prometheus-client's side of the scrape reader (a registry calls ``collect()``)."""

    def __init__(self, reader: PrometheusScrapeReader) -> None:
        self._reader = reader

    def collect(self) -> Iterator[Metric]:
        with handle_internal_errors("sinks.prometheus.scrape"):
            return iter(self._reader.families())
        return iter(())


class PrometheusScrapeReader(MetricReader):
    """Serves ``/metrics`` on ``host:port``; every scrape collects fresh cumulative values.

    ``port=0`` binds an OS-chosen port: read it from :attr:`port`, or from the ``file_sd`` target
    file written to ``targets_path`` (when given) for Prometheus to discover.
    """

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        targets_path: str | None = None,
        target_labels: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(preferred_temporality=_CUMULATIVE)
        from prometheus_client import start_http_server

        self._lock = threading.Lock()
        self._latest: MetricsData | None = None
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_ScrapeCollector(self))  # type: ignore[arg-type]
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        self.host = host
        self.port: int = self._server.server_port
        self.targets_path = targets_path
        if targets_path:
            target = [{"targets": [f"{host}:{self.port}"], "labels": dict(target_labels or {})}]
            write_atomically(targets_path, json.dumps(target).encode())

    @property
    def url(self) -> str:
        """The scrape URL, e.g. ``http://127.0.0.1:40123/metrics``."""
        return f"http://{self.host}:{self.port}/metrics"

    def _receive_metrics(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> None:
        self._latest = metrics_data

    def families(self) -> list[Metric]:
        """Collect now and convert: what one scrape returns."""
        with self._lock:  # concurrent scrapes must not interleave collect() and reading _latest
            self.collect()
            data = self._latest
        return _families(data) if data is not None else []

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        with handle_internal_errors("sinks.prometheus.shutdown"):
            self._server.shutdown()
            self._server.server_close()
            if self.targets_path:
                try:
                    os.unlink(self.targets_path)
                except FileNotFoundError:
                    pass


def build_metric_readers(settings: Any) -> list[MetricReader]:
    """The readers of the ``prometheus`` sink for these settings: textfile always, scrape if a port is set."""
    interval_s = float(settings.metrics_interval_s)
    interval_ms = interval_s * 1000 if interval_s > 0 else math.inf
    readers: list[MetricReader] = [
        PeriodicExportingMetricReader(
            TextfileMetricExporter(os.path.join(settings.dir, TEXTFILE_NAME)),
            export_interval_millis=interval_ms,
        )
    ]
    port = settings.prometheus_port
    if port is not None:
        labels = {"run_id": settings.run_id}
        if getattr(settings, "service_name", None):
            labels["service_name"] = settings.service_name
        host = getattr(settings, "prometheus_host", None) or "127.0.0.1"
        # A taken port must not stop the application: the endpoint is skipped (logged once,
        # counted; raised under the test suite) and every other sink keeps working.
        with handle_internal_errors("sinks.prometheus.listen"):
            try:
                reader = PrometheusScrapeReader(
                    port,
                    host=host,
                    targets_path=os.path.join(settings.dir, TARGETS_DIR, f"{settings.run_id}.json"),
                    target_labels=labels,
                )
            except OSError as exc:
                raise OSError(
                    f"AGENTEL_PROMETHEUS_PORT={port}: cannot listen on {host}:{port} ({exc.strerror or exc}); "
                    "choose a free port, or 0 for one the OS picks"
                ) from exc
            readers.append(reader)
    return readers
