# faircrowd — a thin wrapper over meson/ninja.
#   make          build build/faircrowd (installs missing build dependencies)
#   make run      build and start the platform with a demo project on 127.0.0.1:8080
#   make test     install test dependencies, build with ASan+UBSan, run every test
#   make bench    run the benchmarks in bench/ (figures go to bench/README.md by hand)
#   make fuzz     build the libFuzzer targets with clang and run each (SECONDS=60)
#   make crash    kill -9 the server under load CYCLES times (100) and check the data each time
#   make mutate   plant each mutant of scripts/mutants.txt, run its suites, report survivors
#   make install  install into PREFIX (/usr/local), staged under DESTDIR if set (docs/deploy.md)
#   make format   reformat src/ and tests/ with .clang-format; make format-check only checks

LISTEN  ?= 127.0.0.1:8080
DATA    ?= ./data
PREFIX  ?= /usr/local
DESTDIR ?=

.PHONY: all deps test-deps run test unit api e2e bench fuzz crash mutate clean format format-check install

all: build/build.ninja
	ninja -C build

deps:
	@scripts/install-deps

build/build.ninja: | deps
	meson setup build --buildtype=release -Dwerror=false -Dtests=disabled >/dev/null

build-test/build.ninja: | test-deps
	meson setup build-test --buildtype=debug -Db_sanitize=address,undefined \
		-Db_lundef=false -Dtests=enabled >/dev/null

test-deps:
	@scripts/install-deps --test

run: all
	scripts/run-demo "$(LISTEN)" "$(DATA)" $(RUNFLAGS)

test: build-test/build.ninja
	scripts/check-format
	ninja -C build-test
	scripts/run-tests

bench: all
	bench/run

fuzz: build-test/build.ninja
	tests/fuzz/run $(or $(SECONDS),60)

mutate: | test-deps
	scripts/mutate

crash: build-test/build.ninja
	ninja -C build-test
	FC_CRASH_CYCLES=$(or $(CYCLES),100) meson test -C build-test --no-rebuild --print-errorlogs --verbose crash

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h')

format-check:
	scripts/check-format

# meson install, with the prefix set on build/ first (a changed prefix rebuilds: it is
# compiled in as the media module's fallback directory).
install: all
	meson configure build -Dprefix=$(abspath $(PREFIX)) >/dev/null
	ninja -C build
	meson install -C build --no-rebuild --quiet $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

clean:
	rm -rf build build-test build-fuzz build-mutate
