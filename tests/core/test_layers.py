"""The layer contract (docs/architecture.md) holds, and the checker `make lint` runs can fail."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", ROOT / "scripts" / "check_layers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_layers"] = module
    spec.loader.exec_module(module)
    return module


def test_the_source_keeps_the_layer_contract() -> None:
    assert _checker().violations() == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for name, text in files.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return src


def test_an_upward_import_is_caught_even_inside_a_function(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "agentel/__init__.py": "",
            "agentel/sdk.py": "from agentel import registry\n",
            "agentel/registry.py": "def event():\n    from agentel import sdk\n    return sdk\n",
        },
    )
    problems = _checker().violations(src)
    assert len(problems) == 1
    assert "agentel.registry (core)" in problems[0] and "agentel.sdk (sdk)" in problems[0]


def test_a_cycle_dodged_by_a_function_local_import_is_caught(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "agentel/__init__.py": "",
            "agentel/evals/__init__.py": "",
            "agentel/evals/checks.py": "def load():\n    from agentel.evals import builtin\n",
            "agentel/evals/builtin.py": "from agentel.evals.checks import load\n",
        },
    )
    problems = _checker().violations(src)
    assert len(problems) == 1 and "dodges an import cycle" in problems[0]


def test_a_module_level_cycle_is_caught(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "agentel/__init__.py": "",
            "agentel/genai/__init__.py": "",
            "agentel/genai/a.py": "from agentel.genai import b\n",
            "agentel/genai/b.py": "from agentel.genai import a\n",
        },
    )
    problems = _checker().violations(src)
    assert problems == ["import cycle at module level between: agentel.genai.a, agentel.genai.b"]


def test_type_checking_imports_are_annotations_only(tmp_path: Path) -> None:
    src = _tree(
        tmp_path,
        {
            "agentel/__init__.py": "",
            "agentel/sdk.py": "",
            "agentel/registry.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from agentel import sdk\n",
        },
    )
    assert _checker().violations(src) == []
