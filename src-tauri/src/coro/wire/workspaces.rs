//! Workspaces (coro.md §2.2, §4.2): the DTO, its child references, type and status, and which
//! workspaces are billed.

use serde::{Deserialize, Serialize};

/// A workspace as `GET /workspaces` and `/workspaces/search` return it (coro.md §2.2).
///
/// Use [`Workspace::name`] for display and PSA matching: `displayName` is capped at 30 characters
/// in the console, so `companyName` is the full name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `regular` | `channel` | `child`; read with [`Workspace::kind`].
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub workspace_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<ChildRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_protected_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_admin_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_emails: Option<Vec<String>>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_admin_login_time: Option<i64>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited: Option<bool>,
    /// Lifecycle status; read with [`Workspace::status`].
    ///
    /// UNCONFIRMED: coro.md §2.2 shows no status field. We assume `status` carrying the console's
    /// statuses in UPPER_SNAKE ([`WorkspaceStatus::as_wire`]); `workspaceStatus` is accepted too.
    #[serde(alias = "workspaceStatus", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A second archive signal, honoured if present.
    ///
    /// UNCONFIRMED: no such field is documented; the sandbox never sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

impl Workspace {
    /// The name to show and to match PSA companies on: `companyName`, else `displayName`, else id.
    pub fn name(&self) -> Option<&str> {
        self.company_name
            .as_deref()
            .or(self.display_name.as_deref())
            .or(self.id.as_deref())
    }

    pub fn kind(&self) -> Option<WorkspaceType> {
        self.workspace_type.as_deref().map(WorkspaceType::parse)
    }

    /// `None` when the response carries no status at all.
    pub fn status(&self) -> Option<WorkspaceStatus> {
        self.status.as_deref().map(WorkspaceStatus::parse)
    }

    /// Ids from the `children` array, whichever form it takes.
    pub fn child_ids(&self) -> Vec<&str> {
        self.children
            .iter()
            .flatten()
            .filter_map(ChildRef::id)
            .collect()
    }
}

/// One entry of a workspace's `children` array.
///
/// UNCONFIRMED: coro.md §2.2 says an array of child ids; objects with an `id` are accepted too.
/// The sandbox sends plain ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChildRef {
    Id(String),
    Object { id: Option<String> },
}

impl ChildRef {
    pub fn id(&self) -> Option<&str> {
        match self {
            ChildRef::Id(id) => Some(id),
            ChildRef::Object { id } => id.as_deref(),
        }
    }
}

/// Workspace types (coro.md §2.2, §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceType {
    Regular,
    Channel,
    Child,
    Unknown(String),
}

impl WorkspaceType {
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "regular" => WorkspaceType::Regular,
            "channel" => WorkspaceType::Channel,
            "child" => WorkspaceType::Child,
            _ => WorkspaceType::Unknown(s.to_string()),
        }
    }

    pub fn as_wire(&self) -> &str {
        match self {
            WorkspaceType::Regular => "regular",
            WorkspaceType::Channel => "channel",
            WorkspaceType::Child => "child",
            WorkspaceType::Unknown(s) => s,
        }
    }
}

/// The console's lifecycle statuses (coro.md §4.2: New → Trial → Subscription → Inactive →
/// Archived).
///
/// UNCONFIRMED: the wire spelling. We send UPPER_SNAKE (like `bundleInfo` and `osType`) and parse
/// any case; `ACTIVE` is read as `Subscription` in case the API names it that way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceStatus {
    New,
    Trial,
    Subscription,
    Inactive,
    Archived,
    Unknown(String),
}

impl WorkspaceStatus {
    pub fn parse(s: &str) -> Self {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match norm.as_str() {
            "new" => WorkspaceStatus::New,
            "trial" => WorkspaceStatus::Trial,
            "subscription" | "subscribed" | "active" => WorkspaceStatus::Subscription,
            "inactive" => WorkspaceStatus::Inactive,
            "archived" => WorkspaceStatus::Archived,
            _ => WorkspaceStatus::Unknown(s.to_string()),
        }
    }

    pub fn as_wire(&self) -> &str {
        match self {
            WorkspaceStatus::New => "NEW",
            WorkspaceStatus::Trial => "TRIAL",
            WorkspaceStatus::Subscription => "SUBSCRIPTION",
            WorkspaceStatus::Inactive => "INACTIVE",
            WorkspaceStatus::Archived => "ARCHIVED",
            WorkspaceStatus::Unknown(s) => s,
        }
    }
}

/// Whether a workspace is archived (coro.md §2.1, §4.2).
///
/// UNCONFIRMED: how archived workspaces are recognised. We read `status == ARCHIVED` or
/// `archived == true`; the docs also say archived ones drop out of MSP lists, which needs nothing.
pub fn is_archived(ws: &Workspace) -> bool {
    ws.archived == Some(true) || ws.status() == Some(WorkspaceStatus::Archived)
}

/// Whether usage of a workspace should be billed (coro.md §4.2 "App rule").
///
/// Channels are containers and never billed. Subscription is billed, Trial only when asked, New,
/// Inactive and Archived never. With no status field at all the workspace is billed, because the
/// field itself is UNCONFIRMED (see [`Workspace::status`]); an unrecognised status is not, so a
/// new lifecycle state never starts billing silently.
pub fn is_billable(ws: &Workspace, include_trial: bool) -> bool {
    if ws.kind() == Some(WorkspaceType::Channel) || ws.archived == Some(true) {
        return false;
    }
    match ws.status() {
        None | Some(WorkspaceStatus::Subscription) => true,
        Some(WorkspaceStatus::Trial) => include_trial,
        Some(_) => false,
    }
}
