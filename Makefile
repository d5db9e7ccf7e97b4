# runnel's front door (docs/cli.md). CMake does the building; this file only names the jobs.
#   make deps     install what is missing (Debian packages, npm reference clients)
#   make          build the release binary into build/release/runner/runnel
#   make test     build the dev preset (ASan + UBSan) and run every test with ctest
#   make demo     build, then run runnel on the bundled example workflows
#   make fuzz     build the libFuzzer targets (clang)
#   make format   reformat the C sources with clang-format 14

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
RUNNEL := build/release/runner/runnel

.PHONY: all build deps test demo fuzz format format-check clean

all: build

deps:
	@scripts/deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

test: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build/dev --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh $(RUNNEL)

fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)

format:
	@git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
