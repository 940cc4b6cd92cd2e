"""Start-up stays cheap: `import agentel` and `agentel --help` load only what they need.

Counts modules in a fresh interpreter (no timing: the figures are in benchmarks/bench_startup.py).
"""

from __future__ import annotations

import json
import subprocess
import sys

#: all that `import agentel` may load of agentel: the facade, and the crash hook it installs
IMPORT_AGENTEL = {"agentel", "agentel.redaction", "agentel.redaction.crash"}


def _loaded(code: str) -> dict[str, list[str]]:
    probe = (
        code
        + "\nimport json, sys\n"
        + "print(json.dumps({'agentel': sorted(m for m in sys.modules if m.startswith('agentel')),"
        + " 'otel': sorted(m for m in sys.modules if m.startswith('opentelemetry'))}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_agentel_loads_only_the_facade_and_the_crash_hook() -> None:
    loaded = _loaded("import agentel")
    assert set(loaded["agentel"]) == IMPORT_AGENTEL
    assert loaded["otel"] == []  # not even the OpenTelemetry API


def test_public_names_load_their_module_on_first_use() -> None:
    loaded = _loaded("import agentel\nagentel.span")
    assert "agentel.tracing" in loaded["agentel"]
    assert "agentel.sdk" not in loaded["agentel"] and "agentel.packs.training" not in loaded["agentel"]
    loaded = _loaded("import agentel\nagentel.training")
    assert "agentel.packs.training" in loaded["agentel"] and "agentel.sdk" not in loaded["agentel"]
    loaded = _loaded("from agentel import configure")
    assert "agentel.sdk" in loaded["agentel"] and "agentel.packs.training" not in loaded["agentel"]


def test_cli_help_imports_no_command_module() -> None:
    loaded = _loaded(
        "import sys\nsys.argv = ['agentel', '--help']\nfrom agentel.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert set(loaded["agentel"]) == IMPORT_AGENTEL | {"agentel.cli"}
    assert loaded["otel"] == []
