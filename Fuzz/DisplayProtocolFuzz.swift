// libFuzzer harness: a producer's bytes through the display protocol's decoder on the server side
// (docs/protocol.md). Any input must end in messages or a decoding error, never in a trap.
// Built and run by scripts/fuzz.sh; see docs/testing.md, "Fuzzing".
import DisplayProtocol
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The first byte picks where the input is cut into two reads, so split messages are tried too;
    // the second how many (fake) fds came with it, so fd-carrying messages are decoded as well.
    let cut = size == 0 ? 0 : Int(bytes[0]) % size
    var decoder = DisplayMessageDecoder<ClientToServerMessage>()
    if size > 1 { decoder.appendFDs((0..<Int(bytes[1] % 4)).map { _ in Int32(-1) }) }
    for chunk in [bytes[..<cut], bytes[cut...]] {
        decoder.append(chunk)
        do {
            while try decoder.next() != nil {}
        } catch {
            return 0
        }
    }
    try? decoder.finish()
    return 0
}
