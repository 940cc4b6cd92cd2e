"""`make demo`: run the sample workload under agentel on the local default and report on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _records(path: Path, top: str, scope_key: str, item_key: str) -> list[dict]:
    out: list[dict] = []
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        for r in json.loads(line)[top]:
            for s in r[scope_key]:
                out.extend(s[item_key])
    return out


def main() -> int:
    data = Path(os.environ.get("AGENTEL_DIR", ".agentel")).resolve()
    run_id = f"demo-{os.getpid()}"
    env = dict(os.environ, AGENTEL_DIR=str(data), AGENTEL_RUN_ID=run_id)
    agentel_bin = str(Path(sys.executable).with_name("agentel"))
    subprocess.run(
        [agentel_bin, "run", "--", sys.executable, str(HERE / "quickstart.py")], env=env, check=True
    )
    run_dir = data / run_id
    spans = _records(run_dir / "traces.jsonl", "resourceSpans", "scopeSpans", "spans")
    logs = _records(run_dir / "logs.jsonl", "resourceLogs", "scopeLogs", "logRecords")
    metrics = _records(run_dir / "metrics.jsonl", "resourceMetrics", "scopeMetrics", "metrics")
    errors = sum(1 for s in spans if s.get("status", {}).get("code") == 2)
    print(f"\nagentel demo — telemetry went to {run_dir}/")
    for f in sorted(run_dir.iterdir()):
        print(f"  {f.name:<14} {f.stat().st_size:>8} bytes")
    print(f"\nspans: {len(spans)} ({errors} with errors)")
    for name, n in Counter(s["name"] for s in spans).most_common():
        print(f"  {n:>4}  {name}")
    events = Counter(r.get("eventName") or f"log:{r.get('severityText', '?')}" for r in logs)
    print(f"log records and events: {len(logs)}")
    for name, n in events.most_common():
        print(f"  {n:>4}  {name}")
    print(f"metrics: {', '.join(sorted({m['name'] for m in metrics}))}")
    print("\nNext: `agentel lint examples/`, or read docs/quickstart.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
