# The two commands of the README:
#   make demo   installs Spectro, writes a demo logdir and starts TensorBoard on it
#   make test   installs what the tests need and runs every test
# Both work on a machine with only Python: everything goes into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOGDIR ?= demo_logdir
PORT ?= 6006

.PHONY: test demo install protos test-tf clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.py pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

test: $(VENV)/.installed
	$(BIN)/python -m pytest tests

# The summary ops through TF2's writers too, in an environment of their own
# (TensorFlow is large, and optional for Spectro).
test-tf: $(VENV)/.installed
	test -x build/tf-venv/bin/python || $(PYTHON) -m venv build/tf-venv
	build/tf-venv/bin/python -m pip install --quiet tensorflow-cpu -e '.[test]'
	build/tf-venv/bin/python -m pytest tests/test_summary.py tests/test_bad_input.py

# Regenerates tb_plugin_spectro/*_pb2.py(i) with the pinned protoc.
protos:
	$(PYTHON) tools/gen_protos.py

clean:
	rm -rf $(VENV) build dist *.egg-info

# Writes the demo logdir (once) and starts TensorBoard on it.
demo: $(VENV)/.installed
	test -d $(LOGDIR) || $(BIN)/python -m tb_plugin_spectro.demo $(LOGDIR)
	$(BIN)/tensorboard --logdir $(LOGDIR) --port $(PORT)
