"""The ClickHouse store: the collector's schema, two engines, the loader, typed views.

Imported only by the CLI/UI side: applications write files (or OTLP, or a server), never this.
"""

from agentel.store.engine import Engine, Result, StoreBusyError, StoreError, open_engine
from agentel.store.schema import SchemaOptions, apply, render_all

__all__ = [
    "Engine",
    "Result",
    "SchemaOptions",
    "StoreBusyError",
    "StoreError",
    "apply",
    "open_engine",
    "render_all",
]
