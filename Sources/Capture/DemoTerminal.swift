/// The demo terminal's session: a loop of shell commands typed character by character, each
/// followed by its output, ending in `clear`. The screen is a pure function of time, so the desktop
/// finds what changed by comparing the screens of two instants cell by cell.
struct DemoTerminal: Sendable {
    /// A character cell: an ASCII code and a style (`Style` raw value; `cursorBit` marks the cursor).
    struct Cell: Equatable, Sendable {
        var code: UInt8
        var style: UInt8
        static let blank = Cell(code: 0x20, style: 0)
    }

    enum Style: UInt8 {
        case text = 0, user, path, directory, hash, success, muted, warning, accent
    }
    static let cursorBit: UInt8 = 0x80

    /// What the terminal shows at one instant: `rows` x `columns` cells, row by row.
    struct Screen: Equatable, Sendable {
        var columns: Int
        var rows: Int
        var cells: [Cell]
    }

    /// A transcript line and the time each of its cells appears.
    private struct Line: Sendable {
        var cells: [Cell]
        var times: [Double]
        var isPrompt: Bool
    }

    private let lines: [Line]
    /// One pass of the session, after which it starts again on a cleared screen.
    let loopDuration: Double
    /// When, within one pass, the terminal rings the bell: as a shell set to announce the end of a
    /// long command does, when such a command has printed its last line.
    let bellTimes: [Double]

    init() {
        var lines: [Line] = []
        var bells: [Double] = []
        var t = 0.8
        for (number, entry) in Self.session.enumerated() {
            var prompt = Self.parse("{u}user@porthole{t}:{p}\(entry.directory){t}$ ")
            var times = [Double](repeating: t, count: prompt.count)
            t += 0.9 + Self.noise(number * 31) * 0.8
            for (i, c) in entry.command.utf8.enumerated() {
                let pause = c == UInt8(ascii: " ") ? 0.12 : 0
                t += 0.055 + 0.11 * Self.noise(number * 977 + i) + pause
                prompt.append(Cell(code: c, style: Style.text.rawValue))
                times.append(t)
            }
            lines.append(Line(cells: prompt, times: times, isPrompt: true))
            t += 0.35
            for text in entry.output {
                t += entry.lineDelay
                let cells = Self.parse(text)
                lines.append(Line(cells: cells, times: [Double](repeating: t, count: cells.count), isPrompt: false))
            }
            if entry.ringsBell { bells.append(t) }
            t += 0.25
        }
        self.lines = lines
        bellTimes = bells
        // The final `clear` ends the loop right after its Enter.
        loopDuration = t
    }

    /// The screen at `time` for a terminal of `columns` x `rows` cells. Lines longer than the
    /// terminal are cut; when the transcript is taller, its last `rows` lines show.
    func screen(at time: Double, columns: Int, rows: Int) -> Screen {
        var screen = Screen(columns: max(0, columns), rows: max(0, rows),
                            cells: [Cell](repeating: .blank, count: max(0, columns) * max(0, rows)))
        guard screen.columns > 0, screen.rows > 0 else { return screen }
        let t = time.truncatingRemainder(dividingBy: loopDuration) + (time < 0 ? loopDuration : 0)
        let visible = lines.prefix { ($0.times.first ?? 0) <= t }
        let first = max(0, visible.count - screen.rows)
        var lastTyped = -Double.infinity
        for (row, line) in visible.dropFirst(first).enumerated() {
            let shown = line.times.prefix { $0 <= t }.count
            for c in 0..<min(shown, screen.columns) { screen.cells[row * screen.columns + c] = line.cells[c] }
            if shown > 0 { lastTyped = max(lastTyped, line.times[shown - 1]) }
        }
        // The cursor follows the prompt while a command is typed; it blinks only when idle.
        if let last = visible.last, last.isPrompt {
            let row = visible.count - 1 - first
            let column = last.times.prefix { $0 <= t }.count
            let idle = t - lastTyped
            let on = idle < 0.6 || Int((idle - 0.6) * 2) % 2 == 1
            if on, column < screen.columns {
                screen.cells[row * screen.columns + column].style |= Self.cursorBit
            }
        }
        return screen
    }

    /// How many times the bell rings after `start` and up to `end` (seconds since the session
    /// began, any number of passes apart); 0 when `end` is not after `start`.
    func bellCount(after start: Double, upTo end: Double) -> Int {
        guard end > start, loopDuration > 0 else { return 0 }
        // Bell k of pass n rings at n * loopDuration + bellTimes[k]; count those in (start, end].
        return bellTimes.reduce(0) { count, bell in
            let first = ((start - bell) / loopDuration).rounded(.down) + 1
            let last = ((end - bell) / loopDuration).rounded(.down)
            return count + max(0, Int(last - first) + 1)
        }
    }

    /// A deterministic value in 0..<1, so typing has a human rhythm that is the same every loop.
    private static func noise(_ n: Int) -> Double {
        var z = UInt64(truncatingIfNeeded: n) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    /// Turns text with style marks (`{u}` user, `{p}` path, `{d}` directory, `{h}` hash, `{s}`
    /// success, `{m}` muted, `{w}` warning, `{a}` accent, `{t}` plain text) into cells.
    private static func parse(_ text: String) -> [Cell] {
        var cells: [Cell] = []
        var style = Style.text
        var bytes = Array(text.utf8)[...]
        while let c = bytes.popFirst() {
            if c == UInt8(ascii: "{"), bytes.count >= 2, bytes[bytes.startIndex + 1] == UInt8(ascii: "}") {
                switch bytes.first {
                case UInt8(ascii: "u"): style = .user
                case UInt8(ascii: "p"): style = .path
                case UInt8(ascii: "d"): style = .directory
                case UInt8(ascii: "h"): style = .hash
                case UInt8(ascii: "s"): style = .success
                case UInt8(ascii: "m"): style = .muted
                case UInt8(ascii: "w"): style = .warning
                case UInt8(ascii: "a"): style = .accent
                default: style = .text
                }
                bytes = bytes.dropFirst(2)
                continue
            }
            cells.append(Cell(code: c, style: style.rawValue))
        }
        return cells
    }

    private struct Entry {
        var directory: String
        var command: String
        var output: [String]
        var lineDelay: Double = 0.03
        var ringsBell = false
    }

    /// The session: everyday commands with their real-looking output.
    private static let session: [Entry] = [
        Entry(directory: "~", command: "ls", output: [
            "{d}Desktop{t}  {d}Documents{t}  {d}Downloads{t}  {d}Music{t}  {d}Pictures{t}  {d}porthole{t}  notes.txt",
        ]),
        Entry(directory: "~", command: "cd porthole && git log --oneline -4", output: [
            "{h}3f9c2a1{t} Demo desktop: terminal, clock and a moving window",
            "{h}b71e0d4{t} ZRLE encoder with per-viewer zlib streams",
            "{h}70b1878{t} ZlibStreams and shared test images",
            "{h}8b74ec6{t} Package skeleton: geometry, regions, pixel formats",
        ]),
        Entry(directory: "~/porthole", command: "swift build", output: [
            "Building for debugging...",
            "[1/5] Compiling Capture DemoDesktop.swift",
            "[2/5] Compiling RFBEncoders ZRLEEncoder.swift",
            "[4/5] Emitting module Server",
            "[5/5] Linking porthole",
            "{s}Build of product 'porthole' complete!{t} (6.42s)",
        ], lineDelay: 0.7, ringsBell: true),
        Entry(directory: "~/porthole", command: "df -h /", output: [
            "Filesystem      Size  Used Avail Use% Mounted on",
            "/dev/nvme0n1p2  468G  112G  333G  26% /",
        ]),
        Entry(directory: "~/porthole", command: "ping -c 3 vnc.example.org", output: [
            "PING vnc.example.org (192.0.2.10) 56(84) bytes of data.",
            "64 bytes from 192.0.2.10: icmp_seq=1 ttl=57 time=11.8 ms",
            "64 bytes from 192.0.2.10: icmp_seq=2 ttl=57 time=12.1 ms",
            "64 bytes from 192.0.2.10: icmp_seq=3 ttl=57 time=11.6 ms",
            "",
            "--- vnc.example.org ping statistics ---",
            "3 packets transmitted, 3 received, {s}0% packet loss{t}, time 2003ms",
        ], lineDelay: 0.9),
        Entry(directory: "~/porthole", command: "free -h", output: [
            "{m}               total        used        free      shared  buff/cache",
            "Mem:            15Gi       3.2Gi       8.1Gi       412Mi       4.3Gi",
            "Swap:          2.0Gi          0B       2.0Gi",
        ]),
        Entry(directory: "~/porthole", command: "grep -c Rect Sources/Geometry/Region.swift", output: ["{a}41"]),
        Entry(directory: "~/porthole", command: "clear", output: []),
    ]
}
