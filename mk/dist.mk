# Build, install and static-check stages of `make check` (ci/check-*.sh hold the longer logic).
#
#   check-build         library + examples with gcc and with clang (-Werror), every example run
#   check-freestanding  FREESTANDING=1 with gcc and clang, then a Cortex-M4 cross build; the core
#                       objects may reference only memapi_* / memapi__* symbols they define themselves
#   check-install       staged install, pkg-config consumer linked shared and static, uninstall
#   check-symbols       the shared library exports memapi_* symbols and the version node only
#   check-hardening     hardening-check (see TOOLCHAIN.md section 5) and endbr64 present
#   check-static        cppcheck and gcc -fanalyzer over src/, zero findings
#   check-readme        README usage example == examples/readme_example.c
#
# Each stage builds what it needs under $(CHECK_BUILD), so any one can run alone. They are put in
# front of the other fragments' stages: they are fast and their failures explain later ones.

CHECK_BUILD := $(BUILD)/check
DIST_STAGES := check-readme check-build check-freestanding check-symbols check-hardening check-install \
               check-static
CHECK_STAGES := $(DIST_STAGES) $(CHECK_STAGES)

# Cross build of the freestanding core for a 32-bit microcontroller (size_t is 32 bits there).
# -ftrivial-auto-var-init is left out: at -Os on ARM, gcc zero-fills any local struct of more than
# a few words (a memapi_error is 88 bytes) with a call to memset, which the core must not need.
ARM_CC     ?= arm-none-eabi-gcc
ARM_CFLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -ffreestanding -nostdlib -DMEMAPI_FREESTANDING=1 -Os \
              $(WARN) -fno-strict-overflow -fno-delete-null-pointer-checks -fno-builtin \
              -fno-tree-loop-distribute-patterns

# Sub-makes for one compiler/configuration each, in its own build directory.
SUBMAKE = $(MAKE) --no-print-directory

.PHONY: $(DIST_STAGES)

check-build:
	@set -e; for cc in gcc clang; do \
	  echo "-- build with $$cc"; \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc all; \
	  n=0; for e in $(EXAMPLES); do \
	    if ! $(CHECK_BUILD)/$$cc/examples/$$e >$(CHECK_BUILD)/$$cc/examples/$$e.log 2>&1; then \
	      cat $(CHECK_BUILD)/$$cc/examples/$$e.log; echo "check-build: example $$e ($$cc) failed"; exit 1; fi; \
	    n=$$((n + 1)); done; \
	  echo "-- $$cc: library and $$n examples built with -Werror, $$n examples ran ok"; \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc EXAMPLE_DEFS=-DMEMAPI_NO_INLINE_DISPATCH \
	    EXAMPLE_SUFFIX=-noinline examples; \
	  n=0; for e in $(EXAMPLES); do \
	    x=$(CHECK_BUILD)/$$cc/examples/$$e-noinline; \
	    if ! $$x >$$x.log 2>&1; then cat $$x.log; echo "check-build: example $$e ($$cc, no inline dispatch) failed"; exit 1; fi; \
	    n=$$((n + 1)); done; \
	  echo "-- $$cc: $$n examples built and ran with -DMEMAPI_NO_INLINE_DISPATCH (the exported dispatch functions)"; \
	done

check-freestanding:
	@set -e; for cc in gcc clang; do \
	  echo "-- FREESTANDING=1 with $$cc"; \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/freestanding-$$cc CC=$$cc FREESTANDING=1 all; \
	  NM=nm bash ci/check-nm.sh "freestanding $$cc" \
	    $(patsubst src/%.c,$(CHECK_BUILD)/freestanding-$$cc/obj-freestanding/%.o,$(CORE_SRCS)); \
	done
	@echo "-- Cortex-M4 cross build ($(ARM_CC))"
	@mkdir -p $(CHECK_BUILD)/cortex-m4
	@set -e; for s in $(CORE_SRCS); do \
	  $(ARM_CC) $(CPPFLAGS_LIB) $(ARM_CFLAGS) -c $$s -o $(CHECK_BUILD)/cortex-m4/$$(basename $$s .c).o; done
	@NM=arm-none-eabi-nm bash ci/check-nm.sh "cortex-m4" \
	  $(patsubst src/%.c,$(CHECK_BUILD)/cortex-m4/%.o,$(CORE_SRCS))
	@arm-none-eabi-size -t $(patsubst src/%.c,$(CHECK_BUILD)/cortex-m4/%.o,$(CORE_SRCS))
	@echo "-- cortex-m4 core text: $$(arm-none-eabi-size -t \
	  $(patsubst src/%.c,$(CHECK_BUILD)/cortex-m4/%.o,$(CORE_SRCS)) | awk 'END { print $$1 }') bytes"

check-symbols:
	@set -e; for cc in gcc clang; do \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc lib; \
	  bash ci/check-symbols.sh $(CHECK_BUILD)/$$cc/lib/libmemapi2.so.$(VERSION); \
	done

check-hardening:
	@set -e; for cc in gcc clang; do \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc lib; \
	  so=$(CHECK_BUILD)/$$cc/lib/libmemapi2.so.$(VERSION); \
	  hardening-check --nocfprotection --nofortify $$so; \
	  n=$$(objdump -d $$so | grep -c endbr64 || true); \
	  if [ "$$n" -eq 0 ]; then echo "check-hardening: no endbr64 in $$so ($$cc)"; exit 1; fi; \
	  echo "-- $$cc: hardening-check ok, $$n endbr64 instructions"; \
	done

check-install:
	@MAKE="$(SUBMAKE)" CHECK_BUILD=$(CHECK_BUILD) VERSION=$(VERSION) SOVERSION=$(SOVERSION) \
	  bash ci/check-install.sh

check-static:
	@CPPFLAGS_LIB="$(CPPFLAGS_LIB)" WARN="$(WARN)" CORE_SRCS="$(CORE_SRCS)" bash ci/check-static.sh

check-readme:
	@bash ci/check-readme.sh README.md examples/readme_example.c
