#!/usr/bin/env bash
# Installs Docker Compose v2+ (the `docker compose` CLI plugin), which the deploy tests use for
# `docker compose config`. Debian's repositories only carry the old Python docker-compose 1.x, so
# the plugin is built from its Go module (github.com/docker/compose/v5) fetched through the Go
# module proxy, cached outside the clone, and linked into ~/.docker/cli-plugins.
# Idempotent: a no-op when `docker compose` already works or the cached build exists.
#
# Usage: scripts/install-compose-plugin.sh [--print-path]
set -euo pipefail

COMPOSE_MODULE=github.com/docker/compose/v5
COMPOSE_VERSION=v5.6.0   # needs Go >= 1.26.8

cache_root="${AGENTEL_CACHE:-$HOME/.cache/agentel}"
binary="$cache_root/tools/compose-$COMPOSE_VERSION/docker-compose"
plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

if [ "${1:-}" = "--print-path" ]; then
  echo "$binary"
  exit 0
fi

link() {
  if command -v docker >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
    mkdir -p "$plugins"
    ln -sfn "$binary" "$plugins/docker-compose"
  fi
}

if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 && [ ! -x "$binary" ]; then
  exit 0  # the machine already has a compose plugin
fi
if [ -x "$binary" ]; then
  link
  exit 0
fi

go_bin="$(command -v go || true)"
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; } || true
if [ -z "$go_bin" ]; then
  echo "install-compose-plugin: no Go toolchain found (need Go >= 1.26.8)" >&2
  exit 1
fi
export GOPROXY="${AGENTEL_GOPROXY:-$("$go_bin" env GOPROXY | tr ',|' '\n\n' | grep -v '^direct$' | grep -v '^off$' | paste -sd, -)}"
export GOTOOLCHAIN=local
export GOMODCACHE="${GOMODCACHE:-$cache_root/collector/go/mod}"
export GOCACHE="${GOCACHE:-$cache_root/collector/go/build}"
export GOFLAGS="-mod=mod"

mkdir -p "$cache_root/tools"
exec 9>"$cache_root/tools/.compose.lock"
flock 9
if [ -x "$binary" ]; then link; exit 0; fi

work="$(mktemp -d "$cache_root/tools/.compose-XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
# `go install module/cmd@version` refuses modules whose go.mod has exclude directives (compose's
# has), so build inside the downloaded module, as its own main module.
(cd "$work" && "$go_bin" mod init tmp >/dev/null 2>&1)
src="$(cd "$work" && "$go_bin" mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
cp -r "$src" "$work/src" && chmod -R u+w "$work/src"
echo "install-compose-plugin: building docker compose $COMPOSE_VERSION" >&2
(cd "$work/src" && "$go_bin" build -trimpath \
  -ldflags "-s -w -X $COMPOSE_MODULE/internal.Version=$COMPOSE_VERSION" -o "$work/docker-compose" ./cmd)
mkdir -p "$(dirname "$binary")"
mv "$work/docker-compose" "$binary"
link
echo "$binary"
