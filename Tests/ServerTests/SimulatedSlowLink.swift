import NIOCore

/// A slow link in front of a `TestViewer`, simulated where the bytes are read: they cross it at
/// `bytesPerSecond`, one after the other, and arrive `latency` later. The viewer's socket is read
/// at once, so the backlog lives here, where the test can see it, rather than in kernel buffers.
struct SimulatedSlowLink: Sendable {
    let bytesPerSecond: Double
    let latency: TimeAmount
    private var inTransit: [(arrival: NIODeadline, bytes: ByteBuffer)] = []
    private var freeAt = NIODeadline.uptimeNanoseconds(0)
    /// Bytes read from the socket that have not yet arrived.
    private(set) var backlog = 0
    private(set) var largestBacklog = 0

    init(bytesPerSecond: Double, latency: TimeAmount) {
        self.bytesPerSecond = bytesPerSecond
        self.latency = latency
    }

    /// Puts `bytes` on the link at `now`; returns when they arrive.
    mutating func send(_ bytes: ByteBuffer, at now: NIODeadline) -> NIODeadline {
        let wire = TimeAmount.nanoseconds(Int64(Double(bytes.readableBytes) / bytesPerSecond * 1e9))
        freeAt = max(freeAt, now) + wire
        let arrival = freeAt + latency
        inTransit.append((arrival, bytes))
        backlog += bytes.readableBytes
        largestBacklog = max(largestBacklog, backlog)
        return arrival
    }

    /// The bytes that have arrived by `now`, in order.
    mutating func arrived(by now: NIODeadline) -> [ByteBuffer] {
        let count = inTransit.prefix { $0.arrival <= now }.count
        let due = inTransit.prefix(count).map(\.bytes)
        inTransit.removeFirst(count)
        backlog -= due.reduce(0) { $0 + $1.readableBytes }
        return due
    }
}
