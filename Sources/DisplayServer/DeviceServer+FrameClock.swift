#if canImport(Glibc)
import Glibc
#endif
import Display
import DisplayProtocol
import Geometry
import SystemIO

/// Frame ticks and events (docs/protocol.md §5.8 "If it is valid", §12 "Pacing and lifetime").
///
/// The clock sleeps while no commit is pending: a tick that would apply nothing only raises the
/// output's sequence, and that is counted from the output's `VblankGrid` when the sequence is next
/// read (a flip, a Subscribe) instead of by waking the server once per interval. Its timer is armed
/// only for the vblank a pending commit waits for.
extension DeviceServer {
    /// Starts the output's frame clock at its refresh rate, clamped to 1 Hz ...
    /// `maximumRefreshMillihertz`, so a producer can neither stall page flips nor make the server
    /// spin. Its grid starts now, at the output's current sequence; its timer sleeps until a
    /// commit waits for a tick.
    func startClock(_ pipeline: OutputPipeline, refreshMillihertz: Int) {
        guard pipeline.timer == nil else { return }
        let clamped = clampedRefresh(refreshMillihertz)
        let interval = UInt64(1_000_000_000_000 / clamped)
        pipeline.clockMillihertz = clamped
        pipeline.pacer.intervalNanoseconds = interval
        let sequence = device.allOutputs.first(where: { $0.id == pipeline.id })?.sequence ?? 0
        pipeline.grid = VblankGrid(intervalNanoseconds: interval, epochNanoseconds: Self.monotonicNanoseconds(), sequence: sequence)
        let id = pipeline.id
        pipeline.timer = thread.makeTimer { [weak self] in self?.clockTicked(id) }
    }

    private func clampedRefresh(_ refreshMillihertz: Int) -> Int {
        min(max(refreshMillihertz, 1_000), configuration.maximumRefreshMillihertz)
    }

    /// Arms the timer for the grid's next vblank, unless it already waits for one: a newer commit
    /// before that tick replaces the pending one (the mailbox, §5.8) and needs no timer of its own.
    private func armClock(_ pipeline: OutputPipeline, now: UInt64) {
        guard let timer = pipeline.timer, pipeline.armedVblank == nil else { return }
        let vblank = pipeline.grid.nextVblank(after: now)
        pipeline.armedVblank = vblank
        timer.schedule(at: vblank)
    }

    /// Puts the clock back to sleep: an idle flip took the commit its timer was armed for (a
    /// timer late enough for that must not tick again on the grid that flip started).
    private func disarmClock(_ pipeline: OutputPipeline) {
        guard pipeline.armedVblank != nil else { return }
        pipeline.armedVblank = nil
        pipeline.timer?.cancel()
    }

    /// Catches the output's sequence up with the vblanks its sleeping clock did not tick for.
    func catchUpSequence(of id: OutputID, at now: UInt64) {
        guard let pipeline = pipelines[id] else { return }
        device.catchUpSequence(of: id, to: pipeline.grid.sequence(at: now))
    }

    /// The timer's tick, at a vblank of the grid. One that came more than an eighth of an interval
    /// late restarts the grid from the flip it makes, so the next flip is still at least most of an
    /// interval later; ticks on time keep the grid's phase, so a producer paced by PageFlip gets the
    /// full refresh rate.
    private func clockTicked(_ id: OutputID) {
        guard let pipeline = pipelines[id], let due = pipeline.armedVblank else { return }
        let now = Self.monotonicNanoseconds()
        let interval = pipeline.grid.intervalNanoseconds
        // Early: a fire of an earlier arming that was already queued when the timer was re-armed,
        // or a timer ahead of this clock. The one-shot timer is spent, so it is armed again for
        // `due`, or the pending commit would never flip.
        guard now + min(interval / 8, 1_000_000) >= due else {
            pipeline.timer?.schedule(at: due)
            return
        }
        pipeline.armedVblank = nil
        pipeline.timerTicks += 1
        pipeline.statistics.recordTick(latenessNanoseconds: now > due ? now - due : 0, intervalNanoseconds: interval)
        // This tick is the grid's vblank at `due`: the ones before it were slept through.
        let vblank = max(now, due)
        catchUpSequence(of: id, at: vblank >= interval ? vblank - interval : 0)
        frameTick(id, at: now, restartingClock: now > due + pipeline.grid.intervalNanoseconds / 8)
    }

    /// The output's vblank: the device applies the pending commit; its owner hears of it (PageFlip
    /// if asked, the flip eventfd always, Release for buffers that left the screen); the scanout is
    /// recomposed where it changed and handed to the output's frame source and subscribers.
    /// With `restartingClock`, the grid starts again from this flip, so the next tick is a whole
    /// interval later (§12: idle outputs, late ticks); so does a refresh rate the flip changed.
    private func frameTick(_ id: OutputID, at now: UInt64, restartingClock: Bool) {
        guard let pipeline = pipelines[id] else { return }
        let tick = device.frameTick(id, timestampNanoseconds: now)
        pipeline.statistics.recordFlip(applied: tick.applied)
        if let line = pipeline.statistics.report(at: now, wholeCopies: pipeline.composer.wholeCopies) {
            logger.info("display device: \(id) frame clock: \(line)")
        }
        guard tick.applied, let output = device.allOutputs.first(where: { $0.id == id }) else { return }
        pipeline.pacer.flipped(at: now)
        let clamped = clampedRefresh(output.mode.refreshMillihertz)
        if restartingClock || clamped != pipeline.clockMillihertz {
            let interval = UInt64(1_000_000_000_000 / clamped)
            pipeline.clockMillihertz = clamped
            pipeline.pacer.intervalNanoseconds = interval
            pipeline.grid.restart(at: now, sequence: tick.sequence, intervalNanoseconds: interval)
        }
        // The picture first, so that a producer woken by its page flip finds it on screen.
        // Lent pictures whose last copy goes from here on are settled at this tick's end, so
        // none of them queues a settle of its own.
        returnedPicturesSettleDue = true
        let layers = device.scanoutLayers(of: id)
        let damage = pipeline.composer.compose(size: output.size, layers: layers, planeDamage: tick.planeDamage,
                                               planeMoves: tick.planeMoves, lend: lendFramebuffer)
        let cursor = ExportedCursor(layers: layers)
        pipeline.source.deliver(scanout: pipeline.composer.scanout, damage: damage, cursor: cursor)
        // Consumers take pixels only (FrameReady's damage, docs/protocol.md §7.10).
        publishToSubscribers(of: id, scanout: pipeline.composer.scanout, damage: damage.changedArea, sequence: tick.sequence)
        if let eventFD = connection(of: output.owner)?.flipEventFD { signal(eventFD) }
        dispatch(tick.events)
        // The frame just delivered replaced the one before it at the source, `LiveOutput` and
        // the viewers on this thread, so its lent picture's last copy has usually gone, noted,
        // while this tick's Release of that framebuffer waits for it: settled here, the Release
        // goes out with this commit's reply and PageFlip in one sendmsg.
        settleReturnedPictures()
        if !pipeline.composer.sparesReady { prepareSparesSoon(pipeline) }
    }

    /// The composer's `Lend` hook: counts the picture as lent, and once its last copy is gone (on
    /// whichever thread that happens) sends the Release the device emitted meanwhile, if it may
    /// still go out (zero-copy scanout, docs/architecture.md).
    ///
    /// The last copy usually goes on this thread, inside a frame tick (the output's next frame
    /// replaces it), where the device's state may be in the middle of a change: the picture is
    /// only noted then, and settled once the tick is done (`settleReturnedPictures`), or, when no
    /// tick is running, by work queued for it. Settling in the tick lets the Release join the
    /// commit's reply in one sendmsg; queued work would run after the reply's flush, and cost a
    /// sendmsg of its own each frame (docs/benchmarks.md, "Releases with the reply").
    private func lendFramebuffer(_ framebuffer: Framebuffer) -> (@Sendable () -> Void)? {
        let id = framebuffer.id
        lentFramebuffers.lend(id)
        let thread = thread
        return { [weak self] in
            guard thread.isCurrent else {
                thread.execute { [weak self] in self?.settleReturned(id) }
                return
            }
            guard let self else { return }
            self.returnedPictures.append(id)
            guard !self.returnedPicturesSettleDue else { return }
            self.returnedPicturesSettleDue = true
            thread.execute { [weak self] in self?.settleReturnedPictures() }
        }
    }

    /// Settles the lent pictures noted as gone on this thread (`lendFramebuffer`).
    func settleReturnedPictures() {
        returnedPicturesSettleDue = false
        while !returnedPictures.isEmpty {
            let returned = returnedPictures
            returnedPictures.removeAll()
            for id in returned { settleReturned(id) }
        }
    }

    /// A lent picture of `id` is gone: the Release it held back goes out, if it still may.
    private func settleReturned(_ id: FramebufferID) {
        guard let release = lentFramebuffers.returned(id), case .release(let owner, let framebuffer) = release,
              device.isReleasable(framebuffer, owedTo: owner) else { return }
        send(.release(framebufferID: framebuffer.rawValue), to: owner)
    }

    /// After a first frame or a size change the composer's ring of pictures is completed as work
    /// of its own, queued behind what the thread has to do now, instead of by whole copies on the
    /// next two ticks (`Composer.prepareSpares`): at 3840x2160 those two ticks composed in 13-20 ms
    /// each instead of 0.3-0.9 ms.
    private func prepareSparesSoon(_ pipeline: OutputPipeline) {
        guard !pipeline.sparesQueued else { return }
        pipeline.sparesQueued = true
        let id = pipeline.id
        thread.execute { [self] in
            guard let pipeline = pipelines[id] else { return }
            pipeline.sparesQueued = false
            pipeline.composer.prepareSpares()
        }
    }

    /// A commit was accepted. An output it left pending that flipped nothing for a whole frame
    /// interval flips now, at a vblank of its own (after the vblanks it slept through), and its
    /// grid starts again from there (FlipPacer, docs/protocol.md §12 "Pacing and lifetime"). One
    /// that flipped less than an interval ago wakes its clock for the grid's next vblank.
    func flipIdleOutputs() {
        for (id, pipeline) in pipelines where device.hasPendingCommit(id) {
            guard pipeline.timer != nil else { continue }
            let now = Self.monotonicNanoseconds()
            if pipeline.pacer.flipsAtOnce(commitAt: now) {
                disarmClock(pipeline)
                catchUpSequence(of: id, at: now)
                frameTick(id, at: now, restartingClock: true)
            } else {
                armClock(pipeline, now: now)
            }
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
        for event in lentFramebuffers.passing(events) {
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
