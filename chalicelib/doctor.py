"""Operator sweep: `python -m chalicelib.doctor [--tenant acme] [--repair]`.

Finds every claim whose ladder is alive but whose workflow is not running, and every closed claim whose
workflow still runs (services.doctor). Prints one line per finding and exits 1 when there is any, 0 when all is
well, so that a schedule or a test can run it. `--repair` also does the safe thing for each: start the next
execution of a live claim, stop the executions of a closed one.

Works against a deployed stage (`--stage prod`, default credentials) or the local stack (`--stage local
--endpoint-url` = the moto URL `make up` prints), with the same environment as chalicelib.cli.
"""

from __future__ import annotations

import argparse
import sys

from chalicelib.cli import container_for, environment_arguments
from chalicelib.services.doctor import SETTLE_SECONDS


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    app = container_for(args)
    from chalicelib.services.doctor import repair, sweep

    tenant_ids = args.tenant or app.tenants.ids()
    findings = sweep(tenant_ids, app.claims, app.workflow, app.clock, settle=args.settle)
    for finding in findings:
        line = finding.describe()
        if args.repair:
            line += f" → {repair(finding, app.workflow)}"
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"{len(findings)} finding(s) in {len(tenant_ids)} tenant(s)\n")
    return 1 if findings else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--tenant", action="append", default=[], help="only this tenant (repeatable; default: all)")
    parser.add_argument("--repair", action="store_true", help="start missing executions, stop orphaned ones")
    parser.add_argument(
        "--settle", type=float, default=SETTLE_SECONDS, help="seconds before a finding is looked at again"
    )
    environment_arguments(parser)
    return parser


if __name__ == "__main__":
    sys.exit(main())
