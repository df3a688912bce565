import NIOCore

extension ByteBuffer {
    /// Appends one whole message, header included (docs/protocol.md §3 "Framing"), and returns the
    /// fds to send with its bytes, in order, in one SCM_RIGHTS control message.
    ///
    /// The fds stay owned by the caller: this neither duplicates nor closes them. Send them with
    /// the sendmsg that sends the message's first byte. Throws, and writes nothing, when the
    /// message would break `limits`.
    @discardableResult
    public mutating func writeDisplayMessage(_ message: some DisplayWireMessage, requestID: UInt32,
                                             limits: DisplayProtocolLimits = .version1) throws(DisplayProtocolEncodingError) -> [Int32] {
        let type = message.messageType
        let fds = message.fds
        guard fds.count <= min(limits.maximumFDsPerMessage, Int(UInt8.max)) else {
            throw .fieldTooLarge(type: type, field: "fd count", count: fds.count, limit: limits.maximumFDsPerMessage)
        }
        let start = writerIndex
        writeInteger(UInt32(0), endianness: .little)
        writeInteger(type.rawValue, endianness: .little)
        writeInteger(UInt8(fds.count))
        writeInteger(UInt8(0))
        writeInteger(requestID, endianness: .little)
        do {
            try message.writeBody(into: &self, limits: limits)
        } catch {
            moveWriterIndex(to: start)
            throw error
        }
        let length = writerIndex - start
        guard length <= limits.maximumMessageSize else {
            moveWriterIndex(to: start)
            throw .messageTooLarge(type: type, length: length, limit: limits.maximumMessageSize)
        }
        setInteger(UInt32(length), at: start, endianness: .little)
        return fds
    }
}
