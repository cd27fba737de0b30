# Two commands on a fresh machine:  `make demo` (the studio on the example story)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# extwee, an independent Twee 3 parser the export tests check our Twee against (Node.js)
JS := tests/twee-js
JS_STAMP := $(JS)/node_modules/.installed

.PHONY: demo test setup lint bench

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[fast,export,dev]"
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
