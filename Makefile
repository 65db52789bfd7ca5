# The two commands: `make briefs` and `make test`. Each sets itself up on a fresh machine
# (python3, pip and make are all it needs) by creating .venv and installing briefgen into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready

.PHONY: briefs test check bench golden preview clean csl-suite

briefs: $(READY)
	$(BIN)/briefgen build --all

test: $(READY)
	$(BIN)/python -m pytest

check: $(READY)
	$(BIN)/briefgen check

bench: $(READY)
	$(BIN)/python bench/run.py

# The first page of every PDF as PNG, for a person to look at: dist/preview/NAME.png (Typst)
# and dist/preview/NAME.weasyprint.png (the same brief laid out by WeasyPrint).
preview: briefs
	@command -v pdftoppm >/dev/null || { echo "preview needs pdftoppm (Debian: poppler-utils)"; exit 1; }
	$(BIN)/briefgen build --all --format pdf --pdf-engine weasyprint --out dist/weasyprint
	@mkdir -p dist/preview
	@for pdf in dist/*.pdf; do \
	  name=$$(basename "$$pdf" .pdf); \
	  pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$$pdf" "dist/preview/$$name"; \
	  pdftoppm -png -r 80 -f 1 -l 1 -singlefile "dist/weasyprint/$$name.pdf" "dist/preview/$$name.weasyprint"; \
	  echo "dist/preview/$$name.png dist/preview/$$name.weasyprint.png"; \
	done

# Rewrite the golden files (writers, every bundled brief, and the bad-input corpus's expected
# messages) from the current code; review the diff before committing.
golden: $(READY)
	BRIEFGEN_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q tests/writers tests/test_briefs_golden.py tests/test_bad_input.py

# Debian's python3 lacks ensurepip unless python3-venv is installed: then make the venv
# without pip and let the system pip install pip into it (`pip --python`, pip >= 22.3).
$(READY): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV) && $(PYTHON) -m venv --without-pip $(VENV) && \
	  $(PYTHON) -m pip --python $(BIN)/python install --quiet pip; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) dist bench/results.json bench/results.md .pytest_cache

# The CSL processor test suite through the cite stage: passed / failed / not expressible by
# fixture category, written to tests/csl-suite.md (the suite is read from ../shared/csl-test-suite
# or $BRIEFGEN_CSL_SUITE, never copied in).
csl-suite: $(READY)
	$(BIN)/python tests/cite/csl_suite.py
