import Display
import Geometry
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import RFBClient
@testable import Server
import Testing

/// Lossy where the content suits, refreshed once settled, in the update scheduler with the clock
/// given as a parameter: when the refresh is due without new damage (the scheduler asks to be woken
/// then), that it is exact and comes once, and that only what went JPEG is refreshed.
struct LossyRefreshSchedulingTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private func at(_ milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }
    private let animated = Rect(x: 64, y: 0, width: 128, height: 64)
    private let film = TestImages.photographic(width: 512, height: 256, seed: 5)

    private func frame(_ pixels: PixelBuffer, sequence: UInt64) -> LiveOutput.Frame {
        LiveOutput.Frame(pixels: pixels, sequence: sequence,
                         cursor: LiveOutput.CursorState(image: .arrow, imageSerial: 1, position: nil),
                         layout: DesktopLayout(singleScreen: pixels.size), resizedBy: nil, cursorMovedBy: nil, name: "test")
    }

    private func qualityScheduler(_ picture: PixelBuffer) -> ViewerUpdateScheduler {
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type))
        scheduler.start(with: frame(picture, sequence: 0))
        scheduler.setEncodings(EncodingPreferences(requested: [.tight, Encoding(Encoding.qualityLevel0.rawValue + 6)],
                                                   supported: [.tight, .zrle, .hextile, .rre, .raw]))
        return scheduler
    }

    /// A viewer's side: decodes Tight updates into its picture and notes the JPEG rectangles.
    struct Viewer {
        var decoder = TightDecoder()
        var picture: PixelBuffer

        mutating func apply(_ step: ViewerUpdateScheduler.UpdateStep) throws -> (region: Region, jpeg: [Rect]) {
            guard case .send(var bytes) = step else { throw Unexpected(step: "\(step)") }
            #expect(bytes.readInteger(as: UInt8.self) == 0)
            bytes.moveReaderIndex(forwardBy: 1)
            let count = try #require(bytes.readInteger(as: UInt16.self) as UInt16?)
            var region = Region(), jpeg: [Rect] = []
            for _ in 0..<count {
                let x = try #require(bytes.readInteger(as: UInt16.self) as UInt16?), y = try #require(bytes.readInteger(as: UInt16.self) as UInt16?)
                let w = try #require(bytes.readInteger(as: UInt16.self) as UInt16?), h = try #require(bytes.readInteger(as: UInt16.self) as UInt16?)
                #expect(bytes.readInteger(as: Int32.self) == Encoding.tight.rawValue)
                let rect = Rect(x: Int(x), y: Int(y), width: Int(w), height: Int(h))
                if let control = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self), control >> 4 == 0x9 { jpeg.append(rect) }
                try decoder.decode(rect, from: &bytes, format: .xrgb8888, into: &picture)
                region.formUnion(rect)
            }
            #expect(bytes.readableBytes == 0)
            return (region, jpeg)
        }
    }

    struct Unexpected: Error { var step: String }

    private func draw(_ i: Int, into picture: inout PixelBuffer) {
        picture.blit(film.cropped(to: Rect(origin: Point(x: i * 7, y: i * 3), size: animated.size)), at: animated.origin)
    }

    @Test func changingAreaGoesLossyAndIsRefreshedWhenItSettlesWithoutNewDamage() throws {
        // A flat background: nothing in the first picture is JPEG material.
        var picture = PixelBuffer(width: 256, height: 128, fill: 0x0033_6699)
        var scheduler = qualityScheduler(picture)
        var viewer = Viewer(picture: PixelBuffer(width: 256, height: 128, fill: 0))
        scheduler.request(incremental: false, rect: picture.bounds)
        let first = try viewer.apply(scheduler.nextUpdate(at: at(0)))
        #expect(first.jpeg.isEmpty && viewer.picture == picture, "a flat picture goes exact")

        for i in 1...6 {
            draw(i, into: &picture)
            _ = scheduler.frameArrived(frame(picture, sequence: UInt64(i)), damage: FrameDamage(region: Region(animated)))
            scheduler.request(incremental: true, rect: picture.bounds)
            let update = try viewer.apply(scheduler.nextUpdate(at: at(Int64(i) * 33)))
            #expect(!update.jpeg.isEmpty, "update \(i) of the film should carry JPEG")
            #expect(update.jpeg.allSatisfy { animated.contains($0) })
        }
        #expect(viewer.picture != picture, "the last frame of the animation should have been lossy")

        // Nothing else changes. The scheduler asks to be woken when the area settles: 400 ms after
        // the last lossy update, sent at 198 ms.
        scheduler.request(incremental: true, rect: picture.bounds)
        let last = at(6 * 33)
        guard case .wait(let deadline) = scheduler.nextUpdate(at: last + .milliseconds(10)) else {
            Issue.record("no wake-up for the refresh")
            return
        }
        #expect(deadline == last + .milliseconds(400))
        guard case .wait = scheduler.nextUpdate(at: deadline - .milliseconds(1)) else {
            Issue.record("the refresh came before the area settled")
            return
        }
        let refresh = try viewer.apply(scheduler.nextUpdate(at: deadline))
        #expect(refresh.jpeg.isEmpty)
        #expect(refresh.region == Region(Rect(x: 64, y: 0, width: 128, height: 64)))
        #expect(viewer.picture == picture, "the refresh did not make the picture exact")
        // Refreshed once: nothing more is owed, and no wake-up.
        scheduler.request(incremental: true, rect: picture.bounds)
        guard case .idle = scheduler.nextUpdate(at: deadline + .seconds(5)) else {
            Issue.record("something is still owed after the refresh")
            return
        }
    }

    @Test func aStillPhotographGoesJPEGFirstThenExactOnce() throws {
        let picture = TestImages.photographic(width: 256, height: 128)
        var scheduler = qualityScheduler(picture)
        var viewer = Viewer(picture: PixelBuffer(width: 256, height: 128, fill: 0))
        scheduler.request(incremental: false, rect: picture.bounds)
        let first = try viewer.apply(scheduler.nextUpdate(at: at(0)))
        #expect(!first.jpeg.isEmpty, "a photograph to a viewer with a QualityLevel should go JPEG")
        #expect(viewer.picture != picture)

        scheduler.request(incremental: true, rect: picture.bounds)
        guard case .wait(let deadline) = scheduler.nextUpdate(at: at(1)) else {
            Issue.record("no wake-up for the refresh")
            return
        }
        #expect(deadline == at(400))
        let refresh = try viewer.apply(scheduler.nextUpdate(at: deadline))
        #expect(refresh.jpeg.isEmpty, "the refresh must be lossless")
        #expect(viewer.picture == picture, "the refresh did not make the picture exact")
        scheduler.request(incremental: true, rect: picture.bounds)
        guard case .idle = scheduler.nextUpdate(at: at(5000)) else {
            Issue.record("something is still owed after the refresh")
            return
        }
    }

    @Test func withoutAQualityLevelNothingIsLossyOrOwed() throws {
        let picture = TestImages.photographic(width: 256, height: 128)
        var scheduler = ViewerUpdateScheduler(viewer: ObjectIdentifier(Self.self as Any.Type))
        scheduler.start(with: frame(picture, sequence: 0))
        scheduler.setEncodings(EncodingPreferences(requested: [.tight], supported: [.tight, .zrle, .hextile, .rre, .raw]))
        var viewer = Viewer(picture: PixelBuffer(width: 256, height: 128, fill: 0))
        scheduler.request(incremental: false, rect: picture.bounds)
        let first = try viewer.apply(scheduler.nextUpdate(at: at(0)))
        #expect(first.jpeg.isEmpty)
        #expect(viewer.picture == picture)
        scheduler.request(incremental: true, rect: picture.bounds)
        guard case .idle = scheduler.nextUpdate(at: at(1000)) else {
            Issue.record("a refresh is owed though nothing was lossy")
            return
        }
    }
}
