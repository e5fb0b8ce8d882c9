"""The engine imports no Qt: it runs, and is tested, on machines with no display."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import tastingroom


def test_engine_and_cli_load_no_pyside6():
    modules = sorted(
        m.name
        for m in pkgutil.walk_packages(tastingroom.__path__, "tastingroom.")
        if ".migrations" not in m.name
    )
    assert "tastingroom.cli" in modules and "tastingroom.selling.sales" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from tastingroom.cli import build_parser; build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'ui')))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
