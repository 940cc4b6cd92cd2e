"""OTLP/gRPC next to OTLP/HTTP: the collector services' ``Export`` over ``grpcio``.

The same path as the HTTP receiver — screen (ids, redaction), append and fsync, then answer —
so an exporter configured with ``OTEL_EXPORTER_OTLP_PROTOCOL=grpc`` gets the same durability
and the same partial-success answers. A request that cannot be made durable is answered
``UNAVAILABLE`` (exporters retry it).
"""

from __future__ import annotations

import logging
from concurrent import futures
from typing import Any

from agentel.serve.otlp import MAX_BODY_BYTES, SIGNALS, OTLPReceiver, proto_to_json

log = logging.getLogger("agentel.serve.otlp")


class OTLPGrpcServer:
    """gRPC services for traces, logs and metrics on ``host:port`` (0 = chosen by the OS)."""

    def __init__(
        self, receiver: OTLPReceiver, host: str = "127.0.0.1", port: int = 0, workers: int = 4
    ) -> None:
        import grpc
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
        from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

        self.receiver = receiver
        self.host = host
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="agentel-otlp-grpc"),
            options=[("grpc.max_receive_message_length", MAX_BODY_BYTES)],
        )

        def export(path: str) -> Any:
            signal = SIGNALS[path]

            def handler(_self: Any, request: Any, context: Any) -> Any:
                if receiver.password and not _authorized(context, receiver.password):
                    context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong credentials")
                try:
                    outcome = receiver.store(signal, proto_to_json(signal, request))
                except OSError as exc:
                    receiver.stats.add("write_failed")
                    log.error("agentel serve: cannot write OTLP data: %s", exc)
                    context.abort(grpc.StatusCode.UNAVAILABLE, f"cannot store the data ({exc}); retry later")
                return receiver.partial_success(signal, outcome)

            return handler

        services = (
            (
                trace_service_pb2_grpc.TraceServiceServicer,
                trace_service_pb2_grpc.add_TraceServiceServicer_to_server,
                "/v1/traces",
            ),
            (
                logs_service_pb2_grpc.LogsServiceServicer,
                logs_service_pb2_grpc.add_LogsServiceServicer_to_server,
                "/v1/logs",
            ),
            (
                metrics_service_pb2_grpc.MetricsServiceServicer,
                metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server,
                "/v1/metrics",
            ),
        )
        for base, add, path in services:
            servicer = type(f"_{base.__name__}", (base,), {"Export": export(path)})()
            add(servicer, self._server)
        bound = self._server.add_insecure_port(f"{'[' + host + ']' if ':' in host else host}:{port}")
        if bound == 0:
            raise OSError(98, "Address already in use")  # grpcio reports a failed bind as port 0
        self.port = bound

    @property
    def url(self) -> str:
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"http://{host}:{self.port}"

    def start(self) -> OTLPGrpcServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=2).wait(5)


def _authorized(context: Any, password: str) -> bool:
    import base64
    import secrets

    for key, value in context.invocation_metadata() or ():
        if key.lower() != "authorization":
            continue
        scheme, _, cred = str(value).partition(" ")
        if scheme.lower() == "bearer":
            return secrets.compare_digest(cred.strip(), password)
        if scheme.lower() == "basic":
            try:
                given = base64.b64decode(cred.strip()).decode("utf-8").partition(":")[2]
            except ValueError:
                return False
            return secrets.compare_digest(given, password)
    return False
