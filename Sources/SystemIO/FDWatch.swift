import CPortholeShims

/// A descriptor an `EventThread` watches: its handlers run on the thread while the descriptor is
/// readable or writable (level-triggered, as a dispatch source is) and the owner wants to know.
///
/// With no interest the descriptor leaves the epoll set altogether: epoll reports a hang-up or an
/// error whatever the interest, and a level-triggered report nobody handles would wake the thread
/// without end. A hang-up or error goes to whichever handlers are wanted, whose read or write then
/// sees it. Used on its thread only.
public final class FDWatch {
    public let fd: Int32
    let id: UInt64
    private let epoll: Int32
    private let onReadable: () -> Void
    private let onWritable: () -> Void
    private(set) public var wantsReadable = false
    private(set) public var wantsWritable = false
    private var registered = false
    private var cancelled = false
    /// Drops the watch from its thread's table.
    private let forget: () -> Void

    init(fd: Int32, id: UInt64, epoll: Int32, onReadable: @escaping () -> Void, onWritable: @escaping () -> Void,
         forget: @escaping () -> Void) {
        self.fd = fd
        self.id = id
        self.epoll = epoll
        self.onReadable = onReadable
        self.onWritable = onWritable
        self.forget = forget
    }

    /// Which readiness the handlers should hear of from now on.
    public func setInterest(readable: Bool, writable: Bool) throws(SystemError) {
        guard !cancelled, readable != wantsReadable || writable != wantsWritable else { return }
        wantsReadable = readable
        wantsWritable = writable
        let events = (readable ? UInt32(PORTHOLE_EPOLL_IN) : 0) | (writable ? UInt32(PORTHOLE_EPOLL_OUT) : 0)
        let (epoll, fd, id) = (epoll, fd, id)
        if events == 0 {
            if registered {
                registered = false
                _ = try retryingOnInterrupt("epoll_ctl(DEL, \(fd))") { porthole_epoll_ctl(epoll, PORTHOLE_EPOLL_CTL_DEL, fd, 0, id) }
            }
        } else {
            let operation = registered ? PORTHOLE_EPOLL_CTL_MOD : PORTHOLE_EPOLL_CTL_ADD
            _ = try retryingOnInterrupt("epoll_ctl(\(fd))") { porthole_epoll_ctl(epoll, operation, fd, events, id) }
            registered = true
        }
    }

    /// Stops watching; no handler runs after this. Call it before closing the descriptor.
    public func cancel() {
        guard !cancelled else { return }
        if registered { _ = porthole_epoll_ctl(epoll, PORTHOLE_EPOLL_CTL_DEL, fd, 0, id) }
        registered = false
        cancelled = true
        wantsReadable = false
        wantsWritable = false
        forget()
    }

    /// Hands epoll's report to the handlers that want it.
    func deliver(_ events: UInt32) {
        let broken = events & UInt32(PORTHOLE_EPOLL_ERR | PORTHOLE_EPOLL_HUP) != 0
        if wantsReadable, broken || events & UInt32(PORTHOLE_EPOLL_IN) != 0 { onReadable() }
        // The read handler may have cancelled the watch or dropped the write interest.
        if wantsWritable, !cancelled, broken || events & UInt32(PORTHOLE_EPOLL_OUT) != 0 { onWritable() }
    }
}
