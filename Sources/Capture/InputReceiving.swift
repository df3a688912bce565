/// A frame source that reacts to viewers' input: the demo desktop types keys into its terminal, and
/// the X11 mirror will forward input through XTEST. Sources without input (a still image) simply do
/// not conform, and the server drops the events.
public protocol InputReceiving: AnyObject {
    /// An X11 keysym pressed or released (RFC 6143 §7.5.4).
    func key(down: Bool, keysym: UInt32)
    /// The pointer's position in output coordinates and its button mask (RFC 6143 §7.5.5; bits 7
    /// and 8 are buttons 8 and 9 from the Extended Mouse Buttons extension).
    func pointer(buttonMask: UInt16, x: Int, y: Int)
}
