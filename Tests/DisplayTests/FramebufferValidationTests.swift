import Testing
import Geometry
@testable import Display

/// Framebuffer layouts are checked against their memory when they are added (KMS ADDFB2).
struct FramebufferValidationTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        let descriptor: FramebufferDescriptor
        let memoryBytes: Int
        let expected: DisplayError
        var testDescription: String { name }
    }

    static let id = FramebufferID(7)
    static let rows: [Row] = [
        Row(name: "unknown format", descriptor: FramebufferDescriptor(formatCode: FourCC.code("YUYV"), width: 4, height: 4, stride: 16),
            memoryBytes: 64, expected: .unknownFormat(id, code: FourCC.code("YUYV"))),
        Row(name: "tiled modifier", descriptor: FramebufferDescriptor(formatCode: FourCC.xrgb8888.rawValue, modifier: 1, width: 4, height: 4, stride: 16),
            memoryBytes: 64, expected: .unsupportedModifier(id, modifier: 1)),
        Row(name: "zero width", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 0, height: 4),
            memoryBytes: 64, expected: .emptyFramebuffer(id, width: 0, height: 4)),
        Row(name: "larger than 16384", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 16385, height: 1),
            memoryBytes: 16385 * 4, expected: .framebufferTooLarge(id, width: 16385, height: 1, maximum: 16384)),
        Row(name: "negative offset", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 4, height: 4, offset: -4),
            memoryBytes: 64, expected: .negativeOffset(id, offset: -4)),
        Row(name: "stride smaller than a row", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 40, height: 2, stride: 100),
            memoryBytes: 1000, expected: .strideTooSmall(id, stride: 100, width: 40, bytesPerPixel: 4)),
        Row(name: "memory too small for stride x height", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 4, height: 4, stride: 32),
            memoryBytes: 100, expected: .memoryTooSmall(id, needed: 112, available: 100)),
        Row(name: "offset pushes past the end", descriptor: FramebufferDescriptor(format: .rgb565, width: 4, height: 2, offset: 10),
            memoryBytes: 16, expected: .memoryTooSmall(id, needed: 26, available: 16)),
        Row(name: "huge stride cannot overflow", descriptor: FramebufferDescriptor(format: .xrgb8888, width: 4, height: 16384, stride: Int.max / 2),
            memoryBytes: 64, expected: .memoryTooSmall(id, needed: Int.max / 2, available: 64)),
    ]

    @Test(arguments: rows) func refused(_ row: Row) {
        #expect(throws: row.expected) {
            try row.descriptor.validate(as: Self.id, memoryByteCount: row.memoryBytes, maximumSize: 16384)
        }
    }

    @Test func exactFitIsAccepted() throws {
        // The last row needs only width * bpp bytes, not a whole stride.
        try FramebufferDescriptor(format: .xrgb8888, width: 4, height: 4, stride: 32, offset: 8)
            .validate(as: Self.id, memoryByteCount: 8 + 32 * 3 + 16, maximumSize: 16384)
    }

    @Test func messagesNameTheObjectAndTheNumbers() {
        #expect(DisplayError.strideTooSmall(Self.id, stride: 100, width: 40, bytesPerPixel: 4).description
                == "framebuffer 7: stride 100 is smaller than width 40 x 4 bytes")
        #expect(DisplayError.unknownFormat(Self.id, code: FourCC.code("YUYV")).description.hasPrefix("framebuffer 7: unknown format \"YUYV\""))
        #expect(DisplayError.noSuchPlane(PlaneID(3)).description == "no such plane 3")
    }

    @Test func fourccCodesMatchDRM() {
        #expect(FourCC.xrgb8888.rawValue == FourCC.code("XR24"))
        #expect(FourCC.argb8888.rawValue == FourCC.code("AR24"))
        #expect(FourCC.xbgr8888.rawValue == FourCC.code("XB24"))
        #expect(FourCC.abgr8888.rawValue == FourCC.code("AB24"))
        #expect(FourCC.rgb565.rawValue == FourCC.code("RG16"))
        #expect(FourCC.rgb565.description == "RG16")
    }

    @Test func deviceEnforcesItsFramebufferLimit() throws {
        var limits = DeviceLimits()
        limits.maximumFramebuffersPerClient = 2
        var rig = Rig(limits: limits)
        _ = rig.addFramebufferA()
        #expect(throws: DisplayError.tooManyFramebuffers(rig.producerA, maximum: 2)) {
            try rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 1, height: 1),
                                          memory: ByteArrayMemory(byteCount: 4), by: rig.producerA)
        }
    }
}
