"""Demo users for development and test runs only (never in production)."""

from __future__ import annotations

import secrets
import sys

from gateway.auth.users import UserStore
from gateway.settings import Settings

DEMO_USERS = (("sam", "adviser", "Sam Patel"), ("eddie", "editor", "Eddie Jones"),
              ("meg", "manager", "Meg Adeyemi"), ("ada", "admin", "Ada Okafor"))


async def seed_demo_users(users: UserStore, settings: Settings) -> None:
    """Create (or reset) sam/eddie/meg/ada with ``DEMO_PASSWORD`` or a printed random password."""
    if settings.assistant_env == "production":
        raise RuntimeError("demo users are not allowed in production")
    if settings.demo_password is not None:
        password, shown = settings.demo_password.get_secret_value(), "(from DEMO_PASSWORD)"
    else:
        password = secrets.token_urlsafe(12)
        shown = password
    for username, role, name in DEMO_USERS:
        await users.create(username, password, role, name, replace=True)
    print(f"Demo users sam (adviser), eddie (editor), meg (manager), ada (admin); "
          f"password: {shown}",
          file=sys.stderr, flush=True)
