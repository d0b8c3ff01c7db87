# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL ?= WARNING

.PHONY: demo test install system-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# the two demo years into one warehouse: the 2014 list (FY2013), then the 2015 list (FY2014),
# whose report compares with it
demo: install
	bash scripts/system-deps.sh --fonts
	$(BIN)/top100 run --year 2013 --demo
	$(BIN)/top100 run --year 2014 --demo

# What the tests need from the system: PostgreSQL up, Debian's chromium, poppler-utils and a CJK font.
system-deps:
	bash scripts/system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf out .pytest_cache
