import DisplayProtocol
import Foundation
import Glibc
import PortholeClient

/// One producer of `four-4k-bench feed`: an output of `width`x`height` at 60 Hz, committed at
/// 60 fps with desktop-typical damage, paced on page flips (docs/protocol.md §7.9):
///
/// - typing: three 8x16 glyph cells per frame, along lines in the lower half of the screen;
/// - a window drag: an 800x600 window moving 8 px right (and bouncing) and 3 px down per frame,
///   so each frame damages the window's old and new rectangles;
/// - a stamp: pixel (0,0) holds the painting time in milliseconds modulo 2^24, which the measuring
///   viewer turns into latency.
///
/// Two sealed memfd framebuffers (§11) alternate; a framebuffer is brought from the frame it last
/// held to the new one by repainting every rectangle damaged in between (all paint is solid fills
/// and small glyphs, so the producer costs little CPU next to the server it feeds).
final class DesktopFeed: @unchecked Sendable {
    static let window = (width: 800, height: 600)
    static let cell = (width: 8, height: 16)
    static let cellsPerFrame = 3
    let width: Int
    let height: Int
    private let textTop: Int
    private let textColumns: Int
    private let textRows: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        textTop = height / 2 + 64
        textColumns = width / Self.cell.width
        textRows = max(1, (height - textTop) / Self.cell.height)
    }

    struct Rect { var x, y, width, height: Int }

    enum FeedError: Error { case noRelease }

    /// The window's rectangle at frame `k`: a triangle wave in x and y.
    func windowRect(_ k: Int) -> Rect {
        func triangle(_ t: Int, _ span: Int) -> Int {
            let period = 2 * span
            let phase = t % period
            return phase < span ? phase : period - phase
        }
        let spanX = width - Self.window.width - 200, spanY = max(1, textTop - Self.window.height - 264)
        return Rect(x: 100 + triangle(k * 8, spanX), y: 200 + triangle(k * 3, spanY), width: Self.window.width, height: Self.window.height)
    }

    /// Where typed cell number `i` goes (the text wraps back to its top after the last line).
    func cellRect(_ i: Int) -> Rect {
        let position = i % (textColumns * textRows)
        return Rect(x: position % textColumns * Self.cell.width, y: textTop + position / textColumns * Self.cell.height,
                    width: Self.cell.width, height: Self.cell.height)
    }

    /// What frame `k` changed from frame k-1.
    func damage(_ k: Int) -> [Rect] {
        guard k > 0 else { return [Rect(x: 0, y: 0, width: width, height: height)] }
        let cells = ((k - 1) * Self.cellsPerFrame..<k * Self.cellsPerFrame).map(cellRect)
        return [windowRect(k - 1), windowRect(k)] + cells + [Rect(x: 0, y: 0, width: 1, height: 1)]
    }

    /// Paints frame `k` within `rect` of `pixels`; `stamp` goes to pixel (0,0).
    func paint(_ k: Int, in rect: Rect, pixels: UnsafeMutableBufferPointer<UInt32>, stamp: UInt32) {
        fill(rect, 0x003a_6ea5, pixels)
        if rect.y + rect.height > textTop {
            // The cells typed so far (only the newest pass over each position shows).
            let typed = k * Self.cellsPerFrame
            for i in max(0, typed - textColumns * textRows)..<typed {
                let cell = cellRect(i)
                guard let clipped = intersect(cell, rect) else { continue }
                fill(clipped, 0x00f0_f0f0, pixels)
                // A glyph: two bars whose lengths depend on the character.
                let glyph = (i &* 2_654_435_761) >> 7
                if let bar = intersect(Rect(x: cell.x + 1, y: cell.y + 3, width: 1 + glyph % 6, height: 2), clipped) { fill(bar, 0x0020_2020, pixels) }
                if let bar = intersect(Rect(x: cell.x + 2, y: cell.y + 8 + glyph % 4, width: 1 + glyph % 5, height: 3), clipped) { fill(bar, 0x0020_2020, pixels) }
            }
        }
        let window = windowRect(k)
        if let body = intersect(window, rect) {
            fill(body, 0x00fa_fafa, pixels)
            if let title = intersect(Rect(x: window.x, y: window.y, width: window.width, height: 28), rect) { fill(title, 0x0030_3b4c, pixels) }
            for line in 0..<30 {
                let length = 200 + (line * 97) % 500
                if let text = intersect(Rect(x: window.x + 16, y: window.y + 44 + line * 18, width: length, height: 8), rect) {
                    fill(text, 0x0060_6060, pixels)
                }
            }
        }
        if rect.x == 0 && rect.y == 0 { pixels[0] = stamp & 0xff_ffff }
    }

    private func intersect(_ a: Rect, _ b: Rect) -> Rect? {
        let x0 = max(a.x, b.x, 0), y0 = max(a.y, b.y, 0)
        let x1 = min(a.x + a.width, b.x + b.width, width), y1 = min(a.y + a.height, b.y + b.height, height)
        return x1 > x0 && y1 > y0 ? Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0) : nil
    }

    private func fill(_ rect: Rect, _ color: UInt32, _ pixels: UnsafeMutableBufferPointer<UInt32>) {
        guard let rect = intersect(rect, Rect(x: 0, y: 0, width: width, height: height)) else { return }
        for y in rect.y..<rect.y + rect.height {
            let start = y * width + rect.x
            UnsafeMutableBufferPointer(rebasing: pixels[start..<start + rect.width]).update(repeating: color)
        }
    }

    /// Runs the producer of `output` until `seconds` pass (forever when nil): frames are committed as fast as
    /// page flips allow, which the 60 Hz frame clock paces to 60 fps.
    /// Connects and creates the output, so callers can create outputs in a known order.
    func connect(socketPath: String, name: String) throws -> (DisplayClient, OutputCreatedReply) {
        let client = try DisplayClient(socketPath: socketPath, role: .producer, name: name, timeout: 10)
        return (client, try client.createOutput(name: name, width: UInt32(width), height: UInt32(height)))
    }

    func run(client: DisplayClient, output: OutputCreatedReply, name: String, seconds: Double?) throws {
        let buffers = try (0..<2).map { _ in try ProducerBuffer(width: UInt32(width), height: UInt32(height)) }
        let framebuffers = try buffers.map { try client.createFramebuffer($0) }
        var held = [-1, -1]
        var free = Set(framebuffers)
        let started = Date()
        var k = 0
        var (reportedAt, reportedFrame) = (started, 0)
        while seconds.map({ Date().timeIntervalSince(started) < $0 }) ?? true {
            let index = k % 2
            // Paint only into a released framebuffer (§7.8); other queued events are dropped.
            for case .release(let id) in client.takeEvents(where: { _ in true }) { free.insert(id) }
            while !free.contains(framebuffers[index]) {
                guard let event = try client.nextEvent(timeout: 5) else { throw FeedError.noRelease }
                if case .release(let id) = event { free.insert(id) }
            }
            free.remove(framebuffers[index])
            let stamp = UInt32(UInt64(Date().timeIntervalSince1970 * 1000) % (1 << 24))
            let repaint = held[index] < 0 ? damage(0) : (held[index] + 1...k).flatMap(damage)
            buffers[index].withPixels { pixels in
                for rect in repaint { paint(k, in: rect, pixels: pixels, stamp: stamp) }
            }
            held[index] = k
            let wire = damage(k).map { WireRect(x: Int32($0.x), y: Int32($0.y), width: UInt32($0.width), height: UInt32($0.height)) }
            let request = try client.present(framebuffer: framebuffers[index], width: UInt32(width), height: UInt32(height),
                                             on: output.primaryPlaneID, damage: wire)
            _ = try client.waitForPageFlip(output: output.outputID, commitRequestID: request)
            k += 1
            // The rate frames were committed at, every 10 s, so the viewers' rate can be read
            // against it (bench/four-4k.sh prints the median).
            let now = Date()
            if now.timeIntervalSince(reportedAt) >= 10 {
                let line = String(format: "committed %@ %.1f\n", name, Double(k - reportedFrame) / now.timeIntervalSince(reportedAt))
                FileHandle.standardError.write(Data(line.utf8))
                (reportedAt, reportedFrame) = (now, k)
            }
        }
        client.close()
    }
}
