"""A quicker ``import skops.io`` in Rasa's processes, with the same result.

Rasa 3.6 stores its logistic regression classifier with ``skops``; loading (or training) a
model imports ``skops.io``, whose ``_trusted_types`` lists, at import, the numpy and scipy
ufuncs it trusts. A ufunc has no ``__module__``, so for each of them ``skops.io._utils``'
``whichmodule`` (a copy of ``pickle.whichmodule``) walks every loaded module, about 6,000 once
Rasa has imported TensorFlow, asking each for the name through ``getattr``; each miss raises and
formats an ``AttributeError`` that shows the module. That import took 11.2 s of every Rasa
start on the shared 2-core machine (once per Rasa server, ``rasa test`` and ``rasa train``).

:func:`whichmodule` walks the same modules in the same order and returns the same first match:
for a plain module without a module-level ``__getattr__`` it reads the module's namespace, which
is what ``getattr`` does for a name that ``ModuleType`` itself does not define; anything else
(a lazy module, an object standing in ``sys.modules``, a dotted name's later parts) still goes
through ``getattr``. The same import took 3.8 s, with the same trusted-type lists.
:func:`install` puts it in place as ``skops.io._utils`` is imported; nothing else changes.
Runs in the Rasa venv (Python 3.10), before Rasa loads anything.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

TARGET = "skops.io._utils"
_MISSING = object()


def _attribute(owner: Any, name: str) -> Any:
    """``getattr(owner, name, _MISSING)``, reading a plain module's namespace directly.

    A lookup that raises anything else than ``AttributeError`` is a miss too: a loaded module
    may answer any name with an object that raises on the next part of a dotted name
    (``torch.classes`` raises ``RuntimeError``), which would make the original walk fail."""
    if type(owner) is ModuleType and not hasattr(ModuleType, name):
        namespace = vars(owner)
        found = namespace.get(name, _MISSING)
        if found is not _MISSING or "__getattr__" not in namespace:
            return found
    try:
        return getattr(owner, name, _MISSING)
    except Exception:  # any failing lookup means "not here"
        return _MISSING


def whichmodule(obj: Any, name: str) -> str:
    """The name of the first loaded module holding ``obj`` as ``name`` (dotted names allowed),
    else ``"__main__"``: what ``skops.io._utils.whichmodule`` returns, without its errors."""
    module_name = getattr(obj, "__module__", None)
    if module_name is not None:
        return module_name
    parts = name.split(".")
    if "<locals>" in parts:  # the original fails on every module for such a name
        return "__main__"
    for module_name, module in sys.modules.copy().items():
        if module_name in ("__main__", "__mp_main__") or module is None:
            continue
        found = module
        for part in parts:
            found = _attribute(found, part)
            if found is _MISSING:
                break
        if found is obj:
            return module_name
    return "__main__"


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Finds ``skops.io._utils`` as the path finder would, and replaces its ``whichmodule``
    right after the module has run (before ``_trusted_types`` calls it)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        """The usual spec of ``skops.io._utils``, its loader patching the module it runs."""
        if fullname != TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader: Any = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if callable(getattr(module, "whichmodule", None)):
                vars(module)["whichmodule"] = whichmodule

        loader.exec_module = exec_module
        return spec


def install() -> None:
    """Use :func:`whichmodule` in ``skops.io`` from its import on (no-op once imported)."""
    if TARGET in sys.modules or any(isinstance(f, _PatchOnImport) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _PatchOnImport())
