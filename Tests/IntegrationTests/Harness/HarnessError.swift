/// A failure of the test harness or of a peer, carrying a message meant for the test report.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
