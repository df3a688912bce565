/// A listening socket watched by an `EventThread`, which stops watching it for a while when
/// accept(2) fails for want of a resource (`AcceptBackoff` says why and for how long).
///
/// The owner's `accept` handler runs while connections wait. It calls `accepted()` for each
/// connection it takes and `failed()` when accept fails with an error that is not transient
/// (`AcceptBackoff.isTransient`), then returns; the watch calls the handler again after the pause.
/// Used on its thread only.
public final class ListenerWatch {
    private let thread: EventThread
    private let watch: FDWatch
    private var resumeTimer: EventTimer?
    private var backoff = AcceptBackoff()
    private var cancelled = false

    /// Watches `fd` (which the caller keeps open until it cancels) for connections; `accept`
    /// runs on `thread` while some wait. Call `start` to begin.
    public init(thread: EventThread, fd: Int32, accept: @escaping () -> Void) {
        self.thread = thread
        watch = thread.watch(fd, onReadable: accept)
    }

    public func start() throws(SystemError) {
        guard !cancelled else { return }
        try watch.setInterest(readable: true, writable: false)
    }

    /// accept(2) failed with an error that is not transient: stops watching until the pause is
    /// over. Returns the pause, whose `report` says whether the owner should log this failure.
    public func failed() -> AcceptBackoff.Pause {
        let pause = backoff.failed(at: EventThread.monotonicNanoseconds())
        guard !cancelled else { return pause }
        // Leaving the epoll set cannot fail for want of descriptors; if it did, the next pause
        // would still space the retries out, only with the thread waking.
        try? watch.setInterest(readable: false, writable: false)
        let timer = resumeTimer ?? thread.makeTimer { [weak self] in self?.resume() }
        resumeTimer = timer
        timer.schedule(afterNanoseconds: pause.nanoseconds)
        return pause
    }

    /// A connection was accepted; returns how many failures the streak it ends had, if any.
    public func accepted() -> Int? { backoff.accepted() }

    /// Stops watching for good; call it before closing the descriptor.
    public func cancel() {
        cancelled = true
        resumeTimer?.cancel()
        watch.cancel()
    }

    private func resume() {
        guard !cancelled else { return }
        // Readable again at once if connections still wait: the handler then runs and accepts
        // them or fails again. Should epoll refuse the socket (ENOMEM), try again later rather
        // than never.
        do {
            try watch.setInterest(readable: true, writable: false)
        } catch {
            resumeTimer?.schedule(afterNanoseconds: AcceptBackoff.longestPause)
        }
    }
}
