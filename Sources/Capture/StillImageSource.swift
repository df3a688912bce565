import Display
import Pixels

/// A source that shows one picture forever (`porthole serve --image`, tests, the card shown while a
/// producer is away). The picture is in `frame` from the start, so a viewer gets it with its first
/// full update; nothing ever changes afterwards, so `advance(to:)` always reports no damage.
public final class StillImageSource: FrameSource {
    public let frame: PixelBuffer

    public init(_ image: PixelBuffer) { frame = image }

    /// Loads the PNG at `path` (see `PNGImage.load`).
    public convenience init(contentsOf path: String) throws(PNGError) {
        self.init(try PNGImage.load(contentsOf: path))
    }

    public func advance(to time: Double) -> FrameDamage { FrameDamage() }
}

/// Nothing changes, so an advance may be skipped for any length of time: with no viewer the
/// output's clock rests (an idle `serve --image` ticked 30 times a second for nothing).
extension StillImageSource: PausesWhileUnwatched {}
