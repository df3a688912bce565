#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Display
import DisplayProtocol
import Geometry
import SystemIO

/// Frame ticks and events (docs/protocol.md §5.8 "If it is valid", §12 "Pacing and lifetime").
extension DeviceServer {
    /// Runs the output's frame clock at its refresh rate, clamped to 1 Hz ...
    /// `maximumRefreshMillihertz`, so a producer can neither stall page flips nor make the server
    /// spin.
    func startClock(_ pipeline: OutputPipeline, refreshMillihertz: Int) {
        let clamped = clampedRefresh(refreshMillihertz)
        guard pipeline.timer == nil || pipeline.clockMillihertz != clamped else { return }
        armClock(pipeline, millihertz: clamped, from: .now())
    }

    private func clampedRefresh(_ refreshMillihertz: Int) -> Int {
        min(max(refreshMillihertz, 1_000), configuration.maximumRefreshMillihertz)
    }

    /// (Re)starts the clock so that its next tick is one interval after `start`. Cancelling the
    /// old timer drops a tick of it that may already wait on the queue.
    private func armClock(_ pipeline: OutputPipeline, millihertz clamped: Int, from start: DispatchTime) {
        pipeline.timer?.cancel()
        pipeline.clockMillihertz = clamped
        let interval = 1_000_000_000_000 / clamped
        pipeline.pacer.intervalNanoseconds = UInt64(interval)
        pipeline.nextTick = start + .nanoseconds(interval)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: pipeline.nextTick, repeating: .nanoseconds(interval), leeway: .microseconds(200))
        let id = pipeline.id
        timer.setEventHandler { [weak self] in self?.clockTicked(id) }
        pipeline.timer = timer
        timer.resume()
    }

    /// A regular tick. One that came more than an eighth of an interval late restarts the clock
    /// from the flip it makes, so the next flip is still at least most of an interval later; ticks
    /// on time keep the clock's phase, so a producer paced by PageFlip gets the full refresh rate.
    private func clockTicked(_ id: OutputID) {
        guard let pipeline = pipelines[id] else { return }
        let due = pipeline.nextTick
        let interval = pipeline.pacer.intervalNanoseconds
        pipeline.nextTick = due + .nanoseconds(Int(interval))
        let now = DispatchTime.now().uptimeNanoseconds
        let lateness = now > due.uptimeNanoseconds ? now - due.uptimeNanoseconds : 0
        pipeline.statistics.recordTick(latenessNanoseconds: lateness, intervalNanoseconds: interval)
        frameTick(id, restartingClock: lateness > interval / 8)
    }

    /// The output's vblank: the device applies the pending commit; its owner hears of it (PageFlip
    /// if asked, the flip eventfd always, Release for buffers that left the screen); the scanout is
    /// recomposed where it changed and handed to the output's frame source and subscribers.
    /// With `restartingClock`, a flip restarts the clock from it, so the next tick is a whole
    /// interval later (§12: idle outputs, late ticks).
    func frameTick(_ id: OutputID, restartingClock: Bool) {
        guard let pipeline = pipelines[id] else { return }
        let start = DispatchTime.now()
        let now = Self.monotonicNanoseconds()
        let tick = device.frameTick(id, timestampNanoseconds: now)
        pipeline.statistics.recordFlip(applied: tick.applied)
        if let line = pipeline.statistics.report(at: now, wholeCopies: pipeline.composer.wholeCopies) {
            logger.info("display device: \(id) frame clock: \(line)")
        }
        guard tick.applied, let output = device.allOutputs.first(where: { $0.id == id }) else { return }
        pipeline.pacer.flipped(at: now)
        // The picture first, so that a producer woken by its page flip finds it on screen.
        let layers = device.scanoutLayers(of: id)
        let damage = pipeline.composer.compose(size: output.size, layers: layers, planeDamage: tick.planeDamage)
        let cursor = ExportedCursor(layers: layers)
        pipeline.source.deliver(scanout: pipeline.composer.scanout, damage: damage, cursor: cursor)
        publishToSubscribers(of: id, scanout: pipeline.composer.scanout, damage: damage.region, sequence: tick.sequence)
        if let eventFD = connection(of: output.owner)?.flipEventFD { signal(eventFD) }
        dispatch(tick.events)
        guard pipelines[id] === pipeline, pipeline.timer != nil else { return }
        let clamped = clampedRefresh(output.mode.refreshMillihertz)
        if restartingClock || clamped != pipeline.clockMillihertz { armClock(pipeline, millihertz: clamped, from: start) }
    }

    /// A commit was accepted: an output it left pending that flipped nothing for a whole frame
    /// interval flips now, at a vblank of its own, and its clock starts again from there, so the
    /// next commit waits a full interval (FlipPacer, docs/protocol.md §12 "Pacing and lifetime").
    func flipIdleOutputs() {
        for (id, pipeline) in pipelines where device.hasPendingCommit(id) {
            guard pipeline.timer != nil, pipeline.pacer.flipsAtOnce(commitAt: Self.monotonicNanoseconds()) else { continue }
            frameTick(id, restartingClock: true)
        }
    }

    /// Signals a producer's eventfd without ever blocking the device: a counter the producer
    /// filled to its maximum (where write(2) would wait) is left alone.
    private func signal(_ eventFD: EventFD) {
        var descriptor = pollfd(fd: eventFD.handle.rawValue, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, 0) == 1, descriptor.revents & Int16(POLLOUT) != 0 else { return }
        try? eventFD.signal()
    }

    /// Sends the device's events to the clients they are for.
    func dispatch(_ events: [DisplayEvent]) {
        for event in events {
            switch event {
            case .pageFlip(let to, let output, let sequence, let timestamp, let userData):
                send(.pageFlip(PageFlipEvent(outputID: output.rawValue, sequence: sequence, timestampNanoseconds: timestamp,
                                             commitRequestID: UInt32(truncatingIfNeeded: userData))), to: to)
            case .release(let to, let framebuffer):
                send(.release(framebufferID: framebuffer.rawValue), to: to)
            case .outputRemoved(let to, let output):
                // §7.15: subscribed consumers hear of it, and the subscription ends.
                if let client = connection(of: to), client.subscriptions.removeValue(forKey: output) != nil {
                    send(.outputRemoved(outputID: output.rawValue), to: client)
                }
            case .outputAdded, .outputChanged:
                // Version 1 has no hotplug event for consumers: they learn of outputs from
                // ListOutputs and of size changes from ScanoutBuffers.
                break
            case .layoutRequest(let to, let output, let mode, let position):
                guard let current = device.allOutputs.first(where: { $0.id == output }) else { continue }
                let size = mode.map { Size(width: $0.width, height: $0.height) } ?? current.size
                let origin = position ?? current.configuration.position
                send(.layoutRequest([OutputLayoutEntry(outputID: output.rawValue, width: UInt32(size.width), height: UInt32(size.height),
                                                       x: Int32(origin.x), y: Int32(origin.y))]), to: to)
            }
        }
    }
}
