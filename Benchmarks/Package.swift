// swift-tools-version: 6.1
import PackageDescription

/// Benchmarks live in their own package so the main build and CI stay light. Run with
/// `make bench` (release build) from the repository root; see docs/benchmarks.md.
let package = Package(
    name: "PortholeBenchmarks",
    dependencies: [
        .package(name: "Porthole", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CTurboJPEGBench", pkgConfig: "libturbojpeg"),
        // What the measuring viewers share: a loopback socket, a process's CPU time, the stamped frames seen.
        .target(name: "BenchSupport", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "PortholeCodecs", package: "Porthole"),
        ]),
        .executableTarget(name: "porthole-bench", dependencies: [
            "CTurboJPEGBench", "BenchSupport",
            .product(name: "PortholeCodecs", package: "Porthole"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: [.unsafeFlags(["-Ounchecked"])]),
        /// The display device: commit latencies and 4K commit throughput (docs/benchmarks.md).
        .executableTarget(name: "device-bench", dependencies: [
            "BenchSupport",
            .product(name: "PortholeCodecs", package: "Porthole"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Porthole and its peers (bench/run-peers.sh, also the X11 mirror against x11vnc with
        // --x11): the frames every server is fed, the measuring viewer, and the producer that
        // feeds Porthole's display device.
        .target(name: "CBenchFrames"),
        .executableTarget(name: "peers-bench", dependencies: [
            "BenchSupport",
            "CBenchFrames",
            .product(name: "PortholeCodecs", package: "Porthole"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // bench/four-4k.sh: four 3840x2160 outputs with desktop-typical damage, their producers
        // and measuring viewers (issue #6's frame-rate and memory targets).
        .executableTarget(name: "four-4k-bench", dependencies: [
            "BenchSupport",
            .product(name: "PortholeCodecs", package: "Porthole"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // bench/slow-link.sh: a Fence + ContinuousUpdates viewer behind a throttling proxy, with
        // and without fence pacing (docs/benchmarks.md, "A slow link").
        .executableTarget(name: "slow-link-bench", dependencies: [
            "BenchSupport",
            "CBenchFrames",
            .product(name: "PortholeCodecs", package: "Porthole"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .executableTarget(name: "porthole-feed", dependencies: [
            "CBenchFrames",
            .product(name: "PortholeCodecs", package: "Porthole"),
        ]),
    ]
)
