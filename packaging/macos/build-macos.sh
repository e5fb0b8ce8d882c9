#!/usr/bin/env bash
# Builds the macOS disk image from a clean checkout, in one command:
#     bash packaging/macos/build-macos.sh
# The macOS counterpart of packaging/build-linux.sh: a virtualenv with `.[packaging]`, the
# PyInstaller app dist/Tastingroom.app (same spec; the BUNDLE step), a smoke test of it,
# then dist/tastingroom-VERSION-macos-ARCH.dmg made with hdiutil (the app and a link to
# /Applications, the usual drag-to-install window). The image is then mounted read-only,
# the app copied out of it as a user would, and smoke-tested again from there.
# The app is signed ad hoc only (PyInstaller's default): a real release needs a Developer ID
# certificate (codesign --deep --options runtime) and notarization (xcrun notarytool).
# NOT RUN in this repository's CI (Linux only): .github/workflows/installers.yml runs it
# on a hosted macOS runner; see packaging/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/build/packaging-venv"
VERSION="$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
ARCH="$(uname -m)"

echo "== virtualenv for the build: $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[packaging]"

echo "== PyInstaller"
rm -rf dist/tastingroom dist/Tastingroom.app build/pyinstaller
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/tastingroom.spec

echo "== smoke test of the app"
"$VENV/bin/python" packaging/smoke_test.py dist/Tastingroom.app --version "$VERSION"

echo "== disk image"
STAGE="$ROOT/build/dmg"
rm -rf "$STAGE"
mkdir -p "$STAGE"
cp -R dist/Tastingroom.app "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/tastingroom-$VERSION-macos-$ARCH.dmg"
rm -f "$DMG"
hdiutil create -volname "Tastingroom $VERSION" -srcfolder "$STAGE" -ov -format UDZO "$DMG"

echo "== install from the disk image and smoke-test the copy"
MOUNT="$(mktemp -d)"
INSTALLED="$(mktemp -d)"
hdiutil attach -nobrowse -readonly -mountpoint "$MOUNT" "$DMG"
trap 'hdiutil detach "$MOUNT" >/dev/null 2>&1 || true' EXIT
cp -R "$MOUNT/Tastingroom.app" "$INSTALLED/"
hdiutil detach "$MOUNT"
trap - EXIT
"$VENV/bin/python" packaging/smoke_test.py "$INSTALLED/Tastingroom.app" --version "$VERSION"
rm -rf "$INSTALLED"

{
    echo "app dist/Tastingroom.app: $(du -sh dist/Tastingroom.app | cut -f1)"
    echo "$DMG: $(du -h "$DMG" | cut -f1)"
} | tee dist/sizes-macos.txt
