/// An atomic commit of output and plane states (docs/protocol.md §5.8 "Commit").
///
/// Layout from the message start: 12 u32 flags, 16 u16 output state count a, 18 u16 plane state
/// count b, 20 a output states of 28 bytes, then b plane states of 48 bytes plus their damage
/// rects and moves.
public struct CommitRequest: Hashable, Sendable {
    public var flags: CommitFlags
    public var outputs: [CommitOutputState]
    public var planes: [CommitPlaneState]

    public init(flags: CommitFlags = [], outputs: [CommitOutputState] = [], planes: [CommitPlaneState] = []) {
        self.flags = flags
        self.outputs = outputs
        self.planes = planes
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        let flags = try reader.readU32()
        guard flags & ~CommitFlags.all.rawValue == 0 else { throw .invalidValue(field: "Commit flags", value: UInt64(flags)) }
        self.flags = CommitFlags(rawValue: flags)
        let outputCount = Int(try reader.readU16())
        try reader.checkCount(outputCount, field: "Commit output state count", limit: reader.limits.maximumCommitOutputs)
        let planeCount = Int(try reader.readU16())
        try reader.checkCount(planeCount, field: "Commit plane state count", limit: reader.limits.maximumCommitPlanes)
        outputs = []
        outputs.reserveCapacity(outputCount)
        for _ in 0..<outputCount { outputs.append(try CommitOutputState(from: &reader)) }
        planes = []
        planes.reserveCapacity(planeCount)
        for _ in 0..<planeCount { planes.append(try CommitPlaneState(from: &reader)) }
    }

    func write(to writer: inout WireWriter) throws(DisplayProtocolEncodingError) {
        try writer.checkCount(outputs.count, field: "output state count", limit: writer.limits.maximumCommitOutputs)
        try writer.checkCount(planes.count, field: "plane state count", limit: writer.limits.maximumCommitPlanes)
        writer.write(flags.rawValue)
        writer.write(UInt16(outputs.count))
        writer.write(UInt16(planes.count))
        for output in outputs { output.write(to: &writer) }
        for plane in planes { try plane.write(to: &writer) }
    }
}
