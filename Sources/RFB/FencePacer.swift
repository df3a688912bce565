import NIOCore

/// Congestion control for FramebufferUpdates to a viewer that supports Fence (rfbproto "Fence
/// Pseudo-encoding", "ServerFence"; docs/architecture.md, "Pacing a slow link").
///
/// Why: a write completes once its bytes are in the kernel's socket buffer, which on a slow link
/// holds seconds of data, so pacing on write completion alone lets latency grow. After each
/// update the server sends a fence *ping* (Request|BlockBefore, an 8-byte payload naming it);
/// the viewer answers only after it has processed everything before it, so the answer tells how
/// many bytes have really arrived and how long the round trip took. From the answers this machine
/// keeps the base round-trip time (the least seen), the current one, the bytes in flight (sent but
/// not yet acknowledged) and a bandwidth estimate, and keeps the bytes in flight within a
/// congestion window. Like TCP Vegas (and TigerVNC's congestion control, whose thresholds these
/// follow), the window grows while the round trip stays near its base and shrinks, towards
/// bandwidth × base RTT, when it rises: a rising round trip means bytes are queueing somewhere.
///
/// Pure: no clock reads, no I/O; the time is passed in and the edge writes the pings.
public struct FencePacer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Where the window starts: one or two small updates, enough to measure the link.
        public var initialWindow = 16 * 1024
        /// The least window (TCP's is three segments; TigerVNC guesses 4 KiB).
        public var minimumWindow = 4 * 1024
        /// The most (Linux's default largest socket send buffer).
        public var maximumWindow = 4 * 1024 * 1024
        /// A ping unanswered this long means the viewer does not really answer fences: pacing is
        /// given up for this viewer, which falls back to write completion.
        public var answerTimeout: TimeAmount = .seconds(5)
        /// Pings outstanding at once; with many tiny updates the window alone would not bound them.
        public var maximumOutstandingPings = 64
        public init() {}
    }

    public enum State: Equatable, Sendable {
        /// The viewer has not announced Fence (or pacing is off): every update may go.
        case inactive
        case active
        /// A ping went unanswered for `answerTimeout`; pacing stays off for this viewer.
        case abandoned
    }

    private struct Ping {
        var sequence: UInt32
        var sentAt: NIODeadline
        /// `sentOffset` when the ping was sent: answering it acknowledges that many bytes.
        var offset: Int
        var windowWasFull: Bool
    }

    /// The first four payload bytes of every ping; the last four are the sequence number (big endian).
    public static let payloadTag: [UInt8] = Array("PHpg".utf8)
    public static let payloadLength = 8

    public let configuration: Configuration
    public private(set) var state = State.inactive
    public private(set) var window: Int
    /// The least round trip seen: the wire latency plus the time to process one update.
    public private(set) var baseRTT: TimeAmount?
    /// The round trip of the latest answer.
    public private(set) var currentRTT: TimeAmount?
    /// Bytes per second delivered, from the answers to pings sent while the window was full
    /// (otherwise the gaps between answers measure how often the screen changed, not the link).
    public private(set) var bandwidth: Double?
    /// Answers shaped like pings that matched none (bogus or late), for the edge to report.
    public private(set) var unexpectedAnswers = 0

    private var sentOffset = 0
    private var acknowledgedOffset = 0
    private var pings: [Ping] = []
    private var nextSequence: UInt32 = 1
    private var lastAnswer: (at: NIODeadline, offset: Int)?
    /// The window is adjusted once per interval, from the least round trip seen in it.
    private var intervalStart: NIODeadline?
    private var intervalMinimumRTT: TimeAmount?
    private var intervalFilledWindow = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        window = configuration.initialWindow
    }

    /// Bytes of updates sent and not yet acknowledged by a ping answer.
    public var bytesInFlight: Int { sentOffset - acknowledgedOffset }
    public var outstandingPings: Int { pings.count }

    /// The viewer announced Fence: start pacing (once; a later announcement changes nothing).
    public mutating func enable() {
        if state == .inactive { state = .active }
    }

    /// May the next update go now?
    public func decision(at now: NIODeadline) -> FencePacerDecision {
        guard state == .active, let oldest = pings.first else { return .sendNow }
        // One update always fits into an empty window, however big, so progress never stops.
        if bytesInFlight < window && pings.count < configuration.maximumOutstandingPings { return .sendNow }
        return .waitForAnswer(giveUpAt: oldest.sentAt + configuration.answerTimeout)
    }

    /// An update of `byteCount` bytes was written. Returns the payload of the ping to write right
    /// after it (ServerFence with Request|BlockBefore), or nil when pacing is not active.
    public mutating func updateSent(byteCount: Int, at now: NIODeadline) -> [UInt8]? {
        guard state == .active else { return nil }
        sentOffset += max(byteCount, 0)
        let full = bytesInFlight >= window
        intervalFilledWindow = intervalFilledWindow || full
        if intervalStart == nil { intervalStart = now }
        let sequence = nextSequence
        nextSequence &+= 1
        pings.append(Ping(sequence: sequence, sentAt: now, offset: sentOffset, windowWasFull: full))
        return Self.payload(sequence: sequence)
    }

    /// A fence answer (no Request) arrived with `payload`.
    public mutating func answerReceived(payload: [UInt8], at now: NIODeadline) -> FencePingAnswer {
        guard let sequence = Self.sequence(inPayload: payload) else { return .notAPing }
        guard let index = pings.firstIndex(where: { $0.sequence == sequence }) else {
            unexpectedAnswers += 1
            return .unexpected(sequence: sequence)
        }
        // BlockBefore answers come in order; an answer also covers any earlier ping.
        let ping = pings[index]
        pings.removeFirst(index + 1)
        let rtt = max(now - ping.sentAt, .nanoseconds(1))
        acknowledgedOffset = max(acknowledgedOffset, ping.offset)
        currentRTT = rtt
        baseRTT = min(baseRTT ?? rtt, rtt)
        intervalMinimumRTT = min(intervalMinimumRTT ?? rtt, rtt)
        estimateBandwidth(ping: ping, at: now)
        adjustWindowIfIntervalOver(at: now)
        return .acknowledged(roundTrip: rtt)
    }

    /// Call at the deadline of `.waitForAnswer`: true (once) if pacing was given up because the
    /// oldest ping stayed unanswered for `answerTimeout`.
    public mutating func giveUpIfUnanswered(at now: NIODeadline) -> Bool {
        guard state == .active, let oldest = pings.first, now - oldest.sentAt >= configuration.answerTimeout else { return false }
        state = .abandoned
        pings.removeAll()
        acknowledgedOffset = sentOffset
        return true
    }

    // MARK: - Estimates

    private mutating func estimateBandwidth(ping: Ping, at now: NIODeadline) {
        defer { lastAnswer = (now, ping.offset) }
        guard ping.windowWasFull, let last = lastAnswer, ping.offset > last.offset else { return }
        let seconds = Double((now - last.at).nanoseconds) / 1e9
        // Answers read together say nothing about the gap between them.
        guard seconds >= 0.001 else { return }
        let sample = Double(ping.offset - last.offset) / seconds
        bandwidth = bandwidth.map { $0 * 0.75 + sample * 0.25 } ?? sample
    }

    /// Vegas-style: `queueing` is how much longer than its base the round trip has become.
    private mutating func adjustWindowIfIntervalOver(at now: NIODeadline) {
        guard let start = intervalStart, let base = baseRTT, let least = intervalMinimumRTT else { return }
        let interval = min(max(base * 2, .milliseconds(10)), .milliseconds(100))
        guard now - start >= interval else { return }
        let queueing = least - base
        if queueing > min(.milliseconds(100), base) {
            // Far too fast: bring the window to what the link carries in one base round trip.
            let byRatio = Int(Double(window) * Double(base.nanoseconds) / Double(least.nanoseconds))
            let byBandwidth = bandwidth.map { Int($0 * Double(base.nanoseconds) / 1e9) + configuration.minimumWindow }
            window = min(byRatio, byBandwidth ?? byRatio)
        } else if queueing > min(.milliseconds(50), .nanoseconds(base.nanoseconds / 2)) {
            window -= max(4 * 1024, window / 16)
        } else if intervalFilledWindow && queueing < .milliseconds(5) {
            window += max(8 * 1024, window / 4)
        } else if intervalFilledWindow && queueing < .milliseconds(25) {
            window += max(4 * 1024, window / 16)
        }
        window = min(max(window, configuration.minimumWindow), configuration.maximumWindow)
        intervalStart = pings.isEmpty ? nil : now
        intervalMinimumRTT = nil
        intervalFilledWindow = false
    }

    // MARK: - Payload

    public static func payload(sequence: UInt32) -> [UInt8] {
        payloadTag + [UInt8(truncatingIfNeeded: sequence >> 24), UInt8(truncatingIfNeeded: sequence >> 16),
                      UInt8(truncatingIfNeeded: sequence >> 8), UInt8(truncatingIfNeeded: sequence)]
    }

    /// The sequence number of a ping payload, nil for any other payload.
    public static func sequence(inPayload payload: [UInt8]) -> UInt32? {
        guard payload.count == payloadLength, payload.starts(with: payloadTag) else { return nil }
        return payload[4...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
