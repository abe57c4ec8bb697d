//! `psa-bridge connector …`: add (checked live, then stored), list, test, remove, and an
//! Autotask connector's time zone.

use clap::{Args, Subcommand};

use super::output::{print_json, table};
use super::secret_input::read_secret;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::{ConnectionState, ConnectorSummary, MappingCount};
use crate::secrets::Sensitive;
use crate::views::{AutotaskInput, ConnectwiseInput};

#[derive(Debug, Subcommand)]
pub enum ConnectorCmd {
    /// Add a PSA connector; its credentials are checked live before anything is stored.
    #[command(subcommand)]
    Add(AddCmd),
    /// List the connectors with their status and mapping progress.
    List(JsonFlag),
    /// Check a connector's credentials again and record the result.
    Test(IdArgs),
    /// Edit a connector in place (keeping its mappings and history): any change to how it
    /// reaches the PSA is checked live before anything is saved.
    Edit(EditArgs),
    /// Remove a connector, its mappings, history and keychain entry.
    Remove(IdArgs),
    /// Set an Autotask connector's time zone: the Autotask database's, which "today" and every
    /// adjustment's effective date follow.
    SetTimeZone(TimeZoneArgs),
    /// Show or set the billing cadence (daily, or monthly on a day) and the noise threshold.
    Billing(super::cadence::BillingArgs),
    /// Show or set the PSA ticket opened when a sync fails or holds changes (off by default).
    Tickets(super::tickets::TicketsArgs),
    /// List the ConnectWise service boards / Autotask queues a ticket can go into.
    Boards(IdArgs),
}

#[derive(Debug, Args)]
pub struct TimeZoneArgs {
    /// Connector id or name.
    pub connector: String,
    /// IANA time zone name, e.g. America/New_York or Pacific/Auckland.
    pub zone: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// Connector id or name.
    pub connector: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct EditArgs {
    /// Connector id or name.
    pub connector: String,
    /// New display name.
    #[arg(long)]
    pub name: Option<String>,
    /// ConnectWise: the company id used at login.
    #[arg(long)]
    pub company: Option<String>,
    /// ConnectWise: domain (e.g. na.myconnectwise.net) or full URL.
    #[arg(long)]
    pub site: Option<String>,
    /// ConnectWise: the API member's public key.
    #[arg(long)]
    pub public_key: Option<String>,
    /// ConnectWise: read a new private key from stdin or a prompt (key rotation).
    #[arg(long)]
    pub private_key: bool,
    /// ConnectWise: the integration's clientId (saved in Settings when the check passes).
    #[arg(long)]
    pub client_id: Option<String>,
    /// Autotask: the API user's user name.
    #[arg(long)]
    pub username: Option<String>,
    /// Autotask: read a new secret from stdin or a prompt (secret rotation).
    #[arg(long)]
    pub secret: bool,
    /// Autotask: the API tracking identifier (better from PSA_BRIDGE_AUTOTASK_INTEGRATION_CODE).
    #[arg(
        long,
        env = "PSA_BRIDGE_AUTOTASK_INTEGRATION_CODE",
        hide_env_values = true
    )]
    pub integration_code: Option<String>,
    /// Autotask: zone URL override; "" goes back to looking the zone up.
    #[arg(long)]
    pub zone_url: Option<String>,
    /// Autotask: the database's time zone (IANA name).
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Leaves out the integration code, which is sent as a credential header.
impl std::fmt::Debug for EditArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EditArgs")
            .field("connector", &self.connector)
            .field("name", &self.name)
            .field("site", &self.site)
            .field("company", &self.company)
            .field("private_key", &self.private_key)
            .field("secret", &self.secret)
            .field("json", &self.json)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Subcommand)]
pub enum AddCmd {
    /// ConnectWise PSA (Manage). The private key is read from stdin or a prompt.
    Connectwise(ConnectwiseArgs),
    /// Autotask PSA. The secret is read from stdin or a prompt.
    Autotask(AutotaskArgs),
}

#[derive(Debug, Args)]
pub struct ConnectwiseArgs {
    /// The ConnectWise company id (the "Company" field of the login screen).
    #[arg(long)]
    pub company: String,
    /// ConnectWise domain (e.g. na.myconnectwise.net) or full URL.
    #[arg(long)]
    pub site: String,
    /// The API member's public key.
    #[arg(long)]
    pub public_key: String,
    #[arg(long)]
    pub name: Option<String>,
    /// Store this integration clientId in Settings first.
    #[arg(long)]
    pub client_id: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct AutotaskArgs {
    /// The API user's user name (key).
    #[arg(long)]
    pub username: String,
    /// The API tracking identifier (integration code). Better from the environment
    /// (PSA_BRIDGE_AUTOTASK_INTEGRATION_CODE) than argv, which other local users can see.
    #[arg(
        long,
        env = "PSA_BRIDGE_AUTOTASK_INTEGRATION_CODE",
        hide_env_values = true
    )]
    pub integration_code: String,
    /// Zone URL override (normally discovered from the user name).
    #[arg(long)]
    pub zone_url: Option<String>,
    /// The Autotask database's time zone (IANA name, e.g. America/New_York); default: this
    /// computer's.
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub json: bool,
}

/// Leaves out the integration code, which is sent as a credential header.
impl std::fmt::Debug for AutotaskArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutotaskArgs")
            .field("username", &self.username)
            .field("integration_code", &"***")
            .field("zone_url", &self.zone_url)
            .field("name", &self.name)
            .field("json", &self.json)
            .finish()
    }
}

impl ConnectorCmd {
    pub fn wants_json(&self) -> bool {
        match self {
            ConnectorCmd::Add(AddCmd::Connectwise(a)) => a.json,
            ConnectorCmd::Add(AddCmd::Autotask(a)) => a.json,
            ConnectorCmd::List(f) => f.json,
            ConnectorCmd::Test(a) | ConnectorCmd::Remove(a) => a.json,
            ConnectorCmd::SetTimeZone(a) => a.json,
            ConnectorCmd::Edit(a) => a.json,
            ConnectorCmd::Billing(a) => a.json,
            ConnectorCmd::Tickets(a) => a.json,
            ConnectorCmd::Boards(a) => a.json,
        }
    }
}

fn mapping_text(m: &MappingCount) -> String {
    if m.mapped == 0 {
        "Setup required".to_string()
    } else {
        format!("{} of {} mapped", m.mapped, m.total)
    }
}

fn status_text(s: &ConnectorSummary) -> String {
    match s.status.state {
        ConnectionState::Connected => "Connected".to_string(),
        ConnectionState::Untested => "Not tested".to_string(),
        ConnectionState::Error => format!(
            "Error: {}",
            s.status.message.as_deref().unwrap_or("check failed")
        ),
    }
}

fn print_summaries(rows: &[ConnectorSummary]) {
    if rows.is_empty() {
        println!(
            "No PSA connectors yet. Add one with `psa-bridge connector add connectwise|autotask`."
        );
        return;
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            vec![
                s.id.to_string(),
                s.kind.display_name().to_string(),
                s.name.clone(),
                status_text(s),
                mapping_text(&s.workspace_mapping),
                mapping_text(&s.service_mapping),
                s.time_zone.clone().unwrap_or_else(|| "—".into()),
                s.last_sync
                    .as_ref()
                    .map(|l| l.summary.clone())
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "ID",
                "PSA",
                "NAME",
                "STATUS",
                "WORKSPACES",
                "SERVICES",
                "TIME ZONE",
                "LAST SYNC"
            ],
            &body
        )
    );
}

fn print_one(s: &ConnectorSummary, json: bool) -> Result<(), ApiError> {
    if json {
        print_json(s)
    } else {
        print_summaries(std::slice::from_ref(s));
        Ok(())
    }
}

pub fn run(ctx: &AppContext, cmd: &ConnectorCmd) -> Result<(), ApiError> {
    match cmd {
        ConnectorCmd::List(f) => {
            let rows = app::status::connector_summaries(ctx)?;
            if f.json {
                print_json(&rows)
            } else {
                print_summaries(&rows);
                Ok(())
            }
        }
        ConnectorCmd::Add(AddCmd::Connectwise(a)) => {
            // --client-id is checked with the connector and saved only with it.
            let private_key = read_secret("ConnectWise private key")?;
            let input = ConnectwiseInput {
                name: a.name.clone(),
                company: a.company.clone(),
                site: a.site.clone(),
                public_key: a.public_key.clone(),
                private_key,
                client_id: a.client_id.clone(),
            };
            let s = super::runtime()?
                .block_on(app::connectors::add_connectwise(ctx, input))
                .map_err(|mut e| {
                    if e.message == crate::connectwise::NO_CLIENT_ID {
                        e.message.push_str(" (--client-id ID)");
                    }
                    e
                })?;
            print_one(&s, a.json)
        }
        ConnectorCmd::Add(AddCmd::Autotask(a)) => {
            match &a.time_zone {
                // Refused before the secret is asked for.
                Some(z) => {
                    crate::autotask::tz::TenantZone::parse(z).map_err(|e| {
                        ApiError::new(crate::error::ErrorCode::InvalidInput, e.to_string())
                    })?;
                }
                None => {
                    if let Some(note) = app::connectors::machine_time_zone().note {
                        eprintln!("{note} (--time-zone ZONE)");
                    }
                }
            }
            let secret = read_secret("Autotask secret")?;
            let input = AutotaskInput {
                name: a.name.clone(),
                username: a.username.clone(),
                secret,
                integration_code: Sensitive::new(a.integration_code.clone()),
                zone_url: a.zone_url.clone(),
                time_zone: a.time_zone.clone(),
            };
            let s = super::runtime()?.block_on(app::connectors::add_autotask(ctx, input))?;
            print_one(&s, a.json)
        }
        ConnectorCmd::Test(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let s = super::runtime()?.block_on(app::connectors::test(ctx, row.id))?;
            if s.status.state == ConnectionState::Error {
                // The check ran and failed (and was recorded): exit 1 with its message.
                return Err(ApiError::new(
                    crate::error::ErrorCode::Remote,
                    s.status
                        .message
                        .unwrap_or_else(|| "connection check failed".into()),
                ));
            }
            print_one(&s, a.json)
        }
        ConnectorCmd::Billing(a) => super::cadence::run(ctx, a),
        ConnectorCmd::Tickets(a) => super::tickets::run(ctx, a),
        ConnectorCmd::Boards(a) => super::tickets::boards(ctx, a),
        ConnectorCmd::SetTimeZone(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let s = app::connectors::set_time_zone(ctx, row.id, &a.zone)?;
            if a.json {
                print_json(&s)
            } else {
                println!(
                    "Connector {} ({}) now uses the time zone {}.",
                    s.id,
                    s.name,
                    s.time_zone.as_deref().unwrap_or("—")
                );
                Ok(())
            }
        }
        ConnectorCmd::Edit(a) => edit(ctx, a),
        ConnectorCmd::Remove(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            app::connectors::remove(ctx, row.id)?;
            if a.json {
                print_json(&serde_json::json!({"removed": row.id}))
            } else {
                println!("Removed connector {} ({}).", row.id, row.name);
                Ok(())
            }
        }
    }
}

fn edit(ctx: &AppContext, a: &EditArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let autotask = row.kind == crate::model::PsaKind::Autotask;
    let rotated = match (a.private_key, a.secret) {
        (true, _) => Some(read_secret("New ConnectWise private key")?),
        (_, true) => Some(read_secret("New Autotask secret")?),
        _ => None,
    };
    let edit = app::connector_edit::ConnectorEdit {
        name: a.name.clone(),
        company: a.company.clone(),
        site: a.site.clone(),
        public_key: a.public_key.clone(),
        private_key: rotated.clone().filter(|_| a.private_key),
        client_id: a.client_id.clone(),
        username: a.username.clone(),
        secret: rotated.filter(|_| a.secret && !a.private_key),
        // The environment variable may be set for Autotask adds; a ConnectWise edit ignores it.
        integration_code: a
            .integration_code
            .clone()
            .filter(|_| autotask)
            .map(Sensitive::new),
        zone_url: a.zone_url.clone(),
        time_zone: a.time_zone.clone(),
    };
    let s = super::runtime()?.block_on(app::connector_edit::edit(ctx, row.id, edit))?;
    if a.json {
        print_json(&s)
    } else {
        println!("Saved connector {} ({}).", s.id, s.name);
        print_summaries(std::slice::from_ref(&s));
        Ok(())
    }
}
