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
#                              proofs/ledger.tsv and the result cache proofs/wp-cache.tar.xz
#
# Result cache: WP keys each prover result by a digest of the exact proof task sent to the prover
# (the goal with all its hypotheses, the prover and its options). make prove starts from the
# committed cache of the last complete run (PROVE_CACHE=replay: a task found in it is not sent to the
# prover again; any other task is, and the cache is not modified), so an unchanged core costs only
# task generation and the smoke tests (WP does not cache a timeout, the expected smoke answer), and
# any change to code or contracts is re-proved for real.
#
# Variables: PROVE_SRCS (files proved together), PROVE_TIMEOUT (seconds per goal and prover),
# PROVE_PAR (parallel prover jobs), PROVE_CACHE (replay | none), PROVE_EXTRA (more frama-c options,
# e.g. PROVE_EXTRA='-wp-fct memapi_layout_check' while working on one function: the ledger check then
# fails for the functions left out), FRAMAC. Outputs in $(BUILD)/prove: wp.log, wp-report.json,
# report.json, why3.conf, cache/.

PROVE_SRCS    ?= src/layout.c src/arith.c src/error.c src/alloc.c src/bump.c
PROVE_CACHE   ?= replay
PROVE_TIMEOUT ?= 40
PROVE_PAR     ?= 2
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
  -wp-prover z3,cvc4 -wp-timeout $(PROVE_TIMEOUT) -wp-par $(PROVE_PAR) -wp-split \
  -wp-smoke-tests $(PROVE_EXTRA)
PROVE_GATE := -then -report-classify -report-unclassified-unknown ERROR -report-unclassified-invalid ERROR \
  -report-output $(PROVE_DIR)/report.json

CHECK_STAGES += prove
.PHONY: prove prove-run prove-update-ledger

$(PROVE_WHY3):
	@mkdir -p $(PROVE_DIR)
	WHY3CONFIG=$@ why3 config detect > $(PROVE_DIR)/why3-detect.log 2>&1

# One WP run. The report plugin's gate (rc != 0 on any unknown or invalid property) is kept in
# $(PROVE_DIR)/rc; the JSON and ledger gates run afterwards in prove / prove-update-ledger.
prove-run: $(PROVE_WHY3)
	@rm -f $(PROVE_DIR)/wp-report.json $(PROVE_DIR)/report.json $(PROVE_DIR)/rc
	@rm -rf $(PROVE_CACHEDIR) && mkdir -p $(PROVE_CACHEDIR)
	@if [ "$(PROVE_CACHE)" = replay ] && [ -f $(PROVE_ARCHIVE) ]; then \
	  tar -xJf $(PROVE_ARCHIVE) -C $(PROVE_CACHEDIR); \
	  echo "prove: result cache $(PROVE_ARCHIVE) ($$(ls $(PROVE_CACHEDIR) | wc -l) entries)"; \
	else echo "prove: no result cache (PROVE_CACHE=$(PROVE_CACHE)): every task goes to the provers"; fi
	@echo "prove: frama-c -wp on $(PROVE_SRCS) (log: $(PROVE_DIR)/wp.log)"
	@start=$$(date +%s); rc=0; \
	WHY3CONFIG=$(PROVE_WHY3) $(FRAMAC) $(PROVE_FLAGS) -wp-report-json $(PROVE_DIR)/wp-report.json \
	  -wp-cache $(if $(filter replay,$(PROVE_CACHE)),replay,update) -wp-cache-dir $(PROVE_CACHEDIR) \
	  $(PROVE_SRCS) $(PROVE_GATE) > $(PROVE_DIR)/wp.log 2>&1 || rc=$$?; \
	echo $$rc > $(PROVE_DIR)/rc; \
	sed -n '/Proved goals/,/^\[/p' $(PROVE_DIR)/wp.log | grep -v '^\[report' || true; \
	grep -E '^\[(kernel|wp)\].*(Warning|[Ee]rror)|\[ERROR|User Error' $(PROVE_DIR)/wp.log || true; \
	echo "prove: frama-c exit status $$rc, wall $$(( $$(date +%s) - start )) s"

prove: prove-run
	@test -f $(PROVE_DIR)/wp-report.json || { echo "prove: FAIL: no WP report (see $(PROVE_DIR)/wp.log)"; exit 1; }
	@rc=$$(cat $(PROVE_DIR)/rc); ok=0; \
	$(PYTHON) proofs/ledger.py check $(PROVE_DIR)/wp-report.json $(PROVE_LEDGER) --log $(PROVE_DIR)/wp.log || ok=1; \
	if [ "$$rc" != 0 ]; then echo "prove: FAIL: the report plugin found unproved properties (rc=$$rc)"; exit 1; fi; \
	exit $$ok

# From scratch (PROVE_CACHE=none fills an empty cache), so the archive holds exactly the results
# of this complete run and nothing stale.
prove-update-ledger:
	@$(MAKE) --no-print-directory prove-run PROVE_CACHE=none
	@test -f $(PROVE_DIR)/wp-report.json || { echo "prove: FAIL: no WP report (see $(PROVE_DIR)/wp.log)"; exit 1; }
	@test "$$(cat $(PROVE_DIR)/rc)" = 0 || { echo "prove: FAIL: unproved properties; ledger not written"; exit 1; }
	$(PYTHON) proofs/ledger.py update $(PROVE_DIR)/wp-report.json $(PROVE_LEDGER) --log $(PROVE_DIR)/wp.log
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cJf $(PROVE_ARCHIVE) -C $(PROVE_CACHEDIR) .
	@echo "prove: $(PROVE_ARCHIVE): $$(ls $(PROVE_CACHEDIR) | wc -l) cached results, $$(du -h $(PROVE_ARCHIVE) | cut -f1)"
