"""Starting a child process that writes to a store, and killing it with SIGKILL: what the
crash tests share (a sale, a drawer session, a refund, each cut off at a random moment)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def start(script: Path, *args: str) -> subprocess.Popen[str]:
    """`script` running in a fresh interpreter, its lines read as it prints them."""
    child = subprocess.Popen(
        [sys.executable, str(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    return child


def expect(child: subprocess.Popen[str], line: str = "ready") -> None:
    """The child's next line is `line` (its stderr says why when it is not)."""
    assert child.stdout is not None
    assert child.stdout.readline().strip() == line, child.stderr.read() if child.stderr else ""


def kill(child: subprocess.Popen[str]) -> list[str]:
    """SIGKILL, as a power cut; the lines the child printed before it died."""
    child.send_signal(signal.SIGKILL)
    out, _ = child.communicate(timeout=30)
    return [line.strip() for line in out.splitlines() if line.strip()]
