"""ClickHouse's native compression framing and the bits of its Native format that HTTP clients
with ``compress=1`` / ``client_protocol_version`` (clickhouse-go — the collector's exporter)
expect from a server.

A compressed frame is ``checksum(16) method(1) compressed_size(4) raw_size(4) payload``, the
checksum being CityHash128 (the v1.0.2 variant ClickHouse bundles) over everything after it.
Clients verify it, so the server computes it: a pure-Python CityHash128, fast enough for what
an exporter reads back (a handshake, a table description); bulk data flows the other way.
"""

from __future__ import annotations

import struct

_M64 = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_K3 = 0xC949D7C7509E6557
_KMUL = 0x9DDFEA08EB382D69

METHOD_NONE = 0x02
METHOD_LZ4 = 0x82
METHOD_ZSTD = 0x90


def _f64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 8], "little")


def _f32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i : i + 4], "little")


def _rot(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M64


def _rot1(v: int, shift: int) -> int:
    return ((v >> shift) | (v << (64 - shift))) & _M64


def _smix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int) -> int:
    a = ((u ^ v) * _KMUL) & _M64
    a ^= a >> 47
    b = ((v ^ a) * _KMUL) & _M64
    b ^= b >> 47
    return (b * _KMUL) & _M64


def _len0to16(s: bytes, off: int, n: int) -> int:
    if n > 8:
        a = _f64(s, off)
        b = _f64(s, off + n - 8)
        return _len16(a, _rot1((b + n) & _M64, n)) ^ b
    if n >= 4:
        a = _f32(s, off)
        return _len16((n + (a << 3)) & _M64, _f32(s, off + n - 4))
    if n > 0:
        a, b, c = s[off], s[off + (n >> 1)], s[off + n - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (n + (c << 2)) & 0xFFFFFFFF
        return (_smix(((y * _K2) ^ (z * _K3)) & _M64) * _K2) & _M64
    return _K2


def _murmur(s: bytes, off: int, n: int, lo: int, hi: int) -> tuple[int, int]:
    a, b = lo, hi
    rest = n - 16
    if rest <= 0:
        a = (_smix((a * _K1) & _M64) * _K1) & _M64
        c = (b * _K1 + _len0to16(s, off, n)) & _M64
        d = _smix((a + (_f64(s, off) if n >= 8 else c)) & _M64)
    else:
        c = _len16((_f64(s, off + n - 8) + _K1) & _M64, a)
        d = _len16((b + n) & _M64, (c + _f64(s, off + n - 16)) & _M64)
        a = (a + d) & _M64
        while True:
            a ^= (_smix((_f64(s, off) * _K1) & _M64) * _K1) & _M64
            a = (a * _K1) & _M64
            b ^= a
            c ^= (_smix((_f64(s, off + 8) * _K1) & _M64) * _K1) & _M64
            c = (c * _K1) & _M64
            d ^= c
            off += 16
            rest -= 16
            if rest <= 0:
                break
    a = _len16(a, c)
    b = _len16(d, b)
    return a ^ b, _len16(b, a)


def _weak32(s: bytes, off: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _f64(s, off), _f64(s, off + 8), _f64(s, off + 16), _f64(s, off + 24)
    a = (a + w) & _M64
    b = _rot((b + a + z) & _M64, 21)
    c = a
    a = (a + x + y) & _M64
    b = (b + _rot(a, 44)) & _M64
    return (a + z) & _M64, (b + c) & _M64


def _with_seed(s: bytes, off: int, n: int, lo: int, hi: int) -> tuple[int, int]:
    if n < 128:
        return _murmur(s, off, n, lo, hi)
    x, y, z = lo, hi, (n * _K1) & _M64
    v0 = (_rot(y ^ _K1, 49) * _K1 + _f64(s, off)) & _M64
    v1 = (_rot(v0, 42) * _K1 + _f64(s, off + 8)) & _M64
    w0 = (_rot((y + z) & _M64, 35) * _K1 + x) & _M64
    w1 = (_rot((x + _f64(s, off + 88)) & _M64, 53) * _K1) & _M64
    while True:
        for _ in range(2):
            x = (_rot((x + y + v0 + _f64(s, off + 16)) & _M64, 37) * _K1) & _M64
            y = (_rot((y + v1 + _f64(s, off + 48)) & _M64, 42) * _K1) & _M64
            x ^= w1
            y ^= v0
            z = _rot(z ^ w0, 33)
            v0, v1 = _weak32(s, off, (v1 * _K1) & _M64, (x + w0) & _M64)
            w0, w1 = _weak32(s, off + 32, (z + w1) & _M64, y)
            z, x = x, z
            off += 64
        n -= 128
        if n < 128:
            break
    y = (y + _rot(w0, 37) * _K0 + z) & _M64
    x = (x + _rot((v0 + z) & _M64, 49) * _K0) & _M64
    done = 0
    while done < n:
        done += 32
        y = (_rot((y - x) & _M64, 42) * _K0 + v1) & _M64
        w0 = (w0 + _f64(s, off + n - done + 16)) & _M64
        x = (_rot(x, 49) * _K0 + w0) & _M64
        w0 = (w0 + v0) & _M64
        v0, v1 = _weak32(s, off + n - done, v0, v1)
    x = _len16(x, v0)
    y = _len16(y, w0)
    return (_len16((x + v1) & _M64, w1) + y) & _M64, _len16((x + w1) & _M64, (y + v1) & _M64)


def cityhash128(data: bytes) -> tuple[int, int]:
    """CityHash128 v1.0.2 of ``data`` as (low, high) 64-bit halves, as ClickHouse computes it."""
    n = len(data)
    if n >= 16:
        return _with_seed(data, 16, n - 16, _f64(data, 0) ^ _K3, _f64(data, 8))
    if n >= 8:
        return _with_seed(b"", 0, 0, _f64(data, 0) ^ ((n * _K0) & _M64), _f64(data, n - 8) ^ _K1)
    return _with_seed(data, 0, n, _K0, _K1)


def frame(data: bytes, method: int = METHOD_LZ4) -> bytes:
    """``data`` as one of ClickHouse's compressed frames (lz4, or stored when method is NONE)."""
    if method == METHOD_LZ4:
        import lz4.block

        payload = lz4.block.compress(data, store_size=False)
    else:
        method, payload = METHOD_NONE, data
    body = struct.pack("<BII", method, len(payload) + 9, len(data)) + payload
    lo, hi = cityhash128(body)
    return struct.pack("<QQ", lo, hi) + body


def compress_frames(data: bytes, method: int = METHOD_LZ4, size: int = 1 << 20) -> bytes:
    """``data`` cut into frames of at most ``size`` bytes (ClickHouse uses 1 MiB)."""
    if not data:
        return b""
    return b"".join(frame(data[i : i + size], method) for i in range(0, len(data), size))


# first protocol revision whose Native blocks carry a serialization-kind byte per column
_REVISION_WITH_CUSTOM_SERIALIZATION = 54454


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(text: str) -> bytes:
    raw = text.encode()
    return _uvarint(len(raw)) + raw


_FIXED = {"UInt8": "<B", "UInt16": "<H", "UInt32": "<I", "UInt64": "<Q", "Int32": "<i", "Int64": "<q"}


def native_block(columns: list[tuple[str, str, list[object]]], revision: int = 0) -> bytes:
    """One Native block of String/integer columns, as a server writes it for a client that
    announced protocol ``revision`` (0: the plain HTTP Native format)."""
    rows = len(columns[0][2]) if columns else 0
    out = bytearray()
    if revision > 0:  # block info: field 1 is_overflows=false, field 2 bucket_num=-1, end
        out += b"\x01\x00\x02" + struct.pack("<i", -1) + b"\x00"
    out += _uvarint(len(columns)) + _uvarint(rows)
    for name, typ, values in columns:
        out += _string(name) + _string(typ)
        if revision >= _REVISION_WITH_CUSTOM_SERIALIZATION:
            out += b"\x00"
        for value in values:
            out += _string(str(value)) if typ == "String" else struct.pack(_FIXED[typ], int(value))  # type: ignore[call-overload]
    return bytes(out)
