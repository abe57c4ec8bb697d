//! Reads whose answer is unreadable (issue 9, item 1): a `200` cut off mid-body, or JSON in a
//! shape the client cannot use, is asked for again with the 5xx back-off; only when every try
//! was unreadable is it an error.

use std::time::Duration;

use mockito::Server;
use serde_json::json;

use super::tests::{channel, client, clock, token, CHANNEL};
use super::*;

/// The channel workspace answered `bad` times with `body`, then (when `then_good`) properly.
async fn channel_after(
    server: &mut Server,
    body: &str,
    bad: usize,
    then_good: bool,
) -> Vec<mockito::Mock> {
    let mut mocks = vec![
        server
            .mock("GET", wire::WORKSPACES_PATH)
            .match_header(wire::WORKSPACE_HEADER, CHANNEL)
            .with_body(body)
            .expect(bad)
            .create_async()
            .await,
    ];
    if then_good {
        mocks.push(channel(server, "tok", 200, 1).await);
    }
    mocks
}

#[tokio::test]
async fn a_cut_off_or_misshapen_answer_is_read_again() {
    let whole = json!({"id": CHANNEL, "companyName": "Root MSP", "type": "channel"}).to_string();
    let cut = &whole[..whole.len() / 2];
    for (case, body) in [("cut off", cut), ("not a workspace", "\"nope\"")] {
        let mut server = Server::new_async().await;
        let _t = token(&mut server, "tok", 86_400, 1).await;
        let mocks = channel_after(&mut server, body, 1, true).await;
        let clock = clock();
        let c = client(&server.url(), clock.clone());
        assert_eq!(c.check().await.as_deref(), Ok("Root MSP"), "{case}");
        assert_eq!(clock.slept(), vec![Duration::from_millis(500)], "{case}");
        for m in mocks {
            m.assert_async().await;
        }
    }
}

#[tokio::test]
async fn an_answer_that_stays_unreadable_is_an_error_after_every_try() {
    let mut server = Server::new_async().await;
    let _t = token(&mut server, "tok", 86_400, 1).await;
    let mocks = channel_after(&mut server, "{\"id\": \"root_AA", 4, false).await;
    let clock = clock();
    let c = client(&server.url(), clock.clone());
    match c.check().await {
        Err(CoroError::Decode { detail, .. }) => {
            assert!(detail.contains("the same after 4 tries"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(clock.slept().len(), 3, "three back-offs between four tries");
    for m in mocks {
        m.assert_async().await;
    }
}
