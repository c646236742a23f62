# Mahnwerk's front door. Every target creates and uses .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCAL := $(VENV)/.installed-local
DEV := $(VENV)/.installed-dev
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
PORT ?= 8000
DAY_SECONDS ?= 0.5
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: demo up test lint bench synth package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# demo and up need only the local stack; tests, linters and CDK add the rest.
$(LOCAL): requirements.txt requirements-local.txt | $(BIN)/python
	$(PIP) -r requirements-local.txt
	touch $@

$(DEV): $(LOCAL) requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $@

demo: $(LOCAL)  ## run 14 claims through the whole ladder on the embedded local AWS
	$(BIN)/python -m infra.local.demo

up: $(LOCAL)  ## serve the local stack in the foreground (PORT, DAY_SECONDS)
	$(BIN)/python -m infra.local --port $(PORT) --day-seconds $(DAY_SECONDS)

CHROMIUM := /usr/bin/chromium
PDFTOTEXT := /usr/bin/pdftotext

# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium >/dev/null

# The letter tests read the PDF back as text with poppler's pdftotext.
$(PDFTOTEXT):
	apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null

test: $(DEV) $(CHROMIUM) $(PDFTOTEXT)  ## the whole suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(DEV)  ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app.py chalicelib infra tests bench

bench: $(LOCAL)  ## benchmarks (ratios), not tests
	$(BIN)/python -m bench

synth: $(DEV)  ## synthesize the AWS stack into cdk.out (no credentials needed)
	rm -rf cdk.out chalice.out
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/python infra/cdk/app.py

package: $(DEV)  ## package the Chalice app for the dev stage into chalice.out
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/chalice package --stage dev chalice.out

clean:
	rm -rf $(VENV) cdk.out chalice.out .pytest_cache .mypy_cache .ruff_cache
