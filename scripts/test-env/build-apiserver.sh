#!/usr/bin/env bash
# Builds kube-apiserver from Debian's `kubernetes` source package (bookworm) once and caches the
# binary, and installs the other test servers (etcd). Safe to re-run: a cached binary is reused.
#
#   scripts/test-env/build-apiserver.sh        # prints the path of the binary on its last line
#
# Cache: ${KUBERATOR_TEST_CACHE:-~/.cache/kuberator-test}/kube-apiserver-<version>
set -euo pipefail

CACHE="${KUBERATOR_TEST_CACHE:-$HOME/.cache/kuberator-test}"
VERSION="1.20.2"
BIN="$CACHE/kube-apiserver-$VERSION"
mkdir -p "$CACHE"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_packages=()
command -v etcd >/dev/null || need_packages+=(etcd-server)
command -v openssl >/dev/null || need_packages+=(openssl)
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || need_packages+=(golang-go)
  command -v rsync >/dev/null || need_packages+=(rsync)
  command -v dpkg-source >/dev/null || need_packages+=(dpkg-dev)
fi

if [ ! -x "$BIN" ] && ! grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  as_root tee /etc/apt/sources.list.d/kuberator-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

# Building needs fresh source indices; stdout carries only the binary's path, so apt writes to stderr.
if [ ${#need_packages[@]} -gt 0 ] || [ ! -x "$BIN" ]; then
  as_root apt-get update -qq >&2
  if [ ${#need_packages[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >&2
  fi
fi

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

work="$(mktemp -d "$CACHE/build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "downloading the kubernetes source package…" >&2
apt-get source --download-only kubernetes >&2
dsc="$(ls kubernetes_*.dsc | head -n1)"
dpkg-source --no-check -x "$dsc" src >&2
cd src
echo "building kube-apiserver (several minutes)…" >&2
make WHAT=cmd/kube-apiserver >&2
built="$(find _output -type f -name kube-apiserver -perm -u+x | head -n1)"
[ -n "$built" ] || { echo "kube-apiserver was not built" >&2; exit 1; }
cp "$built" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
"$BIN" --version >&2
echo "$BIN"
