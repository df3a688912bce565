import Geometry
import NIOCore
import Pixels

/// An encoder that can encode the lanes of one update at the same time (docs/architecture.md,
/// "Encoding on all cores"): each lane's rectangles on their own thread, with their own scratch
/// memory, the outputs concatenated in lane order.
///
/// What a lane may share is the encoding's business: Raw, RRE and Hextile carry nothing from one
/// rectangle to the next, Tight gives each lane its own zlib stream, ZRLE splits its one stream.
public protocol LaneParallelEncoder: FramebufferEncoder {
    /// Lanes cut rectangles only at multiples of this many rows (the encoding's tile height).
    var laneRowGrid: Int { get }
    /// The most lanes the encoding can keep apart (Tight: one zlib stream each, four in all).
    var maximumLanes: Int { get }
    /// Encodes `lanes` (from `UpdateLanes.split`) concurrently, writes their rectangles to
    /// `output` in lane order and returns how many it wrote.
    mutating func encodeLanes(_ lanes: [[LaneJob]], of frame: PixelView, translator: PixelTranslator,
                              into output: inout ByteBuffer) -> Int
}

/// An encoder whose rectangles carry nothing from one to the next (Raw, RRE, Hextile): its lanes
/// encode with copies of the encoder, as many as there are cores, cut at any row unless the
/// encoding has tiles.
public protocol IndependentRectangleEncoder: LaneParallelEncoder {}

extension IndependentRectangleEncoder {
    public var laneRowGrid: Int { 1 }
    public var maximumLanes: Int { .max }
    public mutating func encodeLanes(_ lanes: [[LaneJob]], of frame: PixelView, translator: PixelTranslator,
                                     into output: inout ByteBuffer) -> Int {
        LaneRunner.encodeIndependently(self, lanes, of: frame, translator: translator, sharing: nil, into: &output)
    }
}
