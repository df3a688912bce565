import Testing
import NIOCore
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import RFBClient

struct ClientServerMessageTests {
    static let size = Size(width: 32, height: 24)
    let picture = TestImages.desktop(width: 32, height: 24)

    /// A client past the handshake (3.3, None) with a 32x24 XRGB8888 framebuffer.
    private func connectedClient(decoders: [Encoding: any RectangleDecoder] = [.raw: TestRawDecoder()],
                                 limits: ClientLimits = ClientLimits()) -> ClientStateMachine {
        var client = ClientStateMachine(configuration: ClientConfiguration(limits: limits), decoders: decoders)
        _ = client.receive(ByteBuffer(bytes: Array("RFB 003.003\n".utf8)))
        _ = client.receive(ByteBuffer(bytes: [0, 0, 0, 1]))
        var serverInit = ByteBuffer()
        serverInit.writeServerInit(size: Self.size, format: .xrgb8888, name: "test")
        _ = client.receive(serverInit)
        return client
    }

    private func feedInPieces(_ client: inout ClientStateMachine, _ buffer: ByteBuffer, seed: UInt64) -> [ClientAction] {
        var random = SplitMix(seed: seed)
        var bytes = Array(buffer.readableBytesView)[...]
        var actions: [ClientAction] = []
        while !bytes.isEmpty {
            let count = Int(random.next() % 50) + 1
            actions += client.receive(ByteBuffer(bytes: bytes.prefix(count)))
            bytes = bytes.dropFirst(count)
        }
        return actions.filter { $0 != .needsMoreData }
    }

    @Test func rawRectanglesAreDrawnAndTheirRegionReported() {
        var client = connectedClient()
        let a = Rect(x: 0, y: 0, width: 32, height: 10), b = Rect(x: 5, y: 10, width: 20, height: 14)
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 2)
        update.writeTestRawRectangle(a, pixels: picture, format: .xrgb8888)
        update.writeTestRawRectangle(b, pixels: picture, format: .xrgb8888)
        #expect(client.receive(update) == [.framebufferUpdated(Region(a).union(b))])
        #expect(client.framebuffer.cropped(to: a) == picture.cropped(to: a))
        #expect(client.framebuffer.cropped(to: b) == picture.cropped(to: b))
        #expect(client.framebuffer[0, 23] == 0, "outside the rectangles nothing is drawn")
    }

    @Test(arguments: TestImages.formats, [UInt64(1), 2, 3])
    func updatesInAnyFormatSurviveAnySplit(format: PixelFormat, seed: UInt64) throws {
        var client = connectedClient()
        _ = try client.setPixelFormat(format)
        var update = ByteBuffer()
        let slot = update.reserveFramebufferUpdateHeader()
        for tile in Rect(size: Self.size).tiles(width: 16, height: 16) { update.writeTestRawRectangle(tile, pixels: picture, format: format) }
        update.patchFramebufferUpdateCount(slot, count: 4)
        update.writeBell()
        let actions = feedInPieces(&client, update, seed: seed)
        #expect(actions == [.framebufferUpdated(Region(Rect(size: Self.size))), .bell])
        #expect(client.framebuffer == TestImages.quantized(picture, to: format))
    }

    @Test func aRectangleCutShortIsRetriedWhenTheRestArrives() {
        var client = connectedClient()
        let rect = Rect(x: 1, y: 1, width: 4, height: 4)
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeTestRawRectangle(rect, pixels: picture, format: .xrgb8888)
        let bytes = Array(update.readableBytesView)
        #expect(client.receive(ByteBuffer(bytes: bytes.prefix(30))) == [.needsMoreData])
        #expect(client.receive(ByteBuffer(bytes: bytes[30..<60])) == [.needsMoreData])
        #expect(client.receive(ByteBuffer(bytes: bytes.dropFirst(60))) == [.framebufferUpdated(Region(rect))])
        #expect(client.framebuffer.cropped(to: rect) == picture.cropped(to: rect))
    }

    @Test func anUpdateWithNoRectanglesStillCompletes() {
        var client = connectedClient()
        #expect(client.receive(ByteBuffer(bytes: [0, 0, 0, 0])) == [.framebufferUpdated(Region())])
    }

    @Test func desktopSizeResizesTheFramebuffer() {
        var client = connectedClient()
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 2)
        update.writeDesktopSize(Size(width: 40, height: 30))
        let wide = Rect(x: 30, y: 20, width: 10, height: 10)
        let big = TestImages.random(width: 40, height: 30)
        update.writeTestRawRectangle(wide, pixels: big, format: .xrgb8888)
        #expect(client.receive(update) == [.resized(Size(width: 40, height: 30)), .framebufferUpdated(Region(wide))])
        #expect(client.framebuffer.size == Size(width: 40, height: 30))
        #expect(client.framebuffer.cropped(to: wide) == big.cropped(to: wide))
    }

    @Test func desktopSizeIsBounded() {
        var client = connectedClient(limits: ClientLimits(maximumFramebufferPixels: 32 * 24))
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeDesktopSize(Size(width: 65535, height: 65535))
        #expect(client.receive(update) == [.error(.framebufferTooLarge(Size(width: 65535, height: 65535)))])
    }

    @Test func lastRectEndsTheUpdateEarly() {
        var client = connectedClient()
        let rect = Rect(x: 0, y: 0, width: 2, height: 2)
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 0xffff)
        update.writeTestRawRectangle(rect, pixels: picture, format: .xrgb8888)
        update.writeLastRect()
        update.writeBell()
        #expect(client.receive(update) == [.framebufferUpdated(Region(rect)), .bell])
    }

    @Test func desktopNameRenames() {
        var client = connectedClient()
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeDesktopName("Bürö")
        #expect(client.receive(update) == [.nameChanged("Bürö"), .framebufferUpdated(Region())])
        #expect(client.name == "Bürö")
    }

    @Test func unknownEncodingIsAnError() {
        var client = connectedClient()
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeRectangleHeader(RectangleHeader(rect: Rect(x: 0, y: 0, width: 1, height: 1), encoding: .zrle))
        #expect(client.receive(update) == [.error(.unknownEncoding(.zrle))])
        #expect(client.receive(ByteBuffer(bytes: [2])).isEmpty, "a failed client ignores further input")
    }

    @Test func rectangleOutsideTheFramebufferIsAnError() {
        var client = connectedClient()
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeRectangleHeader(RectangleHeader(rect: Rect(x: 30, y: 0, width: 4, height: 1), encoding: .raw))
        #expect(client.receive(update) == [.error(.rectangleOutsideFramebuffer(Rect(x: 30, y: 0, width: 4, height: 1), framebuffer: Self.size))])
    }

    @Test func malformedRectangleIsAnError() {
        var client = connectedClient(decoders: [.hextile: RefusingDecoder()])
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeRectangleHeader(RectangleHeader(rect: Rect(x: 0, y: 0, width: 4, height: 4), encoding: .hextile))
        update.writeInteger(UInt8(0xff))
        #expect(client.receive(update) == [.error(.malformedRectangle(.hextile, "subencoding 0xff is not defined"))])
    }

    @Test func bellCutTextAndColourMapEntries() {
        var client = connectedClient()
        var messages = ByteBuffer()
        messages.writeSetColourMapEntries(firstColour: 0, colours: [(red: 1, green: 2, blue: 3), (red: 4, green: 5, blue: 6)])
        messages.writeBell()
        messages.writeServerCutText(Latin1.bytes(from: "naïve"))
        let actions = feedInPieces(&client, messages, seed: 7)
        #expect(actions == [.bell, .cutText([0x6e, 0x61, 0xef, 0x76, 0x65])])
    }

    @Test func serverCutTextDeclaring4GiBIsRefusedFromItsHeaderAlone() {
        var client = connectedClient()
        #expect(client.receive(ByteBuffer(bytes: [3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]))
                == [.error(.lengthTooLarge(field: "ServerCutText", length: 0xffff_ffff, limit: 1 << 20))])
    }

    @Test func unknownServerMessageTypeIsAnError() {
        var client = connectedClient()
        #expect(client.receive(ByteBuffer(bytes: [149])) == [.error(.unknownMessageType(149))], "150 is EndOfContinuousUpdates")
    }

    @Test func defaultEncodingsListDecodersThenPseudoEncodings() {
        let client = ClientStateMachine(decoders: [.raw: TestRawDecoder(), .hextile: RefusingDecoder()])
        #expect(client.defaultEncodings == [.hextile, .raw, .desktopSize, .lastRect, .desktopName])
    }

    @Test func aServerUpdateAnsweringARequestReachesTheClientsFramebuffer() throws {
        var pair = ConnectionPair(serverPassword: nil, clientPassword: nil, clientVersion: .v3_8, seed: 31)
        pair.framebufferSize = Self.size
        pair.run()
        pair.clientSends(try pair.client.setPixelFormat(.bgr233))
        pair.clientSends(pair.client.requestUpdate(incremental: false))
        guard case .updateRequested(_, let rect) = pair.sessionActions.last, let format = pair.session?.pixelFormat else {
            Issue.record("no update request arrived"); return
        }
        var update = ByteBuffer()
        update.writeFramebufferUpdateHeader(count: 1)
        update.writeTestRawRectangle(rect, pixels: picture, format: format)
        pair.serverSends(update)
        #expect(pair.clientActions.last == .framebufferUpdated(Region(Rect(size: Self.size))))
        #expect(pair.client.framebuffer == TestImages.quantized(picture, to: .bgr233))
    }
}
