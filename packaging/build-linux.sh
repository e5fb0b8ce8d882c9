#!/usr/bin/env bash
# Builds the Linux installers from a clean checkout, in one command:
#     bash packaging/build-linux.sh
# 1. a virtualenv with the program and PyInstaller only (`.[packaging]`: no test tools);
# 2. the PyInstaller folder app, dist/tastingroom/ (packaging/tastingroom.spec);
# 3. a check of that folder against the .deb's Depends (packaging/linux/check_bundle.py);
# 4. dist/tastingroom_VERSION_amd64.deb: the folder in /opt/tastingroom, `tastingroom` on
#    the PATH (/usr/bin symlink), a desktop entry and icons, the X11/GL/font libraries Qt
#    needs as Depends;
# 5. dist/tastingroom-VERSION-linux-x86_64.tar.gz: the same folder, portable, with the
#    desktop entry and icon beside it.
# Needs python3 (3.11+), binutils (readelf, objdump, strip) and dpkg-deb; build on the
# oldest system you support (here Debian 12, glibc 2.36; the bundle needs glibc 2.35, see
# packaging/README.md). Sizes go to dist/sizes.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
began=$(date +%s)
PYTHON="${PYTHON:-python3}"
VENV="${TASTINGROOM_BUILD_VENV:-$ROOT/build/packaging-venv}"
VERSION="$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
ARCH=amd64

for tool in readelf objdump strip dpkg-deb; do
    command -v "$tool" >/dev/null || { echo "build-linux: $tool is missing (apt-get install binutils dpkg)" >&2; exit 1; }
done

echo "== virtualenv for the build: $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[packaging]"

echo "== PyInstaller"
rm -rf dist/tastingroom build/pyinstaller
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/tastingroom.spec
APP="$ROOT/dist/tastingroom"

echo "== bundle check"
"$VENV/bin/python" packaging/linux/check_bundle.py "$APP" packaging/linux/control.in \
    build/pyinstaller/tastingroom/PYZ-00.toc

echo "== .deb"
STAGE="$ROOT/build/deb/tastingroom_${VERSION}_${ARCH}"
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/256x256/apps" "$STAGE/usr/share/icons/hicolor/scalable/apps" \
    "$STAGE/usr/share/doc/tastingroom"
cp -a "$APP" "$STAGE/opt/tastingroom"
ln -s /opt/tastingroom/tastingroom "$STAGE/usr/bin/tastingroom"
install -m 644 packaging/linux/tastingroom.desktop "$STAGE/usr/share/applications/"
install -m 644 packaging/tastingroom.png "$STAGE/usr/share/icons/hicolor/256x256/apps/"
install -m 644 packaging/tastingroom.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
printf 'Tastingroom %s\nCopyright Tastingroom. Proprietary; bundles Qt (LGPLv3), PySide6 (LGPLv3)\nand Python (PSF) with their licences under /opt/tastingroom/_internal.\n' \
    "$VERSION" > "$STAGE/usr/share/doc/tastingroom/copyright"
chmod -R u=rwX,go=rX "$STAGE"
installed_kib=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@INSTALLED_SIZE@/$installed_kib/" \
    packaging/linux/control.in > "$STAGE/DEBIAN/control"
DEB="dist/tastingroom_${VERSION}_${ARCH}.deb"
rm -f dist/tastingroom_*.deb
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null

echo "== portable .tar.gz"
PORTABLE="$ROOT/build/portable/tastingroom-$VERSION"
rm -rf "$ROOT/build/portable"
mkdir -p "$ROOT/build/portable"
cp -a "$APP" "$PORTABLE"
install -m 644 packaging/linux/tastingroom.desktop packaging/tastingroom.png "$PORTABLE/"
TAR="dist/tastingroom-$VERSION-linux-x86_64.tar.gz"
rm -f dist/tastingroom-*-linux-*.tar.gz
tar -C "$ROOT/build/portable" --owner=0 --group=0 --numeric-owner -czf "$TAR" "tastingroom-$VERSION"

{
    echo "folder app dist/tastingroom: $(du -sh "$APP" | cut -f1) ($(du -sk "$APP" | cut -f1) KiB)"
    echo "$DEB: $(du -h "$DEB" | cut -f1) ($(stat -c %s "$DEB") bytes, installs $installed_kib KiB)"
    echo "$TAR: $(du -h "$TAR" | cut -f1) ($(stat -c %s "$TAR") bytes)"
    echo "built in $(( $(date +%s) - began )) s on $(ldd --version | head -1)"
} | tee dist/sizes.txt
