"""Start-up under the wrappers: does `opentelemetry-instrument` / `agentel run` cost more than configure()?

Question (issue 16 item 5): a program that prints one line, run as
``opentelemetry-instrument python hello.py`` and ``agentel run -- python hello.py``, against
``python -c "import agentel; agentel.configure()"``. Goal: each wrapper within 1.3x of configure().
Before agentel's instrumentors hooked the client libraries on import, the wrappers imported the
openai and anthropic SDKs at start-up whether the program used them or not.

Each figure is the median of N fresh processes: wall time, and CPU time (user+sys of the child
processes, steadier on a shared machine), plus whether openai/anthropic were imported. With
``--before REF`` the same runs with the source of a git revision first on PYTHONPATH.

Run: python benchmarks/bench_startup_instrument.py [--repeat 7] [--before 9ad42a6]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO

sys.path.insert(0, os.path.dirname(__file__))
from _common import table  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
HELLO = "import sys\nprint('hello', 'openai' in sys.modules, 'anthropic' in sys.modules)\n"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    cpu0, t0 = _children_cpu(), time.perf_counter()
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    return (time.perf_counter() - t0) * 1000, (_children_cpu() - cpu0) * 1000, out.strip()


def measure(src: str | None, repeat: int, work: str) -> dict[str, tuple[float, float, str]]:
    hello = os.path.join(work, "hello.py")
    with open(hello, "w") as f:
        f.write(HELLO)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_"))}
    env |= {"AGENTEL_DIR": os.path.join(work, "data"), "AGENTEL_CONSOLE": "off"}
    env |= {"OTEL_PYTHON_DISTRO": "agentel", "OTEL_PYTHON_CONFIGURATOR": "agentel"}
    if src is not None:
        env["PYTHONPATH"] = src
    configure = "import sys, agentel; agentel.configure()\n" + HELLO.split("\n", 1)[1]
    cases = {
        'python -c "import agentel; agentel.configure()"': [sys.executable, "-c", configure],
        "opentelemetry-instrument python hello.py": [
            os.path.join(BIN, "opentelemetry-instrument"),
            sys.executable,
            hello,
        ],
        "agentel run -- python hello.py": [os.path.join(BIN, "agentel"), "run", "--", "python", hello],
    }
    out: dict[str, tuple[float, float, str]] = {}
    for name, argv in cases.items():
        _run(argv, env)  # warm the file cache
        runs = [_run(argv, env) for _ in range(repeat)]
        line = runs[-1][2].split()
        imported = [m for m, flag in zip(("openai", "anthropic"), line[-2:], strict=True) if flag == "True"]
        out[name] = (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
            ", ".join(imported) or "none",
        )
    return out


def extract(ref: str, into: str) -> str:
    data = subprocess.run(["git", "-C", ROOT, "archive", ref, "src"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return os.path.join(into, "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", default=None, help="git revision to compare with")
    args = parser.parse_args()
    columns: list[tuple[str, dict[str, tuple[float, float, str]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            src = extract(args.before, os.path.join(tmp, "before"))
            columns.append((f"before ({args.before})", measure(src, args.repeat, tmp)))
        columns.append(("now", measure(os.path.join(ROOT, "src"), args.repeat, tmp)))
    headers = ["start-up (median of fresh processes)"]
    for label, _ in columns:
        headers += [f"{label} wall ms", f"{label} CPU ms", f"{label} ×configure (CPU)", "SDKs imported"]
    rows = []
    for case in columns[0][1]:
        row: list[object] = [case]
        for _, figures in columns:
            base = next(iter(figures.values()))[1]
            wall, cpu, imported = figures[case]
            row += [f"{wall:.0f}", f"{cpu:.0f}", f"{cpu / base:.2f}", imported]
        rows.append(row)
    print(table(headers, rows))
    print("goal: each wrapper ≤ 1.3× configure()")


if __name__ == "__main__":
    main()
