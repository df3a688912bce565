/// Connections, disconnections and the grace period of a disconnected producer's lease.
extension Device {
    /// A producer says hello. Presenting the token of a lease in its grace period takes that
    /// lease back (same client id, same outputs, which never stopped showing their last frame);
    /// otherwise a new lease is made with `freshToken`, which the edge draws at random. A token
    /// that is not (or no longer) known simply starts a new lease.
    ///
    /// The returned events release the reclaimed framebuffers that are not on screen: events sent
    /// while the producer was away were dropped, so it learns here which buffers it may reuse.
    public mutating func connectProducer(presenting token: LeaseToken?, freshToken: LeaseToken) throws(DisplayError) -> (ProducerConnection, [DisplayEvent]) {
        if let token, let lease = leases.values.first(where: { $0.token == token }) {
            guard !lease.connected else { throw .leaseTokenInUse }
            leases[lease.client]?.connected = true
            leases[lease.client]?.graceDeadline = nil
            let reclaimed = outputsByID.values.filter { $0.owner == lease.client }.map(\.id).sorted()
            let referenced = referencedFramebuffers()
            let idle = framebuffersByID.values.filter { $0.owner == lease.client && !referenced.contains($0.id) }.map(\.id).sorted()
            return (ProducerConnection(client: lease.client, token: token, reclaimedOutputs: reclaimed),
                    idle.map { .release(to: lease.client, framebuffer: $0) })
        }
        guard !leases.values.contains(where: { $0.token == freshToken }) else { throw .leaseTokenInUse }
        let client = allocateClientID()
        leases[client] = Lease(client: client, role: .producer, token: freshToken, connected: true, graceDeadline: nil)
        return (ProducerConnection(client: client, token: freshToken, reclaimedOutputs: []), [])
    }

    /// A consumer says hello: it will see every output.
    public mutating func connectConsumer() -> ClientID {
        let client = allocateClientID()
        leases[client] = Lease(client: client, role: .consumer, token: nil, connected: true, graceDeadline: nil)
        return client
    }

    /// A client went away (closed, or was disconnected for misbehaving). A producer's outputs stay
    /// up, showing the last frame, until `now` + the grace period; a producer without outputs and
    /// a consumer are forgotten at once. Events are returned for hotplug when something is removed.
    public mutating func disconnect(_ client: ClientID, now: UInt64) -> [DisplayEvent] {
        guard let lease = leases[client], lease.connected else { return [] }
        if lease.role == .producer, outputsByID.values.contains(where: { $0.owner == client }) {
            leases[client]?.connected = false
            let (deadline, overflow) = now.addingReportingOverflow(limits.gracePeriodNanoseconds)
            leases[client]?.graceDeadline = overflow ? UInt64.max : deadline
            return []
        }
        return removeLease(client)
    }

    /// Removes the objects of producers whose grace period ended at or before `now`, with
    /// `outputRemoved` events for consumers.
    public mutating func expireLeases(now: UInt64) -> [DisplayEvent] {
        let expired = leases.values.filter { !$0.connected && ($0.graceDeadline ?? .max) <= now }.map(\.client).sorted()
        return expired.flatMap { removeLease($0) }
    }

    /// When `expireLeases` next has something to do, for the edge's timer.
    public var nextLeaseDeadline: UInt64? { leases.values.compactMap(\.graceDeadline).min() }

    mutating func removeLease(_ client: ClientID) -> [DisplayEvent] {
        var events: [DisplayEvent] = []
        for output in outputsByID.values.filter({ $0.owner == client }).map(\.id).sorted() {
            events += removeOutput(output)
        }
        for id in framebuffersByID.values.filter({ $0.owner == client }).map(\.id) { framebuffersByID[id] = nil }
        leases[client] = nil
        return events
    }

    mutating func allocateClientID() -> ClientID {
        defer { nextClientID &+= 1 }
        return ClientID(nextClientID)
    }
}
