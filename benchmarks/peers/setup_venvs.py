"""Create the peer virtualenvs for bench_genai_overhead.py under /tmp/bench-venvs (on demand).

Each peer gets its own venv with the same openai version as ours, so the peers never touch the
project's environment or pyproject. A venv that fails to install is recorded with the pip error
tail in ``<venv>/FAILED`` and reported as such in the benchmark table.

    python benchmarks/peers/setup_venvs.py [--root /tmp/bench-venvs] [--only contrib,logfire]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from importlib.metadata import version

ROOT = "/tmp/bench-venvs"

#: peer → pip requirements (openai pinned to the version the project uses)
PEERS: dict[str, list[str]] = {
    # openai-v2 2.4b0 imports opentelemetry.util.genai.instruments, which util-genai 1.2 renamed
    "contrib": [
        "opentelemetry-sdk",
        "opentelemetry-instrumentation-openai-v2",
        "opentelemetry-util-genai<1.2",
    ],
    "openllmetry": ["opentelemetry-sdk", "opentelemetry-instrumentation-openai"],
    # every openlit since 1.27 requires openai<3; its venv gets the newest openai 2.x (flagged in the table)
    "openlit": ["openlit", "openai<3"],
    "logfire": ["logfire"],
}


def base_python() -> str:
    """The interpreter the project's venv is built on (venvs made from a venv nest badly)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def venv_path(name: str, root: str = ROOT) -> str:
    return os.path.join(root, name)


def python_of(name: str, root: str = ROOT) -> str:
    return os.path.join(venv_path(name, root), "bin", "python")


def status(name: str, root: str = ROOT) -> str:
    """'ok', 'missing' or 'failed: <reason>'."""
    path = venv_path(name, root)
    failed = os.path.join(path, "FAILED")
    if os.path.exists(failed):
        with open(failed) as fh:
            return "failed: " + fh.read().strip().splitlines()[-1][:160]
    return "ok" if os.path.exists(os.path.join(path, "READY")) else "missing"


def create(name: str, root: str = ROOT) -> str:
    path = venv_path(name, root)
    if status(name, root) != "missing":
        return status(name, root)
    os.makedirs(root, exist_ok=True)
    subprocess.run([base_python(), "-m", "venv", "--clear", path], check=True)
    py = python_of(name, root)
    pip = [py, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True, capture_output=True)
    own_openai = any(r.startswith("openai") and not r.startswith("openai-") for r in PEERS[name])
    reqs = [*([] if own_openai else [f"openai=={version('openai')}"]), "httpx", *PEERS[name]]
    done = subprocess.run([*pip, *reqs], capture_output=True, text=True)
    if done.returncode != 0:
        with open(os.path.join(path, "FAILED"), "w") as fh:
            fh.write(done.stdout[-2000:] + done.stderr[-2000:] or "pip failed")
        return status(name, root)
    freeze = subprocess.run([py, "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    with open(os.path.join(path, "READY"), "w") as fh:
        fh.write(freeze)
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=ROOT)
    parser.add_argument("--only", default=",".join(PEERS))
    args = parser.parse_args()
    for name in args.only.split(","):
        print(f"{name}: {create(name, args.root)}", flush=True)


if __name__ == "__main__":
    main()
