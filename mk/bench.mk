# Benchmarks: the price of safety, measured against the raw libc calls (bench/).
#
#   make bench-preload the preload library and the malloc front end only (bench/preload.sh)
#   make guard-million  one million live guarded blocks, all written (see the rule at the end)
#   make bench       installs what it needs, builds the static library (the hardened flags of `make lib`)
#                    and the drivers, runs them (timing, then callgrind), prints one markdown table and writes
#                    bench/RESULTS.md with the machine it ran on
#
# Three drivers share bench/driver.c: the library's rows and raw libc, then mimalloc and jemalloc
# behind bench-only vtables; those two replace malloc for the whole process, so each has its own
# binary. Not a check stage: timings belong to `make bench`, never to the test suite.

BENCH_OUT    := $(BUILD)/bench
BENCH_CFLAGS := -std=c11 -O2 -g -Iinclude -Wall -Wextra -Wconversion -Wsign-conversion -Wshadow \
                -Wstrict-prototypes -Wmissing-prototypes -Werror \
                -fno-optimize-sibling-calls $(if $(IS_CLANG),,-fno-ipa-icf)
BENCH_DEPS   := bench/driver.c bench/bench.h $(HEADERS) mk/bench.mk
BENCH_BINS   := $(BENCH_OUT)/bench-memapi $(BENCH_OUT)/bench-mimalloc $(BENCH_OUT)/bench-jemalloc

.PHONY: bench bench-build

$(BENCH_OUT):
	mkdir -p $@

$(BENCH_OUT)/bench-memapi: bench/rows_memapi.c bench/extra.c $(BENCH_DEPS) $(STATIC) | $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) bench/driver.c bench/rows_memapi.c bench/extra.c $(STATIC) -o $@ -lpthread

$(BENCH_OUT)/bench-mimalloc: bench/rows_mimalloc.c bench/refalloc_rows.h $(BENCH_DEPS) $(STATIC) | $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) bench/driver.c bench/rows_mimalloc.c $(STATIC) -o $@ -lmimalloc -lpthread

$(BENCH_OUT)/bench-jemalloc: bench/rows_jemalloc.c bench/refalloc_rows.h $(BENCH_DEPS) $(STATIC) | $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) bench/driver.c bench/rows_jemalloc.c $(STATIC) -o $@ -ljemalloc -lpthread

bench-build: $(BENCH_BINS)

bench:
	bash ci/install-deps.sh
	$(MAKE) --no-print-directory BUILD=$(BUILD) $(STATIC)
	$(MAKE) --no-print-directory BUILD=$(BUILD) bench-build
	bash bench/run.sh $(BENCH_OUT)
	$(MAKE) --no-print-directory BUILD=$(BUILD) bench-preload

# The preload library and the malloc front end (bench/preload.sh): a real workload's time under
# MEMAPI_GUARD_SAMPLE=1000 against none (about 0.4 s a run), the fixed start-up cost per process
# (the driver's spawn mode), and callgrind instructions per malloc+free pair of the sampled-out
# path and of the front end. Writes the preload section of bench/RESULTS.md; part of
# `make bench`, and runnable alone.
.PHONY: bench-preload
$(BENCH_OUT)/preload-bench: bench/preload_bench.c $(HEADERS) $(STATIC) | $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) bench/preload_bench.c $(STATIC) -o $@ -lpthread

# The library's path written out: mk/preload.mk, which sets PRELOAD, is read after this file, and a
# prerequisite is expanded when the rule is read (an empty $(PRELOAD) here left a clean clone's
# bench running without the preload).
bench-preload: $(BENCH_OUT)/preload-bench $(BUILD)/lib/libmemapi2-preload.so
	bash bench/preload.sh $(abspath $(PRELOAD)) $(BENCH_OUT)/preload-bench $(BENCH_OUT)/preload bench/RESULTS.md

# One million live guarded blocks, every one written (about 4 GiB resident, tens of seconds): the
# full-size run of the guard's capacity; tests/test_guard.c keeps a scaled version in make check.
.PHONY: guard-million
$(BENCH_OUT)/guard-million: bench/guard_million.c $(HEADERS) $(STATIC) | $(BENCH_OUT)
	$(CC) $(BENCH_CFLAGS) bench/guard_million.c $(STATIC) -o $@ -lpthread

guard-million: $(BENCH_OUT)/guard-million
	$(BENCH_OUT)/guard-million
