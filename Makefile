# mbshake — GNU Make build.  `make run` builds and benchmarks, `make test` builds and tests.
# Only kernel objects get ISA flags: engine/*_avx2.c, engine/*_avx512ifma.c, engine/*_mulx.c.
# Keep these flag sets in sync with the `needs` field of each dispatch-table entry (engine/cd.h).

CC       ?= gcc
CXX      ?= g++
BUILD    ?= build
SAN      ?=
OPT      ?= -O2

WARN     := -Wall -Wextra -Werror -Wshadow -Wvla -Wwrite-strings -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS   := -std=c11 $(OPT) -gdwarf-4 $(WARN) -D_GNU_SOURCE -fno-strict-aliasing -fvisibility=hidden -Iengine -pthread
CXXFLAGS := -std=c++17 $(OPT) -g -Wall -Wextra -Werror -Iengine -pthread
LDLIBS   := -lIPSec_MB -lssl -lcrypto -lhwloc -ljansson -lm -pthread
# OpenMP for the worker team (engine/workers.c): libgomp with gcc, libomp (libomp-dev) with clang.
OMP      := -fopenmp
CFLAGS   += $(OMP)
CXXFLAGS += $(OMP)
LDFLAGS  += $(OMP)

ifeq ($(SAN),fuzz)
CFLAGS   += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -DMBSHAKE_FUZZ
endif
ifeq ($(SAN),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CXXFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
endif

ISA_mulx       := -mbmi2 -madx
ISA_avx2       := -mavx2 -mbmi2 -madx
ISA_avx512ifma := -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx512ifma -mbmi2 -madx

ENG_SRC   := $(wildcard engine/*.c)
ENG_OBJ   := $(patsubst engine/%.c,$(BUILD)/engine/%.o,$(ENG_SRC))
ASM_SRC   := $(wildcard asm/*.S)
ASM_OBJ   := $(patsubst asm/%.S,$(BUILD)/asm/%.o,$(ASM_SRC))
LIB       := $(BUILD)/libmbshake.a
CLI_SRC   := $(wildcard bench/*.c)
CLI_OBJ   := $(patsubst bench/%.c,$(BUILD)/bench/%.o,$(CLI_SRC))
TEST_SRC  := $(wildcard tests/unit/test_*.c)
TEST_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TH_OBJ    := $(BUILD)/tests/th.o
CT_SRC    := $(wildcard tests/ct/ct_*.c)
CT_BIN    := $(patsubst tests/ct/%.c,$(BUILD)/tests/%,$(CT_SRC))

DEPS_PKGS := gcc g++ clang make libipsec-mb-dev libhwloc-dev libssl-dev openssl libbenchmark-dev \
             gnutls-bin libjansson-dev gnuplot-nox valgrind libclang-rt-14-dev libomp-dev \
             iproute2 util-linux bsdutils coreutils python3 nginx-light

.PHONY: all deps run test check asan ubsan fuzz fuzz-build clean format format-check help micro
.DEFAULT_GOAL := all

NPROC     := $(shell nproc 2>/dev/null || echo 2)

help:
	@echo "targets: all deps run test asan fuzz micro clean format format-check"

all: $(BUILD)/mbshake $(BUILD)/tcpfloor $(TEST_BIN) $(CT_BIN)

# tools/tcpfloor.c: the loopback TCP floor under a handshake's CPU (no TLS); standalone
$(BUILD)/tcpfloor: tools/tcpfloor.c | $(BUILD)/engine
	$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)

# Install every Debian package the build and tests use (idempotent; needs root or sudo).
deps:
	@missing=""; for p in $(DEPS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing \
	    || { echo "deps: apt-get failed; install these Debian packages:$$missing" >&2; exit 1; }; \
	fi

$(BUILD)/engine/%_avx2.o: engine/%_avx2.c | $(BUILD)/engine
	$(CC) $(CFLAGS) $(ISA_avx2) -MMD -c $< -o $@
$(BUILD)/engine/%_avx512ifma.o: engine/%_avx512ifma.c | $(BUILD)/engine
	$(CC) $(CFLAGS) $(ISA_avx512ifma) -MMD -c $< -o $@
$(BUILD)/engine/%_mulx.o: engine/%_mulx.c | $(BUILD)/engine
	$(CC) $(CFLAGS) $(ISA_mulx) -MMD -c $< -o $@
$(BUILD)/engine/%.o: engine/%.c | $(BUILD)/engine
	$(CC) $(CFLAGS) -MMD -c $< -o $@
$(BUILD)/asm/%.o: asm/%.S | $(BUILD)/asm
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/bench/%.o: bench/%.c | $(BUILD)/bench
	$(CC) $(CFLAGS) -Ibench -MMD -c $< -o $@
$(BUILD)/tests/%.o: tests/unit/%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -MMD -c $< -o $@
$(BUILD)/tests/ct_%.o: tests/ct/ct_%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -MMD -c $< -o $@
$(TH_OBJ): tests/th.c tests/th.h | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -MMD -c $< -o $@

$(LIB): $(ENG_OBJ) $(ASM_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/mbshake: $(CLI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $(TH_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@
$(BUILD)/tests/ct_%: $(BUILD)/tests/ct_%.o $(TH_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/engine $(BUILD)/asm $(BUILD)/bench $(BUILD)/tests:
	mkdir -p $@

# libFuzzer targets (clang): tests/fuzz/fuzz_*.c linked against an instrumented engine build.
# The targets and the seed generator replace cd_random with a deterministic generator
# (--wrap, tests/fuzz/fuzz_common.h), so every run of an input takes the same path.
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC)) build/fuzz/mkseeds
FUZZ_HDR  := tests/fuzz/fuzz_common.h tests/fuzz/fuzz_scen.h $(wildcard engine/*.h)
FUZZ_CC   := clang -std=c11 -O1 -g -D_GNU_SOURCE -Iengine -Itests/fuzz -Wall -Wextra -Werror \
             -Wno-unused-parameter -Wno-unused-function -Wl,--wrap=cd_random
FUZZ_TIME ?= 300
fuzz-build:
	@$(MAKE) --no-print-directory CC=clang BUILD=build/fuzz SAN=fuzz build/fuzz/libmbshake.a $(FUZZ_BIN)
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDR) build/fuzz/libmbshake.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $< build/fuzz/libmbshake.a $(LDLIBS) -o $@
# The seed generator, instrumented like the targets: smoke.sh runs it first so that every run
# starts from seeds that match the current $$MBSHAKE_CERTS (signatures, chains).
build/fuzz/mkseeds: tests/fuzz/mkseeds.c $(FUZZ_HDR) build/fuzz/libmbshake.a
	$(FUZZ_CC) -fsanitize=fuzzer-no-link,address,undefined $< build/fuzz/libmbshake.a $(LDLIBS) -o $@
# The P-256 inline assembly needs every free register; sanitizer and coverage instrumentation
# take one, so those files are built uninstrumented here (their memory safety is the unit
# tests' business; they have no data-dependent branches to guide a fuzzer anyway).
build/fuzz/engine/p256_%.o: CFLAGS := $(filter-out -fsanitize=% -fno-omit-frame-pointer,$(CFLAGS))
# The seed generator against the normal build, and the checked-in corpora it writes
# (tests/fuzz/corpus/<target>/): `make fuzz-seeds` after a change of the handshake's wire format.
$(BUILD)/tests/mkseeds: tests/fuzz/mkseeds.c $(FUZZ_HDR) $(LIB) | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests/fuzz -Wno-unused-function $(LDFLAGS) $< $(LIB) $(LDLIBS) -Wl,--wrap=cd_random -o $@
.PHONY: fuzz-seeds
fuzz-seeds: $(BUILD)/tests/mkseeds
	tests/gen-certs.sh $(BUILD)/certs
	rm -rf tests/fuzz/corpus
	MBSHAKE_CERTS=$(BUILD)/certs $(BUILD)/tests/mkseeds tests/fuzz/corpus
# Longer fuzzing run: FUZZ_TIME seconds per target (default 300), with the test PKI of
# $(BUILD)/certs unless MBSHAKE_CERTS names one; FUZZ_KEEP=DIR keeps the grown corpora.
fuzz: deps fuzz-build
	@[ -n "$$MBSHAKE_CERTS" ] || tests/gen-certs.sh $(BUILD)/certs
	MBSHAKE_CERTS=$${MBSHAKE_CERTS:-$(CURDIR)/$(BUILD)/certs} FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/smoke.sh

# The test suite: unit/KAT/xval binaries, constant-time checks, interop scripts, fuzz smoke runs.
test: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@$(MAKE) --no-print-directory -j$(NPROC) fuzz-build
	@BUILD=$(BUILD) tests/run.sh
check: test

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=build/asan SAN=1 all
	@BUILD=build/asan MBSHAKE_SAN=1 ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run.sh
ubsan: asan

# About two minutes: 3 suites x 2 engines x 5 alternating slices of 3.5 s (+0.5 s warm-up) on all
# cores. BENCH_ARGS adds or overrides options (e.g. BENCH_ARGS='--duration 1 --repeat 3').
BENCH_ARGS ?=
run: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	$(BUILD)/mbshake bench --engine both --threads all --group x25519 \
	  --suite ECDHE-ECDSA-AES128-GCM-SHA256 --suite ECDHE-RSA-AES128-GCM-SHA256 \
	  --suite AES128-GCM-SHA256 --duration 3.5 --warmup 0.5 --repeat 5 $(BENCH_ARGS)

# The tool's git commit in results files (bench/cmd_bench.c); the stamp rebuilds it on change.
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY  := $(shell git diff --quiet HEAD -- 2>/dev/null && echo 0 || echo 1)
GIT_STAMP  := $(BUILD)/bench/git-$(GIT_COMMIT)-$(GIT_DIRTY).stamp
$(GIT_STAMP): | $(BUILD)/bench
	rm -f $(BUILD)/bench/git-*.stamp && touch $@
$(BUILD)/bench/cmd_bench.o: $(GIT_STAMP)
$(BUILD)/bench/cmd_bench.o: CFLAGS += -DMBSHAKE_GIT_COMMIT='"$(GIT_COMMIT)"' -DMBSHAKE_GIT_DIRTY=$(GIT_DIRTY)
$(BUILD)/bench/cmd_load.o: $(GIT_STAMP)
$(BUILD)/bench/cmd_load.o: CFLAGS += -DMBSHAKE_GIT_COMMIT='"$(GIT_COMMIT)"' -DMBSHAKE_GIT_DIRTY=$(GIT_DIRTY)

clean:
	rm -rf build

format:
	clang-format -i engine/*.[ch] bench/*.[ch] tests/*.[ch] tests/unit/*.c
format-check:
	clang-format --dry-run -Werror engine/*.[ch] bench/*.[ch] tests/*.[ch] tests/unit/*.c

-include $(wildcard $(BUILD)/*/*.d)

# ---- Google Benchmark micro suite: C++17 driver (bench/micro/*.cc) + C wrapper (bench/micro/*.c)
# Rows "primitive/impl/lanes"; `make micro MICRO_ARGS='--benchmark_filter=x25519 --benchmark_format=json'`.
MICRO_CXX_SRC := $(wildcard bench/micro/*.cc)
MICRO_C_SRC   := $(wildcard bench/micro/*.c)
MICRO_OBJ     := $(patsubst bench/micro/%.cc,$(BUILD)/bench/micro/%.cc.o,$(MICRO_CXX_SRC)) \
                 $(patsubst bench/micro/%.c,$(BUILD)/bench/micro/%.c.o,$(MICRO_C_SRC))
MICRO_ARGS    ?=

$(BUILD)/bench/micro:
	mkdir -p $@
$(BUILD)/bench/micro/%.cc.o: bench/micro/%.cc | $(BUILD)/bench/micro
	$(CXX) $(CXXFLAGS) -Ibench/micro -MMD -c $< -o $@
$(BUILD)/bench/micro/%.c.o: bench/micro/%.c | $(BUILD)/bench/micro
	$(CC) $(CFLAGS) -Ibench/micro -MMD -c $< -o $@
$(BUILD)/mbshake-micro: $(MICRO_OBJ) $(LIB)
	$(CXX) $(CXXFLAGS) $(LDFLAGS) $(MICRO_OBJ) $(LIB) -lbenchmark $(LDLIBS) -lpthread -o $@

micro: $(BUILD)/mbshake-micro
	$(BUILD)/mbshake-micro $(MICRO_ARGS)

-include $(wildcard $(BUILD)/bench/micro/*.d)
