# The preload library (src/preload/preload.c; README.md, "The preload library").
#
#   make                  also builds $(PRELOAD): the C allocation functions of an unmodified
#                         program (LD_PRELOAD) served by the guard, tracking and failing allocators
#   make install          also installs it in $(LIBDIR)
#   make check-preload    (check stage) tests/preload/run.sh: planted bugs caught with their exact
#                         messages, fork and threads, then python3's own test suite (a chunk of
#                         the standard library's) and a scripted sqlite3 shell workload under the
#                         preload: guarded 1 in 1 and 1 in 100, and tracked; they must pass with
#                         no report at all
#
# It is the library's objects (built with the hardened flags of `make lib`) plus preload.c, linked
# with a version script that exports the interposed functions only.

ifneq ($(FREESTANDING),1)
PRELOAD := $(BUILD)/lib/libmemapi2-preload.so

all: $(PRELOAD)

$(PRELOAD): src/preload/preload.c src/preload/preload.map $(LIB_OBJS) | $(BUILD)/lib
	$(CC) $(CPPFLAGS_LIB) $(CFLAGS_LIB) -fno-builtin src/preload/preload.c $(LIB_OBJS) \
	  -shared -Wl,-z,relro,-z,now -Wl,-z,noexecstack -Wl,--as-needed -Wl,-z,defs \
	  -Wl,--version-script=src/preload/preload.map -o $@ -lpthread

.PHONY: install-preload uninstall-preload check-preload
install: install-preload
uninstall: uninstall-preload

install-preload: $(PRELOAD)
	install -d $(DESTDIR)$(LIBDIR)
	install -m 755 $(PRELOAD) $(DESTDIR)$(LIBDIR)/

uninstall-preload:
	rm -f $(DESTDIR)$(LIBDIR)/libmemapi2-preload.so

PRELOAD_TEST_DIR := $(BUILD)/preload-test

$(PRELOAD_TEST_DIR)/planted: tests/preload/planted.c | $(PRELOAD_TEST_DIR)
	$(CC) -std=c11 -O0 -g -Wall -Wextra -Werror $< -o $@ -lpthread

$(PRELOAD_TEST_DIR):
	mkdir -p $@

check-preload: $(PRELOAD) $(PRELOAD_TEST_DIR)/planted
	@bash tests/preload/run.sh $(abspath $(PRELOAD)) $(PRELOAD_TEST_DIR)

CHECK_STAGES += check-preload
endif
