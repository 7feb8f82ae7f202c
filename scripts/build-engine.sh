#!/usr/bin/env bash
# Build the Pulumi engine (CLI + Python language host) from the Go module proxy.
#
# The binaries are cached outside the repository, keyed by version:
#   $W365_CACHE_DIR/engine/<cli-version>/bin/{pulumi,pulumi-language-python,
#                                              pulumi-language-python-exec,
#                                              pulumi-resource-pulumi-python}
# A second run finds them and returns at once.
#
# Usage: scripts/build-engine.sh [--locate]   (--locate: print the cached bin dir, never build)
#
# Versions:
# - CLI: the release of github.com/pulumi/pulumi/pkg/v3 that matches the installed
#   `pulumi` wheel, or, when the proxy does not serve that release, the nearest newer one
#   (the engine is never older than the SDK).
# - Python language host: since v3.80 it lives in its own module
#   (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which the module
#   proxy here does not serve at any version (403). Until v3.79.0 it was a package of
#   github.com/pulumi/pulumi/sdk/v3, and that module is served, so the host is built from
#   the newest sdk/v3 release that still contains it. W365_LANGHOST_SDK overrides it.
# - The launcher scripts (pulumi-language-python-exec, pulumi-resource-pulumi-python) come
#   from the sdk/v3 module at the CLI's version.
set -euo pipefail

PYTHON=$(realpath -s "${PYTHON:-.venv/bin/python}")
CACHE=${W365_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/w365-pulumi}
LANGHOST_SDK=${W365_LANGHOST_SDK:-v3.79.0}
export GOFLAGS=-mod=mod
export GOTOOLCHAIN=${GOTOOLCHAIN:-local}

log() { printf 'build-engine: %s\n' "$*" >&"${LOGFD:-2}"; }

wheel_version=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("pulumi"))')
want="v$wheel_version"

# The CLI version: the wheel's release if served, else the nearest newer served release.
pick_cli_version() {
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && go mod init example.invalid/probe >/dev/null 2>&1)
  if (cd "$tmp" && go list -m "github.com/pulumi/pulumi/pkg/v3@$want" >/dev/null 2>&1); then
    echo "$want"; rm -rf "$tmp"; return
  fi
  local listed
  listed=$(cd "$tmp" && go list -m -versions github.com/pulumi/pulumi/pkg/v3 | tr ' ' '\n' | grep '^v3\.')
  rm -rf "$tmp"
  printf '%s\n%s\n' "$want" "$listed" | sort -V | awk -v w="$want" 'found {print; exit} $0==w {found=1}'
}

cached=$( (ls -d "$CACHE"/engine/v*/bin 2>/dev/null || true) | sort -V | while read -r d; do
  v=$(basename "$(dirname "$d")")
  if [ "$(printf '%s\n%s\n' "$want" "$v" | sort -V | head -1)" = "$want" ] && [ -x "$d/pulumi" ] \
     && [ -x "$d/pulumi-language-python" ] && [ -f "$d/.complete" ]; then echo "$d"; break; fi
done)
if [ -n "$cached" ]; then
  [ "${1:-}" = "--locate" ] || log "engine for pulumi $wheel_version cached at $cached"
  echo "$cached"
  exit 0
fi
if [ "${1:-}" = "--locate" ]; then
  log "no engine for pulumi $wheel_version in $CACHE/engine; run 'make setup' first"
  exit 1
fi

cli=$(pick_cli_version)
[ -n "$cli" ] || { log "no release of github.com/pulumi/pulumi/pkg/v3 >= $want is served by the Go module proxy"; exit 1; }
log "pulumi wheel $wheel_version; building CLI $cli and language host (sdk/v3 $LANGHOST_SDK)"
out="$CACHE/engine/$cli/bin"
work="$CACHE/engine/$cli/build"
rm -rf "$out" "$work"
mkdir -p "$out" "$work/cli" "$work/langhost"
start=$(date +%s)
golog="$CACHE/engine/$cli/go.log"
log "module downloads and compiler output go to $golog"
exec 3>&2 2>>"$golog"
LOGFD=3

# --- CLI -----------------------------------------------------------------------------
pkgmod=$(cd "$work/cli" && go mod init example.invalid/pulumi-cli >/dev/null 2>&1 \
  && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$cli" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
gover=$(awk '/^go /{print $2; exit}' "$pkgmod")
# Copy the replaces of pkg/v3's and sdk/v3's go.mod, except the local ../sdk one.
replaces=$(grep -hE '^replace ' "$pkgmod" | grep -v '=> \.' || true)
sdkmod=$(cd "$work/cli" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$cli" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')
replaces="$replaces
$(grep -hE '^replace ' "$sdkmod" | grep -v '=> \.' || true)"
cat > "$work/cli/go.mod" <<MOD
module example.invalid/pulumi-cli

go $gover

require (
	github.com/pulumi/pulumi/pkg/v3 $cli
	github.com/pulumi/pulumi/sdk/v3 $cli
)

$(printf '%s\n' "$replaces" | sort -u)
MOD
cat > "$work/cli/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
(cd "$work/cli" && go mod tidy >/dev/null && \
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli" \
    -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
log "CLI built in $(( $(date +%s) - start ))s"

# --- Python language host ------------------------------------------------------------
lstart=$(date +%s)
cat > "$work/langhost/go.mod" <<MOD
module example.invalid/pulumi-language-python

go $gover

require github.com/pulumi/pulumi/sdk/v3 $LANGHOST_SDK
MOD
cat > "$work/langhost/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python"
GO
(cd "$work/langhost" && go mod tidy >/dev/null && \
  go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$LANGHOST_SDK" \
    -o "$out/pulumi-language-python" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python)
log "language host built in $(( $(date +%s) - lstart ))s"

# --- launcher scripts, from the sdk/v3 module at the CLI's version ----------------------
sdkdir=$(cd "$work/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$out/"
install -m 0755 "$sdkdir/python/dist/pulumi-resource-pulumi-python" "$out/"
rm -rf "$work"
printf 'cli=%s\nlanguage_host_sdk=%s\nwheel=%s\nbuild_seconds=%s\n' \
  "$cli" "$LANGHOST_SDK" "$wheel_version" "$(( $(date +%s) - start ))" > "$out/.complete"
log "engine ready in $out ($(( $(date +%s) - start ))s)"
echo "$out"
