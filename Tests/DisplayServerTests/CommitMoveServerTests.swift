#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
@testable import DisplayServer
import Geometry
import PortholeClient
import Testing

/// A Commit's moves (docs/protocol.md §5.8, version 1.2) over a real socket: only a connection
/// that negotiated 1.2 may send them (§10), a well-formed one is accepted and flips, and one
/// whose source leaves the framebuffer is refused with code 4.
@Suite struct CommitMoveServerTests {
    /// The 64x48 picture of `setup`'s buffer 0 scrolled up by 8 rows: the move that says so, and
    /// the band it uncovers as damage.
    static let scroll = WireMove(destination: WireRect(x: 0, y: 0, width: 64, height: 40), sourceX: 0, sourceY: 8)
    static let uncovered = WireRect(x: 0, y: 40, width: 64, height: 8)

    /// Draws into buffer 1 what buffer 0 (pattern `seed`) shows scrolled up by 8 rows, with the
    /// pattern of `seed + 1` in the uncovered band: the picture `scroll` plus `uncovered` promise.
    private func drawScrolled(_ setup: ProducerSetup, seed: UInt32) -> [UInt32] {
        let width = Int(setup.width), height = Int(setup.height)
        var expected = [UInt32](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                expected[y * width + x] = y < 40 ? ProducerSetup.pattern(x: x, y: y + 8, seed: seed)
                                                 : ProducerSetup.pattern(x: x, y: y, seed: seed + 1)
            }
        }
        setup.buffers[1].withPixels { pixels in for index in expected.indices { pixels[index] = expected[index] } }
        return expected
    }

    /// Commits buffer 1 with `moves` and the uncovered band as damage: its PageFlip when it was
    /// accepted, or the rejection's report.
    private func presentScrolled(_ setup: ProducerSetup, moves: [WireMove]) throws -> (flip: PageFlipEvent?, rejection: ErrorReport?) {
        do {
            let request = try setup.client.present(framebuffer: setup.framebuffers[1], width: setup.width, height: setup.height,
                                                   on: setup.output.primaryPlaneID, damage: [Self.uncovered], moves: moves)
            return (try setup.client.waitForPageFlip(output: setup.output.outputID, commitRequestID: request), nil)
        } catch .commitRejected(let report) {
            return (nil, report)
        }
    }

    /// How many pixels of `setup`'s output, as shown now, differ from `expected` in rows
    /// `rows` (a count keeps a failure's output short).
    private func mismatchedPixels(_ fixture: DeviceServerFixture, _ setup: ProducerSetup, _ expected: [UInt32],
                                  rows: Range<Int>? = nil) -> Int {
        guard let shown = shownFrame(fixture.server, output: setup.output.outputID), shown.count == expected.count else { return -1 }
        let width = Int(setup.width), rows = rows ?? 0..<Int(setup.height)
        return (rows.lowerBound * width..<rows.upperBound * width).filter { shown[$0] != expected[$0] }.count
    }

    @Test func aVersion11ConnectionMayNotSendMoves() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let client = try DisplayClient(socketPath: fixture.server.socketPath, role: .producer, name: "one-one", timeout: 5,
                                       version: DisplayProtocolVersion(major: 1, minor: 1))
        #expect(client.welcome.version == DisplayProtocolVersion(major: 1, minor: 1), "Welcome's minor is the smaller one")
        let setup = try ProducerSetup(client)
        setup.draw(0, seed: 1)
        try setup.presentAndWait(0)
        _ = drawScrolled(setup, seed: 1)
        let report = try presentScrolled(setup, moves: [Self.scroll]).rejection
        #expect(report == ErrorReport(code: .invalidArgument, detail: setup.output.primaryPlaneID,
                                      message: "Commit moves need protocol version 1.2; this connection speaks 1.1"))
        // Nothing changed, and the connection stays usable: the same commit without moves flips.
        #expect(mismatchedPixels(fixture, setup, setup.expectedFrame(seed: 1)) == 0)
        #expect(try presentScrolled(setup, moves: []).flip != nil)
    }

    @Test func aVersion12CommitWithAMoveIsAcceptedAndFlips() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let setup = try ProducerSetup(try fixture.producer("mover"))
        #expect(setup.client.welcome.version == DisplayProtocolVersion(major: 1, minor: 2))
        setup.draw(0, seed: 1)
        let before = try setup.presentAndWait(0)
        let source = try #require(fixture.server.outputSource(for: OutputID(setup.output.outputID)))
        _ = source.advance(to: 0)
        let expected = drawScrolled(setup, seed: 1)
        let outcome = try presentScrolled(setup, moves: [Self.scroll])
        #expect(outcome.rejection == nil)
        let flip = try #require(outcome.flip, "the commit with a move reaches the screen")
        #expect(flip.sequence > before.sequence)
        // The RFB side is told of the move and of the uncovered band only (viewers get CopyRect),
        // and the picture is the framebuffer's.
        let damage = source.advance(to: 1)
        #expect(damage.moves == [CopyMove(destination: Rect(x: 0, y: 0, width: 64, height: 40), source: Point(x: 0, y: 8))])
        #expect(damage.region == Region(Rect(x: 0, y: 40, width: 64, height: 8)))
        #expect(source.frame.pixels == expected)
    }

    @Test func aMoveWhoseSourceLeavesTheFramebufferIsRefused() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        let setup = try ProducerSetup(try fixture.producer("overreach"))
        setup.draw(0, seed: 1)
        try setup.presentAndWait(0)
        _ = drawScrolled(setup, seed: 1)
        // 40 rows from row 16 reach row 55 of a 48-row framebuffer.
        let outside = WireMove(destination: WireRect(x: 0, y: 0, width: 64, height: 40), sourceX: 0, sourceY: 16)
        let report = try presentScrolled(setup, moves: [outside]).rejection
        #expect(report?.code == .invalidArgument)
        #expect(report?.detail == setup.output.primaryPlaneID)
        // Nothing changed.
        #expect(mismatchedPixels(fixture, setup, setup.expectedFrame(seed: 1)) == 0)
    }
}
