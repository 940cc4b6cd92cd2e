"""Telemetry never raises into the application.

Every boundary where agentel code runs on the application's behalf (processors, exporters,
instrumentor wrappers, hooks) goes through :func:`handle_internal_errors`: the error is logged
once per call site, counted, and swallowed — except under the test suite (or with
``AGENTEL_RAISE_INTERNAL_ERRORS=1``), where it is re-raised so bugs fail tests.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

_logger = logging.getLogger("agentel.internal")
# agentel's own warnings go to stderr, never into the pipeline they are about (the logging bridge
# skips this logger), and do not depend on the application's logging setup.
if not _logger.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("agentel: %(levelname)s %(message)s"))
    _logger.addHandler(_handler)
    _logger.propagate = False
    _logger.setLevel(logging.INFO)

#: Set to True by the test suite's conftest; also turned on by AGENTEL_RAISE_INTERNAL_ERRORS=1.
RAISE: bool = os.environ.get("AGENTEL_RAISE_INTERNAL_ERRORS", "").lower() in ("1", "true", "yes")

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_logged: set[str] = set()

F = TypeVar("F", bound=Callable[..., Any])


def internal_error_counts() -> dict[str, int]:
    """Internal errors swallowed so far, by site (surfaced by ``agentel doctor``)."""
    with _lock:
        return dict(_counts)


def record_internal_error(site: str, exc: BaseException) -> None:
    """Count an internal error and log it the first time it happens at ``site``."""
    with _lock:
        _counts[site] += 1
        first = site not in _logged
        _logged.add(site)
    if first:
        try:
            _logger.warning(
                "agentel internal error in %s (further ones counted, not logged)", site, exc_info=exc
            )
        except Exception:  # pragma: no cover - logging itself broken
            pass


@contextmanager
def handle_internal_errors(site: str) -> Iterator[None]:
    """Swallow (log once, count) any exception raised inside; re-raise under tests."""
    try:
        yield
    except Exception as exc:
        record_internal_error(site, exc)
        if RAISE:
            raise


def never_raises(site: str, default: Any = None) -> Callable[[F], F]:
    """Decorator form of :func:`handle_internal_errors` returning ``default`` on error."""

    def deco(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                record_internal_error(site, exc)
                if RAISE:
                    raise
                return default

        return wrapper  # type: ignore[return-value]

    return deco


_PLAIN = (str, bool, int, float, bytes, type(None))


def safe_value(value: Any, _depth: int = 0) -> Any:
    """``value`` as an attribute value that cannot raise later: plain values, and objects whose
    ``str()`` works, as they are (the SDK converts them); lists and mappings item by item; an
    object whose ``str()`` raises as the marker ``<unprintable TypeName>`` (counted and logged
    once as ``attributes.unprintable``)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)) and _depth < 8:
        return [safe_value(v, _depth + 1) for v in value]
    if isinstance(value, dict) and _depth < 8:
        return {k: safe_value(v, _depth + 1) for k, v in value.items()}
    try:
        str(value)
        return value
    except Exception as exc:  # noqa: BLE001 - the application's object, not our bug: never raise
        record_internal_error("attributes.unprintable", exc)
        return f"<unprintable {type(value).__qualname__}>"


def safe_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """``attributes`` with every value through :func:`safe_value` (the same dict when all are plain)."""
    if all(isinstance(v, _PLAIN) for v in attributes.values()):
        return attributes
    return {k: safe_value(v) for k, v in attributes.items()}
