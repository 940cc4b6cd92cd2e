"""Alert rules on synthetic metric streams with a controllable clock: fire, stay quiet, clear;
handlers (one raising), events, the span feed, the thread and the never-blocking queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import agentel
from agentel import alerts
from agentel.alerts import Alert, AlertMonitor, Sample
from agentel.config import ConfigError
from agentel.testing import capture

T0 = 1_800_000_000.0


class Clock:
    """Seconds since the epoch that move only when told."""

    def __init__(self, t: float = T0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture(autouse=True)
def _no_process_monitor() -> Iterator[None]:
    yield
    alerts.stop()


def monitor(
    clock: Clock, thresholds: dict[str, Any] | None = None, **kw: Any
) -> tuple[AlertMonitor, list[Alert]]:
    got: list[Alert] = []
    mon = AlertMonitor(
        alerts.rules({"min_calls": 1, **(thresholds or {})}),
        window_s=300,
        clock=clock,
        handlers=[got.append],
        **kw,
    )
    return mon, got


def names(alert_list: list[Alert]) -> list[tuple[str, str]]:
    return [(a.name, a.state) for a in alert_list]


def test_error_rate_fires_stays_firing_and_clears_when_the_window_moves_on(clock: Clock) -> None:
    mon, got = monitor(clock, {"success_rate": "off"})
    for i in range(10):
        mon.record(error=i < 3, duration_s=1.0)  # 30% errors > 20%
        clock.advance(1)
    firing = mon.check()
    assert names(firing) == [("error_rate", "firing")]
    assert firing[0].level == "critical" and firing[0].data["value"] == pytest.approx(0.3)
    assert firing[0].message == "error rate 0.3 > 0.2 over the last 5 min (10 calls)"
    assert firing[0].timestamp == clock.t
    clock.advance(60)
    assert names(mon.check()) == [("error_rate", "firing")]
    assert names(got) == [("error_rate", "firing")]  # told once, not on every check
    for _ in range(40):  # healthy traffic dilutes the errors: 3/50 = 6%
        mon.record(duration_s=1.0)
    assert mon.check() == []
    assert names(got) == [("error_rate", "firing"), ("error_rate", "resolved")]
    assert got[1].level == "info" and got[1].message.startswith("error rate back to 0.06")


def test_an_alert_clears_when_its_samples_age_out(clock: Clock) -> None:
    mon, got = monitor(clock, {"success_rate": "off"})
    for _ in range(4):
        mon.record(error=True)
    assert names(mon.check()) == [("error_rate", "firing")]
    clock.advance(299)
    assert names(mon.check()) == [("error_rate", "firing")]
    clock.advance(2)  # the window is 300 s: the errors are gone
    assert mon.check() == []
    assert got[-1].state == "resolved" and "no longer judged: 0 call(s)" in got[-1].message
    assert mon.stats().calls == 0


@pytest.mark.parametrize(
    ("rule", "sample", "threshold"),
    [
        ("success_rate", {"output_tokens": 0}, 0.8),  # answered nothing: not a success, not an error
        ("generation_time", {"duration_s": 31.0}, 30.0),
        ("prompt_tokens", {"input_tokens": 5000, "output_tokens": 10}, 4096),
        ("completion_tokens", {"input_tokens": 10, "output_tokens": 5000}, 4096),
        ("total_tokens", {"input_tokens": 4090, "output_tokens": 4200}, 8192),
        ("conversation_length", {"conversation_length": 60}, 50),
        ("cost", {"cost_usd": 2.6}, 5.0),  # two calls: $5.20 in the window
    ],
)
def test_each_rule_fires_on_the_stream_made_for_it(
    clock: Clock, rule: str, sample: dict[str, Any], threshold: float
) -> None:
    # at the defaults a total over 8192 means prompt or completion is over 4096 too: judge it alone
    mon, got = monitor(clock, {"completion_tokens": "off"} if rule == "total_tokens" else None)
    mon.record(**sample)
    mon.record(**sample)
    firing = mon.check()
    assert names(firing) == [(rule, "firing")]
    assert firing[0].data["threshold"] == threshold


def test_a_healthy_stream_fires_nothing(clock: Clock) -> None:
    mon, got = monitor(clock)
    for _ in range(100):
        mon.record(duration_s=2.0, input_tokens=800, output_tokens=200, conversation_length=4, cost_usd=0.001)
        clock.advance(2)
    assert mon.check() == [] and got == []
    stats = mon.stats()
    assert (stats.calls, stats.success_rate, stats.mean_total_tokens) == (100, 1.0, 1000)


def test_thresholds_are_configurable_and_rules_can_be_turned_off(clock: Clock) -> None:
    mon, _ = monitor(clock, {"generation_time": 5, "error_rate": "off", "success_rate": "off"})
    mon.record(duration_s=6.0, error=True)
    assert names(mon.check()) == [("generation_time", "firing")]


def test_rates_wait_for_enough_calls(clock: Clock) -> None:
    mon = AlertMonitor(alerts.rules(), window_s=300, clock=clock)  # default min_calls = 5
    for _ in range(4):
        mon.record(error=True)
    assert mon.check() == []
    mon.record(error=True)
    assert {a.name for a in mon.check()} == {"error_rate", "success_rate"}


def test_a_handler_that_raises_does_not_stop_the_others(clock: Clock) -> None:
    calls: list[str] = []

    def bad(alert: Alert) -> None:
        calls.append("bad")
        raise RuntimeError("pager down")

    def good(alert: Alert) -> None:
        calls.append(f"good:{alert.name}")

    mon = AlertMonitor(
        alerts.rules({"min_calls": 1, "success_rate": "off"}), clock=clock, handlers=[bad, good]
    )
    mon.record(error=True)
    assert names(mon.check()) == [("error_rate", "firing")]  # the check itself did not raise
    assert calls == ["bad", "good:error_rate"]
    assert mon.handler_errors == 1


def test_alerts_are_emitted_as_events(clock: Clock) -> None:
    with capture() as cap:
        mon, _ = monitor(clock, {"success_rate": "off"})
        mon.record(error=True)
        mon.check()
        clock.advance(301)
        mon.check()
    fired, cleared = cap.events("agentel.alert")
    assert fired.log_record.severity_text == "ERROR" and cleared.log_record.severity_text == "INFO"
    assert fired.log_record.body == "error rate 1 > 0.2 over the last 5 min (1 calls)"
    assert dict(fired.log_record.attributes or {}) == {
        "agentel.alert.name": "error_rate",
        "agentel.alert.level": "critical",
        "agentel.alert.value": 1.0,
        "agentel.alert.threshold": 0.2,
        "agentel.alert.state": "firing",
        "agentel.alert.window_s": 300,
        "agentel.alert.calls": 1,
        "error.code": "alert.error_rate",
    }
    assert dict(cleared.log_record.attributes or {})["agentel.alert.state"] == "resolved"
    notifications = cap.metrics()["agentel.alerts.notifications"]
    assert {p.attributes["agentel.alert.state"]: p.value for p in notifications} == {
        "firing": 1,
        "resolved": 1,
    }


def test_llm_call_spans_feed_the_window() -> None:
    with capture():
        mon = alerts.start(thresholds={"min_calls": 2, "success_rate": "off"}, interval_s=0)
        for fail in (True, True, False):
            with pytest.raises(TimeoutError) if fail else _nothing():
                with agentel.llm_call(provider="openai", model="gpt-4o-mini") as call:
                    call.set_usage(input_tokens=100, output_tokens=20)
                    if fail:
                        raise TimeoutError("upstream")
        with agentel.span("not an llm call"):
            pass
        with agentel.llm_call(provider="openai", model="text-embedding-3-small", operation="embeddings"):
            pass  # embeddings are not generations
        firing = agentel.check_alerts()
    stats = mon.stats()
    assert (stats.calls, stats.errors, stats.mean_input_tokens) == (3, 2, 100)
    assert [a.name for a in firing] == ["error_rate"]


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def test_the_thread_judges_every_interval() -> None:
    got: list[Alert] = []
    seen = threading.Event()

    def handler(alert: Alert) -> None:
        got.append(alert)
        seen.set()

    mon = AlertMonitor(
        alerts.rules({"min_calls": 1, "success_rate": "off"}), interval_s=1, handlers=[handler]
    )
    mon.start()
    try:
        assert mon.running
        mon.record(error=True)
        assert seen.wait(10), "the monitor thread never judged the rules"
        assert names(got) == [("error_rate", "firing")]
    finally:
        mon.stop()
    assert not mon.running


def test_recording_never_blocks_and_overflow_is_counted(clock: Clock) -> None:
    release = threading.Event()
    delivering = threading.Event()

    def stuck_handler(alert: Alert) -> None:
        delivering.set()
        release.wait(10)

    mon = AlertMonitor(
        alerts.rules({"min_calls": 1, "success_rate": "off"}),
        clock=clock,
        handlers=[stuck_handler],
        queue_size=50,
    )
    mon.record(error=True)
    checker = threading.Thread(target=mon.check)
    checker.start()
    assert delivering.wait(10)  # the judging side is stuck in a handler
    t0 = time.perf_counter()
    accepted = sum(mon.record(duration_s=1.0) for _ in range(500))
    took = time.perf_counter() - t0
    release.set()
    checker.join(10)
    assert accepted == 50 and mon.dropped == 450
    assert took < 2.0  # 500 non-blocking puts; a blocking queue would have hung until release
    mon.check()
    assert mon.stats().calls == 51


def test_late_samples_are_counted_not_judged(clock: Clock) -> None:
    mon, _ = monitor(clock)
    mon.record_sample(Sample(clock.t - 301, error=True))
    assert mon.check() == [] and mon.late == 1


def test_the_process_monitor_follows_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTEL_ALERT_WINDOW_S", "60")
    monkeypatch.setenv("AGENTEL_ALERT_THRESHOLDS", "error_rate=0.5,cost=off,min_calls=3")
    agentel.configure(sinks=(), metrics_interval_s=0)
    mon = alerts.start(interval_s=0)
    assert mon.window.window_s == 60 and not mon.running
    by_name = {r.name: r for r in mon.rules}
    assert by_name["error_rate"].threshold == 0.5 and by_name["error_rate"].min_calls == 3
    assert "cost" not in by_name
    override = alerts.start(thresholds={"error_rate": 0.9}, interval_s=0)
    assert {r.name: r.threshold for r in override.rules}["error_rate"] == 0.9
    assert mon.running is False


def test_bad_settings_fail_at_configure_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENTEL_ALERT_THRESHOLDS", "eror_rate=0.5")
    with pytest.raises(ConfigError, match="AGENTEL_ALERT_THRESHOLDS: unknown alert rule 'eror_rate'"):
        agentel.configure(sinks=())
    monkeypatch.setenv("AGENTEL_ALERT_THRESHOLDS", "error_rate=lots")
    with pytest.raises(ConfigError, match="error_rate='lots' is not a number"):
        agentel.configure(sinks=())
    monkeypatch.delenv("AGENTEL_ALERT_THRESHOLDS")
    with pytest.raises(ConfigError, match="at least 1 second"):
        AlertMonitor(interval_s=0.5)
    with pytest.raises(ConfigError, match="unknown alert rule"):
        alerts.rules({"latency": 3})


def test_check_alerts_alone_watches_from_its_first_call() -> None:
    agentel.configure(
        sinks=(), metrics_interval_s=0, alert_thresholds={"min_calls": 1, "success_rate": "off"}
    )
    assert agentel.check_alerts() == []  # creates the process monitor, fed from now on
    with pytest.raises(ConnectionError), agentel.llm_call(provider="openai", model="gpt-4o"):
        raise ConnectionError("down")
    assert [a.name for a in agentel.check_alerts()] == ["error_rate"]
    agentel.shutdown()  # stops the process monitor with the pipeline
    agentel.configure(sinks=(), metrics_interval_s=0)  # a re-configure: a fresh monitor, fed by it
    agentel.check_alerts()
    for _ in range(9):
        with agentel.llm_call(provider="openai", model="gpt-4o") as call:
            call.set_usage(10, 5)
    assert agentel.check_alerts() == [] and alerts.monitor().stats().calls == 9
