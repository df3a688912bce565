// libFuzzer harness: a viewer's bytes through the server's RFB handshake and session (RFC 6143
// §7.1-§7.5 and the rfbproto extensions). Any input must end in actions, never in a trap.
// Built and run by scripts/fuzz.sh; see docs/testing.md, "Fuzzing".
import Geometry
import NIOCore
import RFB

private let sessionEncodings: Set<Encoding> = [.raw, .copyRect, .rre, .hextile, .tight, .zrle]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let security: ServerSecurity = size > 1 && bytes[1] & 1 == 1 ? .vncAuthentication(verify: { response, _ in response.first == 0x42 }) : .none
    var handshake = ServerHandshakeStateMachine(security: security, challenge: Array(repeating: 7, count: 16))
    _ = handshake.start()
    // With bit 2 of the second byte set, the bytes after the first two go straight to the session,
    // which holds most of the parsing, without the fuzzer having to find a whole handshake first.
    var session: ServerSessionStateMachine?
    if size > 1, bytes[1] & 2 == 2 {
        session = ServerSessionStateMachine(framebufferSize: Size(width: 1920, height: 1080), supportedEncodings: sessionEncodings)
    }
    // The first byte picks where the rest is cut into two reads, so split messages are tried too.
    let body = session == nil ? bytes[...] : bytes[2...]
    let cut = body.startIndex + (body.isEmpty ? 0 : Int(bytes[0]) % body.count)
    for chunk in [body[..<cut], body[cut...]] {
        let buffer = ByteBuffer(bytes: chunk)
        if var live = session {
            _ = live.receive(buffer)
            session = live
            continue
        }
        for action in handshake.receive(buffer) {
            guard case .completed(_, _, let remaining) = action else { continue }
            var live = ServerSessionStateMachine(framebufferSize: Size(width: 1920, height: 1080), supportedEncodings: sessionEncodings)
            _ = live.receive(remaining)
            session = live
        }
    }
    return 0
}
