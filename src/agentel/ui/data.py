"""What the pages ask the store: the .sql files in ``queries/`` with bound parameters, and feedback.

One chdb connection per process (the UI process owns the embedded store), so queries from the
server's threads are serialized by a lock; a ClickHouse server engine gets the same treatment.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any

from agentel._internal.sqlfiles import SqlFiles
from agentel.store.engine import Engine

PAGE_SIZE = 50


sql = SqlFiles("agentel.ui", "queries")


def check_time(name: str, value: str) -> str:
    """``value`` (``2h`` ago, ``today``, or an ISO date/time, UTC) as the SQL parameter; ValueError names the fix.

    The same reader as the CLI's ``--since``/``--until``, so a filter means the same in both.
    """
    if not value:
        return value
    from agentel.analytics.window import parse_time

    return parse_time(value, name).strftime("%Y-%m-%d %H:%M:%S.%f")


class Repository:
    """The store as the UI sees it: one method per question, answers as dicts."""

    def __init__(self, engine: Engine, *, redact: Any = None) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._redact = redact  # text -> text, applied to feedback text before it is stored

    def ask(self, name: str, **params: Any) -> list[dict[str, Any]]:
        with self._lock:
            return self.engine.query(sql(name), params).dicts()

    def runs(self, limit: int = 200) -> list[dict[str, Any]]:
        return self.ask("runs", limit=limit)

    def models(self) -> list[str]:
        return [r["model"] for r in self.ask("filter_models")]

    def calls(
        self, filters: dict[str, str], cursor: str = "", limit: int = PAGE_SIZE
    ) -> list[dict[str, Any]]:
        """A page of calls after ``cursor`` ("timestamp|span_id" of the previous page's last row)."""
        cur_ts, _, cur_span = cursor.partition("|")
        rows = self.ask(
            "calls_page",
            model=filters.get("model", ""),
            run=filters.get("run", ""),
            since=check_time("since", filters.get("since", "")),
            until=check_time("until", filters.get("until", "")),
            status=filters.get("status", ""),
            feedback=filters.get("feedback", ""),
            failing=1 if filters.get("failing") else 0,
            cur_ts=cur_ts if cur_span else "",
            cur_span=cur_span,
            limit=limit,
        )
        spans = [r["span_id"] for r in rows]
        if spans:
            fb = {r["span_id"]: r for r in self.ask("page_feedback", spans=",".join(spans))}
            checks = {r["span_id"]: r for r in self.ask("page_checks", spans=",".join(spans))}
            for r in rows:
                r["feedback"] = fb.get(r["span_id"])
                r["checks"] = checks.get(r["span_id"])
        return rows

    def search(self, filters: dict[str, str], limit: int = PAGE_SIZE) -> list[dict[str, Any]]:
        """Calls holding ``filters["q"]`` (the CLI's ``agentel search``), within the model/run/time filters."""
        from agentel.analytics.search import search
        from agentel.analytics.window import Window

        window = Window.parse(filters.get("since") or None, filters.get("until") or None)
        with self._lock:
            return search(
                self.engine,
                filters["q"],
                window,
                model=filters.get("model"),
                run=filters.get("run"),
                limit=limit,
            )

    def evals(self, filters: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Check results by check and model, and the pass rate per day, in the window of ``filters``."""
        from agentel.analytics.window import Window

        w = Window.parse(filters.get("since") or None).params()
        check, model = filters.get("check", ""), filters.get("model", "")
        return (
            self.ask("evals_by_check", **w, check=check, model=model),
            self.ask("evals_by_day", **w, check=check),
        )

    def feedback_list(self, filters: dict[str, str], limit: int = 200) -> list[dict[str, Any]]:
        """Feedback given in the window of ``filters``, newest first (verdict and model filters)."""
        from agentel.analytics.window import Window

        w = Window.parse(filters.get("since") or None).params()
        return self.ask(
            "feedback_list",
            **w,
            verdict=filters.get("verdict", ""),
            model=filters.get("model", ""),
            limit=limit,
        )

    def call(self, trace: str, span: str) -> dict[str, Any] | None:
        rows = self.ask("call_detail", trace=trace, span=span)
        if not rows:
            return None
        call = rows[0]
        call["checks"] = self.ask("call_checks", trace=trace, span=span)
        call["feedback"] = self.ask("call_feedback", trace=trace, span=span)
        return call

    def trace(self, trace: str) -> list[dict[str, Any]]:
        return self.ask("trace_spans", trace=trace)

    def leaderboard(self, since: str = "") -> list[dict[str, Any]]:
        """The CLI's leaderboard question (analytics/queries/leaderboard.sql), by model."""
        from agentel.analytics import questions
        from agentel.analytics.window import Window

        window = Window.parse(since or None)
        with self._lock:
            return questions.leaderboard(self.engine, window, by="model", sort="calls")

    def cost(self, since: str = "") -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The CLI's cost question (analytics/queries/cost.sql), by day and by model."""
        from agentel.analytics import questions
        from agentel.analytics.window import Window

        window = Window.parse(since or None)
        with self._lock:
            return questions.cost(self.engine, window, by="day"), questions.cost(
                self.engine, window, by="model"
            )

    def record_feedback(
        self, trace: str, span: str, *, good: bool | None, comment: str = "", reference_answer: str = ""
    ) -> None:
        """Store an ``agentel.feedback`` event on the judged call, readable by the next query.

        The row is the one the collector's exporter would write for the event (otel_logs), so the
        store's materialized view types it into ``feedback`` like any other feedback; the text
        passes the redaction policy first, as every other path to a sink does.
        """
        if self._redact is not None:
            comment, reference_answer = self._redact(comment), self._redact(reference_answer)
        attrs = {"event.name": "agentel.feedback"}
        if good is not None:
            attrs["agentel.feedback.good"] = "true" if good else "false"
        if comment:
            attrs["agentel.feedback.comment"] = comment
        if reference_answer:
            attrs["agentel.feedback.reference_answer"] = reference_answer
        now = datetime.fromtimestamp(time.time(), timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
        row = {
            "Timestamp": now,
            "TraceId": trace,
            "SpanId": span,
            "TraceFlags": 1,
            "SeverityText": "INFO",
            "SeverityNumber": 9,
            "ServiceName": "agentel-ui",
            "Body": "",
            "ResourceAttributes": {"service.name": "agentel-ui"},
            "ScopeName": "agentel.ui",
            "LogAttributes": attrs,
            "EventName": "agentel.feedback",
        }
        with self._lock:
            self.engine.insert("otel_logs", [row])
