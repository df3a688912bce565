import Geometry

/// Content that moved: after the change, the pixels of `destination` equal the pixels that were at
/// `source` (the rect's top-left) before it. Sources that know about moves (a dragged window, a
/// scroll) report them so viewers can be sent CopyRect instead of pixels (RFC 6143 §7.7.2).
public struct CopyMove: Hashable, Sendable {
    public var destination: Rect
    public var source: Point
    public init(destination: Rect, source: Point) { self.destination = destination; self.source = source }
    public var dx: Int { destination.x - source.x }
    public var dy: Int { destination.y - source.y }
}

/// What changed between two frames of an output, in the order it happened: first the moves,
/// then the damaged pixels (which may overlap moved areas and win over them).
public struct FrameDamage: Equatable, Sendable {
    public var moves: [CopyMove]
    public var region: Region
    public init(moves: [CopyMove] = [], region: Region = Region()) { self.moves = moves; self.region = region }
    public static func full(_ rect: Rect) -> FrameDamage { FrameDamage(region: Region(rect)) }
    public var isEmpty: Bool { moves.isEmpty && region.isEmpty }
}
