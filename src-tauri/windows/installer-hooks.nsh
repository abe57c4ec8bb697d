; NSIS installer hooks (bundle.windows.nsis.installerHooks in tauri.conf.json).
;
; The desktop app (psa-bridge.exe) is a GUI-subsystem program: it opens no console, so it cannot
; be the command line. The console build of the same commands, psa-bridge-cli.exe, is copied to
; $INSTDIR\bin\psa-bridge.exe and that folder is added to the current user's PATH, so
; `psa-bridge sync` works in PowerShell and cmd (new terminals, after the install).
; Uninstalling removes the copy and the PATH entry.

!include "StrFunc.nsh"
${StrStr}
${UnStrRep}

!macro NSIS_HOOK_POSTINSTALL
  CreateDirectory "$INSTDIR\bin"
  CopyFiles /SILENT "$INSTDIR\psa-bridge-cli.exe" "$INSTDIR\bin\psa-bridge.exe"
  ReadRegStr $0 HKCU "Environment" "Path"
  ${StrStr} $1 "$0" "$INSTDIR\bin"
  ${If} $1 == ""
    ${If} $0 == ""
      WriteRegExpandStr HKCU "Environment" "Path" "$INSTDIR\bin"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" "$0;$INSTDIR\bin"
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  ${EndIf}
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  Delete "$INSTDIR\bin\psa-bridge.exe"
  RMDir "$INSTDIR\bin"
  ReadRegStr $0 HKCU "Environment" "Path"
  ${UnStrRep} $1 "$0" ";$INSTDIR\bin" ""
  ${UnStrRep} $1 "$1" "$INSTDIR\bin" ""
  WriteRegExpandStr HKCU "Environment" "Path" "$1"
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend
