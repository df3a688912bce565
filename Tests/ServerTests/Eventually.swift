import Foundation

/// Polls `condition` every 10 ms until it holds or `timeout` seconds have passed, and says which.
/// Every wait in the server tests goes through here (or another bounded wait), so a server that
/// never does what a test expects fails the test instead of hanging the suite.
func eventually(timeout: Double, _ condition: @Sendable () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if await condition() { return true }
        if Date() >= deadline { return false }
        try? await Task.sleep(nanoseconds: 10_000_000)
    }
}

/// Sleeps for `seconds`, for tests that assert something does *not* happen within a while.
func pause(_ seconds: Double) async {
    try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
}
