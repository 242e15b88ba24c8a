"""Keep the garbage collector off what a process loads once (issue 12).

Every part loads large structures at start and keeps them: Rasa its model (and the modules of
TensorFlow, scikit-learn and spaCy it imports), the action server the embedding model, index
and crisis check, the gateway spaCy and Presidio. CPython's full (generation 2) collections
walk every tracked object, so each one paused a process for 0.1-1.3 s here, and a pause holds
up every turn in flight (``gc.callbacks`` timings, ADR 0306). :func:`freeze_loaded` collects
once, then moves every object alive to the permanent generation (``gc.freeze``), so later
collections walk only what was made since. Call it when a process has loaded what it keeps
(the gateway a second time once its editor's preview index has loaded in the background).
Objects frozen are still freed when their reference count drops (a replaced index, say); only
reference cycles among them are never collected, which is why it runs after start-up loading,
not after every reload.

Imported by the Python 3.10 Rasa venv as well as the 3.11 one: standard library only.
"""

from __future__ import annotations

import gc
import logging
import os

log = logging.getLogger(__name__)
# "0" leaves the collector as Python sets it (``benchmarks/gc_pauses.py`` measures both).
SWITCH = "FREEZE_LOADED_HEAP"


def freeze_loaded(part: str) -> int:
    """Collect, then freeze every object alive; return how many are now frozen (0 when
    ``FREEZE_LOADED_HEAP=0``)."""
    if os.environ.get(SWITCH, "1").strip() == "0":
        log.info("%s: %s=0, the loaded objects stay in the collector's reach", part, SWITCH)
        return 0
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("%s: %d loaded objects moved out of the garbage collector's reach", part, frozen)
    return frozen
