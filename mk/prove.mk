# Formal proof of the core with Frama-C WP (DESIGN.md section 6, TOOLCHAIN.md section 1,
# proofs/README.md).
#
#   make prove                 prove every goal of $(PROVE_SRCS) (RTE, unsigned overflow/downcast,
#                              invalid pointers, the ACSL contracts, smoke tests), then compare the
#                              per-function counts with proofs/ledger.tsv; fails on any unproved goal,
#                              failed smoke test or ledger regression
#   make prove PROVE_CACHE=none   the same without the committed result cache: every goal and smoke
#                              test goes to the provers (the authoritative run; see proofs/README.md)
#   make prove-update-ledger   a from-scratch run (no cache), then, only if 100% proved, rewrite
#                              proofs/ledger.tsv (with the digest of the proof inputs) and the
#                              result cache proofs/wp-cache.tar.xz
#
# Result cache: WP keys each prover result by a digest of the exact proof task sent to the prover
# (the goal with all its hypotheses, the prover and its options). make prove starts from the
# committed cache of the last complete run (PROVE_CACHE=replay: a task found in it is not sent to the
# prover again; any other task is, and the cache is not modified), so an unchanged core costs only
# task generation, and any change to code or contracts is re-proved for real.
#
# proofs/prove.py runs Frama-C: PROVE_JOBS processes, the functions split by goal count (the split
# is recorded in the ledger: WP's tasks depend on it), plus one for the lemmas. A from-scratch run
# runs them one after the other with -wp-par PROVE_PAR. A replay whose proof inputs (the digest of
# the AST that Frama-C parses from PROVE_SRCS and their headers with every annotation, the flags
# and the tool versions; code outside the proof, under #ifndef __FRAMAC__, and comments do not
# count) are those recorded in the ledger runs
# them side by side, scheduling PROVE_REPLAY_PAR goals at a time in each (a replay is bound by
# Frama-C's own goal generation, not by the provers); any other replay runs as a from-scratch run
# does, so that a task missing from the cache gets a prover's full time. prove.py's docstring says why.
#
# Variables: PROVE_SRCS (files proved together), PROVE_TIMEOUT (seconds per goal and prover),
# PROVE_PAR (parallel prover jobs when proving), PROVE_JOBS and PROVE_REPLAY_PAR (the replay of
# unchanged inputs), PROVE_CACHE (replay | none), PROVE_EXTRA (more frama-c options, e.g.
# PROVE_EXTRA='-wp-fct memapi_layout_check' while working on one function: the ledger check then
# fails for the functions left out), FRAMAC. Outputs in $(BUILD)/prove: s<k>/ per Frama-C process
# (wp.log, wp-report.json, report.json, rc), runs, digest, why3.conf, cache/.

PROVE_SRCS    ?= src/layout.c src/arith.c src/error.c src/alloc.c src/bump.c
PROVE_CACHE   ?= replay
PROVE_TIMEOUT ?= 40
PROVE_PAR     ?= 2
PROVE_JOBS    ?= 2
PROVE_REPLAY_PAR ?= 8
PROVE_EXTRA   ?=
FRAMAC        ?= frama-c
PROVE_DIR     := $(BUILD)/prove
PROVE_LEDGER  := proofs/ledger.tsv
PROVE_WHY3    := $(abspath $(PROVE_DIR))/why3.conf
PROVE_ARCHIVE := proofs/wp-cache.tar.xz
PROVE_CACHEDIR := $(abspath $(PROVE_DIR))/cache

# Exactly TOOLCHAIN.md's "command that proves everything", plus the smoke tests (a contract that
# contradicts itself, or code made dead by a precondition, fails the stage) and -wp-split (each
# goal is split at the branches of the code into one goal per path: the provers then prove each
# path in a second where the merged goal timed out).
PROVE_FLAGS := -c11 -machdep gcc_x86_64 \
  -cpp-extra-args="-Iinclude -Isrc -Iproofs $(OPT_DEFS)" \
  -kernel-warn-key typing:implicit-function-declaration=error \
  -kernel-warn-key annot:missing-spec=error \
  -wp -wp-rte \
  -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-downcast \
  -warn-invalid-pointer -warn-right-shift-negative \
  -wp-prover z3,cvc4 -wp-timeout $(PROVE_TIMEOUT) -wp-split \
  -wp-smoke-tests $(PROVE_EXTRA)
PROVE_GATE := -then -report-classify -report-unclassified-unknown ERROR -report-unclassified-invalid ERROR \
  -report-output @REPORT@

CHECK_STAGES += prove
.PHONY: prove prove-run prove-update-ledger prove-digest prove-gate-test

$(PROVE_WHY3):
	@mkdir -p $(PROVE_DIR)
	WHY3CONFIG=$@ why3 config detect > $(PROVE_DIR)/why3-detect.log 2>&1

# One WP run, by proofs/prove.py (one or more Frama-C processes; the report plugin's gate, rc != 0
# on any unknown or invalid property, is kept per process); the ledger gate runs afterwards in
# prove / prove-update-ledger.
prove-run: prove-gate-test $(PROVE_WHY3)
	@rm -rf $(PROVE_CACHEDIR) $(PROVE_DIR)/runs $(PROVE_DIR)/digest && mkdir -p $(PROVE_CACHEDIR)
	@if [ "$(PROVE_CACHE)" = replay ] && [ -f $(PROVE_ARCHIVE) ]; then \
	  tar -xJf $(PROVE_ARCHIVE) -C $(PROVE_CACHEDIR); \
	  echo "prove: result cache $(PROVE_ARCHIVE) ($$(ls $(PROVE_CACHEDIR) | wc -l) entries)"; \
	else echo "prove: no result cache (PROVE_CACHE=$(PROVE_CACHE)): every task goes to the provers"; fi
	@echo "prove: frama-c -wp on $(PROVE_SRCS)"
	@$(PYTHON) proofs/prove.py run --mode $(PROVE_CACHE) --jobs $(PROVE_JOBS) --par $(PROVE_PAR) \
	  --replay-par $(PROVE_REPLAY_PAR) --dir $(abspath $(PROVE_DIR)) --cache $(PROVE_CACHEDIR) \
	  --ledger $(PROVE_LEDGER) --why3conf $(PROVE_WHY3) --framac '$(FRAMAC)' \
	  --flags '$(PROVE_FLAGS)' --gate '$(PROVE_GATE)' --srcs '$(PROVE_SRCS)'

# Are the proof inputs those of the run recorded in the ledger? (exit 1 if not)
prove-digest:
	@$(PYTHON) proofs/prove.py digest --ledger $(PROVE_LEDGER) --framac '$(FRAMAC)' \
	  --flags '$(PROVE_FLAGS)' --srcs '$(PROVE_SRCS)'

prove: prove-run
	@$(PYTHON) proofs/ledger.py check $(PROVE_LEDGER) $(PROVE_DIR)

# The gate's own tests (proofs/test_ledger.py: a gate that accepted too much would pass anything).
prove-gate-test:
	@$(PYTHON) proofs/test_ledger.py -q

# From scratch (PROVE_CACHE=none fills an empty cache), so the archive holds exactly the results
# of this complete run and nothing stale.
prove-update-ledger:
	@$(MAKE) --no-print-directory prove-run PROVE_CACHE=none
	$(PYTHON) proofs/ledger.py update $(PROVE_LEDGER) $(PROVE_DIR)
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cJf $(PROVE_ARCHIVE) -C $(PROVE_CACHEDIR) .
	@echo "prove: $(PROVE_ARCHIVE): $$(ls $(PROVE_CACHEDIR) | wc -l) cached results, $$(du -h $(PROVE_ARCHIVE) | cut -f1)"
