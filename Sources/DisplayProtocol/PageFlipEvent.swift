/// A commit reached the screen (docs/protocol.md §7.9 "PageFlip").
///
/// Layout from the message start: 12 u32 output id, 16 u64 sequence, 24 u64 timestamp ns,
/// 32 u32 request id of the Commit that was applied. 36 bytes.
public struct PageFlipEvent: Hashable, Sendable {
    public var outputID: UInt32
    /// The output's frame counter, +1 per applied commit.
    public var sequence: UInt64
    /// CLOCK_MONOTONIC time of the frame tick that applied the commit, in nanoseconds.
    public var timestampNanoseconds: UInt64
    /// The request id of the Commit that reached the screen (commits it replaced never flip).
    public var commitRequestID: UInt32

    public init(outputID: UInt32, sequence: UInt64, timestampNanoseconds: UInt64, commitRequestID: UInt32) {
        self.outputID = outputID
        self.sequence = sequence
        self.timestampNanoseconds = timestampNanoseconds
        self.commitRequestID = commitRequestID
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(outputID: try reader.readU32(), sequence: try reader.readU64(),
                  timestampNanoseconds: try reader.readU64(), commitRequestID: try reader.readU32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(sequence)
        writer.write(timestampNanoseconds)
        writer.write(commitRequestID)
    }
}
