"""The commands the launcher runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from stack.processes import StackLayout, assistant_processes


def _layout(token: str = "t") -> StackLayout:
    return StackLayout(root=Path("/repo"), redis_url="redis://127.0.0.1:6379/0",
                       model=Path("/repo/models/m.tar.gz"), rasa_bin=Path("/v/bin/rasa"),
                       app_python=Path("/v/bin/python"), rasa_token=token)


def _rasa_command(token: str) -> list[str]:
    return next(p.command for p in assistant_processes(_layout(token)) if p.name == "rasa")


def test_every_part_runs_one_blas_and_one_openmp_thread() -> None:
    """OpenBLAS's extra threads spin after each small matrix product, and FAISS's OpenMP team
    after each search: the action server's CPU per turn fell by half, then by a third, without
    them (ADR 0306). The production env file says the same for the systemd units."""
    env_file = Path(__file__).resolve().parents[2] / "deploy/systemd/assistant.env.example"
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        for spec in assistant_processes(_layout()):
            assert spec.env[variable] == "1", (spec.name, variable)
        assert f"\n{variable}=1\n" in env_file.read_text(encoding="utf-8"), variable


def test_a_token_starting_with_a_dash_reaches_rasa() -> None:
    """The token is random URL-safe text, so one in 64 starts with "-". Given as a separate
    argument, argparse (which ``rasa run`` uses) takes it for an option and stops the start
    ("expected one argument"); given as ``--auth-token=…`` it is the token."""
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--auth-token")
    parser.add_argument("--enable-api", action="store_true")
    command = _rasa_command("-starts-with-a-dash")
    known, _ = parser.parse_known_args(command[command.index("--enable-api"):])
    assert known.auth_token == "-starts-with-a-dash"
    with pytest.raises(argparse.ArgumentError):
        parser.parse_known_args(["--auth-token", "-starts-with-a-dash"])
