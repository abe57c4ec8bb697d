//! *Launch at login*: the OS entry that starts the app hidden in the tray (`--hidden`). Built on
//! the `auto-launch` crate (what tauri-plugin-autostart wraps) so the program path can be quoted:
//! the plugin wrote the Windows `Run` value as `C:\Program Files\PSA Bridge\psa-bridge.exe
//! --hidden`, which Windows splits at the first space and cannot start.
//!
//! Windows: `HKCU\…\Run` value `"<exe>" --hidden` (the current user only, never all users).
//! macOS: a LaunchAgent plist (an argument array: no quoting). Linux: an XDG autostart entry
//! (`~/.config/autostart/PSA Bridge.desktop`) whose `Exec` quotes the path when it needs it.

use std::path::Path;

use auto_launch::{AutoLaunch, AutoLaunchBuilder};

use super::HIDDEN_ARG;

/// The entry's name (registry value, plist and .desktop file name), as the plugin named it, so an
/// entry written by an earlier version is found and replaced.
pub const ENTRY_NAME: &str = "PSA Bridge";

/// Which OS's rules to follow (a parameter, so every OS's format is tested on Linux).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Windows,
    MacOs,
    Linux,
}

impl Os {
    pub const CURRENT: Os = if cfg!(windows) {
        Os::Windows
    } else if cfg!(target_os = "macos") {
        Os::MacOs
    } else {
        Os::Linux
    };
}

/// The program path as the entry must hold it. `auto-launch` writes `{path} {args}` into the
/// Windows `Run` value and the desktop entry's `Exec`, so the quoting has to be in the path.
pub fn entry_program(os: Os, exe: &Path) -> String {
    let exe = exe.display().to_string();
    match os {
        Os::Windows => format!("\"{exe}\""),
        Os::MacOs => exe,
        Os::Linux => {
            // Desktop Entry spec: quote an argument holding a reserved character; inside the
            // quotes, `"`, `` ` ``, `$` and `\` are escaped with a backslash.
            let reserved = " \t\n\"'\\><~|&;$*?#()`";
            if exe.chars().any(|c| reserved.contains(c)) {
                let escaped: String = exe
                    .chars()
                    .flat_map(|c| match c {
                        '"' | '`' | '$' | '\\' => vec!['\\', c],
                        _ => vec![c],
                    })
                    .collect();
                format!("\"{escaped}\"")
            } else {
                exe
            }
        }
    }
}

/// The full command line the entry runs at login, as written to the Windows `Run` value.
pub fn entry_command(os: Os, exe: &Path) -> String {
    format!("{} {HIDDEN_ARG}", entry_program(os, exe))
}

/// The login entry for this executable.
pub fn for_exe(exe: &Path) -> Result<AutoLaunch, auto_launch::Error> {
    let mut builder = AutoLaunchBuilder::new();
    builder
        .set_app_name(ENTRY_NAME)
        .set_app_path(&entry_program(Os::CURRENT, exe))
        .set_args(&[HIDDEN_ARG])
        .set_macos_launch_mode(auto_launch::MacOSLaunchMode::LaunchAgent)
        .set_windows_enable_mode(auto_launch::WindowsEnableMode::CurrentUser);
    builder.build()
}

/// The login entry for the running executable.
pub fn current() -> Result<AutoLaunch, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    for_exe(&exe).map_err(|e| e.to_string())
}

/// Rewrites an enabled entry so it names this executable in the current format: an entry an
/// earlier version wrote unquoted, or for a path since moved, starts the app again.
pub fn refresh(entry: &AutoLaunch) {
    if entry.is_enabled().unwrap_or(false) {
        if let Err(e) = entry.enable() {
            tracing::warn!(error = %e, "could not refresh the launch-at-login entry");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_run_value_quotes_a_path_with_spaces() {
        let exe = Path::new(r"C:\Program Files\PSA Bridge\psa-bridge.exe");
        assert_eq!(
            entry_command(Os::Windows, exe),
            r#""C:\Program Files\PSA Bridge\psa-bridge.exe" --hidden"#
        );
    }

    #[test]
    fn linux_quotes_only_when_the_path_needs_it() {
        assert_eq!(
            entry_command(Os::Linux, Path::new("/usr/bin/psa-bridge")),
            "/usr/bin/psa-bridge --hidden"
        );
        assert_eq!(
            entry_command(Os::Linux, Path::new("/home/op/My Apps/psa-bridge")),
            r#""/home/op/My Apps/psa-bridge" --hidden"#
        );
        assert_eq!(
            entry_program(Os::Linux, Path::new("/opt/a$b/psa-bridge")),
            r#""/opt/a\$b/psa-bridge""#
        );
    }

    #[test]
    fn macos_passes_the_path_as_one_argument() {
        let exe = Path::new("/Applications/PSA Bridge.app/Contents/MacOS/psa-bridge");
        assert_eq!(entry_program(Os::MacOs, exe), exe.display().to_string());
    }

    #[test]
    fn the_entry_holds_the_quoted_path_and_the_hidden_flag() {
        let exe = Path::new("/usr/lib/psa bridge/psa-bridge");
        let entry = for_exe(exe).unwrap();
        assert_eq!(entry.get_app_name(), ENTRY_NAME);
        assert_eq!(entry.get_app_path(), entry_program(Os::CURRENT, exe));
        if Os::CURRENT == Os::Linux {
            assert_eq!(entry.get_app_path(), r#""/usr/lib/psa bridge/psa-bridge""#);
        }
        assert_eq!(entry.get_args(), [HIDDEN_ARG.to_string()]);
    }
}
