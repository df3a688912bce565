import Display
import Geometry

/// A source whose size a viewer may change (SetDesktopSize): the demo desktop lays itself out
/// anew; a still image cannot, because its size is the image's.
public protocol ResizableSource: FrameSource {
    /// Sizes outside this range are refused before `resize` is called.
    var resizableRange: ClosedRange<Int> { get }
    /// Changes the size and returns the damage (normally the whole new frame). A source that can
    /// only pass the request on (a device output asks its producer) returns no damage and keeps
    /// its frame's size; the server then answers the viewer "request forwarded" (rfbproto
    /// ExtendedDesktopSize status 4), and the change reaches viewers when the frame changes size.
    func resize(to size: Size) -> FrameDamage
}

/// A source that has a pointer image of its own (the X11 mirror's XFIXES cursor, a producer's
/// cursor plane). Sources without one get the server's default arrow.
public protocol CursorProviding: FrameSource {
    /// The current pointer image; a new value is sent to viewers when it changes.
    var cursor: CursorImage { get }
}

/// A source that knows where its pointer is (a producer's cursor plane): viewers see the cursor
/// move there, as an RFB PointerPos pseudo-rectangle or drawn into the picture for viewers that do
/// not draw the cursor themselves.
public protocol CursorPositionProviding: FrameSource {
    /// Where the pointer's hotspot moved to, in frame pixels, since the last call; nil when it did
    /// not move. Called on the frame clock.
    func takeCursorPositionChange() -> Point?
}

/// A source with a clipboard of its own (the X11 mirror's CLIPBOARD selection, a producer's
/// clipboard): text flows both ways between it and the output's viewers.
public protocol ClipboardSharing: FrameSource {
    /// The text the source's clipboard changed to since the last call, or nil when unchanged.
    /// Called on the frame clock.
    func takeClipboardChange() -> String?
    /// A viewer provided clipboard text.
    func setClipboard(_ text: String)
}

/// A source that can ring the bell (the demo desktop's terminal): viewers get an RFB Bell message
/// (RFC 6143 §7.6.3).
public protocol BellRinging: FrameSource {
    /// Whether the bell rang since the last call. Called on the frame clock.
    func takeBell() -> Bool
}

/// A source whose picture has a name of its own (the device output a producer named in
/// CreateOutput, docs/protocol.md §5.2): it becomes the desktop name, and viewers that take
/// DesktopName (rfbproto "DesktopName Pseudo-encoding") hear when it changes. `porthole serve
/// --name` keeps the name given instead.
public protocol NameProviding: FrameSource {
    /// The name as of the last `advance(to:)`; nil when the source has none (then the desktop
    /// keeps the name it has).
    var desktopName: String? { get }
}

/// A source whose picture is made of several screens (the X11 mirror's RandR monitors): viewers
/// that take ExtendedDesktopSize see each as a screen of the output.
public protocol ScreenLayoutProviding: FrameSource {
    /// The screens as of the last `advance(to:)`; empty when the source knows none, and then the
    /// output has one screen covering the frame. Screens not wholly inside the frame, or with
    /// repeated ids, make the output fall back to that one screen too.
    var screens: [SourceScreen] { get }
}

/// A source that knows when it has something new (a producer's commit reached the device's screen;
/// a mirror saw damage): it says so at once, and the server advances it and publishes the frame on
/// its event loop right away instead of at its next poll of the source. Sources that cannot tell
/// (the demo desktop animates on the clock) are polled only; signalling ones are polled too, as a
/// fallback, so a missed signal costs one poll interval, never a frame.
public protocol FrameSignalling: FrameSource {
    /// Installs the handler the source calls, from any thread, whenever `advance(to:)` would now
    /// return damage or a cursor, clipboard or bell change. Calls may come in bursts: the server
    /// merges them into one advance, and a viewer's own pacing (`--max-fps`, one update in flight)
    /// still decides when it gets the frame. Called once, before the server's clock starts.
    func onFrameReady(_ handler: @escaping @Sendable () -> Void)

    /// True when the source signals from one thread of its own that has just made the frame or seen
    /// it change (the display device's thread, right after composing; the X11 mirror's watcher,
    /// once the damage settled): the server then advances the source and
    /// publishes the frame in the handler, on that thread, instead of handing the advance to the
    /// output's event loop. That saves a thread wake-up per frame, which is most of the cost of a
    /// small update (docs/benchmarks.md, "The output on the device's thread"). The handler may
    /// then wait briefly for an advance already running elsewhere, so a source should say true only
    /// when its signalling thread can afford that and never waits for the output's event loop.
    /// Read once, when the server starts serving the source.
    var advancesWhereSignalled: Bool { get }

    /// True while the source signals by itself at least as often as the server's frame clock would
    /// poll it, changes or not (the X11 mirror's watcher looks at the pointer and the monitors of
    /// an idle display): the clock then polls only as a fallback, once a second, instead of
    /// waking a thread for each poll. Asked after every poll, so it may change (the X11 mirror
    /// polls only while its X server is there).
    var pollsItself: Bool { get }
}

extension FrameSignalling {
    /// Signals are handed to the output's event loop unless the source says otherwise.
    public var advancesWhereSignalled: Bool { false }
    /// The frame clock polls unless the source says otherwise.
    public var pollsItself: Bool { false }
}

/// A source that need not be advanced while nobody watches it (the demo desktop, which animates
/// on the clock; a still image): the server's clock then rests, so an output without viewers
/// costs no drawing and no wake-ups. Its damage must be exact however far apart two advances are, because the first
/// advance after a pause jumps the whole pause at once (the demo's damage is the difference of
/// two states, `DemoDesktopTests.damageIsExactAcrossLongJumps`). Sources whose producers wait
/// for the server (display-device outputs wait for page flips) or that must keep up with their
/// own event queue (the X11 mirror) do not adopt it.
public protocol PausesWhileUnwatched: FrameSource {}

/// A source that wants to know whether anybody watches it (the X11 mirror): while nobody does, it
/// keeps handling its own events but reads no pixels. A mirror of a busy X display spent 6% of a
/// core reading frames nobody was sent. `LiveOutput` tells it when the output gains its first
/// viewer and loses its last, in order with its advances, and advances it as soon as the first
/// viewer comes, so that viewer starts from the picture of now.
public protocol WatchStateObserving: FrameSource {
    /// Called with false when the output starts serving with no viewer, then at each change.
    func setWatched(_ watched: Bool)
}
