"""Importing python-escpos without it littering the temporary folder.

python-escpos 3.1 pickles its printer profiles into `ESCPOS_CAPABILITIES_PICKLE_DIR`,
but evaluates `mkdtemp()` at import even when that variable is set, so every start of
the program would leave an empty folder behind. Here the cache goes to our own cache
folder, and the import's `mkdtemp` is pointed there too, once, in this one place.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from types import ModuleType

from platformdirs import user_cache_dir

_lock = threading.Lock()


def escpos_printer() -> ModuleType:
    """`escpos.printer`, imported with its profile cache in our cache folder."""
    with _lock:
        cache = Path(user_cache_dir("Tastingroom", "Tastingroom")) / "escpos"
        cache.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))
        original = tempfile.mkdtemp
        tempfile.mkdtemp = lambda *a, **k: str(cache)  # type: ignore[assignment]
        try:
            import escpos.printer
        finally:
            tempfile.mkdtemp = original  # type: ignore[assignment]
        return escpos.printer
