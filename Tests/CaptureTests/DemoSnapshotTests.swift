import Capture
import Foundation
import Geometry
import Testing

/// Writes the demo desktop to PNG files for a person to look at. Runs only when
/// PORTHOLE_DEMO_SNAPSHOT names a directory, e.g.
/// `PORTHOLE_DEMO_SNAPSHOT=/tmp swift test --filter DemoSnapshot`.
@Suite struct DemoSnapshotTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["PORTHOLE_DEMO_SNAPSHOT"] != nil))
    func writeSnapshots() throws {
        let directory = ProcessInfo.processInfo.environment["PORTHOLE_DEMO_SNAPSHOT"]!
        let desktop = DemoDesktop(size: Size(width: 1920, height: 1080), clockOffset: 14 * 3600 + 2 * 60 + 7)
        _ = desktop.advance(to: 21.3)
        try PNGImage.save(desktop.frame, to: directory + "/demo-1920x1080.png")
        desktop.resize(to: Size(width: 800, height: 600))
        try PNGImage.save(desktop.frame, to: directory + "/demo-800x600.png")
        desktop.resize(to: Size(width: 64, height: 64))
        try PNGImage.save(desktop.frame, to: directory + "/demo-64x64.png")
    }
}
