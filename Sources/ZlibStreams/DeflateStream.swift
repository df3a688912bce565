import CZlib

/// One persistent zlib deflate stream, as ZRLE (RFC 6143 §7.7.6) and Tight keep per connection:
/// every chunk is flushed (`Flush`) so the viewer can inflate it at once while the dictionary
/// carries over between updates. The level can change between chunks
/// (`deflateParams`), which the CompressLevel pseudo-encoding needs and compress-nio lacks.
///
/// `.zlibHeaderThenRaw` streams are what a split stream needs (the pigz technique, used by
/// `ZRLELane`): raw deflate (RFC 1951) whose first output is preceded by the 2-byte zlib
/// header (RFC 1950 §2.2) and which is never finished, so to a viewer it is an ordinary zlib
/// stream, while the server may replace its history with `restart(history:)`: zlib allows
/// `deflateSetDictionary` after a sync flush only for raw deflate (zlib manual). The Adler-32
/// trailer that raw deflate omits is never due, because the stream never ends.
public final class DeflateStream {
    /// What surrounds the deflate data.
    public enum Framing: Sendable {
        /// RFC 1950: the header, and zlib's own bookkeeping.
        case zlib
        /// RFC 1951 only: for pieces of a stream whose header another stream wrote.
        case raw
        /// Raw deflate with a zlib header written before the first output (see the type's note).
        case zlibHeaderThenRaw
    }

    /// How a chunk ends (zlib manual, `deflate`). Either way the viewer can inflate every byte of
    /// the chunk's input from the chunk alone.
    public enum Flush: Sendable {
        /// `Z_SYNC_FLUSH`: the chunk ends on a byte boundary with an empty stored block (about 4.5
        /// bytes: 3 header bits, padding, 00 00 FF FF), so another stream may continue the viewer's
        /// inflate stream from there, or this one `restart`.
        case sync
        /// `Z_PARTIAL_FLUSH`: the chunk ends with an empty fixed-code block of 10 bits instead,
        /// whose last bits (at most 7) stay in the stream and lead the next chunk. That saves 3-4
        /// bytes a chunk (a tenth of a typed character's update), but only this stream can
        /// continue: the viewer's inflate holds the block's first bits until the next chunk
        /// brings the rest. Inflate consumes a chunk's input whole either way (it never needs
        /// output space to read a block header or an end-of-block code), so viewers that decode
        /// one chunk and drop what they did not read lose nothing.
        case partial
    }

    /// Deflate's window (RFC 1951 §2.2): the most history a dictionary can carry.
    public static let windowSize = 32768

    /// How much of its history a restarted stream takes as its dictionary.
    ///
    /// `deflateSetDictionary` costs about as much as deflating the dictionary: 57 µs for 32 KiB at
    /// level 6 here. After an update split into lanes, the connection's stream restarts, and its
    /// next update is often small: a typed character after the whole screen is about 60 bytes
    /// of tile data, deflated in a few µs. With the whole window, that update was the slowest of
    /// a typing run. The viewer's inflate keeps the whole history either way: a
    /// shorter dictionary only gives the deflater fewer distances to look at.
    ///
    /// No restart takes more than `recentDictionaryBytes`, half the window. A ZRLE stream
    /// restarts several times a frame on large updates (each lane's own stream, and after every
    /// spliced run), and the far half of the window is worth little there: on the peers
    /// benchmark, 16 KiB instead of 32 cost motion 0.37% more bytes and the other workloads none,
    /// for 6% less CPU on motion and about as much on the drag (docs/benchmarks.md, "Restarts
    /// with half the window").
    public enum RestartDictionary: Sendable {
        /// The last `recentDictionaryBytes` of the history.
        case recent
        /// The last `sizedDictionaryBytes(forNextInput:)` bytes: for restarts whose next input
        /// is often small (after lanes, before the next update; after a serial splice).
        case sizedToNextInput
    }

    /// The most history a restart takes as its dictionary (see `RestartDictionary`).
    public static let recentDictionaryBytes = 16384

    /// The dictionary a `.sizedToNextInput` restart takes before `count` bytes of input:
    /// `sizedDictionaryBytesPerInputByte` bytes per input byte, at least
    /// `sizedDictionaryMinimumBytes`, at most `recentDictionaryBytes` (from 256 bytes of input
    /// on). On the benchmark's workloads (docs/benchmarks.md, "A dictionary the size of the next
    /// update"), typing's, scrolling's and the drag's bytes did not change and motion's grew by 0.06%.
    public static func sizedDictionaryBytes(forNextInput count: Int) -> Int {
        guard count < recentDictionaryBytes / sizedDictionaryBytesPerInputByte else { return recentDictionaryBytes }
        return max(sizedDictionaryMinimumBytes, count * sizedDictionaryBytesPerInputByte)
    }

    static let sizedDictionaryMinimumBytes = 4096
    static let sizedDictionaryBytesPerInputByte = 64

    private var stream = z_stream()
    public private(set) var level: Int32
    public let framing: Framing
    /// Whether the zlib header of a `.zlibHeaderThenRaw` stream is still to be written.
    public private(set) var headerPending: Bool
    /// Whether the last chunk ended with `.partial`: bits of it are still inside the stream.
    public private(set) var bitsPending = false
    /// The dictionary of a restart (`restart(history:)`, or after `compressSpliced`), taken up by
    /// the next `compress`: a stream that is restarted again or only splices before then never
    /// pays for `deflateSetDictionary`, which costs about as much as deflating the dictionary. One
    /// buffer, refilled in place: a lane splices dozens of runs a frame.
    private var pendingHistory: [UInt8] = []
    /// The restart `compress` applies first, and how much of `pendingHistory` it takes; nil when
    /// none is pending.
    private var pendingRestart: RestartDictionary?
    /// Where `compress` has zlib write, `outputChunkSize` bytes at a time.
    private let outputChunk = UnsafeMutablePointer<UInt8>.allocate(capacity: outputChunkSize)
    private static let outputChunkSize = 16384

    public init(level: Int, framing: Framing = .zlib) {
        self.level = Int32(max(0, min(9, level)))
        self.framing = framing
        headerPending = framing == .zlibHeaderThenRaw
        let windowBits: Int32 = framing == .zlib ? 15 : -15
        let status = deflateInit2_(&stream, self.level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(&stream)
        outputChunk.deallocate()
    }

    /// The 2-byte zlib header (RFC 1950 §2.2) zlib itself writes for `level`: deflate with a 32 KiB
    /// window, FLEVEL as zlib sets it, no preset dictionary, FCHECK making it a multiple of 31.
    public static func zlibHeader(level: Int) -> [UInt8] {
        let levelFlags = level < 2 ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3
        var header = (Int(Z_DEFLATED) + ((15 - 8) << 4)) << 8 | levelFlags << 6
        header += 31 - header % 31
        return [UInt8(header >> 8), UInt8(header & 0xff)]
    }

    /// Changes the compression level for the following chunks.
    public func setLevel(_ newLevel: Int) {
        let l = Int32(max(0, min(9, newLevel)))
        guard l != level else { return }
        // deflateParams may need to flush pending input; there is none after a chunk's flush (the
        // bits a partial flush leaves are output, not input, and its Z_BLOCK adds nothing to them).
        stream.next_in = nil; stream.avail_in = 0
        stream.next_out = outputChunk; stream.avail_out = 64
        _ = deflateParams(&stream, l, Z_DEFAULT_STRATEGY)
        level = l
    }

    /// Forgets the history and takes the last bytes of `history` (`dictionary` says how many) as
    /// the bytes that precede the next input, so its matches may reach back into them: how a
    /// stream continues where another left off. Only for raw framings, between sync-flushed
    /// chunks (zlib manual, `deflateSetDictionary`); the level stays. Takes effect at the next
    /// `compress`.
    public func restart(history: UnsafeRawBufferPointer, dictionary: RestartDictionary = .recent) {
        precondition(framing != .zlib, "only raw deflate may take a dictionary mid-stream")
        precondition(!bitsPending, "a restart would drop the bits a partial flush left for the next chunk")
        setPendingHistory(UnsafeRawBufferPointer(start: nil, count: 0), history, dictionary: dictionary)
    }

    /// Keeps the last `recentDictionaryBytes` of `earlier` followed by `later` (no restart takes
    /// more) for the next restart, which takes `dictionary` of them.
    private func setPendingHistory(_ earlier: UnsafeRawBufferPointer, _ later: UnsafeRawBufferPointer,
                                   dictionary: RestartDictionary) {
        pendingHistory.removeAll(keepingCapacity: true)
        let fromLater = min(later.count, Self.recentDictionaryBytes)
        let fromEarlier = min(earlier.count, Self.recentDictionaryBytes - fromLater)
        func appendTail(of part: UnsafeRawBufferPointer, count: Int) {
            guard count > 0 else { return }
            let tail = part.baseAddress!.advanced(by: part.count - count).assumingMemoryBound(to: UInt8.self)
            pendingHistory.append(contentsOf: UnsafeBufferPointer(start: tail, count: count))
        }
        appendTail(of: earlier, count: fromEarlier)
        appendTail(of: later, count: fromLater)
        pendingRestart = dictionary
    }

    /// Restarts the stream, if a restart is pending, before `nextInput` bytes of input.
    private func applyPendingRestart(nextInput: Int) {
        guard let dictionary = pendingRestart else { return }
        pendingRestart = nil
        let history = pendingHistory
        var status = deflateReset(&stream)
        precondition(status == Z_OK, "deflateReset failed: \(status)")
        guard !history.isEmpty else { return }
        // `pendingHistory` holds no more than `recentDictionaryBytes`.
        let length = switch dictionary {
        case .recent: history.count
        case .sizedToNextInput: min(history.count, Self.sizedDictionaryBytes(forNextInput: nextInput))
        }
        status = history.withUnsafeBufferPointer {
            deflateSetDictionary(&stream, $0.baseAddress! + ($0.count - length), UInt32(length))
        }
        precondition(status == Z_OK, "deflateSetDictionary failed: \(status)")
    }

    /// Compresses `input` and flushes (`.sync` unless told otherwise), appending the output to
    /// `output` (after the zlib header, the first time a `.zlibHeaderThenRaw` stream writes).
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8], flush: Flush = .sync) {
        applyPendingRestart(nextInput: input.count)
        if headerPending {
            output.append(contentsOf: Self.zlibHeader(level: Int(level)))
            headerPending = false
        }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        // Through a buffer of the stream's own, appended as it fills (zlib manual, `deflate`: call
        // again with the same flush while it fills the output): growing `output` by the input's
        // bound first would zero that many bytes each chunk, about the input's size, only to
        // drop most of them again.
        repeat {
            stream.next_out = outputChunk
            stream.avail_out = UInt32(Self.outputChunkSize)
            let status = CZlib.deflate(&stream, flush == .sync ? Z_SYNC_FLUSH : Z_PARTIAL_FLUSH)
            precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed: \(status)")
            output.append(contentsOf: UnsafeBufferPointer(start: outputChunk, count: Self.outputChunkSize - Int(stream.avail_out)))
        } while stream.avail_out == 0
        stream.next_in = nil
        // A sync flush writes out any bits an earlier partial flush left, whatever the input.
        bitsPending = flush == .partial
    }

    public func compress(_ input: [UInt8], appendingTo output: inout [UInt8], flush: Flush = .sync) {
        input.withUnsafeBytes { compress($0, appendingTo: &output, flush: flush) }
    }

    /// Appends `input` as a chunk `deflater` makes in this stream's place (`SplicedChunkDeflater`:
    /// libdeflate, several times faster than zlib on large chunks), at this stream's level, and
    /// returns true; the stream then continues after it as if it had compressed `input` itself.
    /// `earlierHistory` followed by `history` is the stream's input up to and including `input`
    /// (its last `recentDictionaryBytes` are enough: no restart takes more), which the stream takes as its dictionary before
    /// its next chunk (a restart, as after lanes, taking `restartDictionary` of it); two parts, so
    /// that a caller whose history is in two places need not join them. Returns false and appends
    /// nothing of `input` when the chunk cannot be spliced (level 0, or libdeflate's output failed
    /// its check): compress it as usual then.
    ///
    /// A piece must start on a byte boundary, so bits a partial flush left are flushed first with
    /// an empty sync-flushed chunk (about 4.5 bytes). Only for raw framings.
    public func compressSpliced(_ input: UnsafeRawBufferPointer, with deflater: SplicedChunkDeflater,
                                earlierHistory: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
                                history: UnsafeRawBufferPointer, restartDictionary: RestartDictionary = .recent,
                                appendingTo output: inout [UInt8]) -> Bool {
        precondition(framing != .zlib, "a spliced chunk needs a stream that can restart")
        guard level > 0 else { return false }
        if bitsPending {
            compress(UnsafeRawBufferPointer(start: nil, count: 0), appendingTo: &output, flush: .sync)
        } else if headerPending {
            output.append(contentsOf: Self.zlibHeader(level: Int(level)))
            headerPending = false
        }
        guard deflater.compress(input, level: Int(level), appendingTo: &output) else { return false }
        setPendingHistory(earlierHistory, history, dictionary: restartDictionary)
        return true
    }
}
