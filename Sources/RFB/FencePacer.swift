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
/// follow), the window grows while updates do not wait behind earlier ones and shrinks, towards
/// bandwidth × base RTT, when they do: waiting means bytes are queueing somewhere. Time a viewer
/// spends decoding an update alone is not queueing (`queueingDelay`). Like TigerVNC's server, one
/// update may go beyond the window while the previous one is unanswered, so encoding the next
/// overlaps the viewer's decoding of the last, unless the link is really congested; and after an
/// idle gap the window restarts at its initial value.
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
        /// A second update goes while the first is unanswered (pipelining) only if it would wait
        /// at most this long behind the first (by the latest lone update's round trip): longer,
        /// and the link is really congested. TigerVNC's largest queueing threshold.
        public var pipeliningLimit: TimeAmount = .milliseconds(100)
        /// Nothing sent and nothing outstanding this long (or twice the base RTT, if longer): the
        /// link's queues have drained and the old verdict is stale, so the window restarts at
        /// `initialWindow` and the base is measured again (TigerVNC does the same).
        public var idleReset: TimeAmount = .milliseconds(100)
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
        /// Another ping was outstanding when this one was sent: its update queued behind earlier data.
        var hadPingAhead: Bool
        /// Sent beyond the window while exactly one ping was outstanding (pipelining).
        var pipelined: Bool
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
    /// The round trip of the latest answer to a ping sent with nothing ahead of it: how long one
    /// update takes to cross the link and be processed, without waiting for others.
    public private(set) var loneRTT: TimeAmount?
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
    private var lastSentAt: NIODeadline?
    /// The window is adjusted once per interval, from the least queueing delay seen in it.
    private var intervalStart: NIODeadline?
    private var intervalLeastQueueing: TimeAmount?
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
        // Pipelining: the next update is encoded and sent while the viewer decodes the last one,
        // beyond the window, but only one (its ping is the one outstanding) and not while the
        // round trip says the first update itself is stuck on a congested link.
        if pings.count == 1 && !isReallyCongested(at: now) { return .sendNow }
        return .waitForAnswer(giveUpAt: oldest.sentAt + configuration.answerTimeout)
    }

    /// An update of `byteCount` bytes was written. Returns the payload of the ping to write right
    /// after it (ServerFence with Request|BlockBefore), or nil when pacing is not active.
    public mutating func updateSent(byteCount: Int, at now: NIODeadline) -> [UInt8]? {
        guard state == .active else { return nil }
        resetIfIdle(at: now)
        lastSentAt = now
        let pipelined = pings.count == 1 && bytesInFlight >= window
        sentOffset += max(byteCount, 0)
        let full = bytesInFlight >= window
        intervalFilledWindow = intervalFilledWindow || full
        if intervalStart == nil { intervalStart = now }
        let sequence = nextSequence
        nextSequence &+= 1
        pings.append(Ping(sequence: sequence, sentAt: now, offset: sentOffset, windowWasFull: full,
                          hadPingAhead: !pings.isEmpty, pipelined: pipelined))
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
        if !ping.hadPingAhead { loneRTT = rtt }
        if !ping.pipelined {
            let queueing = queueingDelay(of: ping)
            intervalLeastQueueing = min(intervalLeastQueueing ?? queueing, queueing)
        }
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

    /// An update sent now would wait more than `pipeliningLimit` behind the one outstanding:
    /// that one is expected back a lone update's round trip (`loneRTT`) after it was sent.
    public func isReallyCongested(at now: NIODeadline) -> Bool {
        guard let oldest = pings.first, let lone = loneRTT else { return false }
        return oldest.sentAt + lone - now > configuration.pipeliningLimit
    }

    // MARK: - Estimates

    /// How long a ping's update waited behind earlier updates: from its sending until the answer
    /// to the ping ahead of it (answers come in order, so it could not be processed earlier).
    /// Why not RTT − base: the base is the least round trip ever, usually a tiny update's, so the
    /// time a viewer takes to decode a big update alone would read as queueing and close the
    /// window on a fast link. A lone update (nothing ahead) waited for nothing: its round trip is
    /// its own transfer and decoding, which no window would shorten. Data queued on the link or
    /// at the viewer shows up as waiting behind what is ahead, and that is what the window limits.
    private func queueingDelay(of ping: Ping) -> TimeAmount {
        guard ping.hadPingAhead, let previous = lastAnswer?.at, previous > ping.sentAt else { return .nanoseconds(0) }
        return previous - ping.sentAt
    }

    /// TigerVNC's rule (a crude retransmission timeout): after an idle gap the queues have
    /// drained, so the window starts again from its initial value and the base is measured anew.
    private mutating func resetIfIdle(at now: NIODeadline) {
        guard pings.isEmpty, let last = [lastSentAt, lastAnswer?.at].compactMap({ $0 }).max() else { return }
        let limit = max(configuration.idleReset, (baseRTT ?? .nanoseconds(0)) * 2)
        guard now - last > limit else { return }
        window = configuration.initialWindow
        baseRTT = nil
        currentRTT = nil
        loneRTT = nil
        intervalStart = nil
        intervalLeastQueueing = nil
        intervalFilledWindow = false
    }

    private mutating func estimateBandwidth(ping: Ping, at now: NIODeadline) {
        defer { lastAnswer = (now, ping.offset) }
        guard ping.windowWasFull, let last = lastAnswer, ping.offset > last.offset else { return }
        let seconds = Double((now - last.at).nanoseconds) / 1e9
        // Answers read together say nothing about the gap between them.
        guard seconds >= 0.001 else { return }
        let sample = Double(ping.offset - last.offset) / seconds
        bandwidth = bandwidth.map { $0 * 0.75 + sample * 0.25 } ?? sample
    }

    /// Vegas-style, on `queueingDelay` (the least of the interval, which ignores jitter): the
    /// more updates wait behind earlier ones, the more is queued.
    private mutating func adjustWindowIfIntervalOver(at now: NIODeadline) {
        guard let start = intervalStart, let base = baseRTT, let queueing = intervalLeastQueueing else { return }
        let interval = min(max(base * 2, .milliseconds(10)), .milliseconds(100))
        guard now - start >= interval else { return }
        if queueing > min(.milliseconds(100), base) {
            // Far too fast: bring the window to what the link carries in one base round trip.
            let byRatio = Int(Double(window) * Double(base.nanoseconds) / Double((base + queueing).nanoseconds))
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
        intervalLeastQueueing = nil
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
