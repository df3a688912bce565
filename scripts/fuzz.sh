#!/bin/bash
# Fuzzes the parsers that read a peer's bytes, with libFuzzer (docs/testing.md, "Fuzzing"):
#   rfb-server        a viewer's bytes: RFB handshake and session (Fuzz/RFBServerFuzz.swift)
#   display-protocol  a producer's bytes: the display protocol's decoder (Fuzz/DisplayProtocolFuzz.swift)
#   rfb-client        a server's bytes: Porthole's RFB client and its decoders (Fuzz/RFBClientFuzz.swift)
#   device            a producer's requests through the display device's model and composer (Fuzz/DeviceFuzz.swift)
#   png               a file's bytes: PNG reading for `serve --image` (Fuzz/PNGFuzz.swift)
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     (default: 60 seconds each, every harness)
#
# The libraries are built with coverage and AddressSanitizer into .build-fuzz (SwiftPM builds
# them; a harness is linked with swiftc, since an executable target would bring its own main).
# Each harness keeps its corpus in .build-fuzz/corpus/HARNESS, begun from Fuzz/seeds/HARNESS
# (hand-made valid inputs, so the fuzzer starts past the handshake); a crash leaves the input in
# .build-fuzz/crashes/ and the script fails. Inputs that once crashed belong in a unit test.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}; shift || true
harnesses=${*:-"rfb-server display-protocol rfb-client device png"}
cd "$root"
build=.build-fuzz
flags=(-Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
for target in RFB DisplayProtocol RFBClient DisplayServer Capture; do swift build --build-path "$build" --target "$target" "${flags[@]}" >&2; done
debug="$build/debug"

# Everything a harness imports, directly or not: the objects of every target built above (the
# build holds only them and their dependencies), and the module maps of the C targets among them.
objects=()
while IFS= read -r -d '' object; do objects+=("$object"); done < <(find -L "$debug" -path '*.build/*' -name '*.o' -print0)
maps=()
while IFS= read -r -d '' map; do maps+=(-Xcc "-fmodule-map-file=$map"); done < <(
    find -L "$debug" -maxdepth 2 -name module.modulemap -print0
    find "$build/checkouts/swift-atomics/Sources" "$build/checkouts/swift-nio/Sources" Sources -name module.modulemap -print0)

status=0
for harness in $harnesses; do
    case $harness in
        rfb-server) source=Fuzz/RFBServerFuzz.swift ;;
        display-protocol) source=Fuzz/DisplayProtocolFuzz.swift ;;
        rfb-client) source=Fuzz/RFBClientFuzz.swift ;;
        device) source=Fuzz/DeviceFuzz.swift ;;
        png) source=Fuzz/PNGFuzz.swift ;;
        *) echo "unknown harness: $harness" >&2; exit 2 ;;
    esac
    binary="$build/fuzz-$harness"
    swiftc -sanitize=fuzzer,address -parse-as-library -I "$debug/Modules" "${maps[@]}" "$source" "${objects[@]}" -lz -ldeflate -lturbojpeg -lcrypto -lpng16 -o "$binary" \
        2> >(grep -v "Cannot export local symbol '__asan" >&2)  # gold's notes on ASan's local helpers
    mkdir -p "$build/corpus/$harness" "$build/crashes"
    echo "== $harness: $seconds s" >&2
    "$binary" -max_total_time="$seconds" -max_len=4096 -artifact_prefix="$build/crashes/$harness-" "$build/corpus/$harness" \
        $( [ -d "Fuzz/seeds/$harness" ] && echo "Fuzz/seeds/$harness") 2>"$build/fuzz-$harness.log" || { status=1; echo "$harness: found a crash; see $build/fuzz-$harness.log" >&2; }
    tail -3 "$build/fuzz-$harness.log" >&2
done
exit $status
