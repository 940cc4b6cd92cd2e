"""CPU cost of GenAI instrumentation per openai call: agentel vs the peers, same workload.

    python benchmarks/bench_genai_overhead.py [--repeats 2] [--only agentel,contrib] [--capture off,on]

Every variant runs ``benchmarks/peers/workload.py`` in a process of its own: agentel in the
project's venv, each peer in its own venv under /tmp/bench-venvs (made on demand by
``benchmarks/peers/setup_venvs.py``, never part of pyproject). The workload is an ``openai`` client
on an in-process ``httpx2.MockTransport`` — a non-streamed chat completion, and a streamed one
with a usage chunk — with message-content capture off and on — and ``overhead``, where ``create()`` returns a canned
result so only the instrumentation's own work is timed (logfire patches below ``create()`` and is
not measurable that way); every tool exports to no-op
exporters through batch processors. Inside each process, rounds alternate the instrumentation off
and on, so the uninstrumented baseline is measured under the same conditions; medians over rounds
and repeats. Reported: µs of process CPU per call, the ratio to uninstrumented, the µs added.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from importlib.metadata import version
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))

import setup_venvs  # noqa: E402

VARIANTS = {
    "agentel": ("agentel", None),
    "contrib": ("opentelemetry-instrumentation-openai-v2", "contrib"),
    "openllmetry": ("opentelemetry-instrumentation-openai (OpenLLMetry)", "openllmetry"),
    "openlit": ("openlit", "openlit"),
    "logfire": ("logfire.instrument_openai", "logfire"),
}
PACKAGES = {
    "agentel": "agentel",
    "contrib": "opentelemetry-instrumentation-openai-v2",
    "openllmetry": "opentelemetry-instrumentation-openai",
    "openlit": "openlit",
    "logfire": "logfire",
}
#: calls per timed round: a streamed call costs ~4x a plain one
CALLS = {"nonstream": 120, "stream": 30, "overhead": 1000}


def _python(name: str) -> str | None:
    venv = VARIANTS[name][1]
    if venv is None:
        return sys.executable
    state = setup_venvs.create(venv)
    return setup_venvs.python_of(venv) if state == "ok" else None


def _versions(name: str) -> str:
    venv = VARIANTS[name][1]
    if venv is None:
        return f"agentel {version('agentel')}, openai {version('openai')}"
    ready = os.path.join(setup_venvs.venv_path(venv), "READY")
    with open(ready) as fh:
        pins = dict(line.strip().split("==", 1) for line in fh if "==" in line)
    return f"{PACKAGES[name]} {pins.get(PACKAGES[name], '?')}, openai {pins.get('openai', '?')}"


def _run(py: str, name: str, capture: str, mode: str, rounds: int) -> dict[str, Any] | None:
    cmd = [py, os.path.join(HERE, "peers", "workload.py"), "--instrument", name, "--capture", capture]
    cmd += ["--modes", mode, "--calls", str(CALLS[mode]), "--rounds", str(rounds)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "AGENTEL_", "TRACELOOP_"))}
    env["AGENTEL_DIR"] = "/tmp/bench-genai-agentel"
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        print(f"  {name}/{mode}/{capture} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])[mode]  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=1, help="processes per cell (alternating variants)")
    parser.add_argument("--rounds", type=int, default=5, help="off/on round pairs per process")
    parser.add_argument("--only", default=",".join(VARIANTS))
    parser.add_argument("--capture", default="off,on")
    parser.add_argument(
        "--modes",
        default="nonstream,stream,overhead",
        help="overhead = the SDK's create() replaced by a canned result: the instrumentation's own cost",
    )
    parser.add_argument("--json", help="also write the raw results here")
    args = parser.parse_args()
    names = args.only.split(",")
    pythons = {n: _python(n) for n in names}
    cells: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rep in range(args.repeats):
        for mode in args.modes.split(","):
            for capture in args.capture.split(","):
                for name in names:
                    py = pythons[name]
                    if py is None or (mode == "overhead" and name == "logfire"):
                        continue
                    print(
                        f"[{rep + 1}/{args.repeats}] {name} {mode} capture={capture}",
                        file=sys.stderr,
                        flush=True,
                    )
                    result = _run(py, name, capture, mode, args.rounds)
                    if result is not None:
                        cells.setdefault((name, mode, capture), []).append(result)
    rows = []
    for name in names:
        if pythons[name] is None:
            venv = VARIANTS[name][1] or ""
            rows.append((name, "—", "—", f"not measured: {setup_venvs.status(venv)}", "", "", "", ""))
            continue
        for mode in args.modes.split(","):
            for capture in args.capture.split(","):
                got = cells.get((name, mode, capture))
                if mode == "overhead" and name == "logfire":
                    rows.append((name, mode, capture, "n/a: patches below create()", "", "", "", ""))
                    continue
                if not got:
                    rows.append((name, mode, capture, "failed to run", "", "", "", ""))
                    continue

                def med(key: str, got: list[dict[str, Any]] = got) -> float:
                    return statistics.median(g[key] for g in got)

                rows.append(
                    (
                        name,
                        mode,
                        capture,
                        f"{med('none_us'):.0f}",
                        f"{med('us'):.0f}",
                        "—" if mode == "overhead" else f"{med('ratio'):.2f}x",
                        f"{med('added_us'):+.0f}",
                        _versions(name),
                    )
                )
    header = (
        "instrumentation",
        "call",
        "content",
        "µs/call uninstrumented",
        "µs/call instrumented",
        "ratio",
        "added µs",
        "versions",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({f"{k[0]}/{k[1]}/{k[2]}": v for k, v in cells.items()}, fh, indent=1)


if __name__ == "__main__":
    main()
