"""Arrays and tensors never become attribute text.

The type allowlist says values are scalars, lists of scalars and flat mappings; bytes, arrays and
tensors become ``[REDACTED:type]``. But the OTel SDK cleans attribute values *before* any
processor sees them, and it turns an object it does not know into ``str(obj)``: a numpy array
arrives at the redactor as ``'[0 1 2 3 4]'`` (a tensor as ``'tensor([...])'``), indistinguishable
from text, and is exported. The guard stands in front of the SDK's cleaning function while a
pipeline is configured: an array-like value (numpy, torch, tensorflow, jax, pandas, cupy… or
anything exposing ``__array__``/``__array_interface__``/``__dlpack__``) becomes
``[REDACTED:type]`` and is counted; a zero-dimensional numpy scalar becomes its Python number;
everything else goes to the SDK unchanged. :func:`install` returns the undo ``shutdown()`` runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import opentelemetry.attributes as _otel_attributes

from agentel.redaction.rules import marker

TYPE_MARKER = marker("type")
_ARRAY_MODULES = frozenset(
    {
        "numpy",
        "torch",
        "tensorflow",
        "jax",
        "jaxlib",
        "pandas",
        "cupy",
        "mxnet",
        "xarray",
        "polars",
        "pyarrow",
    }
)
_PLAIN = (type(None), bool, int, float, bytes, str)
_lock = threading.Lock()
_installs = 0
_original: Callable[..., Any] | None = None


def is_array(value: Any) -> bool:
    """True for arrays, tensors and frames (not for scalars, strings, lists or mappings)."""
    tp = type(value)
    if isinstance(value, (*_PLAIN, Sequence, Mapping)):
        return False
    if tp.__module__.split(".", 1)[0] in _ARRAY_MODULES:
        return getattr(value, "ndim", 1) != 0
    return any(hasattr(tp, a) for a in ("__array__", "__array_interface__", "__dlpack__"))


def _count() -> None:
    try:
        from agentel.redaction.processors import COUNTS

        COUNTS.add_redacted(["type"], "attributes")
    except Exception:  # noqa: BLE001 - counting never costs the application its call
        pass


def _guarded(value: Any, max_string_value_length: int | None) -> Any:
    original = _original
    assert original is not None
    if not isinstance(value, _PLAIN):
        try:
            if is_array(value):
                _count()
                return TYPE_MARKER
            if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
                value = value.item()  # a numpy scalar: its Python number
        except Exception:  # noqa: BLE001 - an odd object: the type allowlist says drop it
            _count()
            return TYPE_MARKER
    return original(value, max_string_value_length)


def install() -> Callable[[], None]:
    """Put the guard in front of the SDK's attribute cleaning; returns the undo."""
    global _installs, _original
    with _lock:
        if _installs == 0:
            _original = _otel_attributes._clean_attribute_value
            _otel_attributes._clean_attribute_value = _guarded  # type: ignore[assignment]
        _installs += 1
    done = False

    def undo() -> None:
        global _installs, _original
        nonlocal done
        with _lock:
            if done:
                return
            done = True
            _installs -= 1
            if _installs == 0 and _original is not None:
                _otel_attributes._clean_attribute_value = _original  # type: ignore[assignment]
                _original = None

    return undo
