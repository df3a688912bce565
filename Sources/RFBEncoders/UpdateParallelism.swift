import NIOCore

/// When and how widely `FramebufferUpdateEncoder` encodes an update on several cores
/// (docs/architecture.md, "Encoding on all cores").
public struct UpdateParallelism: Sendable, Equatable {
    /// The most lanes an update is split into (the encoding may allow fewer: Tight four).
    public var lanes: Int
    /// Updates with fewer pixels to encode stay on one core: splitting costs about 0.1-0.2 ms
    /// (threads woken; for ZRLE two 16 KiB dictionaries loaded), which from here on is under a
    /// tenth of the serial encode of a desktop, so even a machine without an idle core loses
    /// little (docs/benchmarks.md, "Encoding on all cores").
    public var minimumPixels: Int

    public init(lanes: Int, minimumPixels: Int = UpdateParallelism.defaultMinimumPixels) {
        self.lanes = max(1, lanes)
        self.minimumPixels = max(1, minimumPixels)
    }

    /// 512x512 pixels.
    public static let defaultMinimumPixels = 262_144

    /// One lane per active core (`System.coreCount`: the CPUs this process may run on).
    public static let allCores = UpdateParallelism(lanes: System.coreCount)

    /// Everything on the calling thread.
    public static let serial = UpdateParallelism(lanes: 1)
}
