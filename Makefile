# Make targets for the two set-up commands of README.md (scripts/serve.sh, scripts/test.sh), which
# install what they need (Debian packages) first, and for the benchmarks.
.PHONY: serve test bench bench-peers bench-peers-quick bench-x11

# Build and run `porthole serve` on its defaults: the demo desktop on 127.0.0.1:5900.
serve:
	scripts/serve.sh $(ARGS)

# Build everything and run all tests, the integration tests with real VNC peers included.
# scripts/run-tests.sh makes four runs: the allocator test needs a heap of its own, the display-device server tests block threads in poll() and the integration tests
# drive many processes, so each group runs on its own and cannot starve the other suites of
# Swift's cooperative threads (as many as cores: two here). It ends with a summary of failures.
test:
	scripts/test.sh

# Encoder and display-device benchmarks (see docs/benchmarks.md).
bench:
	scripts/install-deps.sh
	cd Benchmarks && swift build -c release && .build/release/porthole-bench && .build/release/device-bench

# Porthole against TigerVNC's Xvnc, x11vnc, neatvnc and libvncserver, same frames, one viewer
# (see docs/benchmarks.md): about 10 minutes, or 2 with the quick target. Writes bench/results/.
bench-peers:
	bench/run-peers.sh

bench-peers-quick:
	bench/run-peers.sh --quick

# Porthole's X11 mirror against x11vnc: the same script, those two servers, typing and video,
# 3 runs x 300 frames (about 4 minutes). Writes bench/results/x11/.
bench-x11:
	bench/run-peers.sh --x11
