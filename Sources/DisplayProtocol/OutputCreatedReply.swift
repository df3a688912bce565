/// The reply to CreateOutput (docs/protocol.md §7.4 "OutputCreated").
///
/// Layout from the message start: 12 u32 output id, 16 u32 primary plane id, 20 u32 cursor plane
/// id. 24 bytes.
public struct OutputCreatedReply: Hashable, Sendable {
    public var outputID: UInt32
    public var primaryPlaneID: UInt32
    public var cursorPlaneID: UInt32

    public init(outputID: UInt32, primaryPlaneID: UInt32, cursorPlaneID: UInt32) {
        self.outputID = outputID
        self.primaryPlaneID = primaryPlaneID
        self.cursorPlaneID = cursorPlaneID
    }

    init(from reader: inout WireReader) throws(DisplayProtocolDecodingError.Kind) {
        self.init(outputID: try reader.readU32(), primaryPlaneID: try reader.readU32(), cursorPlaneID: try reader.readU32())
    }

    func write(to writer: inout WireWriter) {
        writer.write(outputID)
        writer.write(primaryPlaneID)
        writer.write(cursorPlaneID)
    }
}
