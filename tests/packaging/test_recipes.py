"""The installer recipes, checked without building anything (the build itself runs in
.ci/package): drift between them and the program fails the ordinary test run."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from ui.app import XCB_LIBRARIES

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "tastingroom.spec"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


check_bundle = _load("packaging_check_bundle", PACKAGING / "linux" / "check_bundle.py")
smoke = _load("packaging_smoke_test", PACKAGING / "smoke_test.py")


def spec_namespace(platform: str = "linux") -> dict:
    """The spec's constants and helper functions, without running PyInstaller's steps."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    kept = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        or (
            isinstance(node, ast.Assign)
            and all(isinstance(t, ast.Name) and t.id.isupper() for t in node.targets)
            and node.targets[0].id != "ROOT"  # from PyInstaller's SPECPATH; given below
            and not isinstance(node.value, ast.Call)
        )
    ]
    fake_sys = type("FakeSys", (), {"platform": platform})
    namespace = {"Path": Path, "sys": fake_sys, "ROOT": ROOT, "__builtins__": __builtins__}
    exec(compile(ast.Module(body=kept, type_ignores=[]), str(SPEC), "exec"), namespace)
    return namespace


def control_text() -> str:
    return (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")


# --- the .deb --------------------------------------------------------------------------


def test_deb_depends_on_every_library_qts_x11_plugin_needs() -> None:
    depends = check_bundle.control_depends(PACKAGING / "linux" / "control.in")
    missing = sorted(set(XCB_LIBRARIES.values()) - set(depends))
    assert not missing, f"add to packaging/linux/control.in's Depends: {missing}"
    # Qt itself, beyond X11: GL/EGL, fonts, D-Bus, GLib's event loop, the C++ runtime.
    for package in (
        "libegl1",
        "libgl1",
        "libfontconfig1",
        "libfreetype6",
        "libdbus-1-3",
        "libglib2.0-0",
        "libstdc++6",
        "libxcb-glx0",
    ):
        assert package in depends, package
    assert re.fullmatch(r">=\s*2\.\d+", depends["libc6"]), "libc6 needs a minimum version"


def test_deb_control_is_well_formed() -> None:
    text = control_text()
    fields = {}
    for line in text.splitlines():
        if line.startswith(" "):
            continue  # a folded continuation or the long description
        name, _, value = line.partition(":")
        assert re.fullmatch(r"[A-Z][A-Za-z-]+", name), line
        fields[name] = value.strip()
    for name in (
        "Package",
        "Version",
        "Architecture",
        "Maintainer",
        "Installed-Size",
        "Depends",
        "Description",
    ):
        assert name in fields, name
    assert fields["Package"] == "tastingroom"
    assert fields["Version"] == "@VERSION@" and fields["Installed-Size"] == "@INSTALLED_SIZE@"
    assert text.endswith("\n") and "\n\n" not in text


def test_the_system_libraries_the_spec_leaves_out_are_declared() -> None:
    """A library the spec drops from the bundle on Linux must come from a Depends package."""
    spec = spec_namespace()
    depends = set(check_bundle.control_depends(PACKAGING / "linux" / "control.in"))
    provided_by = {  # name prefix in SYSTEM_LIBRARIES -> the package that ships it
        "libX": "libx11-6",
        "libxcb": "libxcb1",
        "libxkbcommon": "libxkbcommon0",
        "libfontconfig": "libfontconfig1",
        "libfreetype": "libfreetype6",
        "libexpat": "libfontconfig1",  # fontconfig depends on libexpat1
        "libpng16": "libfreetype6",  # freetype depends on libpng16-16
        "libbrotli": "libfreetype6",
        "libdbus-1": "libdbus-1-3",
        "libglib-2.0": "libglib2.0-0",
        "libgobject-2.0": "libglib2.0-0",
        "libgio-2.0": "libglib2.0-0",
        "libgmodule-2.0": "libglib2.0-0",
        "libgthread-2.0": "libglib2.0-0",
        "libpcre2": "libglib2.0-0",
        "libstdc++": "libstdc++6",
        "libgcc_s": "libgcc-s1",
        "libz.so": "zlib1g",
        "libzstd": "libzstd1",
        "libbsd": "libxcb1",  # via libxdmcp6
        "libmd.so": "libxcb1",
        "libGL": "libgl1",
        "libEGL": "libegl1",
        "libOpenGL": "libgl1",
        "libGLX": "libgl1",
        "libGLdispatch": "libgl1",
    }
    for prefix in spec["SYSTEM_LIBRARIES"]:
        assert prefix in provided_by, f"say which package provides {prefix}"
        assert provided_by[prefix] in depends, f"{prefix}: {provided_by[prefix]} not in Depends"


def test_desktop_entry() -> None:
    path = PACKAGING / "linux" / "tastingroom.desktop"
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections() == ["Desktop Entry"]
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Tastingroom"
    assert entry["Exec"] == "tastingroom"  # the /usr/bin symlink build-linux.sh makes
    assert entry["Icon"] == "tastingroom"  # hicolor/256x256/apps/tastingroom.png
    assert entry["Terminal"] == "false"
    categories = entry["Categories"]
    assert categories.endswith(";") and {"Office", "Finance"} <= set(categories.split(";"))
    build = (PACKAGING / "build-linux.sh").read_text(encoding="utf-8")
    assert 'ln -s /opt/tastingroom/tastingroom "$STAGE/usr/bin/tastingroom"' in build
    assert "hicolor/256x256/apps" in build and "tastingroom.desktop" in build
    validator = shutil.which("desktop-file-validate")
    if validator:
        done = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_icons_are_real_images() -> None:
    png = (PACKAGING / "tastingroom.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (256, 256)
    svg = ET.parse(PACKAGING / "tastingroom.svg").getroot()
    assert svg.tag.endswith("svg") and svg.get("viewBox") == "0 0 256 256"


# --- the PyInstaller spec ---------------------------------------------------------------


def test_spec_leaves_out_test_tools_and_unused_qt() -> None:
    excludes = set(spec_namespace()["EXCLUDES"])
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    test_only = extras["project"]["optional-dependencies"]["test"]
    import_names = {"pytest-qt": "pytestqt", "pytest-timeout": "pytest_timeout"}
    for requirement in test_only:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        assert import_names.get(name, name) in excludes, f"{name} must never be bundled"
    for module in (
        "PySide6.QtWebEngineCore",
        "PySide6.Qt3DCore",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "PySide6.QtMultimedia",
        "PySide6.QtNetwork",
        "tkinter",
    ):
        assert module in excludes, module


def test_spec_keeps_what_the_register_uses() -> None:
    source = SPEC.read_text(encoding="utf-8")
    assert 'collect_data_files("escpos")' in source  # capabilities.json
    assert "_resources() + _migrations()" in source
    spec = spec_namespace()
    migrations = spec["_migrations"]()
    targets = {Path(source).name for source, _ in migrations}
    assert {"env.py", "script.py.mako"} <= targets
    assert any(name.startswith("0001_") for name in targets)
    assert not any("__pycache__" in source for source, _ in migrations)
    resources = dict(spec["_resources"]())
    assert str(ROOT / "resources" / "demo") in resources
    assert str(ROOT / "resources" / "style.qss") in resources
    assert not any("screenshots" in source for source in resources)
    assert {"qxcb", "qoffscreen", "qwindows", "qcocoa"} <= spec["KEPT_PLATFORMS"]


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        (("PySide6/Qt/plugins/platforms/libqxcb.so", "/v/libqxcb.so", "BINARY"), True),
        (("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/v/x.so", "BINARY"), True),
        (("PySide6/Qt/plugins/platforms/libqwayland.so", "/v/x.so", "BINARY"), False),
        (("PySide6/Qt/plugins/platforms/libqvnc.so", "/v/x.so", "BINARY"), False),
        (("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/v/x.so", "BINARY"), False),
        (("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", "/v/x", "BINARY"), True),
        (("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", "/v", "BINARY"), True),
        (("PySide6/Qt/plugins/imageformats/libqwebp.so", "/v/x.so", "BINARY"), False),
        (("PySide6/Qt/plugins/tls/libqopensslbackend.so", "/v/x.so", "BINARY"), False),
        (("PySide6/Qt/translations/qtbase_de.qm", "/v/qtbase_de.qm", "DATA"), False),
        (("libxcb-cursor.so.0", "/lib/x86_64-linux-gnu/libxcb-cursor.so.0", "BINARY"), False),
        (("libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "BINARY"), False),
        (("libpython3.11.so.1.0", "/root/.pyenv/lib/libpython3.11.so.1.0", "BINARY"), True),
        (("libssl.so.3", "/lib/x86_64-linux-gnu/libssl.so.3", "BINARY"), True),
        (("pillow.libs/libxcb-9065bb12.so.1.1.0", "/v/pillow.libs/x", "BINARY"), True),
        (("resources/style.qss", "/r/style.qss", "DATA"), True),
    ],
)
def test_spec_filter(entry: tuple[str, str, str], kept: bool) -> None:
    assert spec_namespace("linux")["kept"](entry) is kept


def test_spec_keeps_windows_and_macos_libraries() -> None:
    """The Linux-only system-library rule never touches other platforms' bundles."""
    for platform in ("win32", "darwin"):
        keep = spec_namespace(platform)["kept"]
        assert keep(("PySide6/plugins/platforms/qwindows.dll", "C:/x.dll", "BINARY"))
        assert keep(("PySide6/Qt/plugins/platforms/libqcocoa.dylib", "/x.dylib", "BINARY"))
        assert not keep(("PySide6/plugins/platforms/qdirect2d.dll", "C:/x.dll", "BINARY"))
        assert not keep(("PySide6/plugins/imageformats/qjpeg.dll", "C:/x.dll", "BINARY"))
        assert not keep(("PySide6/translations/qtbase_fr.qm", "C:/x.qm", "DATA"))
        assert keep(("libxcb.so.1", "/usr/lib/libxcb.so.1", "BINARY"))


def test_pyinstaller_is_pinned() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packaging = extras["project"]["optional-dependencies"]["packaging"]
    assert any(re.fullmatch(r"pyinstaller==\d+\.\d+\.\d+", r) for r in packaging), packaging


# --- CI and the other platforms' recipes -------------------------------------------------


def test_ci_builds_installs_and_smoke_tests_the_deb() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash .ci/package" in run
    package = (ROOT / ".ci" / "package").read_text(encoding="utf-8")
    assert "bash packaging/build-linux.sh" in package
    assert 'apt-get install -y -qq --no-install-recommends "./$DEB"' in package
    assert "smoke_test.py /usr/bin/tastingroom --x11" in package
    assert "apt-get purge" in package


def test_windows_installer_has_shortcut_uninstaller_and_the_spec_s_programs() -> None:
    iss = (PACKAGING / "windows" / "tastingroom.iss").read_text(encoding="utf-8")
    assert r'Source: "..\..\dist\tastingroom\*"' in iss
    assert r'Name: "{group}\Tastingroom"; Filename: "{app}\tastingroom-register.exe"' in iss
    assert r'Name: "{group}\Uninstall Tastingroom"; Filename: "{uninstallexe}"' in iss
    spec = SPEC.read_text(encoding="utf-8")
    assert 'name="tastingroom-register"' in spec and "console=False" in spec
    assert "BUNDLE(" in spec and 'name="Tastingroom.app"' in spec
    macos = (PACKAGING / "macos" / "build-macos.sh").read_text(encoding="utf-8")
    assert "hdiutil create" in macos and "smoke_test.py" in macos


def test_workflow_builds_every_platform_with_the_same_smoke_test() -> None:
    path = ROOT / ".github" / "workflows" / "installers.yml"
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    job = workflow["jobs"]["installers"]
    oses = job["strategy"]["matrix"]["os"]
    assert any(o.startswith("ubuntu") for o in oses)
    assert any(o.startswith("windows") for o in oses)
    assert any(o.startswith("macos") for o in oses)
    scripts = "\n".join(step.get("run", "") for step in job["steps"])
    assert "packaging/build-linux.sh" in scripts
    assert "packaging/windows/build-windows.ps1" in scripts
    assert "packaging/macos/build-macos.sh" in scripts
    assert scripts.count("smoke_test.py") >= 2


# --- the smoke test can fail -------------------------------------------------------------


def _fake_bundle(tmp_path: Path) -> Path:
    root = tmp_path / "tastingroom" / "_internal"
    for relative in (
        "resources/demo/winery.json",
        "resources/style.qss",
        "escpos/capabilities.json",
        "tastingroom/store/migrations/env.py",
        "tastingroom/store/migrations/script.py.mako",
        "tastingroom/store/migrations/versions/0001_initial_schema.py",
    ):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text("{}", encoding="utf-8")
    exe = (
        tmp_path / "tastingroom" / ("tastingroom.exe" if sys.platform == "win32" else "tastingroom")
    )
    exe.write_text("", encoding="utf-8")
    return exe


def test_smoke_bundle_check_passes_on_a_complete_bundle(tmp_path: Path) -> None:
    exe = _fake_bundle(tmp_path)
    assert smoke.program(str(tmp_path / "tastingroom")) == exe
    smoke.check_bundle(smoke.data_root(exe))


@pytest.mark.parametrize(
    "lost",
    ["escpos/capabilities.json", "resources/style.qss", "tastingroom/store/migrations/env.py"],
)
def test_smoke_bundle_check_fails_on_a_lost_resource(tmp_path: Path, lost: str) -> None:
    exe = _fake_bundle(tmp_path)
    (exe.parent / "_internal" / lost).unlink()
    with pytest.raises(smoke.SmokeFailure, match=re.escape(lost)):
        smoke.check_bundle(smoke.data_root(exe))


def test_smoke_bundle_check_fails_on_bundled_translations(tmp_path: Path) -> None:
    exe = _fake_bundle(tmp_path)
    (exe.parent / "_internal" / "qtbase_de.qm").write_bytes(b"")
    with pytest.raises(smoke.SmokeFailure, match="left-out"):
        smoke.check_bundle(smoke.data_root(exe))


def test_smoke_fails_when_a_command_fails(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("a shell script stands in for the program")
    exe = tmp_path / "tastingroom"
    exe.write_text("#!/bin/sh\necho broken >&2\nexit 3\n", encoding="utf-8")
    exe.chmod(0o755)
    runner = smoke.Runner(exe, tmp_path)
    with pytest.raises(smoke.SmokeFailure, match="exited 3"):
        smoke.check_commands(runner, None)
