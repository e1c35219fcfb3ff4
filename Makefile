# Entry points of the README's quick start. Everything real lives in CMake;
# this file only installs what is missing, configures and runs.
#
#   make run    build, then trace the bundled sample and show what happened
#   make test   build the normal and the sanitizer (ASan+UBSan) trees and run ctest in
#               both, then strace 6.1's own tests through `sctrace strace`
#   make strace-suite  only the last: strace 6.1's tests, with strace and with sctrace
#   make install  cmake --install into PREFIX (/usr/local), under DESTDIR when set
#   make deb    a Debian package, build/packages/sctrace_VERSION_amd64.deb (CPack)
#   make bench  tracer overhead against strace and a bare ptrace loop, analyze throughput, real servers,
#               the flight recorder's memory

JOBS     ?= $(shell nproc)
PREFIX   ?= /usr/local
BUILD    ?= build
ASAN     ?= build-asan
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: all deps build build-asan run test test-release test-asan strace-suite install deb bench format clean

all: build

deps:
	@bash scripts/install-deps

# Configuring every time is cheap once configured, and heals a tree whose
# last configure failed half-way.
build: deps
	cmake -S . -B $(BUILD) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSCTRACE_SANITIZE=ON > /dev/null
	cmake --build $(ASAN) -j $(JOBS)

run: build
	@echo "== 1. the correct nonblocking connect dance (EINPROGRESS, pselect6, SO_ERROR): events, no finding"
	$(BUILD)/cli/sctrace -e trace=%net,pselect6 -- $(BUILD)/samples/nonblocking-connect-ok
	@echo
	@echo "== 2. the same socket written before its connect finished: sctrace names it"
	$(BUILD)/cli/sctrace -e trace=connect,write -- $(BUILD)/samples/connect-result-unchecked
	@echo
	@echo "== 3. the same rules over a saved strace log"
	$(BUILD)/cli/sctrace analyze samples/logs/double-close.ttT-y.log || true
	@echo
	@echo "== 4. a real lock-order deadlock: every thread named, with its stack (ends itself after 4 s)"
	$(BUILD)/cli/sctrace --hang-after 1s -- $(BUILD)/samples/futex-deadlock-suspected || true
	@echo
	@echo "== 5. a flaky test (fails about one run in three): run until it fails, then what differed"
	$(BUILD)/cli/sctrace --repeat 30 --until-fail -- $(BUILD)/samples/flaky-connect-race || true

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

# strace's source comes from Debian's source package and is built outside the
# repo (scripts/strace-suite). Exit 77 means it could not be had: the script
# says so loudly and the rest of the test run stands.
strace-suite: build
	bash scripts/strace-suite $(BUILD)/cli/sctrace || [ $$? -eq 77 ]

test: test-release test-asan strace-suite

# DESTDIR, as autotools' and CMake's own: stage under it (a packager's root).
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

# What `cmake --install` puts under /usr, as a .deb whose Depends
# dpkg-shlibdeps computed (CMakeLists.txt, "make deb").
deb: build
	cd $(BUILD) && cpack -G DEB

bench: build
	bash bench/run.sh $(BUILD)
	bash bench/analyze.sh $(BUILD)
	bash bench/servers.sh $(BUILD)
	bash bench/flight_recorder.sh $(BUILD)

format:
	find base model decoders sources engine report cli tests bench samples -name '*.cpp' -o -name '*.h' -o -name '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN)
