# Perfi: `make run` and `make test` are all the set-up a user needs on a
# fresh Debian/Ubuntu machine; they install what is missing first.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: all deps deps-z3 deps-ground-truth deps-neovim build release run test bench bench-lsp accuracy calibrate fuzz clean

all: build

# libz3-dev provides z3.h and libz3.so, which the z3 crate links against.
deps-z3:
	@if [ ! -f /usr/include/z3.h ]; then \
	  echo "perfi: installing libz3-dev (z3.h not found)"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) libz3-dev; \
	fi
	@command -v cc >/dev/null || { echo "perfi: installing gcc"; $(SUDO) apt-get update -qq && $(APT_INSTALL) gcc libc6-dev; }

# gcc and valgrind measure ground truth (make accuracy, tests).
deps-ground-truth:
	@command -v valgrind >/dev/null || { echo "perfi: installing valgrind"; $(SUDO) apt-get update -qq && $(APT_INSTALL) valgrind; }

# Neovim runs the editor end-to-end test of the language server.
deps-neovim:
	@command -v nvim >/dev/null || { echo "perfi: installing neovim"; $(SUDO) apt-get update -qq && $(APT_INSTALL) neovim; }

deps: deps-z3

build: deps
	$(CARGO) build --release

run: build
	./target/release/perfi analyze test-workspaces/

test: deps deps-ground-truth deps-neovim
	$(CARGO) test --workspace --release

# Typing session against `perfi lsp` (and clangd when installed):
# keystroke → diagnostics and hover latencies, peak RSS.
bench-lsp: build
	$(CARGO) run --release -p perfi --example bench_lsp

# Speed of the whole analysis (a benchmark, not a test).
bench: build
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(APT_INSTALL) time; }
	./scripts/bench.sh

# Ground truth: predictions against valgrind counts of the gcc -O2 drivers
# in accuracy/drivers/ (writes accuracy/results.md); calibrate refits the
# cost table (analysis-engine/src/cost_table.rs) on the fit half.
accuracy: deps deps-ground-truth
	$(CARGO) run --release -p perfi-engine --example accuracy

calibrate: deps deps-ground-truth
	$(CARGO) run --release -p perfi-engine --example accuracy -- --calibrate

# Fuzzing (not part of `make test`): each target runs FUZZ_SECONDS, one
# job, one after the other. cargo-fuzz needs nightly flags; the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1. Crashes land in
# fuzz/artifacts/TARGET/; the c_file corpus starts from test-workspaces/.
FUZZ_SECONDS ?= 600
fuzz: deps
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	mkdir -p fuzz/corpus/c_file fuzz/corpus/lsp_session
	for f in test-workspaces/*/*.c test-workspaces/*/*.h; do cp "$$f" "fuzz/corpus/c_file/$$(echo "$$f" | tr / _)"; done
	cd fuzz && for t in c_file lsp_session; do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=120 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 || exit 1; \
	done

clean:
	$(CARGO) clean
