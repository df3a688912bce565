#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import Server
import SystemIO
import Testing

/// A producer's cursor plane moves the RFB viewers' pointer: `DeviceOutputSource` reports the
/// plane's position once per move (`CursorPositionProviding`), and a viewer that draws the cursor
/// itself (Cursor pseudo-encoding) and asked for PointerPos gets it.
@Suite struct CursorPositionTests {
    /// A 16×16 AR24 cursor framebuffer of `producer`.
    private func cursorFramebuffer(_ producer: ProducerSetup) throws -> (ProducerBuffer, UInt32) {
        let buffer = try ProducerBuffer(width: 16, height: 16, format: 0x3432_5241)
        buffer.withPixels { $0.update(repeating: 0xff00_ff00) }
        return (buffer, try producer.client.createFramebuffer(buffer))
    }

    /// Shows buffer 0 on the primary plane and the cursor with its top-left at `at`.
    @discardableResult
    private func commit(_ producer: ProducerSetup, cursor: UInt32, at point: Point) throws -> PageFlipEvent {
        let primary = CommitPlaneState(planeID: producer.output.primaryPlaneID, framebufferID: producer.framebuffers[0],
                                       source: WireFixedRect(x: 0, y: 0, width: 64 << 16, height: 48 << 16),
                                       destination: WireRect(x: 0, y: 0, width: 64, height: 48), damage: [])
        let plane = CommitPlaneState(planeID: producer.output.cursorPlaneID, framebufferID: cursor,
                                     source: WireFixedRect(x: 0, y: 0, width: 16 << 16, height: 16 << 16),
                                     destination: WireRect(x: Int32(point.x), y: Int32(point.y), width: 16, height: 16), damage: [])
        let request = try producer.client.commit(CommitRequest(flags: .pageFlipEvent, planes: [primary, plane]))
        return try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: request)
    }

    @Test func theSourceReportsEachMoveOfTheCursorPlaneOnce() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let producer = try ProducerSetup(try fixture.producer("pointer"))
        let (_, cursor) = try cursorFramebuffer(producer)
        producer.draw(0, seed: 9)
        try commit(producer, cursor: cursor, at: Point(x: 10, y: 20))
        let source = try #require(fixture.server.outputSource(for: OutputID(producer.output.outputID)))
        #expect(source.takeCursorPositionChange() == Point(x: 10, y: 20))
        #expect(source.takeCursorPositionChange() == nil)
        try commit(producer, cursor: cursor, at: Point(x: 30, y: 5))
        #expect(source.takeCursorPositionChange() == Point(x: 30, y: 5))
        try commit(producer, cursor: cursor, at: Point(x: 30, y: 5))
        #expect(source.takeCursorPositionChange() == nil, "an unmoved cursor is not reported")
    }

    @Test func aViewerWithPointerPosSeesTheCursorPlaneMove() async throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let source = PrimaryOutputSource(server: fixture.server, waitingCardSize: Size(width: 100, height: 40))
        let producer = try ProducerSetup(try fixture.producer("pointer-viewer"))
        let (_, cursor) = try cursorFramebuffer(producer)
        producer.draw(0, seed: 10)
        try commit(producer, cursor: cursor, at: Point(x: 4, y: 4))

        let rfb = try await TestRFBServing.start(source, label: "cursor-position-test")
        let viewer = try RawRFBViewer(port: rfb.boundAddress.port)
        try viewer.handshake(pointerPosition: true)
        try viewer.requestUpdate(incremental: false)
        _ = try viewer.readUpdate()

        try commit(producer, cursor: cursor, at: Point(x: 40, y: 25))
        var positions: [RawRFBViewer.Rectangle] = []
        for _ in 0..<20 where !positions.contains(.pointerPosition(x: 40, y: 25)) {
            try viewer.requestUpdate(incremental: true)
            positions += try viewer.readUpdate().filter { if case .pointerPosition = $0 { return true } else { return false } }
        }
        #expect(positions.contains(.pointerPosition(x: 40, y: 25)), "PointerPos rectangles: \(positions)")
        await rfb.stop()
    }
}
