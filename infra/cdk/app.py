"""CDK app for one stage: `python infra/cdk/app.py -c stage=prod` from the repo root, or `cdk synth` in infra/cdk."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# First on the path: Chalice packages the app by importing the module "app", which must be the repo root's app.py,
# not this file's folder that Python put first when running it as a script.
sys.path.insert(0, str(ROOT))

import aws_cdk as cdk  # noqa: E402

from infra.cdk.stack import MahnwerkStack  # noqa: E402


def context_arguments(argv: list[str]) -> dict[str, str]:
    """`-c key=value` pairs as the cdk CLI takes them, for running this file without the CLI."""
    context = {}
    for flag, pair in zip(argv, argv[1:], strict=False):
        if flag in ("-c", "--context") and "=" in pair:
            key, value = pair.split("=", 1)
            context[key] = value
    return context


def main(argv: list[str]) -> None:
    # Chalice's packaging needs a region even though the template is region-agnostic.
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("CDK_DEFAULT_REGION", "eu-central-1"))
    # The cdk CLI passes CDK_OUTDIR; run directly, write to ./cdk.out rather than a temporary folder.
    outdir = None if "CDK_OUTDIR" in os.environ else "cdk.out"
    app = cdk.App(outdir=outdir, context=context_arguments(argv))
    stage = str(app.node.try_get_context("stage") or "dev")
    # Chalice imports app.py to package it, and app.py registers routes by stage.
    os.environ["MAHNWERK_STAGE"] = stage
    MahnwerkStack(
        app,
        f"Mahnwerk-{stage}",
        stage=stage,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    app.synth()


if __name__ == "__main__":
    main(sys.argv[1:])
