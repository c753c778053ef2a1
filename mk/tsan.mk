# ThreadSanitizer stage: the locked wrapper makes an exclusive allocator safe to share.
#
#   make test-tsan   builds tests/tsan_locked.c with the library under -fsanitize=thread (clang)
#                    and runs it: it must exit 0 with no TSan report (TSan exits 66 on a report).
#                    Then tests/tsan_guard.c: the guard's SIGSEGV handler names a fault in a child
#                    while 8 threads allocate through locked(guard), with no TSan report.
#                    As a self-check, the same program built with -DTSAN_BYPASS_LOCK=1 (the
#                    exclusive allocator called without the lock) must be reported by TSan.
#
# history_size=7 keeps enough access history that TSan can restore both stacks of a race (with the
# default it silently drops some reports, measured on clang 14).
#
# Variables: TSAN_CC (clang), TSAN_OPTIONS_RUN, TSAN_EXTRA_SRCS (more sources to compile in).

TSAN_CC          ?= clang
TSAN_FLAGS       := -g -O1 -fsanitize=thread -fno-omit-frame-pointer
TSAN_EXTRA_SRCS  ?=
TSAN_LIB_SRCS    := $(CORE_SRCS) $(filter src/default.c src/os_error.c src/locked.c src/forward.c src/guard.c,$(HOSTED_SRCS)) $(TSAN_EXTRA_SRCS)
TSAN_DEPS        := tests/tsan_locked.c tests/tsan_guard.c $(TSAN_LIB_SRCS) $(HEADERS) $(wildcard src/internal/*.h) mk/tsan.mk
TSAN_OPTIONS_RUN ?= halt_on_error=1:exitcode=66:history_size=7

$(BUILD)/tsan/tsan_locked: $(TSAN_DEPS)
	@mkdir -p $(@D)
	$(TSAN_CC) -Iinclude -Isrc $(OPT_DEFS) $(WARN) $(TSAN_FLAGS) tests/tsan_locked.c $(TSAN_LIB_SRCS) -o $@ -lpthread

$(BUILD)/tsan/tsan_locked_bypass: $(TSAN_DEPS)
	@mkdir -p $(@D)
	$(TSAN_CC) -Iinclude -Isrc $(OPT_DEFS) -DTSAN_BYPASS_LOCK=1 $(WARN) $(TSAN_FLAGS) tests/tsan_locked.c \
	  $(TSAN_LIB_SRCS) -o $@ -lpthread

$(BUILD)/tsan/tsan_guard: $(TSAN_DEPS)
	@mkdir -p $(@D)
	$(TSAN_CC) -Iinclude -Isrc $(OPT_DEFS) $(WARN) $(TSAN_FLAGS) tests/tsan_guard.c $(TSAN_LIB_SRCS) -o $@ -lpthread

.PHONY: test-tsan
test-tsan: $(BUILD)/tsan/tsan_locked $(BUILD)/tsan/tsan_locked_bypass $(BUILD)/tsan/tsan_guard
	TSAN_OPTIONS=$(TSAN_OPTIONS_RUN) ./$(BUILD)/tsan/tsan_locked
	TSAN_OPTIONS=$(TSAN_OPTIONS_RUN) ./$(BUILD)/tsan/tsan_guard
	@rc=0; TSAN_OPTIONS=$(TSAN_OPTIONS_RUN) ./$(BUILD)/tsan/tsan_locked_bypass \
	    > $(BUILD)/tsan/bypass.log 2>&1 || rc=$$?; \
	  if [ $$rc -ne 66 ] || ! grep -q 'WARNING: ThreadSanitizer: data race' $(BUILD)/tsan/bypass.log; then \
	    cat $(BUILD)/tsan/bypass.log; \
	    echo "test-tsan: the lock-bypassing self-check was not reported by TSan (status $$rc)" >&2; exit 1; fi; \
	  echo "test-tsan: self-check ok: without the lock TSan reports the race (status 66)"

CHECK_STAGES += test-tsan
