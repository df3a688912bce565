import Geometry

/// The demo's text editor: a light-themed window with line numbers and a Swift file with simple
/// syntax colouring. It never changes, so it costs nothing after the first frame.
enum DemoEditorView {
    static let chrome = DemoWindowChrome.light.titled("SlidingWindow.swift - Text Editor")
    private static let gutterWidth = 52
    private static let textColour: UInt32 = 0x383a42

    /// One coloured run of a source line.
    private struct Run { var text: String; var colour: UInt32 }

    static func draw(layout: DemoLayout, on canvas: DemoCanvas) {
        let area = DemoLayout.content(of: layout.editor)
        let c = canvas.clipped(to: Rect(minX: area.minX, minY: area.minY, maxX: area.maxX, maxY: area.maxY - DemoLayout.cornerRadius))
        if c.clip.isEmpty { return }
        c.fill(Rect(x: area.minX, y: area.minY, width: gutterWidth, height: area.height), 0xf0f0f2)
        let lineHeight = DemoFont.cellHeight + 2
        let top = area.minY + 8
        let currentLine = 9
        for (i, runs) in highlighted.enumerated() {
            let y = top + i * lineHeight
            if y >= c.clip.maxY { break }
            if y + lineHeight <= c.clip.minY { continue }
            if i == currentLine {
                c.fill(Rect(x: area.minX + gutterWidth, y: y - 1, width: area.width - gutterWidth, height: lineHeight), 0xeef1f8)
            }
            let number = String(i + 1)
            c.text(number, x: area.minX + gutterWidth - 10 - DemoFont.width(number.count), y: y,
                   i == currentLine ? 0x383a42 : 0xa0a1a7)
            var x = area.minX + gutterWidth + 12
            for run in runs {
                c.text(run.text, x: x, y: y, run.colour)
                x += DemoFont.width(run.text.utf8.count)
            }
        }
    }

    private static let source = """
    import Display
    import Geometry

    /// A window that slides across the desktop: viewers receive
    /// its movement as one CopyRect instead of fresh pixels.
    struct SlidingWindow {
        var frame: Rect
        var velocity = (dx: 3, dy: 2)

        mutating func step(within bounds: Rect) -> CopyMove? {
            let old = frame
            frame = frame.offsetBy(dx: velocity.dx, dy: velocity.dy)
            if frame.minX < bounds.minX || frame.maxX > bounds.maxX {
                velocity.dx = -velocity.dx
            }
            if frame.minY < bounds.minY || frame.maxY > bounds.maxY {
                velocity.dy = -velocity.dy
            }
            guard frame != old else { return nil }
            return CopyMove(destination: frame, source: old.origin)
        }
    }

    func serve(port: Int = 5900) throws {
        let desktop = DemoDesktop(size: Size(width: 1920, height: 1080))
        print("Serving \\(desktop.frame.size) on port \\(port)")
    }
    """

    private static let keywords: Set<String> = [
        "import", "struct", "var", "let", "func", "mutating", "if", "guard", "else", "return", "nil", "throws",
    ]

    /// The source split into coloured runs: comments, strings, keywords, numbers and type names.
    private static let highlighted: [[Run]] = source.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        let text = String(line)
        if let comment = text.range(of: "//") {
            return [Run(text: String(text[..<comment.lowerBound]), colour: textColour),
                    Run(text: String(text[comment.lowerBound...]), colour: 0xa0a1a7)]
        }
        var runs: [Run] = []
        var word = ""
        var inString = false
        func flush() {
            guard !word.isEmpty else { return }
            let colour: UInt32
            if keywords.contains(word) { colour = 0xa626a4 }
            else if word.first!.isNumber { colour = 0x986801 }
            else if word.first!.isUppercase { colour = 0xc18401 }
            else { colour = textColour }
            runs.append(Run(text: word, colour: colour))
            word = ""
        }
        for ch in text {
            if inString {
                runs[runs.count - 1].text.append(ch)
                if ch == "\"" { inString = false }
            } else if ch == "\"" {
                flush()
                runs.append(Run(text: "\"", colour: 0x50a14f))
                inString = true
            } else if ch.isLetter || ch.isNumber || ch == "_" {
                word.append(ch)
            } else {
                flush()
                runs.append(Run(text: String(ch), colour: textColour))
            }
        }
        flush()
        return runs
    }
}
