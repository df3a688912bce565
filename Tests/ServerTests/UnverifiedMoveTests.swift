import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBEncoders
@testable import Server
import Testing

/// A move the refinery only estimated (`FrameDamage.movesVerified` false: no viewer took copies
/// when the frame was refined) never goes out as CopyRect, even to a viewer that takes copies:
/// it gets the pixels. A verified one goes as a copy.
struct UnverifiedMoveTests {
    private func frame(_ pixels: PixelBuffer, sequence: UInt64) -> LiveOutput.Frame {
        LiveOutput.Frame(pixels: pixels, sequence: sequence,
                         cursor: LiveOutput.CursorState(image: .arrow, imageSerial: 1, position: nil),
                         layout: DesktopLayout(singleScreen: pixels.size), resizedBy: nil, cursorMovedBy: nil, name: "test")
    }

    /// The encodings of the rectangles of a FramebufferUpdate of Raw and CopyRect rectangles.
    private func encodings(_ step: ViewerUpdateScheduler.UpdateStep) throws -> [Int32] {
        guard case .send(var bytes) = step else { Issue.record("expected an update, got \(step)"); return [] }
        struct Truncated: Error {}
        func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
            guard let value = bytes.readInteger(as: T.self) else { throw Truncated() }
            return value
        }
        _ = try read(UInt16.self)
        var found: [Int32] = []
        for _ in 0..<(try read(UInt16.self)) {
            _ = try read(UInt32.self)
            let w = Int(try read(UInt16.self)), h = Int(try read(UInt16.self))
            let encoding = try read(Int32.self)
            found.append(encoding)
            let skip = encoding == Encoding.copyRect.rawValue ? 4 : w * h * 4
            guard bytes.readableBytes >= skip else { throw Truncated() }
            bytes.moveReaderIndex(forwardBy: skip)
        }
        #expect(bytes.readableBytes == 0)
        return found
    }

    @Test(arguments: [true, false])
    func onlyVerifiedMovesGoAsCopies(verified: Bool) throws {
        let background = TestImages.desktop(width: 200, height: 120)
        let window = TestImages.random(width: 60, height: 40, seed: 3)
        var before = background, after = background
        before.blit(window, at: Point(x: 20, y: 30))
        after.blit(window, at: Point(x: 70, y: 50))
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type), minimumUpdateInterval: .milliseconds(0))
        scheduler.setEncodings(EncodingPreferences(requested: [.copyRect, .raw], supported: Set(EncoderRegistry.implemented).union([.copyRect])))
        scheduler.start(with: frame(before, sequence: 0))
        scheduler.request(incremental: false, rect: before.bounds)
        #expect(try encodings(scheduler.nextUpdate(at: .now())) == [Encoding.raw.rawValue])

        let destination = Rect(x: 70, y: 50, width: 60, height: 40)
        var damage = FrameDamage(moves: [CopyMove(destination: destination, source: Point(x: 20, y: 30))],
                                 region: Region(Rect(x: 20, y: 30, width: 60, height: 40)).subtracting(Region(destination)))
        damage.movesVerified = verified
        scheduler.request(incremental: true, rect: before.bounds)
        _ = scheduler.frameArrived(frame(after, sequence: 1), damage: damage)
        let sent = try encodings(scheduler.nextUpdate(at: .now()))
        #expect(sent.contains(Encoding.copyRect.rawValue) == verified, "\(sent)")
        #expect(!sent.isEmpty)
    }
}
