import Display
import DisplayProtocol
import Geometry
import Pixels
import SystemIO

/// ListOutputs, subscriptions, and what flows back to producers: input, clipboard and layout
/// requests (docs/protocol.md §5.10, §6).
extension DeviceServer {
    /// What an RFB viewer of a `DeviceOutputSource` asks of the output's producer.
    public enum ViewerRequest: Sendable {
        case key(down: Bool, keysym: UInt32)
        case pointer(buttonMask: UInt16, x: Int, y: Int)
        case layout(Size)
        /// A viewer's clipboard text (§7.14).
        case clipboard(String)
    }

    // MARK: - ListOutputs (§6.1, §7.16)

    func listOutputs(requestID: UInt32, for id: ClientID, client: DeviceClient) {
        let listings = device.outputs(visibleTo: id).prefix(DisplayProtocolLimits.version1.maximumListEntries).map { output in
            OutputListing(outputID: output.id.rawValue, name: Self.bounded(output.name), mode: Self.wireMode(output.mode),
                          x: Int32(output.configuration.position.x), y: Int32(output.configuration.position.y),
                          enabled: activeByOutput[output.id] ?? output.configuration.enabled,
                          ownerConnected: connection(of: output.owner) != nil,
                          ownerName: Self.bounded(producerNames[output.owner] ?? ""))
        }
        send(.outputs(Array(listings)), requestID: requestID, to: client)
    }

    static func wireMode(_ mode: DisplayMode) -> WireMode {
        WireMode(width: UInt32(mode.width), height: UInt32(mode.height), refreshMillihertz: UInt32(clamping: mode.refreshMillihertz))
    }

    /// A name cut to the protocol's 255 bytes (§3.5) on a character boundary.
    static func bounded(_ name: String, limit: Int = DisplayProtocolLimits.version1.maximumNameBytes) -> String {
        guard name.utf8.count > limit else { return name }
        var result = "", used = 0
        for character in name {
            if used + character.utf8.count > limit { break }
            result.append(character)
            used += character.utf8.count
        }
        return result
    }

    // MARK: - Subscriptions (§6.2, §6.3, §7.18, §7.19)

    func subscribe(_ output: OutputID, requestID: UInt32, client: DeviceClient) {
        // The first FrameReady carries the output's sequence: count the vblanks its clock slept through.
        catchUpSequence(of: output, at: Self.monotonicNanoseconds())
        guard let id = client.clientID, let model = try? device.output(output, visibleTo: id), let pipeline = pipelines[output] else {
            send(.error(.bounded(.noSuchObject, detail: output.rawValue, "no such output \(output.rawValue)")), requestID: requestID, to: client)
            return
        }
        let subscription: ScanoutSubscription
        do {
            subscription = try ScanoutSubscription(output: output, size: pipeline.source.latestFrame.size)
        } catch {
            logger.error("display device: cannot make scanout buffers for \(client.label): \(error)")
            send(.error(.bounded(.limitExceeded, detail: output.rawValue, "cannot make scanout buffers: \(error)")), requestID: requestID, to: client)
            return
        }
        client.subscriptions[output] = subscription
        send(.subscribed(outputID: output.rawValue), requestID: requestID, to: client)
        client.outbox.discardPendingFrames(of: output.rawValue)
        let (event, fds) = subscription.buffersEvent
        send(.scanoutBuffers(event), to: client, fds: fds, pumping: false)
        // §6.2: the cursor image, when there is one, before the first FrameReady.
        let cursor = ExportedCursor(layers: device.scanoutLayers(of: output))
        if subscription.cursorImageChanged(to: cursor), let message = cursorImageMessage(output, cursor) {
            send(.cursorImage(message.event), to: client, fds: message.fds, pumping: false)
        }
        let frame = pipeline.source.latestFrame
        if let ready = subscription.publish(frame, damage: Region(Rect(size: frame.size)), sequence: model.sequence, cursor: cursor) {
            send(.frameReady(ready), to: client, pumping: false)
        }
        pump(client)
    }

    func unsubscribe(_ output: OutputID, requestID: UInt32, client: DeviceClient) {
        guard client.subscriptions.removeValue(forKey: output) != nil else {
            send(.error(.bounded(.noSuchObject, detail: output.rawValue, "not subscribed to output \(output.rawValue)")), requestID: requestID, to: client)
            return
        }
        // §6.3: no FrameReady for the output follows Done.
        client.outbox.discardPendingFrames(of: output.rawValue)
        send(.done, requestID: requestID, to: client)
    }

    /// FrameReleased (§6.7). When frames were skipped while the consumer held every buffer, the
    /// newest picture goes into the freed buffer at once, with the merged damage (§7.19):
    /// otherwise a consumer that fell behind on the last frames before the output went still
    /// would not see the final picture until the next commit.
    func frameReleased(_ output: OutputID, bufferIndex: Int, sequence: UInt64, client: DeviceClient) {
        guard let subscription = client.subscriptions[output], subscription.release(bufferIndex: bufferIndex, sequence: sequence),
              let skipped = subscription.skippedSequence, let pipeline = pipelines[output] else { return }
        let cursor = ExportedCursor(layers: device.scanoutLayers(of: output))
        let pending = client.outbox.pendingFrameReady(for: output.rawValue)?.bufferIndex
        if let ready = subscription.publish(pipeline.source.latestFrame, damage: Region(), sequence: skipped, cursor: cursor,
                                            pendingBuffer: pending) {
            send(.frameReady(ready), to: client)
        }
    }

    /// A new scanout for every subscriber of `output`: new buffers first when the size changed,
    /// a CursorImage when the cursor plane's image changed (§7.20), then FrameReady with the
    /// cursor's position (§7.19). Behind a consumer that does not read, the FrameReady and
    /// CursorImage still waiting in its outbox are merged with these (§12).
    func publishToSubscribers(of output: OutputID, scanout: PixelBuffer, damage: Region, sequence: UInt64) {
        let subscribers = clients.values.filter { !$0.closing && $0.subscriptions[output] != nil }
        guard !subscribers.isEmpty else { return }
        let cursor = ExportedCursor(layers: device.scanoutLayers(of: output))
        var cursorMessage: CursorImageMessage??
        for client in subscribers {
            guard var subscription = client.subscriptions[output] else { continue }
            if subscription.size != scanout.size {
                do {
                    subscription = try ScanoutSubscription(output: output, size: scanout.size, replacing: subscription)
                } catch {
                    logger.error("display device: cannot make scanout buffers for \(client.label): \(error)")
                    client.subscriptions[output] = nil
                    continue
                }
                client.subscriptions[output] = subscription
                client.outbox.discardPendingFrames(of: output.rawValue, keepingCursor: true)
                let (event, fds) = subscription.buffersEvent
                send(.scanoutBuffers(event), to: client, fds: fds, pumping: false)
            }
            if subscription.cursorImageChanged(to: cursor) {
                if cursorMessage == nil { cursorMessage = .some(cursorImageMessage(output, cursor)) }
                if let message = cursorMessage ?? nil { send(.cursorImage(message.event), to: client, fds: message.fds, pumping: false) }
            }
            let pending = client.outbox.pendingFrameReady(for: output.rawValue)?.bufferIndex
            if let ready = subscription.publish(scanout, damage: damage, sequence: sequence, cursor: cursor, pendingBuffer: pending) {
                send(.frameReady(ready), to: client, pumping: false)
            }
            if !client.closing { pump(client) }
        }
    }

    /// The CursorImage for `cursor`, or nil (logged) when its memfd cannot be made.
    private func cursorImageMessage(_ output: OutputID, _ cursor: ExportedCursor?) -> CursorImageMessage? {
        do {
            return try CursorImageMessage(output: output, cursor: cursor)
        } catch {
            logger.error("display device: cannot make the cursor image memfd of \(output): \(error)")
            return nil
        }
    }

    // MARK: - Input, clipboard, layout (§5.10, §6.4–§6.6)

    /// Forwards a consumer's input to the owner of `output` (§6.4, §6.5).
    func routeInput(to output: OutputID, requestID: UInt32, from client: DeviceClient, _ message: () -> ServerToClientMessage) {
        guard let id = client.clientID, let model = try? device.output(output, visibleTo: id) else {
            send(.error(.bounded(.noSuchObject, detail: output.rawValue, "no such output \(output.rawValue)")), requestID: requestID, to: client)
            return
        }
        send(message(), to: model.owner)
    }

    func clipboard(_ text: String, output: UInt32, requestID: UInt32, from client: DeviceClient) {
        guard let id = client.clientID else { return }
        if client.role == .producer {
            // To consumers subscribed to the named output, or to any of the producer's outputs.
            let owned = Set(device.outputs(visibleTo: id).map(\.id))
            let targets = output == 0 ? owned : owned.intersection([OutputID(output)])
            guard output == 0 || !targets.isEmpty else {
                send(.error(.bounded(.noSuchObject, detail: output, "no such output \(output)")), requestID: requestID, to: client)
                return
            }
            for consumer in clients.values where consumer.role == .consumer && !consumer.closing {
                for target in targets.sorted() where consumer.subscriptions[target] != nil {
                    send(.clipboardText(outputID: target.rawValue, text: text), to: consumer)
                }
            }
            // And to the outputs' RFB viewers.
            for target in targets { pipelines[target]?.source.producerClipboardChanged(text) }
            return
        }
        routeInput(to: OutputID(output), requestID: requestID, from: client) { .clipboardText(outputID: output, text: text) }
    }

    /// RequestLayout (§6.6): the entries are split by owner, each owner gets one LayoutRequest.
    func requestLayout(_ entries: [OutputLayoutEntry], requestID: UInt32, from client: DeviceClient) {
        guard let id = client.clientID else { return }
        var byOwner: [ClientID: [OutputLayoutEntry]] = [:]
        for entry in entries {
            let output = OutputID(entry.outputID)
            let mode = DisplayMode(width: Int(entry.width), height: Int(entry.height),
                                   refreshMillihertz: (try? device.output(output, visibleTo: id))?.mode.refreshMillihertz ?? 60_000)
            do {
                for event in try device.requestLayout(of: output, mode: mode, position: Point(x: Int(entry.x), y: Int(entry.y)), by: id) {
                    byOwner[event.recipient, default: []].append(entry)
                }
            } catch {
                send(.error(error.report.bounded()), requestID: requestID, to: client)
                return
            }
        }
        for (owner, list) in byOwner { send(.layoutRequest(list), to: owner) }
    }

    /// Input and resize requests from RFB viewers of a device output, on their way to its owner.
    func viewerRequest(_ request: ViewerRequest, for output: OutputID) {
        thread.execute { [self] in
            guard let model = device.allOutputs.first(where: { $0.id == output }) else { return }
            switch request {
            case .key(let down, let keysym):
                send(.keyEvent(KeyInput(outputID: output.rawValue, keysym: keysym, down: down)), to: model.owner)
            case .pointer(let mask, let x, let y):
                send(.pointerEvent(PointerInput(outputID: output.rawValue, x: Int32(clamping: x), y: Int32(clamping: y), buttons: mask)),
                     to: model.owner)
            case .layout(let size):
                let mode = DisplayMode(width: size.width, height: size.height, refreshMillihertz: model.mode.refreshMillihertz)
                guard let events = try? device.requestLayout(of: output, mode: mode, position: nil, by: model.owner) else {
                    logger.info("display device: a viewer's layout request \(size) for \(output) was refused")
                    return
                }
                dispatch(events)
            case .clipboard(let text):
                // ClipboardText is 20 bytes plus the text (§7.14); longer text cannot travel.
                guard text.utf8.count + 20 <= DisplayProtocolLimits.version1.maximumMessageSize else {
                    logger.info("display device: a viewer's clipboard of \(text.utf8.count) bytes for \(output) is too long for ClipboardText")
                    return
                }
                send(.clipboardText(outputID: output.rawValue, text: text), to: model.owner)
            }
        }
    }
}
