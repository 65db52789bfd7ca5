# The two commands: `make briefs` and `make test`. Each sets itself up on a fresh machine
# (python3, pip and make are all it needs) by creating .venv and installing briefgen into it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.ready
# Every package the venv gets, at an exact version with its hashes: yesterday's green holds
# today. `make lock` refreshes it from pyproject.toml's ranges (uv, itself pinned here).
LOCK   := requirements.txt
UV     := uv==0.13.9
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: briefs test check bench golden preview clean lock csl-suite

briefs: $(READY)
	$(BIN)/briefgen build --all

test: $(READY)
	$(BIN)/python -m pytest -n auto --dist loadfile

check: $(READY)
	$(BIN)/briefgen check

bench: $(READY)
	$(BIN)/python bench/run.py

# The first page of every brief in its three renderings, as PNG in dist/preview/, for a person
# to look at: NAME.png (Typst), NAME.weasyprint.png (WeasyPrint) and NAME.docx.png (the DOCX as
# LibreOffice lays it out, when LibreOffice is installed); dist/preview/index.html shows them
# side by side.
preview: briefs
	@command -v pdftoppm >/dev/null || { echo "preview needs pdftoppm (Debian: poppler-utils)"; exit 1; }
	$(BIN)/briefgen build --all --format pdf --pdf-engine weasyprint --out dist/weasyprint
	@mkdir -p dist/preview dist/docx-pdf
	@if command -v soffice >/dev/null; then \
	  profile=$$(mktemp -d); \
	  soffice -env:UserInstallation=file://$$profile --headless --convert-to pdf \
	    --outdir dist/docx-pdf dist/*.docx >/dev/null 2>&1; rm -rf "$$profile"; \
	else echo "no LibreOffice (soffice): the DOCX is left out of the preview"; fi
	@echo '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>briefgen preview</title>' > dist/preview/index.html
	@echo '<style>img{width:32%;border:1px solid #ccc;margin:2px}</style>' >> dist/preview/index.html
	@for pdf in dist/*.pdf; do \
	  name=$$(basename "$$pdf" .pdf); \
	  pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$$pdf" "dist/preview/$$name"; \
	  pdftoppm -png -r 80 -f 1 -l 1 -singlefile "dist/weasyprint/$$name.pdf" "dist/preview/$$name.weasyprint"; \
	  row="<h2>$$name</h2><img src=\"$$name.png\" alt=\"$$name, Typst\"><img src=\"$$name.weasyprint.png\" alt=\"$$name, WeasyPrint\">"; \
	  if [ -f "dist/docx-pdf/$$name.pdf" ]; then \
	    pdftoppm -png -r 80 -f 1 -l 1 -singlefile "dist/docx-pdf/$$name.pdf" "dist/preview/$$name.docx"; \
	    row="$$row<img src=\"$$name.docx.png\" alt=\"$$name, DOCX (LibreOffice)\">"; \
	  fi; \
	  echo "$$row" >> dist/preview/index.html; \
	  echo "dist/preview/$$name.png dist/preview/$$name.weasyprint.png"; \
	done
	@echo "dist/preview/index.html"

# Rewrite the golden files (writers, every bundled brief, and the bad-input corpus's expected
# messages) from the current code. Each golden test writes its file and fails, so this never
# passes as a test run; review the diff, then run `make test`.
golden: $(READY)
	-BRIEFGEN_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/writers \
	  tests/test_briefs_golden.py tests/test_bad_input.py >/dev/null
	@git status --short -- tests
	@echo "golden files rewritten: review the diff above, then run make test"

# Debian's python3 lacks ensurepip unless python3-venv is installed: then make the venv
# without pip and let the system pip install pip into it (`pip --python`, pip >= 22.3).
$(READY): pyproject.toml $(LOCK)
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  rm -rf $(VENV) && $(PYTHON) -m venv --without-pip $(VENV) && \
	  $(PYTHON) -m pip --python $(BIN)/python install --quiet pip; }
	$(PIP) install --require-hashes --only-binary :all: -r $(LOCK)
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

# The lock covers every platform (--universal) and the build backend (setuptools), so the
# editable install above needs nothing from outside it.
lock: $(READY)
	$(PIP) install $(UV)
	printf 'setuptools>=68\n' | $(BIN)/uv pip compile pyproject.toml - --extra test \
	  --generate-hashes --universal --python-version 3.11 --quiet -o $(LOCK)

clean:
	rm -rf $(VENV) dist bench/results.json bench/results.md .pytest_cache

# The CSL processor test suite through the cite stage: passed / failed / not expressible by
# fixture category, written to tests/csl-suite.md (the suite is read from ../shared/csl-test-suite
# or $BRIEFGEN_CSL_SUITE, never copied in).
csl-suite: $(READY)
	$(BIN)/python tests/cite/csl_suite.py
