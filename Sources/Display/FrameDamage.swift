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
    /// Where the new frame differs from the previous one, pixel-exact (`ChangedPixelTrimmer`),
    /// when the refinery worked it out: what a consumer that takes no copies is owed. It lies
    /// within `region` and the moves' destinations. Nil: not known, so `region` and the
    /// destinations are owed.
    public var changedPixels: Region?
    /// Whether every move was compared pixel for pixel, so that it may be applied as a copy. An
    /// estimated move (`MoveDetector.detect(exact: false)`) only shapes what a consumer that takes
    /// no copies is sent: the pixels of its destination and of `region`, which together cover
    /// everything that changed.
    public var movesVerified = true
    public init(moves: [CopyMove] = [], region: Region = Region(), changedPixels: Region? = nil) {
        self.moves = moves; self.region = region; self.changedPixels = changedPixels
    }

    /// The same change for a consumer that takes no copies: only the pixels that differ when
    /// they are known. Otherwise the damage as it is; such a consumer's encoder sends the moves'
    /// destinations as pixels, each a rectangle of its own (which on a dragged window cost fewer
    /// bytes than the same pixels merged into the region).
    public var withoutCopies: FrameDamage {
        guard let changedPixels else { return self }
        return FrameDamage(region: changedPixels, changedPixels: changedPixels)
    }
    /// The same change as pixels only, for a consumer that takes copies but may not apply these
    /// moves (they are estimates): the pixels that differ when known, else every pixel touched.
    public var withoutMoves: FrameDamage {
        if moves.isEmpty { return self }
        let pixels = changedPixels ?? changedArea
        return FrameDamage(region: pixels, changedPixels: changedPixels)
    }
    /// Every pixel the change may have touched, for a consumer that takes pixels only: the region
    /// and the moves' destinations.
    public var changedArea: Region {
        moves.isEmpty ? region : region.union(Region(rects: moves.map(\.destination)))
    }

    /// This change followed by `next`, as one: `next`'s moves become pixels (their sources refer
    /// to a picture between the two), unless nothing came before them.
    public func followed(by next: FrameDamage) -> FrameDamage {
        if isEmpty { return next }
        var joined = FrameDamage(moves: moves, region: region.union(next.changedArea))
        joined.movesVerified = movesVerified
        return joined
    }

    public static func full(_ rect: Rect) -> FrameDamage { FrameDamage(region: Region(rect)) }
    public var isEmpty: Bool { moves.isEmpty && region.isEmpty }
}
