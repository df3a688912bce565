import Foundation
import Geometry

/// The demo's system monitor: a scrolling CPU graph that gains a sample twice a second, a memory
/// bar and a download progress bar. Only the graph and the progress bar ever change.
enum DemoMonitorView {
    static let chrome = DemoWindowChrome.dark.titled("System Monitor")
    private static let padding = 16
    private static let visibleSamples = 60
    private static let accent: UInt32 = 0x3daee9
    private static let track: UInt32 = 0x30333b
    private static let label: UInt32 = 0xd7dae0
    private static let muted: UInt32 = 0x8b919c

    private static func inner(_ layout: DemoLayout) -> Rect {
        let area = DemoLayout.content(of: layout.monitor)
        return Rect(minX: area.minX + padding, minY: area.minY + padding - 4, maxX: area.maxX - padding, maxY: area.maxY - padding)
    }

    static func graph(_ layout: DemoLayout) -> Rect {
        let r = inner(layout)
        return Rect(x: r.minX, y: r.minY + 24, width: r.width, height: max(0, r.height - 24 - 2 * 46))
    }

    static func cpuLabel(_ layout: DemoLayout) -> Rect {
        let r = inner(layout)
        return Rect(x: r.maxX - DemoFont.width(4), y: r.minY, width: DemoFont.width(4), height: DemoFont.cellHeight)
    }

    private static func memoryRow(_ layout: DemoLayout) -> Int { graph(layout).maxY + 12 }
    private static func downloadRow(_ layout: DemoLayout) -> Int { graph(layout).maxY + 12 + 46 }

    static func progressBar(_ layout: DemoLayout) -> Rect {
        let r = inner(layout)
        return Rect(x: r.minX, y: downloadRow(layout) + DemoFont.cellHeight + 6, width: r.width, height: 8)
    }

    static func progressLabel(_ layout: DemoLayout) -> Rect {
        let r = inner(layout)
        return Rect(x: r.maxX - DemoFont.width(4), y: downloadRow(layout), width: DemoFont.width(4), height: DemoFont.cellHeight)
    }

    /// The CPU load in percent of sample `k`: a few slow waves and some jitter.
    static func cpuLoad(_ k: Int) -> Double {
        let x = Double(k)
        var z = UInt64(bitPattern: Int64(k)) &* 0x9E37_79B9_7F4A_7C15
        z ^= z >> 29
        let jitter = Double(z % 1000) / 1000 - 0.5
        return max(3, min(97, 35 + 18 * sin(x * 0.21) + 10 * sin(x * 0.057 + 1.3) + 14 * jitter))
    }

    static func draw(_ state: DemoState, layout: DemoLayout, on canvas: DemoCanvas) {
        let area = DemoLayout.content(of: layout.monitor)
        let c = canvas.clipped(to: Rect(minX: area.minX + 4, minY: area.minY, maxX: area.maxX - 4, maxY: area.maxY - 4))
        if c.clip.isEmpty { return }
        let r = inner(layout)
        c.text("CPU", x: r.minX, y: r.minY, label, bold: true)
        let load = String(Int(cpuLoad(state.cpuSample).rounded())) + "%"
        c.text(load, x: r.maxX - DemoFont.width(load.count), y: r.minY, accent, bold: true)
        drawGraph(state.cpuSample, in: graph(layout), on: c)

        let memory = memoryRow(layout)
        c.text("Memory", x: r.minX, y: memory, label, bold: true)
        let used = "3.2 GiB of 15.5 GiB"
        c.clipped(to: Rect(minX: r.minX + DemoFont.width(7), minY: memory, maxX: r.maxX, maxY: memory + DemoFont.cellHeight))
            .text(used, x: r.maxX - DemoFont.width(used.count), y: memory, muted)
        bar(Rect(x: r.minX, y: memory + DemoFont.cellHeight + 6, width: r.width, height: 8), fraction: 0.21, 0xa77cf2, on: c)

        let download = downloadRow(layout)
        let percent = String(state.progress) + "%"
        c.clipped(to: Rect(minX: r.minX, minY: download, maxX: r.maxX - DemoFont.width(5), maxY: download + DemoFont.cellHeight))
            .text("ubuntu-24.04.2-desktop-amd64.iso", x: r.minX, y: download, label, bold: true)
        c.text(percent, x: r.maxX - DemoFont.width(percent.count), y: download, muted)
        bar(progressBar(layout), fraction: Double(state.progress) / 100, 0x4fc07f, on: c)
    }

    private static func bar(_ rect: Rect, fraction: Double, _ colour: UInt32, on c: DemoCanvas) {
        c.roundedRect(rect, radius: 4, track)
        let filled = Int(Double(rect.width) * fraction)
        if filled > 0 { c.roundedRect(Rect(x: rect.minX, y: rect.minY, width: filled, height: rect.height), radius: 4, colour) }
    }

    /// The graph, column by column: the load is interpolated between samples, the area below it
    /// tinted and the curve drawn with anti-aliasing over its span between neighbouring columns.
    private static func drawGraph(_ newest: Int, in graph: Rect, on c: DemoCanvas) {
        let g = graph.intersection(c.clip)
        if g.isEmpty || graph.width < 2 || graph.height < 2 { return }
        let background: UInt32 = 0x12141a, grid: UInt32 = 0x2a2d35
        let h = Double(graph.height - 1)
        func curve(_ x: Double) -> Double {
            let u = (x - Double(graph.minX)) / Double(graph.width - 1) * Double(visibleSamples - 1)
            let k = Int(u.rounded(.down)), f = u - Double(k)
            let base = newest - (visibleSamples - 1)
            let v = cpuLoad(base + k) * (1 - f) + cpuLoad(base + k + 1) * f
            return Double(graph.maxY - 1) - v / 100 * h
        }
        for x in g.minX..<g.maxX {
            let y = curve(Double(x)), left = curve(Double(x) - 0.5), right = curve(Double(x) + 0.5)
            let top = min(left, right, y) - 0.9, bottom = max(left, right, y) + 0.9
            let verticalGrid = (x - graph.minX) % max(1, graph.width / 6) == 0
            let p = c.row(0)
            for py in g.minY..<g.maxY {
                let gy = graph.maxY - 1 - py
                var colour = verticalGrid || (gy > 0 && gy % max(1, graph.height / 4) == 0) ? grid : background
                if Double(py) > y { colour = DemoColour.mix(colour, accent, 60) }
                let fy = Double(py) + 0.5
                let cover = min(fy - top, bottom - fy, 1)
                if cover > 0 { colour = DemoColour.mix(colour, accent, Int(cover * 255)) }
                p[py * c.width + x] = colour
            }
        }
    }
}
