# Unit tests (Criterion) under AddressSanitizer and UndefinedBehaviorSanitizer, with gcc and clang.
#
#   make test-unit   one test binary per compiler from every tests/test_*.c plus the library sources
#                    compiled into it; each binary is run and must report no failure and no crash
#   make test-noos   tests/test_error.c against src/error.c built with MEMAPI_OS_ERR_REPORTING=0
#   make test        both of the above
#
# Variables: TEST_EXTRA_SRCS (more sources to compile into the binaries), TEST_CC_gcc, TEST_CC_clang,
# TEST_ARGS (passed to the Criterion runner, e.g. TEST_ARGS='--filter layout/*'),
# ASAN_OPTIONS_TEST, UBSAN_OPTIONS_TEST.
#
# New tests/test_*.c files are picked up by the wildcard; nothing here needs editing for them.

TEST_SRCS       := $(sort $(wildcard tests/test_*.c))
TEST_EXTRA_SRCS ?=
TEST_CC_gcc     ?= gcc
TEST_CC_clang   ?= clang
TEST_COMPILERS  := gcc clang
TEST_ARGS       ?=

# The precondition checks (MEMAPI_PRECONDITION) are what the death tests exercise: never NDEBUG.
TEST_SAN      := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_CPPFLAGS := -Iinclude -Isrc -UNDEBUG
TEST_LIBS     := -lcriterion -lpthread
TEST_DEPS     := $(HEADERS) $(wildcard src/internal/*.h) GNUmakefile mk/test.mk

ASAN_OPTIONS_TEST  ?= detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:abort_on_error=0
UBSAN_OPTIONS_TEST ?= print_stacktrace=1:halt_on_error=1
TEST_RUN_ENV = ASAN_OPTIONS=$(ASAN_OPTIONS_TEST) UBSAN_OPTIONS=$(UBSAN_OPTIONS_TEST)

# The no-OS variant: error formatting only, with the option forced off whatever the command line says.
TEST_NOOS_DEFS := $(filter-out -DMEMAPI_OS_ERR_REPORTING=%,$(OPT_DEFS)) -DMEMAPI_OS_ERR_REPORTING=0
TEST_NOOS_SRCS := tests/test_error.c src/error.c

# $(1): compiler key (gcc or clang). Objects go under $(BUILD)/test-$(1)/obj and obj-noos, mirroring
# the source tree, so that a test file and a library file of the same name never collide.
define TEST_RULES
$(BUILD)/test-$(1)/obj/%.o: %.c $(TEST_DEPS)
	@mkdir -p $$(@D)
	$(TEST_CC_$(1)) $(TEST_CPPFLAGS) $(OPT_DEFS) $(WARN) $(TEST_SAN) -c $$< -o $$@

$(BUILD)/test-$(1)/memapi2_tests: $(patsubst %.c,$(BUILD)/test-$(1)/obj/%.o,$(TEST_SRCS) $(LIB_SRCS) $(TEST_EXTRA_SRCS))
	$(TEST_CC_$(1)) $(TEST_SAN) $$^ -o $$@ $(TEST_LIBS)

$(BUILD)/test-$(1)/obj-noos/%.o: %.c $(TEST_DEPS)
	@mkdir -p $$(@D)
	$(TEST_CC_$(1)) $(TEST_CPPFLAGS) $(TEST_NOOS_DEFS) $(WARN) $(TEST_SAN) -c $$< -o $$@

$(BUILD)/test-$(1)/memapi2_tests_noos: $(patsubst %.c,$(BUILD)/test-$(1)/obj-noos/%.o,$(TEST_NOOS_SRCS))
	$(TEST_CC_$(1)) $(TEST_SAN) $$^ -o $$@ $(TEST_LIBS)
endef
$(foreach c,$(TEST_COMPILERS),$(eval $(call TEST_RULES,$(c))))

# Runs each binary given as argument, shows its output, and fails unless it exits 0 and its
# Criterion synthesis line says every test passed (Tested == Passing, no failure, no crash).
define TEST_RUN
	@set -e; for bin in $(1); do \
	  echo "== $$bin =="; \
	  rc=0; $(TEST_RUN_ENV) ./$$bin $(TEST_ARGS) > $$bin.log 2>&1 || rc=$$?; \
	  cat $$bin.log; \
	  if [ $$rc -ne 0 ]; then echo "test-unit: $$bin exited with status $$rc" >&2; exit 1; fi; \
	  if ! grep -q 'Synthesis: Tested: \([1-9][0-9]*\) | Passing: \1 | Failing: 0 | Crashing: 0' $$bin.log; then \
	    echo "test-unit: $$bin did not report an all-passing Criterion synthesis" >&2; exit 1; fi; \
	done
endef

.PHONY: test test-unit test-noos
test: test-unit test-noos

test-unit: $(foreach c,$(TEST_COMPILERS),$(BUILD)/test-$(c)/memapi2_tests)
	$(call TEST_RUN,$^)

test-noos: $(foreach c,$(TEST_COMPILERS),$(BUILD)/test-$(c)/memapi2_tests_noos)
	$(call TEST_RUN,$^)

CHECK_STAGES += test-unit test-noos
