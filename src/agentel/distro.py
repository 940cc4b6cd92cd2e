"""Entry points for ``opentelemetry-instrument``: agentel as the distro and the configurator.

``opentelemetry-instrument python app.py`` (with agentel installed, or ``OTEL_PYTHON_DISTRO=agentel``
and ``OTEL_PYTHON_CONFIGURATOR=agentel`` when several distros are installed) builds the same
pipeline as ``agentel.configure()``; the instrumentors registered under
``opentelemetry_instrumentor`` are then loaded by the wrapper itself.
"""

from __future__ import annotations

import os
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro  # type: ignore[attr-defined]
from opentelemetry.sdk._configuration import _BaseConfigurator

from agentel import sdk


class AgentelDistro(BaseDistro):
    """Sets agentel's defaults before the configurator runs (local files, no network sink)."""

    def _configure(self, **kwargs: Any) -> None:
        # The wrapper's own default would enable OTLP exporters; agentel is local-first and
        # enables OTLP only when an endpoint is configured.
        os.environ.setdefault("OTEL_TRACES_EXPORTER", "none")
        os.environ.setdefault("OTEL_METRICS_EXPORTER", "none")
        os.environ.setdefault("OTEL_LOGS_EXPORTER", "none")


class AgentelConfigurator(_BaseConfigurator):
    """Builds the pipeline with :func:`agentel.configure`."""

    def _configure(self, **kwargs: Any) -> None:
        sdk.configure_from_wrapper()
