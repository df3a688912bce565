import Geometry

/// One screen (monitor) of a source's picture, as the source knows it: a viewport into its frame.
/// The server turns these into the output's ExtendedDesktopSize screens.
public struct SourceScreen: Hashable, Sendable {
    /// Stable for the screen's lifetime and unique among the source's screens.
    public var id: UInt32
    /// Where the screen lies in the frame.
    public var rect: Rect

    public init(id: UInt32, rect: Rect) { self.id = id; self.rect = rect }
}
