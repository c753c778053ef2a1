# Fuzzing (DESIGN.md section 6). A harness is fuzz/fuzz_NAME.c (one LLVMFuzzerTestOneInput) with its
# seed corpus in fuzz/corpus/NAME/ and optional fuzz/NAME.dict and fuzz/NAME.options; adding those
# files is all it takes for every target below to pick it up. Each harness is built three ways, with
# the library sources compiled in:
#   libFuzzer  clang, ASan + UBSan (+ unsigned-integer-overflow)     $(FUZZ_DIR)/libfuzzer/fuzz_NAME
#   AFL++      afl-clang-fast with AFL_USE_ASAN/AFL_USE_UBSAN         $(FUZZ_DIR)/afl/fuzz_NAME
#   replay     gcc, ASan + UBSan, fuzz/replay_main.c as main()        $(FUZZ_DIR)/replay/fuzz_NAME
#
#   make fuzz-replay      (check stage) every committed corpus through the replay build
#   make fuzz-short       (check stage) FUZZ_SHORT_SECONDS (10) of libFuzzer per harness
#   make fuzz             every harness under both engines for FUZZ_SECONDS (60) each, one at a time;
#                         AFL++'s queue is then replayed with leak detection (the replay build)
#   make fuzz-coverage    per-file line and branch coverage of src/ by the committed corpora (a table)
#   make fuzz-coverage-gate  (check stage) the same, measured twice, failing under FUZZ_MIN_LINES (97) /
#                         FUZZ_MIN_BRANCHES (92) % (totals of src/) or when the two tables differ
#   make fuzz-merge       merge-minimise fuzz/corpus/NAME with the inputs a run found (rewrites the corpus)
# Runs write only under $(FUZZ_DIR)/runs; the committed corpora are read, never modified
# (except by fuzz-merge, on request).

FUZZ_NAMES         := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_DIR           := $(BUILD)/fuzz
FUZZ_SECONDS       ?= 60
FUZZ_SHORT_SECONDS ?= 10
FUZZ_CLANG         ?= clang
FUZZ_GCC           ?= gcc
FUZZ_AFL_CC        ?= afl-clang-fast
LLVM_PROFDATA      ?= llvm-profdata
LLVM_COV           ?= llvm-cov
# fuzz/os_faults.c: the OS seam's table and its failing stand-ins (src/internal/os.h), which
# -DMEMAPI_FUZZ_OS_FAULTS routes default.c, guard.c and os_error.c through; only fuzz builds set it.
FUZZ_LIB_SRCS      ?= $(LIB_SRCS) fuzz/os_faults.c

FUZZ_DEPS     := $(FUZZ_LIB_SRCS) $(wildcard fuzz/*.h) $(HEADERS) $(wildcard src/internal/*.h) mk/fuzz.mk
FUZZ_CPPFLAGS := -Iinclude -Isrc -Ifuzz $(OPT_DEFS) -DMEMAPI_FUZZ_OS_FAULTS
# The library wraps no unsigned value except where fuzz/ubsan-ignore.txt says why.
FUZZ_UBSAN_LF := -fsanitize=undefined,unsigned-integer-overflow -fsanitize-ignorelist=fuzz/ubsan-ignore.txt
FUZZ_LF_FLAGS := -g -O1 -fsanitize=fuzzer,address $(FUZZ_UBSAN_LF) -fno-sanitize-recover=all
FUZZ_AFL_FLAGS := -g -O1 -fsanitize=fuzzer -fno-sanitize-recover=all
FUZZ_REPLAY_FLAGS := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Continuous mode (-runtime-counter-relocation with %c in LLVM_PROFILE_FILE): the counters live in a
# shared mapping of the profile file, so a forked child that dies by a signal (the guard's fault
# report, the default fatal hook's abort) still counts what it ran. Atomic counter updates: the
# threads harness's racing increments would otherwise leave counters wrong on some runs.
FUZZ_COV_FLAGS := -g -O0 -fprofile-instr-generate -fcoverage-mapping -fprofile-update=atomic -mllvm -runtime-counter-relocation

FUZZ_LF_BINS     := $(FUZZ_NAMES:%=$(FUZZ_DIR)/libfuzzer/fuzz_%)
FUZZ_AFL_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/afl/fuzz_%)
FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/replay/fuzz_%)
FUZZ_COV_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/cov/fuzz_%)

.PHONY: fuzz fuzz-replay fuzz-short fuzz-coverage fuzz-coverage-gate fuzz-merge fuzz-build fuzz-lib-srcs
CHECK_STAGES += fuzz-replay fuzz-short fuzz-coverage-gate

$(FUZZ_DIR)/libfuzzer $(FUZZ_DIR)/afl $(FUZZ_DIR)/replay $(FUZZ_DIR)/cov:
	mkdir -p $@

$(FUZZ_DIR)/libfuzzer/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/libfuzzer
	$(FUZZ_CLANG) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_LF_FLAGS) $< $(FUZZ_LIB_SRCS) -o $@

$(FUZZ_DIR)/afl/fuzz_%: fuzz/fuzz_%.c $(FUZZ_DEPS) | $(FUZZ_DIR)/afl
	AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 \
	  $(FUZZ_AFL_CC) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_AFL_FLAGS) $< $(FUZZ_LIB_SRCS) -o $@

$(FUZZ_DIR)/replay/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/replay
	$(FUZZ_GCC) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_REPLAY_FLAGS) fuzz/replay_main.c $< $(FUZZ_LIB_SRCS) -o $@

$(FUZZ_DIR)/cov/fuzz_%: fuzz/fuzz_%.c fuzz/replay_main.c $(FUZZ_DEPS) | $(FUZZ_DIR)/cov
	$(FUZZ_CLANG) $(FUZZ_CPPFLAGS) $(WARN) $(FUZZ_COV_FLAGS) fuzz/replay_main.c $< $(FUZZ_LIB_SRCS) -o $@

fuzz-build: $(FUZZ_LF_BINS) $(FUZZ_AFL_BINS) $(FUZZ_REPLAY_BINS)

fuzz-replay: $(FUZZ_REPLAY_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	  test -d fuzz/corpus/$$n || { echo "fuzz-replay: fuzz_$$n has no corpus fuzz/corpus/$$n" >&2; exit 1; }; \
	  $(FUZZ_DIR)/replay/fuzz_$$n fuzz/corpus/$$n; done

fuzz-short: $(FUZZ_LF_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	  bash fuzz/run.sh libfuzzer $$n $(FUZZ_DIR)/libfuzzer/fuzz_$$n $(FUZZ_SHORT_SECONDS) $(FUZZ_DIR)/runs/short-$$n; \
	done

fuzz: $(FUZZ_LF_BINS) $(FUZZ_AFL_BINS) $(FUZZ_REPLAY_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	  bash fuzz/run.sh libfuzzer $$n $(FUZZ_DIR)/libfuzzer/fuzz_$$n $(FUZZ_SECONDS) $(FUZZ_DIR)/runs/lf-$$n; \
	  bash fuzz/run.sh afl $$n $(FUZZ_DIR)/afl/fuzz_$$n $(FUZZ_SECONDS) $(FUZZ_DIR)/runs/afl-$$n \
	    $(FUZZ_DIR)/replay/fuzz_$$n; \
	done

# Library lines and branches reached by the committed corpora (the replay main, built for clang's
# source-based coverage, runs each corpus once): a table of src/ files (fuzz/coverage.py).
# fuzz-coverage-gate (a check stage) also fails when the totals are under FUZZ_MIN_LINES /
# FUZZ_MIN_BRANCHES (percent), or when a second measurement differs from the first (fuzz/README.md
# lists the lines no test can run, with the reason).
FUZZ_MIN_LINES    ?= 97
FUZZ_MIN_BRANCHES ?= 92
FUZZ_COV_OUT      := $(FUZZ_DIR)/runs/cov
define fuzz_cov_measure
	@set -e; rm -rf $(FUZZ_COV_OUT); mkdir -p $(FUZZ_COV_OUT); \
	for n in $(FUZZ_NAMES); do \
	  LLVM_PROFILE_FILE=$(FUZZ_COV_OUT)/$$n%c.profraw $(FUZZ_DIR)/cov/fuzz_$$n fuzz/corpus/$$n; done; \
	$(LLVM_PROFDATA) merge -sparse $(FUZZ_COV_OUT)/*.profraw -o $(FUZZ_COV_OUT)/all.profdata; \
	$(LLVM_COV) export -summary-only $(firstword $(FUZZ_COV_BINS)) \
	  $(addprefix -object ,$(wordlist 2,99,$(FUZZ_COV_BINS))) \
	  -instr-profile=$(FUZZ_COV_OUT)/all.profdata $(FUZZ_LIB_SRCS) > $(FUZZ_COV_OUT)/summary.json
endef

fuzz-coverage: $(FUZZ_COV_BINS)
	$(fuzz_cov_measure)
	@$(PYTHON) fuzz/coverage.py $(FUZZ_COV_OUT)/summary.json

# The gate measures twice and requires the same table: what the corpora reach must not depend on
# heap addresses or timing (fuzz/README.md, "Coverage that does not move").
fuzz-coverage-gate: $(FUZZ_COV_BINS)
	$(fuzz_cov_measure)
	@$(PYTHON) fuzz/coverage.py $(FUZZ_COV_OUT)/summary.json > $(FUZZ_DIR)/runs/cov-first.md
	$(fuzz_cov_measure)
	@$(PYTHON) fuzz/coverage.py $(FUZZ_COV_OUT)/summary.json \
	  --min-lines $(FUZZ_MIN_LINES) --min-branches $(FUZZ_MIN_BRANCHES) | tee $(FUZZ_DIR)/runs/cov-second.md
	@grep '^|' $(FUZZ_DIR)/runs/cov-second.md > $(FUZZ_DIR)/runs/cov-second-table.md; \
	if ! diff $(FUZZ_DIR)/runs/cov-first.md $(FUZZ_DIR)/runs/cov-second-table.md >&2; then \
	  echo "fuzz coverage gate: FAILED: two runs of the same corpora reach different lines or branches" >&2; \
	  exit 1; fi; echo "fuzz coverage gate: the same table on two runs"

# Folds what the last `make fuzz` / `make fuzz-short` found into the committed corpora, minimised.
# Inputs named regress-* (reproducers of fixed bugs) are always kept.
fuzz-merge: $(FUZZ_LF_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	  new=$(FUZZ_DIR)/runs/merge-$$n; rm -rf $$new; mkdir -p $$new; \
	  $(FUZZ_DIR)/libfuzzer/fuzz_$$n -merge=1 $$new fuzz/corpus/$$n \
	    $$(ls -d $(FUZZ_DIR)/runs/*-$$n/corpus $(FUZZ_DIR)/runs/afl-$$n/afl/default/queue 2>/dev/null) \
	    >$$new.log 2>&1 || { tail -n 20 $$new.log; exit 1; }; \
	  cp fuzz/corpus/$$n/regress-* $$new/ 2>/dev/null || true; \
	  rm -rf fuzz/corpus/$$n; mv $$new fuzz/corpus/$$n; \
	  echo "fuzz-merge: fuzz/corpus/$$n now has $$(ls fuzz/corpus/$$n | wc -l) inputs"; done

# The library sources a harness links, for fuzz/build.sh (OSS-Fuzz, ClusterFuzzLite).
fuzz-lib-srcs:
	@echo $(FUZZ_LIB_SRCS)
