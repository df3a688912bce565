import Display
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// Refined damage must still carry a viewer from the previous frame to the new one: a model
/// viewer applies the moves, then copies the refined region's pixels, and must end up with the new
/// frame exactly. The refinement may only shrink the reported region.
struct DamageRefineryTests {
    private let refinery = DamageRefinery(comparer: TileComparer(tileSize: 16))

    /// Copies a random block of `picture` (at most half its size each way) to a random place and
    /// returns that move.
    private static func applyRandomMove(_ rng: inout SplitMix, to picture: inout PixelBuffer) -> CopyMove {
        let width = picture.width, height = picture.height
        let w = rng.int(1...width / 2), h = rng.int(1...height / 2)
        let source = Point(x: rng.int(0...(width - w)), y: rng.int(0...(height - h)))
        let destination = Rect(x: rng.int(0...(width - w)), y: rng.int(0...(height - h)), width: w, height: h)
        picture.copy(Rect(origin: source, size: destination.size), to: destination.origin)
        return CopyMove(destination: destination, source: source)
    }

    @Test func overReportedDamageShrinksToTheChangedTiles() {
        let previous = TestImages.desktop(width: 120, height: 90)
        var current = previous
        current[50, 40] ^= 0x0000ff
        let refined = refinery.refine(.full(previous.bounds), previous: previous, current: current)
        #expect(refined.region == Region(Rect(x: 48, y: 32, width: 16, height: 16)))
        #expect(viewerPicture(from: previous, applying: refined, from: current) == current)
        // Damage where nothing changed refines to nothing.
        #expect(refinery.refine(.full(previous.bounds), previous: previous, current: previous).isEmpty)
    }

    @Test func damageInsideAMoveDestinationIsKeptEvenWhereThePreviousFrameMatches() {
        // A block moves right by 20; then the destination is painted back with what was there
        // before the move. The new frame equals the previous one there, but a viewer that applied
        // the move holds the moved block, so the damage must stay.
        let previous = TestImages.random(width: 80, height: 60, seed: 11)
        let move = CopyMove(destination: Rect(x: 30, y: 10, width: 20, height: 20), source: Point(x: 10, y: 10))
        var current = previous
        current.copy(Rect(x: 10, y: 10, width: 20, height: 20), to: Point(x: 30, y: 10))
        current.blit(previous.cropped(to: move.destination), at: move.destination.origin)
        let damage = FrameDamage(moves: [move], region: Region(move.destination))
        let refined = refinery.refine(damage, previous: previous, current: current)
        #expect(refined.moves == [move])
        #expect(refined.region == Region(move.destination))
        #expect(viewerPicture(from: previous, applying: refined, from: current) == current)
    }

    @Test func randomMovesAndDrawingStayExactAfterRefinement() {
        var rng = SplitMix(seed: 12)
        for round in 0..<150 {
            let width = rng.int(20...100), height = rng.int(20...80)
            let previous = TestImages.random(width: width, height: height, seed: UInt64(round))
            var current = previous
            var moves: [CopyMove] = []
            for _ in 0..<rng.int(0...2) {
                moves.append(Self.applyRandomMove(&rng, to: &current))
            }
            var reported = Region()
            for _ in 0..<rng.int(0...3) {
                let r = Rect(x: rng.int(-5...width), y: rng.int(-5...height), width: rng.int(0...30), height: rng.int(0...30))
                // Sometimes the source paints what was there before (a change that undoes itself).
                if rng.bool() { current.fill(r, with: UInt32(rng.int(0...0xffffff))) } else { current.blit(previous.cropped(to: r.intersection(previous.bounds)), at: r.intersection(previous.bounds).origin) }
                reported.formUnion(r)
            }
            // Sources over-report: add damage where nothing was drawn.
            if rng.bool() { reported.formUnion(Rect(x: rng.int(0...width), y: rng.int(0...height), width: rng.int(0...40), height: rng.int(0...40))) }
            let damage = FrameDamage(moves: moves, region: reported)
            let refined = refinery.refine(damage, previous: previous, current: current)
            #expect(refined.moves == moves, "round \(round)")
            #expect(refined.region.subtracting(reported).isEmpty, "round \(round): refinement grew the damage")
            #expect(viewerPicture(from: previous, applying: refined, from: current) == current, "round \(round): the viewer's picture is wrong")
        }
    }

    @Test func framesOfAnotherSizeAreNotCompared() {
        let previous = TestImages.random(width: 40, height: 30, seed: 1)
        let current = TestImages.random(width: 50, height: 30, seed: 1)
        let damage = FrameDamage.full(current.bounds)
        #expect(refinery.refine(damage, previous: previous, current: current) == damage)
    }

    // MARK: - Pixel-exact damage (ChangedPixelTrimmer)

    private let trimming = DamageRefinery(comparer: TileComparer(tileSize: 16), moveDetector: MoveDetector(), trimmer: ChangedPixelTrimmer())

    /// What a viewer that takes no copies shows after receiving `damage.withoutCopies`.
    private func copylessPicture(from previous: PixelBuffer, applying damage: FrameDamage, from current: PixelBuffer) -> PixelBuffer {
        viewerPicture(from: previous, applying: damage.withoutCopies, from: current)
    }

    @Test func linesOfTextShrinkToTheirRowsWhenThatSavesEnough() {
        // Two 12-row "lines" change in a white area reported whole: the gaps between them and the
        // margins stay out, for viewers with copies and without.
        let previous = PixelBuffer(width: 160, height: 64, fill: 0xffffff)
        var current = previous
        current.fill(Rect(x: 20, y: 3, width: 100, height: 12), with: 0x202020)
        current.fill(Rect(x: 20, y: 23, width: 60, height: 12), with: 0x202020)
        let refined = trimming.refine(.full(previous.bounds), previous: previous, current: current)
        let lines = Region(rects: [Rect(x: 20, y: 3, width: 100, height: 12), Rect(x: 20, y: 23, width: 60, height: 12)])
        #expect(refined.changedPixels == lines)
        #expect(refined.region == lines)
        #expect(viewerPicture(from: previous, applying: refined, from: current) == current)
        #expect(copylessPicture(from: previous, applying: refined, from: current) == current)
    }

    @Test func cuttingThatSavesLessThanAQuarterIsNotDone() {
        // A change that fills most of its tiles: the tiles stay one rectangle.
        let previous = PixelBuffer(width: 32, height: 32, fill: 0)
        var current = previous
        current.fill(Rect(x: 1, y: 1, width: 30, height: 30), with: 5)
        let refined = trimming.refine(.full(previous.bounds), previous: previous, current: current)
        #expect(refined.region == Region(previous.bounds))
        #expect(refined.changedPixels == nil)
        #expect(refined.withoutCopies == refined)
    }

    @Test func aScrollGivesViewersWithoutCopiesOnlyTheRowsThatDiffer() {
        // Text lines scroll up by one line: the move covers the area, and a viewer without copies
        // is owed only the rows where old and new lines differ, not the whole destination.
        var previous = PixelBuffer(width: 128, height: 160, fill: 0xffffff)
        for line in 0..<8 { previous.fill(Rect(x: 8, y: line * 20 + 4, width: 40 + line * 9, height: 10), with: 0x101010) }
        var current = previous
        current.copy(Rect(x: 0, y: 20, width: 128, height: 140), to: Point(x: 0, y: 0))
        current.fill(Rect(x: 0, y: 140, width: 128, height: 20), with: 0xffffff)
        let refined = trimming.refine(.full(previous.bounds), previous: previous, current: current)
        #expect(viewerPicture(from: previous, applying: refined, from: current) == current)
        #expect(copylessPicture(from: previous, applying: refined, from: current) == current)
        let owed = refined.withoutCopies.region
        #expect(owed.area * 2 < previous.bounds.area, "owed \(owed.area) of \(previous.bounds.area) pixels")
        #expect(owed.intersection(Rect(x: 0, y: 0, width: 128, height: 4)).isEmpty, "the blank rows above the first line are owed: \(owed)")
    }

    /// With every consumer taking copies, a scroll found in damage reported without moves is
    /// trimmed outside its destination only (the destination goes as CopyRect whatever its pixels
    /// are): the damage left is the rows of the new line that differ, and it carries a viewer to
    /// the new frame.
    @Test func aScrollFoundForViewersWithCopiesLeavesOnlyTheNewLinesRows() {
        var page = TextPage(seed: 77)
        let previous = page.page(width: 400, height: 300)
        let area = Rect(x: 20, y: 30, width: 320, height: 240)
        var current = previous
        current.copy(Rect(x: area.x, y: area.y + 20, width: area.width, height: area.height - 20), to: area.origin)
        let exposed = Rect(x: area.x, y: area.maxY - 20, width: area.width, height: 20)
        page.drawLine(into: &current, in: exposed)
        let refined = trimming.refine(FrameDamage(region: Region(area)), previous: previous, current: current, changedPixelsWanted: false)
        #expect(refined.moves.count == 1)
        #expect(refined.changedPixels == nil)
        #expect(viewerPicture(from: previous, applying: refined, from: current) == current)
        let destinations = Region(rects: refined.moves.map(\.destination))
        let outside = refined.region.subtracting(destinations)
        #expect(!outside.isEmpty)
        #expect(outside.area < exposed.area, "only the new line's differing pixels: \(outside)")
    }

    @Test func randomChangesStayExactForViewersWithAndWithoutCopies() {
        var rng = SplitMix(seed: 31)
        for round in 0..<150 {
            let width = rng.int(20...120), height = rng.int(20...90)
            let previous = TestImages.desktop(width: width, height: height)
            var current = previous
            var moves: [CopyMove] = []
            if rng.bool() {
                moves.append(Self.applyRandomMove(&rng, to: &current))
            }
            var reported = Region()
            for _ in 0..<rng.int(0...4) {
                let r = Rect(x: rng.int(0...width - 1), y: rng.int(0...height - 1), width: rng.int(1...40), height: rng.int(1...6))
                current.fill(r.intersection(current.bounds), with: UInt32(rng.int(0...0xffffff)))
                reported.formUnion(r)
            }
            if rng.bool() { reported.formUnion(previous.bounds) }
            let refined = trimming.refine(FrameDamage(moves: moves, region: reported), previous: previous, current: current)
            #expect(refined.region.subtracting(reported.union(Region(rects: refined.moves.map(\.destination)))).isEmpty, "round \(round): grew")
            #expect(viewerPicture(from: previous, applying: refined, from: current) == current, "round \(round): with copies")
            #expect(copylessPicture(from: previous, applying: refined, from: current) == current, "round \(round): without copies")
            // When every viewer takes copies, the changed pixels are not worked out, and the
            // damage still carries a viewer to the new frame.
            let forCopies = trimming.refine(FrameDamage(moves: moves, region: reported), previous: previous, current: current,
                                            changedPixelsWanted: false)
            #expect(forCopies.changedPixels == nil)
            #expect(forCopies.moves == refined.moves)
            #expect(viewerPicture(from: previous, applying: forCopies, from: current) == current, "round \(round): copies only")
            // When no viewer takes copies, a move found is an estimate: unverified, and exact as
            // pixels for viewers with copies (`withoutMoves`) and without. Reported moves stay.
            let estimated = trimming.refine(FrameDamage(moves: moves, region: reported), previous: previous, current: current,
                                            exactMoves: false)
            #expect(estimated.movesVerified == (!moves.isEmpty || estimated.moves.isEmpty), "round \(round)")
            #expect(copylessPicture(from: previous, applying: estimated, from: current) == current, "round \(round): estimated, without copies")
            let asPixels = estimated.movesVerified ? estimated : estimated.withoutMoves
            #expect(viewerPicture(from: previous, applying: asPixels, from: current) == current, "round \(round): estimated, with copies")
        }
    }
}
