import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import Testing

/// Viewers that send what RFC 6143 §7.5 does not allow: each is disconnected with a log line that
/// says why (or its request is repaired where the spec tolerates it), and a viewer connected at
/// the same time, as well as viewers connecting afterwards, notice nothing.
struct HostileMessageTests {
    /// Also with the viewers on a thread of their own (`SocketViewerTransport`).
    @Test(arguments: [false, true])
    func unknownMessageTypeDisconnectsOnlyThatViewer(viewersOnOwnThread: Bool) async throws {
        try await TestServer.with(viewersOnOwnThread: viewersOnOwnThread) { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await TestViewer.connect(to: server.address)
            await offender.send(ByteBuffer(bytes: [0x7f]))
            #expect(await offender.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: unknown client message type 127"))
            try await server.expectStillServing(bystander)
        }
    }

    @Test func truncatedMessageThenCloseIsJustADisconnect() async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await RawTestClient.connect(to: server.address)
            try await offender.handshakeWithoutSecurity()
            var halfMessage = ByteBuffer()
            halfMessage.writeClientMessage(.setPixelFormat(.rgb565))
            await offender.send(Array(halfMessage.readableBytesView.prefix(10)))
            await offender.close()
            #expect(await server.log.waitForLine(
                containing: "disconnected: the viewer closed the connection in the middle of a message (10 bytes of a SetPixelFormat arrived)"))
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })
            try await server.expectStillServing(bystander)
            #expect(server.log.lines(containing: "warning").isEmpty && server.log.lines(containing: "error").isEmpty)
        }
    }

    @Test func messageSplitAcrossPacketsIsReassembled() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.requestsAutomatically = false
            let viewer = try await TestViewer.connect(to: server.address, options: options)
            let setPixelFormat = try await viewer.switchPixelFormat(.rgb565)
            await viewer.send(setPixelFormat.getSlice(at: setPixelFormat.readerIndex, length: 10)!)
            await pause(0.2)
            await viewer.send(setPixelFormat.getSlice(at: setPixelFormat.readerIndex + 10, length: setPixelFormat.readableBytes - 10)!)
            await viewer.requestUpdate(incremental: false)
            #expect(await viewer.waitForFramebuffer(TestImages.quantized(server.source.latest, to: .rgb565)))
            #expect(!viewer.isClosed)
            #expect(server.log.lines(containing: "disconnected").isEmpty)
        }
    }

    @Test func hugeClientCutTextIsRefusedAtOnce() async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await TestViewer.connect(to: server.address)
            // RFC 6143 §7.5.6 header declaring 4 GiB - 1 of text; none of the text follows.
            await offender.send(ByteBuffer(bytes: [6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))
            #expect(await offender.waitUntilClosed(timeout: 10), "the server waited for the declared text")
            #expect(await server.log.waitForLine(containing: "disconnected: ClientCutText declares 4294967295 bytes (limit 1048576)"))
            try await server.expectStillServing(bystander)
        }
    }

    @Test func setEncodingsWithMaximumCountIsRefused() async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await TestViewer.connect(to: server.address)
            var message = ByteBuffer()
            message.writeClientMessage(.setEncodings(Array(repeating: .raw, count: 65535)))
            await offender.send(message)
            #expect(await offender.waitUntilClosed())
            #expect(await server.log.waitForLine(containing: "disconnected: SetEncodings lists 65535 encodings (limit 1024)"))
            try await server.expectStillServing(bystander)
        }
    }

    @Test func pixelFormatWith24BitsPerPixelIsRefused() async throws {
        try await expectPixelFormatRefused(
            PixelFormat(bitsPerPixel: 24, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 255, blueMax: 255,
                        redShift: 16, greenShift: 8, blueShift: 0),
            reason: "bits-per-pixel 24 is not 8, 16 or 32")
    }

    @Test func pixelFormatWithZeroColourMaximumIsRefused() async throws {
        try await expectPixelFormatRefused(
            PixelFormat(bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true, redMax: 255, greenMax: 0, blueMax: 255,
                        redShift: 16, greenShift: 8, blueShift: 0),
            reason: "a colour maximum is zero")
    }

    @Test func sixteenBitColourMapIsRefused() async throws {
        try await expectPixelFormatRefused(
            PixelFormat(bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: false, redMax: 0, greenMax: 0, blueMax: 0,
                        redShift: 0, greenShift: 0, blueShift: 0),
            reason: "colour maps of 16 bits per pixel are not supported")
    }

    @Test func updateRequestEntirelyOutsideIsIgnored() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.requestsAutomatically = false
            let viewer = try await TestViewer.connect(to: server.address, options: options)
            await viewer.requestUpdate(incremental: false, rect: Rect(x: 1000, y: 1000, width: 50, height: 50))
            #expect(await server.log.waitForLine(containing: "info", "asked for 50x50 at 1000,1000, outside the 160x120 framebuffer: ignored"))
            await pause(0.5)
            #expect(viewer.updateCount == 0)
            #expect(!viewer.isClosed)
            await viewer.requestUpdate(incremental: false)
            #expect(await viewer.waitForFramebuffer(server.source.latest))
            #expect(viewer.updateCount == 1)
        }
    }

    @Test func updateRequestPartlyOutsideIsClipped() async throws {
        try await TestServer.with { server in
            var options = TestViewer.Options()
            options.requestsAutomatically = false
            let viewer = try await TestViewer.connect(to: server.address, options: options)
            let size = server.source.latest.size
            await viewer.requestUpdate(incremental: false, rect: Rect(x: size.width - 10, y: size.height - 20, width: 100, height: 100))
            try #require(await viewer.waitForUpdates(1))
            let clipped = Rect(x: size.width - 10, y: size.height - 20, width: 10, height: 20)
            let update = try #require(viewer.updates.first)
            #expect(update.region == Region(clipped))
            #expect(update.rectangles.allSatisfy { clipped.contains($0.rect) })
            let picture = try await viewer.framebuffer()
            #expect(picture.cropped(to: clipped) == server.source.latest.cropped(to: clipped))
            #expect(!viewer.isClosed)
            #expect(server.log.lines(containing: "asked for 100x100 at \(size.width - 10),\(size.height - 20), outside the",
                                     "served 10x20 at \(size.width - 10),\(size.height - 20)").count == 1)
        }
    }

    /// Sends `format` in a SetPixelFormat (bypassing the client's own validation) and expects a
    /// disconnect whose log line names `reason`, with a bystander unaffected.
    private func expectPixelFormatRefused(_ format: PixelFormat, reason: String,
                                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await TestServer.with { server in
            let bystander = try await server.connectViewerWithPicture()
            let offender = try await TestViewer.connect(to: server.address)
            var message = ByteBuffer()
            message.writeClientMessage(.setPixelFormat(format))
            await offender.send(message)
            #expect(await offender.waitUntilClosed(), sourceLocation: sourceLocation)
            #expect(await server.log.waitForLine(containing: "disconnected: unsupported pixel format", reason),
                    sourceLocation: sourceLocation)
            try await server.expectStillServing(bystander, sourceLocation: sourceLocation)
        }
    }
}
