#if canImport(Glibc)
import Glibc
#endif
import DisplayProtocol
@testable import DisplayServer
import PortholeClient
import Testing

/// The frame clock's idle rule (docs/protocol.md §12 "Pacing and lifetime"): a commit to an output
/// that flipped nothing for a frame interval flips at once; commits back to back still flip at most
/// once per interval. Real sockets and clocks, so the bounds are generous: they tell the behaviours
/// apart, they do not measure speed.
@Suite struct IdleFlipTests {
    private func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Commits buffer `index` and returns its PageFlip and the seconds until it arrived.
    private func timedPresent(_ producer: ProducerSetup, _ index: Int) throws -> (PageFlipEvent, Double) {
        let start = monotonicSeconds()
        let flip = try producer.presentAndWait(index)
        return (flip, monotonicSeconds() - start)
    }

    @Test func anIdleOutputFlipsACommitAtOnceInsteadOfAtItsNextTick() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        // 1 Hz: the clock's first tick is a second after the output was created, the next a
        // second after each flip; a commit that waited for a tick would take most of a second.
        let producer = try ProducerSetup(try fixture.producer("idle"), refreshMillihertz: 1_000)
        producer.draw(0, seed: 1)
        let (first, firstWait) = try timedPresent(producer, 0)
        #expect(firstWait < 0.5, "the first commit waited \(firstWait) s for its flip")
        #expect(first.sequence == 1, "the flip is the output's first vblank")
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 1))

        // Idle again for more than an interval: the next commit flips at once too.
        usleep(1_200_000)
        producer.draw(1, seed: 2)
        let (second, secondWait) = try timedPresent(producer, 1)
        #expect(secondWait < 0.5, "the commit after an idle interval waited \(secondWait) s for its flip")
        #expect(second.sequence > first.sequence)
        #expect(second.timestampNanoseconds - first.timestampNanoseconds >= 1_000_000_000,
                "flips \(second.timestampNanoseconds - first.timestampNanoseconds) ns apart at 1 Hz")
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 2))
    }

    @Test func commitsBackToBackStillFlipAtMostOncePerInterval() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        // 20 Hz: 50 ms between flips.
        let producer = try ProducerSetup(try fixture.producer("busy"), refreshMillihertz: 20_000)
        var flips: [PageFlipEvent] = []
        for frame in 0..<6 {
            producer.draw(frame % 2, seed: UInt32(frame))
            flips.append(try producer.presentAndWait(frame % 2))
        }
        for (previous, next) in zip(flips, flips.dropFirst()) {
            #expect(next.sequence > previous.sequence)
            // Ticks on time keep the clock's phase; a tick up to an eighth of an interval late
            // (6.25 ms) does too, so the next flip may come that much sooner (§12).
            #expect(next.timestampNanoseconds - previous.timestampNanoseconds >= 43_000_000,
                    "flips \(next.timestampNanoseconds - previous.timestampNanoseconds) ns apart at 20 Hz")
        }
        #expect(shownFrame(fixture.server, output: producer.output.outputID) == producer.expectedFrame(seed: 5))
    }

    @Test func aNewerCommitBeforeTheTickStillReplacesThePendingOne() throws {
        let fixture = try DeviceServerFixture()
        defer { fixture.close() }
        // 1 Hz, so both later commits surely come before the tick after the first flip.
        let producer = try ProducerSetup(try fixture.producer("mailbox"), refreshMillihertz: 1_000)
        producer.draw(0, seed: 1)
        let first = try producer.presentAndWait(0)
        producer.draw(1, seed: 2)
        let replaced = try producer.client.present(framebuffer: producer.framebuffers[1], width: producer.width,
                                                   height: producer.height, on: producer.output.primaryPlaneID)
        let newer = try producer.client.present(framebuffer: producer.framebuffers[1], width: producer.width,
                                                height: producer.height, on: producer.output.primaryPlaneID)
        let flip = try producer.client.waitForPageFlip(output: producer.output.outputID, commitRequestID: newer)
        #expect(flip.sequence == first.sequence + 1, "the newer commit flips at the next tick")
        #expect(flip.timestampNanoseconds - first.timestampNanoseconds >= 1_000_000_000)
        let replacedFlips = producer.client.takeEvents {
            if case .pageFlip(let event) = $0 { return event.commitRequestID == replaced }
            return false
        }
        #expect(replacedFlips.isEmpty, "the replaced commit flipped")
    }
}
