import Capture
import Foundation

/// The scripted source tells the server of a new frame when a test says so (`signalFrameReady`),
/// the way a display-device output does when a commit reaches its screen. Tests that never call it
/// see a source that is only polled.
extension ScriptedFrameSource: FrameSignalling {
    private static let handlers = FrameReadyHandlers()

    func onFrameReady(_ handler: @escaping @Sendable () -> Void) { Self.handlers.set(handler, for: self) }

    var advancesWhereSignalled: Bool { advancesOnSignallingThread }

    /// Calls the handler the server installed; false when it installed none.
    @discardableResult
    func signalFrameReady() -> Bool {
        guard let handler = Self.handlers.handler(for: self) else { return false }
        handler()
        return true
    }
}

/// Installed handlers per source (an extension cannot add stored properties).
final class FrameReadyHandlers: @unchecked Sendable {
    private let lock = NSLock()
    private var handlers: [ObjectIdentifier: @Sendable () -> Void] = [:]

    func set(_ handler: @escaping @Sendable () -> Void, for source: AnyObject) {
        lock.withLock { handlers[ObjectIdentifier(source)] = handler }
    }

    func handler(for source: AnyObject) -> (@Sendable () -> Void)? { lock.withLock { handlers[ObjectIdentifier(source)] } }
}
