import Capture
import Foundation

/// The scripted source rings the bell when a test says so, once per `ringBell()`.
extension ScriptedFrameSource: BellRinging {
    private static let bells = BellCounter()

    func ringBell() { Self.bells.add(for: self) }
    func takeBell() -> Bool { Self.bells.take(for: self) }
}

/// Pending bells per source (an extension cannot add stored properties).
final class BellCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [ObjectIdentifier: Int] = [:]

    func add(for source: AnyObject) { lock.withLock { pending[ObjectIdentifier(source), default: 0] += 1 } }

    func take(for source: AnyObject) -> Bool {
        lock.withLock {
            let key = ObjectIdentifier(source)
            guard let count = pending[key], count > 0 else { return false }
            pending[key] = count - 1
            return true
        }
    }
}
