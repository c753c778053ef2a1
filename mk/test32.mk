# The core's unit tests on a 32-bit target (size_t and pointers of 32 bits: a different arithmetic).
#
#   make test-32   the core's test files (those of the freestanding sources), built with gcc -m32
#                  with the library sources under ASan and UBSan, run with test-unit's gate
#                  (mk/test.mk's TEST_RUN: exit 0 and an all-passing synthesis line)
#
# The tests compile against tests/harness32/, the project's own implementation of the part of
# Criterion's interface they use (Test with .signal/.exit_code, the cr_assert family; each test in
# a forked child): Debian has no 32-bit Criterion on an amd64 machine without adding the i386
# architecture. The test files are the ones test-unit runs, with their 32-bit expected values.

TEST32_SRCS := $(addprefix tests/,test_layout.c test_arith.c test_error.c test_type_props.c test_bump.c \
                 test_alloc_dispatch.c test_inline_dispatch.c test_fatal.c)
TEST32_DIR  := $(BUILD)/test-32
TEST32_CC   := gcc -m32
TEST32_CPPFLAGS := -Itests/harness32 $(TEST_CPPFLAGS)

$(TEST32_DIR)/obj/%.o: %.c $(TEST_DEPS) tests/harness32/criterion/criterion.h mk/test32.mk
	@mkdir -p $(@D)
	$(TEST32_CC) $(TEST32_CPPFLAGS) $(OPT_DEFS) $(WARN) $(TEST_SAN) -c $< -o $@

$(TEST32_DIR)/memapi2_tests: $(patsubst %.c,$(TEST32_DIR)/obj/%.o,$(TEST32_SRCS) $(LIB_SRCS) tests/harness32/runner.c)
	$(TEST32_CC) $(TEST_SAN) $^ -o $@ -lpthread

test-32: $(TEST32_DIR)/memapi2_tests
	@file -L $< | grep -q 'ELF 32-bit' || { echo "test-32: $< is not a 32-bit program"; exit 1; }
	$(call TEST_RUN,$<)

.PHONY: test-32
CHECK_STAGES += test-32
