; Inno Setup 6 script for the Tastingroom register on Windows (x64).
; Built by packaging/windows/build-windows.ps1 after PyInstaller has made dist\tastingroom:
;     iscc /DAppVersion=0.1.0 /DIconFile=..\..\build\tastingroom.ico packaging\windows\tastingroom.iss
; It is the Linux .deb's counterpart: the same folder app in Program Files, the
; `tastingroom` command on the PATH, a Start-menu shortcut (the windowed
; tastingroom-register.exe, so no console opens), an icon, and an uninstaller that removes
; all of it. The register's data folder (%LOCALAPPDATA%\Tastingroom) is never touched:
; uninstalling the program keeps the sales.
; NOT RUN in this repository's CI: see packaging/README.md and .github/workflows/installers.yml.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z
#endif
#ifndef IconFile
  #define IconFile "..\..\build\tastingroom.ico"
#endif

[Setup]
AppId={{6F1C2B7E-3D4A-4E8B-9A51-7C2E5D0B9F13}
AppName=Tastingroom
AppVersion={#AppVersion}
AppPublisher=Tastingroom
AppComments=Point of sale for winery tasting rooms
DefaultDirName={autopf}\Tastingroom
DefaultGroupName=Tastingroom
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog commandline
ChangesEnvironment=yes
OutputDir=..\..\dist
OutputBaseFilename=tastingroom-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\tastingroom-register.exe
UninstallDisplayName=Tastingroom {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the tastingroom command to the PATH"; GroupDescription: "Command line:"

[Files]
Source: "..\..\dist\tastingroom\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Tastingroom"; Filename: "{app}\tastingroom-register.exe"; Comment: "Start the register"
Name: "{group}\Uninstall Tastingroom"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Tastingroom"; Filename: "{app}\tastingroom-register.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\tastingroom-register.exe"; Description: "{cm:LaunchProgram,Tastingroom}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; PyInstaller's bytecode caches are written nowhere; only what [Files] put there is removed.
Type: dirifempty; Name: "{app}"

[Code]
// The folder goes on the PATH of the machine (admin install) or of the user.
function PathKey(var Root: Integer): String;
begin
  if IsAdminInstallMode then begin
    Root := HKEY_LOCAL_MACHINE;
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';
  end else begin
    Root := HKEY_CURRENT_USER;
    Result := 'Environment';
  end;
end;

procedure AddToPath(const Dir: String);
var
  Root: Integer; Key, Paths: String;
begin
  Key := PathKey(Root);
  if not RegQueryStringValue(Root, Key, 'Path', Paths) then Paths := '';
  if Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') > 0 then exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then Paths := Paths + ';';
  RegWriteExpandStringValue(Root, Key, 'Path', Paths + Dir);
end;

procedure RemoveFromPath(const Dir: String);
var
  Root: Integer; Key, Paths: String; P: Integer;
begin
  Key := PathKey(Root);
  if not RegQueryStringValue(Root, Key, 'Path', Paths) then exit;
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
  if P = 0 then exit;
  Delete(Paths, P, Length(Dir) + 1);
  if (Length(Paths) > 0) and (Copy(Paths, Length(Paths), 1) = ';') then
    Delete(Paths, Length(Paths), 1);
  RegWriteExpandStringValue(Root, Key, 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
