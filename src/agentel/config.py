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
import typing
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


#: where files, the embedded store and spills live unless AGENTEL_DIR says otherwise
DEFAULT_DIR = ".agentel"


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
    """One row of the configuration table, derived from a :class:`Settings` field: its name, type,
    environment variables (first wins), parser, validator, default and doc."""

    name: str
    env: tuple[str, ...]
    parse: Callable[[str, str], Any]
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    check: Callable[[Any, str], None] | None = None
    type: str = "str"


def setting(
    default: Any,
    env: str | tuple[str, ...],
    *,
    parse: Callable[[str, str], Any],
    doc: str,
    choices: tuple[str, ...] = (),
    check: Callable[[Any, str], None] | None = None,
) -> Any:
    """Declare one setting as a :class:`Settings` field: the field's annotation is its type, and
    this is the rest of its row in the configuration table (env vars, parser, validator, doc)."""
    meta = {"env": (env,) if isinstance(env, str) else tuple(env), "parse": parse, "doc": doc}
    meta.update(choices=choices, check=check)
    if isinstance(default, dict):
        return field(default_factory=dict, metadata=meta)
    return field(default=default, metadata=meta)


#: what a run id may be: it names the run's folder under AGENTEL_DIR (no '/', no '..')
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _default_run_id() -> str:
    return uuid.uuid4().hex[:16]


# --- validators (value already parsed; ``label`` names the variable or argument) --------------


def _check_interval(value: float, label: str) -> None:
    if value < 0 or (0 < value < 1):
        raise ConfigError(f"{label}: must be 0 (disabled) or at least 1 second, got {value!r}")


def _check_ratio(value: float, label: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{label}: must be a ratio between 0 and 1, got {value!r}")


def _check_port(value: int | None, label: str) -> None:
    if value is not None and not 0 <= value <= 65535:
        raise ConfigError(f"{label}: must be a port number 0-65535 (0 = OS-chosen), got {value!r}")


def _check_at_least_1(value: int, label: str) -> None:
    if value < 1:
        raise ConfigError(f"{label}: must be at least 1, got {value!r}")


def _check_positive_seconds(value: float, label: str) -> None:
    if value <= 0:
        raise ConfigError(f"{label}: must be a positive number of seconds, got {value!r}")


def _check_thresholds(value: Mapping[str, Any], label: str) -> None:
    check_alert_thresholds(value, label)


def _check_timeout(value: float, label: str) -> None:
    if not 0 < value <= 3600:  # also rejects nan and inf
        raise ConfigError(f"{label}: must be a number of seconds between 0 and 3600, got {value!r}")


def _check_positive_mib(value: int, label: str) -> None:
    if value <= 0:
        raise ConfigError(f"{label}: must be a positive number of MiB, got {value!r}")


def _check_not_negative(value: int | None, label: str) -> None:
    if value is not None and value < 0:
        raise ConfigError(f"{label}: expected 0 or more, got {value!r}")


def _check_run_id(value: str, label: str) -> None:
    if value and not RUN_ID.fullmatch(value):
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


def _check_otlp_endpoint(value: str | None, label: str) -> None:
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https", "grpc") or not parts.hostname:
            raise ConfigError(
                f"{label}: expected a URL like http://127.0.0.1:4318, got {hide_credentials(value)!r}"
            )


def _check_clickhouse_url(value: str | None, label: str) -> None:
    if value is None:
        return
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


@dataclass(frozen=True)
class Settings:
    """The settings in force, and the configuration table itself: each field is one setting —
    its annotation the type, its :func:`setting` row the environment variable(s), parser,
    validator, default and doc. ``SETTINGS``, parsing, error messages, ``configure()``'s keyword
    arguments (checked by a test) and docs/reference/configuration.md all derive from it.
    Build with :meth:`Settings.load`.
    """

    service_name: str | None = setting(
        None,
        "OTEL_SERVICE_NAME",
        parse=_str,
        doc="Service name on every record (default: the program's name).",
    )
    resource_attributes: Mapping[str, str] = setting(
        {},
        "OTEL_RESOURCE_ATTRIBUTES",
        parse=_kv,
        doc="Extra resource attributes, `k=v,k2=v2`.",
    )
    dir: str = setting(
        DEFAULT_DIR,
        "AGENTEL_DIR",
        parse=_str,
        doc="Where files, the embedded store and spills live.",
    )
    run_id: str = setting(
        "",
        "AGENTEL_RUN_ID",
        parse=_str,
        check=_check_run_id,
        doc="This process's run id (resource attribute `agentel.run_id`, names its file folder); random when unset.",
    )
    sinks: tuple[str, ...] = setting(
        ("files",),
        "AGENTEL_SINKS",
        parse=_list,
        choices=KNOWN_SINKS,
        doc="Comma-separated sinks.",
    )
    console: str = setting(
        "off",
        "AGENTEL_CONSOLE",
        parse=_str,
        choices=CONSOLE_MODES,
        doc="Console rendering on stderr.",
    )
    log_level: str = setting(
        "info",
        "AGENTEL_LOG_LEVEL",
        parse=_str,
        choices=LOG_LEVELS,
        doc="Lowest severity bridged from logging and shown on the console.",
    )
    capture_content: bool = setting(
        True,
        "AGENTEL_CAPTURE_CONTENT",
        parse=_bool,
        doc="Record prompts and completions, always through the redactor (off: not recorded). Set, it "
        "wins over OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT; unset, that one's false/NO_CONTENT turns capture off.",
    )
    genai_capture_message_content: str | None = setting(
        None,
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        parse=_capture_mode,
        choices=GENAI_CAPTURE_MODES,
        doc="Where GenAI message content goes when captured (true = SPAN_AND_EVENT; false/NO_CONTENT = off unless AGENTEL_CAPTURE_CONTENT=on); an explicit AGENTEL_CAPTURE_CONTENT wins.",
    )
    prices_file: str | None = setting(
        None,
        "AGENTEL_PRICES_FILE",
        parse=_str,
        doc="TOML/JSON/YAML file of per-model price overrides (USD per million tokens), see docs/cost.md.",
    )
    redaction_strict: bool = setting(
        False,
        "AGENTEL_REDACTION_STRICT",
        parse=_bool,
        doc="Fail closed: drop any record that breaks a redaction rule.",
    )
    redaction_strict_action: str = setting(
        "report",
        "AGENTEL_REDACTION_STRICT_ACTION",
        parse=_str,
        choices=("report", "raise"),
        doc="Strict mode: report a dropped record (log once per rule, count) or raise into the caller.",
    )
    redaction_policy: Any = setting(
        None,
        "AGENTEL_REDACTION_POLICY",
        parse=_str,
        doc="Path of a TOML/YAML redaction policy file (or an `agentel.redaction.Policy` passed to configure()); default: the built-in policy.",
    )
    metrics_interval_s: float = setting(
        10.0,
        "AGENTEL_METRICS_INTERVAL_S",
        parse=_float,
        check=_check_interval,
        doc="Seconds between metric exports (and alert evaluations); 0 disables periodic export.",
    )
    strict_events: bool = setting(
        False,
        "AGENTEL_STRICT_EVENTS",
        parse=_bool,
        doc="Reject unregistered event names instead of counting them.",
    )
    bridge_logging: bool = setting(
        True,
        "AGENTEL_BRIDGE_LOGGING",
        parse=_bool,
        doc="Bridge stdlib logging into OTel log records.",
    )
    propagate_threads: bool = setting(
        True,
        "AGENTEL_PROPAGATE_THREADS",
        parse=_bool,
        doc="Carry the current context into threads and thread pools.",
    )
    otlp_endpoint: str | None = setting(
        None,
        ("AGENTEL_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
        parse=_str,
        check=_check_otlp_endpoint,
        doc="OTLP endpoint; setting it enables the otlp sink.",
    )
    otlp_protocol: str = setting(
        "http/protobuf",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        parse=_str,
        choices=OTLP_PROTOCOLS,
        doc="OTLP protocol.",
    )
    otlp_headers: Mapping[str, str] = setting(
        {},
        "OTEL_EXPORTER_OTLP_HEADERS",
        parse=_kv,
        doc="OTLP headers, `k=v,k2=v2`.",
    )
    clickhouse_url: str | None = setting(
        None,
        "CLICKHOUSE_URL",
        parse=_str,
        check=_check_clickhouse_url,
        doc="ClickHouse server `protocol://user:password@host:port/database`; setting it enables the clickhouse sink.",
    )
    prometheus_port: int | None = setting(
        None,
        "AGENTEL_PROMETHEUS_PORT",
        parse=_int,
        check=_check_port,
        doc="Port of the Prometheus scrape endpoint (0 = OS-chosen); enables the prometheus sink.",
    )
    traces_sampler: str = setting(
        "parentbased_always_on",
        "OTEL_TRACES_SAMPLER",
        parse=_str,
        choices=SAMPLERS,
        doc="Trace sampler.",
    )
    traces_sampler_arg: float = setting(
        1.0,
        "OTEL_TRACES_SAMPLER_ARG",
        parse=_float,
        check=_check_ratio,
        doc="Sampler argument (ratio for *traceidratio).",
    )
    max_queue_size: int = setting(
        8192,
        ("AGENTEL_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_QUEUE_SIZE"),
        parse=_int,
        check=_check_at_least_1,
        doc="Records buffered per sink before new ones are dropped (and counted).",
    )
    flush: str = setting(
        "batch",
        "AGENTEL_FLUSH",
        parse=_str,
        choices=("batch", "sync"),
        doc="When the files sink writes: `batch` (every second; a kill -9 loses up to the last second) or `sync` (each span and log record written before the call returns; docs/reliability.md).",
    )
    clickhouse_timeout_s: float = setting(
        5.0,
        "AGENTEL_CLICKHOUSE_TIMEOUT_S",
        parse=_float,
        check=_check_timeout,
        doc="ClickHouse sink: connect and request timeout, seconds; also the longest force_flush/shutdown wait for the server before the batch goes to the spill (docs/reliability.md).",
    )
    disk_budget_mb: int = setting(
        2048,
        "AGENTEL_DISK_BUDGET_MB",
        parse=_int,
        check=_check_positive_mib,
        doc="Disk budget for spills and the embedded store, MiB.",
    )
    alerts: bool = setting(
        False,
        "AGENTEL_ALERTS",
        parse=_bool,
        doc="Run the alert monitor from configure() to shutdown(): rules judged every metrics interval (docs/alerts.md).",
    )
    alert_window_s: float = setting(
        300.0,
        "AGENTEL_ALERT_WINDOW_S",
        parse=_float,
        check=_check_positive_seconds,
        doc="Length of the rolling window alert rules judge, seconds (docs/alerts.md).",
    )
    alert_thresholds: Mapping[str, str] = setting(
        {},
        "AGENTEL_ALERT_THRESHOLDS",
        parse=_kv,
        check=_check_thresholds,
        doc="Alert thresholds replacing the defaults, `error_rate=0.3,cost=off,min_calls=10` (rules in docs/alerts.md).",
    )
    ttl_days: int | None = setting(
        None,
        "AGENTEL_TTL_DAYS",
        parse=_int,
        check=_check_not_negative,
        doc="Days the store keeps data (table TTL); unset: 30, and existing tables keep theirs.",
    )
    no_serve: bool = setting(
        False,
        "AGENTEL_NO_SERVE",
        parse=_bool,
        doc="Commands open the store files themselves instead of reaching a running `agentel serve`.",
    )
    serve_password: str | None = setting(
        None,
        "AGENTEL_SERVE_PASSWORD",
        parse=_str,
        doc="Password `agentel serve` asks of clients off loopback (the UI, the OTLP receiver, the ClickHouse interface); a secret, never printed.",
    )
    redaction_hash_key: str | None = setting(
        None,
        "AGENTEL_REDACTION_HASH_KEY",
        parse=_str,
        doc="Key of the redactor's keyed hash (`hash` action; the policy may name another variable); a secret, never printed. Unset: a random key per process.",
    )
    raise_internal_errors: bool = setting(
        False,
        "AGENTEL_RAISE_INTERNAL_ERRORS",
        parse=_bool,
        doc="Re-raise agentel's internal errors instead of counting them (tests, debugging); read once at import.",
    )
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
        # Content is captured by default (through the redactor). Precedence: AGENTEL_CAPTURE_CONTENT
        # (or the argument) when set; else the standard GenAI switch, whose false/NO_CONTENT turns
        # capture off (any other mode says where content goes); else on.
        mode = values.get("genai_capture_message_content")
        if sources.get("capture_content") == "default" and mode is not None:
            values["capture_content"] = mode != "NO_CONTENT"
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


def _type_name(t: Any) -> str:
    return (
        t.__name__ if isinstance(t, type) else str(t).replace("typing.", "").replace("collections.abc.", "")
    )


def _table() -> tuple[SettingSpec, ...]:
    hints = typing.get_type_hints(Settings)
    rows = []
    for f in dataclasses.fields(Settings):
        if "env" not in f.metadata:
            continue
        default = {} if f.default_factory is not dataclasses.MISSING else f.default
        rows.append(
            SettingSpec(
                f.name,
                f.metadata["env"],
                f.metadata["parse"],
                _default_run_id if f.name == "run_id" else default,
                f.metadata["doc"],
                f.metadata["choices"],
                f.metadata["check"],
                _type_name(hints[f.name]),
            )
        )
    return tuple(rows)


#: the configuration table, one row per setting, in declaration order (derived from Settings)
SETTINGS: tuple[SettingSpec, ...] = _table()
_SPEC_BY_NAME = {s.name: s for s in SETTINGS}


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


def resolve(name: str, env: Mapping[str, str] | None = None) -> tuple[Any, str]:
    """One setting from the environment, parsed and checked as the table says: (value, source).

    For code that needs one value without the whole :class:`Settings` (the store's commands);
    the source is the variable that gave it, or "default".
    """
    spec = _SPEC_BY_NAME[name]
    env = os.environ if env is None else env
    for var in spec.env:
        raw = env.get(var)
        if raw is not None and raw != "":
            value = spec.parse(raw, var)
            _validate(spec, value, var)
            return value, var
    return (spec.default() if callable(spec.default) else spec.default), "default"


def _validate(spec: SettingSpec, value: Any, label: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{label}: expected a finite number, got {value!r}")
    if spec.choices:
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            if item not in spec.choices:
                kind = "sink" if spec.name == "sinks" else "value"
                raise ConfigError(f"{label}: unknown {kind} {item!r} (known: {', '.join(spec.choices)})")
    if spec.check is not None:
        spec.check(value, label)


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
    """The configuration reference page (docs/reference/configuration.md), generated from ``SETTINGS``."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from the `agentel.config.Settings` table by `make docs`; a test fails when it is stale,",
        "and another when the source reads an `AGENTEL_*` variable this page does not list.",
        "Precedence: keyword arguments of `agentel.configure(...)` > environment variables > defaults.",
        "",
        "| setting | environment variable(s) | type | default | accepted | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for spec in SETTINGS:
        default = "random" if spec.name == "run_id" else spec.default
        if isinstance(default, tuple):
            default = ",".join(default)
        if default == {}:
            default = "(none)"
        accepted = ", ".join(spec.choices) if spec.choices else spec.parse.__name__.strip("_")
        env = ", ".join(f"`{e}`" for e in spec.env)
        kind = spec.type.replace("|", "\\|")
        lines.append(f"| `{spec.name}` | {env} | `{kind}` | `{default}` | {accepted} | {spec.doc} |")
    lines.append("")
    return "\n".join(lines)
