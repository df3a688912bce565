import Display
import DisplayServer
import Testing

/// `OutputSlotTable`, the pure rule behind `--output-ports`: lowest free slot, kept while the
/// output exists, slot 0 open from the start.
@Suite struct OutputSlotTableTests {
    @Test func outputsTakeSlotsInCreationOrderAndTheFirstIsTheListenPort() {
        var table = OutputSlotTable()
        #expect(table.slots == [nil])
        #expect(table.created(OutputID(7)) == .assigned(OutputID(7), slot: 0, isNewSlot: false))
        #expect(table.created(OutputID(9)) == .assigned(OutputID(9), slot: 1, isNewSlot: true))
        #expect(table.created(OutputID(12)) == .assigned(OutputID(12), slot: 2, isNewSlot: true))
        #expect(table.slots == [OutputID(7), OutputID(9), OutputID(12)])
    }

    @Test func aRemovedOutputsSlotIsReusedWithoutANewListener() {
        var table = OutputSlotTable()
        _ = table.created(OutputID(1))
        _ = table.created(OutputID(2))
        _ = table.created(OutputID(3))
        #expect(table.removed(OutputID(2)) == .emptied(slot: 1))
        #expect(table.removed(OutputID(1)) == .emptied(slot: 0))
        // The others keep their slots; the newest takes the lowest free one.
        #expect(table.slots == [nil, nil, OutputID(3)])
        #expect(table.created(OutputID(4)) == .assigned(OutputID(4), slot: 0, isNewSlot: false))
        #expect(table.created(OutputID(5)) == .assigned(OutputID(5), slot: 1, isNewSlot: false))
        #expect(table.created(OutputID(6)) == .assigned(OutputID(6), slot: 3, isNewSlot: true))
    }

    @Test func unknownRemovalsAndRepeatedCreationsChangeNothing() {
        var table = OutputSlotTable()
        #expect(table.removed(OutputID(5)) == .none)
        _ = table.created(OutputID(5))
        #expect(table.created(OutputID(5)) == .none)
        #expect(table.slots == [OutputID(5)])
    }
}
