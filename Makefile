# The two commands of the README:
#   make demo   installs Spectro, writes a demo logdir and starts TensorBoard on it
#   make test   installs what the tests need and runs every test
# Both work on a machine with only Python: everything goes into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOGDIR ?= demo_logdir
PORT ?= 6006
BUNDLE := tb_plugin_spectro/static/index.js
FRONTEND_INPUTS := $(shell find frontend/src frontend/types -name '*.ts' 2>/dev/null) \
	frontend/tsconfig.json package.json package-lock.json tools/build_frontend.py tools/gen_colormaps.py

.PHONY: test demo install frontend protos test-tf clean screenshot bench format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.py pyproject.toml build_backend/spectro_backend.py MANIFEST.in package.json package-lock.json
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The pane's bundle. The install builds it too; this rebuilds it when a source
# changed since, as the server tests serve it from the source tree.
$(BUNDLE): $(VENV)/.installed $(FRONTEND_INPUTS)
	$(BIN)/python tools/build_frontend.py

frontend: $(VENV)/.installed
	$(BIN)/python tools/build_frontend.py

test: $(VENV)/.installed $(BUNDLE)
	$(BIN)/python -m pytest tests

# The summary ops through TF2's writers too, in an environment of their own
# (TensorFlow is large, and optional for Spectro).
test-tf: $(VENV)/.installed
	test -x build/tf-venv/bin/python || $(PYTHON) -m venv build/tf-venv
	build/tf-venv/bin/python -m pip install --quiet tensorflow-cpu -e '.[test]'
	build/tf-venv/bin/python -m pytest tests/test_summary.py tests/test_bad_input.py

# Formats both languages in place: ruff for Python, prettier for TypeScript.
# tests/test_style.py fails on what this would change.
format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/python tools/build_frontend.py --npm-script format

# Regenerates tb_plugin_spectro/*_pb2.py(i) with the pinned protoc.
protos:
	$(PYTHON) tools/gen_protos.py

clean:
	rm -rf $(VENV) build dist *.egg-info node_modules $(BUNDLE) tb_plugin_spectro/static/decode-worker.js frontend/src/colormaps/data.ts

# Retakes the README's picture of the tab from the demo data, in Chromium.
screenshot: $(VENV)/.installed $(BUNDLE)
	SPECTRO_SCREENSHOT=$(CURDIR)/docs/spectro-tab.png $(BIN)/python -m pytest -q tests/test_browser.py -k screenshot

# Spectro against the matplotlib-figure way: prints tables, writes
# build/benchmarks.json and puts the tables in the README. A few minutes.
bench: $(VENV)/.installed $(BUNDLE)
	$(BIN)/python -m benchmarks --readme README.md

# Writes the demo logdir (once) and starts TensorBoard on it.
demo: $(VENV)/.installed $(BUNDLE)
	test -d $(LOGDIR) || $(BIN)/python -m tb_plugin_spectro.demo $(LOGDIR)
	$(BIN)/tensorboard --logdir $(LOGDIR) --port $(PORT)
