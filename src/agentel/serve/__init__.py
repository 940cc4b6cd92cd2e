"""``agentel serve``: one long-running process that owns the embedded store of an ``AGENTEL_DIR``.

Everything else is a client of it: the files applications write are loaded as they grow
(``tail``), OpenTelemetry SDKs export to its OTLP/HTTP receiver (``otlp``), the UI and the
ClickHouse HTTP interface query the one engine through a lock (``store``), and ``serve.json``
tells other processes where it is (``discovery``). ``process`` starts and stops the lot.
"""
