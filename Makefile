# Perfi: `make run` and `make test` are all the set-up a user needs on a
# fresh Debian/Ubuntu machine; they install what is missing first.

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

.PHONY: all deps deps-headers deps-linux-source deps-z3 deps-ground-truth deps-neovim deps-clangd build release run test bench bench-scale bench-lsp accuracy calibrate fit-model fuzz clean \
	deps-realworld realworld \
	deps-node deps-vscode-test vscode-npm package test-vscode test-vscode-unit test-vscode-integration screenshots deps-unseen

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

# The unseen-code benchmark (accuracy/unseen/) measures third-party code in
# place: the Linux 6.1 source from Debian's linux-source-6.1, extracted once
# into ~/.cache/perfi/ (the accuracy harness reads it there, or from
# PERFI_LINUX_SRC), and DPDK's headers from dpdk-dev.
LINUX_SRC_CACHE := $(HOME)/.cache/perfi
deps-unseen:
	@test -d "$(LINUX_SRC_CACHE)/linux-source-6.1/lib" || { \
	  test -f /usr/src/linux-source-6.1.tar.xz || { echo "perfi: installing linux-source-6.1"; $(SUDO) apt-get update -qq && $(APT_INSTALL) linux-source-6.1; }; \
	  echo "perfi: extracting /usr/src/linux-source-6.1.tar.xz into $(LINUX_SRC_CACHE)"; \
	  mkdir -p "$(LINUX_SRC_CACHE)" && tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$(LINUX_SRC_CACHE)"; }
	@test -f /usr/include/dpdk/rte_jhash.h || { echo "perfi: installing dpdk-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) dpdk-dev; }

# System headers the front-end tests read in place (the preprocessor is
# compared with gcc -E on them; layouts of their network structs with gcc).
deps-headers:
	@[ -f /usr/include/linux/bpf.h ] || { echo "perfi: installing linux-libc-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) linux-libc-dev; }
	@[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "perfi: installing libbpf-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) libbpf-dev; }
	@[ -f /usr/include/dpdk/rte_ip.h ] || { echo "perfi: installing dpdk-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) dpdk-dev; }

# Neovim runs the editor end-to-end test of the language server.
deps-neovim:
	@command -v nvim >/dev/null || { echo "perfi: installing neovim"; $(SUDO) apt-get update -qq && $(APT_INSTALL) neovim; }

deps: deps-z3

build: deps
	$(CARGO) build --release

run: build
	./target/release/perfi analyze test-workspaces/

test: deps deps-ground-truth deps-neovim deps-headers test-vscode
	$(CARGO) test --workspace --release

# --- VS Code extension (vscode-extension/) --------------------------------
VSCODE_DIR := vscode-extension
VSCODE_VERSION = $(shell node -p "require('./$(VSCODE_DIR)/package.json').version")
VSIX = $(VSCODE_DIR)/perfi-$(VSCODE_VERSION).vsix
CODE_SERVER_DIR ?= $(HOME)/.cache/perfi/code-server

# Node 20 or later builds the extension and runs code-server 4.100.3.
deps-node:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "perfi: installing nodejs and npm"; $(SUDO) apt-get update -qq && $(APT_INSTALL) nodejs npm; }
	@node -e 'const m = +process.versions.node.split(".")[0]; if (m < 20) { console.error("perfi: the VS Code extension needs Node 20 or later, found " + process.version); process.exit(1); }'

# Scripts of dependencies are skipped: esbuild's binary comes as a package,
# and nothing else needs one.
vscode-npm: deps-node
	@if [ ! -d $(VSCODE_DIR)/node_modules ] || [ $(VSCODE_DIR)/package-lock.json -nt $(VSCODE_DIR)/node_modules/.package-lock.json ]; then \
	  echo "perfi: npm ci in $(VSCODE_DIR)"; \
	  cd $(VSCODE_DIR) && npm ci --ignore-scripts --no-audit --no-fund; \
	fi

# perfi-<version>.vsix, with the release binary (linux-x64) in bin/ and
# the libz3.so.4 it was linked against beside it, with the libstdc++.so.6
# that libz3 needs (GLIBCXX_3.4.30: older systems have an older one): the
# copies' RUNPATH is $ORIGIN (set with patchelf), so the extension runs
# where no Z3 is installed; what remains needed is glibc 2.34. Why not static: Debian ships no libz3.a, and building Z3
# from source (the z3 crate's `static-link-z3`) is a long C++ build on every
# fresh machine; the bundled library is the one the binary was tested with.
package: build vscode-npm
	@command -v patchelf >/dev/null || { echo "perfi: installing patchelf"; $(SUDO) apt-get update -qq && $(APT_INSTALL) patchelf; }
	mkdir -p $(VSCODE_DIR)/bin
	cp target/release/perfi $(VSCODE_DIR)/bin/perfi
	strip $(VSCODE_DIR)/bin/perfi 2>/dev/null || true
	for lib in libz3.so.4 libstdc++.so.6; do \
	  f=$$(ldd target/release/perfi | awk -v l=$$lib '$$1 == l { print $$3 }'); \
	  [ -f "$$f" ] || { echo "perfi: $$lib of target/release/perfi not found (ldd)"; exit 1; }; \
	  cp -L "$$f" $(VSCODE_DIR)/bin/$$lib && chmod 644 $(VSCODE_DIR)/bin/$$lib || exit 1; \
	done
	patchelf --set-rpath '$$ORIGIN' $(VSCODE_DIR)/bin/perfi
	patchelf --set-rpath '$$ORIGIN' $(VSCODE_DIR)/bin/libz3.so.4
	@readelf -d $(VSCODE_DIR)/bin/perfi | grep -q 'R.*PATH.*\[\$$ORIGIN\]' || { echo "perfi: setting the rpath of bin/perfi failed"; exit 1; }
	cd $(VSCODE_DIR) && npm run --silent package
	@echo "perfi: built $(VSIX)"

# Debian's chromium (driven by playwright-core), and code-server installed
# from npm into $(CODE_SERVER_DIR) by scripts/install-code-server.sh.
deps-vscode-test: deps-node
	@command -v chromium >/dev/null || { echo "perfi: installing chromium"; $(SUDO) apt-get update -qq && $(APT_INSTALL) chromium; }
	@command -v rg >/dev/null || { echo "perfi: installing ripgrep"; $(SUDO) apt-get update -qq && $(APT_INSTALL) ripgrep; }
	@[ -f /usr/include/krb5.h ] || { echo "perfi: installing libkrb5-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) libkrb5-dev; }
	./scripts/install-code-server.sh $(CODE_SERVER_DIR) >/dev/null

test-vscode-unit: vscode-npm
	cd $(VSCODE_DIR) && npx tsc -p . --noEmit && npx mocha

# Screenshots land in vscode-extension/test-output/ (gitignored). The
# packaged server runs with the system's libz3.so.4 hidden (an empty file
# bind-mounted over it in a private mount namespace: needs root or user
# namespaces); copy the screenshots into docs/screenshots with
# `make screenshots` after a passing run.
test-vscode-integration: package deps-vscode-test
	cd $(VSCODE_DIR) && node esbuild.mjs --tests && node test/integration/run.mjs --perfi ../target/release/perfi --code-server $(CODE_SERVER_DIR)/out/node/entry.js --vsix perfi-$(VSCODE_VERSION).vsix --no-system-libz3

test-vscode: test-vscode-unit test-vscode-integration

screenshots:
	for f in lens hover warning plot interface; do cp $(VSCODE_DIR)/test-output/$$f.png docs/screenshots/$$f.png; done
	mkdir -p $(VSCODE_DIR)/media/screenshots && cp docs/screenshots/*.png $(VSCODE_DIR)/media/screenshots/

# Typing session against `perfi lsp` and, for comparison, Debian's clangd
# (installed when missing): keystroke → diagnostics and hover latencies,
# peak RSS.
deps-clangd:
	@command -v clangd >/dev/null || { echo "perfi: installing clangd (for the comparison)"; $(SUDO) apt-get update -qq && $(APT_INSTALL) clangd; }

bench-lsp: build deps-clangd deps-linux-source
	$(CARGO) run --release -p perfi --example bench_lsp

# Real code written by others (realworld/manifest.toml): BPF programs and
# lib/ of Debian's kernel source, DPDK's inline headers, analyzed where
# they are installed (never copied here), with the compile flags a user
# would have. Prints functions by status, unsupported reasons, time and
# peak RSS per group; writes realworld/results.md. REALWORLD_ARGS passes
# options to the harness (--jobs N, --group NAME, --limit N, --timeout S).
REALWORLD_ARGS ?=

# deps-linux-source (below) installs and extracts the kernel source and
# installs libbpf-dev and linux-libc-dev; DPDK's headers come from dpdk-dev.
deps-realworld: deps-linux-source
	@[ -f /usr/include/dpdk/rte_jhash.h ] || { echo "perfi: installing dpdk-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) dpdk-dev; }
	@command -v gcc >/dev/null || { echo "perfi: installing gcc"; $(SUDO) apt-get update -qq && $(APT_INSTALL) gcc libc6-dev; }

realworld: deps deps-realworld
	$(CARGO) build --release -p perfi --bin perfi --example realworld
	./target/release/examples/realworld $(REALWORLD_ARGS)

# Speed of the whole analysis (a benchmark, not a test).
bench: build
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(APT_INSTALL) time; }
	./scripts/bench.sh

# Scale (a benchmark, not a test): generated files and linux-source-6.1
# (extracted into the user's cache folder; the package is installed when
# its tarball is missing). Prints table rows for docs/scale.md.
PERFI_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/perfi
LINUX_TARBALL := /usr/src/linux-source-6.1.tar.xz
deps-linux-source:
	@[ -f $(LINUX_TARBALL) ] || [ -d $(PERFI_CACHE)/linux-source-6.1 ] || { echo "perfi: installing linux-source-6.1"; $(SUDO) apt-get update -qq && $(APT_INSTALL) linux-source-6.1; }
	@[ -d $(PERFI_CACHE)/linux-source-6.1 ] || { echo "perfi: extracting $(LINUX_TARBALL) into $(PERFI_CACHE)"; \
	  mkdir -p $(PERFI_CACHE).tmp-linux && tar -xJf $(LINUX_TARBALL) -C $(PERFI_CACHE).tmp-linux && \
	  mv $(PERFI_CACHE).tmp-linux/linux-source-6.1 $(PERFI_CACHE)/linux-source-6.1 && rmdir $(PERFI_CACHE).tmp-linux; }
	@[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "perfi: installing libbpf-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) libbpf-dev; }
	@[ -f /usr/include/linux/bpf.h ] || { echo "perfi: installing linux-libc-dev"; $(SUDO) apt-get update -qq && $(APT_INSTALL) linux-libc-dev; }

bench-scale: build deps-linux-source
	@command -v /usr/bin/time >/dev/null || { $(SUDO) apt-get update -qq && $(APT_INSTALL) time; }
	$(CARGO) build --release -p perfi --example bench_scale_lsp
	./scripts/bench-scale.sh

# Ground truth: predictions against valgrind counts of the gcc -O2 drivers
# in accuracy/drivers/ (writes accuracy/results.md); calibrate refits the
# cost table (analysis-engine/src/cost_table.rs) on the fit half.
accuracy: deps deps-ground-truth deps-unseen
	$(CARGO) run --release -p perfi-engine --example accuracy

calibrate: deps deps-ground-truth
	$(CARGO) run --release -p perfi-engine --example accuracy -- --calibrate

# The cost table from static machine code: every function gcc compiles in
# Linux lib/ (the realworld set), tree-sitter's C runtime, zlib's and
# nettle's examples and the test workspaces (in place, never copied),
# with the test workspaces' dynamic fit half; prints the
# leave-one-project-out errors and writes analysis-engine/src/cost_table.rs.
fit-model: deps deps-ground-truth deps-realworld
	$(CARGO) run --release -p perfi-engine --example accuracy -- --fit-static

# Fuzzing (not part of `make test`): each target runs FUZZ_SECONDS, one
# job, one after the other. cargo-fuzz needs nightly flags; the stable
# toolchain accepts them with RUSTC_BOOTSTRAP=1. Crashes land in
# fuzz/artifacts/TARGET/; the c_file corpus starts from test-workspaces/.
FUZZ_SECONDS ?= 600
fuzz: deps
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz
	mkdir -p fuzz/corpus/c_file fuzz/corpus/lsp_session
	for f in test-workspaces/*/*.c test-workspaces/*/*.h; do cp "$$f" "fuzz/corpus/c_file/$$(echo "$$f" | tr / _)"; done
	cp fuzz/seeds/c_file/* fuzz/corpus/c_file/
	cd fuzz && for t in c_file lsp_session; do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=120 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 || exit 1; \
	done

clean:
	$(CARGO) clean
