# make docs: the public headers and docs/design.md rendered with Doxygen (docs/Doxyfile) into
# $(DOCS_DIR)/html. Doxygen runs with WARN_AS_ERROR=FAIL_ON_WARNINGS, and this target also fails
# when its log has any warning line, so an undocumented symbol or an incomplete @param list stops it.

DOCS_DIR := $(BUILD)/docs
.PHONY: docs
docs:
	@rm -rf $(DOCS_DIR) && mkdir -p $(DOCS_DIR)
	@( cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $(DOCS_DIR)" ) | doxygen - > $(DOCS_DIR)/doxygen.log 2>&1 || \
	  { cat $(DOCS_DIR)/doxygen.log; echo "docs: doxygen failed"; exit 1; }
	@n=$$(grep -ciE 'warning|error' $(DOCS_DIR)/doxygen.log || true); \
	  if [ "$$n" -ne 0 ]; then cat $(DOCS_DIR)/doxygen.log; echo "docs: $$n warning lines"; exit 1; fi; \
	  echo "-- docs: $$(ls $(DOCS_DIR)/html/*.html | wc -l) HTML pages in $(DOCS_DIR)/html, 0 doxygen warnings"

CHECK_STAGES += docs
