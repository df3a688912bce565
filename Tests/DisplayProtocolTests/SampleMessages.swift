import DisplayProtocol

/// Example messages, one or more of every type, shared by the tests.
enum SampleMessages {
    static let token = LeaseToken(bytes: Array(0x10...0x1f))!
    static let cursorPixels: [UInt8] = (0..<(64 * 64 * 4)).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index &* 7) }
    static let rows: [WireRect] = (0..<256).map { (row: Int) -> WireRect in WireRect(x: 0, y: Int32(row), width: 1920, height: 1) }
    static let dots: [WireRect] = (0..<256).map { (column: Int) -> WireRect in WireRect(x: Int32(column), y: 0, width: 1, height: 1) }
    static let layout: [OutputLayoutEntry] = (0..<64).map { (index: Int) -> OutputLayoutEntry in
        OutputLayoutEntry(outputID: UInt32(index), width: 640, height: 480, x: Int32(index) * 640, y: 0)
    }
    /// Sixteen moves (the limit, docs/protocol.md §8), with extreme and negative coordinates.
    static let moves: [WireMove] = (0..<16).map { (index: Int) -> WireMove in
        WireMove(destination: WireRect(x: Int32(index) * 64, y: index == 15 ? .max : 0, width: index == 0 ? .max : 64, height: 32),
                 sourceX: index == 1 ? .min : Int32(index) * 64 - 8, sourceY: -Int32(index))
    }
    /// A plane scrolled up by 16 rows (docs/protocol.md §5.8's example with a move, version 1.2).
    static let scrolledPlane = CommitPlaneState(planeID: 6, framebufferID: 3,
                                                source: WireFixedRect(pixelsX: 0, y: 0, width: 640, height: 480),
                                                destination: WireRect(x: 0, y: 0, width: 640, height: 480),
                                                damage: [WireRect(x: 0, y: 464, width: 640, height: 16)],
                                                moves: [WireMove(destination: WireRect(x: 0, y: 0, width: 640, height: 464),
                                                                 sourceX: 0, sourceY: 16)])
    static let listings: [OutputListing] = (0..<3).map { (index: Int) -> OutputListing in
        OutputListing(outputID: UInt32(index), name: "out\(index)", mode: WireMode(width: 1, height: 2, refreshMillihertz: 3),
                      x: -1, y: .max, enabled: index != 1, ownerConnected: index == 2, ownerName: index == 0 ? "" : "prod")
    }

    /// One message per client-to-server type, the ones docs/protocol.md shows as examples.
    static let goldenClient: [(requestID: UInt32, message: ClientToServerMessage)] = [
        // docs/protocol.md's examples are a version 1.0 client and server.
        (1, .hello(HelloMessage(version: DisplayProtocolVersion(major: 1, minor: 0), role: .producer, clientName: "vm1"))),
        (2, .createOutput(CreateOutputRequest(name: "V-1", mode: WireMode(width: 1920, height: 1080, refreshMillihertz: 60000),
                                              preferredMode: WireMode(width: 1280, height: 720, refreshMillihertz: 60000),
                                              x: 0, y: 0, physicalWidthMillimetres: 520, physicalHeightMillimetres: 290))),
        (3, .destroyOutput(outputID: 5)),
        (4, .createPlane(outputID: 5)),
        (5, .destroyPlane(planeID: 9)),
        (6, .createFramebuffer(CreateFramebufferRequest(format: 0x3432_5258, width: 640, height: 480, stride: 2560,
                                                        memoryKind: .sharedMemory, fd: 7))),
        (7, .destroyFramebuffer(framebufferID: 3)),
        (8, .commit(CommitRequest(flags: [.pageFlipEvent],
                                  outputs: [CommitOutputState(outputID: 5, changes: [.position], x: 1920, y: 0)],
                                  planes: [CommitPlaneState(planeID: 6, framebufferID: 3,
                                                            source: WireFixedRect(pixelsX: 0, y: 0, width: 640, height: 480),
                                                            destination: WireRect(x: 0, y: 0, width: 640, height: 480),
                                                            damage: [WireRect(x: 8, y: 16, width: 32, height: 4)])]))),
        (9, .setFlipEventFD(4)),
        (10, .listOutputs),
        (11, .subscribe(outputID: 5)),
        (12, .unsubscribe(outputID: 5)),
        (13, .frameReleased(outputID: 5, bufferIndex: 1, sequence: 42)),
        (14, .keyInput(KeyInput(outputID: 5, keysym: 0x61, scancode: 30, down: true))),
        (15, .pointerInput(PointerInput(outputID: 5, x: 100, y: -2, buttons: 1))),
        (16, .setClipboardText(outputID: 5, text: "hé")),
        (17, .requestLayout([OutputLayoutEntry(outputID: 5, width: 1024, height: 768, x: -1024, y: 0)])),
    ]

    /// One message per server-to-client type, the ones docs/protocol.md shows as examples.
    static let goldenServer: [(requestID: UInt32, message: ServerToClientMessage)] = [
        (1, .welcome(WelcomeMessage(version: DisplayProtocolVersion(major: 1, minor: 0), clientID: 2, leaseToken: token, maximumMessageSize: 65536,
                                    maximumFramebuffers: 64, maximumDamageRects: 256))),
        (6, .error(ErrorReport(code: .badMemory, detail: 0, message: "not sealed"))),
        (3, .done),
        (2, .outputCreated(OutputCreatedReply(outputID: 5, primaryPlaneID: 6, cursorPlaneID: 7))),
        (4, .planeCreated(planeID: 9)),
        (6, .framebufferCreated(framebufferID: 3)),
        (8, .commitAccepted),
        (8, .commitRejected(ErrorReport(code: .noSuchObject, detail: 3, message: "fb"))),
        (0, .pageFlip(PageFlipEvent(outputID: 5, sequence: 42, timestampNanoseconds: 1_000_000_000, commitRequestID: 8))),
        (0, .release(framebufferID: 3)),
        (0, .layoutRequest([OutputLayoutEntry(outputID: 5, width: 1024, height: 768, x: -1024, y: 0)])),
        (0, .keyEvent(KeyInput(outputID: 5, keysym: 0x61, scancode: 30, down: true))),
        (0, .pointerEvent(PointerInput(outputID: 5, x: 100, y: -2, buttons: 1))),
        (0, .clipboardText(outputID: 5, text: "hé")),
        (0, .outputRemoved(outputID: 5)),
        (10, .outputs([OutputListing(outputID: 5, name: "V-1", mode: WireMode(width: 1920, height: 1080, refreshMillihertz: 60000),
                                     x: 0, y: 0, enabled: true, ownerConnected: true, ownerName: "vm1")])),
        (11, .subscribed(outputID: 5)),
        (0, .scanoutBuffers(ScanoutBuffersEvent(outputID: 5, format: 0x3432_5258, width: 1920, height: 1080, stride: 7680,
                                                bufferSize: 8_294_400, fds: [20, 21]))),
        (0, .frameReady(FrameReadyEvent(outputID: 5, sequence: 42, bufferIndex: 1, flags: [.cursorVisible], cursorX: 10, cursorY: 20,
                                        damage: [WireRect(x: 0, y: 0, width: 64, height: 64)]))),
        (0, .cursorImage(CursorImageEvent(outputID: 5, width: 1, height: 1, hotspotX: 0, hotspotY: 0, pixels: .inline([0, 0, 0xff, 0xff])))),
    ]

    /// Further client messages for edge cases: empty, long, Unicode and extreme values.
    static let extraClient: [(requestID: UInt32, message: ClientToServerMessage)] = [
        (0xffff_ffff, .hello(HelloMessage(version: DisplayProtocolVersion(major: 2, minor: 7), role: .consumer,
                                          clientName: "", leaseToken: token))),
        (0, .hello(HelloMessage(role: .producer, clientName: String(repeating: "ñ", count: 127)))),
        (20, .createOutput(CreateOutputRequest(name: "Écran «1»", mode: WireMode(width: .max, height: 0, refreshMillihertz: 1),
                                               preferredMode: WireMode(width: 1, height: 2, refreshMillihertz: 3),
                                               x: .min, y: .max, physicalWidthMillimetres: .max, physicalHeightMillimetres: 1))),
        (21, .createFramebuffer(CreateFramebufferRequest(format: 0x3631_4752, modifier: .max, width: 1, height: 1, stride: 4,
                                                         offset: 4096, memoryKind: .dmaBuf, fd: .max))),
        (22, .commit(CommitRequest())),
        (23, .commit(CommitRequest(flags: [.testOnly, .pageFlipEvent],
                                   outputs: [CommitOutputState(outputID: 1, changes: .all, active: true,
                                                               mode: WireMode(width: 800, height: 600, refreshMillihertz: 75000), x: -5, y: 7),
                                             CommitOutputState(outputID: 2, changes: [])],
                                   planes: [CommitPlaneState(planeID: 1, framebufferID: 0, source: WireFixedRect(x: 0, y: 0, width: 0, height: 0),
                                                             destination: WireRect(x: 0, y: 0, width: 0, height: 0)),
                                            CommitPlaneState(planeID: 2, framebufferID: 9,
                                                             source: WireFixedRect(x: 0x8000, y: 1, width: 0x0010_8000, height: .max),
                                                             destination: WireRect(x: -32, y: -32, width: 64, height: 64),
                                                             zpos: 3, alpha: 0x8000,
                                                             damage: dots)]))),
        (32, .commit(CommitRequest(flags: [.pageFlipEvent], planes: [scrolledPlane]))),
        // Moves with damage rects at their limits, and moves without damage (meaningless, §5.8,
        // but well-formed).
        (33, .commit(CommitRequest(planes: [CommitPlaneState(planeID: 1, framebufferID: 2,
                                                             source: WireFixedRect(pixelsX: 0, y: 0, width: 1024, height: 32),
                                                             destination: WireRect(x: 0, y: 0, width: 1024, height: 32),
                                                             damage: dots, moves: moves),
                                            CommitPlaneState(planeID: 3, framebufferID: 4,
                                                             source: WireFixedRect(pixelsX: 0, y: 0, width: 8, height: 8),
                                                             destination: WireRect(x: 0, y: 0, width: 8, height: 8),
                                                             moves: [WireMove(destination: WireRect(x: 1, y: 1, width: 2, height: 2),
                                                                              sourceX: 0, sourceY: 0)])]))),
        (24, .setFlipEventFD(nil)),
        (25, .frameReleased(outputID: .max, bufferIndex: .max, sequence: .max)),
        (26, .keyInput(KeyInput(outputID: 0, keysym: 0xffff_ffff, scancode: 0, down: false))),
        (27, .pointerInput(PointerInput(outputID: 1, x: .min, y: .max, buttons: .max))),
        (28, .setClipboardText(outputID: 0, text: "")),
        (29, .setClipboardText(outputID: 0, text: String(repeating: "clipboard ✂ ", count: 2000))),
        (30, .requestLayout([])),
        (31, .requestLayout(layout)),
    ]

    /// Further server messages for edge cases.
    static let extraServer: [(requestID: UInt32, message: ServerToClientMessage)] = [
        (1, .welcome(WelcomeMessage(version: DisplayProtocolVersion(major: 1, minor: 3), clientID: .max, leaseToken: LeaseToken(high: 1, low: 2),
                                    maximumMessageSize: 4096, maximumFramebuffers: 0, maximumDamageRects: 1))),
        (1, .error(ErrorReport(code: .version, detail: DisplayProtocolVersion.current.packed, message: "major version 2 is not 1"))),
        (0, .error(ErrorReport(code: ProtocolErrorCode(rawValue: 999), detail: .max, message: String(repeating: "x", count: 1024)))),
        (9, .commitRejected(ErrorReport(code: .invalidArgument, message: ""))),
        (0, .pageFlip(PageFlipEvent(outputID: .max, sequence: .max, timestampNanoseconds: .max, commitRequestID: .max))),
        (0, .layoutRequest([])),
        (0, .clipboardText(outputID: 1, text: String(repeating: "€", count: 20000))),
        (10, .outputs([])),
        (10, .outputs(listings)),
        (0, .scanoutBuffers(ScanoutBuffersEvent(outputID: 1, format: 0x3432_5258, width: 1, height: 1, stride: 4, bufferSize: 4096,
                                                fds: [3, 4, 5, 6, 7, 8, 9, 10]))),
        (0, .scanoutBuffers(ScanoutBuffersEvent(outputID: 1, format: 0, width: 0, height: 0, stride: 0, bufferSize: 0, fds: []))),
        (0, .frameReady(FrameReadyEvent(outputID: 1, sequence: 0, bufferIndex: 0, damage: []))),
        (0, .frameReady(FrameReadyEvent(outputID: 1, sequence: .max, bufferIndex: .max, flags: .all, cursorX: .min, cursorY: .max,
                                        damage: rows))),
        (0, .cursorImage(CursorImageEvent(outputID: 1, width: 0, height: 0, hotspotX: 0, hotspotY: 0, pixels: .inline([])))),
        (0, .cursorImage(CursorImageEvent(outputID: 1, width: 64, height: 64, hotspotX: 63, hotspotY: 1,
                                          pixels: .inline(cursorPixels)))),
        (0, .cursorImage(CursorImageEvent(outputID: 1, width: 256, height: 256, hotspotX: 128, hotspotY: 128, pixels: .memfd(33)))),
    ]

    static let allClient = goldenClient + extraClient
    static let allServer = goldenServer + extraServer
}
