# Builds the Windows installer from a clean checkout, in one command (PowerShell, x64):
#     pwsh packaging/windows/build-windows.ps1
# The Windows counterpart of packaging/build-linux.sh: a virtualenv with `.[packaging]`,
# the PyInstaller folder app dist\tastingroom (same spec), a smoke test of that folder,
# then Inno Setup 6 (iscc on the PATH or in its default folder) makes
# dist\tastingroom-VERSION-windows-x64-setup.exe. Needs Python 3.11+.
# NOT RUN in this repository's CI (Linux only): .github/workflows/installers.yml runs it
# on a hosted Windows runner; see packaging/README.md.
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$Python = if ($env:PYTHON) { $env:PYTHON } else { "python" }
$Version = & $Python -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
$Venv = Join-Path $Root "build\packaging-venv"

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $Arguments failed with exit code $LASTEXITCODE" }
}

Write-Host "== virtualenv for the build: $Venv"
if (-not (Test-Path "$Venv\Scripts\python.exe")) { Invoke-Checked $Python @("-m", "venv", $Venv) }
Invoke-Checked "$Venv\Scripts\python.exe" @("-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", ".[packaging]")

Write-Host "== PyInstaller"
Remove-Item -Recurse -Force dist\tastingroom, build\pyinstaller -ErrorAction SilentlyContinue
Invoke-Checked "$Venv\Scripts\pyinstaller.exe" @("--noconfirm", "--log-level", "WARN", "--distpath", "dist", "--workpath", "build\pyinstaller", "packaging\tastingroom.spec")

Write-Host "== smoke test of the folder app"
Invoke-Checked "$Venv\Scripts\python.exe" @("packaging\smoke_test.py", "dist\tastingroom", "--version", $Version)

Write-Host "== icon and installer"
Invoke-Checked "$Venv\Scripts\python.exe" @("-c", "from PIL import Image; Image.open('packaging/tastingroom.png').save('build/tastingroom.ico', sizes=[(16,16),(32,32),(48,48),(64,64),(128,128),(256,256)])")
$Iscc = (Get-Command iscc -ErrorAction SilentlyContinue).Source
if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "/DIconFile=$Root\build\tastingroom.ico", "packaging\windows\tastingroom.iss")

$Setup = "dist\tastingroom-$Version-windows-x64-setup.exe"
$Folder = (Get-ChildItem dist\tastingroom -Recurse | Measure-Object -Property Length -Sum).Sum
"folder app dist\tastingroom: {0:N1} MiB" -f ($Folder / 1MB) | Tee-Object -FilePath dist\sizes-windows.txt
"{0}: {1:N1} MiB" -f $Setup, ((Get-Item $Setup).Length / 1MB) | Tee-Object -FilePath dist\sizes-windows.txt -Append
