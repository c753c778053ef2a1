# Build, install and static-check stages of `make check` (ci/check-*.sh hold the longer logic).
#
#   check-build         library + examples with gcc and with clang (-Werror), every example run
#   check-freestanding  FREESTANDING=1 with gcc and clang: the core objects may reference only
#                       memapi_* / memapi__* symbols they define themselves; then FREESTANDING=1
#                       install (static library, core headers, config.h recording the build)
#                       (the cross targets are check-cross, mk/cross.mk)
#   check-install       staged install moved elsewhere (relocatable), consumers through pkg-config
#                       (shared, static, the README's lines) and CMake (tests/cmake-consumer), the
#                       installed config.h against a CHECKED_OPS=0 build, uninstall
#   check-cxx           tests/cxx/consumer.cpp with g++ and clang++, C++11 to C++20, -Wpedantic -Werror
#   check-symbols       the shared library exports memapi_* symbols and the version node only
#   check-hardening     ci/check-hardening.sh: hardening-check's full report equals the README's,
#                       endbr64 present, CET note absent as the README states, GNU_STACK RW
#   check-static        cppcheck and gcc -fanalyzer over src/, zero findings
#   check-readme        README usage example == examples/readme_example.c
#   check-demo          make demo prints each example's one-sentence heading and its output, and no
#                       build line
#
# Each stage builds what it needs under $(CHECK_BUILD), so any one can run alone. They are put in
# front of the other fragments' stages: they are fast and their failures explain later ones.

CHECK_BUILD := $(BUILD)/check
DIST_STAGES := check-readme check-build check-demo check-freestanding check-symbols check-hardening \
               check-install check-cxx check-static
CHECK_STAGES := $(DIST_STAGES) $(CHECK_STAGES)

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
	@rm -rf $(CHECK_BUILD)/freestanding-stage
	@$(SUBMAKE) -s BUILD=$(CHECK_BUILD)/freestanding-gcc CC=gcc FREESTANDING=1 \
	  DESTDIR=$(abspath $(CHECK_BUILD))/freestanding-stage PREFIX=/usr install
	@set -e; d=$(CHECK_BUILD)/freestanding-stage/usr; \
	  test -f $$d/lib/libmemapi2.a && test ! -e $$d/lib/libmemapi2.so; \
	  grep -qx '#define MEMAPI_FREESTANDING 1' $$d/include/memapi2/config.h; \
	  test ! -e $$d/include/memapi2/default.h; \
	  echo 'int main(void) { memapi_layout l; return memapi_layout_from_size_align(8, 8, &l, 0) != MEMAPI_OK; }' | \
	    gcc -std=c11 -Wall -Wextra -Werror -include memapi2.h -I$$d/include -x c - -x none $$d/lib/libmemapi2.a \
	      -o $(CHECK_BUILD)/freestanding-stage/consumer; \
	  $(CHECK_BUILD)/freestanding-stage/consumer; \
	  echo "-- FREESTANDING=1 install: static library and core headers, config.h records FREESTANDING 1; a consumer built without -D ran"

check-symbols:
	@set -e; for cc in gcc clang; do \
	  $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc lib; \
	  bash ci/check-symbols.sh $(CHECK_BUILD)/$$cc/lib/libmemapi2.so.$(VERSION); \
	done

check-hardening:
	@set -e; for cc in gcc clang; do $(SUBMAKE) -s BUILD=$(CHECK_BUILD)/$$cc CC=$$cc lib \
	  $(CHECK_BUILD)/$$cc/lib/libmemapi2-preload.so; done
	@bash ci/check-hardening.sh $(CHECK_BUILD)/gcc/lib/libmemapi2.so.$(VERSION) \
	  $(CHECK_BUILD)/clang/lib/libmemapi2.so.$(VERSION) \
	  $(CHECK_BUILD)/gcc/lib/libmemapi2-preload.so $(CHECK_BUILD)/clang/lib/libmemapi2-preload.so

check-install:
	@MAKE="$(SUBMAKE)" CHECK_BUILD=$(CHECK_BUILD) VERSION=$(VERSION) SOVERSION=$(SOVERSION) \
	  bash ci/check-install.sh

# C++ callers: every header and type macro, compiled from C++11 to C++20 and run against the C library.
CXX_STDS := c++11 c++14 c++17 c++20
check-cxx:
	@$(SUBMAKE) -s BUILD=$(CHECK_BUILD)/gcc CC=gcc lib
	@set -e; for cxx in g++ clang++; do for std in $(CXX_STDS); do \
	  x=$(CHECK_BUILD)/cxx-$$cxx-$$std; \
	  $$cxx -std=$$std -Wall -Wextra -Wpedantic -Werror -Iinclude tests/cxx/consumer.cpp \
	    $(CHECK_BUILD)/gcc/lib/libmemapi2.a -lpthread -o $$x; \
	  $$x > $$x.log || { cat $$x.log; echo "check-cxx: $$cxx -std=$$std consumer failed"; exit 1; }; \
	done; echo "-- $$cxx: consumer built with -Wall -Wextra -Wpedantic -Werror and ran ok for $(CXX_STDS)"; done

check-static:
	@CPPFLAGS_LIB="$(CPPFLAGS_LIB)" WARN="$(WARN)" CORE_SRCS="$(CORE_SRCS)" bash ci/check-static.sh

check-demo:
	@rm -rf $(CHECK_BUILD)/demo
	@$(SUBMAKE) BUILD=$(CHECK_BUILD)/demo demo > $(CHECK_BUILD)/demo.log 2>&1 || \
	  { cat $(CHECK_BUILD)/demo.log; echo "check-demo: make demo failed"; exit 1; }
	@set -e; for e in $(DEMO_EXAMPLES); do \
	  grep -qx "== $$e: .*[.]" $(CHECK_BUILD)/demo.log || { echo "check-demo: no heading sentence for $$e"; exit 1; }; done; \
	  if grep -qE '^(gcc|clang|cc|ar|mkdir|make)( |\[)' $(CHECK_BUILD)/demo.log; then \
	    echo "check-demo: make demo printed build lines"; exit 1; fi; \
	  echo "-- make demo: $(words $(DEMO_EXAMPLES)) sections, each with its heading sentence, $$(wc -l < $(CHECK_BUILD)/demo.log) lines, no build line"

check-readme:
	@bash ci/check-readme.sh README.md examples/readme_example.c
