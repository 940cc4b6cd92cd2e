"""The metric names of evals, feedback and ingest, registered in one place.

They live here (not in ``agentel.ingest``) because the registry's docs and lint load the
``agentel.evals`` package: every name registered here shows up in docs/reference/metrics.md.
"""

from __future__ import annotations

from agentel.registry import REGISTRY, MetricSpec

EVALUATION_RESULTS = "agentel.evaluation.results"
FEEDBACK_RECEIVED = "agentel.feedback.received"
INGEST_FILES = "agentel.ingest.files"
INGEST_RECORDS = "agentel.ingest.records"

METRICS = (
    MetricSpec(
        EVALUATION_RESULTS,
        "counter",
        "{result}",
        "Evaluation results recorded (rule checks, judges, ingest), by check name and label.",
        ("gen_ai.evaluation.name", "gen_ai.evaluation.score.label"),
        pack="evals",
    ),
    MetricSpec(
        FEEDBACK_RECEIVED,
        "counter",
        "{feedback}",
        "Feedback records (API, CLI), by verdict (true, false, none).",
        ("agentel.feedback.good",),
        pack="evals",
    ),
    MetricSpec(
        INGEST_FILES,
        "counter",
        "{file}",
        "Log files ingest settled, by outcome (ingested, duplicate, quarantined).",
        ("agentel.ingest.outcome",),
        pack="ingest",
    ),
    MetricSpec(
        INGEST_RECORDS,
        "counter",
        "{record}",
        "LLM interactions read from log files, by outcome (ingested, duplicate, malformed).",
        ("agentel.ingest.outcome",),
        pack="ingest",
    ),
)
for _m in METRICS:
    REGISTRY.register_metric(_m)
