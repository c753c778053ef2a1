# Formal proof of the core with Frama-C WP (proofs/README.md).
#
#   make prove                  prove what the ledger does not cover (a function whose body, or
#                               the contracts and logic it is proved against, changed), then gate:
#                               every goal proved, every smoke test passed, every contract and
#                               logic definition as proofs/ledger.tsv pins it, no admit / axiom /
#                               check / bodiless function outside proofs/trusted.tsv. Runs the
#                               gate's self-tests beside the proof (proofs/selftest.py).
#   make prove PROVE_CACHE=none every function proved again (the authoritative run)
#   make prove-update-ledger    prove what changed (everything with PROVE_CACHE=none), then, only
#                               if everything is proved, rewrite proofs/ledger.tsv: the commit that
#                               changes a contract changes its digest there
#   make prove-status           which functions the ledger does not cover now (exit 1 if any)
#   make prove PROVE_ONLY=f,g   prove just these functions (while working on them)
#   make prove-report           the ledger by file (also printed at the end of make prove): per
#                               source file, functions and lines of code proved; no prover runs
#   make prove-mutants          planted bugs of proofs/mutants.tsv, each of which must fail the proof
#                               of its functions (slow: not a check stage)
#
# Variables: PROVE_SRCS (files proved together), PROVE_TIMEOUT (seconds per goal and prover),
# PROVE_JOBS (Frama-C processes at once), PROVE_PAR (prover jobs in each), PROVE_BATCH (goals per
# Frama-C process), FRAMAC. Outputs in $(BUILD)/prove: b<k>/ per Frama-C process (wp.log,
# wp-report.json, report.json), why3.conf.

PROVE_SRCS    ?= src/layout.c src/arith.c src/error.c src/os_error.c src/fatal.c src/alloc.c src/resize.c \
                 src/alloc_temp.c src/checked.c src/bump.c src/forward.c src/failing.c src/c_alloc.c src/stack.c \
                 src/locked.c src/default.c src/cmalloc.c src/guard.c
PROVE_CACHE   ?= ledger
PROVE_TIMEOUT ?= 40
PROVE_JOBS    ?= 2
PROVE_PAR     ?= 3
PROVE_BATCH   ?= 400
PROVE_ONLY    ?=
# Configurations proved besides the default one: a function whose proof obligation differs there
# (its body, contract or callees' contracts) is proved there too (proofs/README.md).
# `freestanding` prints the freestanding core only (CORE_SRCS, GNUmakefile: what a
# FREESTANDING=1 build compiles), in the form NAME:SRC,SRC...=FLAGS.
PROVE_EMPTY :=
PROVE_COMMA := ,
PROVE_CONFIGS ?= ndebug=-cpp-extra-args=-DNDEBUG asan=-cpp-extra-args=-D__SANITIZE_ADDRESS__ \
                 hosted=-cpp-extra-args=-DMEMAPI_PROOF_HOSTED_MEM portable=-cpp-extra-args=-DMEMAPI_PROOF_PORTABLE \
                 freestanding:$(subst $(PROVE_EMPTY) $(PROVE_EMPTY),$(PROVE_COMMA),$(strip $(CORE_SRCS)))=-cpp-extra-args=-DMEMAPI_FREESTANDING=1
# Programs that use the library, proved with only include/ on the path against the installed
# headers' contracts (proofs/README.md, "Proving your code against memapi2").
PROVE_USER    ?= example=examples/arena_strbuf.c dup=examples/block_dup.c capped=examples/capped_alloc.c
FRAMAC        ?= frama-c
PROVE_DIR     := $(BUILD)/prove
PROVE_LEDGER  := proofs/ledger.tsv
PROVE_TRUSTED := proofs/trusted.tsv
PROVE_WHY3    := $(abspath $(PROVE_DIR))/why3.conf

# TOOLCHAIN.md's "command that proves everything", plus the smoke tests (a contract that
# contradicts itself, or code made dead by a precondition, fails the stage) and -wp-split (each
# goal is split at the branches of the code, one goal per path).
PROVE_KERNEL := -c11 -machdep gcc_x86_64 -cpp-extra-args="-Iinclude -Isrc -Iproofs $(OPT_DEFS)" \
  -kernel-warn-key typing:implicit-function-declaration=error \
  -kernel-warn-key annot:missing-spec=error
PROVE_WP := -wp -wp-rte \
  -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-downcast \
  -warn-invalid-pointer -warn-right-shift-negative \
  -wp-timeout $(PROVE_TIMEOUT)
# The provers (proofs/README.md, "How a run works"). The first pass runs CVC4 alone, told the
# logic of WP's tasks (PROVE_CVC4_LOGIC, see the Why3 configuration below): it proves nearly every
# goal Qed leaves, and racing Z3 beside it on every goal doubled the CPU time for nothing. A
# function left with an unproved goal is proved again, alone, with PROVE_RETRY_PROVERS (plain
# CVC4 and Z3) racing on each goal; the lemmas get those at once. The smoke tests (which pass when
# no prover proves them, so every listed prover runs on each) use Z3: a third less CPU than CVC4
# per smoke test.
PROVE_CVC4_LOGIC    ?= AUFNIRA
PROVE_PROVERS       ?= cvc4-$(shell echo $(PROVE_CVC4_LOGIC) | tr A-Z a-z)
PROVE_RETRY_PROVERS ?= cvc4,z3
PROVE_SMOKE_PROVERS ?= z3
# The functions proved with -wp-split (each goal split at the branches of the code, one goal per
# path): those with a goal that no prover closes as one formula. Everywhere else splitting only
# multiplies the goals (dealloc_message: 1,218 goals split, 103 not; 98 s against 16 s).
PROVE_SPLIT ?= resize bump_resize memapi_layout_repeat memapi_layout_fam packed memapi_bump_rewind sb_init \
               ruled_alloc failing_alloc failing_zalloc c_alloc_impl check_options take_slot
# The functions whose body casts a `void *` to the object it stands for (the bump arena's vtable
# thunks, the zeroing callback of a scoped allocation): proved under WP's Typed+cast memory model (proofs/README.md).
PROVE_CAST ?= zero_then_call_cb vt_alloc vt_zalloc vt_try_dealloc vt_resize vt_zresize vt_owns \
              failing_alloc failing_zalloc failing_try_dealloc failing_dealloc failing_resize failing_zresize failing_owns \
              locked_alloc locked_zalloc locked_try_dealloc locked_dealloc locked_grow locked_zgrow locked_shrink \
              locked_realloc locked_rezalloc locked_owns locked_alloc_temp call_unlocked
PROVE_CAST += capped_alloc capped_try_dealloc
# The malloc front end writes its header as a struct in front of the allocator's bytes
# (src/cmalloc.c): every proved function whose code or contract names the header.
PROVE_CAST += fail_errno finish_block alloc_aligned memapi_cmalloc_malloc memapi_cmalloc_calloc \
              memapi_cmalloc_aligned_alloc memapi_cmalloc_posix_memalign
# The smoke tests run in a pass of their own (proofs/README.md, "Smoke tests"), each with a fixed
# budget of prover steps instead of the 2-second timeout: a smoke test passes when no prover
# proves it, so with a timeout every one of them cost its full time, for both provers.
PROVE_SMOKE_STEPS ?= 30000
PROVE_SMOKE := -wp-smoke-tests -wp-steps $(PROVE_SMOKE_STEPS)
PROVE_ARGS = --ledger $(PROVE_LEDGER) --trusted $(PROVE_TRUSTED) --framac '$(FRAMAC)' \
  --provers $(PROVE_PROVERS) --retry-provers $(PROVE_RETRY_PROVERS) --cvc4-logic '$(PROVE_CVC4_LOGIC)' --smoke-provers $(PROVE_SMOKE_PROVERS) \
  --kernel-flags '$(PROVE_KERNEL)' --wp-flags '$(PROVE_WP)' --smoke-flags '$(PROVE_SMOKE)' --srcs '$(PROVE_SRCS)' \
  --split '$(shell echo $(PROVE_SPLIT) | tr ' ' ,)' --cast '$(shell echo $(PROVE_CAST) | tr ' ' ,)' \
  $(foreach c,$(PROVE_CONFIGS),--config '$(c)') $(foreach u,$(PROVE_USER),--user-program '$(u)')
PROVE_RUN = $(PYTHON) proofs/prove.py run $(PROVE_ARGS) --dir $(abspath $(PROVE_DIR)) \
  --why3conf $(PROVE_WHY3) --jobs $(PROVE_JOBS) --par $(PROVE_PAR) --batch $(PROVE_BATCH) \
  $(if $(filter none,$(PROVE_CACHE)),--all) $(if $(PROVE_ONLY),--only $(PROVE_ONLY)) \
  --eva-covered $(PROVE_EVA_COVERED)

CHECK_STAGES += prove
.PHONY: prove prove-update-ledger prove-status prove-selftest prove-installed prove-report prove-mutants

# Why3's configuration: the provers it detects, written out whole (`why3 config show`), plus CVC4
# told the logic of WP's tasks (prover `cvc4-aufnira`, PROVE_CVC4_LOGIC; proofs/prove.py why3conf).
# Why3's CVC4 driver declares ALL_SUPPORTED, and CVC4 then sets up every theory it has (strings,
# sets, ...) for each goal: with AUFNIRA (arrays, uninterpreted functions, integer and real
# arithmetic) a 510-goal sample took 60 CPU-seconds instead of 80, all proved. It is the
# first pass's prover; the retry has plain CVC4 (some goals, e.g. about strlen, need its
# defaults) and Z3 (proofs/README.md, "Provers").
$(PROVE_WHY3): mk/prove.mk proofs/prove.py
	@mkdir -p $(PROVE_DIR)
	WHY3CONFIG=$@.detected why3 config detect > $(PROVE_DIR)/why3-detect.log 2>&1
	$(PYTHON) proofs/prove.py why3conf --detected $@.detected --out $@ --cvc4-logic $(PROVE_CVC4_LOGIC)

# The gate's self-tests (when they must run, see below) run beside the proof, not before it: they
# share the two cores with the batches instead of adding a stage of their own to the wall time.
# Both must pass; the self-tests' output is printed when they end.
prove: prove-installed $(PROVE_WHY3)
	@$(MAKE) --no-print-directory $(PROVE_DIR)/selftest.ok > $(PROVE_DIR)/selftest.log 2>&1 & st=$$!; \
	  $(PROVE_RUN); rc=$$?; wait $$st; src=$$?; cat $(PROVE_DIR)/selftest.log; \
	  if [ $$src -ne 0 ]; then echo "prove: FAIL: the gate's self-tests failed (above)"; fi; \
	  [ $$rc -eq 0 ] && [ $$src -eq 0 ]

prove-update-ledger: $(PROVE_WHY3)
	@$(PROVE_RUN) --update

prove-status:
	@$(PYTHON) proofs/prove.py status $(PROVE_ARGS)

# The ledger by file (proofs/README.md, "Ledger by file"), which `make prove` prints at its end too:
# per src/*.c file (and header with functions in the proof), its functions, those proved, goals,
# smoke tests and the lines of code inside proved functions; the same under Eva when
# $(PROVE_EVA_COVERED) exists. Proves nothing: Frama-C prints the program and lists its functions'
# locations (some 25 s). Writes $(PROVE_DIR)/by-file.tsv; exit 1 when the scanner of the sources
# disagrees with Frama-C on where a function is, or Eva's list names a function no file defines.
PROVE_EVA_COVERED ?= $(BUILD)/eva/covered.tsv
prove-report:
	@$(PYTHON) proofs/prove.py report $(PROVE_ARGS) --dir $(abspath $(PROVE_DIR)) --eva-covered $(PROVE_EVA_COVERED)

# Every public header, with its ACSL, parses under Frama-C with only include/ on the path.
prove-installed:
	@FRAMAC='$(FRAMAC)' bash proofs/check-installed.sh

# The gate's own tests: the reader of Frama-C's print, then mutations applied to a copy of the
# tree, each of which must fail the gate. `make prove` runs them when something they depend on
# changed since they last passed in this build directory: the gate (proofs/, this file), the files
# the mutations apply to (src/layout.c, the headers), or the ledger; a clean clone always runs them.
# `make prove-selftest` runs them unconditionally.
PROVE_SELFTEST_INPUTS := $(wildcard proofs/*.py) proofs/trusted.tsv proofs/ledger.tsv mk/prove.mk \
  src/layout.c $(wildcard src/internal/*.h include/memapi2/*.h)
$(PROVE_DIR)/selftest.ok: $(PROVE_SELFTEST_INPUTS) | $(PROVE_WHY3)
	@$(MAKE) --no-print-directory prove-selftest
	@touch $@

prove-selftest: $(PROVE_WHY3)
	@PROVE_TEST_KERNEL='$(PROVE_KERNEL)' PROVE_TEST_SRCS='$(PROVE_SRCS)' FRAMAC='$(FRAMAC)' \
	  $(PYTHON) proofs/test_program.py -q
	@$(PYTHON) proofs/selftest.py --why3conf $(PROVE_WHY3) --framac '$(FRAMAC)' \
	  --kernel-flags '$(PROVE_KERNEL)' --wp-flags '$(PROVE_WP)' --smoke-flags '$(PROVE_SMOKE)' \
	  --provers $(PROVE_PROVERS) --retry-provers $(PROVE_RETRY_PROVERS) --cvc4-logic '$(PROVE_CVC4_LOGIC)' --smoke-provers $(PROVE_SMOKE_PROVERS) --srcs '$(PROVE_SRCS)' $(foreach c,$(PROVE_CONFIGS),--config '$(c)') $(foreach u,$(PROVE_USER),--user-program '$(u)')

# The mutation stage (proofs/README.md, "The mutation stage"): each planted bug of
# proofs/mutants.tsv (an allocator's file, an exact text, its replacement, the functions to prove)
# applied to a copy of the tree, those functions proved again there with the proof's own flags
# (PROVE_ONLY, nothing replayed from the ledger), and the proof must FAIL; a table mutation / caught
# by (the first unproved goal) / seconds. Not a check stage: minutes per mutant.
#   make prove-mutants                          every mutant
#   make prove-mutants PROVE_MUTANTS="a b"      a subset, by name
# Writes $(PROVE_DIR)/mutants.md (the table) and $(PROVE_DIR)/mutants/<name>.log; exit 1 when a
# mutant was not caught, 2 when one could not be run (its text no longer matches exactly once).
PROVE_MUTANTS ?=
prove-mutants: $(PROVE_WHY3)
	@$(PYTHON) proofs/mutants.py --why3conf $(PROVE_WHY3) --dir $(abspath $(PROVE_DIR))/mutants \
	  --par $(PROVE_PAR) --table $(PROVE_DIR)/mutants.md $(if $(PROVE_MUTANTS),--mutants '$(PROVE_MUTANTS)') \
	  -- $(PROVE_ARGS)
