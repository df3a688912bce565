import Geometry

/// A set of plane and output changes applied together or not at all (KMS atomic commit).
/// Properties a commit does not mention keep the values of the state it lands on: the pending
/// commit of the output if there is one, else the state on screen.
public struct AtomicCommit: Sendable {
    /// A new state for one plane, plus what changed in its framebuffer since it was last shown
    /// (KMS FB_DAMAGE_CLIPS): rects in framebuffer pixels; `nil` means the whole plane changed,
    /// an empty array that only the placement changed.
    ///
    /// `moves` (docs/protocol.md §5.8, version 1.2) say which pixels of the framebuffer are the
    /// plane's previous picture moved (a scroll, a dragged window), in framebuffer pixels, applied
    /// before the damage: a producer that knows it spares the server the search for the move, and
    /// viewers get CopyRect. A move is a promise like damage is: the server redraws its destination
    /// from the framebuffer either way, so the scanout stays exact, but a viewer sent CopyRect
    /// holds what the promise says.
    public struct PlaneUpdate: Sendable {
        public var plane: PlaneID
        public var state: PlaneState
        public var damage: [Rect]?
        public var moves: [CopyMove]
        public init(plane: PlaneID, state: PlaneState, damage: [Rect]? = nil, moves: [CopyMove] = []) {
            self.plane = plane; self.state = state; self.damage = damage; self.moves = moves
        }
    }

    /// A new configuration for one output; `nil` fields keep their value.
    public struct OutputUpdate: Sendable {
        public var output: OutputID
        public var enabled: Bool?
        public var mode: DisplayMode?
        public var position: Point?
        public init(output: OutputID, enabled: Bool? = nil, mode: DisplayMode? = nil, position: Point? = nil) {
            self.output = output; self.enabled = enabled; self.mode = mode; self.position = position
        }
    }

    public var planes: [PlaneUpdate]
    public var outputs: [OutputUpdate]
    /// Validate only (DRM_MODE_ATOMIC_TEST_ONLY): the device answers as it would, and changes nothing.
    public var testOnly: Bool
    /// Ask for a page-flip event when the commit reaches the screen (DRM_MODE_PAGE_FLIP_EVENT).
    public var pageFlipEvent: Bool
    /// Echoed in the page-flip event, like the KMS user_data.
    public var userData: UInt64

    public init(planes: [PlaneUpdate] = [], outputs: [OutputUpdate] = [], testOnly: Bool = false,
                pageFlipEvent: Bool = true, userData: UInt64 = 0) {
        self.planes = planes; self.outputs = outputs; self.testOnly = testOnly
        self.pageFlipEvent = pageFlipEvent; self.userData = userData
    }
}
