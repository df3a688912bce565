import Capture
import Geometry
import Pixels
import PortholeTestSupport
import RFB
import Server
import Testing

/// SetDesktopSize and what each kind of viewer hears of a size change (rfbproto "SetDesktopSize",
/// "ExtendedDesktopSize Pseudo-encoding", RFC 6143 §7.8.2 DesktopSize).
struct DesktopResizeTests {
    private static let startSize = Size(width: 160, height: 120)

    @Test func grantedResizeReachesEveryKindOfViewer() async throws {
        try await TestServer.with { server in
            let requester = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            let other = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            let basic = try await server.connectViewerWithPicture(.listing([.desktopSize]))
            let neither = try await server.connectViewerWithPicture(.listing([]))
            // Two side-by-side screens, so the layout (not only the size) has to travel.
            let size = Size(width: 240, height: 100)
            let layout = DesktopLayout(size: size, screens: [
                Screen(id: 1, rect: Rect(x: 0, y: 0, width: 120, height: 100)),
                Screen(id: 2, rect: Rect(x: 120, y: 0, width: 120, height: 100)),
            ])
            await requester.setDesktopSize(layout)

            #expect(await eventually(timeout: TestPatience.seconds) { server.source.latest.size == size })
            let picture = server.source.latest
            #expect(await requester.waitForFramebuffer(picture), "the requester did not get the new frame")
            #expect(await other.waitForFramebuffer(picture), "the other ExtendedDesktopSize viewer did not get the new frame")
            #expect(await basic.waitForFramebuffer(picture), "the DesktopSize viewer did not get the new frame")

            #expect(requester.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .noError, layout: layout)])
            #expect(other.desktopSizeAnswers.isEmpty)
            #expect(other.layouts.last == ExtendedDesktopSize(reason: .otherClient, status: .noError, layout: layout))
            #expect(basic.resizes == [size])
            #expect(basic.layouts.isEmpty, "a viewer that did not list ExtendedDesktopSize got one")
            #expect(server.server.output.frame.layout == layout)

            #expect(await neither.waitUntilClosed(), "a viewer without DesktopSize kept its connection")
            #expect(await server.log.waitForLine(containing: "disconnected", "does not support DesktopSize"))
            #expect(await server.log.waitForLine(containing: "resized the output to \(layout)"))
        }
    }

    /// Viewers land on different event loops than the output (or the same one); wherever they
    /// are, each request is answered exactly once, and the others hear of it as otherClient.
    @Test func eachRequestIsAnsweredExactlyOnce() async throws {
        try await TestServer.with { server in
            var viewers: [TestViewer] = []
            for _ in 0..<4 { viewers.append(try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))) }
            for (index, requester) in viewers.enumerated() {
                let layout = DesktopLayout(singleScreen: Size(width: 100 + 20 * index, height: 90))
                await requester.setDesktopSize(layout)
                #expect(await eventually(timeout: TestPatience.seconds) { !requester.desktopSizeAnswers.isEmpty })
                for viewer in viewers {
                    #expect(await viewer.waitForFramebuffer(server.source.latest), "viewer did not get the frame of request \(index)")
                }
                await pause(0.2)
                #expect(requester.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .noError, layout: layout)],
                        "request \(index)")
                for (otherIndex, viewer) in viewers.enumerated() where otherIndex != index {
                    #expect(viewer.layouts.last == ExtendedDesktopSize(reason: .otherClient, status: .noError, layout: layout),
                            "viewer \(otherIndex) after request \(index)")
                }
                // Later answers are told apart from this one by starting afresh.
                for viewer in viewers { viewer.forgetLayouts() }
            }
        }
    }

    @Test func requestForTheCurrentLayoutIsAnsweredAndChangesNothing() async throws {
        try await TestServer.with { server in
            let requester = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            let other = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            let current = DesktopLayout(singleScreen: Self.startSize)
            await requester.setDesktopSize(current)
            #expect(await eventually(timeout: TestPatience.seconds) { !requester.desktopSizeAnswers.isEmpty })
            await pause(0.3)
            #expect(requester.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .noError, layout: current)])
            #expect(other.layouts.allSatisfy { $0.reason == .server }, "another viewer heard of a request that changed nothing")
            #expect(try await requester.framebuffer() == server.source.latest)
        }
    }

    @Test func stillImageRefusesResizeAndNothingChanges() async throws {
        let log = LogRecorder()
        let picture = TestImages.desktop(width: Self.startSize.width, height: Self.startSize.height)
        let server = try await PortholeServer.start(configuration: TestServer.configuration(), source: StillImageSource(picture),
                                                    logger: log.makeLogger())
        do {
            let viewer = try await TestViewer.connect(to: server.boundAddress, options: .listing([.extendedDesktopSize]))
            let bystander = try await TestViewer.connect(to: server.boundAddress, options: .listing([.extendedDesktopSize]))
            try #require(await viewer.waitForFramebuffer(picture))
            try #require(await bystander.waitForFramebuffer(picture))
            await viewer.setDesktopSize(DesktopLayout(singleScreen: Size(width: 320, height: 240)))

            #expect(await eventually(timeout: TestPatience.seconds) { !viewer.desktopSizeAnswers.isEmpty })
            #expect(viewer.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .prohibited,
                                                                      layout: DesktopLayout(singleScreen: Self.startSize))])
            #expect(await log.waitForLine(containing: "asked for 320x240: refused"))
            await pause(0.3)
            #expect(try await viewer.framebuffer() == picture)
            #expect(viewer.resizes.isEmpty)
            #expect(bystander.layouts.allSatisfy { $0.reason == .server }, "another viewer heard of a refused request")
            #expect(server.output.frame.pixels.size == Self.startSize)
            #expect(!viewer.isClosed)
            await viewer.close()
            await bystander.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A size the source cannot take is an invalid request (status 3, as TigerVNC's Xvnc answers a
    /// size RandR refuses), not an administrative prohibition (status 1, for fixed-size outputs).
    @Test(arguments: [Size(width: 8, height: 100), Size(width: 100, height: 4097)])
    func sizeOutsideTheSourcesRangeIsAnInvalidLayout(size: Size) async throws {
        try await TestServer.with { server in
            let viewer = try await server.connectViewerWithPicture(.listing([.extendedDesktopSize]))
            // ScriptedFrameSource takes 16...4096 on each side.
            await viewer.setDesktopSize(DesktopLayout(singleScreen: size))
            #expect(await eventually(timeout: TestPatience.seconds) { !viewer.desktopSizeAnswers.isEmpty })
            #expect(viewer.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .invalidScreenLayout,
                                                                      layout: DesktopLayout(singleScreen: Self.startSize))])
            #expect(await server.log.waitForLine(containing: "asked for \(size): invalid for this output", "outside 16...4096"))
            #expect(server.server.output.frame.pixels.size == Self.startSize)
            try await server.expectStillServing(viewer)
        }
    }

    /// A source that passes the request on (a display-device output asks its producer) has not
    /// changed when the request returns: the requester is answered at once with status 4, "request
    /// forwarded", and the current layout (rfbproto "ExtendedDesktopSize": every SetDesktopSize
    /// gets an answer); when the producer later changes the size, every viewer hears of it as a
    /// server-side change.
    @Test func forwardedRequestIsAnsweredAtOnceAndTheLaterChangeReachesEveryone() async throws {
        let log = LogRecorder()
        let start = TestImages.desktop(width: Self.startSize.width, height: Self.startSize.height)
        let source = ForwardingResizeSource(start)
        let server = try await PortholeServer.start(configuration: TestServer.configuration(), source: source, logger: log.makeLogger())
        do {
            let requester = try await TestViewer.connect(to: server.boundAddress, options: .listing([.extendedDesktopSize]))
            let other = try await TestViewer.connect(to: server.boundAddress, options: .listing([.extendedDesktopSize]))
            try #require(await requester.waitForFramebuffer(start))
            try #require(await other.waitForFramebuffer(start))
            let wanted = Size(width: 200, height: 100)
            await requester.setDesktopSize(DesktopLayout(singleScreen: wanted))

            #expect(await eventually(timeout: TestPatience.seconds) { !requester.desktopSizeAnswers.isEmpty }, "no answer to the request")
            #expect(requester.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .forwarded,
                                                                         layout: DesktopLayout(singleScreen: Self.startSize))])
            #expect(source.requests == [wanted])
            #expect(await log.waitForLine(containing: "asked for \(wanted): passed on"))
            #expect(!log.lines.contains { $0.contains("resized the output") }, "the log claims a resize that did not happen")
            #expect(server.output.frame.pixels.size == Self.startSize)

            source.apply()
            let resized = DesktopLayout(singleScreen: wanted)
            for viewer in [requester, other] {
                #expect(await eventually(timeout: TestPatience.seconds) { viewer.layouts.last?.layout == resized })
                #expect(viewer.layouts.last == ExtendedDesktopSize(reason: .server, status: .noError, layout: resized))
                #expect(await viewer.waitForFramebuffer(source.frame))
            }
            #expect(requester.desktopSizeAnswers.count == 1)
            await requester.close()
            await other.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func demoDesktopResizesOnRequest() async throws {
        let log = LogRecorder()
        let source = DemoDesktop(size: Size(width: 320, height: 240))
        let server = try await PortholeServer.start(configuration: TestServer.configuration(), source: source, logger: log.makeLogger())
        do {
            let viewer = try await TestViewer.connect(to: server.boundAddress, options: .listing([.extendedDesktopSize]))
            let layout = DesktopLayout(singleScreen: Size(width: 400, height: 300))
            await viewer.setDesktopSize(layout)
            #expect(await eventually(timeout: TestPatience.seconds) { !viewer.desktopSizeAnswers.isEmpty })
            #expect(viewer.desktopSizeAnswers == [ExtendedDesktopSize(reason: .thisClient, status: .noError, layout: layout)])
            #expect(await eventually(timeout: TestPatience.seconds) { (try? await viewer.framebuffer().size) == layout.size })
            #expect(server.output.frame.pixels.size == layout.size)
            await viewer.close()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func nonIncrementalRequestIsAnsweredWithTheLayout() async throws {
        try await TestServer.with { server in
            let viewer = try await TestViewer.connect(to: server.address, options: .listing([.extendedDesktopSize], requestsAutomatically: false))
            await viewer.requestUpdate(incremental: true)
            try #require(await viewer.waitForUpdates(1))
            #expect(viewer.layouts.isEmpty, "an incremental request was answered with ExtendedDesktopSize")
            await viewer.requestUpdate(incremental: false)
            #expect(await eventually(timeout: TestPatience.seconds) { !viewer.layouts.isEmpty })
            #expect(viewer.layouts == [ExtendedDesktopSize(reason: .server, status: .noError, layout: DesktopLayout(singleScreen: Self.startSize))])
            #expect(await viewer.waitForFramebuffer(server.source.latest))
        }
    }
}
