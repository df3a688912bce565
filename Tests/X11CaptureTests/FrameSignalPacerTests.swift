import Testing
@testable import X11Capture

/// The X11 mirror's signalling decisions (FrameSignalPacer): one signal per burst of drawing, once it
/// paused (or at the latest the maximum delay after it began), at most one per --max-fps interval
/// on average (two back to back after a pause), one out at a time, and events the advance left
/// unread signalled without the connection becoming readable.
@Suite struct FrameSignalPacerTests {
    /// 60 fps cap and a 1 ms settle, as `porthole serve --x11` uses by default.
    func pacer() -> FrameSignalPacer { FrameSignalPacer(minimumInterval: 1.0 / 60, settle: 0.001) }
    /// The same, polling an idle mirror at the frame clock's 30 Hz (`porthole serve --x11`'s watcher).
    func pollingPacer() -> FrameSignalPacer { FrameSignalPacer(minimumInterval: 1.0 / 60, settle: 0.001, pollInterval: 1.0 / 30) }

    /// Nobody watching (`resting`): no polls, and what arrives is signalled at once, without
    /// waiting for the burst to settle or sampling it, since the advance only drains; the rate cap
    /// still holds. Watched again, the polls come back.
    @Test func aRestingMirrorIsNotPolledAndIsDrainedWithoutSettling() {
        var p = pollingPacer()
        p.resting = true
        #expect(p.next(at: 10) == .watchConnection, "a resting mirror was polled")
        #expect(p.next(at: 20) == .watchConnection)
        p.connectionReadable(at: 20)
        p.connectionActive(at: 20.0005)
        #expect(!p.isSettling(at: 20.0006), "a resting mirror's burst held off the frame clock")
        #expect(p.next(at: 20.0006) == .signal, "the drain waited for the burst to settle")
        p.advanced(at: 20.001, morePending: true)
        #expect(p.next(at: 20.002) == .signal, "two may come back to back")
        p.advanced(at: 20.003, morePending: true)
        guard case .wait(let until) = p.next(at: 20.004) else { Issue.record("the rate cap did not hold"); return }
        #expect(until > 20.01)
        p.advanced(at: 20.03, morePending: false)
        p.resting = false
        #expect(p.next(at: 20.03 + 1.0 / 30 + 0.001) == .signal, "watched again, the idle mirror is polled again")
    }

    @Test func idleWatchesTheConnection() {
        var p = pacer()
        #expect(p.next(at: 10) == .watchConnection)
        #expect(p.next(at: 11) == .watchConnection)
    }

    /// The frame clock's advance of an idle mirror leaves the watcher watching the connection, so it
    /// need not be woken; an advance that answered a signal, or found a burst under way or left
    /// events pending, changes what it does next.
    @Test func onlyAnAdvanceThatChangesTheNextStepWakesTheWatcher() {
        var p = pacer()
        #expect(p.advanced(at: 9, morePending: false) == false)
        #expect(p.next(at: 9.01) == .watchConnection)
        #expect(p.advanced(at: 9.02, morePending: true) == true)
        #expect(p.advanced(at: 9.03, morePending: false) == true, "the pending events were not counted")
        p.connectionReadable(at: 10)
        #expect(p.advanced(at: 10.0005, morePending: false) == true, "a burst under way was not counted")
        #expect(p.next(at: 10.01) == .watchConnection)
        p.connectionReadable(at: 11)
        #expect(p.next(at: 11.002) == .signal)
        #expect(p.advanced(at: 11.003, morePending: false) == true, "the signal out was not counted")
        #expect(p.next(at: 11.004) == .watchConnection)
    }

    /// With polls of its own, an idle mirror is signalled once every poll interval after its last
    /// advance, whatever advanced it; damage keeps its own pace meanwhile.
    @Test func anIdleMirrorIsPolledAPollIntervalAfterItsLastAdvance() {
        var p = pollingPacer()
        #expect(p.next(at: 10) == .signal, "the first poll did not come at once")
        #expect(p.next(at: 10.001) == .awaitAdvance)
        #expect(p.advanced(at: 10.002, morePending: false) == true)
        #expect(p.next(at: 10.003) == .watchConnectionUntilPoll(at: 10.002 + 1.0 / 30))
        #expect(p.next(at: 10.036) == .signal)
        p.advanced(at: 10.037, morePending: false)
        // Damage a little later is signalled on its own schedule, and its advance puts the poll off.
        p.connectionReadable(at: 10.05)
        #expect(p.next(at: 10.0505) == .wait(until: 10.051))
        #expect(p.next(at: 10.0512) == .signal)
        p.advanced(at: 10.053, morePending: false)
        #expect(p.next(at: 10.06) == .watchConnectionUntilPoll(at: 10.053 + 1.0 / 30))
        // An advance by someone else (the frame clock) puts it off too.
        p.advanced(at: 10.08, morePending: false)
        #expect(p.next(at: 10.087) == .watchConnectionUntilPoll(at: 10.08 + 1.0 / 30))
    }

    /// Frames that come faster than the poll interval leave no room for polls.
    @Test func aDrawingClientLeavesNoPolls() {
        var p = pollingPacer()
        p.advanced(at: 0, morePending: false)
        var polls = 0
        for frame in 1...60 {
            let t = Double(frame) / 40
            // Before the frame: the watcher waits for damage or the poll.
            if p.next(at: t - 0.0001) == .signal { polls += 1; p.advanced(at: t - 0.0001, morePending: false) }
            p.connectionReadable(at: t)
            #expect(p.next(at: t + 0.0011) == .signal)
            p.advanced(at: t + 0.002, morePending: false)
        }
        #expect(polls == 0)
    }

    /// Damage after a long idle is signalled once the burst had its settle time, not a tick later.
    @Test func damageAfterIdleIsSignalledAfterTheSettleTime() {
        var p = pacer()
        p.advanced(at: 9, morePending: false)
        p.connectionReadable(at: 10)
        #expect(p.next(at: 10) == .wait(until: 10.001))
        #expect(p.next(at: 10.0011) == .signal)
        #expect(p.next(at: 10.0012) == .awaitAdvance)
    }

    /// More bytes while waiting (the client still drawing the frame) put the signal off until the
    /// connection was quiet for the settle time, and make no second signal.
    @Test func aBurstIsOneSignalOnceItPaused() {
        var p = pacer()
        p.connectionReadable(at: 10)
        p.connectionActive(at: 10.0004)
        p.connectionActive(at: 10.0008)
        #expect(p.next(at: 10.0009) == .wait(until: 10.0008 + 0.001))
        p.connectionActive(at: 10.0015)
        #expect(p.next(at: 10.0018) == .wait(until: 10.0015 + 0.001))
        #expect(p.next(at: 10.0026) == .signal)
        p.connectionActive(at: 10.003)
        p.connectionReadable(at: 10.003)
        #expect(p.next(at: 10.004) == .awaitAdvance)
    }

    /// A client that never pauses is read at the latest the maximum delay (the --max-fps interval
    /// by default) after it began.
    @Test func aBurstThatNeverPausesIsReadAfterTheMaximumDelay() {
        var p = pacer()
        p.connectionReadable(at: 10)
        var signalledAt: Double?
        for step in 1...60 {
            let t = 10 + Double(step) * 0.0005
            p.connectionActive(at: t)
            if signalledAt == nil, p.next(at: t) == .signal { signalledAt = t }
        }
        #expect(signalledAt.map { $0 >= 10 + 1.0 / 60 && $0 < 10 + 1.0 / 60 + 0.001 } == true, "signalled at \(String(describing: signalledAt))")
    }

    /// Bytes arriving while nothing is pending (the advance reading the socket) start nothing.
    @Test func activityWithNothingPendingIsIgnored() {
        var p = pacer()
        p.connectionActive(at: 10)
        #expect(p.next(at: 11) == .watchConnection)
    }

    /// A frame read in two parts after a pause (drawing resumed right after the signalled advance)
    /// has its second part signalled after the settle time, not an interval later; a third part
    /// waits for the --max-fps interval since the first signal, and one signal covers all of it.
    @Test func aSecondSignalMayFollowAtOnceThenTheCapHolds() {
        var p = pacer()
        p.connectionReadable(at: 9.999)
        #expect(p.next(at: 10) == .signal)
        p.advanced(at: 10.001, morePending: false)
        p.connectionReadable(at: 10.002)
        #expect(p.next(at: 10.002) == .wait(until: 10.003))
        #expect(p.next(at: 10.003) == .signal)
        p.advanced(at: 10.004, morePending: false)
        p.connectionReadable(at: 10.005)
        #expect(p.next(at: 10.006) == .wait(until: 10 + 1.0 / 60))
        #expect(p.next(at: 10.010) == .wait(until: 10 + 1.0 / 60))
        #expect(p.next(at: 10.017) == .signal)
        // The pair used the burst: from the first signal on, the signals keep to the sustained
        // rate, so the fourth is due two intervals after the first.
        p.advanced(at: 10.018, morePending: false)
        p.connectionReadable(at: 10.019)
        guard case .wait(let until) = p.next(at: 10.021) else { Issue.record("the fourth signal did not wait"); return }
        #expect(abs(until - (10 + 2.0 / 60)) < 1e-9, "due at \(until)")
    }

    /// An advance by the frame clock (no signal out) does not delay the next signal: drawing right
    /// after a poll is signalled after the settle time only.
    @Test func aFrameClockAdvanceDoesNotDelayTheNextSignal() {
        var p = pacer()
        p.advanced(at: 10, morePending: false)
        p.connectionReadable(at: 10.002)
        #expect(p.next(at: 10.002) == .wait(until: 10.002 + 0.001))
        #expect(p.next(at: 10.0031) == .signal)
    }

    /// A client drawing without pause gets at most one signal per interval: count the signals over
    /// one second of drawing that makes the connection readable every millisecond.
    @Test func continuousDrawingIsSignalledAtMostAtTheCap() {
        var p = pacer()
        var signals = 0
        var advanceAt: Double?
        for ms in 0..<1000 {
            let t = Double(ms) / 1000
            if let due = advanceAt, t >= due { p.advanced(at: t, morePending: false); advanceAt = nil }
            p.connectionReadable(at: t)
            // The server answers a signal with an advance 2 ms later.
            if p.next(at: t) == .signal { signals += 1; advanceAt = t + 0.002 }
        }
        // At most the cap plus the burst's one extra.
        #expect(signals >= 50 && signals <= 61, "signals: \(signals)")
    }

    /// The frame clock's advance clears what was seen readable (the advance read it), and an
    /// outstanding signal (the server may have dropped it) too.
    @Test func anAdvanceBetweenSignalsClearsWhatItRead() {
        var p = pacer()
        p.connectionReadable(at: 10)
        #expect(p.next(at: 10.01) == .signal)
        p.advanced(at: 10.02, morePending: false)
        #expect(p.next(at: 10.03) == .watchConnection)
        p.connectionReadable(at: 11)
        p.advanced(at: 11.0005, morePending: false)
        #expect(p.next(at: 11.002) == .watchConnection)
    }

    /// Events the advance read into xcb's queue (drawing during the advance) are signalled without
    /// the connection becoming readable again: after the settle time while the burst allows it,
    /// then after the interval.
    @Test func eventsLeftByTheAdvanceAreSignalled() {
        var p = pacer()
        p.connectionReadable(at: 10)
        #expect(p.next(at: 10.001) == .signal)
        p.advanced(at: 10.003, morePending: true)
        #expect(p.next(at: 10.0035) == .wait(until: 10.004))
        #expect(p.next(at: 10.004) == .signal)
        p.advanced(at: 10.006, morePending: true)
        #expect(p.next(at: 10.007) == .wait(until: 10.001 + 1.0 / 60))
        #expect(p.next(at: 10.001 + 1.0 / 60) == .signal)
    }

    /// The frame clock's advances hold off while a burst is settling (the mirror would read the
    /// frame half-drawn), and only then: not when idle, not once the signal is out, and not past
    /// the longest a signal can take (maximum delay plus an interval), whatever became of it.
    @Test func aBurstIsSettlingUntilItsSignalGoes() {
        var p = pacer()
        #expect(!p.isSettling(at: 10), "idle")
        p.connectionReadable(at: 10)
        #expect(p.isSettling(at: 10))
        p.connectionActive(at: 10.0005)
        #expect(p.next(at: 10.0008) == .wait(until: 10.0015))
        #expect(p.isSettling(at: 10.0008))
        #expect(p.next(at: 10.0016) == .signal)
        #expect(!p.isSettling(at: 10.0016), "the signal is out: the advance it asks for must read")
        p.advanced(at: 10.002, morePending: false)
        #expect(!p.isSettling(at: 10.002))
        // Events the advance left unread settle like a readable connection.
        p.connectionReadable(at: 10.003)
        p.advanced(at: 10.0035, morePending: true)
        #expect(p.isSettling(at: 10.004))
        // Nobody asks for the signal (a watcher that stopped): the hold ends by itself.
        #expect(p.isSettling(at: 10.0035 + 2.0 / 60 - 0.0001))
        #expect(!p.isSettling(at: 10.0035 + 2.0 / 60 + 0.0001))
    }

    @Test func negativeSettingsAreTakenAsZero() {
        var p = FrameSignalPacer(minimumInterval: -1, settle: -1)
        p.advanced(at: 5, morePending: false)
        p.connectionReadable(at: 5)
        #expect(p.next(at: 5) == .signal)
    }
}
