"""The macro expander the dashboard test relies on reproduces the plugin's expansions exactly."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from grafana_macros import ALL, Context, MacroError, expand

FROM = datetime.fromtimestamp(1415792726, timezone.utc)
TO = datetime.fromtimestamp(1447328726, timezone.utc)


def ctx(**variables: object) -> Context:
    return Context(FROM, TO, interval_s=30, variables=variables)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("$__timeFilter(ts)", "ts >= toDateTime(1415792726) AND ts <= toDateTime(1447328726)"),
        (
            "$__timeFilter_ms(ts)",
            "ts >= fromUnixTimestamp64Milli(1415792726000) AND ts <= fromUnixTimestamp64Milli(1447328726000)",
        ),
        ("$__dateFilter(d)", "d >= toDate('2014-11-12') AND d <= toDate('2015-11-12')"),
        (
            "$__dt(d, t)",
            "(d >= toDate('2014-11-12') AND d <= toDate('2015-11-12')) AND "
            "(t >= toDateTime(1415792726) AND t <= toDateTime(1447328726))",
        ),
        ("$__fromTime AND $__toTime", "toDateTime(1415792726) AND toDateTime(1447328726)"),
        ("$__fromTime_ms", "fromUnixTimestamp64Milli(1415792726000)"),
        ("$__timeInterval(ts)", "toStartOfInterval(toDateTime(ts), INTERVAL 30 second)"),
        ("$__timeInterval_ms(ts)", "toStartOfInterval(toDateTime64(ts, 3), INTERVAL 30000 millisecond)"),
        ("x / $__interval_s", "x / 30"),
        (
            "$__timeFilter(toDateTime(intDiv(t, 1000)))",
            "toDateTime(intDiv(t, 1000)) >= toDateTime(1415792726) AND toDateTime(intDiv(t, 1000)) <= toDateTime(1447328726)",
        ),
    ],
)
def test_plugin_macros(sql: str, expected: str) -> None:
    assert expand(sql, ctx()) == expected


def test_template_variables_and_conditional_all() -> None:
    sql = "WHERE $__conditionalAll(model IN (${model:singlequote}), $model) AND run = '$run'"
    assert (
        expand(sql, ctx(model=["gpt-4o", "o'3"], run="r1"))
        == "WHERE model IN ('gpt-4o','o\\'3') AND run = 'r1'"
    )
    assert expand(sql, ctx(model=ALL, run="r1")) == "WHERE 1=1 AND run = 'r1'"


def test_mistakes_are_reported_not_passed_through() -> None:
    with pytest.raises(MacroError, match="unknown template variable"):
        expand("WHERE a = $nope", ctx())
    with pytest.raises(MacroError, match="unsupported macro"):
        expand("WHERE $__timeFilterr(ts)", ctx())
    with pytest.raises(MacroError, match="expects 1 argument"):
        expand("WHERE $__timeFilter(a, b)", ctx())
    with pytest.raises(MacroError, match="outside"):
        expand("WHERE m IN (${m:singlequote})", ctx(m=ALL))
