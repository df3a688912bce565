import NIOCore

/// Slows down password guessing, per source address (the blacklist TigerVNC and x11vnc keep).
///
/// Pure: the caller passes the time in. The network edge asks `mayAttempt(from:now:)` before it
/// lets a viewer reach the VNC Authentication challenge, and reports each outcome. After
/// `Policy.allowedFailures` consecutive failures an address is blocked for `initialBlock`, and every
/// further failure doubles that, up to `maximumBlock`. A success forgets the address. The table is
/// bounded: addresses not blocked and idle for `forgetAfter` are pruned, and past
/// `maximumTrackedAddresses` the least recently failed entry is dropped.
public struct AuthenticationThrottle<Address: Hashable & Sendable>: Sendable {
    public struct Policy: Hashable, Sendable {
        public var allowedFailures: Int
        public var initialBlock: TimeAmount
        public var maximumBlock: TimeAmount
        public var forgetAfter: TimeAmount
        public var maximumTrackedAddresses: Int

        public init(allowedFailures: Int = 5, initialBlock: TimeAmount = .seconds(10), maximumBlock: TimeAmount = .minutes(10),
                    forgetAfter: TimeAmount = .hours(1), maximumTrackedAddresses: Int = 10_000) {
            self.allowedFailures = allowedFailures
            self.initialBlock = initialBlock
            self.maximumBlock = maximumBlock
            self.forgetAfter = forgetAfter
            self.maximumTrackedAddresses = maximumTrackedAddresses
        }
    }

    private struct Record: Sendable {
        var failures: Int
        var lastFailure: NIODeadline
        var blockedUntil: NIODeadline?
    }

    public let policy: Policy
    private var records: [Address: Record] = [:]

    public init(policy: Policy = Policy()) { self.policy = policy }

    /// Number of addresses currently remembered.
    public var trackedAddressCount: Int { records.count }

    /// Whether `address` may try a password now.
    public func mayAttempt(from address: Address, now: NIODeadline) -> Bool {
        blockedUntil(address, now: now) == nil
    }

    /// When `address` may try again, or nil when it may try now.
    public func blockedUntil(_ address: Address, now: NIODeadline) -> NIODeadline? {
        guard let until = records[address]?.blockedUntil, until > now else { return nil }
        return until
    }

    public mutating func recordFailure(from address: Address, now: NIODeadline) {
        var record = records[address] ?? Record(failures: 0, lastFailure: now, blockedUntil: nil)
        record.failures += 1
        record.lastFailure = now
        let excess = record.failures - policy.allowedFailures
        if excess >= 0 {
            // Double per excess failure, without overflowing: stop doubling once past the cap.
            var block = policy.initialBlock
            for _ in 0..<excess where block < policy.maximumBlock { block = block + block }
            record.blockedUntil = now + min(block, policy.maximumBlock)
        }
        records[address] = record
        if records.count > policy.maximumTrackedAddresses { prune(now: now) }
    }

    public mutating func recordSuccess(from address: Address) {
        records[address] = nil
    }

    /// Forgets addresses that are not blocked and have been quiet for `forgetAfter`; if the table is
    /// still over its bound, forgets the least recently failed ones.
    public mutating func prune(now: NIODeadline) {
        records = records.filter { _, record in
            if let until = record.blockedUntil, until > now { return true }
            return now - record.lastFailure < policy.forgetAfter
        }
        while records.count > policy.maximumTrackedAddresses,
              let oldest = records.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key {
            records[oldest] = nil
        }
    }
}
