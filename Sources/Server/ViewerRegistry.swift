import NIOConcurrencyHelpers
import NIOCore
import RFB

/// State the viewer connections share: how many are connected (for `--max-viewers`) and the
/// authentication throttle keyed by source address. Guarded by a lock because connections run on
/// several event loops.
final class ViewerRegistry: @unchecked Sendable {
    private let lock = NIOLock()
    private var connected = 0
    private var nextID = 1
    private var throttle: AuthenticationThrottle<String>
    let maxViewers: Int

    init(maxViewers: Int, throttlePolicy: AuthenticationThrottle<String>.Policy) {
        self.maxViewers = maxViewers
        throttle = AuthenticationThrottle(policy: throttlePolicy)
    }

    /// Admits one more viewer and returns its number, or nil when `maxViewers` are connected.
    func admit() -> Int? {
        lock.withLock {
            guard connected < maxViewers else { return nil }
            connected += 1
            defer { nextID += 1 }
            return nextID
        }
    }

    func leave() { lock.withLock { connected -= 1 } }

    /// The server is stopping: connections closed from now on were closed by it, which their
    /// disconnect lines say.
    private var stopping = false
    func markStopping() { lock.withLock { stopping = true } }
    var isStopping: Bool { lock.withLock { stopping } }

    var count: Int { lock.withLock { connected } }

    func mayAttemptAuthentication(from address: String) -> Bool {
        lock.withLock {
            throttle.prune(now: .now())
            return throttle.mayAttempt(from: address, now: .now())
        }
    }

    func recordAuthentication(from address: String, succeeded: Bool) {
        lock.withLock {
            if succeeded { throttle.recordSuccess(from: address) } else { throttle.recordFailure(from: address, now: .now()) }
        }
    }
}
