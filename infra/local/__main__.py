"""`make up`: serve the embedded local AWS in the foreground."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from infra.local.stack import LocalStack


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--day-seconds", type=float, default=float(os.environ.get("DAY_SECONDS", "86400")))
    parser.add_argument("--moto-port", type=int, default=0, help="moto's port (default: a free one)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    stack = LocalStack(port=args.port, day_seconds=args.day_seconds, moto_port=args.moto_port).start()
    out = sys.stdout
    out.write(f"Mahnwerk local stack ready at {stack.url}\n")
    out.write(f"  demo API key:   {stack.api_keys['demo']}   (other tenant: {stack.api_keys['other']})\n")
    out.write(f"  DAY_SECONDS:    {stack.day_seconds}   (one strategy day in real seconds)\n")
    out.write(f"  outbox:         {stack.url}/_local/outbox    clock: {stack.url}/_local/clock\n")
    out.write(f"  webhooks out:   register {stack.url}/_local/receivers/<name>, read it back there\n")
    out.write(f"  API document:   {stack.url}/v1/openapi.json\n")
    out.write(f"  moto (AWS):     {stack.moto_url}\n")
    out.flush()
    try:
        stack.wait()
    except KeyboardInterrupt:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
