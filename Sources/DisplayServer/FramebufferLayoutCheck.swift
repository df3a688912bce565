import Display
import DisplayProtocol

/// The checks of a CreateFramebuffer that need no memory (docs/protocol.md §5.6, §10, §11):
/// format, modifier, flags for the connection's version, size, stride, and how far the layout
/// reaches. Pure, so that the server and the fuzzer's device harness (Fuzz/DeviceFuzz.swift) run
/// the same checks in the same order: sizes are bounded before anything is multiplied.
struct FramebufferLayoutCheck {
    /// Why a request was refused: the Error code and text the producer gets.
    struct Refusal: Error, Equatable {
        let code: ProtocolErrorCode
        let text: String
    }

    /// The framebuffer the request describes, and the bytes its memory must hold.
    struct Layout: Equatable {
        let descriptor: FramebufferDescriptor
        let requiredBytes: Int
    }

    let version: DisplayProtocolVersion
    let maximumSize: Int

    func check(_ request: CreateFramebufferRequest) throws(Refusal) -> Layout {
        func refusal(_ code: ProtocolErrorCode, _ text: String) -> Refusal { Refusal(code: code, text: text) }
        guard let format = FourCC(rawValue: request.format) else {
            throw refusal(.unsupportedFormat, "unknown format \"\(FourCC.name(of: request.format))\" (0x\(String(request.format, radix: 16))); supported: "
                          + FourCC.allCases.map(\.description).joined(separator: " "))
        }
        guard request.modifier == FormatModifier.linear else {
            throw refusal(.unsupportedFormat, "modifier 0x\(String(request.modifier, radix: 16)) is not linear (0)")
        }
        // §10: the copy flag is defined from version 1.1 on.
        guard request.flags.isEmpty || version.minor >= 1 else {
            throw refusal(.invalidArgument, "CreateFramebuffer flags need protocol version 1.1; this connection speaks \(version)")
        }
        guard request.width > 0, request.height > 0 else { throw refusal(.invalidArgument, "size \(request.width)x\(request.height) has no pixels") }
        guard request.width <= maximumSize, request.height <= maximumSize else {
            throw refusal(.limitExceeded, "size \(request.width)x\(request.height) exceeds \(maximumSize)x\(maximumSize)")
        }
        // §11: size >= offset + stride * (height - 1) + width * bytes per pixel; every term fits
        // in 64 bits because each factor is at most 32 bits.
        let rowBytes = UInt64(request.width) * UInt64(format.bytesPerPixel)
        guard UInt64(request.stride) >= rowBytes else {
            throw refusal(.invalidArgument, "stride \(request.stride) is smaller than width \(request.width) x \(format.bytesPerPixel) bytes")
        }
        let required = UInt64(request.offset) + UInt64(request.stride) * UInt64(request.height - 1) + rowBytes
        guard required <= UInt64(Int32.max) else {
            throw refusal(.limitExceeded, "the layout reaches \(required) bytes; at most \(Int32.max) are mapped")
        }
        let descriptor = FramebufferDescriptor(formatCode: request.format, modifier: request.modifier, width: Int(request.width),
                                               height: Int(request.height), stride: Int(request.stride), offset: Int(request.offset))
        return Layout(descriptor: descriptor, requiredBytes: Int(required))
    }
}
