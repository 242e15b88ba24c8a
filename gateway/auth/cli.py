"""``python -m gateway create-user NAME --role adviser``: add a console user."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from gateway.auth.passwords import check_strength
from gateway.auth.users import ROLES, UserStore
from gateway.redis_client import connect
from gateway.settings import Settings


def read_password(from_stdin: bool) -> str:
    """From stdin (first line) or an interactive prompt asked twice."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise ValueError("The two passwords are different.")
    return first


async def _create(settings: Settings, name: str, password: str, role: str,
                  display_name: str | None, replace: bool) -> None:
    redis = connect(settings)
    try:
        await UserStore(redis, settings).create(name, password, role, display_name, replace)
    finally:
        await redis.aclose()


def create_user(argv: list[str]) -> int:
    """Parse arguments, read the password, store the user; 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m gateway create-user")
    parser.add_argument("name")
    parser.add_argument("--role", choices=ROLES, required=True)
    parser.add_argument("--display-name", help="shown to citizens (first name only) and colleagues")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin")
    parser.add_argument("--replace", action="store_true", help="reset an existing user")
    args = parser.parse_args(argv)
    try:
        password = read_password(args.password_stdin)
        problem = check_strength(password)
        if problem:
            raise ValueError(problem)
        asyncio.run(_create(Settings(), args.name, password, args.role, args.display_name,
                            args.replace))
    except ValueError as exc:
        print(f"Not created: {exc}", file=sys.stderr)
        return 2
    print(f"Created {args.role} {args.name}.")
    return 0
