//! Writing one agreement addition's quantity: a JSON-Patch `replace` of `quantity` only (never
//! `lessIncluded`, prices or dates, reference §5.1, §11.6). Setting an absolute value is
//! idempotent, so the client retries it like a GET; a write whose response never arrives is
//! verified by reading the addition back.

use std::sync::atomic::AtomicU32;

use reqwest::Method;

use super::client::{parse, Call, ConnectWiseClient};
use super::errors::Resource;
use super::models::Addition;
use crate::psa::{BillingLine, LineKey, PsaError, WriteReceipt};

impl ConnectWiseClient {
    /// `PATCH /finance/agreements/{agreementId}/additions/{additionId}` with
    /// `[{"op":"replace","path":"quantity","value":N}]`; returns the quantity ConnectWise reports
    /// afterwards and its `x-cw-request-id`.
    pub async fn patch_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        let LineKey::Connectwise {
            agreement_id,
            addition_id,
        } = line.key
        else {
            return Err(PsaError::InvalidConfig(format!(
                "{} is not a ConnectWise agreement addition",
                line.key.describe()
            )));
        };
        if desired < 0 {
            return Err(PsaError::InvalidConfig(format!(
                "refusing to set a negative quantity ({desired}) on {}",
                line.key.describe()
            )));
        }
        let sent = AtomicU32::new(0);
        // Discover before writing, so a discovery failure is known to have changed nothing.
        self.codebase(&sent).await?;
        let path = format!("/finance/agreements/{agreement_id}/additions/{addition_id}");
        let call = Call {
            method: Method::PATCH,
            path: path.clone(),
            query: Vec::new(),
            // The path is the bare, case-sensitive field name; no leading slash (§5.1).
            body: Some(
                serde_json::json!([{ "op": "replace", "path": "quantity", "value": desired }]),
            ),
            resource: Resource::AdditionWrite,
        };
        match self.execute(&call, &sent).await {
            Ok(reply) => {
                let addition: Addition = parse(&reply, Resource::AdditionWrite)?;
                let quantity = addition.quantity.map(|q| q.round() as i64);
                tracing::info!(
                    agreement_id,
                    addition_id,
                    from = line.quantity,
                    to = desired,
                    reported = quantity,
                    request_id = reply.request_id.as_deref().unwrap_or("-"),
                    "ConnectWise addition quantity written"
                );
                match quantity {
                    Some(q) if q == desired => Ok(WriteReceipt { quantity: q, request_id: reply.request_id }),
                    // A 200 that did not change the record happens (§5.1, §11.9): say so.
                    other => Err(PsaError::Remote {
                        status: Some(200),
                        message: format!(
                            "ConnectWise accepted the change on {} but reports quantity {} instead of {desired}{}",
                            line.key.describe(),
                            other.map(|q| q.to_string()).unwrap_or_else(|| "(none)".into()),
                            reply.request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default()
                        ),
                        request_id: reply.request_id,
                    }),
                }
            }
            Err(PsaError::Unreachable(msg)) => self.verify(line, &path, desired, msg).await,
            Err(e) => {
                tracing::warn!(
                    agreement_id,
                    addition_id,
                    to = desired,
                    "ConnectWise write failed: {e}"
                );
                Err(e)
            }
        }
    }

    /// After a write whose response was lost: read the addition back and report what it holds.
    async fn verify(
        &self,
        line: &BillingLine,
        path: &str,
        desired: i64,
        cause: String,
    ) -> Result<WriteReceipt, PsaError> {
        let sent = AtomicU32::new(0);
        let fields = vec![("fields", "id,quantity".to_string())];
        match self.get_json::<Addition>(path, fields, Resource::Additions, &sent).await {
            Ok(a) if a.quantity.map(|q| q.round() as i64) == Some(desired) => {
                tracing::info!(key = %line.key.describe(), to = desired, "ConnectWise write verified by re-reading");
                Ok(WriteReceipt { quantity: desired, request_id: None })
            }
            Ok(a) => Err(PsaError::Unreachable(format!(
                "{cause}; the write was not applied: {} still holds {}",
                line.key.describe(),
                a.quantity.map(|q| (q.round() as i64).to_string()).unwrap_or_else(|| "no quantity".into())
            ))),
            Err(e) => Err(PsaError::OutcomeUnknown(format!(
                "{cause}; whether {} now holds {desired} could not be checked ({e}): read billing again before retrying",
                line.key.describe()
            ))),
        }
    }
}
