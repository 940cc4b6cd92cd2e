"""The settings in force, held in the bottom layer: ``configure()`` pushes them here, every module
reads them here — nothing reads them back from :mod:`agentel.sdk` (see docs/architecture.md).

Also the one hook upper layers need from the pipeline without importing it: ``force_flush``.
"""

from __future__ import annotations

from collections.abc import Callable

from agentel.config import Settings

_settings: Settings | None = None
_flush: Callable[[int], bool] | None = None


def settings() -> Settings | None:
    """The settings ``configure()`` put in force, or None when agentel is not configured."""
    return _settings


def settings_or_env() -> Settings:
    """The settings in force, else the ones the environment gives (defaults included).

    For code that must work configured or not (alerts, costs, checks). Raises
    :class:`~agentel.config.ConfigError` when unconfigured and the environment is bad.
    """
    current = _settings
    return current if current is not None else Settings.load()


def force_flush(timeout_millis: int = 30_000) -> bool:
    """Export everything recorded so far through the pipeline in force (True when unconfigured)."""
    flush = _flush
    return True if flush is None else bool(flush(timeout_millis))


def set_current(settings: Settings | None, flush: Callable[[int], bool] | None = None) -> None:
    """Called by ``configure()`` (settings, its flush) and ``shutdown()`` (None): the push-down."""
    global _settings, _flush
    _settings, _flush = settings, flush
