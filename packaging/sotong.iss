; Inno Setup script for the Windows installer. Build dist\Sotong with PyInstaller first:
;   pyinstaller packaging\sotong.spec
;   iscc packaging\sotong.iss
; Installs per machine under Program Files; user data stays in %LOCALAPPDATA%\Sotong and is
; never removed by the uninstaller (drafts and queued replies must survive a reinstall).

#define AppName "Sotong"
#define AppVersion "0.1.0"

[Setup]
AppId={{6F1C2B9E-52D4-4B43-9D0E-5C0F7A3C2A10}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Sotong
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
OutputBaseFilename=Sotong-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
WizardStyle=modern
ShowLanguageDialog=auto

[Languages]
Name: "korean"; MessagesFile: "compiler:Languages\Korean.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Files]
Source: "..\dist\Sotong\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\소통 Sotong"; Filename: "{app}\Sotong.exe"
Name: "{autodesktop}\소통 Sotong"; Filename: "{app}\Sotong.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\Sotong.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
