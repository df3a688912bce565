import NIOCore
import RFB
import Testing

/// `FencePacer`: the congestion window over fence pings, with the time passed in.
struct FencePacerTests {
    private static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private static func at(_ milliseconds: Int) -> NIODeadline { start + .milliseconds(Int64(milliseconds)) }

    private func active(_ configuration: FencePacer.Configuration = FencePacer.Configuration()) -> FencePacer {
        var pacer = FencePacer(configuration: configuration)
        pacer.enable()
        return pacer
    }

    @Test func withoutFenceEveryUpdateMayGoAndNoPingIsSent() {
        var pacer = FencePacer()
        let result1 = pacer.updateSent(byteCount: 1 << 20, at: Self.at(0))
        #expect(result1 == nil)
        #expect(pacer.decision(at: Self.at(0)) == .sendNow)
        #expect(pacer.bytesInFlight == 0)
    }

    @Test func pingPayloadNamesItsSequenceAndRoundTrips() {
        #expect(FencePacer.payload(sequence: 0x0102_0304) == Array("PHpg".utf8) + [1, 2, 3, 4])
        #expect(FencePacer.sequence(inPayload: FencePacer.payload(sequence: 77)) == 77)
        #expect(FencePacer.sequence(inPayload: []) == nil)
        #expect(FencePacer.sequence(inPayload: Array("PHpg".utf8) + [0, 0, 1]) == nil)
        #expect(FencePacer.sequence(inPayload: Array("XXpg".utf8) + [0, 0, 0, 1]) == nil)
    }

    @Test func anUpdateLargerThanTheWindowGoesAndOnePipelinedBehindItThenTheyWait() throws {
        var pacer = active()
        #expect(pacer.decision(at: Self.at(0)) == .sendNow)
        let result2 = pacer.updateSent(byteCount: 100_000, at: Self.at(0))
        let ping = try #require(result2)
        #expect(pacer.bytesInFlight == 100_000)
        #expect(pacer.decision(at: Self.at(1)) == .sendNow, "one pipelined update")
        let result2b = pacer.updateSent(byteCount: 100_000, at: Self.at(1))
        let second = try #require(result2b)
        #expect(pacer.decision(at: Self.at(2)) == .waitForAnswer(giveUpAt: Self.at(5000)))
        let result3 = pacer.answerReceived(payload: ping, at: Self.at(40))
        #expect(result3 == .acknowledged(roundTrip: .milliseconds(40)))
        #expect(pacer.bytesInFlight == 100_000)
        _ = pacer.answerReceived(payload: second, at: Self.at(80))
        #expect(pacer.bytesInFlight == 0)
        #expect(pacer.baseRTT == .milliseconds(40))
        #expect(pacer.decision(at: Self.at(41)) == .sendNow)
    }

    @Test func smallUpdatesGoUntilTheWindowIsFull() throws {
        var pacer = active()
        for i in 0..<3 {
            #expect(pacer.decision(at: Self.at(i)) == .sendNow)
            _ = pacer.updateSent(byteCount: 5_000, at: Self.at(i))
        }
        #expect(pacer.bytesInFlight == 15_000)
        #expect(pacer.decision(at: Self.at(3)) == .sendNow, "15000 < the 16 KiB initial window")
        _ = pacer.updateSent(byteCount: 5_000, at: Self.at(3))
        #expect(pacer.decision(at: Self.at(4)) == .waitForAnswer(giveUpAt: Self.at(5000)))
        #expect(pacer.outstandingPings == 4)
    }

    @Test func anAnswerAcknowledgesEveryEarlierPing() throws {
        var pacer = active()
        _ = pacer.updateSent(byteCount: 6_000, at: Self.at(0))
        _ = pacer.updateSent(byteCount: 6_000, at: Self.at(1))
        let result4 = pacer.updateSent(byteCount: 6_000, at: Self.at(2))
        let third = try #require(result4)
        let result5 = pacer.answerReceived(payload: third, at: Self.at(30))
        #expect(result5 == .acknowledged(roundTrip: .milliseconds(28)))
        #expect(pacer.bytesInFlight == 0)
        #expect(pacer.outstandingPings == 0)
    }

    @Test func baseIsTheLeastRoundTripAndCurrentTheLatest() throws {
        var pacer = active()
        for (sent, answered) in [(0, 50), (100, 130), (200, 290)] {
            let result6 = pacer.updateSent(byteCount: 1_000, at: Self.at(sent))
            let ping = try #require(result6)
            _ = pacer.answerReceived(payload: ping, at: Self.at(answered))
        }
        #expect(pacer.baseRTT == .milliseconds(30))
        #expect(pacer.currentRTT == .milliseconds(90))
    }

    @Test func bogusAndUnsolicitedAnswersChangeNothing() throws {
        var pacer = active()
        let result7 = pacer.updateSent(byteCount: 20_000, at: Self.at(0))
        let ping = try #require(result7)
        // The empty answer to the fence that confirmed Fence support, and foreign payloads.
        let result8 = pacer.answerReceived(payload: [], at: Self.at(5))
        #expect(result8 == .notAPing)
        let result9 = pacer.answerReceived(payload: Array(repeating: 0xff, count: 64), at: Self.at(5))
        #expect(result9 == .notAPing)
        // Our shape but a sequence never sent.
        let result10 = pacer.answerReceived(payload: FencePacer.payload(sequence: 999), at: Self.at(6))
        #expect(result10 == .unexpected(sequence: 999))
        #expect(pacer.bytesInFlight == 20_000)
        #expect(pacer.baseRTT == nil)
        #expect(pacer.unexpectedAnswers == 1)
        // The real answer still counts, once; answering it again is unexpected.
        let result11 = pacer.answerReceived(payload: ping, at: Self.at(20))
        #expect(result11 == .acknowledged(roundTrip: .milliseconds(20)))
        let result12 = pacer.answerReceived(payload: ping, at: Self.at(21))
        #expect(result12 == .unexpected(sequence: 1))
        #expect(pacer.bytesInFlight == 0)
    }

    @Test func theWindowGrowsWhileTheRoundTripStaysAtItsBase() throws {
        var pacer = active()
        var time = 0
        // Each round: fill the window, then every ping comes back after the same 20 ms.
        for _ in 0..<20 {
            var payloads: [[UInt8]] = []
            while pacer.decision(at: Self.at(time)) == .sendNow {
                let result13 = pacer.updateSent(byteCount: 4_000, at: Self.at(time))
                payloads.append(try #require(result13))
            }
            time += 20
            for payload in payloads { _ = pacer.answerReceived(payload: payload, at: Self.at(time)) }
        }
        #expect(pacer.window > 4 * 16 * 1024, "window \(pacer.window) did not grow")
        #expect(pacer.window <= pacer.configuration.maximumWindow)
    }

    @Test func theWindowDoesNotGrowWhenUpdatesNeverFillIt() throws {
        var pacer = active()
        for round in 0..<20 {
            let result14 = pacer.updateSent(byteCount: 1_000, at: Self.at(round * 50))
            let ping = try #require(result14)
            _ = pacer.answerReceived(payload: ping, at: Self.at(round * 50 + 20))
        }
        #expect(pacer.window == pacer.configuration.initialWindow)
        #expect(pacer.bandwidth == nil, "a link never kept busy tells nothing about its bandwidth")
    }

    /// A link of 1 MB/s with 20 ms of latency, simulated: each byte takes 1 µs on the wire, so
    /// what is sent beyond bandwidth × RTT queues and the round trip rises.
    @Test func theWindowShrinksTowardsBandwidthTimesBaseWhenTheRoundTripRises() throws {
        var configuration = FencePacer.Configuration()
        configuration.initialWindow = 400_000
        var pacer = active(configuration)
        var linkFreeAt = 0.0  // milliseconds
        var answers: [(at: Double, payload: [UInt8])] = []
        var now = 0.0
        var largestInFlight = 0
        while now < 3_000 {
            while let first = answers.first, first.at <= now {
                answers.removeFirst()
                _ = pacer.answerReceived(payload: first.payload, at: Self.start + .microseconds(Int64(first.at * 1000)))
            }
            let time = Self.start + .microseconds(Int64(now * 1000))
            if pacer.decision(at: time) == .sendNow {
                let size = 10_000
                let result15 = pacer.updateSent(byteCount: size, at: time)
                let payload = try #require(result15)
                largestInFlight = max(largestInFlight, pacer.bytesInFlight)
                linkFreeAt = max(linkFreeAt, now) + Double(size) / 1000
                answers.append((linkFreeAt + 20, payload))
            }
            now += 1
        }
        let bandwidth = try #require(pacer.bandwidth)
        #expect(bandwidth > 0.7e6 && bandwidth < 1.3e6, "bandwidth estimate \(bandwidth) B/s for a 1 MB/s link")
        let base = try #require(pacer.baseRTT)
        #expect(base >= .milliseconds(30) && base < .milliseconds(40), "base \(base): 20 ms + one 10 kB update")
        // Bandwidth × base RTT is about 30 kB; the window came down from 400 kB to a few times that.
        #expect(pacer.window < 120_000, "window \(pacer.window)")
        #expect(pacer.bytesInFlight < 130_000)
        #expect(largestInFlight >= 400_000, "the initial window was used before the link pushed back")
    }

    @Test func anUnansweredPingIsGivenUpOnceAtTheTimeout() throws {
        var configuration = FencePacer.Configuration()
        configuration.answerTimeout = .milliseconds(500)
        var pacer = active(configuration)
        let result16 = pacer.updateSent(byteCount: 50_000, at: Self.at(0))
        let ping = try #require(result16)
        _ = pacer.updateSent(byteCount: 50_000, at: Self.at(1))
        #expect(pacer.decision(at: Self.at(10)) == .waitForAnswer(giveUpAt: Self.at(500)))
        let result17 = pacer.giveUpIfUnanswered(at: Self.at(499))
        #expect(!result17)
        #expect(pacer.state == .active)
        let result18 = pacer.giveUpIfUnanswered(at: Self.at(500))
        #expect(result18)
        let result19 = pacer.giveUpIfUnanswered(at: Self.at(600))
        #expect(!result19, "reported once")
        #expect(pacer.state == .abandoned)
        #expect(pacer.decision(at: Self.at(600)) == .sendNow)
        let result20 = pacer.updateSent(byteCount: 50_000, at: Self.at(600))
        #expect(result20 == nil, "no more pings")
        // A late answer changes nothing.
        let result21 = pacer.answerReceived(payload: ping, at: Self.at(700))
        #expect(result21 == .unexpected(sequence: 1))
        // Announcing Fence again does not restart pacing.
        pacer.enable()
        #expect(pacer.state == .abandoned)
    }

    @Test func outstandingPingsAreBounded() {
        var configuration = FencePacer.Configuration()
        configuration.maximumOutstandingPings = 3
        var pacer = active(configuration)
        for i in 0..<3 { _ = pacer.updateSent(byteCount: 10, at: Self.at(i)) }
        #expect(pacer.decision(at: Self.at(3)) == .waitForAnswer(giveUpAt: Self.at(5000)))
    }
}

/// The rules that keep a fast link fast: pipelining, viewer decoding is not congestion, idle reset.
struct FencePacerPipeliningTests {
    private static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    private static func at(_ milliseconds: Int) -> NIODeadline { start + .milliseconds(Int64(milliseconds)) }

    /// Sends an update and returns its ping (pacing is active, so there is one).
    private static func sent(_ pacer: inout FencePacer, _ byteCount: Int, at time: NIODeadline) throws -> [UInt8] {
        let ping = pacer.updateSent(byteCount: byteCount, at: time)
        return try #require(ping)
    }

    private func active(_ configuration: FencePacer.Configuration = FencePacer.Configuration()) -> FencePacer {
        var pacer = FencePacer(configuration: configuration)
        pacer.enable()
        return pacer
    }

    @Test func aSecondUpdateGoesBeyondTheWindowWhileOnePingIsOutstandingButNotAThird() throws {
        var pacer = active()
        _ = pacer.updateSent(byteCount: 100_000, at: Self.at(0))
        #expect(pacer.bytesInFlight > pacer.window)
        #expect(pacer.decision(at: Self.at(5)) == .sendNow, "pipelined: encode the next while the viewer decodes")
        _ = pacer.updateSent(byteCount: 100_000, at: Self.at(5))
        #expect(pacer.decision(at: Self.at(6)) == .waitForAnswer(giveUpAt: Self.at(5000)))
    }

    @Test func noPipeliningWhileTheSecondUpdateWouldWaitLongBehindTheFirst() throws {
        var pacer = active()
        // A tiny update measures the base (20 ms), a big one comes back 300 ms later.
        let tiny = try Self.sent(&pacer, 100, at: Self.at(0))
        _ = pacer.answerReceived(payload: tiny, at: Self.at(20))
        let big = try Self.sent(&pacer, 650_000, at: Self.at(30))
        _ = pacer.answerReceived(payload: big, at: Self.at(330))
        _ = pacer.updateSent(byteCount: 650_000, at: Self.at(331))
        #expect(pacer.loneRTT == .milliseconds(300))
        // The next would wait about 300 ms behind this one: more than the 100 ms limit.
        #expect(pacer.isReallyCongested(at: Self.at(332)))
        #expect(pacer.decision(at: Self.at(332)) == .waitForAnswer(giveUpAt: Self.at(5331)))
        // 100 ms before the first is expected back, a second may follow it.
        #expect(pacer.decision(at: Self.at(531)) == .sendNow)
    }

    /// Loopback: 0.2 ms of wire, and a viewer that takes 30 ms to decode each big update. The
    /// window must not take the decoding for queueing.
    @Test func aViewerDecodingBigUpdatesAloneDoesNotCloseTheWindow() throws {
        var pacer = active()
        let tiny = try Self.sent(&pacer, 100, at: Self.at(0))
        _ = pacer.answerReceived(payload: tiny, at: Self.start + .microseconds(200))
        var time = 1
        for _ in 0..<30 {
            let ping = try Self.sent(&pacer, 200_000, at: Self.at(time))
            time += 30
            _ = pacer.answerReceived(payload: ping, at: Self.at(time))
            time += 1
        }
        #expect(pacer.baseRTT == .microseconds(200))
        #expect(pacer.window > pacer.configuration.initialWindow, "window \(pacer.window)")
    }

    @Test func updatesWaitingBehindEarlierOnesShrinkTheWindow() throws {
        var configuration = FencePacer.Configuration()
        configuration.initialWindow = 200_000
        var pacer = active(configuration)
        let tiny = try Self.sent(&pacer, 100, at: Self.at(0))
        _ = pacer.answerReceived(payload: tiny, at: Self.at(20))
        // A 100 kB/s link: each 10 kB update takes 100 ms, so the later ones wait behind the first.
        var payloads: [[UInt8]] = []
        for i in 0..<10 { payloads.append(try Self.sent(&pacer, 10_000, at: Self.at(30 + i))) }
        for (i, payload) in payloads.enumerated() { _ = pacer.answerReceived(payload: payload, at: Self.at(150 + 100 * i)) }
        #expect(pacer.window < 200_000, "window \(pacer.window)")
    }

    @Test func afterAnIdleGapTheWindowRestartsAtItsInitialValueAndTheBaseIsMeasuredAgain() throws {
        var configuration = FencePacer.Configuration()
        configuration.initialWindow = 16 * 1024
        var pacer = active(configuration)
        // Congested: the window comes down to its minimum.
        let tiny = try Self.sent(&pacer, 100, at: Self.at(0))
        _ = pacer.answerReceived(payload: tiny, at: Self.at(10))
        var payloads: [[UInt8]] = []
        for i in 0..<4 { payloads.append(try Self.sent(&pacer, 5_000, at: Self.at(20 + i))) }
        for (i, payload) in payloads.enumerated() { _ = pacer.answerReceived(payload: payload, at: Self.at(300 + 300 * i)) }
        #expect(pacer.window == pacer.configuration.minimumWindow)
        #expect(pacer.baseRTT == .milliseconds(10))
        // Quiet for less than the idle limit: nothing changes.
        _ = pacer.updateSent(byteCount: 100, at: Self.at(1250))
        #expect(pacer.window == pacer.configuration.minimumWindow)
        let last = try Self.sent(&pacer, 100, at: Self.at(1251))
        _ = pacer.answerReceived(payload: last, at: Self.at(1300))
        // Quiet for longer: restart.
        _ = pacer.updateSent(byteCount: 100, at: Self.at(1401))
        #expect(pacer.window == 16 * 1024)
        #expect(pacer.baseRTT == nil)
    }
}
