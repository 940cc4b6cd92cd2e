"""``agentel plots``: PNG charts of the store (matplotlib, Agg — no display needed).

Charts: LLM success/error rate over time, latency histogram per model, tokens over time,
evaluation scores over time, evaluation latency, and for evolutionary runs best/average fitness
per generation and the lineage (who descends from whom). Every chart is ``WIDTH`` × ``HEIGHT``
pixels. A chart with no data is skipped and said so, never drawn empty.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from agentel.analytics.questions import ask, check_run
from agentel.analytics.window import Window
from agentel.store.engine import Engine

WIDTH, HEIGHT, DPI = 1000, 500, 100
_NICE_BUCKETS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
_MAX_LATENCY_POINTS = 200_000


@dataclass
class Plot:
    """One chart written (or skipped for lack of data)."""

    name: str
    title: str
    path: str | None
    points: int
    note: str = ""
    x_label: str = ""  # what the x axis says (a time axis: "time (UTC), <from> – <to>")
    x_ticks: tuple[str, ...] = ()  # the tick labels drawn on it

    def as_dict(self) -> dict[str, Any]:
        return {
            "plot": self.name,
            "title": self.title,
            "path": self.path,
            "points": self.points,
            "note": self.note,
            "x_label": self.x_label,
            "x_ticks": list(self.x_ticks),
        }


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value[:26]).replace(tzinfo=timezone.utc)


def bucket_seconds(first: str | None, last: str | None, target: int = 40) -> int:
    """A round bucket size giving about ``target`` buckets over [first, last]."""
    if not first or not last:
        return 60
    span = max(1.0, (_time(last) - _time(first)).total_seconds())
    want = span / target
    return next((b for b in _NICE_BUCKETS if b >= want), _NICE_BUCKETS[-1])


def _figure() -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, out_dir: str, name: str) -> str:
    path = os.path.join(out_dir, f"{name}.png")
    fig.savefig(path, dpi=DPI, format="png")
    return path


def time_label(first: datetime, last: datetime) -> tuple[str, str]:
    """(tick format, axis label) for data from ``first`` to ``last`` (UTC): clock times, never bare
    seconds or days that read like hours, and the range itself in the label."""
    span = (last - first).total_seconds()
    tick = "%H:%M:%S" if span < 600 else "%H:%M" if span < 86400 else "%m-%d %H:%M"
    if first.date() == last.date():
        where = f"{first:%Y-%m-%d %H:%M:%S} – {last:%H:%M:%S}"
    else:
        where = f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}"
    return tick, f"time (UTC), {where}"


def _time_axis(ax: Any, times: Sequence[datetime] | None = None) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(loc)
    if times:
        tick, label = time_label(min(times), max(times))
        span = (max(times) - min(times)).total_seconds()
        if span < 3:  # under a few seconds: milliseconds, or every tick would read the same second
            from matplotlib.ticker import FuncFormatter

            ax.xaxis.set_major_formatter(
                FuncFormatter(lambda x, _: mdates.num2date(x, tz=timezone.utc).strftime("%H:%M:%S.%f")[:-3])
            )
        else:
            if span < 60:  # whole seconds: no repeated labels
                step = next(st for st in (1, 2, 5, 10, 15, 30) if span / st <= 8)
                ax.xaxis.set_major_locator(mdates.SecondLocator(bysecond=range(0, 60, step), tz=timezone.utc))
            ax.xaxis.set_major_formatter(mdates.DateFormatter(tick, tz=timezone.utc))
        ax.set_xlabel(label)
    else:
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        ax.set_xlabel("time (UTC)")


def _success_error(rows: Sequence[dict[str, Any]], fig: Any, bucket_s: int) -> None:
    ax = fig.add_subplot()
    times = [_time(r["time"]) for r in rows]
    calls = [int(r["calls"]) for r in rows]
    errors = [int(r["errors"]) for r in rows]
    ax.plot(
        times,
        [100 * (c - e) / c for c, e in zip(calls, errors, strict=True)],
        "o-",
        label="success %",
        color="tab:green",
    )
    ax.plot(
        times,
        [100 * e / c for c, e in zip(calls, errors, strict=True)],
        "o-",
        label="error %",
        color="tab:red",
    )
    ax.set_ylim(-2, 102)
    ax.set_ylabel(f"% of calls per {bucket_s}s")
    ax2 = ax.twinx()
    ax2.bar(times, calls, width=bucket_s / 86400 * 0.8, alpha=0.15, color="tab:blue", label="calls")
    ax2.set_ylabel("calls")
    ax.legend(loc="upper left")
    _time_axis(ax, times)


def _tokens(rows: Sequence[dict[str, Any]], fig: Any, bucket_s: int) -> None:
    ax = fig.add_subplot()
    times = [_time(r["time"]) for r in rows]
    ax.stackplot(
        times,
        [int(r["input_tokens"]) for r in rows],
        [int(r["output_tokens"]) for r in rows],
        labels=["input", "output"],
        alpha=0.8,
    )
    ax.set_ylabel(f"tokens per {bucket_s}s")
    ax.legend(loc="upper left")
    _time_axis(ax, times)


def _log_bins(values: Sequence[float], n: int = 40) -> list[float]:
    lo = max(min(values), 1e-3)
    hi = max(max(values), lo * 1.01)
    a, b = math.log10(lo), math.log10(hi)
    return [10 ** (a + (b - a) * i / n) for i in range(n + 1)]


def _histogram(groups: dict[str, list[float]], fig: Any, xlabel: str) -> None:
    ax = fig.add_subplot()
    everything = [v for vs in groups.values() for v in vs if v > 0]
    bins = _log_bins(everything)
    for name, vs in sorted(groups.items()):
        ax.hist(
            [v for v in vs if v > 0], bins=bins, histtype="step", linewidth=1.6, label=f"{name} (n={len(vs)})"
        )
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("count")
    ax.legend(loc="upper right", fontsize="small")


def _eval_scores(rows: Sequence[dict[str, Any]], fig: Any, bucket_s: int) -> None:
    ax = fig.add_subplot()
    series: dict[str, tuple[list[datetime], list[float]]] = defaultdict(lambda: ([], []))
    for r in rows:
        ts, vs = series[r["name"]]
        ts.append(_time(r["time"]))
        vs.append(float(r["mean_score"]))
    for name, (ts, vs) in sorted(series.items()):
        ax.plot(ts, vs, "o-", label=name)
    ax.set_ylabel(f"mean score per {bucket_s}s")
    ax.legend(loc="lower left", fontsize="small")
    _time_axis(ax, [t for ts, _ in series.values() for t in ts])


def _generation_time(rows: Sequence[dict[str, Any]], fig: Any) -> None:
    ax = fig.add_subplot()
    for status, color in (("success", "tab:green"), ("error", "tab:red")):
        rs = [r for r in rows if (r["status"] or "success") == status]
        if rs:
            ax.plot(
                [_time(r["time"]) for r in rs],
                [float(r["duration_ms"]) / 1000 for r in rs],
                "o",
                color=color,
                label=status,
            )
    ax.set_ylabel("generation time (s)")
    ax.legend(loc="upper left")
    _time_axis(ax, [_time(r["time"]) for r in rows])


def _conversation_length(rows: Sequence[dict[str, Any]], fig: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax = fig.add_subplot()
    lengths = [int(r["conversation_length"]) for r in rows if r["conversation_length"] is not None]
    lo, hi = min(lengths), max(lengths)
    ax.hist(lengths, bins=[x - 0.5 for x in range(lo, hi + 2)], color="tab:blue", edgecolor="white")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("conversation length (messages)")
    ax.set_ylabel("generations")


def _fitness(rows: Sequence[dict[str, Any]], fig: Any) -> None:
    ax = fig.add_subplot()
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        runs[r["run_id"]].append(r)
    for i, (run, rs) in enumerate(sorted(runs.items())):
        color = f"C{i % 10}"
        gens = [int(r["generation"]) for r in rs]
        ax.plot(gens, [r["best_score"] for r in rs], "o-", color=color, label=f"{run} best")
        ax.plot(gens, [r["avg_score"] for r in rs], "s--", color=color, alpha=0.7, label=f"{run} avg")
    _generation_axis(ax)
    ax.legend(loc="lower right", fontsize="small")


def _generation_axis(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel("fitness")


def _lineage(rows: Sequence[dict[str, Any]], fig: Any) -> None:
    ax = fig.add_subplot()
    kinds = sorted({r["mutation_type"] for r in rows if r["parent_id"]})
    colors = {k: f"C{i % 10}" for i, k in enumerate(kinds)}
    seen_kind: set[str] = set()
    for r in rows:
        if r["parent_id"] and r["parent_fitness"] is not None and r["child_fitness"] is not None:
            kind = r["mutation_type"]
            ax.plot(
                [r["parent_generation"], r["child_generation"]],
                [r["parent_fitness"], r["child_fitness"]],
                "-",
                color=colors[kind],
                alpha=0.5,
                linewidth=1,
                label=kind if kind not in seen_kind else None,
            )
            seen_kind.add(kind)
    valid = {
        (r["child_id"], r["child_generation"], r["child_fitness"])
        for r in rows
        if r["child_fitness"] is not None
    }
    invalid = {(r["child_id"], r["child_generation"]) for r in rows if r["child_fitness"] is None}
    ax.scatter(
        [g for _, g, _ in valid], [f for _, _, f in valid], s=18, color="black", zorder=3, label="individual"
    )
    if invalid:
        low = min((f for _, _, f in valid), default=0.0)
        ax.scatter(
            [g for _, g in invalid], [low - 0.05] * len(invalid), marker="x", color="tab:red", label="invalid"
        )
    _generation_axis(ax)
    ax.legend(loc="lower right", fontsize="small")


def _latest_evolution_run(rows: Sequence[dict[str, Any]]) -> str | None:
    """The evolution run with the latest generation rows (the one a plot shows by default)."""
    latest: dict[str, str] = {}
    for r in rows:
        t = str(r.get("last") or "")
        if t > latest.get(r["run_id"], ""):
            latest[r["run_id"]] = t
    return max(latest, key=lambda k: (latest[k], k)) if latest else None


def render(
    engine: Engine,
    out_dir: str,
    window: Window,
    *,
    run: str | None = None,
    only: Sequence[str] | None = None,
    all_runs: bool = False,
) -> list[Plot]:
    """Write every chart with data to ``out_dir``; returns what was written and what was skipped.

    The evolution charts show one run — ``run``, else the latest — unless ``all_runs``.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    check_run(engine, run)
    os.makedirs(out_dir, exist_ok=True)
    base = {**window.params(), "run": run or ""}
    rng = ask(engine, "plot_time_range", base)[0]
    bucket = bucket_seconds(rng["first"] if rng["calls"] else None, rng["last"] if rng["calls"] else None)
    plots: list[Plot] = []

    def chart(
        name: str, title: str, rows: Sequence[Any], draw: Callable[[Any], None], n: int | None = None
    ) -> None:
        if only and name not in only:
            return
        if not rows:
            plots.append(Plot(name, title, None, 0, "no data"))
            return
        fig = _figure()
        draw(fig)
        fig.suptitle(f"{title} — {window.describe()}")
        path = _save(fig, out_dir, name)  # draws the figure: the tick labels exist from here
        ax = fig.axes[0]
        lo, hi = sorted(ax.get_xlim())
        ticks = tuple(
            t.get_text() for t in ax.get_xticklabels() if t.get_text() and lo <= t.get_position()[0] <= hi
        )
        plots.append(Plot(name, title, path, n if n is not None else len(rows), "", ax.get_xlabel(), ticks))

    per_bucket = ask(engine, "plot_calls_over_time", {**base, "bucket_s": bucket})
    chart(
        "llm_success_error_rate",
        "LLM calls: success and error rate",
        per_bucket,
        lambda f: _success_error(per_bucket, f, bucket),
    )
    chart(
        "llm_tokens_over_time", "LLM tokens over time", per_bucket, lambda f: _tokens(per_bucket, f, bucket)
    )
    every = max(1, math.ceil(int(rng["calls"] or 0) / _MAX_LATENCY_POINTS))
    lat = ask(engine, "plot_latency", {**base, "every": every})
    by_model: dict[str, list[float]] = defaultdict(list)
    for r in lat:
        by_model[r["model"]].append(float(r["duration_ms"]))
    chart(
        "llm_latency_histogram",
        "LLM call latency by model",
        lat,
        lambda f: _histogram(by_model, f, "latency (ms, log scale)"),
    )
    evals = ask(engine, "plot_eval_scores", {**window.params(), "bucket_s": bucket})
    chart(
        "eval_scores_over_time",
        "Evaluation scores over time",
        evals,
        lambda f: _eval_scores(evals, f, bucket),
    )
    eval_lat = ask(engine, "plot_eval_latency", window.params())
    by_eval: dict[str, list[float]] = defaultdict(list)
    for r in eval_lat:
        by_eval[r["name"] or "evaluation"].append(float(r["duration_ms"]))
    chart(
        "eval_latency_histogram",
        "Evaluation latency",
        eval_lat,
        lambda f: _histogram(by_eval, f, "evaluation time (ms, log scale)"),
    )
    gens = ask(engine, "plot_generations", base)
    chart("generation_time", "Generation time", gens, lambda f: _generation_time(gens, f))
    lengths = [r for r in gens if r["conversation_length"] is not None]
    chart(
        "generation_conversation_length",
        "Conversation length per generation",
        lengths,
        lambda f: _conversation_length(lengths, f),
    )
    evo = {**window.params(), "run": run or ""}  # an evolution run id is its `run` key
    fitness = ask(engine, "evolution_fitness", evo)
    shown = run or (None if all_runs else _latest_evolution_run(fitness))
    if shown and not run:
        evo = {**evo, "run": shown}
        fitness = [r for r in fitness if r["run_id"] == shown]
    one = f" ({shown})" if shown else " (all runs)"
    chart(
        "evolution_fitness",
        "Evolution: best and average fitness per generation" + one,
        fitness,
        lambda f: _fitness(fitness, f),
    )
    lineage = ask(engine, "evolution_lineage", evo)
    chart(
        "evolution_lineage",
        "Evolution: lineage (parent → child, by mutation type)" + one,
        lineage,
        lambda f: _lineage(lineage, f),
    )
    return plots


PLOT_NAMES = (
    "llm_success_error_rate",
    "llm_tokens_over_time",
    "llm_latency_histogram",
    "eval_scores_over_time",
    "eval_latency_histogram",
    "generation_time",
    "generation_conversation_length",
    "evolution_fitness",
    "evolution_lineage",
)

__all__ = ["DPI", "HEIGHT", "PLOT_NAMES", "WIDTH", "Plot", "bucket_seconds", "render"]
