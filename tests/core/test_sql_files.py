"""One reader for the package's query files (analytics, evals and ui read them the same way)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import agentel
from agentel._internal.sqlfiles import SqlFiles

SRC = Path(agentel.__file__).parent


def _modules() -> list[object]:
    from agentel.analytics import questions
    from agentel.evals import store
    from agentel.ui import data

    return [questions, store, data]


def test_the_query_folders_share_one_loader_and_every_file_loads() -> None:
    for module in _modules():
        loader = module.sql  # type: ignore[attr-defined]
        assert isinstance(loader, SqlFiles), module
        names = loader.names()
        assert names, f"{loader.package}: no queries found"
        for name in names:
            assert loader(name).strip(), (loader.package, name)


def test_an_unknown_query_names_the_ones_there_are() -> None:
    from agentel.analytics import questions

    with pytest.raises(KeyError) as exc:
        questions.sql("no_such_question")
    message = str(exc.value)
    assert "no_such_question" in message and "agentel.analytics/queries" in message
    assert "leaderboard" in message


def test_no_other_module_reads_sql_files_itself() -> None:
    # store/ reads its schema migrations and loader SQL as folders of templates (store/schema.py,
    # store/loader.py); every query folder goes through SqlFiles.
    pattern = re.compile(r"\.sql\b[\"']?\)?\s*\)?\s*\.read_text|\{name\}\.sql")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "sqlfiles.py"
        and "store" not in p.relative_to(SRC).parts[:1]
        and pattern.search(p.read_text())
    ]
    assert offenders == []
