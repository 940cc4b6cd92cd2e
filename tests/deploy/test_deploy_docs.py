"""docs/deploy.md stays true to the shipped config: every variable the collector config reads is
documented with its default."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_collector_variable_is_documented_with_its_default() -> None:
    lines = (ROOT / "collector-config" / "otelcol.yaml").read_text().splitlines()
    config = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    doc = (ROOT / "docs" / "deploy.md").read_text()
    used = dict(re.findall(r"\$\{env:([A-Z0-9_]+):-([^}]*)\}", config))
    assert used
    for var, default in used.items():
        row = re.search(rf"^\| `{var}` \| ([^|]*) \|", doc, re.MULTILINE)
        assert row, f"{var} is read by collector-config/otelcol.yaml but not in docs/deploy.md's table"
        cell = row.group(1).strip()
        assert cell == f"`{default}`" or (default == "" and cell == "(empty)"), (var, default, cell)


def test_docs_are_linked_from_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text()
    assert "(deploy.md)" in index and "(dashboards.md)" in index
