"""Does the built or installed program work? Runs it on throwaway data and home folders.

    python packaging/smoke_test.py dist/tastingroom                  # a built folder
    python packaging/smoke_test.py /usr/bin/tastingroom --x11 \\
        --since "$(cat apt-started)"                                  # the installed .deb
    python packaging/smoke_test.py dist/Tastingroom.app               # macOS
    python packaging/smoke_test.py "C:\\Program Files\\Tastingroom"    # Windows

Every step checks exit status and output, and the first failure stops the run (exit 1):
1. the bundle holds its resources (demo winery, style sheet), the Alembic migrations and
   python-escpos's capabilities.json, and no Qt translations;
2. on Linux, every library the bundle links against is found (`ldd`: the .deb's Depends
   brought them);
3. with --x11 (Linux, needs Xvfb and xwininfo), `init --demo` on a fresh data folder, then
   the register starts on it under a real X server and its window maps: the lock screen is
   up; the time is printed, and counted from --since (seconds since the epoch: when
   `apt-get install` started) if given;
4. `--version` names the program and its version;
5. `init --demo`, `demo sales --count 3`, then `status --json` shows the 3 orders waiting,
   and `report --save` counts them and writes the day report's PDF (Qt's QPdfWriter);
6. `screenshots` renders the register's real screens offscreen (the lock screen, the
   register, a receipt built through python-escpos, whose profile cache must appear);
7. the register on the demo store under offscreen Qt stays up for 8 seconds and writes no
   traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXPECTED_SCREENS = ("lock.png", "register.png", "receipt.png", "payment.png")
MIN_PNG_BYTES = 8_000  # a blank 1280x800 PNG is far smaller


class SmokeFailure(Exception):
    pass


def program(target: str) -> Path:
    """The executable to run, from a folder, an .app, an installer's folder or a command."""
    if os.sep not in target and "/" not in target:  # a command on the PATH
        found = shutil.which(target)
        if not found:
            raise SmokeFailure(f"{target}: no such command on the PATH")
        return Path(found)
    path = Path(target)
    if path.suffix == ".app":
        return path / "Contents" / "MacOS" / "tastingroom"
    if path.is_dir():
        return path / ("tastingroom.exe" if os.name == "nt" else "tastingroom")
    if not path.is_file():
        raise SmokeFailure(f"{target}: no such program")
    return path


def data_root(exe: Path) -> Path:
    """Where PyInstaller put the bundle's data (resolving /usr/bin's symlink first)."""
    real = exe.resolve()
    for candidate in (real.parent / "_internal", real.parent.parent / "Resources"):
        if (candidate / "resources").is_dir():
            return candidate
    raise SmokeFailure(f"no bundled resources/ beside {real}")


def check_bundle(root: Path) -> None:
    required = [
        "resources/demo/winery.json",
        "resources/style.qss",
        "escpos/capabilities.json",
        "tastingroom/store/migrations/env.py",
        "tastingroom/store/migrations/script.py.mako",
    ]
    for relative in required:
        if not (root / relative).is_file():
            raise SmokeFailure(f"the bundle lacks {relative}")
    if not list((root / "tastingroom/store/migrations/versions").glob("0001_*.py")):
        raise SmokeFailure("the bundle lacks the migration scripts")
    stray = [p.name for p in root.rglob("*.qm")] + [
        p.name for p in root.rglob("*") if p.name.split("-")[0] in ("hypothesis", "zeep", "pytest")
    ]
    if stray:
        raise SmokeFailure(f"left-out files are bundled: {stray[:5]}")
    print(f"ok   bundle at {root} holds resources, migrations and capabilities.json")


def check_libraries(exe: Path) -> None:
    """Linux: `ldd` finds every library of every ELF file in the bundle."""
    folder = exe.resolve().parent
    missing = set()
    count = 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        count += 1
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True).stdout
        missing |= {line.split()[0] for line in out.splitlines() if "not found" in line}
    if missing:
        raise SmokeFailure(f"libraries not found (missing from Depends?): {sorted(missing)}")
    print(f"ok   ldd finds every library of the bundle's {count} ELF files")


class Runner:
    def __init__(self, exe: Path, scratch: Path) -> None:
        self.exe = exe
        self.scratch = scratch
        self.data = scratch / "data"
        home = scratch / "home"
        home.mkdir()
        self.env = {
            **os.environ,
            "HOME": str(home),
            "USERPROFILE": str(home),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_HOME": str(home / "share"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "TASTINGROOM_DATA_DIR": str(self.data),
            "QT_QPA_PLATFORM": "offscreen",
        }
        self.home = home

    def run(self, *args: str, timeout: float = 120) -> str:
        try:
            done = subprocess.run(
                [str(self.exe), *args],
                env=self.env,
                cwd=self.scratch,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise SmokeFailure(f"`tastingroom {' '.join(args)}` hung for {timeout} s") from exc
        if done.returncode != 0:
            raise SmokeFailure(
                f"`tastingroom {' '.join(args)}` exited {done.returncode}:\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
        return done.stdout


def check_window_x11(runner: Runner, since: float | None) -> float:
    """The register under Xvfb, through Qt's xcb plugin and the system's xcb libraries, on
    a demo store made just before: seconds from its start until its window is mapped."""
    xvfb, xwininfo = shutil.which("Xvfb"), shutil.which("xwininfo")
    if not (xvfb and xwininfo):
        raise SmokeFailure("--x11 needs Xvfb and xwininfo (apt-get install xvfb x11-utils)")
    made = time.time()
    runner.run("init", "--demo")
    made = time.time() - made
    read_end, write_end = os.pipe()  # Xvfb picks a free display and writes its number here
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as answer:
        display = ":" + answer.readline().strip()
    if display == ":":
        raise SmokeFailure("Xvfb did not start")
    _wait_for_server(server, xwininfo, display)
    env = {k: v for k, v in runner.env.items() if not k.startswith(("QT_QPA", "WAYLAND"))}
    env["DISPLAY"] = display
    log = runner.scratch / "x11-register.log"
    register = None
    try:
        with log.open("w") as output:
            started = time.time()
            register = subprocess.Popen(
                [str(runner.exe)], env=env, cwd=runner.scratch, stdout=output, stderr=output
            )
            deadline = time.monotonic() + 60
            while not _window_up(xwininfo, display):
                if register.poll() is not None:
                    raise SmokeFailure(
                        f"the register exited {register.returncode} under X11:\n"
                        f"{log.read_text(errors='replace')[-3000:]}"
                    )
                if time.monotonic() > deadline:
                    raise SmokeFailure("the register's window did not appear within 60 s")
                time.sleep(0.05)
            up = time.time()
            time.sleep(3)  # and it stays up, the lock screen taking input
            if register.poll() is not None:
                raise SmokeFailure(
                    f"the register died under X11:\n{log.read_text(errors='replace')[-3000:]}"
                )
    finally:
        if register is not None and register.poll() is None:
            register.terminate()
            try:
                register.wait(timeout=15)
            except subprocess.TimeoutExpired:
                register.kill()
        server.terminate()
        server.wait(timeout=10)
    output = log.read_text(errors="replace")
    if "Traceback" in output:
        raise SmokeFailure(f"the register wrote a traceback under X11:\n{output[-3000:]}")
    message = (
        f"ok   lock screen up under X11 (Xvfb {display}) {up - started:.1f} s after start"
        f" (init --demo before it: {made:.1f} s)"
    )
    if since is not None:
        message += f"; {up - since:.1f} s after apt-get install started"
    print(message)
    return up - started


def _wait_for_server(server: subprocess.Popen, xwininfo: str, display: str) -> None:
    """Until the X server answers on `display`. Once, on a loaded CI machine, the register
    was started on the display Xvfb had named and could not connect to it: that is the
    server's failure, said as such, not the register's."""
    deadline = time.monotonic() + 30
    while subprocess.run([xwininfo, "-root", "-display", display], capture_output=True).returncode:
        if server.poll() is not None:
            raise SmokeFailure(f"Xvfb exited ({server.returncode}) before taking connections")
        if time.monotonic() > deadline:
            raise SmokeFailure(f"Xvfb did not take connections on {display} within 30 s")
        time.sleep(0.05)


def _window_up(xwininfo: str, display: str) -> bool:
    tree = subprocess.run(
        [xwininfo, "-root", "-tree", "-display", display], capture_output=True, text=True
    ).stdout
    return _mapped(xwininfo, display, tree)


def _mapped(xwininfo: str, display: str, tree: str) -> bool:
    """Whether a window titled Tastingroom is viewable (mapped), not merely created."""
    for window in re.findall(r'(0x[0-9a-f]+) "Tastingroom[^"]*": \(', tree):
        info = subprocess.run(
            [xwininfo, "-id", window, "-display", display], capture_output=True, text=True
        ).stdout
        if "IsViewable" in info:
            return True
    return False


def check_commands(runner: Runner, version: str | None) -> None:
    out = runner.run("--version").strip()
    if not re.fullmatch(r"tastingroom \d+\.\d+\.\d+\S*", out):
        raise SmokeFailure(f"--version said {out!r}")
    if version and out != f"tastingroom {version}":
        raise SmokeFailure(f"--version said {out!r}, expected {version}")
    print(f"ok   {out}")
    runner.run("init", "--demo")
    if not (runner.data / "tastingroom.sqlite3").is_file():
        raise SmokeFailure("init --demo made no database")
    print("ok   init --demo (demo winery and migrations found in the bundle)")
    out = runner.run("demo", "sales", "--count", "3", "--seed", "7").strip()
    if "3 sales" not in out:
        raise SmokeFailure(f"demo sales said {out!r}")
    print(f"ok   {out}")
    status = json.loads(runner.run("status", "--json"))
    if status.get("orders") != 3 or status.get("pending") != 3:
        raise SmokeFailure(f"status --json: expected 3 orders, 3 pending: {status}")
    print("ok   status --json: 3 orders, 3 waiting to sync")
    out = runner.run("report", "--save")
    if "Sales (3)" not in out:
        raise SmokeFailure(f"report did not count the 3 sales:\n{out[-2000:]}")
    pdf = Path(out.strip().splitlines()[-1])
    if pdf.suffix != ".pdf" or not pdf.read_bytes().startswith(b"%PDF"):
        raise SmokeFailure(f"report --save wrote no PDF: {pdf}")
    print(f"ok   report --save: the day as text, CSV and a {pdf.stat().st_size:,} byte PDF")


def check_screens(runner: Runner) -> None:
    folder = runner.scratch / "screens"
    out = runner.run("screenshots", str(folder), timeout=180)
    for name in EXPECTED_SCREENS:
        png = folder / name
        if not png.is_file() or png.stat().st_size < MIN_PNG_BYTES:
            raise SmokeFailure(f"screenshots did not render {name} ({out[-500:]})")
        if png.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
            raise SmokeFailure(f"{name} is not a PNG")
    # The profile cache goes to the platform's cache folder, under the throwaway home on
    # Linux and macOS (Windows asks the shell for it, so it is not looked for there).
    if os.name != "nt" and not list(runner.home.rglob("*capabilities*.pickle")):
        raise SmokeFailure("python-escpos did not load its capabilities (no profile cache)")
    count = len(list(folder.glob("*.png")))
    print(f"ok   screenshots: {count} screens rendered offscreen, escpos profiles loaded")


def check_window_offscreen(runner: Runner) -> None:
    window = subprocess.Popen(
        [str(runner.exe)],
        env=runner.env,
        cwd=runner.scratch,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        window.wait(timeout=8)
    except subprocess.TimeoutExpired:
        window.terminate()
        try:
            output, _ = window.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            window.kill()
            raise SmokeFailure("the register did not stop when asked") from None
    else:
        raise SmokeFailure(
            f"the register exited early with status {window.returncode}:\n"
            f"{window.stdout.read()[-3000:]}"
        )
    if "Traceback" in output:
        raise SmokeFailure(f"the register wrote a traceback:\n{output[-3000:]}")
    print("ok   the register ran 8 s offscreen on the demo store, no traceback")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", help="built folder, .app, install folder or command")
    parser.add_argument("--version", dest="version", help="the version --version must say")
    parser.add_argument("--x11", action="store_true", help="also open the window under Xvfb")
    parser.add_argument("--since", type=float, help="epoch seconds apt-get install started")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # in order with the errors, in CI's log
    began = time.monotonic()
    try:
        exe = program(args.target)
        check_bundle(data_root(exe))
        if sys.platform.startswith("linux"):
            check_libraries(exe)
        with tempfile.TemporaryDirectory(prefix="tastingroom-smoke-") as scratch:
            if args.x11:
                x11 = Path(scratch) / "x11"
                x11.mkdir()
                check_window_x11(Runner(exe, x11), args.since)
            runner = Runner(exe, Path(scratch))
            check_commands(runner, args.version)
            check_screens(runner)
            check_window_offscreen(runner)
    except SmokeFailure as failure:
        print(f"SMOKE TEST FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed in {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
