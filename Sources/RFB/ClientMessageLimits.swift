/// Bounds on what one viewer message may make the server allocate.
public struct ClientMessageLimits: Hashable, Sendable {
    /// Most SetEncodings entries accepted. Real viewers send a few dozen; the field allows 65535.
    public var maximumEncodingCount: Int
    /// Most ClientCutText bytes accepted; the field allows 4 GiB. For the extended clipboard this
    /// bounds both the compressed message and what its zlib data may inflate to.
    public var maximumCutTextLength: Int
    /// Most SetDesktopSize screens read; the U8 field allows 255. The default takes them all (4 KiB
    /// at most), so that a layout with too many screens is answered "invalid screen layout"
    /// (`DesktopLayout.maximumScreenCount`) instead of ending the session.
    public var maximumScreenCount: Int

    public init(maximumEncodingCount: Int = 1024, maximumCutTextLength: Int = 1 << 20, maximumScreenCount: Int = 255) {
        self.maximumEncodingCount = maximumEncodingCount
        self.maximumCutTextLength = maximumCutTextLength
        self.maximumScreenCount = maximumScreenCount
    }
}
