/// A video mode (KMS drm_mode_modeinfo, reduced to what a virtual output has): size in pixels and
/// refresh rate in millihertz, which sets the output's frame tick.
public struct DisplayMode: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var refreshMillihertz: Int
    public init(width: Int, height: Int, refreshMillihertz: Int = 60_000) {
        self.width = width; self.height = height; self.refreshMillihertz = refreshMillihertz
    }
    public var description: String { "\(width)x\(height)@\(refreshMillihertz)mHz" }

    /// The pixels of a picture in this mode; no overflow for any size the protocol can carry.
    var pixels: Int { max(0, width) * max(0, height) }

    func isValid(maximumSize: Int) -> Bool {
        (1...maximumSize).contains(width) && (1...maximumSize).contains(height) && refreshMillihertz > 0
    }
}
