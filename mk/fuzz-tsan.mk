# ThreadSanitizer stage of the threads harness (issue 23; fuzz/README.md, "The threads harness").
#
#   make fuzz-tsan   builds fuzz/fuzz_threads.c with fuzz/replay_main.c and the library sources under
#                    -fsanitize=thread (clang) and runs the committed corpus fuzz/corpus/threads
#                    through it: it must exit 0 with no TSan report (TSan exits 66 on a report).
#                    Self-check: the same harness built with -DFUZZ_THREADS_BYPASS_LOCK=1 (the threads
#                    of one allocator call the exclusive inner allocator without the lock) must be
#                    reported by TSan (status 66 and "data race" in its log).
#
# This file is read before mk/fuzz.mk (the fragments are included in sorted order), so it names its
# sources itself: those of mk/fuzz.mk's FUZZ_LIB_SRCS (the library and the OS seam's table; the seam
# stays pointed at the platform while threads run). history_size=7 as in mk/tsan.mk.
#
# Variables: FUZZ_TSAN_CC (clang), FUZZ_TSAN_OPTIONS.

FUZZ_TSAN_CC      ?= clang
FUZZ_TSAN_DIR     := $(BUILD)/fuzz/tsan
FUZZ_TSAN_SRCS    := $(LIB_SRCS) fuzz/os_faults.c
FUZZ_TSAN_FLAGS   := -g -O1 -fsanitize=thread -fno-omit-frame-pointer
FUZZ_TSAN_CPPFLAGS := -Iinclude -Isrc -Ifuzz $(OPT_DEFS) -DMEMAPI_FUZZ_OS_FAULTS
FUZZ_TSAN_OPTIONS ?= halt_on_error=1:exitcode=66:history_size=7
FUZZ_TSAN_DEPS    := fuzz/fuzz_threads.c fuzz/replay_main.c $(FUZZ_TSAN_SRCS) $(wildcard fuzz/*.h) $(HEADERS) \
                     $(wildcard src/internal/*.h) mk/fuzz-tsan.mk

$(FUZZ_TSAN_DIR)/fuzz_threads: $(FUZZ_TSAN_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_TSAN_CC) $(FUZZ_TSAN_CPPFLAGS) $(WARN) $(FUZZ_TSAN_FLAGS) fuzz/replay_main.c fuzz/fuzz_threads.c \
	  $(FUZZ_TSAN_SRCS) -o $@ -lpthread

$(FUZZ_TSAN_DIR)/fuzz_threads_bypass: $(FUZZ_TSAN_DEPS)
	@mkdir -p $(@D)
	$(FUZZ_TSAN_CC) $(FUZZ_TSAN_CPPFLAGS) -DFUZZ_THREADS_BYPASS_LOCK=1 $(WARN) $(FUZZ_TSAN_FLAGS) \
	  fuzz/replay_main.c fuzz/fuzz_threads.c $(FUZZ_TSAN_SRCS) -o $@ -lpthread

.PHONY: fuzz-tsan
fuzz-tsan: $(FUZZ_TSAN_DIR)/fuzz_threads $(FUZZ_TSAN_DIR)/fuzz_threads_bypass
	@test -d fuzz/corpus/threads || { echo "fuzz-tsan: no corpus fuzz/corpus/threads" >&2; exit 1; }
	@rc=0; TSAN_OPTIONS=$(FUZZ_TSAN_OPTIONS) $(FUZZ_TSAN_DIR)/fuzz_threads fuzz/corpus/threads \
	    > $(FUZZ_TSAN_DIR)/corpus.log 2>&1 || rc=$$?; \
	  if [ $$rc -ne 0 ] || grep -q 'ThreadSanitizer' $(FUZZ_TSAN_DIR)/corpus.log; then \
	    cat $(FUZZ_TSAN_DIR)/corpus.log; \
	    echo "fuzz-tsan: the threads corpus failed under TSan (status $$rc)" >&2; exit 1; fi; \
	  echo "fuzz-tsan: $$(tail -n 1 $(FUZZ_TSAN_DIR)/corpus.log), no TSan report"
	@rc=0; TSAN_OPTIONS=$(FUZZ_TSAN_OPTIONS) $(FUZZ_TSAN_DIR)/fuzz_threads_bypass fuzz/corpus/threads \
	    > $(FUZZ_TSAN_DIR)/bypass.log 2>&1 || rc=$$?; \
	  if [ $$rc -ne 66 ] || ! grep -q 'WARNING: ThreadSanitizer: data race' $(FUZZ_TSAN_DIR)/bypass.log; then \
	    cat $(FUZZ_TSAN_DIR)/bypass.log; \
	    echo "fuzz-tsan: the lock-bypassing self-check was not reported by TSan (status $$rc)" >&2; exit 1; fi; \
	  echo "fuzz-tsan: self-check ok: without the lock TSan reports the race (status 66)"

CHECK_STAGES += fuzz-tsan
