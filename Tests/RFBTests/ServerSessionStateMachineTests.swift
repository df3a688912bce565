import Testing
import NIOCore
import Geometry
import Pixels
import RFB

struct ServerSessionStateMachineTests {
    static let size = Size(width: 800, height: 600)

    private func machine(limits: ClientMessageLimits = ClientMessageLimits()) -> ServerSessionStateMachine {
        ServerSessionStateMachine(framebufferSize: Self.size, supportedEncodings: [.raw, .copyRect, .hextile, .zrle], limits: limits)
    }

    private func feed(_ machine: inout ServerSessionStateMachine, _ messages: ClientMessage...) -> [ServerSessionAction] {
        var buffer = ByteBuffer()
        for message in messages { buffer.writeClientMessage(message) }
        return machine.receive(buffer)
    }

    @Test func validPixelFormatIsAdopted() {
        var session = machine()
        #expect(feed(&session, .setPixelFormat(.rgb565)) == [.setPixelFormat(.rgb565)])
        #expect(session.pixelFormat == .rgb565)
    }

    @Test func twentyFourBitsPerPixelClosesWithReason() {
        var session = machine()
        var format = PixelFormat.xrgb8888
        format.bitsPerPixel = 24
        let actions = feed(&session, .setPixelFormat(format), .keyEvent(down: true, keysym: 1))
        #expect(actions.count == 1)
        guard case .close(let reason) = actions.first else { Issue.record("expected close"); return }
        #expect(reason.contains("bits-per-pixel 24 is not 8, 16 or 32"))
        #expect(session.isClosed)
        #expect(feed(&session, .keyEvent(down: true, keysym: 1)).isEmpty)
    }

    @Test func zeroMaximumClosesWithReason() {
        var session = machine()
        var format = PixelFormat.xrgb8888
        format.greenMax = 0
        guard case .close(let reason) = feed(&session, .setPixelFormat(format)).first else { Issue.record("expected close"); return }
        #expect(reason.contains("a colour maximum is zero"))
    }

    /// RFC 6143 §7.4: in colour-map mode the maxima and shifts mean nothing, so TightVNC's zeros
    /// are taken; the viewer is served as BGR233 behind a fixed map (`ColourMapStandIn`). Fed whole
    /// and byte by byte.
    @Test func anEightBitColourMapIsServedThroughTheStandIn() {
        let format = PixelFormat(bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: false, redMax: 0, greenMax: 0, blueMax: 0,
                                 redShift: 0, greenShift: 0, blueShift: 0)
        var whole = machine()
        #expect(feed(&whole, .setPixelFormat(format)) == [.setPixelFormat(ColourMapStandIn.format), .sendColourMap])
        #expect(whole.pixelFormat == format, "the machine reports what the viewer asked for")

        var buffer = ByteBuffer()
        buffer.writeClientMessage(.setPixelFormat(format))
        buffer.writeClientMessage(.keyEvent(down: true, keysym: 0x61))
        var byByte = machine()
        var actions: [ServerSessionAction] = []
        for byte in buffer.readableBytesView { actions += byByte.receive(ByteBuffer(bytes: [byte])) }
        #expect(actions == [.setPixelFormat(ColourMapStandIn.format), .sendColourMap, .key(down: true, keysym: 0x61)])
    }

    @Test func wideColourMapsCloseWithReason() {
        for bits: UInt8 in [16, 32] {
            var session = machine()
            var format = bits == 16 ? PixelFormat.rgb565 : .xrgb8888
            format.trueColour = false
            guard case .close(let reason) = feed(&session, .setPixelFormat(format)).first else { Issue.record("expected close"); return }
            #expect(reason.contains("colour maps of \(bits) bits per pixel are not supported (8 are)"), "\(reason)")
        }
    }

    @Test func unknownMessageClosesWithReason() {
        var session = machine()
        #expect(session.receive(ByteBuffer(bytes: [149, 0, 0, 0])) == [.close(reason: "unknown client message type 149")], "150 is EnableContinuousUpdates")
    }

    @Test func oversizedCutTextClosesWithReason() {
        var session = machine(limits: ClientMessageLimits(maximumCutTextLength: 10))
        #expect(session.receive(ByteBuffer(bytes: [6, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))
                == [.close(reason: "ClientCutText declares 4294967295 bytes (limit 10)")])
    }

    @Test func messagesBeforeAnErrorAreStillReported() {
        var session = machine()
        var buffer = ByteBuffer()
        buffer.writeClientMessage(.keyEvent(down: true, keysym: 0x61))
        buffer.writeBytes([99])
        #expect(session.receive(buffer) == [.key(down: true, keysym: 0x61), .close(reason: "unknown client message type 99")])
    }

    /// What a viewer that goes away mid-message left behind, for the disconnect line.
    @Test func incompleteMessageIsNamedUntilItCompletes() {
        var session = machine()
        #expect(session.incompleteMessage == nil)
        var buffer = ByteBuffer()
        buffer.writeClientMessage(.setEncodings([.raw, .zrle]))
        let bytes = Array(buffer.readableBytesView)
        for (i, byte) in bytes.enumerated() {
            let actions = session.receive(ByteBuffer(bytes: [byte]))
            if i < bytes.count - 1 {
                #expect(actions.isEmpty)
                #expect(session.incompleteMessage == "\(i + 1) byte\(i == 0 ? "" : "s") of a SetEncodings")
            }
        }
        #expect(session.incompleteMessage == nil)
        _ = session.receive(ByteBuffer(bytes: [99]))
        #expect(session.isClosed)
        #expect(session.incompleteMessage == nil, "a refused message is not waiting for more")
    }

    @Test func updateRequestInsideIsPassedOn() {
        var session = machine()
        let rect = Rect(x: 10, y: 20, width: 30, height: 40)
        #expect(feed(&session, .framebufferUpdateRequest(incremental: true, rect: rect)) == [.updateRequested(incremental: true, rect: rect)])
    }

    /// RFC 6143 §7.5.3 wants requests inside the framebuffer; one reaching past it is served
    /// clipped, and said so for the log.
    @Test func updateRequestReachingPastTheEdgeIsClipped() {
        var session = machine()
        let requested = Rect(x: 700, y: 500, width: 65535, height: 65535), clipped = Rect(x: 700, y: 500, width: 100, height: 100)
        #expect(feed(&session, .framebufferUpdateRequest(incremental: false, rect: requested))
                == [.updateRequestOutside(requested: requested, framebuffer: Size(width: 800, height: 600), clipped: clipped),
                    .updateRequested(incremental: false, rect: clipped)])
    }

    @Test func updateRequestEntirelyOutsideIsIgnored() {
        var session = machine()
        let size = Size(width: 800, height: 600)
        for rect in [Rect(x: 800, y: 0, width: 10, height: 10), Rect(x: 65535, y: 65535, width: 65535, height: 65535)] {
            #expect(feed(&session, .framebufferUpdateRequest(incremental: true, rect: rect))
                    == [.updateRequestOutside(requested: rect, framebuffer: size, clipped: nil)])
        }
        #expect(feed(&session, .framebufferUpdateRequest(incremental: true, rect: Rect(x: 0, y: 0, width: 0, height: 10))).isEmpty,
                "an empty request asks for nothing")
        #expect(!session.isClosed)
    }

    @Test func requestsFollowAResize() {
        var session = machine()
        session.resizeFramebuffer(to: Size(width: 100, height: 100))
        #expect(feed(&session, .framebufferUpdateRequest(incremental: false, rect: Rect(x: 0, y: 0, width: 800, height: 600))).last
                == .updateRequested(incremental: false, rect: Rect(x: 0, y: 0, width: 100, height: 100)))
    }

    @Test func pointerIsClampedIntoTheFramebuffer() {
        var session = machine()
        #expect(feed(&session, .pointerEvent(buttonMask: 1, x: 65535, y: 599)) == [.pointer(buttonMask: 1, x: 799, y: 599)])
        #expect(feed(&session, .pointerEvent(buttonMask: 0, x: 5, y: 9000)) == [.pointer(buttonMask: 0, x: 5, y: 599)])
        var empty = ServerSessionStateMachine(framebufferSize: Size(width: 0, height: 0), supportedEncodings: [.raw])
        #expect(feed(&empty, .pointerEvent(buttonMask: 0, x: 5, y: 5)) == [.pointer(buttonMask: 0, x: 0, y: 0)])
    }

    @Test func keyAndCutTextArePassedOn() {
        var session = machine()
        #expect(feed(&session, .keyEvent(down: false, keysym: 0xffe1), .clientCutText([0x68, 0xe9]))
                == [.key(down: false, keysym: 0xffe1), .clientCutText([0x68, 0xe9])])
    }

    @Test func encodingPreferencesFollowTheViewersOrder() {
        var session = machine()
        let requested: [Encoding] = [.copyRect, .tight, .zrle, .hextile, .raw, Encoding(-250), Encoding(-28), Encoding(-256),
                                     .desktopSize, .lastRect, .desktopName, .cursor]
        guard case .setEncodings(let preferences) = feed(&session, .setEncodings(requested)).first else {
            Issue.record("expected setEncodings"); return
        }
        #expect(preferences.requested == requested)
        #expect(preferences.preferred == .zrle, "Tight is not supported, CopyRect is not a pixel encoding")
        #expect(preferences.copyRect)
        #expect(preferences.compressLevel == 6)
        #expect(preferences.qualityLevel == 4)
        #expect(preferences.desktopSize && preferences.lastRect && preferences.desktopName && preferences.cursor)
        #expect(!preferences.extendedDesktopSize)
        #expect(session.encodingPreferences == preferences)
    }

    @Test func encodingPreferencesFallBackToRaw() {
        let preferences = EncodingPreferences(requested: [Encoding(99), .tight], supported: [.raw, .zrle])
        #expect(preferences.preferred == .raw)
        #expect(!preferences.copyRect && !preferences.desktopSize)
        #expect(preferences.compressLevel == nil && preferences.qualityLevel == nil)
        #expect(EncodingPreferences().preferred == .raw)
    }

    @Test func byteByByteFeedingGivesTheSameActions() {
        var whole = machine(), split = machine()
        var buffer = ByteBuffer()
        let messages: [ClientMessage] = [.setEncodings([.hextile, .raw]), .pointerEvent(buttonMask: 2, x: 3, y: 4),
                                          .framebufferUpdateRequest(incremental: false, rect: Rect(x: 0, y: 0, width: 800, height: 600))]
        for message in messages { buffer.writeClientMessage(message) }
        let expected = whole.receive(buffer)
        var actions: [ServerSessionAction] = []
        for byte in buffer.readableBytesView { actions += split.receive(ByteBuffer(bytes: [byte])) }
        #expect(actions == expected)
        #expect(actions.count == 3)
    }
}
