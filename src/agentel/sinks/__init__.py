"""Sinks: where records go after enrichment and redaction (files, console, OTLP, ClickHouse, Prometheus)."""
