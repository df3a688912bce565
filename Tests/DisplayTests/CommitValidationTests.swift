import Testing
import Geometry
@testable import Display

/// Each row is a commit by producer A (or another client) that the device must refuse as a whole,
/// with the error that names the problem. A refused commit changes nothing.
struct CommitValidationTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let name: String
        var client: @Sendable (Rig) -> ClientID = { $0.producerA }
        let commit: @Sendable (Rig) -> AtomicCommit
        let expected: @Sendable (Rig) -> DisplayError
        var testDescription: String { name }
    }

    static func primary(_ rig: Rig, _ state: PlaneState, damage: [Rect]? = nil) -> AtomicCommit {
        AtomicCommit(planes: [.init(plane: rig.outputA.primaryPlane, state: state, damage: damage)], outputs: [.init(output: rig.outputA.id, enabled: true)])
    }
    static let full = Rect(size: Rig.size)

    static let rows: [Row] = [
        Row(name: "unknown plane", commit: { _ in AtomicCommit(planes: [.init(plane: PlaneID(999), state: .disabled)]) },
            expected: { _ in .noSuchPlane(PlaneID(999)) }),
        Row(name: "unknown output", commit: { _ in AtomicCommit(outputs: [.init(output: OutputID(999), enabled: false)]) },
            expected: { _ in .noSuchOutput(OutputID(999)) }),
        Row(name: "unknown framebuffer", commit: { primary($0, PlaneState(framebuffer: FramebufferID(999), size: Rig.size)) },
            expected: { _ in .noSuchFramebuffer(FramebufferID(999)) }),
        Row(name: "another producer's plane",
            commit: { AtomicCommit(planes: [.init(plane: $0.outputB.primaryPlane, state: PlaneState(framebuffer: $0.framebufferA, size: Rig.size))]) },
            expected: { .noSuchPlane($0.outputB.primaryPlane) }),
        Row(name: "another producer's output", commit: { AtomicCommit(outputs: [.init(output: $0.outputB.id, enabled: false)]) },
            expected: { .noSuchOutput($0.outputB.id) }),
        Row(name: "another producer's framebuffer", commit: { primary($0, PlaneState(framebuffer: $0.framebufferB, size: Rig.size)) },
            expected: { .noSuchFramebuffer($0.framebufferB) }),
        Row(name: "a consumer commits", client: { $0.consumer }, commit: { AtomicCommit(outputs: [.init(output: $0.outputA.id, enabled: false)]) },
            expected: { .notAProducer($0.consumer) }),
        Row(name: "unknown client", client: { _ in ClientID(77) }, commit: { _ in AtomicCommit() },
            expected: { _ in .noSuchClient(ClientID(77)) }),
        Row(name: "source rect outside the framebuffer",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(Rect(x: 4, y: 0, width: 8, height: 6)), destination: full)) },
            expected: { .sourceOutsideFramebuffer($0.outputA.primaryPlane, SourceRect(Rect(x: 4, y: 0, width: 8, height: 6)), $0.framebufferA, width: 8, height: 6) }),
        Row(name: "source rect with a negative origin",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(fixedX: -1, y: 0, width: 1 << 16, height: 1 << 16), destination: full)) },
            expected: { .sourceOutsideFramebuffer($0.outputA.primaryPlane, SourceRect(fixedX: -1, y: 0, width: 1 << 16, height: 1 << 16), $0.framebufferA, width: 8, height: 6) }),
        Row(name: "empty source rect",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(Rect(x: 0, y: 0, width: 0, height: 6)), destination: full)) },
            expected: { .emptySource($0.outputA.primaryPlane) }),
        Row(name: "zero-size destination",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(full), destination: Rect(x: 0, y: 0, width: 8, height: 0))) },
            expected: { .emptyDestination($0.outputA.primaryPlane, Rect(x: 0, y: 0, width: 8, height: 0)) }),
        Row(name: "destination far outside the layout",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(full), destination: Rect(x: Int.max - 4, y: 0, width: 8, height: 6))) },
            expected: { .destinationOutOfRange($0.outputA.primaryPlane, Rect(x: Int.max - 4, y: 0, width: 8, height: 6), limit: 1 << 20) }),
        Row(name: "damage outside the framebuffer",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, size: Rig.size), damage: [Rect(x: 6, y: 0, width: 4, height: 1)]) },
            expected: { .damageOutsideFramebuffer($0.outputA.primaryPlane, Rect(x: 6, y: 0, width: 4, height: 1), $0.framebufferA) }),
        Row(name: "z-position out of range",
            commit: { primary($0, PlaneState(framebuffer: $0.framebufferA, source: SourceRect(full), destination: full, zPosition: 300)) },
            expected: { .zPositionOutOfRange($0.outputA.primaryPlane, 300) }),
        Row(name: "cursor larger than the cursor limit",
            commit: { AtomicCommit(planes: [.init(plane: $0.outputA.cursorPlane, state: PlaneState(framebuffer: $0.framebufferA, source: SourceRect(full),
                                                                                                   destination: Rect(x: 0, y: 0, width: 300, height: 6)))]) },
            expected: { .cursorTooLarge($0.outputA.cursorPlane, Size(width: 300, height: 6), maximum: 256) }),
        Row(name: "the same plane twice",
            commit: { AtomicCommit(planes: [.init(plane: $0.outputA.primaryPlane, state: .disabled), .init(plane: $0.outputA.primaryPlane, state: .disabled)]) },
            expected: { .duplicatePlane($0.outputA.primaryPlane) }),
        Row(name: "the same output twice",
            commit: { AtomicCommit(outputs: [.init(output: $0.outputA.id), .init(output: $0.outputA.id)]) },
            expected: { .duplicateOutput($0.outputA.id) }),
        Row(name: "a mode of 0x0", commit: { AtomicCommit(outputs: [.init(output: $0.outputA.id, mode: DisplayMode(width: 0, height: 0))]) },
            expected: { .invalidMode($0.outputA.id, DisplayMode(width: 0, height: 0), maximum: 16384) }),
        Row(name: "a mode larger than 16384", commit: { AtomicCommit(outputs: [.init(output: $0.outputA.id, mode: DisplayMode(width: 16385, height: 10))]) },
            expected: { .invalidMode($0.outputA.id, DisplayMode(width: 16385, height: 10), maximum: 16384) }),
        Row(name: "disabled output with a framebuffer on a plane",
            commit: { AtomicCommit(planes: [.init(plane: $0.outputA.primaryPlane, state: PlaneState(framebuffer: $0.framebufferA, size: Rig.size))]) },
            expected: { .disabledOutputShowsFramebuffer($0.outputA.id, $0.outputA.primaryPlane, $0.framebufferA) }),
        Row(name: "enabled output without a primary framebuffer",
            commit: { AtomicCommit(outputs: [.init(output: $0.outputA.id, enabled: true)]) },
            expected: { .enabledOutputWithoutPrimary($0.outputA.id) }),
        Row(name: "one bad plane spoils a good one",
            commit: { AtomicCommit(planes: [.init(plane: $0.outputA.primaryPlane, state: PlaneState(framebuffer: $0.framebufferA, size: Rig.size)),
                                            .init(plane: $0.outputA.cursorPlane, state: PlaneState(framebuffer: FramebufferID(999), size: Rig.size))],
                                   outputs: [.init(output: $0.outputA.id, enabled: true)]) },
            expected: { _ in .noSuchFramebuffer(FramebufferID(999)) }),
    ]

    @Test(arguments: rows) func refused(_ row: Row) {
        var rig = Rig()
        let commit = row.commit(rig)
        #expect(throws: row.expected(rig)) { try rig.device.commit(commit, by: row.client(rig)) }
        #expect(!rig.device.hasPendingCommit(rig.outputA.id))
        #expect(!rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1).applied)
    }

    @Test func testOnlyCommitsChangeNothing() throws {
        var rig = Rig()
        var commit = rig.showOnA(rig.framebufferA)
        commit.testOnly = true
        #expect(try rig.device.commit(commit, by: rig.producerA).isEmpty)
        #expect(!rig.device.hasPendingCommit(rig.outputA.id))
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(!tick.applied && tick.events.isEmpty)
        #expect(try !rig.device.output(rig.outputA.id, visibleTo: rig.producerA).configuration.enabled)
        // And a failing test-only commit reports the same error a real one would.
        var bad = AtomicCommit(outputs: [.init(output: rig.outputA.id, enabled: true)])
        bad.testOnly = true
        #expect(throws: DisplayError.enabledOutputWithoutPrimary(rig.outputA.id)) { try rig.device.commit(bad, by: rig.producerA) }
    }

    @Test func tooManyDamageRectsBecomeFullDamage() throws {
        var rig = Rig()
        // 257 rects, some even outside the framebuffer: past the limit they are not looked at.
        let many = (0..<257).map { Rect(x: $0 % 20, y: 0, width: 1, height: 1) }
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, damage: many), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        #expect(tick.planeDamage[rig.outputA.primaryPlane] == .full)
    }

    @Test func damageAtTheLimitIsKept() throws {
        var rig = Rig()
        let rects = (0..<256).map { Rect(x: $0 % 8, y: ($0 / 8) % 6, width: 1, height: 1) }
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA, damage: rects), by: rig.producerA)
        #expect(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1).planeDamage[rig.outputA.primaryPlane] == .rects(rects))
    }

    @Test func propertiesNotMentionedKeepTheirValues() throws {
        var rig = Rig()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        // Moving the output alone keeps the enabled primary plane.
        _ = try rig.device.commit(AtomicCommit(outputs: [.init(output: rig.outputA.id, position: Point(x: 100, y: 0))]), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        let output = try rig.device.output(rig.outputA.id, visibleTo: rig.producerA)
        #expect(output.configuration == OutputConfiguration(enabled: true, mode: DisplayMode(width: 8, height: 6), position: Point(x: 100, y: 0)))
        #expect(try rig.device.planes(on: rig.outputA.id, visibleTo: rig.producerA)[0].state.framebuffer == rig.framebufferA)
    }
}
