import Display

/// Which output each RFB port shows with `porthole serve --device --output-ports`: output slot i
/// is served on the listen port + i. A new output takes the lowest free slot, so the first output
/// is on the listen port as without the flag, and outputs that come and go (a producer
/// restarting) reuse ports instead of opening ever more. An output keeps its slot while it exists,
/// including a disconnected producer's grace period (docs/protocol.md §12).
///
/// Pure: it answers what changed; the caller shows outputs and opens listeners.
public struct OutputSlotTable: Sendable, Equatable {
    /// What a lifecycle event did to the slots.
    public enum Change: Sendable, Equatable {
        /// `output` now shows in `slot`; `isNewSlot` when no output had that slot before, so it
        /// has no listener yet.
        case assigned(OutputID, slot: Int, isNewSlot: Bool)
        /// `slot` has no output any more (its viewers see the waiting card).
        case emptied(slot: Int)
        /// The event changed no slot (an output removed that had none, or created twice).
        case none
    }

    /// The output in each slot; nil for a free slot. Never shrinks: a slot once opened keeps its
    /// listener.
    public private(set) var slots: [OutputID?]

    /// `openSlots` slots exist (with listeners) before any output: the listen port is open from
    /// the start and shows the waiting card.
    public init(openSlots: Int = 1) {
        slots = Array(repeating: nil, count: openSlots)
    }

    public mutating func created(_ output: OutputID) -> Change {
        guard !slots.contains(output) else { return .none }
        if let free = slots.firstIndex(of: nil) {
            slots[free] = output
            return .assigned(output, slot: free, isNewSlot: false)
        }
        slots.append(output)
        return .assigned(output, slot: slots.count - 1, isNewSlot: true)
    }

    public mutating func removed(_ output: OutputID) -> Change {
        guard let slot = slots.firstIndex(of: output) else { return .none }
        slots[slot] = nil
        return .emptied(slot: slot)
    }
}
