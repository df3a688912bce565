import Display
import DisplayProtocol
@testable import DisplayServer
import Testing

/// CreateFramebuffer's checks that need no memory (docs/protocol.md §5.6, §11), without a socket.
struct FramebufferLayoutCheckTests {
    let check = FramebufferLayoutCheck(version: DisplayProtocolVersion(major: 1, minor: 2), maximumSize: 256)
    let xr24 = FourCC.xrgb8888.rawValue

    @Test func aLayoutReachesOffsetPlusStrideRowsPlusOneRow() throws {
        let layout = try check.check(CreateFramebufferRequest(format: xr24, width: 32, height: 16, stride: 200, offset: 8, memoryKind: .sharedMemory, fd: -1))
        #expect(layout.requiredBytes == 8 + 200 * 15 + 32 * 4)
        #expect(layout.descriptor == FramebufferDescriptor(formatCode: xr24, width: 32, height: 16, stride: 200, offset: 8))
    }

    /// The fuzzer's device harness once multiplied these itself and overflowed: the size is
    /// refused first, so nothing large is multiplied.
    @Test func hugeSizesAreRefusedBeforeAnythingIsMultiplied() {
        let request = CreateFramebufferRequest(format: xr24, width: 32, height: 0xff00_0010, stride: 0xfeff_ffff, offset: 0x00ff_ffff,
                                               memoryKind: .sharedMemory, fd: -1)
        #expect(throws: FramebufferLayoutCheck.Refusal(code: .limitExceeded, text: "size 32x4278190096 exceeds 256x256")) {
            try check.check(request)
        }
    }

    @Test func aLayoutPastTwoGibibytesIsRefused() {
        let wide = FramebufferLayoutCheck(version: DisplayProtocolVersion(major: 1, minor: 2), maximumSize: 16384)
        let request = CreateFramebufferRequest(format: xr24, width: 16, height: 16384, stride: 0x0100_0000, memoryKind: .sharedMemory, fd: -1)
        #expect(throws: FramebufferLayoutCheck.Refusal(code: .limitExceeded, text: "the layout reaches \(0x0100_0000 * 16383 + 64) bytes; at most 2147483647 are mapped")) {
            try wide.check(request)
        }
    }

    @Test func theCopyFlagNeedsVersionOnePointOne() {
        let old = FramebufferLayoutCheck(version: DisplayProtocolVersion(major: 1, minor: 0), maximumSize: 256)
        let request = CreateFramebufferRequest(format: xr24, width: 8, height: 8, stride: 32, memoryKind: .sharedMemory, flags: .copy, fd: -1)
        #expect((try? old.check(request)) == nil)
        #expect((try? check.check(request)) != nil)
    }
}
