"""Start-up: what `import agentel` and `agentel --help` cost, before and after the lazy facade.

Questions:
1. How much does `import agentel` add on top of `import opentelemetry.sdk`? Goal: ≤ 150 ms.
2. How long does `agentel --help` take (the console script, start to exit)? Goal: ≤ 150 ms.
3. How many modules does each load?

Each figure is the median wall time of N fresh interpreters (`python -c ...`), minus nothing:
`python -c pass` is reported as the floor. With ``--before REF`` the same is measured on the
source of a git revision (extracted with `git archive` and put first on PYTHONPATH), giving the
before/after table.

Run: python benchmarks/bench_startup.py [--repeat 15] [--before 78a3af4]
"""

from __future__ import annotations

import argparse
import os
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
HELP = "import sys\nsys.argv = ['agentel', '--help']\nfrom agentel.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass"
COUNT = "\nimport sys\nprint(len(sys.modules), len([m for m in sys.modules if m.startswith('agentel')]))"


def _run(code: str, src: str | None) -> float:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - t0) * 1000


def _modules(code: str, src: str | None) -> str:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    out = subprocess.run(
        [sys.executable, "-c", code + COUNT], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    return f"{out[-2]} ({out[-1]} agentel)"


def measure(src: str | None, repeat: int) -> dict[str, tuple[float, str]]:
    cases = {
        "python -c pass": "pass",
        "import opentelemetry.sdk": "import opentelemetry.sdk",
        "import agentel": "import agentel",
        "agentel --help": HELP,
    }
    out: dict[str, tuple[float, str]] = {}
    for name, code in cases.items():
        _run(code, src)  # warm the file cache
        times = [_run(code, src) for _ in range(repeat)]
        out[name] = (statistics.median(times), _modules(code, src))
    return out


def extract(ref: str, into: str) -> str:
    data = subprocess.run(["git", "-C", ROOT, "archive", ref, "src"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return os.path.join(into, "src")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--before", default=None, help="git revision to compare with (e.g. 78a3af4)")
    args = parser.parse_args()
    columns: list[tuple[str, dict[str, tuple[float, str]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.before:
            columns.append((f"before ({args.before})", measure(extract(args.before, tmp), args.repeat)))
        columns.append(("now", measure(os.path.join(ROOT, "src"), args.repeat)))
    rows = []
    for case in columns[0][1]:
        row: list[object] = [case]
        for _, figures in columns:
            ms, modules = figures[case]
            row += [f"{ms:.0f}", modules]
        rows.append(row)
    for label, figures in columns:
        added = figures["import agentel"][0] - figures["import opentelemetry.sdk"][0]
        rows.append([f"import agentel − import opentelemetry.sdk ({label})", f"{added:.0f}", "goal ≤ 150"])
    headers: list[str] = ["start-up (median of fresh interpreters)"]
    for label, _ in columns:
        headers += [f"{label} ms", f"{label} modules"]
    width = len(headers)
    print(table(headers, [r + [""] * (width - len(r)) for r in rows]))


if __name__ == "__main__":
    main()
