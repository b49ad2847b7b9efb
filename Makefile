# yosan-extract: `make demo` and `make test` set everything up on a fresh
# Debian machine (Python 3.11, root) and then run.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-jpn fonts-ipaexfont fonts-dejavu-core poppler-utils \
  fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libreoffice-writer-nogui \
  libtesseract-dev libleptonica-dev g++ pkg-config chromium ghostscript
FONT := /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf
NOTO := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

.PHONY: setup system venv demo test lint bench clean fixtures

setup: system venv

# System packages: tesseract with Japanese data (OCR), the IPAex fonts
# (PDF fixtures), poppler-utils (pdftoppm for looking at pages); for the layout
# fixtures and renderings (fixtures/make_layouts.py, tests/render_html.py):
# the Noto CJK fonts (CFF), pango for WeasyPrint, harfbuzz's subsetter (WeasyPrint
# subsets fonts with it in seconds, and the committed fixtures were made with it)
# and LibreOffice Writer (soffice --convert-to pdf), and Chromium (headless print to PDF: the third
# producer, tests/test_chromium.py and bench_layouts --producers chromium), Ghostscript (its pdfwrite
# rewrites renderings as many municipal PDFs were made: tests/test_ghostscript.py, bench_layouts
# --rewrite ghostscript); and tesseract's headers, leptonica's, a C++
# compiler and pkg-config, to build tesserocr (tesseract in process, extract/ocr.py) against the
# system's libtesseract, the one the `tesseract` command runs.
system: $(VENV)/.system
$(VENV)/.system:
	@if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx jpn \
	   || [ ! -f $(FONT) ] || ! command -v pdftoppm >/dev/null \
	   || [ ! -f $(NOTO) ] || ! command -v soffice >/dev/null || ! command -v chromium >/dev/null \
	   || ! command -v gs >/dev/null \
	   || ! /sbin/ldconfig -p | grep -q libharfbuzz-subset || ! /sbin/ldconfig -p | grep -q libpangoft2 \
	   || ! command -v g++ >/dev/null || ! command -v pkg-config >/dev/null \
	   || ! pkg-config --exists tesseract lept \
	   || ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  echo "installing system packages: $(APT_PACKAGES) python3-venv"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) python3-venv >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml $(VENV)/.system
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools>=77"
	$(BIN)/python -m pip install -q --no-binary tesserocr -e ".[dev,ocr]"
	@touch $@

# The readable table of the bundled document, then where its full CSV is.
demo: setup
	@$(BIN)/yosan extract fixtures/mext-r2-science-points.txt -o out/demo.csv -q
	@$(BIN)/yosan show out/demo.csv
	@echo "All 197 records, every column: out/demo.csv (yosan extract FILE -o FILE.csv|.xlsx|.parquet)"

test: setup
	$(BIN)/ruff check extract tests cli.py fixtures
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check extract tests cli.py fixtures
	$(BIN)/ruff format --check extract tests cli.py fixtures

bench: setup
	$(BIN)/python bench/bench_pdf.py
	$(BIN)/python bench/bench_memory.py
	$(BIN)/python bench/bench_ocr.py
	$(BIN)/python bench/bench_layouts.py

fixtures: setup
	$(BIN)/python fixtures/make_pdfs.py
	$(BIN)/python fixtures/make_layouts.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
