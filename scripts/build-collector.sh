#!/usr/bin/env bash
# Builds agentel's OpenTelemetry Collector distribution from collector-config/builder-config.yaml
# with ocb, into a cache directory OUTSIDE the clone keyed by the manifest's sha256:
#
#   ${AGENTEL_CACHE:-$HOME/.cache/agentel}/collector/<sha256 of manifest>/agentel-otelcol
#
# A second run with the same manifest is a no-op (prints the path); any edit of the manifest
# builds a new binary next to the old one. Go modules come only from the Go module proxy
# (GOPROXY without `direct`; checksums verified through the proxy's sumdb endpoint).
#
# Usage: scripts/build-collector.sh [--print-path]   (--print-path: print where the binary is or
# will be, build nothing; exit 0 either way)
set -euo pipefail

# v0.161 rather than v0.159: the module proxy refuses the contrib clickhouseexporter v0.159.0 zip
# ("This module version is not available"; the checksum database has no record of it either);
# v0.161.0 is the nearest release where every module of the manifest downloads and verifies.
BUILDER_VERSION=v0.161.0
MIN_GO=1.26

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="${AGENTEL_COLLECTOR_MANIFEST:-$here/collector-config/builder-config.yaml}"
cache_root="${AGENTEL_CACHE:-$HOME/.cache/agentel}/collector"
key="$(sha256sum "$manifest" | cut -d' ' -f1)"
out_dir="$cache_root/$key"
binary="$out_dir/agentel-otelcol"

if [ "${1:-}" = "--print-path" ]; then
  echo "$binary"
  exit 0
fi

if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

go_bin="$(command -v go || true)"
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
if [ -z "$go_bin" ]; then
  echo "build-collector: no Go toolchain found (need Go >= $MIN_GO on PATH or at /usr/local/go/bin/go)" >&2
  exit 1
fi
go_version="$("$go_bin" env GOVERSION | sed 's/^go//')"
if [ "$(printf '%s\n%s\n' "$MIN_GO" "$go_version" | sort -V | head -1)" != "$MIN_GO" ]; then
  echo "build-collector: Go $go_version is too old for ocb $BUILDER_VERSION (need >= $MIN_GO)" >&2
  exit 1
fi

# Only the Go module proxy: no `direct` fallback to VCS hosts, no toolchain switching.
# The machine's configured proxy list, with any `direct` entry removed.
export GOPROXY="${AGENTEL_GOPROXY:-$("$go_bin" env GOPROXY | tr ',|' '\n\n' | grep -v '^direct$' | grep -v '^off$' | paste -sd, -)}"
export GOTOOLCHAIN=local
# Checksums are verified against Go's checksum database, read through the proxy.
export GOFLAGS="${GOFLAGS:-} -mod=mod"
# Go's caches live in the agentel cache too (unless the caller chose their own), so that a cold
# build is reproducible and `rm -rf` of one directory frees everything.
export GOMODCACHE="${GOMODCACHE:-$cache_root/go/mod}"
export GOCACHE="${GOCACHE:-$cache_root/go/build}"
export PATH="$(dirname "$go_bin"):$PATH"
# Two cores on the CI machines: two parallel compile jobs, and a soft memory limit per compiler
# process so the link step of a ~150 MB binary does not starve the rest of the box.
export GOMAXPROCS="${GOMAXPROCS:-2}"
export GOMEMLIMIT="${GOMEMLIMIT:-3GiB}"

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9  # a concurrent `make collector` waits for the first build instead of racing it
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

builder="$cache_root/tools/builder-$BUILDER_VERSION/builder"
if [ ! -x "$builder" ]; then
  echo "build-collector: installing ocb $BUILDER_VERSION" >&2
  GOBIN="$(dirname "$builder")" "$go_bin" install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"
fi

work="$(mktemp -d "$cache_root/.build-XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp "$manifest" "$work/builder-config.yaml"
start=$(date +%s)
echo "build-collector: building $(basename "$binary") (manifest $key) in $work" >&2
(cd "$work" && "$builder" --config builder-config.yaml >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  echo "build-collector: ocb failed (full log above, last 40 lines)" >&2
  exit 1
}
mkdir -p "$out_dir.tmp"
cp "$work/_build/agentel-otelcol" "$out_dir.tmp/agentel-otelcol"
cp "$manifest" "$out_dir.tmp/builder-config.yaml"
rm -rf "$out_dir"
mv "$out_dir.tmp" "$out_dir"  # appears complete or not at all
echo "build-collector: built in $(( $(date +%s) - start ))s, $(du -h "$binary" | cut -f1)" >&2
echo "$binary"
