import Geometry
import Testing
@testable import RFBEncoders

/// `UpdateLanes.split`: lanes are the update's rectangles in order, cut only at grid rows, of
/// about equal area, never more than asked for and never empty.
struct UpdateLanesTests {
    /// Checks the invariants every split must keep and returns the lane areas.
    @discardableResult
    func check(_ jobs: [LaneJob], lanes: Int, grid: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [Int] {
        let split = UpdateLanes.split(jobs, lanes: lanes, rowGrid: grid)
        #expect(split.count <= lanes, sourceLocation: sourceLocation)
        #expect(split.allSatisfy { !$0.isEmpty }, sourceLocation: sourceLocation)
        // Concatenated, the lanes are the jobs in order, each possibly cut into consecutive bands.
        var pieces = split.flatMap { $0 }[...]
        for job in jobs where !job.rect.isEmpty {
            var y = job.rect.minY
            while y < job.rect.maxY {
                guard let piece = pieces.popFirst() else {
                    Issue.record("\(job.rect) is not covered from row \(y)", sourceLocation: sourceLocation)
                    return []
                }
                #expect(piece.lossy == job.lossy && piece.rect.minX == job.rect.minX && piece.rect.width == job.rect.width
                        && piece.rect.minY == y && piece.rect.maxY <= job.rect.maxY && !piece.rect.isEmpty,
                        "\(piece.rect) is not the next band of \(job.rect) from row \(y)", sourceLocation: sourceLocation)
                if piece.rect.maxY < job.rect.maxY {
                    #expect((piece.rect.maxY - job.rect.minY) % grid == 0, "cut off the grid: \(piece.rect) of \(job.rect)",
                            sourceLocation: sourceLocation)
                }
                y = piece.rect.maxY
            }
        }
        #expect(pieces.isEmpty, "pieces left over: \(Array(pieces))", sourceLocation: sourceLocation)
        return split.map { $0.reduce(0) { $0 + $1.rect.area } }
    }

    @Test(arguments: [1, 2, 3, 4, 8])
    func oneFullFrameSplitsIntoEqualStripes(lanes: Int) {
        let areas = check([LaneJob(rect: Rect(x: 0, y: 0, width: 1920, height: 1080), lossy: false)], lanes: lanes, grid: 64)
        #expect(areas.count == lanes)
        // Each lane is within one grid row (of 1920 x 64 pixels) of an equal share.
        let share = 1920 * 1080 / lanes
        #expect(areas.allSatisfy { abs($0 - share) <= 1920 * 64 }, "\(areas)")
    }

    @Test func manyRectsKeepOrderAndBalance() {
        var jobs: [LaneJob] = []
        for i in 0..<40 {
            jobs.append(LaneJob(rect: Rect(x: (i * 37) % 300, y: i * 50, width: 100 + (i * 53) % 400, height: 10 + (i * 29) % 90),
                                lossy: i % 3 == 0))
        }
        let total = jobs.reduce(0) { $0 + $1.rect.area }
        for lanes in 1...4 {
            for grid in [1, 16, 64] {
                let areas = check(jobs, lanes: lanes, grid: grid)
                #expect(areas.count == lanes, "\(lanes) lanes, grid \(grid): \(areas)")
                #expect(areas.allSatisfy { abs($0 - total / lanes) <= 500 * grid }, "\(areas)")
            }
        }
    }

    @Test func edgeCases() {
        #expect(UpdateLanes.split([], lanes: 3, rowGrid: 64).isEmpty)
        // Fewer rows than lanes: at most one lane per grid row.
        let thin = check([LaneJob(rect: Rect(x: 0, y: 0, width: 4096, height: 1), lossy: false)], lanes: 4, grid: 1)
        #expect(thin == [4096])
        let short = check([LaneJob(rect: Rect(x: 5, y: 7, width: 1000, height: 100), lossy: true)], lanes: 4, grid: 64)
        #expect(short.count == 2 && short[0] == 64_000)
        // Empty rects vanish; a single pixel stays.
        check([LaneJob(rect: Rect(x: 0, y: 0, width: 0, height: 5), lossy: false),
               LaneJob(rect: Rect(x: 3, y: 3, width: 1, height: 1), lossy: false)], lanes: 2, grid: 16)
        check([LaneJob(rect: Rect(x: 0, y: 0, width: 1, height: 300), lossy: false)], lanes: 3, grid: 16)
    }
}
