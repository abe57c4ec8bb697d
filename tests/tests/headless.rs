//! A server without a desktop session: no D-Bus session bus, so no Secret Service. Secrets come
//! from a credentials directory (`$CREDENTIALS_DIRECTORY`, systemd's convention): Coro and a
//! ConnectWise connector are set up and synced through the CLI with the session bus and display
//! unset, a failed add changes nothing on disk, and a secret file others may read is refused.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::cli;
use psa_bridge_e2e::sandbox_cli::{
    add_connectwise, connect_coro, json_ok, map_services, map_workspaces, parse, runtime, stderr,
    stdout, Psa,
};

fn files(dir: &Path) -> Vec<(String, Vec<u8>, u32)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| !e.file_name().to_string_lossy().ends_with("-shm"))
        .map(|e| {
            let meta = e.metadata().expect("metadata");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap_or_default(),
                meta.permissions().mode() & 0o777,
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "runs the built app binary: scripts/test.sh"]
fn sync_from_a_credentials_directory_without_a_session_bus() -> anyhow::Result<()> {
    // Every CLI run below inherits this: no session bus, no display, secrets from files.
    let creds = tempfile::tempdir()?;
    std::fs::set_permissions(creds.path(), std::fs::Permissions::from_mode(0o700))?;
    std::env::remove_var("DBUS_SESSION_BUS_ADDRESS");
    std::env::remove_var("DISPLAY");
    std::env::set_var("CREDENTIALS_DIRECTORY", creds.path());

    let rt = runtime();
    let sb = rt.block_on(sandbox::start(SandboxOptions::default()))?;
    let data = tempfile::tempdir()?;
    let d = data.path();

    let place = json_ok(d, &["secrets", "where", "--json"], None);
    assert_eq!(place["store"], "credentials_dir", "{place}");
    connect_coro(d, &sb);
    let id = add_connectwise(d, &sb);
    let secret_file = creds.path().join(format!("connector-{id}-secret"));
    for f in [&secret_file, &creds.path().join("coro-client-secret")] {
        let mode = std::fs::metadata(f)?.permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    map_services(d, &id, &sb, Psa::Connectwise);
    map_workspaces(d, &id, &sb, Psa::Connectwise);

    let o = cli(d, &["sync", &id, "--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = parse(&o, &["sync"]);
    let counts = &out[0]["summary"]["counts"];
    assert_eq!(counts["failed"], 0, "{out}");
    assert!(counts["applied"].as_u64().unwrap_or(0) > 0, "{out}");

    // A failed add (a mistyped --client-id and a wrong key) changes not one byte of the data
    // folder or the credentials directory: the clientId is saved only with a connector.
    let (data_before, creds_before) = (files(d), files(creds.path()));
    let cw = &sb.info.connectwise;
    let o = cli(
        d,
        &[
            "connector",
            "add",
            "connectwise",
            "--company",
            &cw.company,
            "--site",
            &cw.site,
            "--public-key",
            &cw.public_key,
            "--client-id",
            "typo-client-id",
            "--name",
            "Second",
        ],
        Some("not-the-private-key\n"),
    );
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(files(d), data_before, "the data folder changed");
    assert_eq!(files(creds.path()), creds_before, "the credentials changed");
    let o = cli(d, &["sync", &id, "--dry-run", "--json"], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the first connector still works: {}",
        stderr(&o)
    );

    // A secret file that others may read is refused, with the fix named.
    std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o644))?;
    let o = cli(d, &["sync", &id], None);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&secret_file.display().to_string()) && err.contains("chmod 600"),
        "{err}"
    );
    assert!(!err.contains(&cw.private_key), "{err}");
    Ok(())
}
