import Display
import Geometry
import Pixels
import PortholeTestSupport
import Testing

/// Moves found in damage must carry a viewer exactly from the previous frame to the new one: a
/// model viewer applies the moves to the previous frame, then copies the remaining damage's pixels
/// from the new one, and must end up with the new frame in every case, found move or not.
struct MoveDetectorTests {
    private let detector = MoveDetector()

    private func detect(_ previous: PixelBuffer, _ current: PixelBuffer, damage: Region, expected: Point? = nil,
                        exact: Bool = true) -> FrameDamage {
        previous.withView { old in
            current.withView { new in detector.detect(previous: old, current: new, damage: damage, expected: expected, exact: exact) }
        }
    }

    /// Whether a viewer holding `previous` shows exactly `current` after `damage` (a Bool, so that a
    /// failure does not print two frames).
    private func isExact(_ previous: PixelBuffer, _ damage: FrameDamage, _ current: PixelBuffer) -> Bool {
        viewerPicture(from: previous, applying: damage, from: current) == current
    }

    /// Scrolls the text in `area` by `dy` (negative: up, as when reading on) and writes new lines
    /// where the scroll exposed the page.
    private func scrolled(_ previous: PixelBuffer, area: Rect, dy: Int, page: inout TextPage) -> PixelBuffer {
        var current = previous
        let kept = Rect(x: area.x, y: dy < 0 ? area.y - dy : area.y, width: area.width, height: area.height - abs(dy))
        current.copy(kept, to: Point(x: area.x, y: kept.y + dy))
        let exposed = dy < 0 ? Rect(x: area.x, y: area.maxY + dy, width: area.width, height: -dy)
                             : Rect(x: area.x, y: area.y, width: area.width, height: dy)
        var y = exposed.minY
        while y < exposed.maxY {
            page.drawLine(into: &current, in: Rect(x: exposed.x, y: y, width: exposed.width, height: min(TextPage.lineHeight, exposed.maxY - y)))
            y += TextPage.lineHeight
        }
        return current
    }

    @Test(arguments: [-60, -20, 20, 61] + (-9...9).filter { $0 != 0 })
    func scrolledTextIsFoundAsOneVerticalMove(dy: Int) {
        var page = TextPage(seed: UInt64(100 + dy + 64))
        let previous = page.page(width: 400, height: 300)
        let area = Rect(x: 20, y: 30, width: 320, height: 240)
        let current = scrolled(previous, area: area, dy: dy, page: &page)
        let found = detect(previous, current, damage: Region(area))
        let move = try! #require(found.moves.first)
        #expect(found.moves.count == 1)
        #expect(move.dx == 0 && move.dy == dy)
        // Nearly all of the scrolled rows are copied, not sent.
        #expect(move.destination.area >= area.width * (area.height - abs(dy)) * 9 / 10, "\(move)")
        #expect(isExact(previous, found, current))
    }

    @Test(arguments: [(37, -23), (-80, 0), (0, 45), (5, 3), (-120, -70)])
    func aWindowDraggedOverTheDesktopIsFoundAsAMove(dx: Int, dy: Int) {
        let background = TestImages.desktop(width: 480, height: 320)
        let window = TestImages.random(width: 140, height: 100, seed: 5)
        let from = Point(x: 170, y: 110), to = Point(x: 170 + dx, y: 110 + dy)
        var previous = background, current = background
        previous.blit(window, at: from)
        current.blit(window, at: to)
        let damage = Region(Rect(origin: from, size: window.size)).union(Rect(origin: to, size: window.size))
        let found = detect(previous, current, damage: damage)
        let move = try! #require(found.moves.first)
        #expect(move.dx == dx && move.dy == dy)
        #expect(move.destination.area >= window.size.area / 2, "\(move)")
        #expect(isExact(previous, found, current))
    }

    /// The last move's offset, tried first: right, it gives the same move (this scroll verifies
    /// over most of the area); wrong, the search still finds the real one.
    @Test(arguments: [-20, 7])
    func theExpectedOffsetIsTriedFirstAndAWrongOneDoesNotHide(dy: Int) {
        var page = TextPage(seed: UInt64(300 + dy))
        let previous = page.page(width: 400, height: 300)
        let area = Rect(x: 20, y: 30, width: 320, height: 240)
        let current = scrolled(previous, area: area, dy: dy, page: &page)
        let searched = detect(previous, current, damage: Region(area))
        for expected in [Point(x: 0, y: dy), Point(x: 0, y: dy + 40), Point(x: 13, y: 0)] {
            let found = detect(previous, current, damage: Region(area), expected: expected)
            let move = try! #require(found.moves.first, "expected \(expected)")
            #expect(move.dx == 0 && move.dy == dy, "expected \(expected)")
            #expect(move.destination.area * 10 >= searched.moves[0].destination.area * 9, "expected \(expected): \(move)")
            #expect(isExact(previous, found, current))
        }
    }

    @Test func aScrollWithOtherChangesStaysExact() {
        var page = TextPage(seed: 7)
        let previous = page.page(width: 400, height: 300)
        let area = Rect(x: 0, y: 20, width: 400, height: 260)
        var current = scrolled(previous, area: area, dy: -40, page: &page)
        // A blinking cursor inside the scrolled text, a clock outside it.
        current.fill(Rect(x: 100, y: 150, width: 2, height: 16), with: 0x00ff_0000)
        current.fill(Rect(x: 350, y: 2, width: 40, height: 14), with: 0x0000_ff00)
        let damage = Region(area).union(Rect(x: 350, y: 2, width: 40, height: 14))
        let found = detect(previous, current, damage: damage)
        #expect(found.moves.count == 1 && found.moves.first?.dy == -40)
        #expect(isExact(previous, found, current))
    }

    @Test func aScrollBesideAnotherLargeChangeIsFoundInItsOwnPart() {
        var page = TextPage(seed: 17)
        let previous = page.page(width: 480, height: 300)
        let area = Rect(x: 0, y: 0, width: 300, height: 300)
        var current = scrolled(previous, area: area, dy: -20, page: &page)
        let other = Rect(x: 340, y: 40, width: 120, height: 200)
        current.blit(TestImages.random(width: other.width, height: other.height, seed: 19), at: other.origin)
        let found = detect(previous, current, damage: Region(area).union(other))
        #expect(found.moves.count == 1 && found.moves.first?.dy == -20 && found.moves.first?.dx == 0)
        #expect(found.region.contains(other))
        #expect(isExact(previous, found, current))
    }

    /// Estimates (`exact: false`, every eighth row compared) are marked unverified, and what a
    /// viewer without copies is sent, the move's destination and the damage outside it as
    /// pixels, covers the damage: such a viewer ends up exact whatever the estimate says. On a
    /// clean scroll the estimate is the verified move.
    @Test(arguments: [-20, -7, 33])
    func estimatesAreUnverifiedAndShapeOnly(dy: Int) {
        var page = TextPage(seed: UInt64(500 + dy + 64))
        let previous = page.page(width: 400, height: 300)
        let area = Rect(x: 20, y: 30, width: 320, height: 240)
        var current = scrolled(previous, area: area, dy: dy, page: &page)
        let exact = detect(previous, current, damage: Region(area))
        let estimate = detect(previous, current, damage: Region(area), exact: false)
        #expect(exact.movesVerified && !estimate.movesVerified)
        #expect(estimate.moves == exact.moves)
        // A changed row inside the scrolled text, between two rows the estimate compares.
        let row = area.minY + 100 + (MoveDetector.estimateRowStep / 2)
        current.fill(Rect(x: area.minX + 10, y: row, width: 200, height: 1), with: 0x00ff_00ff)
        let exactAgain = detect(previous, current, damage: Region(area))
        let estimateAgain = detect(previous, current, damage: Region(area), exact: false)
        #expect(isExact(previous, exactAgain, current))
        let destination = estimateAgain.moves.first?.destination ?? .zero
        #expect(destination.contains(Rect(x: area.minX + 10, y: row, width: 200, height: 1)),
                "the estimate skipped the changed row: \(destination)")
        #expect(estimateAgain.region.union(destination).contains(area), "pixels for a viewer without copies cover the damage")
        // As copies it would be wrong: that is why it is marked.
        #expect(!isExact(previous, estimateAgain, current))
    }

    @Test func newContentIsNotAMove() {
        let previous = TestImages.desktop(width: 300, height: 200)
        var current = previous
        current.blit(TestImages.random(width: 200, height: 150, seed: 9), at: Point(x: 50, y: 20))
        let damage = Region(Rect(x: 50, y: 20, width: 200, height: 150))
        let found = detect(previous, current, damage: damage)
        #expect(found == FrameDamage(region: damage))
        // Nothing changed at all: nothing moved either.
        #expect(detect(previous, previous, damage: damage) == FrameDamage(region: damage))
        #expect(detect(previous, current, damage: Region()).isEmpty)
    }

    @Test func smallDamageIsNotSearched() {
        var page = TextPage(seed: 3)
        let previous = page.page(width: 200, height: 200)
        let area = Rect(x: 10, y: 10, width: 180, height: 40)
        let current = scrolled(previous, area: area, dy: -20, page: &page)
        #expect(detect(previous, current, damage: Region(area)).moves.isEmpty)
    }

    /// Stripes and repeated rows match at many offsets; whatever is found must still be exact.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func repeatedContentNeverGivesAWrongPicture(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let width = 256, height = 192
        // Rows from a small set of random rows, with runs of equal rows, and vertical stripes.
        let patterns = (0..<4).map { k in (0..<width).map { x in UInt32(truncatingIfNeeded: (x / (2 + k)) % 2 == 0 ? 0x00ff_ffff : rng.next() & 0xff) } }
        var previous = PixelBuffer(width: width, height: height)
        for y in 0..<height { for x in 0..<width { previous[x, y] = patterns[(y / (1 + Int(seed))) % patterns.count][x] } }
        var current = previous
        let area = Rect(x: 8, y: 8, width: 240, height: 176)
        current.copy(Rect(x: 16, y: 16 + 5, width: 224, height: 155), to: Point(x: 16 + Int(seed) - 2, y: 16))
        for _ in 0..<30 { current[rng.int(16...239), rng.int(16...175)] ^= 0x0000_8000 }
        let found = detect(previous, current, damage: Region(area))
        #expect(found.moves.count <= 1)
        #expect(isExact(previous, found, current))
    }

    @Test func paddedRowsAreReadThroughTheStride() {
        var page = TextPage(seed: 11)
        let previous = page.page(width: 300, height: 200)
        let area = Rect(x: 0, y: 0, width: 300, height: 200)
        let current = scrolled(previous, area: area, dy: -20, page: &page)
        // Each frame in rows of 320 pixels, with different garbage in the padding.
        func padded(_ b: PixelBuffer, fill: UInt32) -> [UInt32] {
            var out = [UInt32](repeating: fill, count: 320 * b.height)
            for y in 0..<b.height { for x in 0..<b.width { out[y * 320 + x] = b[x, y] } }
            return out
        }
        let old = padded(previous, fill: 0x0012_3456), new = padded(current, fill: 0x0065_4321)
        let found = old.withUnsafeBufferPointer { o in new.withUnsafeBufferPointer { n in
            detector.detect(previous: PixelView(base: o.baseAddress!, width: 300, height: 200, stride: 320),
                            current: PixelView(base: n.baseAddress!, width: 300, height: 200, stride: 320), damage: Region(area))
        } }
        #expect(found.moves.first?.dy == -20)
        #expect(isExact(previous, found, current))
    }

    @Test func refineryFindsMovesOnlyWhenTheSourceReportsNone() {
        var page = TextPage(seed: 13)
        let previous = page.page(width: 320, height: 240)
        let current = scrolled(previous, area: previous.bounds, dy: -20, page: &page)
        let refinery = DamageRefinery(moveDetector: detector)
        let found = refinery.refine(.full(previous.bounds), previous: previous, current: current)
        #expect(found.moves.count == 1 && found.moves.first?.dy == -20)
        #expect(isExact(previous, found, current))
        // A reported move is kept as it is, and the refinery without a detector finds none.
        let reported = FrameDamage(moves: [CopyMove(destination: Rect(x: 0, y: 0, width: 320, height: 220), source: Point(x: 0, y: 20))],
                                   region: Region(Rect(x: 0, y: 220, width: 320, height: 20)))
        #expect(refinery.refine(reported, previous: previous, current: current).moves == reported.moves)
        #expect(DamageRefinery().refine(.full(previous.bounds), previous: previous, current: current).moves.isEmpty)
    }
}
