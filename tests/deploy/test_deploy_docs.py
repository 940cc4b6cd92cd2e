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


def test_dashboards_page_lists_every_panel() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "deploy" / "grafana"))
    try:
        import build_dashboards as bd
    finally:
        sys.path.pop(0)
    doc = (ROOT / "docs" / "dashboards.md").read_text()
    for d in bd.DASHBOARDS:
        section = doc.split(f"## {d.title.split(' · ')[1]}\n", 1)[1].split("\n## ", 1)[0]
        for p in d.panels:
            assert f"| {p.title} |" in section, f"docs/dashboards.md: {d.title} lacks panel {p.title!r}"
