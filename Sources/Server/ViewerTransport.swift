import NIOCore

/// The socket a `ViewerConnection` is served on, and the thread that owns it.
///
/// The RFB state machines are pure and `ViewerConnection` only performs their actions, so the
/// connection needs little of its socket: writes that report when the socket took them, timers,
/// a way onto its thread, and a close. Two transports implement this: NIO's pipeline
/// (`NIOViewerTransport`: WebSocket viewers, every viewer of a built-in source) and the display
/// device's own event thread (`SocketViewerTransport`: plain TCP viewers of a device output,
/// which are then encoded for on the thread that composed the frame, with no hand-off between
/// threads; docs/architecture.md "Viewers on the device's thread").
///
/// Every method is called on the transport's thread, except `deliver`.
protocol ViewerTransport: AnyObject {
    /// The viewer's address, for logs and the authentication throttle.
    var remoteAddress: SocketAddress? { get }
    /// Queues `bytes` for the socket; `sent` learns true once the socket has taken all of them, or
    /// false when the connection closed first. It may be called before `write` returns.
    func write(_ bytes: ByteBuffer, sent: ((Bool) -> Void)?)
    /// Runs `body` on the transport's thread at `deadline`, unless cancelled first.
    func schedule(at deadline: NIODeadline, _ body: @escaping () -> Void) -> ViewerTimer
    /// Runs `body` on the transport's thread: later, also when called there, so that it never
    /// runs inside the caller's work.
    func execute(_ body: @escaping @Sendable () -> Void)
    /// Runs `body` on the transport's thread: at once when the caller is on it and the transport
    /// allows work to run inside another's (the device's thread publishing a frame), later
    /// otherwise. For the output's calls to its viewers (`OutputSubscriber.deliver`).
    func deliver(_ body: @escaping @Sendable () -> Void)
    /// Closes the connection; the connection hears `disconnected` once it is closed.
    func close()
}

/// A timer `ViewerTransport.schedule` armed.
protocol ViewerTimer {
    func cancel()
}

extension Scheduled: ViewerTimer {}
