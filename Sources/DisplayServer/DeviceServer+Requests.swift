import Display
import DisplayProtocol
import Geometry
import SystemIO

/// Hello, roles and the producer requests (docs/protocol.md §4, §5).
extension DeviceServer {
    /// Requests only producers may make, and only consumers (§4.2, "Roles").
    private static let producerTypes: Set<DisplayMessageType> = [
        .createOutput, .destroyOutput, .createPlane, .destroyPlane, .createFramebuffer, .destroyFramebuffer, .commit, .setFlipEventFD,
    ]
    private static let consumerTypes: Set<DisplayMessageType> = [
        .subscribe, .unsubscribe, .frameReleased, .keyInput, .pointerInput, .requestLayout,
    ]

    func handle(_ decoded: DecodedDisplayMessage<ClientToServerMessage>, from client: DeviceClient) {
        let requestID = decoded.requestID
        // Received fds are owned from here on; whatever is not kept closes when these go.
        let fds = decoded.message.fds.map { FileDescriptorHandle(adopting: $0) }
        let type = decoded.message.messageType
        if case .hello(let hello) = decoded.message {
            guard client.role == nil else {
                fail(client, .bounded(.protocolError, "a second Hello"), requestID: requestID)
                return
            }
            handleHello(hello, requestID: requestID, from: client)
            return
        }
        guard let role = client.role, let id = client.clientID else {
            fail(client, .bounded(.protocolError, "the first message must be Hello, not \(type)"), requestID: requestID)
            return
        }
        if role == .consumer, Self.producerTypes.contains(type) {
            send(.error(.bounded(.permissionDenied, "consumers may not send \(type)")), requestID: requestID, to: client)
            return
        }
        if role == .producer, Self.consumerTypes.contains(type) {
            send(.error(.bounded(.permissionDenied, "producers may not send \(type)")), requestID: requestID, to: client)
            return
        }
        switch decoded.message {
        case .hello: break
        case .createOutput(let request): createOutput(request, requestID: requestID, by: id, client: client)
        case .destroyOutput(let output):
            reply(client, requestID) { () throws(DisplayError) in
                let events = try device.destroyOutput(OutputID(output), by: id)
                send(.done, requestID: requestID, to: client)
                send(.outputRemoved(outputID: output), to: client)
                dispatch(events)
                pruneRemovedOutputs()
            }
        case .createPlane(let output):
            reply(client, requestID) { () throws(DisplayError) in
                let plane = try device.createOverlayPlane(on: OutputID(output), by: id)
                send(.planeCreated(planeID: plane.rawValue), requestID: requestID, to: client)
            }
        case .destroyPlane(let plane):
            reply(client, requestID) { () throws(DisplayError) in
                try device.destroyPlane(PlaneID(plane), by: id)
                send(.done, requestID: requestID, to: client)
            }
        case .createFramebuffer(let request): createFramebuffer(request, memory: fds[0], requestID: requestID, by: id, client: client)
        case .destroyFramebuffer(let framebuffer):
            reply(client, requestID) { () throws(DisplayError) in
                try device.removeFramebuffer(FramebufferID(framebuffer), by: id)
                send(.done, requestID: requestID, to: client)
            }
        case .commit(let request): commit(request, requestID: requestID, by: id, client: client)
        case .setFlipEventFD:
            client.flipEventFD = fds.first.map { EventFD(adopting: $0) }
            send(.done, requestID: requestID, to: client)
        case .listOutputs: listOutputs(requestID: requestID, for: id, client: client)
        case .subscribe(let output): subscribe(OutputID(output), requestID: requestID, client: client)
        case .unsubscribe(let output): unsubscribe(OutputID(output), requestID: requestID, client: client)
        case .frameReleased(let output, let index, let sequence):
            frameReleased(OutputID(output), bufferIndex: Int(index), sequence: sequence, client: client)
        case .keyInput(let key): routeInput(to: OutputID(key.outputID), requestID: requestID, from: client) { .keyEvent(key) }
        case .pointerInput(let pointer): routeInput(to: OutputID(pointer.outputID), requestID: requestID, from: client) { .pointerEvent(pointer) }
        case .setClipboardText(let output, let text): clipboard(text, output: output, requestID: requestID, from: client)
        case .requestLayout(let entries): requestLayout(entries, requestID: requestID, from: client)
        }
    }

    /// Runs a device request; a refusal becomes Error with the code of §9 and leaves the
    /// connection usable.
    func reply(_ client: DeviceClient, _ requestID: UInt32, _ body: () throws(DisplayError) -> Void) {
        do {
            try body()
        } catch {
            send(.error(error.report.bounded()), requestID: requestID, to: client)
        }
    }

    // MARK: - Hello (§4.1, §5.1)

    private func handleHello(_ hello: HelloMessage, requestID: UInt32, from client: DeviceClient) {
        let server = DisplayProtocolVersion.current
        guard hello.version.major == server.major else {
            fail(client, .bounded(.version, detail: server.packed,
                                  "this server speaks version \(server), not \(hello.version.major).x"), requestID: requestID)
            return
        }
        let id: ClientID
        let token: DisplayProtocol.LeaseToken
        var events: [DisplayEvent] = []
        switch hello.role {
        case .producer:
            let fresh = Self.randomToken()
            let presented = hello.leaseToken.flatMap(Self.modelToken)
            let connection: ProducerConnection
            do {
                (connection, events) = try device.connectProducer(presenting: presented, freshToken: fresh)
            } catch {
                // A token held by a connected producer, or a fresh token that collided: start anew.
                do {
                    (connection, events) = try device.connectProducer(presenting: nil, freshToken: Self.randomToken())
                } catch {
                    fail(client, .bounded(.protocolError, "cannot start a lease: \(error)"), requestID: requestID)
                    return
                }
            }
            id = connection.client
            token = Self.wireToken(connection.token)
            producerNames[id] = hello.clientName
            if !connection.reclaimedOutputs.isEmpty {
                logger.info("display device: \(id) took back \(connection.reclaimedOutputs.map(\.description).joined(separator: ", "))")
            }
        case .consumer:
            id = device.connectConsumer()
            token = Self.wireToken(Self.randomToken())
        }
        client.role = hello.role
        client.clientID = id
        client.name = hello.clientName
        connectionByClient[id] = client.key
        client.version = DisplayProtocolVersion(major: server.major, minor: min(server.minor, hello.version.minor))
        let welcome = WelcomeMessage(
            version: client.version,
            clientID: id.rawValue, leaseToken: token,
            maximumMessageSize: UInt32(client.decoder.limits.maximumMessageSize),
            maximumFramebuffers: UInt32(device.limits.maximumFramebuffersPerClient),
            maximumDamageRects: UInt32(min(device.limits.maximumDamageRectsPerPlane, client.decoder.limits.maximumDamageRects)))
        send(.welcome(welcome), requestID: requestID, to: client)
        logger.info("display device: \(client.label) connected as a \(hello.role == .producer ? "producer" : "consumer")")
        dispatch(events)
        scheduleLeaseExpiry()
    }

    static func randomToken() -> Display.LeaseToken {
        var generator = SystemRandomNumberGenerator()
        return Display.LeaseToken(high: generator.next(), low: generator.next())
    }

    static func wireToken(_ token: Display.LeaseToken) -> DisplayProtocol.LeaseToken {
        DisplayProtocol.LeaseToken(high: token.high, low: token.low)
    }

    static func modelToken(_ token: DisplayProtocol.LeaseToken) -> Display.LeaseToken? {
        guard token.bytes.count == DisplayProtocol.LeaseToken.byteCount else { return nil }
        let high = token.bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let low = token.bytes[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Display.LeaseToken(high: high, low: low)
    }

    // MARK: - Outputs (§5.2)

    private func createOutput(_ request: CreateOutputRequest, requestID: UInt32, by id: ClientID, client: DeviceClient) {
        let outputRequest = OutputRequest(wire: request)
        reply(client, requestID) { () throws(DisplayError) in
            let created = try device.createOutput(outputRequest, by: id)
            let output = created.output
            send(.outputCreated(OutputCreatedReply(outputID: output.id.rawValue, primaryPlaneID: output.primaryPlane.rawValue,
                                                   cursorPlaneID: output.cursorPlane.rawValue)),
                 requestID: requestID, to: client)
            activeByOutput[output.id] = true
            let pipeline = OutputPipeline(id: output.id, name: output.name, size: output.size, server: self)
            pipelines[output.id] = pipeline
            startClock(pipeline, refreshMillihertz: output.mode.refreshMillihertz)
            logger.info("display device: \(client.label) created \(output.id) \"\(output.name)\" \(output.mode)")
            dispatch(created.events)
            for observer in observers { observer(.created(output.id, pipeline.source)) }
        }
    }

    // MARK: - Framebuffers (§5.6, §11)

    /// CreateFramebuffer: the memory is checked and mapped read-only on both paths; on the copy
    /// path the device copies from the mapping at each tick that applies the framebuffer.
    private func createFramebuffer(_ request: CreateFramebufferRequest, memory fd: FileDescriptorHandle, requestID: UInt32,
                                   by id: ClientID, client: DeviceClient) {
        func refuse(_ code: ProtocolErrorCode, _ text: String) {
            send(.error(.bounded(code, text)), requestID: requestID, to: client)
        }
        let layout: FramebufferLayoutCheck.Layout
        do {
            layout = try FramebufferLayoutCheck(version: client.version, maximumSize: device.limits.maximumSize).check(request)
        } catch {
            return refuse(error.code, error.text)
        }
        let kind: MemoryValidation.Kind
        do {
            kind = try MemoryValidation.kind(of: fd.rawValue)
        } catch {
            return refuse(.badMemory, error.description)
        }
        switch (request.memoryKind, kind) {
        case (.sharedMemory, .memfd), (.dmaBuf, .dmaBuf): break
        case (.sharedMemory, .dmaBuf): return refuse(.badMemory, "the fd is a dma-buf but the request says shared memory")
        case (.dmaBuf, .memfd): return refuse(.badMemory, "the fd is a memfd but the request says dma-buf")
        }
        let mapping: SharedMemoryMapping
        do {
            mapping = try SharedMemoryMapping.map(validating: fd, requiredSize: layout.requiredBytes).mapping
        } catch {
            return refuse(.badMemory, error.description)
        }
        let memory = MappedFramebufferMemory(mapping: mapping, dmaBuf: kind == .dmaBuf ? fd : nil)
        reply(client, requestID) { () throws(DisplayError) in
            let path: FramebufferPath = request.flags.contains(.copy) ? .copy : .zeroCopy
            let framebuffer = try device.addFramebuffer(layout.descriptor, memory: memory, path: path, by: id)
            send(.framebufferCreated(framebufferID: framebuffer.rawValue), requestID: requestID, to: client)
        }
    }

    // MARK: - Commits (§5.8)

    private func commit(_ request: CommitRequest, requestID: UInt32, by id: ClientID, client: DeviceClient) {
        // §10: a plane state's move count is defined from version 1.2 on; below it the field was
        // reserved, so a connection that negotiated less must send 0 there.
        if client.version.minor < 2, let plane = request.planes.first(where: { !$0.moves.isEmpty }) {
            let text = "Commit moves need protocol version 1.2; this connection speaks \(client.version)"
            send(.commitRejected(.bounded(.invalidArgument, detail: plane.planeID, text)), requestID: requestID, to: client)
            return
        }
        let commit = AtomicCommit(wire: request, requestID: requestID, device: device, client: id, activeByOutput: activeByOutput)
        let events: [DisplayEvent]
        do {
            events = try device.commit(commit, by: id)
        } catch {
            send(.commitRejected(error.report.bounded()), requestID: requestID, to: client)
            return
        }
        send(.commitAccepted, requestID: requestID, to: client)
        if !commit.testOnly {
            for update in commit.outputs { if let enabled = update.enabled { activeByOutput[update.output] = enabled } }
        }
        dispatch(events)
        if !commit.testOnly { flipIdleOutputs() }
    }
}
