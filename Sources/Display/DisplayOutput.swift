import Geometry

/// The part of an output a commit can change (the KMS CRTC's ACTIVE and MODE_ID, plus the
/// position in the desktop layout that a virtual device owns instead of the compositor).
public struct OutputConfiguration: Hashable, Sendable {
    public var enabled: Bool
    public var mode: DisplayMode
    public var position: Point
    public init(enabled: Bool, mode: DisplayMode, position: Point) {
        self.enabled = enabled; self.mode = mode; self.position = position
    }
}

/// A virtual output: connector and CRTC in one. Producers create and destroy outputs (virtual
/// hotplug); consumers see every output and read its scanout.
public struct DisplayOutput: Sendable, Equatable {
    public let id: OutputID
    public let name: String
    public let owner: ClientID
    public internal(set) var configuration: OutputConfiguration
    public let preferredMode: DisplayMode
    public let modes: [DisplayMode]
    /// Physical size in millimetres (0 when unknown), for DPI.
    public let physicalSize: Size
    public let primaryPlane: PlaneID
    public let cursorPlane: PlaneID
    /// Frame ticks so far, like the vblank counter; page-flip events carry it.
    public internal(set) var sequence: UInt64

    public var mode: DisplayMode { configuration.mode }
    public var size: Size { Size(width: configuration.mode.width, height: configuration.mode.height) }
}

/// What a producer asks for when it creates an output.
public struct OutputRequest: Sendable {
    public var name: String
    /// Modes offered, the preferred one first. The output starts disabled in the preferred mode.
    public var modes: [DisplayMode]
    public var position: Point
    public var physicalSize: Size
    public init(name: String, modes: [DisplayMode], position: Point = .zero, physicalSize: Size = Size(width: 0, height: 0)) {
        self.name = name; self.modes = modes; self.position = position; self.physicalSize = physicalSize
    }
}
