//! The simulated Coro's data: the workspace tree, each service's counts, issued tokens.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::controls::UsageShape;
use super::wire::{self, WorkspaceStatus};
use super::{
    DAY_MS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EPOCH_MS, FOREIGN_CHANNEL_ID, FOREIGN_CHILD_ID,
    SUB_CHANNEL_ID, UNKNOWN_SERVICE_KEY,
};
use crate::common::{Gate, Rng};
use crate::seed::{Quirk, World, SERVICES};

/// What `psa-bridge sandbox` prints and the `connect` command takes.
#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub url: String,
    /// The client accepts a URL as region ([`wire::resolve_base_url`]), so this equals `url`.
    pub region: String,
    pub client_id: String,
    pub client_secret: String,
    /// The root channel workspace id.
    pub channel: String,
}

/// A running simulation: request log and faults through `gate`, data through `state`.
pub struct Handle {
    pub gate: Arc<Gate>,
    pub demo: Demo,
    pub state: Arc<Mutex<State>>,
}

impl Handle {
    /// Sets a service count (see [`State::set_usage`]).
    pub fn set_usage(&self, workspace_id: &str, service: &str, count: u32) -> Result<(), String> {
        let mut st = self.state.lock().map_err(|_| "state lock poisoned")?;
        st.set_usage(workspace_id, service, count, true)
    }

    /// Invalidates every issued token, so the next `/v1` call answers 401.
    pub fn expire_tokens(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.expire_tokens();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Channel,
    Child,
}

/// Counts of one service in one workspace. Both units are kept because Coro reports both and
/// the PSA mapping picks one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCounts {
    /// Whether the subscription has it switched on; disabled services have no usage record.
    pub enabled: bool,
    /// The service's billing unit (from `seed::SERVICES`; unknown services count users).
    pub per_device: bool,
    pub protected_users: u32,
    pub protected_devices: u32,
    /// Enabled but left out of `moduleStatistics` (`/_sandbox/module-statistics`), so a client
    /// must fall back to the workspace totals.
    pub unreported: bool,
}

impl ServiceCounts {
    /// The count in the service's own unit (what `World::usage` returns).
    pub fn quantity(&self) -> u32 {
        if self.per_device {
            self.protected_devices
        } else {
            self.protected_users
        }
    }
}

/// One simulated workspace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimWorkspace {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub kind: Kind,
    pub parent: Option<String>,
    /// Wire spelling of the status ([`WorkspaceStatus::as_wire`]).
    pub status: String,
    /// Workspace-wide protected devices and users.
    pub devices: u32,
    pub users: u32,
    pub created_ms: i64,
    /// Every service key the subscription mentions, enabled or not.
    pub services: BTreeMap<String, ServiceCounts>,
    pub bundles: Vec<String>,
}

/// Mutable simulation state; tests change it through [`Handle::state`].
#[derive(Debug)]
pub struct State {
    pub channel_id: String,
    /// Roots, customers, the sub-channel and the foreign pair, in listing order.
    pub workspaces: Vec<SimWorkspace>,
    /// Lifetime of newly issued tokens (Coro: 24 h); shorten it to test expiry.
    pub token_lifetime: Duration,
    pub client_id: String,
    pub(super) client_secret: String,
    /// Issued tokens and when they expire.
    pub(super) tokens: HashMap<String, Instant>,
    pub(super) rng: Rng,
    /// How `GET /v1/usage` is wrapped, per workspace (`None` key: every other workspace); see
    /// [`UsageShape`] and `POST /_sandbox/usage-shape`.
    pub usage_shapes: HashMap<Option<String>, UsageShape>,
}

impl State {
    pub(super) fn from_world(world: &World) -> State {
        let mut workspaces = vec![channel(&world.channel_id, &world.channel_name, None, 0)];
        for (i, c) in world.customers.iter().enumerate() {
            // Every fourth customer sits in the sub-channel so the client must recurse.
            let parent = if i % 4 == 3 {
                SUB_CHANNEL_ID
            } else {
                &world.channel_id
            };
            let mut services = BTreeMap::new();
            for (s, svc) in SERVICES.iter().enumerate() {
                let quantity = world.usage(i, s);
                // The other unit scales like the service's own one (add-ons cover a share).
                let (users, devices) = if svc.per_device {
                    (scale(c.users, quantity, c.devices), quantity)
                } else {
                    (quantity, scale(c.devices, quantity, c.users))
                };
                services.insert(
                    svc.key.to_string(),
                    ServiceCounts {
                        enabled: world.subscribes(i, s),
                        per_device: svc.per_device,
                        protected_users: users,
                        protected_devices: devices,
                        unreported: false,
                    },
                );
            }
            if i % 3 == 0 {
                services.insert(
                    UNKNOWN_SERVICE_KEY.to_string(),
                    ServiceCounts {
                        enabled: true,
                        per_device: false,
                        protected_users: (c.users / 2).max(1),
                        protected_devices: c.devices / 2,
                        unreported: false,
                    },
                );
            }
            let status = if c.quirk == Quirk::Archived {
                WorkspaceStatus::Archived
            } else {
                WorkspaceStatus::Subscription
            };
            workspaces.push(SimWorkspace {
                id: c.workspace_id.clone(),
                name: c.name.clone(),
                domain: c.domain.clone(),
                kind: Kind::Child,
                parent: Some(parent.to_string()),
                status: status.as_wire().to_string(),
                devices: c.devices,
                users: c.users,
                created_ms: EPOCH_MS + (i as i64 + 10) * DAY_MS,
                services,
                bundles: demo_bundles(i),
            });
        }
        workspaces.push(channel(
            SUB_CHANNEL_ID,
            "BrightPath West (sub-channel)",
            Some(&world.channel_id),
            5,
        ));
        workspaces.push(channel(FOREIGN_CHANNEL_ID, "Other Partner MSP", None, 1));
        let mut foreign_child = channel(
            FOREIGN_CHILD_ID,
            "Other Clinic",
            Some(FOREIGN_CHANNEL_ID),
            2,
        );
        foreign_child.kind = Kind::Child;
        foreign_child.devices = 3;
        foreign_child.users = 3;
        workspaces.push(foreign_child);
        State {
            channel_id: world.channel_id.clone(),
            workspaces,
            token_lifetime: Duration::from_secs(wire::TOKEN_LIFETIME_SECS),
            client_id: DEMO_CLIENT_ID.to_string(),
            client_secret: DEMO_CLIENT_SECRET.to_string(),
            tokens: HashMap::new(),
            rng: Rng::new(world.seed ^ 0xC0B0),
            usage_shapes: HashMap::new(),
        }
    }

    pub fn workspace(&self, id: &str) -> Option<&SimWorkspace> {
        self.workspaces.iter().find(|w| w.id == id)
    }

    /// Direct children (child workspaces and sub-channels) in listing order.
    pub fn children_of(&self, id: &str) -> Vec<&SimWorkspace> {
        self.workspaces
            .iter()
            .filter(|w| w.parent.as_deref() == Some(id))
            .collect()
    }

    /// Child (non-channel) workspaces anywhere under `id`, depth first.
    pub fn descendants(&self, id: &str) -> Vec<&SimWorkspace> {
        let mut out = Vec::new();
        for w in self.children_of(id) {
            match w.kind {
                Kind::Child => out.push(w),
                Kind::Channel => out.extend(self.descendants(&w.id)),
            }
        }
        out
    }

    /// Whether `id` is the root channel or lies below it.
    pub(super) fn in_tree(&self, id: &str) -> bool {
        let mut current = Some(id.to_string());
        // Bounded walk: a parent cycle introduced by a test must not hang the server.
        for _ in 0..=self.workspaces.len() {
            match current {
                Some(ref c) if *c == self.channel_id => return true,
                Some(ref c) => current = self.workspace(c).and_then(|w| w.parent.clone()),
                None => return false,
            }
        }
        false
    }

    /// Sets `service`'s count in its own unit and switches it on or off; an unknown key is added
    /// as a user-counted service. `protectedDevices` / `protectedUsers` set the workspace totals.
    pub fn set_usage(
        &mut self,
        workspace_id: &str,
        service: &str,
        count: u32,
        enabled: bool,
    ) -> Result<(), String> {
        let ws = self
            .workspaces
            .iter_mut()
            .find(|w| w.id == workspace_id)
            .ok_or_else(|| format!("unknown workspace {workspace_id}"))?;
        if ws.kind == Kind::Channel {
            return Err(format!(
                "{workspace_id} is a channel; usage lives on children"
            ));
        }
        match service {
            "protectedDevices" => ws.devices = count,
            "protectedUsers" => ws.users = count,
            _ => {
                let per_device = SERVICES
                    .iter()
                    .find(|s| s.key == service)
                    .is_some_and(|s| s.per_device);
                let entry = ws
                    .services
                    .entry(service.to_string())
                    .or_insert(ServiceCounts {
                        enabled,
                        per_device,
                        protected_users: 0,
                        protected_devices: 0,
                        unreported: false,
                    });
                entry.enabled = enabled;
                if entry.per_device {
                    entry.protected_devices = count;
                } else {
                    entry.protected_users = count;
                }
            }
        }
        Ok(())
    }

    /// How the usage answer for the workspace in the header is wrapped.
    pub fn usage_shape(&self, workspace_id: &str) -> UsageShape {
        self.usage_shapes
            .get(&Some(workspace_id.to_string()))
            .or_else(|| self.usage_shapes.get(&None))
            .copied()
            .unwrap_or_default()
    }

    /// Forgets every issued token.
    pub fn expire_tokens(&mut self) {
        self.tokens.clear();
    }

    pub(super) fn issue_token(&mut self) -> String {
        let token = format!(
            "sbx.{:016x}{:016x}",
            self.rng.next_u64(),
            self.rng.next_u64()
        );
        self.tokens
            .insert(token.clone(), Instant::now() + self.token_lifetime);
        token
    }

    pub(super) fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|exp| Instant::now() < *exp)
    }
}

/// A bundle the demo channel sells to an unknown-to-the-app bundle value (outside the
/// documented enum, like the newer "Coro AI" bundles).
pub const UNKNOWN_BUNDLE: &str = "CORO_AI_ENDPOINT";

/// The bundles of customer `i`: customer 0 (every module) has Coro Complete, so a bundle and the
/// modules it includes; customer 1 has Coro Essentials; customer 2 a bundle the app does not
/// know. Spellings differ on purpose (coro.md §2.3: both appear).
pub fn demo_bundles(i: usize) -> Vec<String> {
    match i {
        0 => vec!["coroComplete".to_string()],
        1 => vec!["CORO_ESSENTIALS".to_string()],
        2 => vec![UNKNOWN_BUNDLE.to_string()],
        _ => Vec::new(),
    }
}

fn channel(id: &str, name: &str, parent: Option<&str>, day: i64) -> SimWorkspace {
    let slug: String = id.split('_').next().unwrap_or(id).to_string();
    SimWorkspace {
        id: id.to_string(),
        name: name.to_string(),
        domain: format!("{slug}.example.com"),
        kind: Kind::Channel,
        parent: parent.map(str::to_string),
        status: WorkspaceStatus::Subscription.as_wire().to_string(),
        devices: 0,
        users: 0,
        created_ms: EPOCH_MS + day * DAY_MS,
        services: BTreeMap::new(),
        bundles: Vec::new(),
    }
}

/// `other * part / whole`, rounded down; 0 when `whole` is 0.
fn scale(other: u32, part: u32, whole: u32) -> u32 {
    if whole == 0 {
        return 0;
    }
    (u64::from(other) * u64::from(part) / u64::from(whole)) as u32
}
