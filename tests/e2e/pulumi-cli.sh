#!/usr/bin/env bash
# Prints the directory that holds the Pulumi CLI for the end-to-end tests: `pulumi`, its Node.js
# language host `pulumi-language-nodejs` and the `pulumi-analyzer-policy` shim that starts Node.js
# policy packs.
#
# - When `pulumi` is on PATH, that installation is used; its directory must also hold the Node.js
#   language host (as every Pulumi release archive does), and, for CLIs before 3.221, the shim.
# - Otherwise Pulumi v3.68.0 is built once with the Go toolchain from the wrapper module in
#   cli-wrapper/ (through the Go module proxy) into
#   ${XDG_CACHE_HOME:-$HOME/.cache}/go-service-guard/pulumi-v3.68.0/bin, with the Go module and build
#   caches under .../go-service-guard/go. Later runs reuse the binaries.
#
# Everything this script does is reported on stderr; stdout carries only the directory.
# PULUMI_CLI_BUILD_TIMEOUT bounds each `go build` (seconds, default 1200).
set -euo pipefail

VERSION=v3.68.0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
say() { echo "pulumi-cli: $*" >&2; }
fail() { say "error: $*"; exit 1; }
NEEDED=(pulumi pulumi-language-nodejs pulumi-analyzer-policy)

complete_in() {
    local dir="$1" name
    for name in "${NEEDED[@]}"; do
        [ -x "$dir/$name" ] || return 1
    done
}

if found="$(command -v pulumi 2>/dev/null)" && [ -n "$found" ]; then
    dir="$(cd "$(dirname "$found")" && pwd)"
    if [ ! -x "$dir/pulumi-language-nodejs" ]; then
        fail "pulumi is on PATH ($found) but $dir lacks pulumi-language-nodejs; install a complete Pulumi release there, or remove pulumi from PATH to build $VERSION instead"
    fi
    if [ ! -x "$dir/pulumi-analyzer-policy" ]; then
        say "note: $dir has no pulumi-analyzer-policy; CLIs before 3.221 need it to start Node.js policy packs (newer ones start them through pulumi-language-nodejs)"
    fi
    say "using pulumi from PATH: $found ($("$dir/pulumi" version 2>/dev/null || echo 'version unknown'))"
    echo "$dir"
    exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/go-service-guard"
bin="$cache/pulumi-$VERSION/bin"

if complete_in "$bin" && [ "$("$bin/pulumi" version 2>/dev/null)" = "$VERSION" ]; then
    say "no pulumi on PATH; using the cached build of Pulumi $VERSION in $bin"
    echo "$bin"
    exit 0
fi

command -v go >/dev/null 2>&1 || fail "no pulumi on PATH and no Go toolchain to build Pulumi $VERSION; install either"
mkdir -p "$cache"
exec 9>"$cache/pulumi-$VERSION.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi
# Another run may have finished the build while this one waited for the lock.
if complete_in "$bin" && [ "$("$bin/pulumi" version 2>/dev/null)" = "$VERSION" ]; then
    say "using Pulumi $VERSION built by a concurrent run in $bin"
    echo "$bin"
    exit 0
fi

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOTOOLCHAIN=local GOFLAGS=-mod=readonly
limit="${PULUMI_CLI_BUILD_TIMEOUT:-1200}"
say "no pulumi on PATH; building Pulumi $VERSION and pulumi-language-nodejs with $(go version | cut -d' ' -f3) from the Go module proxy (${GOPROXY:-$(go env GOPROXY)})"
say "  wrapper module: $here/cli-wrapper; output: $bin; module and build caches: $cache/go"
say "  the first build downloads about 2 GB of modules and takes a few minutes; later runs reuse it"
tmp="$cache/pulumi-$VERSION/bin.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
ldflags="-X github.com/pulumi/pulumi/pkg/v3/version.Version=$VERSION -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION"
start=$(date +%s)
cd "$here/cli-wrapper"
timeout "$limit" go build -trimpath -ldflags "$ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    || fail "go build of pulumi failed or exceeded ${limit}s"
timeout "$limit" go build -trimpath -ldflags "$ldflags" -o "$tmp/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    || fail "go build of pulumi-language-nodejs failed or exceeded ${limit}s"
sdk="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
shim="$sdk/nodejs/dist/pulumi-analyzer-policy"
[ -f "$shim" ] || fail "the policy analyzer shim is not at $shim"
cp "$shim" "$tmp/pulumi-analyzer-policy"
chmod 755 "$tmp/pulumi-analyzer-policy"
[ "$("$tmp/pulumi" version)" = "$VERSION" ] || fail "the built pulumi reports $("$tmp/pulumi" version), not $VERSION"
rm -rf "$bin"
mv "$tmp" "$bin"
say "built Pulumi $VERSION in $(( $(date +%s) - start ))s: $bin"
echo "$bin"
