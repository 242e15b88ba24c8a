"""``stack.skops_import``: what must hold is that its ``whichmodule`` names the same module as
the one it replaces (``skops.io._utils.whichmodule``, a copy of ``pickle.whichmodule``) for
every kind of object and name, and that in Rasa's venv it is in place once ``skops.io`` is
imported and gives the same trusted-type lists as skops's own."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from stack.skops_import import whichmodule

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


class Shelf:
    """An object standing in ``sys.modules`` (not a module), holding an attribute."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


@pytest.fixture
def odd_modules() -> Iterator[dict[str, Any]]:
    """Loaded 'modules' of every kind the walk meets, each holding a marker object."""
    marker, nested, lazy_only, shadow = object(), object(), object(), object()
    plain = ModuleType("t_plain")
    vars(plain).update(marker=marker, inner=Shelf(deeper=nested))
    lazy = ModuleType("t_lazy")  # a module-level __getattr__ (PEP 562), as lazy loaders use
    vars(lazy)["__getattr__"] = lambda name: lazy_only if name == "lazy_only" else _missing(name)
    subclass = type("Sub", (ModuleType,), {"shadow": property(lambda self: shadow)})("t_sub")
    raising = type("Raising", (ModuleType,), {"__getattr__": lambda self, name: _Namespace()})(
        "t_raising"
    )  # answers any name with an object raising RuntimeError on the next, as torch.classes
    added = {
        "t_raising": raising,
        "t_none": None,
        "t_plain": plain,
        "t_lazy": lazy,
        "t_shelf": Shelf(marker=object(), held=shadow),
        "t_sub": subclass,
    }
    sys.modules.update(added)
    try:
        yield {"marker": marker, "nested": nested, "lazy_only": lazy_only, "shadow": shadow}
    finally:
        for name in added:
            sys.modules.pop(name, None)


class _Namespace:
    """What ``torch.classes`` gives for any name: raises RuntimeError for any attribute."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(name)


def _missing(name: str) -> Any:
    raise AttributeError(name)


def test_same_module_as_pickles_walk_for_every_kind(odd_modules: dict[str, Any]) -> None:
    cases = [
        (odd_modules["marker"], "marker"),  # a plain module's attribute
        (odd_modules["nested"], "inner.deeper"),  # a dotted name
        (odd_modules["lazy_only"], "lazy_only"),  # only a module __getattr__ gives it
        (odd_modules["shadow"], "shadow"),  # a ModuleType subclass's property
        (odd_modules["shadow"], "held"),  # an object standing in sys.modules
        (object(), "marker"),  # nowhere: __main__
        (odd_modules["marker"], "f.<locals>.marker"),  # a local name: __main__
        (np.add, "add"),  # a ufunc: no __module__, what skops asks about
        (np.float64, "float64"),  # a class: its __module__
        (json.dumps, "dumps"),
        (sys.modules, "__dict__"),  # a name ModuleType itself defines
    ]
    for obj, name in cases:
        try:
            expected = pickle.whichmodule(obj, name)  # type: ignore[attr-defined]
        except RuntimeError:  # t_raising on a dotted name's later part, as torch.classes
            continue  # pickle's walk fails there; ours reads past it (asserted below)
        assert whichmodule(obj, name) == expected, name
    assert whichmodule(odd_modules["nested"], "inner.deeper") == "t_plain"
    assert whichmodule(odd_modules["lazy_only"], "lazy_only") == "t_lazy"
    assert whichmodule(odd_modules["shadow"], "held") == "t_shelf"


QUICK = r"""
import json, sys
from stack.skops_import import install, whichmodule
install()
import skops.io._trusted_types as trusted, skops.io._utils as utils
names = {k: getattr(trusted, k) for k in dir(trusted) if k.endswith("_NAMES")}
print(json.dumps({"patched": utils.whichmodule is whichmodule, "names": names}))
"""
PLAIN = r"""
import json
import skops.io._trusted_types as trusted
print(json.dumps({k: getattr(trusted, k) for k in dir(trusted) if k.endswith("_NAMES")}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs the Rasa venv (.venv-rasa)")
def test_in_rasas_venv_it_is_in_place_and_trusts_the_same_types() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def run(script: str) -> Any:
        done = subprocess.run(
            [str(RASA_PYTHON), "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])

    quick, plain = run(QUICK), run(PLAIN)
    assert quick["patched"]
    assert quick["names"] == plain
    assert sum(len(names) for names in plain.values()) > 300  # the ufuncs were listed
