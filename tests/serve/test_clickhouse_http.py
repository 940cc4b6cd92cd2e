"""The ClickHouse HTTP interface of `agentel serve`, proven with a real client (clickhouse-connect)
and with raw HTTP where the protocol's details matter (headers, status codes, bodies).

The interface runs in-process here over an embedded store in a temp dir (LockedEngine + the HTTP
server, the pieces `agentel serve` starts); test_serve_cli_parity.py drives the real process.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import clickhouse_connect
import pytest

from agentel.serve.clickhouse_http import ClickHouseHTTPServer
from agentel.serve.store import LockedEngine
from agentel.store.engine import EmbeddedEngine

PASSWORD = "s3cret pass:word"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClickHouseHTTPServer]:
    engine = LockedEngine(EmbeddedEngine(str(tmp_path_factory.mktemp("chhttp"))))
    srv = ClickHouseHTTPServer(engine, "127.0.0.1", 0, "default", PASSWORD).start()
    engine.execute(
        "CREATE TABLE IF NOT EXISTS events (id UInt64, name String, at DateTime64(3, 'UTC'), "
        "score Float64, tags Array(String), kind LowCardinality(String), note Nullable(String)) "
        "ENGINE = MergeTree ORDER BY id"
    )
    yield srv
    srv.stop()
    engine.close()


@pytest.fixture()
def client(server: ClickHouseHTTPServer) -> Iterator[Any]:
    c = clickhouse_connect.get_client(
        host="127.0.0.1", port=server.port, username="default", password=PASSWORD, database="agentel"
    )
    c.command("TRUNCATE TABLE events")
    yield c
    c.close()


def http(
    server: ClickHouseHTTPServer,
    params: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    path: str = "/",
    auth: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    url = server.url + path + ("?" + urllib.parse.urlencode(params) if params else "")
    h = dict(headers or {})
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(f"default:{PASSWORD}".encode()).decode()
    req = urllib.request.Request(url, data=body, headers=h, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


ROWS = [
    [1, "first", dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.timezone.utc), 0.5, ["a", "b"], "x", None],
    [2, "second", dt.datetime(2026, 1, 3, tzinfo=dt.timezone.utc), 1.25, [], "y", "n"],
]
COLUMNS = ["id", "name", "at", "score", "tags", "kind", "note"]


def test_connect_reads_version_timezone_and_settings(client: Any, server: ClickHouseHTTPServer) -> None:
    assert client.server_version == server.engine.query("SELECT version()").scalar()
    assert str(client.server_tz) == "UTC"
    # clickhouse-connect learns the server's settings at connect time (system.settings)
    assert "max_threads" in client.server_settings
    assert client.query("SELECT version(), currentDatabase()").result_rows[0][1] == "agentel"


def test_insert_native_compressed_and_query_back(client: Any) -> None:
    summary = client.insert("events", ROWS, column_names=COLUMNS)  # Native format, lz4 body
    assert summary.written_rows == 2  # from X-ClickHouse-Summary
    rows = client.query("SELECT * FROM events ORDER BY id").result_rows
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] == "first" and rows[0][4] == ["a", "b"] and rows[0][6] is None
    assert rows[0][2].replace(tzinfo=dt.timezone.utc) == ROWS[0][2]
    assert rows[1][3] == 1.25 and rows[1][5] == "y" and rows[1][6] == "n"


@pytest.mark.parametrize("compress", ["lz4", "gzip", False])
def test_insert_with_each_compression_clickhouse_connect_offers(
    server: ClickHouseHTTPServer, compress: Any
) -> None:
    c = clickhouse_connect.get_client(
        host="127.0.0.1", port=server.port, password=PASSWORD, database="agentel", compress=compress
    )
    try:
        c.command("TRUNCATE TABLE events")
        c.insert("events", ROWS, column_names=COLUMNS)
        assert c.query("SELECT count(), sum(id) FROM events").result_rows == [(2, 3)]
    finally:
        c.close()


def test_query_parameters_bind_on_the_server(client: Any) -> None:
    client.insert("events", ROWS, column_names=COLUMNS)
    r = client.query(
        "SELECT name FROM events WHERE id > {low:UInt64} AND kind IN {kinds:Array(String)} ORDER BY id",
        parameters={"low": 0, "kinds": ["x", "y"]},
    )
    assert r.result_rows == [("first",), ("second",)]


def test_pandas_and_arrow_round_trip(client: Any) -> None:
    client.insert("events", ROWS, column_names=COLUMNS)
    df = client.query_df("SELECT id, name, score FROM events ORDER BY id")
    assert list(df["name"]) == ["first", "second"] and list(df["score"]) == [0.5, 1.25]
    df["id"] = df["id"] + 10
    client.insert_df("events", df)
    table = client.query_arrow("SELECT id, name FROM events WHERE id > 10 ORDER BY id")
    assert table.column("id").to_pylist() == [11, 12]
    assert table.column("name").to_pylist() == ["first", "second"]
    client.insert_arrow("events", table)  # Arrow format body
    assert client.query("SELECT count() FROM events WHERE id > 10").result_rows == [(4,)]


def test_errors_come_back_in_clickhouse_form(client: Any, server: ClickHouseHTTPServer) -> None:
    from clickhouse_connect.driver.exceptions import DatabaseError

    with pytest.raises(DatabaseError) as info:
        client.query("SELECT no_such_column FROM events")
    assert "code: 47" in str(info.value) and "UNKNOWN_IDENTIFIER" in str(info.value)
    status, headers, body = http(server, body=b"SELECT no_such_column FROM events")
    assert status == 404 and headers["X-ClickHouse-Exception-Code"] == "47"
    assert body.startswith(b"Code: 47. DB::Exception: ") and b"(UNKNOWN_IDENTIFIER) (version " in body
    status, headers, body = http(server, body=b"SELEC 1")
    assert status == 400 and headers["X-ClickHouse-Exception-Code"] == "62"
    status, headers, _ = http(server, {"max_threads": "1", "no_such_setting": "1"}, body=b"SELECT 1")
    assert status == 404 and headers["X-ClickHouse-Exception-Code"] == "115"


def test_authentication(server: ClickHouseHTTPServer) -> None:
    status, headers, body = http(server, {"query": "SELECT 1"}, auth=False)
    assert status == 403 and headers["X-ClickHouse-Exception-Code"] == "516", body
    bad = {"Authorization": "Basic " + base64.b64encode(b"default:wrong").decode()}
    assert http(server, {"query": "SELECT 1"}, headers=bad, auth=False)[0] == 403
    ok = {"X-ClickHouse-User": "default", "X-ClickHouse-Key": PASSWORD}
    assert http(server, {"query": "SELECT 1"}, headers=ok, auth=False)[2] == b"1\n"
    params = {"query": "SELECT 2", "user": "default", "password": PASSWORD}
    assert http(server, params, auth=False)[2] == b"2\n"
    # /ping needs no credentials, as on a server
    assert http(server, path="/ping", auth=False)[:1] == (200,)
    assert http(server, path="/ping", auth=False)[2] == b"Ok.\n"
    assert http(server, auth=False)[2] == b"Ok.\n"


def test_headers_formats_and_query_in_url_or_body(server: ClickHouseHTTPServer) -> None:
    status, headers, body = http(server, {"query": "SELECT 1 AS x", "default_format": "JSONEachRow"})
    assert (status, body) == (200, b'{"x":1}\n')
    assert headers["X-ClickHouse-Format"] == "JSONEachRow" and headers["X-ClickHouse-Timezone"] == "UTC"
    assert headers["X-ClickHouse-Query-Id"]
    assert set(json.loads(headers["X-ClickHouse-Summary"])) >= {"read_rows", "written_rows", "elapsed_ns"}
    # the statement's own FORMAT wins over default_format, and the header says which
    status, headers, body = http(
        server, {"default_format": "JSONEachRow", "query_id": "q-42"}, b"SELECT 2 AS y FORMAT CSVWithNames"
    )
    assert body == b'"y"\n2\n' and headers["X-ClickHouse-Format"] == "CSVWithNames"
    assert headers["X-ClickHouse-Query-Id"] == "q-42"
    # the URL's query continues in the body (ClickHouse joins them with a newline)
    assert http(server, {"query": "SELECT 3"}, b"+ 4")[2] == b"7\n"
    # param_* are query parameters
    assert http(server, {"param_n": "5"}, b"SELECT {n:UInt8} * 2")[2] == b"10\n"


def test_get_is_read_only(server: ClickHouseHTTPServer) -> None:
    status, headers, body = http(server, {"query": "CREATE TABLE nope (a UInt8) ENGINE = Memory"})
    assert headers["X-ClickHouse-Exception-Code"] == "164" and b"READONLY" in body
    assert status == 500


def test_insert_format_with_data_in_the_body_or_after_the_query(server: ClickHouseHTTPServer) -> None:
    http(server, body=b"TRUNCATE TABLE events")
    rows = (
        b'{"id":7,"name":"seven","at":"2026-01-01 00:00:00","score":7,"tags":["t"],"kind":"k","note":null}\n'
    )
    status, headers, _ = http(server, {"query": "INSERT INTO events FORMAT JSONEachRow"}, rows)
    assert status == 200 and json.loads(headers["X-ClickHouse-Summary"])["written_rows"] == "1"
    # the whole request in the body: statement, newline, data
    status, _, _ = http(server, body=b"INSERT INTO events (id, name) FORMAT CSV\n8,eight\n9,nine\n")
    assert status == 200
    # a gzip body, as curl --compressed / clickhouse-go send it
    gz = gzip.compress(b"INSERT INTO events (id, name) FORMAT TSV\n10\tten\n")
    assert http(server, body=gz, headers={"Content-Encoding": "gzip"})[0] == 200
    status, _, body = http(server, body=b"x", headers={"Content-Encoding": "snappy"})
    assert status == 415 and b"snappy" in body
    # VALUES stays SQL
    assert http(server, body=b"INSERT INTO events (id, name) VALUES (11, 'FORMAT CSV')")[0] == 200
    out = http(server, {"query": "SELECT id, name FROM events ORDER BY id FORMAT TSV"})[2]
    assert out == b"7\tseven\n8\teight\n9\tnine\n10\tten\n11\tFORMAT CSV\n"
    # bad data: a parse error with the engine's code and a 4xx/5xx status, the store unharmed
    status, headers, _ = http(server, {"query": "INSERT INTO events (id) FORMAT CSV"}, b"not-a-number\n")
    assert status >= 400 and headers["X-ClickHouse-Exception-Code"] not in ("", "0")
    assert http(server, {"query": "SELECT count() FROM events"})[2] == b"5\n"


def test_native_block_compression_in_request_bodies(server: ClickHouseHTTPServer) -> None:
    """decompress=1: ClickHouse's own framing (checksum, method, sizes) as clickhouse-go sends it."""
    import lz4.block

    http(server, body=b"TRUNCATE TABLE events")
    data = b"21,twenty-one\n22,twenty-two\n"
    payload = lz4.block.compress(data, store_size=False)
    block = (
        bytes(16)
        + bytes([0x82])
        + (len(payload) + 9).to_bytes(4, "little")
        + len(data).to_bytes(4, "little")
        + payload
    )
    status, _, body = http(
        server, {"query": "INSERT INTO events (id, name) FORMAT CSV", "decompress": "1"}, block
    )
    assert status == 200, body
    assert http(server, {"query": "SELECT sum(id) FROM events"})[2] == b"43\n"


def test_settings_apply_to_one_request_only(server: ClickHouseHTTPServer) -> None:
    q = b"SELECT toUInt64(12345678901) AS n FORMAT JSONEachRow"
    quoted = http(server, {"output_format_json_quote_64bit_integers": "1"}, q)[2]
    plain = http(server, {"output_format_json_quote_64bit_integers": "0"}, q)[2]
    assert quoted == b'{"n":"12345678901"}\n' and plain == b'{"n":12345678901}\n'
    # the store's own callers (loader, UI) see the session's settings, not a client's
    assert http(server, {"output_format_json_quote_64bit_integers": "1"}, q)[2] == quoted
    assert server.engine.query_raw(q.decode(), "JSONEachRow") == plain  # the engine's default: 0
    assert http(server, {"output_format_json_quote_64bit_integers": "1"}, q)[2] == quoted
    default = http(server, body=q)[2]
    assert default == plain
    assert http(server, body=q)[2] == default  # nothing stuck from the requests before
    assert http(server, {"max_threads": "1"}, b"SELECT getSetting('max_threads')")[2] == b"1\n"
    assert http(server, body=b"SELECT getSetting('max_threads')")[2] != b"1\n"
    # a SET statement over HTTP (no session) changes nothing for anybody
    assert http(server, body=b"SET max_threads = 1")[0] == 200
    assert http(server, body=b"SELECT getSetting('max_threads')")[2] != b"1\n"


def test_database_parameter(server: ClickHouseHTTPServer) -> None:
    assert http(server, {"database": "system"}, b"SELECT currentDatabase()")[2] == b"system\n"
    assert http(server, body=b"SELECT currentDatabase()")[2] == b"agentel\n"
    status, headers, _ = http(server, {"database": "nowhere"}, b"SELECT 1")
    assert status == 404 and headers["X-ClickHouse-Exception-Code"] == "81"


def test_concurrent_clients_are_served_one_at_a_time_without_errors(server: ClickHouseHTTPServer) -> None:
    import concurrent.futures

    def one(i: int) -> bytes:
        return http(server, {"param_i": str(i)}, b"SELECT {i:UInt32} + count() FROM numbers(1000)")[2]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(64)))
    assert results == [f"{i + 1000}\n".encode() for i in range(64)]


def test_stop_frees_the_port(server: ClickHouseHTTPServer) -> None:
    srv = ClickHouseHTTPServer(server.engine, "127.0.0.1", 0).start()
    port = srv.port
    assert http(srv, path="/ping", auth=False)[2] == b"Ok.\n"
    srv.stop()
    again = ClickHouseHTTPServer(server.engine, "127.0.0.1", port).start()  # the port is free again
    assert http(again, {"query": "SELECT 1", "user": "default"}, auth=False)[2] == b"1\n"
    again.stop()


def test_cityhash128_matches_the_checksums_the_engine_writes(server: ClickHouseHTTPServer) -> None:
    """The response frames for compress=1 carry CityHash128 v1.0.2 checksums: ours must agree with
    the engine's own, on every compressed block of its data files (short and long inputs)."""
    import glob
    import struct

    from agentel.serve.ch_native import cityhash128, frame

    http(
        server, body=b"CREATE TABLE IF NOT EXISTS hashed (id UInt64, s String) ENGINE = MergeTree ORDER BY id"
    )
    http(
        server,
        body=b"INSERT INTO hashed SELECT number, repeat(toString(number), number % 50) FROM numbers(5000)",
    )
    http(server, body=b"INSERT INTO hashed VALUES (1, 'x')")
    checked = sizes = 0
    seen: set[int] = set()
    for path in glob.glob(f"{server.engine.path}/store/*/*/*/*.bin"):
        data = Path(path).read_bytes()
        pos = 0
        while pos + 25 <= len(data):
            lo, hi = struct.unpack_from("<QQ", data, pos)
            size = struct.unpack_from("<I", data, pos + 17)[0]
            body = data[pos + 16 : pos + 16 + size]
            assert cityhash128(body) == (lo, hi), f"{path} at {pos}"
            checked += 1
            seen.add(min(size // 128, 3))
            pos += 16 + size
    sizes = len(seen)
    assert checked > 10 and sizes >= 2, (checked, seen)  # under and over 128 bytes
    # and a frame we write reads back with lz4
    import lz4.block

    f = frame(b"hello " * 100)
    assert lz4.block.decompress(f[25:], uncompressed_size=600) == b"hello " * 100
    assert cityhash128(f[16:]) == struct.unpack_from("<QQ", f, 0)
