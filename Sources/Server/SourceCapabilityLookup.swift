import Capture

/// The optional protocols of a `FrameSource` that `LiveOutput` consults on every frame (and, for
/// the clipboard, on every viewer's cut text; for signalling, at every poll), looked up once. A
/// source's conformances never change, but each `as?` to a protocol is a lookup in the Swift
/// runtime's conformance cache: six a frame, 0.6% of the samples of a typing profile on the
/// display device, none since (too little to show in alternated runs; docs/benchmarks.md, "One
/// poll less per commit").
struct SourceCapabilityLookup {
    let clipboard: ClipboardSharing?
    let bell: BellRinging?
    let cursor: CursorProviding?
    let cursorPosition: CursorPositionProviding?
    let screens: ScreenLayoutProviding?
    let name: NameProviding?
    let signalling: FrameSignalling?
    let pausesWhileUnwatched: Bool
    let watchObserver: WatchStateObserving?

    init(_ source: FrameSource) {
        clipboard = source as? ClipboardSharing
        bell = source as? BellRinging
        cursor = source as? CursorProviding
        cursorPosition = source as? CursorPositionProviding
        screens = source as? ScreenLayoutProviding
        name = source as? NameProviding
        signalling = source as? FrameSignalling
        pausesWhileUnwatched = source is PausesWhileUnwatched
        watchObserver = source as? WatchStateObserving
    }
}
