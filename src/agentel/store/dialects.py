"""GenAI attribute dialects → the typed ``llm_calls`` columns: ONE mapping table, rendered three ways.

Instrumentations name the same facts differently: the current OTel GenAI conventions
(``gen_ai.provider.name``, ``gen_ai.usage.input_tokens``, ``gen_ai.input.messages``), the older
GenAI spelling (``gen_ai.system``, ``gen_ai.usage.prompt_tokens``, flattened
``gen_ai.prompt.<i>.role``), OpenLLMetry (``llm.usage.*``, ``llm.request.type``, ``traceloop.*``)
and OpenInference (``llm.model_name``, ``llm.token_count.*``, flattened
``llm.input_messages.<i>.message.*``, ``openinference.span.kind``). :data:`COLUMNS` says, per
column, which attributes feed it, first non-empty wins. From it are rendered:

- the ``llm_calls_mv`` materialized view (``schema/012_dialects.sql``), so spans written by the
  SDK, the loader and the OTel Collector all land as typed calls;
- the collector's ``transform/genai`` statements (scalar renames into the current conventions, for
  backends other than agentel's store);
- the table in ``docs/integrations.md``.

``python -m agentel.store.dialects --write`` re-renders the three; a test fails when one is stale.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

#: dialect id → how the documentation names it
DIALECTS = {
    "gen_ai": "OTel GenAI (current semantic conventions)",
    "gen_ai_legacy": "OTel GenAI, older spelling (before semconv 1.37)",
    "openllmetry": "OpenLLMetry (Traceloop)",
    "openinference": "OpenInference (Arize)",
    "agentel": "agentel's own extensions",
}


@dataclass(frozen=True)
class Source:
    """One attribute feeding a column, in one dialect."""

    key: str
    dialect: str
    #: a flattened list: ``key`` is the prefix before ``<i>.``, ``infix`` what follows the index
    flattened: bool = False
    infix: str = ""
    #: value translation (lower-cased source value → column value) for enumerations
    values: tuple[tuple[str, str], ...] = ()


S = Source
#: column → its sources, first non-empty wins. The data of this module; everything else renders it.
COLUMNS: dict[str, tuple[Source, ...]] = {
    "Provider": (
        S("gen_ai.provider.name", "gen_ai"),
        S("gen_ai.system", "gen_ai_legacy"),
        S("llm.provider", "openinference"),
        S("llm.system", "openinference"),
    ),
    "Operation": (
        S("gen_ai.operation.name", "gen_ai"),
        S(
            "llm.request.type",
            "openllmetry",
            values=(("chat", "chat"), ("completion", "text_completion"), ("embedding", "embeddings")),
        ),
        S(
            "openinference.span.kind",
            "openinference",
            values=(("llm", "chat"), ("embedding", "embeddings")),
        ),
    ),
    "RequestModel": (
        S("gen_ai.request.model", "gen_ai"),
        S("llm.request.model", "openllmetry"),
        S("llm.model_name", "openinference"),
        S("embedding.model_name", "openinference"),
    ),
    "Model": (
        S("gen_ai.response.model", "gen_ai"),
        S("llm.response.model", "openllmetry"),
        S("gen_ai.request.model", "gen_ai"),
        S("llm.request.model", "openllmetry"),
        S("llm.model_name", "openinference"),
        S("embedding.model_name", "openinference"),
    ),
    "InputTokens": (
        S("gen_ai.usage.input_tokens", "gen_ai"),
        S("gen_ai.usage.prompt_tokens", "gen_ai_legacy"),
        S("llm.usage.prompt_tokens", "openllmetry"),
        S("llm.token_count.prompt", "openinference"),
    ),
    "OutputTokens": (
        S("gen_ai.usage.output_tokens", "gen_ai"),
        S("gen_ai.usage.completion_tokens", "gen_ai_legacy"),
        S("llm.usage.completion_tokens", "openllmetry"),
        S("llm.token_count.completion", "openinference"),
    ),
    "CacheReadTokens": (
        S("gen_ai.usage.cache_read.input_tokens", "gen_ai"),
        S("gen_ai.usage.cache_read_input_tokens", "openllmetry"),
        S("llm.usage.cache_read_input_tokens", "openllmetry"),
        S("llm.token_count.prompt_details.cache_read", "openinference"),
    ),
    "CacheWriteTokens": (
        S("gen_ai.usage.cache_creation.input_tokens", "gen_ai"),
        S("gen_ai.usage.cache_creation_input_tokens", "openllmetry"),
        S("llm.usage.cache_creation_input_tokens", "openllmetry"),
        S("llm.token_count.prompt_details.cache_write", "openinference"),
    ),
    "ReasoningTokens": (
        S("gen_ai.usage.reasoning.output_tokens", "gen_ai"),
        S("gen_ai.usage.reasoning_tokens", "openllmetry"),
        S("llm.usage.reasoning_tokens", "openllmetry"),
        S("llm.token_count.completion_details.reasoning", "openinference"),
    ),
    "CostUsd": (
        S("agentel.cost.total_usd", "agentel"),
        S("llm.cost.total", "openinference"),
    ),
    "Task": (
        S("task", "agentel"),
        S("gen_ai.agent.name", "gen_ai"),
        S("traceloop.workflow.name", "openllmetry"),
        S("traceloop.entity.name", "openllmetry"),
    ),
    "FinishReasons": (
        S("gen_ai.response.finish_reasons", "gen_ai"),
        S("gen_ai.completion.", "gen_ai_legacy", flattened=True, infix="finish_reason"),
    ),
    "InputMessages": (
        S("gen_ai.input.messages", "gen_ai"),
        S("gen_ai.prompt.", "gen_ai_legacy", flattened=True),
        S("llm.input_messages.", "openinference", flattened=True, infix="message."),
        S("llm.input_messages", "openinference"),
        S("input.value", "openinference"),
        S("traceloop.entity.input", "openllmetry"),
    ),
    "OutputMessages": (
        S("gen_ai.output.messages", "gen_ai"),
        S("gen_ai.completion.", "gen_ai_legacy", flattened=True),
        S("llm.output_messages.", "openinference", flattened=True, infix="message."),
        S("llm.output_messages", "openinference"),
        S("output.value", "openinference"),
        S("traceloop.entity.output", "openllmetry"),
    ),
    "SystemInstructions": (S("gen_ai.system_instructions", "gen_ai"),),
}
del S

#: OpenInference span kinds that are model calls (others — AGENT, TOOL, CHAIN, RETRIEVER, RERANKER,
#: GUARDRAIL, EVALUATOR — are the tree around them, kept in otel_traces)
OPENINFERENCE_CALL_KINDS = ("LLM", "EMBEDDING")
#: GenAI operations that are the agent tree, not model calls, even when they name a model
AGENT_OPERATIONS = ("invoke_agent", "create_agent", "execute_tool")
#: the columns whose presence makes a span an LLM call
_CALL_COLUMNS = ("RequestModel", "Model")
#: the typed columns that are numbers (UInt64) and the one that is a nullable float
_COUNTS = ("InputTokens", "OutputTokens", "CacheReadTokens", "CacheWriteTokens", "ReasoningTokens")


def _lit(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _flattened_sql(src: Source) -> str:
    """A JSON array of objects, one per index, from ``<prefix><i>.<infix><field>`` keys."""
    head = re.escape(src.key).replace("\\", "\\\\")
    if src.infix and not src.infix.endswith("."):  # one field per index: a JSON array of strings
        field = src.infix
        idx = (
            f"arraySort(x -> toUInt32(x), arrayDistinct(arrayMap(k -> extract(k, '^{head}(\\\\d+)\\\\.{field}$'), "
            f"arrayFilter(k -> match(k, '^{head}\\\\d+\\\\.{field}$'), mapKeys(a)))))"
        )
        return f"if(empty({idx}), '', toJSONString(arrayMap(i -> a[concat({_lit(src.key)}, i, '.{field}')], {idx})))"
    infix = re.escape(src.infix).replace("\\", "\\\\")
    idx = (
        f"arraySort(x -> toUInt32(x), arrayDistinct(arrayMap(k -> extract(k, '^{head}(\\\\d+)\\\\.{infix}'), "
        f"arrayFilter(k -> match(k, '^{head}\\\\d+\\\\.{infix}'), mapKeys(a)))))"
    )
    prefix = f"concat({_lit(src.key)}, i, '.{src.infix}')"
    one = (
        f"toJSONString(mapApply((k, v) -> (substring(k, length({prefix}) + 1), v), "
        f"mapFilter((k, v) -> startsWith(k, {prefix}), a)))"
    )
    return f"if(empty({idx}), '', concat('[', arrayStringConcat(arrayMap(i -> {one}, {idx}), ','), ']'))"


def _value_sql(src: Source) -> str:
    if src.flattened:
        return _flattened_sql(src)
    ref = f"a[{_lit(src.key)}]"
    if src.values:
        pairs = ", ".join(f"lower({ref}) = {_lit(k)}, {_lit(v)}" for k, v in src.values)
        return f"multiIf({pairs}, '')"
    return ref


def column_sql(column: str) -> str:
    """The expression of one column: the first non-empty source."""
    values = [_value_sql(s) for s in COLUMNS[column]]
    if len(values) == 1:
        expr = values[0]
    else:
        expr = "coalesce(" + ", ".join(f"nullIf({v}, '')" for v in values) + ", '')"
    if column in _COUNTS:
        return f"toUInt64OrZero({expr})"
    if column == "CostUsd":
        return f"toFloat64OrNull({expr})"
    if column == "Operation":
        return f"if({expr} = '', 'chat', {expr})"
    if column == "Provider":  # OpenLLMetry says "Anthropic", the conventions "anthropic"
        return f"lower({expr})"
    return expr


def _has(column: str) -> str:
    return " OR ".join(f"a[{_lit(s.key)}] != ''" for s in COLUMNS[column] if not s.flattened)


def convention_sql() -> str:
    """Which dialect a span speaks: the first whose model, provider or token keys it carries."""
    order = ("gen_ai", "gen_ai_legacy", "openllmetry", "openinference")
    keys: dict[str, list[str]] = {d: [] for d in order}
    for column in ("RequestModel", "Model", "Provider", "InputTokens", "OutputTokens"):
        for s in COLUMNS[column]:
            if s.dialect in keys and not s.flattened and s.key not in sum(keys.values(), []):
                keys[s.dialect].append(s.key)
    # gen_ai.request.model is shared: a span with the legacy provider/usage keys is legacy
    keys["gen_ai"] = [k for k in keys["gen_ai"] if k not in ("gen_ai.request.model", "gen_ai.response.model")]
    arms = []
    for d in ("openinference", "openllmetry", "gen_ai_legacy", "gen_ai"):
        cond = " OR ".join(f"a[{_lit(k)}] != ''" for k in keys[d])
        if d == "openinference":
            cond += " OR a['openinference.span.kind'] != ''"
        if d == "openllmetry":
            cond += " OR a['llm.request.type'] != '' OR a['traceloop.span.kind'] != ''"
        arms.append(f"{cond}, {_lit(d)}")
    return "multiIf(" + ", ".join(arms) + ", 'gen_ai')"


def where_sql() -> str:
    """A span is an LLM call when it names a model, unless OpenInference or its operation says it is no call."""
    model = " OR ".join(dict.fromkeys(f"a[{_lit(s.key)}] != ''" for c in _CALL_COLUMNS for s in COLUMNS[c]))
    kinds = ", ".join(_lit(k) for k in OPENINFERENCE_CALL_KINDS)
    agentic = ", ".join(_lit(op) for op in AGENT_OPERATIONS)
    return (
        f"(({model}) OR upper(a['openinference.span.kind']) IN ({kinds}))\n"
        f"  AND (a['openinference.span.kind'] = '' OR upper(a['openinference.span.kind']) IN ({kinds}))\n"
        f"  AND a['gen_ai.operation.name'] NOT IN ({agentic})"
    )


#: the llm_calls columns in table order, with their expressions (those not from the table are fixed)
_FIXED = {
    "Timestamp": "Timestamp",
    "TraceId": "TraceId",
    "SpanId": "SpanId",
    "ParentSpanId": "ParentSpanId",
    "SpanName": "SpanName",
    "ServiceName": "ServiceName",
    "RunId": "ResourceAttributes['agentel.run_id']",
    "Run": "if(a['run'] != '', a['run'], ResourceAttributes['agentel.run_id'])",
    "Iteration": "a['iteration']",
    "DurationMs": "Duration / 1e6",
    "TtftMs": "toFloat64OrNull(a['gen_ai.response.time_to_first_chunk']) * 1000",
    "IsError": "toUInt8(StatusCode IN ('Error', 'STATUS_CODE_ERROR') OR a['error.type'] != '')",
    "ErrorType": "a['error.type']",
    "StatusMessage": "StatusMessage",
    "TokensEstimated": "toUInt8(a['agentel.usage.estimated'] = 'true')",
}
_ORDER = tuple(
    " ".join(
        (
            "Timestamp TraceId SpanId ParentSpanId SpanName ServiceName RunId Run Task Iteration Provider",
            "Operation RequestModel Model InputTokens OutputTokens CacheReadTokens CacheWriteTokens CostUsd",
            "DurationMs TtftMs IsError ErrorType StatusMessage FinishReasons InputMessages OutputMessages",
            "SystemInstructions TokensEstimated Convention",
        )
    ).split(" ")
)
#: in the mapping (collector renames, docs) but no llm_calls column: reasoning is within OutputTokens
_NOT_IN_TABLE = ("ReasoningTokens",)


def mv_select_sql() -> str:
    """The SELECT of ``llm_calls_mv`` (placeholders ``{db}``/``{prefix}`` as in schema files)."""
    lines = []
    for col in _ORDER:
        if col == "Convention":
            expr = convention_sql()
        elif col in _FIXED:
            expr = _FIXED[col]
        else:
            expr = column_sql(col)
        lines.append(f"    {expr} AS {col}")
    return "SELECT\n" + ",\n".join(lines) + "\nFROM {db}.{prefix}otel_traces\nWHERE " + where_sql()


def migration_sql() -> str:
    return (
        "-- GENERATED by `python -m agentel.store.dialects --write` from agentel/store/dialects.py\n"
        "-- (the one GenAI dialect mapping table); do not edit by hand.\n"
        "-- llm_calls_mv maps every GenAI dialect (current and older OTel GenAI, OpenLLMetry,\n"
        "-- OpenInference incl. flattened messages) onto the typed columns.\n"
        "DROP VIEW IF EXISTS {db}.{prefix}llm_calls_mv;\n\n"
        "CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{prefix}llm_calls_mv TO {db}.{prefix}llm_calls AS\n"
        "WITH SpanAttributes AS a\n" + mv_select_sql() + ";\n"
    )


#: the current-convention key each scalar column is normalized to in the collector
_TARGET = {
    "Provider": "gen_ai.provider.name",
    "RequestModel": "gen_ai.request.model",
    "InputTokens": "gen_ai.usage.input_tokens",
    "OutputTokens": "gen_ai.usage.output_tokens",
    "CacheReadTokens": "gen_ai.usage.cache_read.input_tokens",
    "CacheWriteTokens": "gen_ai.usage.cache_creation.input_tokens",
    "ReasoningTokens": "gen_ai.usage.reasoning.output_tokens",
}


#: OpenInference span kinds that are GenAI agent operations, and its tool-name key
OPENINFERENCE_AGENT_KINDS = (("AGENT", "invoke_agent"), ("TOOL", "execute_tool"))
OPENINFERENCE_TOOL_NAME = "tool.name"


def transform_statements() -> list[str]:
    """OTTL for the collector's ``transform/genai``: scalar keys renamed into the current conventions,
    and OpenInference AGENT/TOOL spans given the GenAI agent operation names."""
    out = []
    for kind, operation in OPENINFERENCE_AGENT_KINDS:
        out.append(
            f'set(span.attributes["gen_ai.operation.name"], "{operation}") where '
            f'span.attributes["gen_ai.operation.name"] == nil and span.attributes["openinference.span.kind"] == "{kind}"'
        )
    out.append(
        f'set(span.attributes["gen_ai.tool.name"], span.attributes["{OPENINFERENCE_TOOL_NAME}"]) where '
        f'span.attributes["gen_ai.tool.name"] == nil and span.attributes["{OPENINFERENCE_TOOL_NAME}"] != nil'
    )
    for column, target in _TARGET.items():
        for s in COLUMNS[column]:
            if s.key == target or s.flattened or s.values:
                continue
            out.append(
                f'set(span.attributes["{target}"], span.attributes["{s.key}"]) where '
                f'span.attributes["{target}"] == nil and span.attributes["{s.key}"] != nil'
            )
    return out


def doc_markdown() -> str:
    """The mapping table as documentation (docs/integrations.md)."""
    lines = [
        "| llm_calls column | " + " | ".join(DIALECTS[d] for d in DIALECTS) + " |",
        "|---" * (len(DIALECTS) + 1) + "|",
    ]
    for column, sources in COLUMNS.items():
        cells = []
        for d in DIALECTS:
            keys = []
            for s in sources:
                if s.dialect != d:
                    continue
                if s.flattened:
                    keys.append(
                        f"`{s.key}<i>.{s.infix or ''}{'*' if not s.infix or s.infix.endswith('.') else ''}`"
                    )
                elif s.values:
                    keys.append(f"`{s.key}` (" + ", ".join(f"{k}→{v}" for k, v in s.values) + ")")
                else:
                    keys.append(f"`{s.key}`")
            cells.append(", ".join(keys))
        lines.append(f"| {column} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_ROOT = Path(__file__).resolve().parents[3]
MIGRATION = Path(__file__).parent / "schema" / "012_dialects.sql"
DOC = _ROOT / "docs" / "integrations.md"
COLLECTOR_CONFIGS = (_ROOT / "collector-config" / "otelcol.yaml", _ROOT / "deploy" / "k8s" / "otelcol.yaml")
DOC_BEGIN, DOC_END = "<!-- dialects:begin (generated) -->", "<!-- dialects:end -->"
YAML_BEGIN, YAML_END = (
    "# dialects:begin (generated by python -m agentel.store.dialects --write)",
    "# dialects:end",
)


def _between(text: str, begin: str, end: str, body: str) -> str:
    i, j = text.index(begin) + len(begin), text.index(end)
    return text[:i] + "\n" + body + text[j:]


def rendered() -> dict[Path, str]:
    """Every generated file → its expected content (from the files as they are now)."""
    out = {MIGRATION: migration_sql()}
    if DOC.exists():
        out[DOC] = _between(DOC.read_text(encoding="utf-8"), DOC_BEGIN, DOC_END, doc_markdown())
    for path in COLLECTOR_CONFIGS:
        if path.exists():
            text = path.read_text(encoding="utf-8")
            indent = re.search(r"^( *)" + re.escape(YAML_BEGIN), text, re.M)
            pad = indent.group(1) if indent else "      "
            body = "".join(f"{pad}- {s}\n" for s in transform_statements()) + pad
            out[path] = _between(text, YAML_BEGIN, YAML_END, body)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    stale = [p for p, text in rendered().items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if "--write" in args:
        for p, text in rendered().items():
            p.write_text(text, encoding="utf-8")
        return 0
    for p in stale:
        print(f"stale: {p} (run python -m agentel.store.dialects --write)")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
