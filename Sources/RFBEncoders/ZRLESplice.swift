import ZlibStreams

/// What a ZRLE lane needs to send a run of tiles through libdeflate (`DeflateStream.compressSpliced`,
/// `SplicedChunkDeflater`) instead of zlib: the deflater, the stream's history through the end of
/// the run, which the lane's zlib stream takes up after it, and the choice for small runs.
///
/// Runs of at least `minimumBytes` always go through libdeflate. A spliced chunk cannot refer to
/// the bytes before it, and on small chunks those matches are worth more than libdeflate's better
/// parsing: on the ZRLE data of the peers benchmark (120 frames, each lane's input dumped and
/// replayed), splicing every run of 16 KiB or more gave motion 1.2% more bytes, the drag 0.8% and
/// scrolling none (its runs are smaller), for 25-55% less deflate time on motion and the drag;
/// from 4 KiB on, motion's bytes grew by 3.3% (docs/benchmarks.md, "libdeflate for large runs").
/// Smaller runs go through libdeflate only while the connection's trials show that it costs next
/// to nothing there (`SpliceAdvisor`), as on scrolling text. Then all of them do, however small:
/// a zlib run after a spliced one first restarts the stream with the history as its dictionary
/// (`DeflateStream.restart(history:)`), which on scrolling's 30 runs a frame cost more than
/// splicing the small ones saved.
///
/// Serial rectangles (updates too small for lanes) splice too, with an advisor of their own, but
/// only runs of at least `minimumSerialBytes`: below that, matches into the history are worth
/// more than anything libdeflate saves. On the serial stream of the peers benchmark's drag with
/// CopyRect, libdeflate's output for runs of 512 bytes to 1 KiB was a third larger than zlib's,
/// and a frame-number stamp of 30 bytes takes 6 bytes from zlib's history and 14 from libdeflate.
/// Scrolling with CopyRect's text strips (1-4 KiB) lose 0.7% (docs/benchmarks.md, "Serial
/// rectangles spliced"). After a serial splice the stream restarts with a dictionary sized to its
/// next input (`DeflateStream.RestartDictionary.sizedToNextInput`): that input is often such a
/// stamp, for which a 16 KiB `deflateSetDictionary` would cost more than the splice saved.
struct ZRLESplice {
    static let minimumBytes = 16 << 10
    /// The smallest run of a serial rectangle that may be spliced (see the type's note).
    static let minimumSerialBytes = 1 << 10

    /// What becomes of a compressible run.
    enum Route { case zlib, splice, trial }

    let deflater: SplicedChunkDeflater
    /// The uncompressed bytes the stream took before the lane (its dictionary), or before the
    /// serial rectangle.
    let dictionary: ArraySlice<UInt8>
    /// The lane's uncompressed tile data, all its bands one after another (a serial rectangle's
    /// own, with `bandStart` 0).
    let laneData: UnsafePointer<UInt8>
    /// Where the band being compressed starts in `laneData`.
    let bandStart: Int
    /// Whether runs below `minimumBytes` are spliced too.
    let smallRuns: Bool
    let trials: SpliceTrials
    /// Runs below this stay on zlib, neither spliced nor tried: 0 in lanes, `minimumSerialBytes`
    /// for serial rectangles.
    var smallestRun = 0
    /// The dictionary the stream restarts with after a spliced run.
    var restart = DeflateStream.RestartDictionary.recent

    /// The route of a compressible run of `count` bytes: large runs are spliced, and small ones
    /// (from `smallestRun` on) are now and then a trial and otherwise go the way the advisor chose.
    func route(_ count: Int) -> Route {
        if count < smallestRun { return .zlib }
        if count >= Self.minimumBytes { return .splice }
        if trials.takeTurn(count) { return .trial }
        return smallRuns ? .splice : .zlib
    }

    /// Calls `body` with the stream's input through `end` (counted from the band's start) in two
    /// parts, earlier then later, which together end with the last `ZRLEStreamHistory.window`
    /// bytes of it: the lane's data alone once the lane holds that much, else the end of the
    /// dictionary and all of the lane's data, in place (`DeflateStream.compressSpliced`).
    func withHistory<Result>(through end: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Result) -> Result {
        let window = ZRLEStreamHistory.window
        let laneBytes = bandStart + end
        if laneBytes >= window {
            return body(UnsafeRawBufferPointer(start: nil, count: 0), UnsafeRawBufferPointer(start: laneData + laneBytes - window, count: window))
        }
        return dictionary.withUnsafeBytes { earlier in
            body(earlier, UnsafeRawBufferPointer(start: laneData, count: laneBytes))
        }
    }
}
