import Testing
@testable import Server

struct HostAndPortTests {
    @Test(arguments: [
        ("127.0.0.1:5900", "127.0.0.1", 5900), ("localhost::5901", "localhost", 5901),
        ("[::1]:5902", "::1", 5902), (":0", "127.0.0.1", 0),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(try HostAndPort(parsing: text) == HostAndPort(host: host, port: port))
    }

    @Test(arguments: ["5900", "host:", "host:99999", "[::1]5900", "host:port"])
    func rejects(text: String) {
        #expect(throws: HostAndPort.ParseError.self) { try HostAndPort(parsing: text) }
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"])
    func loopbackAddresses(host: String) {
        #expect(HostAndPort(host: host, port: 5900).isLoopback)
    }

    @Test(arguments: ["0.0.0.0", "::", "192.168.1.2", "10.0.0.1", "127.0.0", "127.0.0.1.5", "128.0.0.1", "example.org", "::ffff:10.0.0.1", "1270.0.0.1"])
    func addressesOthersMayReach(host: String) {
        #expect(!HostAndPort(host: host, port: 5900).isLoopback)
    }
}
