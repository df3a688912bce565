#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` (a `Process.run()`) with no signal blocked on the calling thread, then puts the
/// thread's mask back.
///
/// Why: a child inherits the signal mask of the thread that spawns it, and Foundation's `Process`
/// does not reset it. Swift's concurrency threads block nearly every signal, so every peer a test
/// started (Xvfb, x11vnc, Xvnc, the porthole binary) ran with SIGTERM blocked: `stop()`'s SIGTERM
/// did nothing and the SIGKILL after the grace period did the work. A killed x11vnc leaves its
/// twelve SysV shared-memory segments behind; after some 340 runs the machine's 4096 were gone and
/// x11vnc failed in CI with "shmget: No space left on device".
public func withDefaultSignalMask<T>(_ body: () throws -> T) rethrows -> T {
    var nothingBlocked = sigset_t()
    sigemptyset(&nothingBlocked)
    var previous = sigset_t()
    pthread_sigmask(SIG_SETMASK, &nothingBlocked, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try body()
}
