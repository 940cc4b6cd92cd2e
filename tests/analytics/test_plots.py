"""Every chart is a valid PNG of the documented size; charts without data are skipped, said so."""

from __future__ import annotations

import struct
from pathlib import Path

from agentel.analytics import plots
from agentel.analytics.window import Window
from agentel.store import apply, open_engine
from agentel.store.engine import Engine
from testsupport import ExampleData


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND"
    return width, height


def test_every_chart_is_drawn(seeded: ExampleData, engine: Engine, tmp_path: Path) -> None:
    made = plots.render(engine, str(tmp_path), Window())
    assert [p.name for p in made] == list(plots.PLOT_NAMES)
    for p in made:
        assert p.path is not None and p.points > 0, p
        assert png_size(Path(p.path)) == (plots.WIDTH, plots.HEIGHT)
    only = plots.render(engine, str(tmp_path / "one"), Window(), only=["evolution_fitness"])
    assert [p.name for p in only] == ["evolution_fitness"]
    fitness = only[0]
    assert fitness.points == seeded.summaries["evolution"]["generations"]


def test_an_empty_store_draws_nothing(tmp_path: Path) -> None:
    eng = open_engine(str(tmp_path / "empty"))
    try:
        apply(eng)
        made = plots.render(eng, str(tmp_path / "out"), Window())
    finally:
        eng.close()
    assert all(p.path is None and p.note == "no data" for p in made)
    assert list((tmp_path / "out").iterdir()) == []


def test_bucket_sizes_are_round() -> None:
    assert plots.bucket_seconds("2026-01-01 00:00:00", "2026-01-01 00:00:30") == 1
    assert plots.bucket_seconds("2026-01-01 00:00:00", "2026-01-01 01:00:00") == 120
    assert plots.bucket_seconds("2026-01-01 00:00:00", "2026-01-08 00:00:00") == 21600
    assert plots.bucket_seconds(None, None) == 60
