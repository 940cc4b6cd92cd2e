"""`make demo`: the sample workload on the embedded default, then the reports — no configuration.

1. starts a local stub LLM server (OpenAI/Anthropic-shaped replies, per-model latencies, ~6%
   injected failures);
2. runs the examples with the real ``openai``/``anthropic`` SDKs under agentel, side by side:
   an LLM consortium, an LLM-driven evolutionary search, a generation monitor and a training loop —
   each writes telemetry files under ``AGENTEL_DIR`` (default ``./.agentel``);
3. loads the files into the embedded ClickHouse store and prints the runs, the model leaderboard
   and the cost with the ``agentel`` CLI, then writes the PNG charts.

    python examples/demo.py [--quick] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _agentel() -> list[str]:
    exe = Path(sys.executable).with_name("agentel")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "agentel.cli"]


def _banner(text: str) -> None:
    print(f"\n\033[1m$ {text}\033[0m", flush=True)


def run_examples(env: dict[str, str], quick: bool, summaries: Path | None = None) -> None:
    """The four examples in parallel (they mostly wait on the LLM server)."""
    scale = ["--latency-scale", "0.25"] if quick else []
    jobs = {
        "consortium": ["--prompts", "3" if quick else "6", *scale],
        "evolution": ["--generations", "3" if quick else "5", "--population", "4" if quick else "6", *scale],
        "generation_monitor": ["--samples", "8" if quick else "20", *scale],
        "training_loop": [
            "--epochs",
            "2" if quick else "3",
            "--steps",
            "100" if quick else "200",
            "--diverge",
        ],
    }
    procs = {}
    for name, args in jobs.items():
        if summaries is not None:
            args = [*args, "--summary", str(summaries / f"{name}.json")]
        cmd = [sys.executable, str(HERE / f"{name}.py"), *args]
        print(f"  starting {name}: python examples/{name}.py {' '.join(jobs[name])}", flush=True)
        procs[name] = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    failed = []
    for name, p in procs.items():
        out, _ = p.communicate(timeout=300)
        for line in out.strip().splitlines()[-8:]:
            print(f"  [{name}] {line}")
        if p.returncode:
            failed.append(name)
    if failed:
        raise SystemExit(f"demo: example(s) failed: {', '.join(failed)}")


def report(env: dict[str, str], plots_dir: Path) -> None:
    """The CLI, as a user would run it."""
    cli = _agentel()
    steps = [
        ["load"],
        ["runs", "--limit", "12"],
        ["leaderboard"],
        ["leaderboard", "--by", "task"],
        ["cost"],
        # the priciest calls with the start of their prompt and answer (captured by default, redacted)
        [
            "query",
            "SELECT model, round(cost, 6) AS cost, substring(messages, 1, 60) AS message, "
            "substring(response, 1, 60) AS response FROM llm_logs WHERE response != '' "
            "ORDER BY cost DESC, timestamp LIMIT 5",
        ],
        ["plots", "--out", str(plots_dir)],
    ]
    for args in steps:
        _banner("agentel " + " ".join(args))
        subprocess.run([*cli, *args], env=env, check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smaller, faster workload (for tests)")
    ap.add_argument("--dir", help="telemetry and store directory (default: AGENTEL_DIR or ./.agentel)")
    ap.add_argument(
        "--summaries", help="write each example's summary (calls per model, run ids) as JSON here"
    )
    args = ap.parse_args(argv)

    from agentel.testing.stubllm import StubLLMServer

    t0 = time.perf_counter()
    data = Path(args.dir or os.environ.get("AGENTEL_DIR") or ".agentel").resolve()
    data.mkdir(parents=True, exist_ok=True)
    plots_dir = data / "plots"
    with StubLLMServer(failure_rate=0.06, seed=7) as stub:
        env = dict(
            os.environ,
            AGENTEL_DIR=str(data),
            AGENTEL_STUB_URL=stub.base_url,
            PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        )
        print(f"agentel demo — stub LLM server at {stub.base_url}, telemetry in {data}/")
        summaries = Path(args.summaries).resolve() if args.summaries else None
        if summaries is not None:
            summaries.mkdir(parents=True, exist_ok=True)
        run_examples(env, args.quick, summaries)
    report(env, plots_dir)
    took = time.perf_counter() - t0
    print(f"\ndemo done in {took:.0f}s. Charts: {plots_dir}/")
    print("Next: `agentel run-info <run_id>` for a span tree, `agentel export-training out.jsonl`,")
    print("`agentel metrics export --format xlsx --window 1h`, `agentel doctor`; docs/cli.md has them all.")
    if shutil.which("agentel") is None:
        print(f"(the agentel command is in {Path(sys.executable).parent}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
