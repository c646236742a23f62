# Mahnwerk's front door. Every target creates and uses .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
DAY_SECONDS ?= 0.5
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: demo up test lint bench synth package clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

demo: $(STAMP)  ## run a dozen claims through the whole ladder on the embedded local AWS
	$(BIN)/python -m infra.local.demo

up: $(STAMP)  ## serve the local stack in the foreground (PORT, DAY_SECONDS)
	$(BIN)/python -m infra.local --port $(PORT) --day-seconds $(DAY_SECONDS)

test: $(STAMP)  ## the whole suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)  ## ruff (lint + format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app.py chalicelib infra tests bench

bench: $(STAMP)  ## benchmarks (ratios), not tests
	$(BIN)/python -m bench

synth: $(STAMP)  ## synthesize the AWS stack into cdk.out (no credentials needed)
	rm -rf cdk.out chalice.out
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/python infra/cdk/app.py

package: $(STAMP)  ## package the Chalice app for the dev stage into chalice.out
	AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-eu-central-1} $(BIN)/chalice package --stage dev chalice.out

clean:
	rm -rf $(VENV) cdk.out chalice.out .pytest_cache .mypy_cache .ruff_cache
