#!/usr/bin/env bash
# The contract compiles with Google's protoc (Debian protobuf-compiler) for
# other languages, with warnings as errors, and with protobuf-c as the build
# uses it. Agencies not writing C rely on this.
#   protoc_compat.sh PROTO_DIR
set -euo pipefail
proto=$1
out=$(mktemp -d "${TMPDIR:-/tmp}/lt-protoc-XXXXXX")
trap 'rm -rf "$out"' EXIT
files=$(cd "$proto" && ls lienthong/v1/*.proto)
mkdir -p "$out/cpp" "$out/py" "$out/java" "$out/c"
(cd "$proto" && protoc --fatal_warnings -I. --cpp_out="$out/cpp" --python_out="$out/py" \
   --java_out="$out/java" $files)
(cd "$proto" && protoc-c -I. --c_out="$out/c" $files)
n=$(find "$out/cpp" -name '*.pb.cc' | wc -l)
[ "$n" -eq "$(echo "$files" | wc -w)" ] || { echo "FAIL: protoc made $n C++ files" >&2; exit 1; }
# Google's decoder reads our known-answer bytes (tests/golden/kat) too.
kat=$(cd "$(dirname "$0")/../golden/kat" && pwd)
for f in "$kat"/*.event.hex; do
  txt=$(perl -ne 'chomp; print pack("H*", $_)' "$f" | (cd "$proto" && protoc --decode lienthong.v1.Event -I. lienthong/v1/event.proto))
  grep -q <<<"$txt" 'agency_code: "' || { echo "FAIL: protoc could not decode $f" >&2; exit 1; }
  env=${f%.event.hex}.envelope.hex
  perl -ne 'chomp; print pack("H*", $_)' "$env" | (cd "$proto" && protoc --decode lienthong.v1.SignedEvent -I. lienthong/v1/envelope.proto) \
    | grep -q 'envelope_version: 1' || { echo "FAIL: protoc could not decode $env" >&2; exit 1; }
done
echo "protoc $(protoc --version | cut -d' ' -f2) and protoc-c compiled: $(echo $files); protoc decoded every known answer"
echo "1 passed, 0 failed"
