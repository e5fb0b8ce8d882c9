"""Does the frozen app start? Runs the built `tastingroom` on a throwaway data folder.

    python packaging/smoke_test.py dist/tastingroom

Checks that it answers --version, creates the demo winery (resources and migrations were
bundled), rings sales through the real commit path, reports its status, and opens the
register window under offscreen Qt for a few seconds without dying.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def main(folder: str) -> int:
    exe = Path(folder) / ("tastingroom.exe" if os.name == "nt" else "tastingroom")
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "TASTINGROOM_DATA_DIR": data, "QT_QPA_PLATFORM": "offscreen"}

        def run(*args: str, timeout: float = 120) -> str:
            done = subprocess.run(
                [str(exe), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
            )
            return done.stdout

        print(run("--version").strip())
        run("init", "--demo")
        print(run("demo", "sales", "--count", "3").strip())
        status = json.loads(run("status", "--json"))
        assert status["orders"] == 3 and status["pending"] == 3, status
        window = subprocess.Popen([str(exe)], env=env)
        try:
            window.wait(timeout=8)
            raise SystemExit(f"the register exited early with status {window.returncode}")
        except subprocess.TimeoutExpired:
            window.terminate()
            window.wait(timeout=10)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
