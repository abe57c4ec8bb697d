//! The simulated Coro's own tests: its answers read the simplest way the reference allows.
use std::collections::HashSet;
use std::time::Duration;

use super::wire::{
    Device, Page, ProtectedUser, Subscription, TokenRequest, TokenResponse, Workspace,
    WorkspaceType, WorkspaceUsage,
};
use super::*;
use crate::seed::{Quirk, SERVICES};
use serde_json::{json, Value};

pub(super) struct Running {
    pub(super) url: String,
    pub(super) handle: Handle,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(super) async fn start(world: &World, behaviour: Behaviour) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (router, handle) = router(world, &behaviour, &url);
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Running {
        url,
        handle,
        http: reqwest::Client::new(),
        task,
    }
}

impl Running {
    pub(super) async fn token_response(&self, id: &str, secret: &str) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.url, wire::TOKEN_PATH))
            .json(&TokenRequest {
                client_id: Some(id.to_string()),
                client_secret: Some(secret.to_string()),
                audience: Some(wire::audience(&self.url)),
                grant_type: Some(wire::GRANT_TYPE.to_string()),
            })
            .send()
            .await
            .unwrap()
    }

    pub(super) async fn token(&self) -> String {
        let res = self
            .token_response(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
            .await;
        assert_eq!(res.status(), 200);
        let body: TokenResponse = res.json().await.unwrap();
        body.access_token.unwrap()
    }

    pub(super) async fn get(
        &self,
        path: &str,
        token: &str,
        ws: Option<&str>,
        query: &[(&str, String)],
    ) -> reqwest::Response {
        let mut req = self
            .http
            .get(format!("{}{}", self.url, path))
            .header(wire::AUTH_HEADER, wire::bearer(token))
            .query(query);
        if let Some(ws) = ws {
            req = req.header(wire::WORKSPACE_HEADER, ws);
        }
        req.send().await.unwrap()
    }

    pub(super) async fn get_json(
        &self,
        path: &str,
        token: &str,
        ws: &str,
        query: &[(&str, String)],
    ) -> Value {
        let res = self.get(path, token, Some(ws), query).await;
        assert_eq!(res.status(), 200, "{path} for {ws}");
        res.json().await.unwrap()
    }

    /// Every page of a paged list, read the way the client is meant to.
    async fn all_pages<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        ws: &str,
    ) -> Vec<T> {
        let mut out = Vec::new();
        let mut page = 0;
        loop {
            let body = self
                .get_json(
                    path,
                    token,
                    ws,
                    &wire::page_query(page, wire::MAX_PAGE_SIZE),
                )
                .await;
            let page_body: Page<T> = serde_json::from_value(body).unwrap();
            let n = page_body.items.len();
            out.extend(page_body.items);
            if !wire::read::has_more(n, out.len() as u64, page_body.total_elements) {
                return out;
            }
            page += 1;
        }
    }

    /// Child workspaces under `root`, recursing into channels.
    async fn walk(&self, token: &str, root: &str) -> Vec<Workspace> {
        let mut out = Vec::new();
        let mut channels = vec![root.to_string()];
        while let Some(ch) = channels.pop() {
            for ws in self
                .all_pages::<Workspace>(wire::WORKSPACES_SEARCH_PATH, token, &ch)
                .await
            {
                if ws.kind() == Some(WorkspaceType::Channel) {
                    channels.push(ws.id.clone().unwrap());
                } else {
                    out.push(ws);
                }
            }
        }
        out
    }
}

mod faults;
mod reads;
