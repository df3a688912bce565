import PortholeTestSupport
import Testing
import Geometry
import Pixels
@testable import Display

/// Producers' moves in commits (docs/protocol.md §5.8, version 1.2): validated with the commit,
/// carried to the frame tick when one commit alone changed the plane, turned into damage when the
/// mailbox merges commits, and copied like damage on the copy path.
struct CommitMoveTests {
    static let scroll = CopyMove(destination: Rect(x: 0, y: 0, width: 8, height: 4), source: Point(x: 0, y: 2))
    static let uncovered = Rect(x: 0, y: 4, width: 8, height: 2)

    func show(_ rig: Rig, _ framebuffer: FramebufferID, damage: [Rect]?, moves: [CopyMove]) -> AtomicCommit {
        var commit = rig.showOnA(framebuffer, damage: damage)
        commit.planes[0].moves = moves
        return commit
    }

    /// Rig with framebuffer A on screen for one tick.
    func rigShowingA() throws -> Rig {
        var rig = Rig()
        _ = try rig.device.commit(rig.showOnA(rig.framebufferA), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        return rig
    }

    @Test func aCommitsMovesReachTheTickApartFromItsDamage() throws {
        var rig = try rigShowingA()
        let second = rig.addFramebufferA()
        _ = try rig.device.commit(show(rig, second, damage: [Self.uncovered], moves: [Self.scroll]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        let plane = rig.outputA.primaryPlane
        #expect(tick.planeMoves == [plane: [Self.scroll]])
        #expect(tick.planeDamage == [plane: .rects([Self.uncovered])])
    }

    @Test func aMoveWithoutDamageRectsStillCountsAsAChangeOfThePlane() throws {
        var rig = try rigShowingA()
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: [], moves: [Self.scroll]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.planeMoves[rig.outputA.primaryPlane] == [Self.scroll])
        #expect(tick.planeDamage[rig.outputA.primaryPlane] == .rects([]))
    }

    @Test func commitsMergedInTheMailboxTurnTheirMovesIntoDamage() throws {
        var rig = try rigShowingA()
        let second = rig.addFramebufferA()
        _ = try rig.device.commit(show(rig, second, damage: [Self.uncovered], moves: [Self.scroll]), by: rig.producerA)
        // The next commit's move is relative to a picture that never reached the screen.
        let later = CopyMove(destination: Rect(x: 2, y: 0, width: 6, height: 6), source: Point(x: 0, y: 0))
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: [Rect(x: 0, y: 0, width: 1, height: 1)], moves: [later]),
                                  by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        let plane = rig.outputA.primaryPlane
        #expect(tick.planeMoves.isEmpty)
        guard case .rects(let rects) = tick.planeDamage[plane] else { Issue.record("no rect damage"); return }
        #expect(Region(rects: rects) == Region(rects: [Self.uncovered, Self.scroll.destination, Rect(x: 0, y: 0, width: 1, height: 1),
                                                       later.destination]))
    }

    @Test func aPendingCommitOnAnotherPlaneLeavesThisPlanesMovesAlone() throws {
        var rig = try rigShowingA()
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: [], moves: [Self.scroll]), by: rig.producerA)
        // A second commit that only switches the output on again touches no plane.
        _ = try rig.device.commit(AtomicCommit(outputs: [.init(output: rig.outputA.id, enabled: true)]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.planeMoves[rig.outputA.primaryPlane] == [Self.scroll])
    }

    @Test func wholePlaneDamageDropsTheMovesAndEmptyMovesAreDropped() throws {
        var rig = try rigShowingA()
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: nil, moves: [Self.scroll]), by: rig.producerA)
        #expect(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2).planeMoves.isEmpty)
        let still = CopyMove(destination: Rect(x: 1, y: 1, width: 2, height: 2), source: Point(x: 1, y: 1))
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: [], moves: [still]), by: rig.producerA)
        #expect(rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 3).planeMoves.isEmpty)
    }

    @Test(arguments: [
        CopyMove(destination: Rect(x: 0, y: 0, width: 8, height: 4), source: Point(x: 0, y: 3)),   // source reaches row 6
        CopyMove(destination: Rect(x: 4, y: 0, width: 5, height: 1), source: Point(x: 0, y: 0)),   // destination leaves
        CopyMove(destination: Rect(x: 0, y: 0, width: 0, height: 3), source: Point(x: 1, y: 0)),   // empty
        CopyMove(destination: Rect(x: 0, y: 0, width: 2, height: 2), source: Point(x: -1, y: 0)),  // source left of it
    ])
    func aMoveOutsideTheFramebufferIsRefusedAndChangesNothing(_ move: CopyMove) throws {
        var rig = try rigShowingA()
        let commit = show(rig, rig.framebufferA, damage: [], moves: [move])
        #expect(throws: DisplayError.moveOutsideFramebuffer(rig.outputA.primaryPlane, move, rig.framebufferA)) {
            try rig.device.commit(commit, by: rig.producerA)
        }
        #expect(!rig.device.hasPendingCommit(rig.outputA.id))
    }

    @Test func moreMovesThanTheLimitAreRefused() throws {
        var rig = try rigShowingA()
        let limit = rig.device.limits.maximumMovesPerPlane
        let move = CopyMove(destination: Rect(x: 0, y: 0, width: 1, height: 1), source: Point(x: 1, y: 0))
        _ = try rig.device.commit(show(rig, rig.framebufferA, damage: [], moves: Array(repeating: move, count: limit)), by: rig.producerA)
        let tooMany = show(rig, rig.framebufferA, damage: [], moves: Array(repeating: move, count: limit + 1))
        #expect(throws: DisplayError.tooManyMoves(rig.outputA.primaryPlane, count: limit + 1, maximum: limit)) {
            try rig.device.commit(tooMany, by: rig.producerA)
        }
    }

    @Test func theCopyPathCopiesAMovesDestinationFromTheFramebuffer() throws {
        var rig = Rig()
        let memory = TestMemory(byteCount: 8 * 6 * 4)
        let fb = try rig.device.addFramebuffer(FramebufferDescriptor(format: .xrgb8888, width: 8, height: 6), memory: memory,
                                               path: .copy, by: rig.producerA)
        func paintRow(_ y: Int, _ colour: UInt32) { for x in 0..<8 { store(colour, format: .xrgb8888, in: memory, at: (y * 8 + x) * 4) } }
        for y in 0..<6 { paintRow(y, UInt32(y + 1)) }
        _ = try rig.device.commit(rig.showOnA(fb), by: rig.producerA)
        _ = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 1)
        // Scroll up by two rows; the two uncovered rows are drawn anew.
        for y in 0..<6 { paintRow(y, y < 4 ? UInt32(y + 3) : 0x99) }
        _ = try rig.device.commit(show(rig, fb, damage: [Self.uncovered], moves: [Self.scroll]), by: rig.producerA)
        let tick = rig.device.frameTick(rig.outputA.id, timestampNanoseconds: 2)
        #expect(tick.copiedBytes == 8 * 6 * 4)
        var composer = Composer()
        _ = composer.compose(size: Rig.size, layers: rig.device.scanoutLayers(of: rig.outputA.id), planeDamage: [:])
        #expect((0..<6).map { composer.scanout[3, $0] } == [3, 4, 5, 6, 0x99, 0x99])
    }
}

/// Damage that piles up between two frames the RFB side takes (`DeviceOutputSource`).
struct FrameDamageFollowingTests {
    @Test func movesSurviveOnlyAtTheStart() {
        let first = FrameDamage(moves: [CopyMove(destination: Rect(x: 0, y: 0, width: 4, height: 4), source: Point(x: 0, y: 2))],
                                region: Region(Rect(x: 0, y: 4, width: 4, height: 2)))
        let second = FrameDamage(moves: [CopyMove(destination: Rect(x: 8, y: 0, width: 2, height: 2), source: Point(x: 9, y: 0))],
                                 region: Region(Rect(x: 20, y: 0, width: 1, height: 1)))
        #expect(FrameDamage().followed(by: first) == first)
        let both = first.followed(by: second)
        #expect(both.moves == first.moves)
        #expect(both.region == Region(rects: [Rect(x: 0, y: 4, width: 4, height: 2), Rect(x: 8, y: 0, width: 2, height: 2),
                                              Rect(x: 20, y: 0, width: 1, height: 1)]))
        #expect(second.changedArea == Region(rects: [Rect(x: 8, y: 0, width: 2, height: 2), Rect(x: 20, y: 0, width: 1, height: 1)]))
    }
}
