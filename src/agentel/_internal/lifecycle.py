"""What ``configure()`` changes in the process, recorded so ``shutdown()`` undoes every bit.

:class:`Installed` is an ordered list of (what, undo) pairs: the logging handler and root level,
the thread-propagation patches, atexit, fork handlers, the alert monitor. ``shutdown()`` runs the
undos in reverse order and the process is as it was before ``configure()`` (a test checks).

Fork handlers cannot be unregistered from :func:`os.register_at_fork`; agentel registers one
dispatcher, once per process, the first time :func:`at_fork` is called, and the dispatcher calls
the handlers registered *now* — removing one (the function :func:`at_fork` returns) is a real undo.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from agentel._internal.errors import handle_internal_errors

Undo = Callable[[], None]


class Installed:
    """An ordered record of what was installed, each with the function that takes it back."""

    def __init__(self) -> None:
        self._items: list[tuple[str, Undo]] = []

    def add(self, what: str, undo: Undo) -> None:
        self._items.append((what, undo))

    @property
    def names(self) -> list[str]:
        """What is installed, in installation order (for doctor, tests and docs)."""
        return [what for what, _ in self._items]

    def undo_all(self) -> None:
        """Take everything back, last installed first; one failing undo does not stop the rest."""
        while self._items:
            what, undo = self._items.pop()
            with handle_internal_errors(f"lifecycle.undo.{what}"):
                undo()


_fork_lock = threading.Lock()
_fork_handlers: dict[int, Callable[[], None]] = {}
_fork_seq = 0
_dispatcher_registered = False


def _after_fork_in_child() -> None:
    for handler in list(_fork_handlers.values()):
        with handle_internal_errors("lifecycle.after_fork"):
            handler()


def at_fork(after_in_child: Callable[[], None]) -> Undo:
    """Run ``after_in_child`` in every forked child until the returned function is called."""
    global _fork_seq, _dispatcher_registered
    with _fork_lock:
        if not _dispatcher_registered and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _dispatcher_registered = True
        _fork_seq += 1
        key = _fork_seq
        _fork_handlers[key] = after_in_child

    def remove() -> None:
        with _fork_lock:
            _fork_handlers.pop(key, None)

    return remove


def fork_handlers() -> list[Callable[[], None]]:
    """The fork handlers registered now (empty after ``shutdown()``)."""
    with _fork_lock:
        return list(_fork_handlers.values())
