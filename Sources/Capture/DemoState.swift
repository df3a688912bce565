import Geometry

/// Everything on the demo desktop that depends on time. Two states are compared to find the
/// damage, and a state plus a layout is all that drawing needs, so drawing never reads a clock.
struct DemoState: Equatable, Sendable {
    /// "HH:MM:SS" as ASCII.
    var clock: [UInt8]
    var terminal: DemoTerminal.Screen
    /// The index of the newest CPU sample (two per second).
    var cpuSample: Int
    /// The download's progress in percent.
    var progress: Int
    var photoOrigin: Point

    static let progressPeriod = 50.0

    init(time: Double, clockOffset: Double, layout: DemoLayout, terminal: DemoTerminal) {
        let day = 86_400.0
        var seconds = (clockOffset + time).truncatingRemainder(dividingBy: day)
        if seconds < 0 { seconds += day }
        let s = Int(seconds.rounded(.down))
        let digits = [s / 3600 / 10, s / 3600 % 10, -1, s / 60 % 60 / 10, s / 60 % 10, -1, s % 60 / 10, s % 10]
        clock = digits.map { $0 < 0 ? UInt8(ascii: ":") : UInt8(ascii: "0") + UInt8($0) }
        self.terminal = terminal.screen(at: time, columns: layout.terminalColumns, rows: layout.terminalRows)
        cpuSample = Int((time * 2).rounded(.down))
        var cycle = time.truncatingRemainder(dividingBy: Self.progressPeriod)
        if cycle < 0 { cycle += Self.progressPeriod }
        progress = min(100, Int(cycle / (Self.progressPeriod - 5) * 100))
        photoOrigin = layout.photoOrigin(at: time)
    }
}
