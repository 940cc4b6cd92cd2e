"""One observable-totals mechanism: the cost counter and the evaluation-results counter share it."""

from __future__ import annotations

from types import SimpleNamespace

from agentel._internal.totals import ObservableTotals
from agentel.testing import capture


def _points(cap: object, name: str) -> dict[tuple[str, ...], float]:
    return {
        tuple(sorted(p.attributes.items())): p.value
        for p in cap.metrics().get(name, [])  # type: ignore[attr-defined]
    }


def test_totals_are_observed_per_key_and_restart_with_each_pipeline() -> None:
    spec = SimpleNamespace(name="agentel.test.totals", unit="1", description="test totals")
    totals = ObservableTotals(lambda: spec, lambda key: {"k": key[0]})
    with capture() as cap:
        totals.add(("a",))
        totals.add(("a",), 2)
        totals.add_many([(("b",), 0.5), (("a",), 1)])
    assert _points(cap, "agentel.test.totals") == {(("k", "a"),): 4, (("k", "b"),): 0.5}
    with capture() as cap2:
        totals.add(("b",))
    # a new pipeline starts from zero, like a synchronous counter's
    assert _points(cap2, "agentel.test.totals") == {(("k", "b"),): 1}
    assert totals.totals() == {}  # no pipeline in force: nothing to observe


def test_cost_and_evaluation_results_use_the_one_mechanism() -> None:
    from agentel.evals import emit
    from agentel.genai import call

    assert isinstance(emit._results, ObservableTotals)
    assert isinstance(call._Instruments.cost, ObservableTotals)
