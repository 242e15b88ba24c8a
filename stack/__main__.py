"""``python -m stack run|prepare``: run the assistant, or bring its artefacts up to date."""

from __future__ import annotations

import argparse

from stack.prepare import prepare
from stack.runner import run
from stack.settings import StackSettings


def main() -> int:
    """Parse the command line and do what it says."""
    parser = argparse.ArgumentParser(prog="python -m stack")
    parser.add_argument("command", choices=["run", "prepare"])
    args = parser.parse_args()
    settings = StackSettings()
    if args.command == "prepare":
        prepare(settings)
        return 0
    return run(settings)


if __name__ == "__main__":
    raise SystemExit(main())
