# Planted bugs (issue 23): fuzz/mutants.sh plants a realistic one-line bug in each layer (tracking's
# byte count, failing's call counter, the guard's canary check, locked's unlock, default's errno
# capture) in a copy of the tree, and runs the allocator harnesses' libFuzzer builds from the
# committed corpora until each is found; a control run first replays every corpus unmutated.
#   make fuzz-mutants                      every mutant, MUTANT_SECONDS (600) per harness
#   make fuzz-mutants MUTANTS="a b"        a subset, by name (fuzz/mutants.sh lists them)
#   make fuzz-mutants MUTANT_HARNESSES="guard alloc"   only these harnesses, in this order
# A long run like `make fuzz`, not a check stage. Writes $(BUILD)/fuzz/runs/mutants.md (the table)
# and $(BUILD)/fuzz/runs/mutants/; fails when a mutant is not found.
MUTANT_SECONDS ?= 600
MUTANTS        ?=
MUTANT_HARNESSES ?=

.PHONY: fuzz-mutants
fuzz-mutants:
	MUTANT_SECONDS='$(MUTANT_SECONDS)' MUTANTS='$(MUTANTS)' MUTANT_HARNESSES='$(MUTANT_HARNESSES)' \
	  BUILD='$(BUILD)' FUZZ_CLANG='$(FUZZ_CLANG)' \
	  bash fuzz/mutants.sh
