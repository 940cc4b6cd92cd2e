"""The check registry: named rule-based checks over a call, built-in and user-defined.

    @agentel.check("mentions_price", description="The answer quotes a price.")
    def mentions_price(call: agentel.evals.Call) -> bool:
        return "$" in (call.response or "")

A check function takes a :class:`~agentel.evals.Call` (plus its parameters as keyword arguments)
and returns a :class:`~agentel.evals.CheckResult`, a bool (pass/fail), a number (a score, passing
at ``threshold``), a ``(bool | number, explanation)`` pair, or ``None`` to skip (not applicable).
Registries are data: ``agentel evals checks`` and docs/evals.md list them.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from agentel.evals.model import FAIL, PASS, Call, CheckResult, EvalError

_NAME = re.compile(r"^[a-z][a-z0-9_.\-]*$")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its name, function, description and default parameters."""

    name: str
    fn: Callable[..., Any]
    description: str
    default: bool = True  # runs when no check names are given
    params: Mapping[str, Any] = field(default_factory=dict)
    threshold: float = 0.5  # a numeric result passes at or above this
    builtin: bool = False
    accepts: frozenset[str] = frozenset()  # parameter names the function takes
    any_params: bool = False  # the function takes **kwargs
    #: ``applies(call, explicit) -> bool``: whether the check runs on this call (default: always)
    applies: Callable[[Call, bool], bool] | None = None

    def resolve_params(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        """Default parameters updated with ``overrides``; unknown names are an :class:`EvalError`."""
        out = dict(self.params)
        for key, value in (overrides or {}).items():
            if key not in self.accepts and not self.any_params:
                known = ", ".join(sorted(self.accepts)) or "none"
                raise EvalError(f"check {self.name!r}: unknown parameter {key!r} (known: {known})")
            out[key] = value
        return out


_lock = threading.Lock()
CHECKS: dict[str, CheckSpec] = {}


def register_check(
    name: str,
    fn: Callable[..., Any],
    *,
    description: str = "",
    default: bool = True,
    threshold: float = 0.5,
    replace: bool = False,
    builtin: bool = False,
    applies: Callable[[Call, bool], bool] | None = None,
    **params: Any,
) -> CheckSpec:
    """Register ``fn`` as check ``name``; ``params`` are its default parameters.

    ``applies(call, explicit)`` narrows where it runs (``json_valid`` runs by default only on
    calls that asked for JSON); ``explicit`` is True when the check was named by the caller.

    Registering the same function again (or the same definition from a re-imported module)
    updates it; another function under a taken name is an error unless ``replace=True`` (a user
    may override a built-in on purpose).
    """
    if not _NAME.match(name):
        raise EvalError(f"check name {name!r}: use lowercase letters, digits, '_', '.', '-' (e.g. 'no_pii')")
    sig = inspect.signature(fn)
    names = list(sig.parameters)
    if not names:
        raise EvalError(f"check {name!r}: the function must take the call as its first argument")
    accepts = frozenset(
        p.name
        for p in list(sig.parameters.values())[1:]
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
    any_params = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = set(params) - accepts
    if unknown and not any_params:
        raise EvalError(f"check {name!r}: default parameter(s) {sorted(unknown)} are not arguments of {fn}")
    desc = description or (inspect.getdoc(fn) or "").split("\n", 1)[0]
    spec = CheckSpec(name, fn, desc, default, dict(params), threshold, builtin, accepts, any_params, applies)
    with _lock:
        old = CHECKS.get(name)
        if old is not None and old.fn is not fn and not replace and not _same_function(old.fn, fn):
            raise EvalError(
                f"check {name!r} is already registered ({'built-in' if old.builtin else old.fn!r}); "
                "pick another name or pass replace=True"
            )
        CHECKS[name] = spec
    return spec


def _same_function(a: Callable[..., Any], b: Callable[..., Any]) -> bool:
    """The same definition loaded again (a module re-imported or reloaded)."""
    key = lambda f: (getattr(f, "__module__", None), getattr(f, "__qualname__", None))  # noqa: E731
    return key(a) == key(b) and key(a) != (None, None)


@overload
def check(name: F, /) -> F: ...
@overload
def check(
    name: str | None = None,
    /,
    *,
    description: str = "",
    default: bool = True,
    threshold: float = 0.5,
    replace: bool = False,
    **params: Any,
) -> Callable[[F], F]: ...


def check(
    name: Any = None,
    /,
    *,
    description: str = "",
    default: bool = True,
    threshold: float = 0.5,
    replace: bool = False,
    **params: Any,
) -> Any:
    """Decorator registering a user check: ``@agentel.check`` or ``@agentel.check("name", ...)``.

    The function's name is the check's name unless one is given; keyword arguments besides
    ``description``, ``default``, ``threshold`` and ``replace`` are its default parameters.
    """
    if callable(name):
        register_check(name.__name__, name)
        return name

    def deco(fn: F) -> F:
        register_check(
            name or fn.__name__,
            fn,
            description=description,
            default=default,
            threshold=threshold,
            replace=replace,
            **params,
        )
        return fn

    return deco


def get_check(name: str) -> CheckSpec:
    """The check called ``name``; an :class:`EvalError` lists the known ones."""
    spec = CHECKS.get(name)
    if spec is None:
        raise EvalError(f"no check named {name!r} (known: {', '.join(sorted(CHECKS))})")
    return spec


def list_checks() -> list[CheckSpec]:
    """Every registered check: built-ins first, each group in registration order."""
    order = {name: i for i, name in enumerate(CHECKS)}
    return sorted(CHECKS.values(), key=lambda s: (not s.builtin, order[s.name]))


def select(names: Iterable[str] | None) -> tuple[list[CheckSpec], bool]:
    """(checks, explicit?): the named checks, or every check marked ``default``."""
    if names:
        return [get_check(n) for n in dict.fromkeys(names)], True
    return [s for s in list_checks() if s.default], False


def normalize(spec: CheckSpec, value: Any) -> CheckResult | None:
    """A check function's return value as a :class:`CheckResult` (None = skipped)."""
    explanation = ""
    if isinstance(value, CheckResult):
        return (
            value
            if value.name == spec.name
            else CheckResult(spec.name, value.score, value.label, value.explanation)
        )
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):
        value, explanation = value
    if isinstance(value, bool):
        return CheckResult(spec.name, 1.0 if value else 0.0, PASS if value else FAIL, explanation)
    if isinstance(value, (int, float)):
        score = float(value)
        return CheckResult(spec.name, score, PASS if score >= spec.threshold else FAIL, explanation)
    raise EvalError(
        f"check {spec.name!r} returned {type(value).__name__}; return a bool, a number, "
        "(bool|number, explanation), a CheckResult or None"
    )


def run_one(
    spec: CheckSpec, call: Call, params: Mapping[str, Any] | None = None, explicit: bool = True
) -> CheckResult | None:
    """Run one check; None when it does not apply or skips (exceptions propagate to the runner)."""
    kwargs = spec.resolve_params(params)
    if spec.applies is not None and not spec.applies(call, explicit):
        return None
    return normalize(spec, spec.fn(call, **kwargs))


__all__ = [
    "CHECKS",
    "CheckSpec",
    "check",
    "get_check",
    "list_checks",
    "normalize",
    "register_check",
    "run_one",
    "select",
]
