"""Server-rendered pages. Every value from the store goes through :func:`escape` (via ``render``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from agentel.ui.charts import bar_chart, timeline
from agentel.ui.markup import Markup, join, render, url

NAV = (
    ("/", "Runs"),
    ("/calls", "Calls"),
    ("/leaderboard", "Leaderboard"),
    ("/cost", "Cost"),
    ("/evals", "Evals"),
    ("/feedback", "Feedback"),
)


def layout(title: str, body: Markup, active: str = "") -> Markup:
    """The page shell: head, navigation, body."""
    nav = join(
        render(
            '<a href="$href" class="$cls">$label</a>',
            href=h,
            label=label,
            cls="active" if h == active else "",
        )
        for h, label in NAV
    )
    return render(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>$title · agentel</title><link rel="stylesheet" href="/static/ui.css"></head>'
        '<body><header><span class="brand">agentel</span><nav>$nav</nav>'
        '<span id="live" class="live" title="this page updates itself as new data arrives">live</span></header>'
        '<main><h1>$title</h1>$body</main><script src="/static/ui.js"></script></body></html>',
        title=title,
        nav=nav,
        body=body,
    )


def _num(v: Any, fmt: str = "{:,}") -> str:
    return "–" if v is None else fmt.format(v)


def _usd(v: Any) -> str:
    return "unknown" if v is None else f"${float(v):.6f}".rstrip("0").rstrip(".")


def _ms(v: Any) -> str:
    return "–" if v is None else f"{float(v):,.0f} ms"


def span_status(raw: Any) -> str:
    """A span's status code as stored, either spelling (``Ok``/``STATUS_CODE_OK``), as Ok, Error or Unset."""
    code = str(raw or "").upper().removeprefix("STATUS_CODE_")
    return {"OK": "Ok", "ERROR": "Error"}.get(code, "Unset")


def _attr_int(v: Any) -> str:
    """A token count from a span attribute (a string, maybe empty)."""
    try:
        return _num(int(float(v))) if v not in (None, "") else ""
    except ValueError:
        return str(v)


def _pct(v: Any) -> str:
    return "–" if v is None else f"{100 * float(v):.1f}%"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "") -> Markup:
    """A table; cells are escaped unless they are Markup."""
    head = join(render("<th>$h</th>", h=h) for h in headers)
    body = join(render("<tr>$cells</tr>", cells=join(render("<td>$c</td>", c=c) for c in r)) for r in rows)
    if not rows:
        body = render('<tr><td colspan="$n" class="empty">nothing yet</td></tr>', n=len(headers))
    return render(
        '<table class="$cls"><thead><tr>$head</tr></thead><tbody>$body</tbody></table>',
        cls=cls,
        head=head,
        body=body,
    )


def link(href: str, text: Any, cls: str = "") -> Markup:
    return render('<a href="$href" class="$cls">$text</a>', href=href, text=text, cls=cls)


def runs_page(runs: Sequence[Mapping[str, Any]]) -> Markup:
    rows = [
        (
            link(url("/calls", run=r["run_id"]), r["run_id"] or "(none)", "run-link"),
            r["started"][:19],
            r["last_call"][:19],
            _num(r["calls"]),
            _num(r["errors"]),
            _num(r["tokens"]),
            _usd(r["cost_usd"]),
            r["models"],
        )
        for r in runs
    ]
    body = table(
        ("run", "started (UTC)", "last call", "calls", "errors", "tokens", "cost", "models"), rows, "runs"
    )
    return layout("Runs", body, "/")


def _feedback_badge(fb: Mapping[str, Any] | None) -> Markup:
    if not fb:
        return Markup("")
    good = fb.get("latest_good")
    label = "good" if good == 1 else "bad" if good == 0 else "comment"
    return render('<span class="badge fb-$label">$label</span>', label=label)


def _checks_badge(ch: Mapping[str, Any] | None) -> Markup:
    if not ch:
        return Markup("")
    if ch["n_failed"]:
        return render('<span class="badge fail">$n failed</span>', n=ch["n_failed"])
    return render('<span class="badge pass">$n passed</span>', n=ch["n_passed"])


def filter_form(filters: Mapping[str, str], models: Sequence[str]) -> Markup:
    def select(name: str, options: Sequence[tuple[str, str]]) -> Markup:
        opts = join(
            render(
                '<option value="$v"$sel>$label</option>',
                v=v,
                label=label,
                sel=Markup(" selected") if filters.get(name, "") == v else Markup(""),
            )
            for v, label in options
        )
        return render('<label>$name <select name="$name">$opts</select></label>', name=name, opts=opts)

    return render(
        '<form class="filters" method="get" action="/calls">'
        '<label>search <input name="q" id="search" value="$q" size="18" '
        'placeholder="text in prompts, answers, errors"></label>$model'
        '<label>run <input name="run" value="$run" size="14"></label>'
        '<label>since <input name="since" value="$since" placeholder="2h, today, 2026-11-20 12:00" size="18"></label>'
        '<label>until <input name="until" value="$until" size="16"></label>$status$feedback'
        '<label><input type="checkbox" name="failing" value="1"$failing> failing checks</label>'
        '<button type="submit" id="apply-filters">Filter</button> <a href="/calls">clear</a></form>',
        q=filters.get("q", ""),
        model=select("model", [("", "any")] + [(m, m) for m in models]),
        run=filters.get("run", ""),
        since=filters.get("since", ""),
        until=filters.get("until", ""),
        status=select("status", [("", "any"), ("ok", "ok"), ("error", "error")]),
        feedback=select(
            "feedback",
            [("", "any"), ("any", "has feedback"), ("good", "good"), ("bad", "bad"), ("none", "none")],
        ),
        failing=Markup(" checked") if filters.get("failing") else Markup(""),
    )


def calls_page(
    calls: Sequence[Mapping[str, Any]], filters: Mapping[str, str], models: Sequence[str], page_size: int
) -> Markup:
    rows = [
        (
            link(url("/call", trace=c["trace_id"], span=c["span_id"]), c["timestamp"][:23], "call-link"),
            c["model"],
            link(url("/calls", run=c["run_id"]), c["run_id"]),
            _num(c["input_tokens"]),
            _num(c["output_tokens"]),
            _usd(c["cost"]),
            f"{c['latency_ms']:,.0f} ms",
            render('<span class="badge $s">$s</span>', s="error" if c["is_error"] else "ok"),
            _checks_badge(c.get("checks")),
            _feedback_badge(c.get("feedback")),
        )
        for c in calls
    ]
    more = Markup("")
    if len(calls) == page_size:
        last = calls[-1]
        more = link(
            url("/calls", **filters, after=f"{last['timestamp']}|{last['span_id']}"), "next page →", "next"
        )
    body = render(
        '$form$table<p class="paging">$more</p>',
        form=filter_form(filters, models),
        table=table(
            ("time (UTC)", "model", "run", "in", "out", "cost", "latency", "status", "checks", "feedback"),
            rows,
            "calls",
        ),
        more=more,
    )
    return layout("Calls", body, "/calls")


def highlighted(text: str, start: int, end: int) -> Markup:
    """``text`` with ``text[start:end]`` in a <mark> (every part escaped)."""
    if end <= start:
        return render("$t", t=text)
    return render("$a<mark>$m</mark>$b", a=text[:start], m=text[start:end], b=text[end:])


def search_page(
    hits: Sequence[Mapping[str, Any]], filters: Mapping[str, str], models: Sequence[str]
) -> Markup:
    """Calls holding the search text, newest first, the match marked in a snippet of the field that held it."""
    rows = [
        (
            link(url("/call", trace=c["trace_id"], span=c["span_id"]), str(c["timestamp"])[:23], "call-link"),
            c["model"],
            link(url("/calls", run=c["run_id"]), c["run_id"]),
            c["field"],
            render(
                '<span class="snippet">$s</span>',
                s=highlighted(c["snippet"], int(c["match_start"]), int(c["match_end"])),
            ),
        )
        for c in hits
    ]
    body = render(
        '$form<p class="muted" id="search-summary">$n calls containing “$q”$more</p>$table',
        form=filter_form(filters, models),
        n=len(hits),
        q=filters.get("q", ""),
        more=" (the newest; narrow the filters to see older ones)" if len(hits) >= 50 else "",
        table=table(("time (UTC)", "model", "run", "found in", "match"), rows, "calls search"),
    )
    return layout("Search", body, "/calls")


def _part_text(part: Any) -> str:
    if isinstance(part, Mapping) and part.get("type") == "text" and isinstance(part.get("content"), str):
        return part["content"]
    return json.dumps(part, indent=2, ensure_ascii=False)


def _messages(value: Any) -> list[tuple[str, str]] | None:
    """(role, text) pairs for the GenAI message shapes (messages with parts, or bare parts)."""
    if not isinstance(value, list) or not value or not all(isinstance(m, Mapping) for m in value):
        return None
    out = []
    for m in value:
        if "parts" in m and isinstance(m["parts"], list):
            out.append((str(m.get("role", "")), "\n".join(_part_text(p) for p in m["parts"])))
        elif "role" in m and isinstance(m.get("content"), str):
            out.append((str(m["role"]), m["content"]))
        elif m.get("type") == "text":
            out.append(("", _part_text(m)))
        else:
            return None
    return out


def content_block(title: str, raw: Any, elem_id: str) -> Markup:
    """Captured content as text: messages by role when it is GenAI JSON, else as stored.

    Says "not captured" when there is none (capture off, or nothing recorded).
    """
    if raw in (None, ""):
        return render(
            '<section><h2>$t</h2><p class="muted" id="$id">not captured</p></section>', t=title, id=elem_id
        )
    text = str(raw)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    msgs = _messages(parsed)
    if msgs is None:
        if parsed is not None:
            text = json.dumps(parsed, indent=2, ensure_ascii=False)
        return render(
            '<section><h2>$t</h2><pre class="content" id="$id">$text</pre></section>',
            t=title,
            id=elem_id,
            text=text,
        )
    body = join(
        render(
            '<div class="msg"><span class="role">$role</span><pre class="content">$text</pre></div>',
            role=r,
            text=t,
        )
        for r, t in msgs
    )
    return render(
        '<section><h2>$t</h2><div id="$id">$body</div><details><summary>as stored</summary>'
        '<pre class="content raw">$raw</pre></details></section>',
        t=title,
        id=elem_id,
        body=body,
        raw=json.dumps(parsed, indent=2, ensure_ascii=False),
    )


def call_page(call: Mapping[str, Any], csrf: str, notice: str = "") -> Markup:
    facts = [
        ("model", call["model"]),
        ("provider", call["provider"]),
        ("operation", call["operation"]),
        ("run", link(url("/calls", run=call["run_id"]), call["run_id"])),
        ("task", call["task"]),
        ("time (UTC)", call["timestamp"]),
        ("trace", link(url("/trace", trace=call["trace_id"]), call["trace_id"], "trace-link")),
        ("input tokens", _num(call["input_tokens"]) + (" (estimated)" if call["tokens_estimated"] else "")),
        ("output tokens", _num(call["output_tokens"])),
        ("cache read / write", f"{call['cache_read_tokens']} / {call['cache_write_tokens']}"),
        ("cost", _usd(call["cost"])),
        ("latency", f"{float(call['latency']) * 1000:,.0f} ms"),
        ("status", f"error: {call['error_type']}" if call["is_error"] else "ok"),
    ]
    dl = join(render("<dt>$k</dt><dd>$v</dd>", k=k, v=v) for k, v in facts)
    checks = table(
        ("check", "passed", "score", "label", "explanation"),
        [
            (
                c["check_name"],
                "yes" if c["passed"] else "NO",
                _num(c["score"], "{:g}"),
                c["label"],
                c["explanation"],
            )
            for c in call["checks"]
        ],
        "checks",
    )
    feedback = table(
        ("time (UTC)", "verdict", "comment", "reference answer"),
        [
            (
                f["timestamp"][:19],
                "good" if f["good"] == 1 else "bad" if f["good"] == 0 else "–",
                f["comment"],
                f["reference_answer"],
            )
            for f in call["feedback"]
        ],
        "feedback",
    )
    form = render(
        '<form method="post" action="/feedback" class="feedback-form" id="feedback-form">'
        '<input type="hidden" name="csrf" value="$csrf"><input type="hidden" name="trace" value="$trace">'
        '<input type="hidden" name="span" value="$span">'
        '<label><input type="radio" name="verdict" value="good" id="verdict-good"> good</label> '
        '<label><input type="radio" name="verdict" value="bad" id="verdict-bad"> bad</label>'
        '<label>comment<textarea name="comment" id="fb-comment" rows="2"></textarea></label>'
        '<label>reference answer<textarea name="reference_answer" id="fb-reference" rows="3"></textarea></label>'
        '<button type="submit" id="fb-submit">Record feedback</button></form>',
        csrf=csrf,
        trace=call["trace_id"],
        span=call["span_id"],
    )
    body = render(
        '$notice<dl class="facts">$dl</dl>$instr$prompt$answer<section><h2>Checks</h2>$checks</section>'
        "<section><h2>Feedback</h2>$feedback$form</section>",
        notice=render('<p class="notice" id="notice">$n</p>', n=notice) if notice else Markup(""),
        dl=dl,
        instr=content_block("Instructions", call["instructions"], "instructions"),
        prompt=content_block("Prompt", call["messages"], "prompt"),
        answer=content_block("Answer", call["response"], "answer"),
        checks=checks,
        feedback=feedback,
        form=form,
    )
    return layout(f"Call {call['model']}", body, "/calls")


def trace_page(trace_id: str, spans: Sequence[Mapping[str, Any]]) -> Markup:
    by_parent: dict[str, list[Mapping[str, Any]]] = {}
    ids = {s["span_id"] for s in spans}
    for s in spans:
        parent = s["parent_span_id"] if s["parent_span_id"] in ids else ""
        by_parent.setdefault(parent, []).append(s)
    ordered: list[tuple[int, Mapping[str, Any]]] = []

    def walk(parent: str, depth: int) -> None:
        for s in by_parent.get(parent, []):
            ordered.append((depth, s))
            if depth < 64:
                walk(s["span_id"], depth + 1)

    walk("", 0)
    starts = [int(s["start_ns"]) for s in spans]
    ends = [int(s["start_ns"]) + int(s["duration_ns"]) for s in spans]
    t0 = min(starts) if starts else 0
    chart = timeline(
        [
            (d, s["name"], int(s["start_ns"]), int(s["duration_ns"]), span_status(s["status"]) == "Error")
            for d, s in ordered
        ],
        t0=t0,
        total_ns=(max(ends) - t0) if ends else 1,
    )
    rows = [
        (
            render(
                '<span class="span-name">$indent$name</span>',
                indent="\u00a0\u00a0" * d,
                # an LLM span (a call in llm_calls) opens its call page
                name=link(url("/call", trace=trace_id, span=s["span_id"]), s["name"], "call-link")
                if s.get("operation") or s["model"]
                else s["name"],
            ),
            s["service"],
            f"{(int(s['start_ns']) - t0) / 1e6:,.1f} ms",
            f"{int(s['duration_ns']) / 1e6:,.1f} ms",
            span_status(s["status"]),
            s["model"],
            _attr_int(s["input_tokens"]),
            _attr_int(s["output_tokens"]),
            _usd(s["cost"]) if s["cost"] else ("unknown" if s["model"] else ""),
        )
        for d, s in ordered
    ]
    body = render(
        '<p class="muted">trace $t · $n spans</p>$chart$table',
        t=trace_id,
        n=len(spans),
        chart=chart,
        table=table(
            ("span", "service", "start", "duration", "status", "model", "in", "out", "cost"), rows, "spans"
        ),
    )
    return layout("Trace", body)


def leaderboard_page(rows: Sequence[Mapping[str, Any]], since: str) -> Markup:
    chart = bar_chart(
        [r["model"] for r in rows],
        [float(r["p50_ms"] or 0) for r in rows],
        title="median latency",
        unit=" ms",
    )
    cost_chart = bar_chart(
        [r["model"] for r in rows], [float(r["cost_usd"] or 0) for r in rows], title="cost", unit=" USD"
    )
    t = table(
        (
            "model",
            "calls",
            "error rate",
            "input tokens",
            "output tokens",
            "p50",
            "p95",
            "cost",
            "mean check score",
            "good feedback",
        ),
        [
            (
                link(url("/calls", model=r["model"]), r["model"]),
                _num(r["calls"]),
                _pct(r["error_rate"]),
                _num(r["input_tokens"]),
                _num(r["output_tokens"]),
                _ms(r["p50_ms"]),
                _ms(r["p95_ms"]),
                _usd(r["cost_usd"]),
                _num(r["mean_score"], "{:.2f}"),
                _pct(r["good_feedback_rate"]),
            )
            for r in rows
        ],
        "leaderboard",
    )
    return layout(
        "Leaderboard",
        render("$f$t$c1$c2", f=_since_form("/leaderboard", since), t=t, c1=chart, c2=cost_chart),
        "/leaderboard",
    )


WINDOWS = (("1d", "last 24 hours"), ("7d", "last 7 days"), ("30d", "last 30 days"), ("all", "all time"))


def _since_form(action: str, since: str) -> Markup:
    """A window picker; a custom ``since`` from the URL (e.g. a date) is kept as an option."""
    options = list(WINDOWS)
    if since not in {v for v, _ in WINDOWS}:
        options.insert(0, (since, f"since {since}"))
    opts = join(
        render(
            '<option value="$v"$sel>$label</option>',
            v=v,
            label=label,
            sel=Markup(" selected") if v == since else Markup(""),
        )
        for v, label in options
    )
    return render(
        '<form class="filters" method="get" action="$a"><label>window <select name="since" id="window">$opts'
        '</select></label><button type="submit">Apply</button></form>',
        a=action,
        opts=opts,
    )


def cost_page(
    by_day: Sequence[Mapping[str, Any]], by_model: Sequence[Mapping[str, Any]], since: str
) -> Markup:
    day_chart = bar_chart(
        [r["day"] for r in by_day],
        [float(r["cost_usd"] or 0) for r in by_day],
        title="cost per day",
        unit=" USD",
    )
    model_chart = bar_chart(
        [r["model"] for r in by_model],
        [float(r["cost_usd"] or 0) for r in by_model],
        title="cost per model",
        unit=" USD",
    )
    t = table(
        ("model", "calls", "cost", "calls without a price"),
        [(r["model"], _num(r["calls"]), _usd(r["cost_usd"]), _num(r["unpriced_calls"])) for r in by_model],
        "cost",
    )
    return layout(
        "Cost", render("$f$d$m$t", f=_since_form("/cost", since), d=day_chart, m=model_chart, t=t), "/cost"
    )


def _select(name: str, current: str, options: Sequence[tuple[str, str]]) -> Markup:
    opts = join(
        render(
            '<option value="$v"$sel>$label</option>',
            v=v,
            label=label,
            sel=Markup(" selected") if v == current else Markup(""),
        )
        for v, label in options
    )
    return render(
        '<label>$name <select name="$name" id="f-$name">$opts</select></label>', name=name, opts=opts
    )


def _window_select(since: str) -> Markup:
    options = list(WINDOWS)
    if since not in {v for v, _ in WINDOWS}:
        options.insert(0, (since, f"since {since}"))
    return _select("since", since, options)


def evals_page(
    by_check: Sequence[Mapping[str, Any]],
    by_day: Sequence[Mapping[str, Any]],
    filters: Mapping[str, str],
    checks: Sequence[str],
    models: Sequence[str],
) -> Markup:
    """Check results by check and model (pass rate, mean score), the pass rate per day, failing calls a click away."""
    since = filters.get("since", "")
    rows = [
        (
            link(url("/evals", since=since, check=r["check_name"]), r["check_name"]),
            link(url("/calls", model=r["model"]), r["model"]) if r["model"] else "",
            _num(r["results"]),
            _pct(r["pass_rate"]),
            _num(r["mean_score"], "{:.2f}"),
            link(url("/calls", failing="1", model=r["model"]), _num(r["failed"]), "failing-link")
            if r["failed"]
            else "0",
            str(r["last_result"])[:19],
        )
        for r in by_check
    ]
    form = render(
        '<form class="filters" method="get" action="/evals">$w$c$m<button type="submit" id="apply-filters">'
        'Apply</button> <a href="/evals">clear</a></form>',
        w=_window_select(since),
        c=_select("check", filters.get("check", ""), [("", "any")] + [(c, c) for c in checks]),
        m=_select("model", filters.get("model", ""), [("", "any")] + [(m, m) for m in models]),
    )
    chart = bar_chart(
        [r["day"] for r in by_day],
        [100 * float(r["pass_rate"] or 0) for r in by_day],
        title=f"pass rate per day ({filters.get('check') or 'all checks'})",
        unit=" %",
    )
    body = render(
        "$form$table$chart",
        form=form,
        table=table(
            ("check", "model", "results", "pass rate", "mean score", "failed", "last result"), rows, "evals"
        ),
        chart=chart,
    )
    return layout("Evaluations", body, "/evals")


def feedback_page(
    rows: Sequence[Mapping[str, Any]], filters: Mapping[str, str], models: Sequence[str]
) -> Markup:
    """Feedback given, newest first: verdict, comment, reference answer, linked to the call and trace."""
    cells = [
        (
            str(f["timestamp"])[:19],
            "good" if f["good"] == 1 else "bad" if f["good"] == 0 else "comment",
            f["model"] or "",
            f["comment"],
            f["reference_answer"],
            join(
                [
                    link(url("/call", trace=f["trace_id"], span=f["span_id"]), "call", "call-link")
                    if f["model"]
                    else Markup(""),
                    Markup(" ") if f["model"] else Markup(""),
                    link(url("/trace", trace=f["trace_id"]), "trace", "trace-link"),
                ]
            ),
        )
        for f in rows
    ]
    form = render(
        '<form class="filters" method="get" action="/feedback">$w$v$m<button type="submit" id="apply-filters">'
        'Apply</button> <a href="/feedback">clear</a></form>',
        w=_window_select(filters.get("since", "")),
        v=_select(
            "verdict",
            filters.get("verdict", ""),
            [("", "any"), ("good", "good"), ("bad", "bad"), ("comment", "comment only")],
        ),
        m=_select("model", filters.get("model", ""), [("", "any")] + [(m, m) for m in models]),
    )
    body = render(
        "$form$table",
        form=form,
        table=table(
            ("time (UTC)", "verdict", "model", "comment", "reference answer", "open"), cells, "feedback-list"
        ),
    )
    return layout("Feedback", body, "/feedback")


def no_trace_message(trace_id: str) -> str:
    """What the page of an unknown (or missing) trace id says."""
    if not trace_id:
        return "no trace id: open a trace from a call (/trace?trace=<32 hex digits>)"
    return (
        f"no trace {trace_id[:64]!r} in the store: check the id (32 hex digits, from a call page or "
        "agentel runs), or wait until its files are loaded"
    )


def error_page(title: str, message: str) -> Markup:
    return layout(title, render('<p class="error-message">$m</p>', m=message))
