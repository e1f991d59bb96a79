# The two commands of the README (run, test), and the build and loop behind them. Each installs
# whatever is missing first.
.PHONY: run test release dev bench-bundle reset

# The optimized release build (`make release`), served at http://127.0.0.1:3000 with demo data.
run:
	scripts/run.sh

test:
	scripts/test.sh

# Builds the optimized site and server into target/release (wasm-opt, hashed, precompressed).
release:
	scripts/release.sh

# The developer loop: debug build, rebuilt and restarted on every change, page reloaded.
dev:
	scripts/run.sh --dev

# Bundle sizes, bytes to a hydrated My Access page and time to hydrate (a benchmark, not a test).
bench-bundle:
	scripts/bench-bundle.sh

# Deletes the local database; the next `make run` starts afresh with the demo data.
reset:
	rm -f latch.db latch.db-wal latch.db-shm
