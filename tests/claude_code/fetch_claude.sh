#!/usr/bin/env bash
# fetch_claude.sh VERSION [DEST]
#
# Fetch the real Claude Code CLI from the npm registry and print the path of its binary (the only
# thing this script writes to stdout; progress goes to stderr).
#
#   VERSION  a Claude Code version such as 2.1.332, or "latest" (asks the registry)
#   DEST     the cache folder; default $REALCC_CACHE, else <repo>/.cache/claude (git-ignored)
#
# Copied from the realcc kit for taskboard's own tests (tests/claude_code/conftest.py runs it).
#
# The npm package @anthropic-ai/claude-code is only a small wrapper. The CLI itself is a
# Bun-compiled executable in a platform package, @anthropic-ai/claude-code-<os>-<arch>[-musl]
# (about 170 MB to download, about 400 MB unpacked). This script fetches that package with
# `npm pack` (no install scripts run, npm's own cache is kept out of the way), unpacks it to
# DEST/claude-VERSION-<os>-<arch>[-musl]/package/claude, checks that `claude --version` says
# VERSION, and prints the path. A binary already in DEST is checked and reused.
#
# Needs: npm (and a route to its registry) the first time; tar. Linux (glibc or musl) and macOS.
set -euo pipefail

die() { echo "fetch_claude: $*" >&2; exit 1; }

version=${1:-}
[ -n "$version" ] || die "usage: fetch_claude.sh VERSION [DEST]"
repo=$(cd "$(dirname "$0")/../.." && pwd)
dest=${2:-${REALCC_CACHE:-$repo/.cache/claude}}

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "unsupported OS $(uname -s) (linux and macOS only)" ;;
esac
case "$(uname -m)" in
  x86_64|amd64) arch=x64 ;;
  aarch64|arm64) arch=arm64 ;;
  *) die "unsupported CPU $(uname -m)" ;;
esac
libc=""
if [ "$os" = linux ]; then
  if ls /lib/ld-musl-* >/dev/null 2>&1 || (ldd --version 2>&1 | grep -qi musl); then libc="-musl"; fi
fi

if [ "$version" = latest ]; then
  command -v npm >/dev/null || die "npm is needed to ask the registry for the latest version"
  version=$(npm view @anthropic-ai/claude-code version 2>/dev/null) || die "npm view @anthropic-ai/claude-code failed"
  [ -n "$version" ] || die "the registry gave no version"
fi
case "$version" in
  *[!0-9A-Za-z.+-]*) die "odd version '$version'" ;;
esac

pkg="@anthropic-ai/claude-code-${os}-${arch}${libc}"
dir="$dest/claude-${version}-${os}-${arch}${libc}"
bin="$dir/package/claude"

# Run the binary only to ask its version, away from the user's own Claude settings.
says_version() {
  local scratch out
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/fetch-claude.XXXXXX")
  out=$(env HOME="$scratch" CLAUDE_CONFIG_DIR="$scratch/config" DISABLE_AUTOUPDATER=1 \
        DISABLE_TELEMETRY=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 \
        "$1" --version 2>/dev/null </dev/null | awk 'NR==1{print $1}') || true
  rm -rf "$scratch"
  printf '%s' "$out"
}

if [ -x "$bin" ]; then
  got=$(says_version "$bin")
  if [ "$got" = "$version" ]; then
    echo "$bin"
    exit 0
  fi
  echo "fetch_claude: cached $bin says '$got', not $version; fetching again" >&2
fi

command -v npm >/dev/null || die "npm is needed to fetch ${pkg}@${version}"
command -v tar >/dev/null || die "tar is needed"
mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch-${version}.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch_claude: fetching ${pkg}@${version} (about 170 MB) into $dest" >&2
if ! (cd "$tmp" && npm pack --loglevel=error --cache "$tmp/npm-cache" "${pkg}@${version}" >pack.log 2>&1); then
  die "npm pack ${pkg}@${version} failed: $(tail -3 "$tmp/pack.log" 2>/dev/null)"
fi
tgz=$(ls "$tmp"/*.tgz 2>/dev/null | head -1)
[ -n "$tgz" ] || die "npm pack produced no tarball: $(tail -3 "$tmp/pack.log")"
mkdir -p "$tmp/out"
tar xzf "$tgz" -C "$tmp/out" || die "could not unpack $tgz"
rm -rf "$tgz" "$tmp/npm-cache"
[ -f "$tmp/out/package/claude" ] || die "no package/claude in ${pkg}@${version}: $(ls "$tmp/out/package" | tr '\n' ' ')"
chmod +x "$tmp/out/package/claude"
got=$(says_version "$tmp/out/package/claude")
[ "$got" = "$version" ] || die "the fetched binary says '$got', expected $version"
rm -rf "$dir"
mv "$tmp/out" "$dir" 2>/dev/null || [ -x "$bin" ] || die "could not move the binary into $dir"
echo "$bin"
