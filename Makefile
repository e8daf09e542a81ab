# The two commands a newcomer needs:
#   make run    install what is missing, build the release binary, start `personae serve`
#   make test   install what is missing, build with ASan+UBSan, run the whole suite
.DEFAULT_GOAL := help
SHELL := /bin/bash
FUZZ_SECONDS ?= 20
SERVE_ARGS ?=

.PHONY: help run test build release web asan fuzz fuzz-smoke format format-check lint bench bench-media clean

help:
	@echo "make run          build the release binary and start Personae on http://127.0.0.1:8080"
	@echo "make test         build with ASan+UBSan and run the whole test suite"
	@echo "make fuzz         build the libFuzzer targets with clang and run each for FUZZ_SECONDS"
	@echo "make format       clang-format every C++ file;  make lint: clang-format check + clang-tidy"
	@echo "make bench        load-test the release build with wrk (see bench/README.md)"
	@echo "make bench-media  image pipeline against ImageMagick (see bench/README.md)"

run: release web
	./build/release/personae serve $(SERVE_ARGS)

release:
	scripts/bootstrap run
	cmake --preset release >/dev/null
	cmake --build --preset release

# The dashboard (web/ -> web/dist, served at /): npm ci and vite build, each only when needed.
web:
	scripts/build-web

asan:
	scripts/bootstrap test
	cmake --preset asan >/dev/null
	cmake --build --preset asan

test: asan fuzz-smoke
	ctest --preset asan

fuzz:
	scripts/bootstrap test
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz --target fuzz_targets
	scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS)

# A short bounded run of every fuzz target, part of `make test`.
fuzz-smoke:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run -Werror

lint: format-check
	scripts/bootstrap dev
	cmake --preset debug >/dev/null
	git ls-files 'src/*.cpp' | xargs clang-tidy -p build/debug --quiet

bench: release
	scripts/bootstrap dev
	bench/run

# The media benchmark needs its release-built driver (a test-tree target, so its own build folder).
bench-media:
	scripts/bootstrap dev
	cmake -S . -B build/bench-media -G Ninja -DCMAKE_BUILD_TYPE=Release -DPERSONAE_BUILD_TESTS=ON >/dev/null
	cmake --build build/bench-media --target personae_media_bench
	MEDIA_BENCH=build/bench-media/src/adapters/media/personae_media_bench bench/media.sh

clean:
	rm -rf build
