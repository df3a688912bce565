import Dispatch
import NIOCore
import Pixels

/// Runs lanes concurrently: `DispatchQueue.concurrentPerform`, in which the calling thread (the
/// viewer's event loop) takes one lane itself and waits for the others.
enum LaneRunner {
    /// `body(i)` for every lane i in 0..<count, concurrently; the results in lane order.
    static func run<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        if count == 1 { return [body(0)] }
        let results = UnsafeMutablePointer<T>.allocate(capacity: count)
        defer { results.deallocate() }
        withoutActuallyEscaping(body) { body in
            let work = LaneWork(body: body, results: results)
            DispatchQueue.concurrentPerform(iterations: count) { work.run($0) }
        }
        return (0..<count).map { (results + $0).move() }
    }

    /// The lanes encoded by copies of `encoder`, one per lane, each writing its own buffer: for
    /// encoders whose values share no state (Raw, RRE, Hextile: their scratch buffers are arrays,
    /// copied on first write), so lanes are fully independent.
    /// With `sharing`, rectangles another viewer encoded are taken from it and the others offered
    /// to it (`EncodedRectangleSharing`, which is safe to use from several threads).
    static func encodeIndependently<E: FramebufferEncoder>(_ encoder: E, _ lanes: [[LaneJob]], of frame: PixelView,
                                                           translator: PixelTranslator, sharing: (any EncodedRectangleSharing)?,
                                                           into output: inout ByteBuffer) -> Int {
        let outputs = run(lanes.count) { lane -> (ByteBuffer, Int) in
            var copy = encoder
            var buffer = ByteBuffer()
            var count = 0
            for job in lanes[lane] {
                copy.setLossyAllowed(job.lossy)
                if let sharing {
                    count += sharing.writeShared(job.rect, into: &buffer) { copy.encode(job.rect, of: frame, translator: translator, into: &$0) }
                } else {
                    count += copy.encode(job.rect, of: frame, translator: translator, into: &buffer)
                }
            }
            return (buffer, count)
        }
        return append(outputs, to: &output)
    }

    /// Writes the lanes' buffers to `output` in order and returns their total rectangle count.
    static func append(_ outputs: [(ByteBuffer, Int)], to output: inout ByteBuffer) -> Int {
        output.reserveCapacity(minimumWritableBytes: outputs.reduce(0) { $0 + $1.0.readableBytes })
        var count = 0
        for (buffer, rectangles) in outputs {
            output.writeImmutableBuffer(buffer)
            count += rectangles
        }
        return count
    }
}

/// The lanes' work and result slots as the worker threads see them. Unchecked, because the safety
/// is by construction: each lane writes only its own slot and reads what no lane writes, and
/// `concurrentPerform` returns only after every lane has finished, before anyone reads a slot.
private struct LaneWork<T>: @unchecked Sendable {
    let body: (Int) -> T
    let results: UnsafeMutablePointer<T>

    func run(_ lane: Int) { (results + lane).initialize(to: body(lane)) }
}
