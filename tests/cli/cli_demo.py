"""What the demo did (shared by the CLI tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Demo:
    dir: Path
    output: str
    summaries: dict[str, dict[str, Any]]

    def calls(self, *examples: str) -> dict[str, int]:
        """LLM calls per model the given examples (default: all) say they made."""
        out: dict[str, int] = {}
        for name in examples or tuple(self.summaries):
            for model, n in self.summaries[name].get("calls", {}).items():
                out[model] = out.get(model, 0) + n
        return out
