"""Checks a built Linux bundle against the .deb's control file before it is packed.

    python packaging/linux/check_bundle.py dist/tastingroom packaging/linux/control.in

- every library a bundled ELF file links against (DT_NEEDED) is either in the bundle or
  belongs to a Debian package the control file's Depends names (or one those depend on):
  a library dropped from the bundle without its package in Depends fails here, not on a
  customer's desktop;
- the C and C++ runtimes the bundle needs are no newer than Depends promises;
- nothing test-only or unused slipped in (the spec's excludes are obeyed).

The owner of a library is asked of dpkg when the build machine has it, else taken from
ui/app.py's XCB_LIBRARIES (read, not imported), which names the package of each library
Qt's X11 plugin needs. Prints the bundle's needs and exits 1 on any problem.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALWAYS_THERE = {"ld-linux-x86-64.so.2", "linux-vdso.so.1"}
# Parts of glibc: their package is libc6 whatever the machine's layout.
GLIBC = re.compile(r"^(libc|libm|libdl|libpthread|librt|libutil|libresolv)\.so\.\d+$")
FORBIDDEN = ("hypothesis", "zeep", "pytest", "_pytest", "pytestqt", "tkinter", "ruff")
FORBIDDEN_FILES = ("QtWebEngine", "Qt6Qml", "Qt6Quick", "Qt63D", "Qt6Multimedia", "qgtk3")


def xcb_packages() -> dict[str, str]:
    """ui.app.XCB_LIBRARIES, read from the source (no Qt import needed)."""
    tree = ast.parse((ROOT / "ui" / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "XCB_LIBRARIES" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise SystemExit("ui/app.py has no XCB_LIBRARIES")


def control_depends(control: Path) -> dict[str, str]:
    """Depends of the control file: package -> version constraint ('' when none)."""
    text = control.read_text(encoding="utf-8")
    field = re.search(r"^Depends:(.*(?:\n .*)*)", text, re.M)
    if not field:
        raise SystemExit(f"{control} has no Depends")
    found = {}
    for item in field.group(1).replace("\n", " ").split(","):
        for alternative in item.split("|"):
            match = re.match(r"\s*([a-z0-9.+-]+)\s*(?:\(([^)]*)\))?", alternative)
            if match:
                found[match.group(1)] = (match.group(2) or "").strip()
    return found


def elf_files(bundle: Path) -> list[Path]:
    files = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\).*\[(.+?)\]", out)


def symbol_versions(path: Path) -> set[str]:
    out = subprocess.run(["objdump", "-T", str(path)], capture_output=True, text=True).stdout
    return set(re.findall(r"\b(GLIBC_[0-9.]+|GLIBCXX_[0-9.]+)\b", out))


def system_library_paths() -> dict[str, str]:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    paths: dict[str, str] = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) \((.*?)\) => (\S+)", line)
        if match and "x86-64" in match.group(2):
            paths.setdefault(match.group(1), match.group(3))
    return paths


def owner(path: str) -> str | None:
    for candidate in (path, str(Path(path).resolve())):
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":")[0].strip()
    return None


def closure(packages: set[str]) -> set[str]:
    """The packages and, for those installed here, everything they depend on."""
    seen: set[str] = set()
    todo = list(packages)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Depends}, ${Pre-Depends}, ${Provides}", name],
            capture_output=True,
            text=True,
        )
        for item in re.split(r"[,|]", done.stdout):
            match = re.match(r"\s*([a-z0-9.+-]+)", item)
            if match:
                todo.append(match.group(1))
    return seen


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def main(bundle_arg: str, control_arg: str, toc_arg: str | None = None) -> int:
    bundle, control = Path(bundle_arg), Path(control_arg)
    depends = control_depends(control)
    allowed = closure(set(depends))
    xcb = xcb_packages()
    bundled = {p.name for p in bundle.rglob("*") if ".so" in p.name}
    system = system_library_paths()
    problems: list[str] = []
    wanted: dict[str, str] = {}
    versions: set[str] = set()
    for path in elf_files(bundle):
        versions |= symbol_versions(path)
        for name in needed(path):
            if name in bundled or name in ALWAYS_THERE or name in wanted:
                continue
            package = "libc6" if GLIBC.match(name) else None
            if package is None and name in system:
                package = owner(system[name])
            package = package or xcb.get(name)
            if package is None:
                problems.append(f"{name} (needed by {path.relative_to(bundle)}): no package known")
                continue
            wanted[name] = package
            if package not in allowed:
                problems.append(f"{name} comes from {package}, which Depends does not bring")
    for name in sorted(set(xcb.values()) - set(depends)):
        problems.append(f"{name} (ui.app.XCB_LIBRARIES) is missing from Depends")
    runtimes = {"libc6": "GLIBC_", "libstdc++6": "GLIBCXX_"}
    for package, prefix in runtimes.items():
        used = [v for v in versions if v.startswith(prefix)]
        need = max(used, key=version_tuple, default=None) if used else None
        if need:
            print(f"needs {need}")
        if package == "libc6" and need:
            declared = re.match(r">=\s*([\d.]+)", depends.get("libc6", ""))
            if not declared or version_tuple(declared.group(1)) < version_tuple(need):
                problems.append(
                    f"the bundle needs {need}; Depends says libc6 {depends.get('libc6')}"
                )
    for part in bundle.rglob("*"):
        if part.name in FORBIDDEN or part.name.split("-")[0] in FORBIDDEN:
            problems.append(f"{part.relative_to(bundle)} is bundled but only tests use it")
        if any(marker in part.name for marker in FORBIDDEN_FILES):
            problems.append(
                f"{part.relative_to(bundle)} is bundled but the register never loads it"
            )
        if part.suffix == ".qm":
            problems.append(f"{part.relative_to(bundle)}: Qt translations are left out")
    if toc_arg:  # PyInstaller's list of the Python modules in the archive
        modules = set(re.findall(r"\('([\w.]+)',", Path(toc_arg).read_text(encoding="utf-8")))
        for module in sorted(modules):
            if module.split(".")[0] in FORBIDDEN:
                problems.append(f"module {module} is bundled but only tests use it")
    for name, package in sorted(wanted.items()):
        print(f"system library {name}: {package}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    print(
        f"{len(wanted)} system libraries, all declared" if not problems else "bundle check FAILED"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
