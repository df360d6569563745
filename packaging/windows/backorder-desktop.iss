; Windows installer for Backorder Desktop (Inno Setup 6).
; Build the app first (python packaging\build.py), then: python packaging\windows\inno.py
; (installs the pinned Inno Setup, finds ISCC.exe and runs it on this script).
; Output: dist\backorder-desktop-<version>-windows-x86_64-setup.exe

#define AppName "Backorder Desktop"
#define AppExeName "backorder-desktop.exe"
#define AppPublisher "Backorder Desktop"
#define BundleDir "..\..\dist\backorder-desktop"
#define IconFile "..\icons\backorder-desktop.ico"
; Where the app keeps the user's cache, settings and logs (platformdirs, services/paths.py).
#define DataDirName "BackorderDesktop"

#define BuiltExe AddBackslash(SourcePath) + BundleDir + "\" + AppExeName
#ifnexist BuiltExe
  #error The app is not built: run "python packaging\build.py" first.
#endif
; The version is not written here: build.spec puts backorder_desktop.__version__ (the single
; source) into the exe's version resource, and the installer reads it back.
#define AppVersion GetStringFileInfo(BuiltExe, "ProductVersion")

[Setup]
; A fixed AppId: every later installer finds and upgrades this installation in place
; (same folder, same Start menu entry, one uninstaller). Never change it.
AppId={{3C1B5B7E-6F0A-4E8B-9A53-2B8E4C1D7F21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoProductName={#AppName}
VersionInfoProductTextVersion={#AppVersion}
; Per-user by default: no admin rights needed. The first page offers "install for all users",
; which then asks for elevation.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Windows 10 1809 (build 17763), the oldest Windows 10 still serviced in its LTSC edition;
; Qt 6 itself needs 1703 or later.
MinVersion=10.0.17763
; An upgrade while the app runs: close it first, so no file is in use.
CloseApplications=yes
RestartApplications=no
SetupIconFile={#IconFile}
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
OutputDir=..\..\dist
OutputBaseFilename=backorder-desktop-{#AppVersion}-windows-x86_64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundle whole, so no file of an older version lingers beside the new one.
; Only the program folder: the user's data lives elsewhere and is never touched here.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Backorders for your BigCommerce store"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
; The nightly job (Settings > Every night at...) is this user's Task Scheduler task: it goes with
; the app, whether or not the data is kept. The name is services/sync_control/schedule_jobs.py task_name();
; an uninstall without a job gets "not found" from schtasks, which is fine.
Filename: "{sys}\schtasks.exe"; Parameters: "/Delete /TN ""BackorderDesktop\Nightly-{username}"" /F"; Flags: runhidden; RunOnceId: "DeleteNightlyTask"

[Code]
{ The uninstaller removes the program and keeps the user's data (the local cache of their
  stores, the outbox of changes not yet sent, settings, logs) unless they ask for it to go too.
  A silent uninstall (e.g. by an administrator's script) always keeps it.
  Deleting the data also deletes the stores' access tokens and the mail password from Windows
  Credential Manager: a folder can be deleted, but the keychain outlives it. The app does that
  itself ("forget --all", the command behind File > Forget this store), so it runs before the
  program files go. }
var
  DeleteData: Boolean;

function DataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\{#DataDirName}');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  ResultCode: Integer;
begin
  if CurUninstallStep = usUninstall then
  begin
    DeleteData := False;
    if UninstallSilent() or not DirExists(DataDir()) then
      exit;
    DeleteData := MsgBox('Also delete your Backorder Desktop data in' + #13#10 + DataDir() + '?' + #13#10#13#10 +
            'It holds the local copy of your stores, changes not yet sent to BigCommerce, your ' +
            'settings and logs; the saved access tokens and mail password are removed from ' +
            'Windows Credential Manager. Your store on BigCommerce is not affected.' + #13#10#13#10 +
            'Choose No to keep it for a later reinstall.',
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
    if DeleteData then
      Exec(ExpandConstant('{app}\{#AppExeName}'), 'forget --all', '', SW_HIDE,
           ewWaitUntilTerminated, ResultCode);
  end
  else if (CurUninstallStep = usPostUninstall) and DeleteData then
    DelTree(DataDir(), True, True, True);
end;
