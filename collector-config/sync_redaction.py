"""Rewrite the `redaction` processor of collector-config/otelcol.yaml (and its Kubernetes copy)
from agentel's default redaction policy, as `agentel policy render-collector` renders it:

    python collector-config/sync_redaction.py

Run it after changing the policy or its collector rendering; a test fails until you do.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import yaml

from agentel.redaction.collector import render
from agentel.redaction.policy import load_policy

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "otelcol.yaml"
K8S_COPY = HERE.parent / "deploy" / "k8s" / "otelcol.yaml"
START = "  redaction:\n"
END = "\n  # Normalize the names other instrumentations use"


def synced(text: str) -> str:
    processor = render(load_policy(None), capture_content=False).processor
    dumped = yaml.safe_dump({"redaction": processor}, sort_keys=False, width=1_000_000, allow_unicode=True)
    block = "".join("  " + line + "\n" for line in dumped.splitlines())
    start, end = text.index(START), text.index(END)
    return text[:start] + block + text[end:]


def main() -> int:
    CONFIG.write_text(synced(CONFIG.read_text()))
    shutil.copyfile(CONFIG, K8S_COPY)
    print(f"rewrote the redaction processor in {CONFIG} and copied it to {K8S_COPY}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
