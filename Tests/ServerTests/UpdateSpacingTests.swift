import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
@testable import Server
import Testing

/// `--max-fps`: the update scheduler with the clock given as a parameter. No sockets, no sleeps:
/// each step states the time, and the tests check when updates may go and what they carry.
struct UpdateSpacingTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

    private func frame(_ pixels: PixelBuffer, sequence: UInt64) -> LiveOutput.Frame {
        LiveOutput.Frame(pixels: pixels, sequence: sequence,
                         cursor: LiveOutput.CursorState(image: .arrow, imageSerial: 1, position: nil),
                         layout: DesktopLayout(singleScreen: pixels.size), resizedBy: nil, cursorMovedBy: nil, name: "test")
    }

    /// The rectangles of a FramebufferUpdate (Raw, 32 bpp, no pseudo-rectangles), as a region.
    private func updatedRegion(_ step: ViewerUpdateScheduler.UpdateStep, sourceLocation: SourceLocation = #_sourceLocation) throws -> Region {
        guard case .send(var bytes) = step else {
            Issue.record("expected an update, got \(step)", sourceLocation: sourceLocation)
            return Region()
        }
        struct Truncated: Error {}
        func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let value = bytes.readInteger(as: T.self) else { throw Truncated() }
            return value
        }
        #expect(try read(UInt8.self) == 0, "not a FramebufferUpdate", sourceLocation: sourceLocation)
        _ = try read(UInt8.self)
        let count = try read(UInt16.self)
        var region = Region()
        for _ in 0..<count {
            let x = Int(try read(UInt16.self)), y = Int(try read(UInt16.self))
            let w = Int(try read(UInt16.self)), h = Int(try read(UInt16.self))
            #expect(try read(Int32.self) == 0, "not Raw", sourceLocation: sourceLocation)
            guard bytes.readableBytes >= w * h * 4 else { throw Truncated() }
            bytes.moveReaderIndex(forwardBy: w * h * 4)
            region.formUnion(Rect(x: x, y: y, width: w, height: h))
        }
        #expect(bytes.readableBytes == 0, sourceLocation: sourceLocation)
        return region
    }

    private func isIdle(_ step: ViewerUpdateScheduler.UpdateStep) -> Bool { if case .idle = step { true } else { false } }
    private func waitDeadline(_ step: ViewerUpdateScheduler.UpdateStep) -> NIODeadline? { if case .wait(let d) = step { d } else { nil } }

    /// The cap is one update per interval on average, with a burst of two after a pause: the
    /// second part of a frame that came in two goes at once, what follows waits and is merged.
    @Test func updatesAreCappedWithABurstOfTwoAndDamageMeanwhileIsMerged() throws {
        var picture = TestImages.desktop(width: 64, height: 48)
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type), minimumUpdateInterval: .milliseconds(100))
        scheduler.start(with: frame(picture, sequence: 0))
        scheduler.request(incremental: false, rect: picture.bounds)
        #expect(try updatedRegion(scheduler.nextUpdate(at: at(0))) == Region(picture.bounds))

        // A change 10 ms later is the burst's second update: it goes at once.
        let first = Rect(x: 1, y: 2, width: 5, height: 4), second = Rect(x: 40, y: 30, width: 8, height: 8)
        let third = Rect(x: 20, y: 10, width: 6, height: 6)
        scheduler.request(incremental: true, rect: picture.bounds)
        picture.fill(first, with: 0x00ff0000)
        _ = scheduler.frameArrived(frame(picture, sequence: 1), damage: .full(first))
        #expect(try updatedRegion(scheduler.nextUpdate(at: at(10))) == Region(first))

        // Two more changes at 20 and 50 ms: held back until 100 ms (the sustained rate), then one
        // update carries both.
        scheduler.request(incremental: true, rect: picture.bounds)
        picture.fill(second, with: 0x0000ff00)
        _ = scheduler.frameArrived(frame(picture, sequence: 2), damage: .full(second))
        #expect(waitDeadline(scheduler.nextUpdate(at: at(20))) == at(100))
        picture.fill(third, with: 0x000000ff)
        _ = scheduler.frameArrived(frame(picture, sequence: 3), damage: .full(third))
        #expect(waitDeadline(scheduler.nextUpdate(at: at(50))) == at(100))
        #expect(waitDeadline(scheduler.nextUpdate(at: at(99))) == at(100))
        #expect(try updatedRegion(scheduler.nextUpdate(at: at(100))) == Region(second).union(third))

        // Nothing owed: idle, not waiting, however soon it asks again.
        scheduler.request(incremental: true, rect: picture.bounds)
        #expect(isIdle(scheduler.nextUpdate(at: at(101))))
        // After a pause the burst is back: two changes 10 ms apart go at once, a third waits an
        // interval from the first of them.
        for (index, (time, rect)) in [(Int64(350), first), (360, second)].enumerated() {
            picture.fill(rect, with: 0x00ffffff - UInt32(index))
            _ = scheduler.frameArrived(frame(picture, sequence: UInt64(4 + index)), damage: .full(rect))
            #expect(try updatedRegion(scheduler.nextUpdate(at: at(time))) == Region(rect))
            scheduler.request(incremental: true, rect: picture.bounds)
        }
        picture.fill(third, with: 0x00808080)
        _ = scheduler.frameArrived(frame(picture, sequence: 6), damage: .full(third))
        #expect(waitDeadline(scheduler.nextUpdate(at: at(370))) == at(450))
        #expect(try updatedRegion(scheduler.nextUpdate(at: at(450))) == Region(third))
    }

    @Test func aViewerThatHasNotAskedIsIdleNotWaiting() {
        let picture = TestImages.desktop(width: 32, height: 32)
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type), minimumUpdateInterval: .milliseconds(100))
        scheduler.start(with: frame(picture, sequence: 0))
        scheduler.request(incremental: false, rect: picture.bounds)
        guard case .send = scheduler.nextUpdate(at: at(0)) else { Issue.record("no first update"); return }
        _ = scheduler.frameArrived(frame(picture, sequence: 1), damage: .full(Rect(x: 0, y: 0, width: 4, height: 4)))
        #expect(isIdle(scheduler.nextUpdate(at: at(10))), "damage without a request must not start a timer")
    }

    @Test func withoutASpacingUpdatesGoAtOnce() throws {
        var picture = TestImages.desktop(width: 32, height: 32)
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type))
        scheduler.start(with: frame(picture, sequence: 0))
        for step in 0..<5 {
            scheduler.request(incremental: step > 0, rect: picture.bounds)
            let rect = Rect(x: step * 4, y: step * 4, width: 4, height: 4)
            picture.fill(rect, with: UInt32(step + 1) * 0x00101010)
            _ = scheduler.frameArrived(frame(picture, sequence: UInt64(step + 1)), damage: .full(rect))
            let region = try updatedRegion(scheduler.nextUpdate(at: at(0)))
            #expect(region == (step == 0 ? Region(picture.bounds) : Region(rect)))
        }
    }
}
