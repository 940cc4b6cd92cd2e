"""`make demo` is the main job: it ran the examples on the stub server, loaded the store, printed
the runs, the leaderboard and the cost, and wrote the charts."""

from __future__ import annotations

from agentel.analytics.plots import PLOT_NAMES
from testsupport import ExampleData


def test_demo_printed_the_reports_and_wrote_the_charts(demo: ExampleData) -> None:
    out = demo.output
    for heading in (
        "$ agentel load",
        "Runs (all time)",
        "Leaderboard by model",
        "Leaderboard by task",
        "Cost by model",
    ):
        assert heading in out
    for model in demo.calls():
        assert model in out
    for run_id in [r["run_id"] for r in demo.summaries["consortium"]["runs"]] + [
        demo.summaries["evolution"]["run_id"]
    ]:
        assert run_id in out
    assert "demo done in" in out
    assert sorted(p.stem for p in (demo.dir / "plots").glob("*.png")) == sorted(PLOT_NAMES)
    assert set(demo.summaries) == {"consortium", "evolution", "generation_monitor", "training_loop"}
