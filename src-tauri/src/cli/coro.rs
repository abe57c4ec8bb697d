//! `psa-bridge coro connect`, `psa-bridge workspaces`, `psa-bridge services`.

use clap::{Args, Subcommand};

use super::output::{print_json, table};
use super::secret_input::read_secret;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::views::CoroInput;

#[derive(Debug, Subcommand)]
pub enum CoroCmd {
    /// Connect the Coro channel (checked live; the client secret is read from stdin or a prompt).
    Connect(ConnectArgs),
    /// Show the stored Coro connection.
    Status(super::connector::JsonFlag),
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// us, ca, eu, or the API's URL.
    #[arg(long)]
    pub region: String,
    #[arg(long)]
    pub client_id: String,
    /// The channel (parent) workspace id the API credential was created in.
    #[arg(long)]
    pub channel: String,
    #[arg(long)]
    pub json: bool,
}

impl CoroCmd {
    pub fn wants_json(&self) -> bool {
        match self {
            CoroCmd::Connect(a) => a.json,
            CoroCmd::Status(f) => f.json,
        }
    }
}

fn print_status(s: &crate::views::CoroStatus, json: bool) -> Result<(), ApiError> {
    if json {
        return print_json(s);
    }
    if s.connected {
        println!(
            "Coro connected: channel {} ({}) at {}",
            s.channel_name.as_deref().unwrap_or("?"),
            s.channel.as_deref().unwrap_or("?"),
            s.base_url.as_deref().unwrap_or("?")
        );
    } else {
        println!("Coro is not connected: psa-bridge coro connect --region us --client-id ID --channel WORKSPACE_ID");
    }
    Ok(())
}

pub fn run(ctx: &AppContext, cmd: &CoroCmd) -> Result<(), ApiError> {
    match cmd {
        CoroCmd::Connect(a) => {
            let client_secret = read_secret("Coro client secret")?;
            let input = CoroInput {
                region: a.region.clone(),
                client_id: a.client_id.clone(),
                client_secret,
                channel: a.channel.clone(),
            };
            let s = super::runtime()?.block_on(app::coro::connect(ctx, input))?;
            print_status(&s, a.json)
        }
        CoroCmd::Status(f) => print_status(&app::coro::status(ctx)?, f.json),
    }
}

#[derive(Debug, Args)]
pub struct WorkspacesArgs {
    /// Show the mapping of this connector too.
    #[arg(long)]
    pub connector: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub fn workspaces(ctx: &AppContext, a: &WorkspacesArgs) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    if let Some(c) = &a.connector {
        let row = app::connectors::resolve(ctx, c)?;
        let rows = rt.block_on(app::mappings::workspace_rows(ctx, row.id))?;
        if a.json {
            return print_json(&rows);
        }
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.workspace_id.clone(),
                    r.name.clone(),
                    status_label(&r.status, r.archived),
                    match (&r.company, r.stale) {
                        (Some(c), true) => format!("{} [{}] — gone from the PSA", c.name, c.id),
                        (Some(c), false) => format!("{} [{}]", c.name, c.id),
                        (None, _) => r
                            .suggestion
                            .as_ref()
                            .map(|s| format!("(suggested: {} [{}])", s.name, s.id))
                            .unwrap_or_else(|| "—".into()),
                    },
                ]
            })
            .collect();
        print!(
            "{}",
            table(&["WORKSPACE", "NAME", "STATUS", "PSA COMPANY"], &body)
        );
        return Ok(());
    }
    let list = rt.block_on(app::coro::workspaces(ctx))?;
    if a.json {
        return print_json(&list);
    }
    let body: Vec<Vec<String>> = list
        .iter()
        .map(|w| {
            vec![
                w.id.clone(),
                w.name.clone(),
                status_label(&w.status, w.archived),
            ]
        })
        .collect();
    print!("{}", table(&["WORKSPACE", "NAME", "STATUS"], &body));
    Ok(())
}

#[derive(Debug, Args)]
pub struct ServicesArgs {
    /// Show the mapping of this connector too.
    #[arg(long)]
    pub connector: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// A workspace's status, marked when it is not billed.
fn status_label(status: &str, archived: bool) -> String {
    if archived {
        format!("{status} (not billed)")
    } else {
        status.to_string()
    }
}

/// A service's name, marked when Coro reported a service this build has no name for.
fn service_label(name: &str, known: bool) -> String {
    if known {
        name.to_string()
    } else {
        format!("{name} (new)")
    }
}

pub fn services(ctx: &AppContext, a: &ServicesArgs) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    if let Some(c) = &a.connector {
        let row = app::connectors::resolve(ctx, c)?;
        let rows = rt.block_on(app::mappings::service_rows(ctx, row.id))?;
        if a.json {
            return print_json(&rows);
        }
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.service_key.clone(),
                    service_label(&r.name, r.known),
                    in_use_label(r.in_use),
                    r.unit.as_str().to_string(),
                    r.product
                        .as_ref()
                        .map(|p| format!("{} [{}]", p.name, p.id))
                        .unwrap_or_else(|| "— (not billed)".into()),
                ]
            })
            .collect();
        print!(
            "{}",
            table(&["SERVICE", "NAME", "IN USE", "UNIT", "PSA PRODUCT"], &body)
        );
        return Ok(());
    }
    let seen = rt.block_on(app::coro::service_keys(ctx))?;
    let in_use = app::seen::totals(&app::seen::load(ctx)?);
    let list: Vec<SeenService> = crate::coro::catalog::catalogue(seen)
        .into_iter()
        .map(|info| SeenService {
            in_use: in_use.get(&info.key).copied(),
            info,
        })
        .collect();
    if a.json {
        return print_json(&list);
    }
    let body: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            vec![
                s.info.key.clone(),
                service_label(&s.info.name, s.info.known),
                in_use_label(s.in_use),
                s.info.default_unit.as_str().to_string(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["SERVICE", "NAME", "IN USE", "DEFAULT UNIT"], &body)
    );
    Ok(())
}

/// A catalogue entry with how much Coro bills it, as last read.
#[derive(serde::Serialize)]
struct SeenService {
    #[serde(flatten)]
    info: crate::coro::catalog::ServiceInfo,
    in_use: Option<crate::views::KeyUse>,
}

/// "12 in 3 workspaces", or "—" when not seen in use.
fn in_use_label(u: Option<crate::views::KeyUse>) -> String {
    match u {
        Some(u) if u.workspaces == 1 => format!("{} in 1 workspace", u.count),
        Some(u) => format!("{} in {} workspaces", u.count, u.workspaces),
        None => "—".into(),
    }
}
