// libFuzzer harness: a server's bytes through Porthole's RFB client (`porthole snapshot` and the
// tests' viewer): handshake, ServerInit, and updates in every encoding it decodes (RFC 6143 §7.6,
// rfbproto). Any input must end in actions or a closed session, never in a trap.
// Built and run by scripts/fuzz.sh; see docs/testing.md, "Fuzzing".
import NIOCore
import RFBClient

/// Small limits keep each run fast; the checks against them are the same code as at full size.
private let configuration = ClientConfiguration(
    password: Array("secret".utf8),
    limits: ClientLimits(maximumReasonLength: 256, maximumNameLength: 256, maximumCutTextLength: 4096,
                         maximumFramebufferPixels: 256 * 256, maximumCursorPixels: 64 * 64))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var client = ClientStateMachine(configuration: configuration, decoders: DecoderRegistry.all())
    // The first byte picks where the rest is cut into two reads, so split messages are tried too.
    let body = bytes[min(1, size)...]
    let cut = body.startIndex + (body.isEmpty ? 0 : Int(bytes[0]) % body.count)
    for chunk in [body[..<cut], body[cut...]] {
        _ = client.receive(ByteBuffer(bytes: chunk))
    }
    return 0
}
