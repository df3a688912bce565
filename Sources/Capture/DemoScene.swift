import Geometry

/// Draws the demo desktop for one layout and state, into any part of the frame: background,
/// windows from bottom to top, then the panel. Redrawing a rectangle gives exactly the pixels a
/// full redraw would give there, which is what keeps the reported damage honest.
struct DemoScene {
    let layout: DemoLayout
    let state: DemoState

    enum Window: CaseIterable { case editor, terminal, monitor, photo }

    /// The sliding window's frame in this state.
    var photo: Rect { Rect(origin: state.photoOrigin, size: layout.photoSize) }

    func rect(of window: Window) -> Rect {
        switch window {
        case .editor: return layout.editor
        case .terminal: return layout.terminal
        case .monitor: return layout.monitor
        case .photo: return photo
        }
    }

    /// Redraws everything inside `canvas.clip`. Layers hidden under an opaque window that covers
    /// the whole clip are skipped, so a typed character costs one cell of terminal drawing.
    func draw(on canvas: DemoCanvas) {
        let clip = canvas.clip
        if clip.isEmpty { return }
        if !layout.panel.contains(clip) {
            let all = Window.allCases
            let first = all.lastIndex { covered(clip, by: $0) }
            if first == nil { drawBackground(on: canvas) }
            for window in all[(first ?? 0)...] { draw(window, on: canvas) }
        }
        DemoPanel.draw(state, layout: layout, on: canvas)
    }

    private func covered(_ clip: Rect, by window: Window) -> Bool {
        let (a, b) = DemoLayout.opaqueParts(of: rect(of: window))
        return a.contains(clip) || b.contains(clip)
    }

    private func draw(_ window: Window, on canvas: DemoCanvas) {
        let frame = rect(of: window)
        if !DemoLayout.extent(of: frame).intersects(canvas.clip) { return }
        switch window {
        case .editor:
            DemoEditorView.chrome.draw(frame, on: canvas)
            DemoEditorView.draw(layout: layout, on: canvas)
        case .terminal:
            DemoTerminalView.chrome.draw(frame, on: canvas)
            DemoTerminalView.draw(state.terminal, layout: layout, on: canvas)
        case .monitor:
            DemoMonitorView.chrome.draw(frame, on: canvas)
            DemoMonitorView.draw(state, layout: layout, on: canvas)
        case .photo:
            DemoPhotoView.chrome.draw(frame, on: canvas)
            DemoPhotoView.draw(window: frame, on: canvas)
        }
    }

    /// A diagonal gradient from deep navy to teal with a soft violet glow at the top right.
    private func drawBackground(on canvas: DemoCanvas) {
        let w = Double(max(1, layout.size.width)), h = Double(max(1, layout.size.height))
        let glowX = 0.78 * w, glowY = 0.12 * h, glowR = 0.75 * max(w, h)
        let stops: (UInt32, UInt32, UInt32) = (0x0e1a2f, 0x1d3b63, 0x1f6f7a)
        canvas.shade(canvas.clip) { x, y in
            let t = (Double(x) / w) * 0.55 + (Double(y) / h) * 0.45
            var c = t < 0.5 ? DemoColour.lerp(stops.0, stops.1, t * 2) : DemoColour.lerp(stops.1, stops.2, t * 2 - 1)
            let dx = Double(x) - glowX, dy = Double(y) - glowY
            let d = (dx * dx + dy * dy).squareRoot() / glowR
            if d < 1 { c = DemoColour.lerp(c, 0x7a5ca8, (1 - d) * (1 - d) * 0.45) }
            return c
        }
    }
}
