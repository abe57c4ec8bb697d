//! Workspace discovery: the live credential check and every customer (child workspace) under
//! the channel, walking nested sub-channels (coro.md §4.2, §6 step 2). Channels are containers,
//! never customers.

use std::collections::{HashSet, VecDeque};

use serde::Serialize;

use super::client::{CoroClient, CoroError};
use super::wire::{self, Workspace, WorkspaceStatus, WorkspaceType};

/// A customer workspace as the mapping screen and the sync need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoroWorkspace {
    pub id: String,
    /// `companyName`, else `displayName`, else the id ([`Workspace::name`]).
    pub name: String,
    /// Status as reported, lower case (`subscription`, `trial`, `archived`); `unknown` when the
    /// response carries none (the status field itself is UNCONFIRMED, see `wire`).
    pub status: String,
    pub archived: bool,
    /// Billed without the trial option ([`wire::is_billable`] with `include_trial = false`).
    pub billable: bool,
    /// In trial: billed only when the operator opts in.
    pub trial: bool,
    /// The channel it was found under.
    pub parent_id: String,
}

impl CoroWorkspace {
    fn from_wire(ws: &Workspace, id: String, parent: &str) -> CoroWorkspace {
        let trial = ws.status() == Some(WorkspaceStatus::Trial);
        CoroWorkspace {
            name: ws.name().unwrap_or(&id).to_string(),
            status: ws
                .status()
                .map_or_else(|| "unknown".to_string(), |s| s.as_wire().to_lowercase()),
            archived: wire::is_archived(ws),
            billable: wire::is_billable(ws, false),
            trial: trial && wire::is_billable(ws, true),
            parent_id: ws
                .parent_workspace_id
                .clone()
                .unwrap_or_else(|| parent.to_string()),
            id,
        }
    }

    /// Whether usage is billed, with or without trial workspaces.
    pub fn billed(&self, include_trial: bool) -> bool {
        self.billable || (include_trial && self.trial)
    }
}

impl CoroClient {
    /// Validates the credential and the channel live (a token, then the channel workspace) and
    /// returns the channel's name.
    pub async fn check(&self) -> Result<String, CoroError> {
        let channel = self.channel().to_string();
        let (items, _) = self
            .get_decoded(
                wire::WORKSPACES_PATH,
                &channel,
                &[],
                "reading the channel workspace",
                |v| wire::parse_list::<Workspace>(v).map_err(|e| e.to_string()),
            )
            .await?;
        let ws = items
            .iter()
            .find(|w| w.id.as_deref() == Some(channel.as_str()))
            .or(items.first());
        match ws.and_then(Workspace::kind) {
            Some(kind @ (WorkspaceType::Child | WorkspaceType::Regular)) => {
                Err(CoroError::NotAChannel {
                    channel,
                    kind: kind.as_wire().to_string(),
                })
            }
            _ => Ok(ws
                .and_then(Workspace::name)
                .unwrap_or(channel.as_str())
                .to_string()),
        }
    }

    /// Every customer workspace under the channel, sub-channels walked breadth first, each
    /// listed once (de-duplicated by id, which also stops a cycle of channels).
    pub async fn workspaces(&self) -> Result<Vec<CoroWorkspace>, CoroError> {
        let root = self.channel().to_string();
        let mut seen: HashSet<String> = HashSet::from([root.clone()]);
        let mut channels = VecDeque::from([root]);
        let mut out = Vec::new();
        while let Some(channel) = channels.pop_front() {
            let what = format!("listing the workspaces of channel {channel}");
            let listed: Vec<Workspace> = self
                .get_pages(wire::WORKSPACES_SEARCH_PATH, &channel, &what)
                .await?;
            for ws in listed {
                let Some(id) = ws.id.clone().filter(|id| !id.trim().is_empty()) else {
                    tracing::warn!(channel, "Coro listed a workspace without an id; skipped");
                    continue;
                };
                if !seen.insert(id.clone()) {
                    continue;
                }
                if ws.kind() == Some(WorkspaceType::Channel) {
                    channels.push_back(id);
                } else {
                    out.push(CoroWorkspace::from_wire(&ws, id, &channel));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coro::client::ClientOptions;
    use crate::secrets::Sensitive;
    use mockito::{Matcher, Server};
    use serde_json::json;

    fn client(url: &str, page_size: u32) -> CoroClient {
        let opts = ClientOptions {
            page_size,
            ..ClientOptions::default()
        };
        CoroClient::with_options(
            url,
            "cid".into(),
            Sensitive::new("secret-value".into()),
            "root_AAAA_c".into(),
            opts,
        )
        .unwrap()
    }

    async fn token_mock(server: &mut Server) -> mockito::Mock {
        server
            .mock("POST", wire::TOKEN_PATH)
            .with_body(json!({"access_token": "tok", "expires_in": 86400}).to_string())
            .create_async()
            .await
    }

    fn ws(id: &str, kind: &str, status: Option<&str>) -> serde_json::Value {
        json!({"id": id, "companyName": format!("{id} Inc"), "type": kind, "status": status})
    }

    async fn search_page(
        server: &mut Server,
        channel: &str,
        page: u32,
        items: Vec<serde_json::Value>,
        total: u64,
    ) -> mockito::Mock {
        server
            .mock("GET", wire::WORKSPACES_SEARCH_PATH)
            .match_header(wire::WORKSPACE_HEADER, channel)
            .match_header(wire::AUTH_HEADER, "Bearer tok")
            .match_query(Matcher::AllOf(vec![
                Matcher::UrlEncoded(wire::PAGE_PARAM.into(), page.to_string()),
                Matcher::UrlEncoded(wire::PAGE_SIZE_PARAM.into(), "2".into()),
            ]))
            .with_body(json!({"items": items, "totalElements": total}).to_string())
            .expect(1)
            .create_async()
            .await
    }

    #[tokio::test]
    async fn walks_pages_and_sub_channels_once() {
        let mut server = Server::new_async().await;
        let token = token_mock(&mut server).await;
        let root = "root_AAAA_c";
        let mut mocks = vec![
            search_page(
                &mut server,
                root,
                0,
                vec![
                    ws("a_1", "child", Some("SUBSCRIPTION")),
                    ws("sub_S_c", "channel", None),
                ],
                3,
            )
            .await,
            // The sub-channel lists the root (a cycle) and a duplicate of a_1.
            search_page(
                &mut server,
                root,
                1,
                vec![ws("b_2", "child", Some("ARCHIVED"))],
                3,
            )
            .await,
        ];
        mocks.push(
            search_page(
                &mut server,
                "sub_S_c",
                0,
                vec![ws("c_3", "child", Some("Trial")), ws(root, "channel", None)],
                3,
            )
            .await,
        );
        mocks.push(
            search_page(
                &mut server,
                "sub_S_c",
                1,
                vec![ws("a_1", "child", Some("SUBSCRIPTION"))],
                3,
            )
            .await,
        );
        let c = client(&server.url(), 2);
        let found = c.workspaces().await.unwrap();
        let rows: Vec<(&str, &str, bool, bool, bool, &str)> = found
            .iter()
            .map(|w| {
                let row = (w.id.as_str(), w.status.as_str(), w.archived, w.billable);
                (row.0, row.1, row.2, row.3, w.trial, w.parent_id.as_str())
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("a_1", "subscription", false, true, false, root),
                ("b_2", "archived", true, false, false, root),
                ("c_3", "trial", false, false, true, "sub_S_c"),
            ]
        );
        assert_eq!(found[0].name, "a_1 Inc");
        assert!(found[2].billed(true) && !found[2].billed(false));
        for m in &mocks {
            m.assert_async().await;
        }
        token.assert_async().await;
        assert_eq!(c.request_count(), 5);
    }

    #[tokio::test]
    async fn missing_status_counts_as_billable_and_unknown() {
        let mut server = Server::new_async().await;
        let _t = token_mock(&mut server).await;
        let _m = server
            .mock("GET", wire::WORKSPACES_SEARCH_PATH)
            .match_query(Matcher::Any)
            // A bare array (no paging envelope) is the whole list.
            .with_body(
                json!([{"id": "x_1", "displayName": "X"}, {"companyName": "no id"}]).to_string(),
            )
            .expect(1)
            .create_async()
            .await;
        let found = client(&server.url(), 2).workspaces().await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].status.as_str(), found[0].billable),
            ("unknown", true)
        );
        assert_eq!(found[0].name, "X");
    }

    #[tokio::test]
    async fn check_names_the_channel_and_refuses_children() {
        let cases = [
            (
                "channel",
                json!({"id": "root_AAAA_c", "companyName": "Root MSP", "type": "channel"}),
                Ok("Root MSP"),
            ),
            (
                "list form",
                json!([{"id": "root_AAAA_c", "displayName": "Root", "type": "CHANNEL"}]),
                Ok("Root"),
            ),
            ("no type", json!({"id": "root_AAAA_c"}), Ok("root_AAAA_c")),
            (
                "child",
                json!({"id": "root_AAAA_c", "type": "child"}),
                Err("child workspace, not a channel"),
            ),
        ];
        for (case, body, want) in cases {
            let mut server = Server::new_async().await;
            let _t = token_mock(&mut server).await;
            let m = server
                .mock("GET", wire::WORKSPACES_PATH)
                .match_header(wire::WORKSPACE_HEADER, "root_AAAA_c")
                .with_body(body.to_string())
                .create_async()
                .await;
            let got = client(&server.url(), 2).check().await;
            match want {
                Ok(name) => assert_eq!(got.as_deref(), Ok(name), "{case}"),
                Err(text) => assert!(got.unwrap_err().to_string().contains(text), "{case}"),
            }
            m.assert_async().await;
        }
    }
}
