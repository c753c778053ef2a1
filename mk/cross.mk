# Cross targets and the 32-bit unit tests (GNUmakefile: TARGET).
#
#   check-cross   for each of $(TARGETS): make TARGET=<t> install into a staging root, then
#                 ci/check-cross.sh (self-contained archive without GOT, a minimal layout + bump
#                 program linked with --gc-sections and run, the README's size table)
#
# The 32-bit unit tests are in mk/test32.mk.

.PHONY: check-cross

check-cross:
	@set -e; for t in $(TARGETS); do \
	  MAKE="$(MAKE) --no-print-directory" CHECK_BUILD=$(BUILD)/check bash ci/check-cross.sh $$t; done

CHECK_STAGES += check-cross
