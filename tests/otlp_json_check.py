"""OTLP/JSON validity: a line parses with ``google.protobuf.json_format`` into its export request.

OTLP/JSON is proto3's JSON mapping with two documented differences (trace and span ids as hex, not
base64; enums may be integers); :func:`parse_request` undoes the first and parses strictly (unknown
fields refused), so a bare ``NaN`` token, an ``intValue`` beyond int64 or a misspelt field fails.

Also a pytest plugin (registered in tests/conftest.py): for the whole session every export request
agentel's OTLP-JSON encoder makes for the file sinks and the crash hook in this process is
serialized as the file writer writes it and checked, and the session fails listing the lines that
do not parse. Checking at the encoder rather than scanning temp dirs afterwards covers exactly what
agentel writes, not the corrupt files tests make on purpose (some write their own payloads through
the writer).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

_IDS = {"traceId", "spanId", "parentSpanId"}


def _ids_to_base64(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                base64.b64encode(bytes.fromhex(v)).decode()
                if k in _IDS and isinstance(v, str)
                else _ids_to_base64(v)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_ids_to_base64(x) for x in node]
    return node


def parse_request(line: str | bytes) -> Any:
    """The export request a line of OTLP/JSON holds; raises when an upstream parser would reject it."""
    from google.protobuf import json_format
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    # strict JSON first: Python's reader would accept the NaN/Infinity tokens JSON does not have
    def refuse(token: str) -> Any:
        raise ValueError(f"not JSON: bare {token}")

    doc = json.loads(line, parse_constant=refuse)
    kinds = {
        "resourceSpans": ExportTraceServiceRequest,
        "resourceLogs": ExportLogsServiceRequest,
        "resourceMetrics": ExportMetricsServiceRequest,
    }
    (key,) = [k for k in kinds if k in doc] or ["?"]
    if key == "?":
        raise ValueError("not an OTLP export request")
    return json_format.ParseDict(_ids_to_base64(doc), kinds[key](), ignore_unknown_fields=False)


_failures: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _every_written_line_is_otlp_json() -> Any:
    from agentel.sinks import files, otlp_json

    originals = {name: getattr(otlp_json, name) for name in ("encode_spans", "encode_logs", "encode_metrics")}

    def checked(encode: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            out = encode(*args, **kwargs)
            line = files._dumps(out)  # the bytes the file writer writes
            try:
                parse_request(line)
            except Exception as exc:  # noqa: BLE001 - every rejection is a finding
                _failures.append(f"{encode.__name__}: {type(exc).__name__}: {str(exc)[:200]} in {line[:300]}")
            return out

        return wrapper

    for name, fn in originals.items():
        setattr(otlp_json, name, checked(fn))  # the crash hook imports them from here when it runs
        setattr(files, name, getattr(otlp_json, name))  # the file sinks bound them at import
    yield
    for name, fn in originals.items():
        setattr(otlp_json, name, fn)
        setattr(files, name, fn)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _failures:
        import sys

        sys.stderr.write(
            f"\n{len(_failures)} line(s) agentel encoded for its files are not valid OTLP/JSON:\n"
            + "\n".join(_failures[:20])
            + "\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
