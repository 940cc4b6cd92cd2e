"""One typed configuration object, with precedence arguments > environment > defaults.

Every setting is declared once in ``SETTINGS`` (name, env vars, type, default, one-line doc);
parsing, validation, error messages and the configuration reference page are derived from it.
A wrong value fails at configure time with a message naming the variable and what it accepts.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

KNOWN_SINKS = ("files", "console", "otlp", "clickhouse", "prometheus")
CONSOLE_MODES = ("pretty", "jsonl", "off")
LOG_LEVELS = ("debug", "info", "warn", "error")
OTLP_PROTOCOLS = ("grpc", "http/protobuf")
SAMPLERS = (
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
)


class ConfigError(ValueError):
    """A setting has a value agentel cannot use; the message names the variable and the fix."""


def _bool(raw: str, name: str) -> bool:
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name}: expected a boolean, got {raw!r} (accepted: 1/0, true/false, yes/no, on/off)")


def _float(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name}: expected a finite number, got {raw!r}")
    return value


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {raw!r}") from None


def _str(raw: str, name: str) -> str:
    return raw


def _list(raw: str, name: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in raw.split(",") if p.strip())


def _kv(raw: str, name: str) -> dict[str, str]:
    """Parse ``k=v,k2=v2`` (OTEL_RESOURCE_ATTRIBUTES / OTEL_EXPORTER_OTLP_HEADERS style)."""
    out: dict[str, str] = {}
    for index, part in enumerate(raw.split(","), 1):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            # values are not quoted back: headers carry API keys
            raise ConfigError(f"{name}: expected comma-separated key=value pairs; entry {index} has no '='")
        key, _, value = part.partition("=")
        from urllib.parse import unquote

        out[unquote(key.strip())] = unquote(value.strip())
    return out


_PARSERS: dict[type, Callable[[str, str], Any]] = {}

GENAI_CAPTURE_MODES = ("NO_CONTENT", "SPAN_ONLY", "EVENT_ONLY", "SPAN_AND_EVENT")


def _capture_mode(raw: str, name: str) -> str:
    """OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: a mode, or the legacy true/false."""
    low = raw.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return "SPAN_AND_EVENT"
    if low in ("0", "false", "no", "off"):
        return "NO_CONTENT"
    mode = raw.strip().upper()
    if mode not in GENAI_CAPTURE_MODES:
        raise ConfigError(
            f"{name}: unknown mode {raw!r} (known: {', '.join(GENAI_CAPTURE_MODES)}, or true/false)"
        )
    return mode


@dataclass(frozen=True)
class SettingSpec:
    """One setting: its field name, environment variables (first wins), parser, default, doc."""

    name: str
    env: tuple[str, ...]
    parse: Callable[[str, str], Any]
    default: Any
    doc: str
    choices: tuple[str, ...] = ()


#: what a run id may be: it names the run's folder under AGENTEL_DIR (no '/', no '..')
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _default_run_id() -> str:
    return uuid.uuid4().hex[:16]


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "service_name",
        ("OTEL_SERVICE_NAME",),
        _str,
        None,
        "Service name on every record (default: the program's name).",
    ),
    SettingSpec(
        "resource_attributes",
        ("OTEL_RESOURCE_ATTRIBUTES",),
        _kv,
        {},
        "Extra resource attributes, `k=v,k2=v2`.",
    ),
    SettingSpec(
        "dir", ("AGENTEL_DIR",), _str, ".agentel", "Where files, the embedded store and spills live."
    ),
    SettingSpec(
        "run_id",
        ("AGENTEL_RUN_ID",),
        _str,
        None,
        "This process's run id (resource attribute `agentel.run_id`, names its file folder); random when unset.",
    ),
    SettingSpec("sinks", ("AGENTEL_SINKS",), _list, ("files",), "Comma-separated sinks.", KNOWN_SINKS),
    SettingSpec("console", ("AGENTEL_CONSOLE",), _str, "off", "Console rendering on stderr.", CONSOLE_MODES),
    SettingSpec(
        "log_level",
        ("AGENTEL_LOG_LEVEL",),
        _str,
        "info",
        "Lowest severity bridged from logging and shown on the console.",
        LOG_LEVELS,
    ),
    SettingSpec(
        "capture_content",
        ("AGENTEL_CAPTURE_CONTENT",),
        _bool,
        False,
        "Record prompts and completions (they still pass the redactor).",
    ),
    SettingSpec(
        "genai_capture_message_content",
        ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",),
        _capture_mode,
        None,
        "Where GenAI message content goes when captured (true = SPAN_AND_EVENT); an explicit AGENTEL_CAPTURE_CONTENT=0 vetoes it.",
        GENAI_CAPTURE_MODES,
    ),
    SettingSpec(
        "prices_file",
        ("AGENTEL_PRICES_FILE",),
        _str,
        None,
        "TOML/JSON/YAML file of per-model price overrides (USD per million tokens), see docs/cost.md.",
    ),
    SettingSpec(
        "redaction_strict",
        ("AGENTEL_REDACTION_STRICT",),
        _bool,
        False,
        "Fail closed: drop any record that breaks a redaction rule.",
    ),
    SettingSpec(
        "redaction_strict_action",
        ("AGENTEL_REDACTION_STRICT_ACTION",),
        _str,
        "report",
        "Strict mode: report a dropped record (log once per rule, count) or raise into the caller.",
        ("report", "raise"),
    ),
    SettingSpec(
        "redaction_policy",
        ("AGENTEL_REDACTION_POLICY",),
        _str,
        None,
        "Path of a TOML/YAML redaction policy file (or an `agentel.redaction.Policy` passed to configure()); default: the built-in policy.",
    ),
    SettingSpec(
        "metrics_interval_s",
        ("AGENTEL_METRICS_INTERVAL_S",),
        _float,
        10.0,
        "Seconds between metric exports (and alert evaluations); 0 disables periodic export.",
    ),
    SettingSpec(
        "strict_events",
        ("AGENTEL_STRICT_EVENTS",),
        _bool,
        False,
        "Reject unregistered event names instead of counting them.",
    ),
    SettingSpec(
        "bridge_logging",
        ("AGENTEL_BRIDGE_LOGGING",),
        _bool,
        True,
        "Bridge stdlib logging into OTel log records.",
    ),
    SettingSpec(
        "propagate_threads",
        ("AGENTEL_PROPAGATE_THREADS",),
        _bool,
        True,
        "Carry the current context into threads and thread pools.",
    ),
    SettingSpec(
        "otlp_endpoint",
        ("AGENTEL_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
        _str,
        None,
        "OTLP endpoint; setting it enables the otlp sink.",
    ),
    SettingSpec(
        "otlp_protocol",
        ("OTEL_EXPORTER_OTLP_PROTOCOL",),
        _str,
        "http/protobuf",
        "OTLP protocol.",
        OTLP_PROTOCOLS,
    ),
    SettingSpec("otlp_headers", ("OTEL_EXPORTER_OTLP_HEADERS",), _kv, {}, "OTLP headers, `k=v,k2=v2`."),
    SettingSpec(
        "clickhouse_url",
        ("CLICKHOUSE_URL",),
        _str,
        None,
        "ClickHouse server `protocol://user:password@host:port/database`; setting it enables the clickhouse sink.",
    ),
    SettingSpec(
        "prometheus_port",
        ("AGENTEL_PROMETHEUS_PORT",),
        _int,
        None,
        "Port of the Prometheus scrape endpoint (0 = OS-chosen); enables the prometheus sink.",
    ),
    SettingSpec(
        "traces_sampler", ("OTEL_TRACES_SAMPLER",), _str, "parentbased_always_on", "Trace sampler.", SAMPLERS
    ),
    SettingSpec(
        "traces_sampler_arg",
        ("OTEL_TRACES_SAMPLER_ARG",),
        _float,
        1.0,
        "Sampler argument (ratio for *traceidratio).",
    ),
    SettingSpec(
        "max_queue_size",
        ("AGENTEL_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_QUEUE_SIZE"),
        _int,
        8192,
        "Records buffered per sink before new ones are dropped (and counted).",
    ),
    SettingSpec(
        "flush",
        ("AGENTEL_FLUSH",),
        _str,
        "batch",
        "When the files sink writes: `batch` (every second; a kill -9 loses up to the last second) or `sync` (each span and log record written before the call returns; docs/reliability.md).",
        ("batch", "sync"),
    ),
    SettingSpec(
        "clickhouse_timeout_s",
        ("AGENTEL_CLICKHOUSE_TIMEOUT_S",),
        _float,
        5.0,
        "ClickHouse sink: connect and request timeout, seconds; also the longest force_flush/shutdown wait for the server before the batch goes to the spill (docs/reliability.md).",
    ),
    SettingSpec(
        "disk_budget_mb",
        ("AGENTEL_DISK_BUDGET_MB",),
        _int,
        2048,
        "Disk budget for spills and the embedded store, MiB.",
    ),
    SettingSpec(
        "alerts",
        ("AGENTEL_ALERTS",),
        _bool,
        False,
        "Run the alert monitor from configure() to shutdown(): rules judged every metrics interval (docs/alerts.md).",
    ),
    SettingSpec(
        "alert_window_s",
        ("AGENTEL_ALERT_WINDOW_S",),
        _float,
        300.0,
        "Length of the rolling window alert rules judge, seconds (docs/alerts.md).",
    ),
    SettingSpec(
        "alert_thresholds",
        ("AGENTEL_ALERT_THRESHOLDS",),
        _kv,
        {},
        "Alert thresholds replacing the defaults, `error_rate=0.3,cost=off,min_calls=10` (rules in docs/alerts.md).",
    ),
)

#: the alert rules agentel.alerts evaluates (names accepted in AGENTEL_ALERT_THRESHOLDS, with min_calls)
ALERT_RULES = (
    "success_rate",
    "error_rate",
    "generation_time",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "conversation_length",
    "cost",
)

_SPEC_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The settings in force. Build with :meth:`Settings.load`; fields are documented in ``SETTINGS``."""

    service_name: str | None = None
    resource_attributes: Mapping[str, str] = field(default_factory=dict)
    dir: str = ".agentel"
    run_id: str = ""
    sinks: tuple[str, ...] = ("files",)
    console: str = "off"
    log_level: str = "info"
    capture_content: bool = False
    genai_capture_message_content: str | None = None
    prices_file: str | None = None
    redaction_strict: bool = False
    redaction_strict_action: str = "report"
    redaction_policy: Any = None  # a path, or an agentel.redaction.Policy
    metrics_interval_s: float = 10.0
    strict_events: bool = False
    bridge_logging: bool = True
    propagate_threads: bool = True
    otlp_endpoint: str | None = None
    otlp_protocol: str = "http/protobuf"
    otlp_headers: Mapping[str, str] = field(default_factory=dict)
    clickhouse_url: str | None = None
    prometheus_port: int | None = None
    traces_sampler: str = "parentbased_always_on"
    traces_sampler_arg: float = 1.0
    max_queue_size: int = 8192
    flush: str = "batch"
    clickhouse_timeout_s: float = 5.0
    disk_budget_mb: int = 2048
    alerts: bool = False
    alert_window_s: float = 300.0
    alert_thresholds: Mapping[str, str] = field(default_factory=dict)
    #: where each value came from: "argument", the env var name, or "default"
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Resolve every setting: ``overrides`` > ``env`` (default ``os.environ``) > defaults."""
        env = os.environ if env is None else env
        unknown = set(overrides) - set(_SPEC_BY_NAME)
        if unknown:
            raise ConfigError(
                f"configure(): unknown setting(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_SPEC_BY_NAME))})"
            )
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for spec in SETTINGS:
            if spec.name in overrides and overrides[spec.name] is not None:
                raw = overrides[spec.name]
                label = f"configure({spec.name}=...)"
                value = spec.parse(raw, label) if isinstance(raw, str) and spec.parse is not _str else raw
                if spec.parse is _list and isinstance(value, (list, tuple)):
                    value = tuple(value)
                values[spec.name], sources[spec.name] = value, "argument"
                _validate(spec, value, label)
                continue
            for var in spec.env:
                raw = env.get(var)
                if raw is not None and raw != "":
                    value = spec.parse(raw, var)
                    _validate(spec, value, var)
                    values[spec.name], sources[spec.name] = value, var
                    break
            else:
                values[spec.name] = spec.default() if callable(spec.default) else spec.default
                sources[spec.name] = "default"
        # The standard GenAI content switch, when it asks for content, is agentel's switch turned on
        # (so the redactor lets content through too) — unless AGENTEL_CAPTURE_CONTENT said no.
        mode = values.get("genai_capture_message_content")
        if sources.get("capture_content") == "default" and mode not in (None, "NO_CONTENT"):
            values["capture_content"] = True
            sources["capture_content"] = sources["genai_capture_message_content"]
        if not values.get("run_id"):
            values["run_id"] = _default_run_id()
        # A sink whose target is configured is enabled without listing it: the variable is the opt-in.
        sinks = list(values["sinks"])
        for name, sink in (
            ("otlp_endpoint", "otlp"),
            ("clickhouse_url", "clickhouse"),
            ("prometheus_port", "prometheus"),
        ):
            if values.get(name) is not None and sink not in sinks:
                sinks.append(sink)
        if values["console"] != "off" and "console" not in sinks:
            sinks.append("console")
        if "console" in sinks and values["console"] == "off":
            values["console"] = "pretty"
        values["sinks"] = tuple(sinks)
        if "otlp" in sinks and not values.get("otlp_endpoint"):
            raise ConfigError(
                "AGENTEL_SINKS: the otlp sink needs an endpoint; set OTEL_EXPORTER_OTLP_ENDPOINT "
                "(e.g. http://127.0.0.1:4318) or configure(otlp_endpoint=...)"
            )
        if "clickhouse" in sinks and not values.get("clickhouse_url"):
            raise ConfigError(
                "AGENTEL_SINKS: the clickhouse sink needs CLICKHOUSE_URL (protocol://user:password@host:port/database)"
            )
        return cls(**values, sources=sources)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated like arguments)."""
        for name, value in changes.items():
            _validate(_SPEC_BY_NAME[name], value, f"configure({name}=...)")
        return dataclasses.replace(self, **changes)

    @property
    def run_dir(self) -> str:
        """The folder this process's files go to: ``<dir>/<run_id>``."""
        return os.path.join(self.dir, self.run_id)


_USERINFO = re.compile(r"(//[^/@:]*:)[^/]*@")
_QUERY_SECRET = re.compile(
    r"([?&;](?:password|passwd|pwd|pass|secret|token|access_token|api_key|apikey|key)=)[^&;#]*", re.IGNORECASE
)


def hide_credentials(url: str) -> str:
    """``url`` with its password (userinfo or query parameter) replaced by ``***``, for messages.

    Works on malformed URLs too (no parsing that could fail): every error or report that quotes a
    URL setting quotes this instead.
    """
    return _QUERY_SECRET.sub(r"\1***", _USERINFO.sub(r"\1***@", str(url)))


def _validate(spec: SettingSpec, value: Any, label: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{label}: expected a finite number, got {value!r}")
    if spec.choices:
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if item not in spec.choices:
                kind = "sink" if spec.name == "sinks" else "value"
                raise ConfigError(f"{label}: unknown {kind} {item!r} (known: {', '.join(spec.choices)})")
    if spec.name == "metrics_interval_s" and (value < 0 or (0 < value < 1)):
        raise ConfigError(f"{label}: must be 0 (disabled) or at least 1 second, got {value!r}")
    if spec.name == "traces_sampler_arg" and not 0.0 <= value <= 1.0:
        raise ConfigError(f"{label}: must be a ratio between 0 and 1, got {value!r}")
    if spec.name == "prometheus_port" and value is not None and not 0 <= value <= 65535:
        raise ConfigError(f"{label}: must be a port number 0-65535 (0 = OS-chosen), got {value!r}")
    if spec.name == "max_queue_size" and value < 1:
        raise ConfigError(f"{label}: must be at least 1, got {value!r}")
    if spec.name == "alert_window_s" and value <= 0:
        raise ConfigError(f"{label}: must be a positive number of seconds, got {value!r}")
    if spec.name == "alert_thresholds":
        check_alert_thresholds(value, label)
    if spec.name == "clickhouse_timeout_s" and not 0 < value <= 3600:  # also rejects nan and inf
        raise ConfigError(f"{label}: must be a number of seconds between 0 and 3600, got {value!r}")
    if spec.name == "disk_budget_mb" and value <= 0:
        raise ConfigError(f"{label}: must be a positive number of MiB, got {value!r}")
    if spec.name == "run_id" and value and not RUN_ID.fullmatch(value):
        # the value is not quoted back: a run id may be personal (an email address)
        bad = next((c for c in value if not (c.isascii() and (c.isalnum() or c in "-_."))), None)
        if bad == "@":
            why = "it holds '@': an email address is personal data"
        elif bad is not None:
            why = f"it holds {bad!r}"
        elif len(value) > 128:
            why = f"it is {len(value)} characters"
        else:
            why = f"it starts with {value[0]!r}"
        raise ConfigError(
            f"{label}: a run id names a folder under AGENTEL_DIR: use 1-128 letters, digits, '-', '_' "
            f"and '.', starting with a letter or digit ({why})"
        )
    if spec.name == "otlp_endpoint" and value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "grpc") or not parts.hostname:
            raise ConfigError(
                f"{label}: expected a URL like http://127.0.0.1:4318, got {hide_credentials(value)!r}"
            )
    if spec.name == "clickhouse_url" and value is not None:
        shown = hide_credentials(value)  # never the password, in any message
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "tcp", "clickhouse") or not parts.hostname:
            raise ConfigError(
                f"{label}: expected protocol://user:password@host:port/database "
                f"(protocol: http, https, tcp, clickhouse), got {shown!r}"
            )
        try:
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            raise ConfigError(f"{label}: bad port in {shown!r} (expected 1-65535)") from None
        database = (parts.path or "/").strip("/") or "agentel"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", database):
            raise ConfigError(f"{label}: database {database!r}: use letters, digits and '_' (in {shown!r})")


def check_alert_thresholds(values: Mapping[str, Any], label: str) -> dict[str, float | None]:
    """Alert threshold overrides as numbers (None = rule off); names and values checked."""
    out: dict[str, float | None] = {}
    for name, raw in values.items():
        if name not in ALERT_RULES and name != "min_calls":
            raise ConfigError(
                f"{label}: unknown alert rule {name!r} (known: {', '.join(ALERT_RULES)}, min_calls)"
            )
        text = str(raw).strip().lower()
        if text in ("off", "none", "") and name != "min_calls":
            out[name] = None
            continue
        try:
            number = float(text)
        except ValueError:
            raise ConfigError(
                f"{label}: {name}={raw!r} is not a number (or 'off' to turn the rule off)"
            ) from None
        if number < 0:
            raise ConfigError(f"{label}: {name}={raw!r} must not be negative")
        out[name] = number
    return out


def render_reference() -> str:
    """The configuration reference page (docs/configuration.md), generated from ``SETTINGS``."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `agentel.config.SETTINGS` by `make docs`; a test fails when it is stale.",
        "Precedence: arguments to `agentel.configure(...)` > environment variables > defaults.",
        "",
        "| setting | environment variable(s) | default | accepted | meaning |",
        "|---|---|---|---|---|",
    ]
    for spec in SETTINGS:
        default = "random" if spec.name == "run_id" else spec.default
        if isinstance(default, tuple):
            default = ",".join(default)
        if default == {}:
            default = "(none)"
        accepted = ", ".join(spec.choices) if spec.choices else spec.parse.__name__.strip("_")
        env = ", ".join(f"`{e}`" for e in spec.env)
        lines.append(f"| `{spec.name}` | {env} | `{default}` | {accepted} | {spec.doc} |")
    lines.append("")
    return "\n".join(lines)
