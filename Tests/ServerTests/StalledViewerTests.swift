import Geometry
import Display
import Foundation
import NIOCore
import Pixels
import PortholeTestSupport
import RFB
import Testing

/// A viewer that asks for updates and never reads them must not hold anything up: the server
/// disconnects it after `stalledViewerTimeout` with a log line, and other viewers keep getting
/// updates throughout (architecture.md, "at most one update in flight").
struct StalledViewerTests {
    /// Also with the viewers on a thread of their own (`SocketViewerTransport`, whose updates the
    /// socket does not take wait until it is writable).
    @Test(arguments: [false, true])
    func viewerThatNeverReadsIsDisconnected(viewersOnOwnThread: Bool) async throws {
        // A full-HD source whose every pixel changes at every frame: each update is 8 MB of Raw,
        // far more than the socket buffers of a client that does not read can hold.
        let pictures = (0..<3).map { TestImages.random(width: 1920, height: 1080, seed: UInt64($0 + 1)) }
        let source = ScriptedFrameSource(pictures[0]) { picture, tick in
            picture = pictures[tick % pictures.count]
            return .full(picture.bounds)
        }
        var configuration = TestServer.configuration()
        configuration.stalledViewerTimeout = 1
        configuration.sourceFrameRate = 15
        try await TestServer.with(configuration: configuration, source: source, viewersOnOwnThread: viewersOnOwnThread) { server in
            var options = TestViewer.Options()
            options.encodings = [.raw]
            // A small region keeps this viewer's updates tiny, so it reads each one well within
            // the 1 s stall timeout even on a loaded machine; only the sleeper stalls.
            options.requestedRect = Rect(x: 0, y: 0, width: 64, height: 64)
            let reader = try await TestViewer.connect(to: server.address, options: options)
            try #require(await reader.waitForUpdates(1, timeout: TestPatience.seconds))

            let sleeper = try await RawTestClient.connect(to: server.address, receiveBufferSize: 16 << 10)
            try await sleeper.handshakeWithoutSecurity()
            await sleeper.stopReading()
            var message = ByteBuffer()
            message.writeClientMessage(.framebufferUpdateRequest(incremental: false, rect: pictures[0].bounds))
            let request = message
            let disconnected = await eventually(timeout: TestPatience.seconds) {
                await sleeper.send(request)
                return !server.log.lines(containing: "disconnected: the viewer stopped reading").isEmpty
            }
            #expect(disconnected, "the stalled viewer was not disconnected")
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })

            let before = reader.updateCount
            #expect(await reader.waitForUpdates(before + 2, timeout: TestPatience.seconds), "the reading viewer stopped getting updates")
            #expect(!reader.isClosed)
            await sleeper.close()
        }
    }

    /// Messages outside updates do not wait for a request: a viewer that asks for nothing and
    /// never reads still gets every clipboard change as ServerCutText. Its unsent messages are
    /// bounded: past `maximumUnsentMessageBytes` it is disconnected with a log line, and the
    /// viewer changing the clipboard notices nothing.
    @Test func viewerThatNeverReadsWhileTheClipboardChangesIsDisconnected() async throws {
        var configuration = TestServer.configuration()
        configuration.maximumUnsentMessageBytes = 4 << 20
        try await TestServer.with(configuration: configuration) { server in
            let sleeper = try await RawTestClient.connect(to: server.address, receiveBufferSize: 16 << 10)
            try await sleeper.handshakeWithoutSecurity()
            await sleeper.stopReading()
            let typist = try await server.connectViewerWithPicture()
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 2 })
            // Nearly 1 MiB of Latin-1 per change, each different; the limit on ClientCutText is 1 MiB.
            var changes = 0
            var disconnected = false
            let deadline = Date().addingTimeInterval(TestPatience.seconds)
            while !disconnected && changes < 200 && Date() < deadline {
                changes += 1
                await typist.cutText([UInt8](repeating: UInt8(ascii: "a") + UInt8(changes % 26), count: 1_000_000))
                await pause(0.05)
                disconnected = !server.log.lines(containing: "disconnected: the viewer stopped reading (", "bytes of messages unsent").isEmpty
            }
            #expect(disconnected, "the viewer that never reads was not disconnected after \(changes) clipboard changes")
            #expect(changes < 200)
            #expect(await eventually(timeout: TestPatience.seconds) { server.server.viewerCount == 1 })
            try await server.expectStillServing(typist)
            await sleeper.close()
        }
    }
}
