import Display
import Foundation
import Geometry
import Pixels

/// The built-in demo desktop (`porthole serve` shows it by default): a gradient background, a top
/// panel with a clock, a terminal where a shell session is typed, a text editor, a system monitor
/// with a live graph and a download bar, and an image viewer that slides across the screen.
///
/// It exists to exercise the whole pipeline the way a real desktop does: small scattered damage
/// (typing, the clock), periodic medium damage (the graph), and a moving window reported as a
/// `CopyMove` so viewers get CopyRect. Damage is exact: applying the moves and then the damaged
/// pixels to the previous frame gives the new frame, and idle parts produce none. Everything is
/// a function of the time passed in, so tests drive it frame by frame.
public final class DemoDesktop: FrameSource {
    public private(set) var frame: PixelBuffer
    /// The wall-clock time of day, in seconds since local midnight, at source time zero.
    public let clockOffset: Double

    private var layout: DemoLayout
    private var wallpaper: PixelBuffer
    private var state: DemoState
    private var time: Double = 0
    private let terminal = DemoTerminal()
    /// The pictures frames are drawn into in turn (`draw(moves:damage:)`).
    private var ring = PictureRing()
    /// Bells the terminal rang that `takeBell()` has not reported yet.
    var bellsRung = 0

    /// Creates the desktop at `size` and draws its frame for time zero. `clockOffset` is the time
    /// of day the panel clock shows at time zero (`DemoDesktop.localTimeOfDay()` for the real one).
    public init(size: Size = Size(width: 1920, height: 1080), clockOffset: Double = 0) {
        let size = Size(width: max(1, size.width), height: max(1, size.height))
        self.clockOffset = clockOffset
        layout = DemoLayout(size: size)
        wallpaper = DemoWallpaper.render(size: size)
        state = DemoState(time: 0, clockOffset: clockOffset, layout: layout, terminal: terminal)
        frame = PixelBuffer(width: size.width, height: size.height)
        redraw(Region(frame.bounds))
    }

    /// The current local time of day in seconds since midnight: the `clockOffset` that makes the
    /// panel clock show real time when the source starts at time zero now.
    public static func localTimeOfDay() -> Double {
        let now = Date()
        let midnight = Calendar.current.startOfDay(for: now)
        return now.timeIntervalSince(midnight)
    }

    public func advance(to time: Double) -> FrameDamage {
        let new = DemoState(time: time, clockOffset: clockOffset, layout: layout, terminal: terminal)
        bellsRung += terminal.bellCount(after: self.time, upTo: time)
        self.time = time
        if new == state { return FrameDamage() }
        let old = state
        state = new

        var damage = Region()
        for r in DemoPanel.damage(from: old, to: new, layout: layout) { damage.formUnion(r) }
        for r in DemoTerminalView.damage(from: old.terminal, to: new.terminal, layout: layout) { damage.formUnion(r) }
        if old.cpuSample != new.cpuSample {
            damage.formUnion(DemoMonitorView.graph(layout))
            damage.formUnion(DemoMonitorView.cpuLabel(layout))
        }
        if old.progress != new.progress {
            damage.formUnion(DemoMonitorView.progressBar(layout))
            damage.formUnion(DemoMonitorView.progressLabel(layout))
        }

        var moves: [CopyMove] = []
        if old.photoOrigin != new.photoOrigin {
            let (move, exposed) = photoMove(from: old.photoOrigin, to: new.photoOrigin)
            if let move {
                // Whatever changed under the copied part is hidden by the window: no pixels to send.
                damage.subtract(Region(move.destination).subtracting(Region(rects: DemoLayout.corners(of: newPhoto))))
                moves.append(move)
            }
            damage.formUnion(exposed)
        }
        // The panel sits above every window and never changes outside the clock.
        damage = damage.intersection(frame.bounds).subtracting(panelWithoutClock)
        draw(moves: moves, damage: damage)
        return FrameDamage(moves: moves, region: damage)
    }

    /// Draws the next frame into the oldest picture of the ring (`PictureRing`): the frame just
    /// published is held by the output and its viewers, so drawing into it would copy all of it
    /// first. Measured on the idle 1920x1080 desktop with no viewer: 10% of a core, most of it
    /// that copy and the page faults of its fresh memory.
    private func draw(moves: [CopyMove], damage: Region) {
        guard !moves.isEmpty || !damage.isEmpty else { return }
        let sources = Region(rects: moves.map { Rect(origin: $0.source, size: $0.destination.size) })
        let drawn = damage.union(Region(rects: moves.map(\.destination)))
        // What is about to be written need not be brought up to date, except where a move reads.
        ring.flip(&frame, redrawn: drawn.subtracting(sources))
        for move in moves { frame.copy(Rect(origin: move.source, size: move.destination.size), to: move.destination.origin) }
        redraw(damage)
        ring.finish(front: frame, drawn: drawn)
    }

    /// Lays the desktop out for `size`, redraws it at the current time and reports everything
    /// as damaged. Sizes below 1x1 are raised to 1x1.
    @discardableResult
    public func resize(to size: Size) -> FrameDamage {
        let size = Size(width: max(1, size.width), height: max(1, size.height))
        layout = DemoLayout(size: size)
        wallpaper = DemoWallpaper.render(size: size)
        state = DemoState(time: time, clockOffset: clockOffset, layout: layout, terminal: terminal)
        frame = PixelBuffer(width: size.width, height: size.height)
        ring.reset()
        redraw(Region(frame.bounds))
        return .full(frame.bounds)
    }

    private var newPhoto: Rect { Rect(origin: state.photoOrigin, size: layout.photoSize) }

    /// The panel minus the clock's cells; nothing there changes between frames.
    private var panelWithoutClock: Region {
        let clock = Rect(origin: layout.clockOrigin, size: Size(width: DemoFont.width(8), height: DemoFont.cellHeight))
        return Region(layout.panel).subtracting(clock)
    }

    /// The sliding window's step from `old` to `new`: the copy of the window pixels that stay
    /// visible (none from under the panel or beyond the screen), and what must be redrawn — the
    /// uncovered desktop, both shadows, the rounded corners and any part of the window that
    /// could not be copied.
    private func photoMove(from old: Point, to new: Point) -> (CopyMove?, Region) {
        let size = layout.photoSize
        let oldRect = Rect(origin: old, size: size), newRect = Rect(origin: new, size: size)
        let visible = layout.desktop
        let dx = new.x - old.x, dy = new.y - old.y
        let destination = newRect.intersection(visible).intersection(oldRect.intersection(visible).offsetBy(dx: dx, dy: dy))
        var exposed = Region(DemoLayout.extent(of: oldRect)).union(DemoLayout.extent(of: newRect))
        guard !destination.isEmpty else { return (nil, exposed) }
        exposed.subtract(destination)
        exposed.formUnion(Region(rects: DemoLayout.corners(of: newRect)).intersection(destination))
        return (CopyMove(destination: destination, source: Point(x: destination.x - dx, y: destination.y - dy)), exposed)
    }

    /// Redraws each rectangle of `region` from the current layout and state.
    private func redraw(_ region: Region) {
        let scene = DemoScene(layout: layout, state: state, wallpaper: wallpaper)
        let (w, h) = (frame.width, frame.height)
        frame.pixels.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            for r in region.rects { scene.draw(on: DemoCanvas(base: base, width: w, height: h, clip: r)) }
        }
    }
}
