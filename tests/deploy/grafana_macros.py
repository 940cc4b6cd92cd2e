"""Expand a panel's SQL the way Grafana and the grafana-clickhouse-datasource plugin (v4) do.

Order, as in Grafana: template variables are interpolated by the frontend first (with the
plugin's `$__conditionalAll` applied there), then the plugin's backend expands its macros
(pkg/macros/macros.go): `$__timeFilter(col)` → `col >= toDateTime(from) AND col <= toDateTime(to)`,
`$__timeFilter_ms`, `$__dateFilter`, `$__dateTimeFilter`/`$__dt`, `$__fromTime`/`$__toTime`
(`_ms`), `$__timeInterval(col)`, `$__timeInterval_ms(col)` and `$__interval_s`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

ALL = "$__all"  # Grafana's value for "All" in a variable with includeAll


class MacroError(ValueError):
    """A macro or variable the panel uses cannot be expanded (unknown, wrong argument count)."""


@dataclass
class Context:
    time_from: datetime
    time_to: datetime
    interval_s: float = 60.0
    variables: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def _percentencode(value: str | Sequence[str]) -> str:
    """Grafana's ``:percentencode``: encodeURIComponent, plus ``!'()*``; a list as ``{a,b}``."""
    text = value if isinstance(value, str) else "{" + ",".join(value) + "}"
    return quote(text, safe="-_.~")


def _format(value: str | Sequence[str], fmt: str | None) -> str:
    if fmt == "percentencode":
        return _percentencode(value)
    values = [value] if isinstance(value, str) else list(value)
    if fmt == "singlequote":  # Grafana: ' → \' (backslashes left alone)
        return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
    if fmt == "sqlstring":  # Grafana: ' → '' and " → \" (backslashes left alone)
        return ",".join("'" + v.replace("'", "''").replace('"', '\\"') + "'" for v in values)
    if fmt in (None, "raw", "csv"):
        return ",".join(values)
    raise MacroError(f"variable format {fmt!r} not supported by this expander")


_VAR = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]|\$(?!__)(\w+)")


def _split_args(text: str) -> list[str]:
    """Split macro arguments on top-level commas (parentheses and quotes respected)."""
    args, depth, quote, current = [], 0, "", []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    args.append("".join(current).strip())
    return args


def _find_call(sql: str, name: str) -> tuple[int, int, list[str]] | None:
    """The first ``$__name(...)`` call: its span and arguments (nested parentheses allowed)."""
    m = re.search(r"\$__" + re.escape(name) + r"\(", sql)
    if not m:
        return None
    depth, i = 1, m.end()
    while i < len(sql) and depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    if depth:
        raise MacroError(f"unbalanced parentheses in $__{name}(")
    return m.start(), i, _split_args(sql[m.end() : i - 1])


def _conditional_all(sql: str, variables: Mapping[str, str | Sequence[str]]) -> str:
    while (call := _find_call(sql, "conditionalAll")) is not None:
        start, end, args = call
        if len(args) != 2:
            raise MacroError("$__conditionalAll needs a condition and a variable")
        var = args[1].strip()
        name_m = re.fullmatch(r"\$\{?(\w+)(?::\w+)?\}?", var)
        if not name_m:
            raise MacroError(f"$__conditionalAll: second argument must be a variable, got {var!r}")
        value = variables.get(name_m.group(1))
        if value is None:
            raise MacroError(f"unknown template variable ${name_m.group(1)}")
        is_all = value == ALL or (not isinstance(value, str) and ALL in value)
        sql = sql[:start] + ("1=1" if is_all else args[0]) + sql[end:]
    return sql


def interpolate(sql: str, variables: Mapping[str, str | Sequence[str]]) -> str:
    """Grafana's frontend step: `$__conditionalAll`, then `$var`, `${var}`, `${var:fmt}`, `[[var]]`."""
    sql = _conditional_all(sql, variables)

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3) or m.group(4)
        if name not in variables:
            raise MacroError(f"unknown template variable ${name}")
        value = variables[name]
        if value == ALL:
            raise MacroError(f"${name} is 'All' outside $__conditionalAll: the SQL would be invalid")
        return _format(value, m.group(2))

    return _VAR.sub(repl, sql)


def _dt(t: datetime) -> str:
    return f"toDateTime({int(t.timestamp())})"


def _dt_ms(t: datetime) -> str:
    return f"fromUnixTimestamp64Milli({int(t.timestamp() * 1000)})"


def _date(t: datetime) -> str:
    return f"toDate('{t.astimezone(timezone.utc):%Y-%m-%d}')"


def expand_macros(sql: str, ctx: Context) -> str:
    """The plugin backend's step (pkg/macros/macros.go)."""
    seconds = max(int(ctx.interval_s), 1)
    millis = max(int(ctx.interval_s * 1000), 1)
    with_args = {
        "timeFilter_ms": (
            1,
            lambda a: f"{a[0]} >= {_dt_ms(ctx.time_from)} AND {a[0]} <= {_dt_ms(ctx.time_to)}",
        ),
        "timeFilter": (1, lambda a: f"{a[0]} >= {_dt(ctx.time_from)} AND {a[0]} <= {_dt(ctx.time_to)}"),
        "dateFilter": (1, lambda a: f"{a[0]} >= {_date(ctx.time_from)} AND {a[0]} <= {_date(ctx.time_to)}"),
        "dateTimeFilter": (
            2,
            lambda a: (
                f"({a[0]} >= {_date(ctx.time_from)} AND {a[0]} <= {_date(ctx.time_to)}) AND "
                f"({a[1]} >= {_dt(ctx.time_from)} AND {a[1]} <= {_dt(ctx.time_to)})"
            ),
        ),
        "timeInterval_ms": (
            1,
            lambda a: f"toStartOfInterval(toDateTime64({a[0]}, 3), INTERVAL {millis} millisecond)",
        ),
        "timeInterval": (1, lambda a: f"toStartOfInterval(toDateTime({a[0]}), INTERVAL {seconds} second)"),
    }
    with_args["dt"] = with_args["dateTimeFilter"]
    for name, (arity, fn) in with_args.items():
        while (call := _find_call(sql, name)) is not None:
            start, end, args = call
            if len(args) != arity:
                raise MacroError(f"$__{name} expects {arity} argument(s), got {len(args)}")
            sql = sql[:start] + fn(args) + sql[end:]
    plain = {
        "fromTime_ms": _dt_ms(ctx.time_from),
        "toTime_ms": _dt_ms(ctx.time_to),
        "fromTime": _dt(ctx.time_from),
        "toTime": _dt(ctx.time_to),
        "interval_s": str(seconds),
    }
    for name, value in plain.items():
        sql = re.sub(r"\$__" + name + r"(?:\(\))?(?!\w)", value, sql)
    leftover = re.search(r"\$__\w+", sql)
    if leftover:
        raise MacroError(f"unsupported macro {leftover.group(0)}")
    return sql


def expand(sql: str, ctx: Context) -> str:
    """A panel's rawSql as the ClickHouse server receives it."""
    return expand_macros(interpolate(sql, ctx.variables), ctx)
