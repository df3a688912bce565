import Geometry
import NIOCore
import RFB
import CZlib
import Testing

/// Viewers that abuse the rfbproto extensions: each gets a clear log line and is disconnected, or
/// gets the error reply the spec prescribes (ExtendedDesktopSize status 3 for a layout that cannot
/// be honoured), and a viewer connected at the same time keeps being served.
struct HostileExtensionMessageTests {
    private static let startLayout = DesktopLayout(singleScreen: Size(width: 160, height: 120))

    // MARK: - Lengths over the limits

    @Test func fencePayloadOver64BytesIsRefused() async throws {
        var message = ByteBuffer()
        message.writeInteger(Fence.messageType)
        message.writeRepeatingByte(0, count: 3)
        message.writeInteger(FenceFlags.request.rawValue)
        message.writeInteger(UInt8(65))
        message.writeRepeatingByte(0xaa, count: 65)
        try await expectDisconnect(listing: [.fence], sending: message,
                                   logs: "ClientFence declares a 65-byte payload (at most 64)")
    }

    @Test func extendedClipboardOverTheLimitIsRefusedAtOnce() async throws {
        // Type 6, padding, S32 length -(2 MiB); none of the payload follows.
        var message = ByteBuffer()
        message.writeInteger(UInt8(6))
        message.writeRepeatingByte(0, count: 3)
        message.writeInteger(Int32(-(2 << 20)))
        try await expectDisconnect(listing: [.extendedClipboard], sending: message,
                                   logs: "extended ClientCutText declares 2097152 bytes (limit 1048576)")
    }

    @Test func extendedClipboardZlibBombIsRefused() async throws {
        // A provide of 50 MB of text that compresses to a few tens of kilobytes.
        let declared = 50_000_000
        var plain = [UInt8](repeating: 0, count: 4 + declared)
        plain.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(declared).bigEndian, Array.init))
        // zlib's one-shot compress2, because DeflateStream's buffer handling is slow in debug builds.
        var compressedLength = compressBound(uLong(plain.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        try #require(compress2(&compressed, &compressedLength, plain, uLong(plain.count), 9) == Z_OK)
        compressed.removeSubrange(Int(compressedLength)...)
        try #require(compressed.count < 1 << 20, "the bomb must pass the length check to test inflating")
        var message = ByteBuffer()
        message.writeInteger(UInt8(6))
        message.writeRepeatingByte(0, count: 3)
        message.writeInteger(Int32(-(4 + compressed.count)))
        message.writeInteger(ClipboardFormats.text.rawValue | ClipboardActions.provide.rawValue)
        message.writeBytes(compressed)
        try await expectDisconnect(listing: [.extendedClipboard], sending: message,
                                   logs: "extended clipboard provide inflates past the limit of 1048576 bytes")
    }

    @Test func unknownQEMUSubmessageIsRefused() async throws {
        var message = ByteBuffer()
        message.writeInteger(UInt8(255))
        message.writeInteger(UInt8(9))
        message.writeRepeatingByte(0, count: 10)
        try await expectDisconnect(listing: [.qemuExtendedKeyEvent], sending: message,
                                   logs: "unknown QEMU client submessage 9")
    }

    // MARK: - Layouts that cannot be honoured

    @Test func setDesktopSizeWithoutScreensGetsInvalidLayout() async throws {
        try await expectInvalidLayout(DesktopLayout(size: Size(width: 200, height: 100), screens: []), logs: "no screens")
    }

    @Test func setDesktopSizeOfZeroByZeroGetsInvalidLayout() async throws {
        try await expectInvalidLayout(DesktopLayout(size: Size(width: 0, height: 0), screens: [Screen(id: 0, rect: Rect(x: 0, y: 0, width: 0, height: 0))]),
                                      logs: "framebuffer size 0x0 is empty")
    }

    @Test func setDesktopSizeOfMaximumSidesGetsInvalidLayout() async throws {
        try await expectInvalidLayout(DesktopLayout(singleScreen: Size(width: 65535, height: 65535)),
                                      logs: "framebuffer size 65535x65535 exceeds 16384 on a side")
    }

    @Test func setDesktopSizeWith255ScreensGetsInvalidLayout() async throws {
        let screens = (0..<255).map { Screen(id: UInt32($0), rect: Rect(x: $0, y: 0, width: 1, height: 1)) }
        try await expectInvalidLayout(DesktopLayout(size: Size(width: 255, height: 1), screens: screens), logs: "255 screens (at most 64)")
    }

    @Test func setDesktopSizeWithScreenOutsideGetsInvalidLayout() async throws {
        let layout = DesktopLayout(size: Size(width: 200, height: 100), screens: [Screen(id: 0, rect: Rect(x: 100, y: 0, width: 150, height: 100))])
        try await expectInvalidLayout(layout, logs: "lies outside the 200x100 framebuffer")
    }

    // MARK: - Extension messages before the extension was announced

    @Test func setDesktopSizeWithoutExtendedDesktopSizeIsRefused() async throws {
        var message = ByteBuffer()
        message.writeClientMessage(.setDesktopSize(DesktopLayout(singleScreen: Size(width: 200, height: 100))))
        try await expectDisconnect(listing: [.desktopSize], sending: message,
                                   logs: "SetDesktopSize from a viewer that did not negotiate ExtendedDesktopSize")
    }

    @Test func enableContinuousUpdatesWithoutContinuousUpdatesIsRefused() async throws {
        var message = ByteBuffer()
        message.writeClientMessage(.enableContinuousUpdates(enable: true, rect: Rect(x: 0, y: 0, width: 160, height: 120)))
        try await expectDisconnect(listing: [], sending: message,
                                   logs: "EnableContinuousUpdates from a viewer that did not negotiate ContinuousUpdates")
    }

    @Test func fenceWithoutFenceIsRefused() async throws {
        var message = ByteBuffer()
        message.writeClientMessage(.fence(flags: .request, payload: [1, 2, 3]))
        try await expectDisconnect(listing: [], sending: message, logs: "ClientFence from a viewer that did not negotiate Fence")
    }

    @Test func qemuKeyEventWithoutTheExtensionIsRefused() async throws {
        var message = ByteBuffer()
        message.writeClientMessage(.qemuExtendedKeyEvent(down: true, keysym: 0x61, keycode: 0x1e))
        try await expectDisconnect(listing: [], sending: message,
                                   logs: "QEMU Extended Key Event from a viewer that did not negotiate it")
    }

    @Test func extendedClipboardWithoutTheExtensionIsReadAsLatin1() async throws {
        // Without the extension the length is unsigned: -12 declares nearly 4 GiB of Latin-1.
        var message = ByteBuffer()
        message.writeClientMessage(.extendedClientCutText(.request(.text)))
        try await expectDisconnect(listing: [], sending: message, logs: "ClientCutText declares 4294967292 bytes (limit 1048576)")
    }

    // MARK: - Helpers

    /// An offender listing `pseudoEncodings` sends `message`: it is disconnected with a log line
    /// holding `reason`, and a bystander is still served.
    private func expectDisconnect(listing pseudoEncodings: [Encoding], sending message: ByteBuffer, logs reason: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await server.connectViewerWithPicture(.listing(pseudoEncodings))
            await offender.send(message)
            #expect(await offender.waitUntilClosed(), "the offender kept its connection", sourceLocation: sourceLocation)
            #expect(await server.log.waitForLine(containing: "disconnected: \(reason)"), "log: \(server.log.lines.suffix(5))",
                    sourceLocation: sourceLocation)
            try await server.expectStillServing(bystander, sourceLocation: sourceLocation)
        }
    }

    /// An ExtendedDesktopSize viewer asks for `layout`: it gets status invalid screen layout with
    /// the current layout, keeps its connection and picture, the output keeps its size, the log
    /// says why, and a bystander is still served.
    private func expectInvalidLayout(_ layout: DesktopLayout, logs reason: String,
                                     sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            let offender = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            await offender.setDesktopSize(layout)
            #expect(await eventually(timeout: TestPatience.seconds) { !offender.desktopSizeAnswers.isEmpty },
                    "no answer to the request", sourceLocation: sourceLocation)
            #expect(offender.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout, layout: Self.startLayout)],
                    sourceLocation: sourceLocation)
            #expect(await server.log.waitForLine(containing: "asked for an invalid desktop size", reason), "log: \(server.log.lines.suffix(5))",
                    sourceLocation: sourceLocation)
            #expect(server.server.output.frame.layout == Self.startLayout, sourceLocation: sourceLocation)
            try await server.expectStillServing(bystander, sourceLocation: sourceLocation)
            #expect(await offender.waitForFramebuffer(server.source.latest), "the offender is no longer served", sourceLocation: sourceLocation)
            #expect(!offender.isClosed, sourceLocation: sourceLocation)
            #expect(bystander.layouts.allSatisfy { $0.reason == .server }, "the bystander heard of the refused request",
                    sourceLocation: sourceLocation)
        }
    }
}
