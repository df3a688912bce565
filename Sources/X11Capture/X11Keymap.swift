/// A copy of the server's keyboard mapping (core protocol GetKeyboardMapping): for each keycode
/// from `minKeycode`, `perKeycode` keysyms, column 0 unshifted and column 1 with Shift.
///
/// It answers which key to press for a keysym a viewer sent, and which keycodes carry no keysym at
/// all, so a keysym the keyboard lacks can be put on one of them (ChangeKeyboardMapping) the way
/// x11vnc and TigerVNC's x0vncserver do.
public struct X11Keymap: Equatable, Sendable {
    public let minKeycode: Int
    public let perKeycode: Int
    public private(set) var keysyms: [UInt32]

    public init(minKeycode: Int, perKeycode: Int, keysyms: [UInt32]) {
        precondition(perKeycode > 0 && keysyms.count % perKeycode == 0)
        self.minKeycode = minKeycode; self.perKeycode = perKeycode; self.keysyms = keysyms
    }

    public var keycodeCount: Int { keysyms.count / perKeycode }

    public func keysyms(of keycode: Int) -> ArraySlice<UInt32> {
        let start = (keycode - minKeycode) * perKeycode
        return keysyms[start..<(start + perKeycode)]
    }

    /// The key and column producing `keysym`, preferring an unshifted one and the lowest keycode;
    /// only columns 0 and 1 (plain and Shift) count, as the others need group or level modifiers.
    public func locate(_ keysym: UInt32) -> (keycode: Int, column: Int)? {
        guard keysym != 0 else { return nil }
        for column in 0..<min(2, perKeycode) {
            for k in 0..<keycodeCount where keysyms[k * perKeycode + column] == keysym {
                return (minKeycode + k, column)
            }
        }
        return nil
    }

    /// Keycodes with no keysym in any column, highest first (the top of the range is least likely
    /// to be a physical key an X client expects).
    public var spareKeycodes: [Int] {
        (0..<keycodeCount).reversed().filter { k in keysyms[(k * perKeycode)..<((k + 1) * perKeycode)].allSatisfy { $0 == 0 } }
            .map { minKeycode + $0 }
    }

    /// The row ChangeKeyboardMapping sets to put `keysym` on a key: in the first two columns, so it
    /// types the same with or without Shift.
    public func row(for keysym: UInt32) -> [UInt32] {
        (0..<perKeycode).map { $0 < 2 ? keysym : 0 }
    }

    public mutating func assign(_ row: [UInt32], to keycode: Int) {
        precondition(row.count == perKeycode)
        let start = (keycode - minKeycode) * perKeycode
        keysyms.replaceSubrange(start..<(start + perKeycode), with: row)
    }
}
