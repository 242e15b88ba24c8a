"""Console users in Redis (``user:{username}``): adviser, editor, manager or admin."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Literal

from gateway.auth.passwords import hash_password, needs_rehash, verify_password
from gateway.redis_client import StrRedis
from gateway.settings import Settings

ROLES = ("adviser", "editor", "manager", "admin")
RoleName = Literal["adviser", "editor", "manager", "admin"]
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class User:
    """A signed-in console user."""

    username: str
    display_name: str
    role: str

    def has_role(self, role: str) -> bool:
        """Admins may do everything; others only their own role."""
        return self.role == role or self.role == "admin"

    def to_json(self) -> dict[str, str]:
        """JSON for the console."""
        return {"username": self.username, "display_name": self.display_name, "role": self.role}


class UserStore:
    """Create users and check their passwords."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def key(self, username: str) -> str:
        """The user's hash."""
        return self.settings.key("user", username)

    async def create(self, username: str, password: str, role: str,
                     display_name: str | None = None, replace: bool = False) -> User:
        """Create (or, with ``replace``, reset) a user; raises ValueError on bad input."""
        if not USERNAME.match(username):
            raise ValueError("Usernames are lower-case letters, digits, '.', '_' or '-'.")
        if role not in ROLES:
            raise ValueError(f"The role must be one of {', '.join(ROLES)}.")
        key = self.key(username)
        if not replace and await self.redis.exists(key):
            raise ValueError(f"There is already a user called {username}.")
        name = (display_name or username).strip()[:64]
        hashed = await asyncio.to_thread(hash_password, password)
        await self.redis.hset(key, mapping={
            "password": hashed, "role": role, "display_name": name,
            "created": f"{time.time():.0f}",
        })
        return User(username=username, display_name=name, role=role)

    async def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right, else None (same cost either way)."""
        data = await self.redis.hgetall(self.key(username)) if USERNAME.match(username) else {}
        stored = data.get("password")
        # argon2 is deliberately slow: run it in a thread so sign-ins never stall the sockets
        if not await asyncio.to_thread(verify_password, stored, password) or not stored:
            return None
        if needs_rehash(stored):
            rehashed = await asyncio.to_thread(hash_password, password)
            await self.redis.hset(self.key(username), "password", rehashed)
        return User(username=username, display_name=data.get("display_name", username),
                    role=data.get("role", "adviser"))

    async def exists(self, username: str) -> bool:
        """Whether the user exists."""
        return bool(await self.redis.exists(self.key(username)))
