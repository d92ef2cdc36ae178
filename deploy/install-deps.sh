#!/usr/bin/env bash
# Installs, from Debian's packages only, whatever Lienthong needs to build, run and
# test, and nothing that is already there. Safe to run again and again.
#
#   deploy/install-deps.sh            build + run + test dependencies
#   deploy/install-deps.sh --check    only report what is missing (exit 1 if anything is)
#
# It says which packages it installs and why. It needs root (or sudo) only when
# something is missing.
set -euo pipefail

# package  why
PACKAGES=(
  "build-essential      C compiler and make"
  "cmake                the build system"
  "pkg-config           finds the libraries below"
  "clang                libFuzzer targets and a second compiler"
  "libclang-rt-14-dev   sanitizer and fuzzer runtimes for clang"
  "librdkafka-dev       Kafka client library"
  "libprotobuf-c-dev    protobuf runtime for C"
  "protobuf-c-compiler  generates C code from proto/ at build time"
  "protobuf-compiler    Google's protoc, to check proto/ compiles for other languages"
  "libpq-dev            PostgreSQL client library"
  "libsodium-dev        Ed25519 signatures, BLAKE2b"
  "libjansson-dev       JSON"
  "libmicrohttpd-dev    HTTP server"
  "libinih-dev          configuration files"
  "libcmocka-dev        unit test framework"
  "libutf8proc-dev      Unicode normalisation of names"
  "uthash-dev           hash tables"
  "postgresql-15        the PostgreSQL server the local stack starts privately"
  "postgresql-client-15 psql"
  "openjdk-17-jre-headless  runs the Apache Kafka broker"
  "maven                fetches the Kafka broker jars"
  "kcat                 a second, independent Kafka client for checks"
  "iproute2             ss, to find free ports"
  "procps               ps and pkill-free process checks"
  "util-linux           runuser, to start PostgreSQL as a non-root user"
  "ca-certificates      TLS to the package registries"
  "nodejs               runs the independent (non-C) verifier in tests/interop"
  "perl                 small text conversions in the test scripts"
  "curl                 HTTP requests in the test scripts"
  "chromium             the headless browser of the dashboard test (tests/browser)"
)

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "install-deps: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

missing=()
for line in "${PACKAGES[@]}"; do
  pkg=${line%% *}
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
    printf 'install-deps: missing %-24s (%s)\n' "$pkg" "$(echo "${line#* }" | sed 's/^ *//')"
  fi
done

# npm comes with some Node.js builds and is a separate Debian package for others.
if ! command -v npm >/dev/null 2>&1 && [[ " ${missing[*]} " != *" npm "* ]]; then
  missing+=(npm)
  echo "install-deps: missing npm                      (installs the interop verifier's protobufjs)"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [ $check_only -eq 1 ]; then
  exit 1
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo
  else echo "install-deps: ${#missing[@]} package(s) missing and not root, no sudo: run as root: apt-get install ${missing[*]}" >&2; exit 1
  fi
fi

echo "install-deps: installing ${#missing[@]} package(s) with apt-get: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's postgresql package would create and start a "main" cluster on the
# standard port. Lienthong starts its own private cluster, so ask for none.
if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
  echo "install-deps: asking postgresql-common not to create a default cluster (create_main_cluster = false)"
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
# Package lists may be absent or stale on a new machine: refresh once.
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "install-deps: done"
