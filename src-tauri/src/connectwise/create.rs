//! Creating a missing agreement addition (issue 14, item 2; reference §5.3):
//! `POST /finance/agreements/{id}/additions` with the product, the quantity, the effective date
//! (today, midnight UTC like every ConnectWise billing date), `billCustomer` and the catalog
//! item's price and cost (read just before: whether ConnectWise defaults them is UNCONFIRMED, so
//! they are sent). POST is not idempotent: the transport never resends it on a 5xx or a lost
//! connection, and an answer that does not say what was created is
//! [`PsaError::OutcomeUnknown`] — the next run settles it by re-reading the agreement.

use std::sync::atomic::AtomicU32;

use reqwest::Method;
use serde::Deserialize;

use super::client::{parse, Call, ConnectWiseClient};
use super::errors::Resource;
use super::models::Addition;
use crate::psa::{CreatedLine, LineKey, NewLine, PsaError, WriteReceipt};

/// The catalog item's price and cost (reference: CatalogItem `price`, `cost`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Pricing {
    price: Option<f64>,
    cost: Option<f64>,
}

/// `billCustomer` of a created addition. ASSUMPTION (reference §5.3 example): `Billable`.
pub fn bill_customer() -> &'static str {
    "Billable"
}

/// The body of the POST (a function of its inputs, so its shape is tested without a server).
pub fn addition_body(
    target: &NewLine,
    quantity: i64,
    effective: chrono::NaiveDate,
    price: Option<f64>,
    cost: Option<f64>,
) -> serde_json::Value {
    let mut body = serde_json::json!({
        "product": { "id": target.product.0 },
        "quantity": quantity as f64,
        "effectiveDate": format!("{effective}T00:00:00Z"),
        "billCustomer": bill_customer(),
    });
    if let Some(p) = price {
        body["unitPrice"] = serde_json::json!(p);
    }
    if let Some(c) = cost {
        body["unitCost"] = serde_json::json!(c);
    }
    body
}

impl ConnectWiseClient {
    /// Creates the addition `target` with `quantity`, effective today.
    pub async fn create_addition(
        &self,
        target: &NewLine,
        quantity: i64,
    ) -> Result<CreatedLine, PsaError> {
        if quantity <= 0 {
            return Err(PsaError::InvalidConfig(format!(
                "refusing to create a line with quantity {quantity}"
            )));
        }
        let sent = AtomicU32::new(0);
        let item = format!("/procurement/catalog/{}", target.product.0);
        let fields = vec![("fields", "id,price,cost".to_string())];
        let pricing: Pricing = self
            .get_json(&item, fields, Resource::Catalog, &sent)
            .await?;
        let today = (self.inner.today)();
        let body = addition_body(target, quantity, today, pricing.price, pricing.cost);
        let path = format!("/finance/agreements/{}/additions", target.container_id);
        let call = Call {
            method: Method::POST,
            path,
            query: Vec::new(),
            body: Some(body),
            resource: Resource::AdditionWrite,
        };
        let lost = |why: String| {
            PsaError::OutcomeUnknown(format!(
                "ConnectWise's answer to creating the line on agreement {} was lost ({why}); it is \
                 not sent again — the next run reads the agreement to see whether it was created",
                target.container_id
            ))
        };
        let reply = match self.execute(&call, &sent).await {
            Ok(reply) => reply,
            Err(PsaError::Unreachable(m)) => return Err(lost(m)),
            Err(PsaError::Remote {
                status, message, ..
            }) if status.is_none_or(|s| s >= 500) => return Err(lost(message)),
            Err(e) => return Err(e),
        };
        let created: Addition = match parse(&reply, Resource::AdditionWrite) {
            Ok(a) => a,
            Err(e) => return Err(lost(e.to_string())),
        };
        let Some(id) = created.id else {
            return Err(lost("the answer names no addition".into()));
        };
        tracing::info!(
            agreement_id = target.container_id,
            addition_id = id,
            quantity,
            request_id = reply.request_id.as_deref().unwrap_or("-"),
            "ConnectWise addition created"
        );
        Ok(CreatedLine {
            receipt: WriteReceipt {
                quantity: created.quantity.map_or(quantity, |q| q.round() as i64),
                request_id: reply.request_id,
            },
            key: Some(LineKey::Connectwise {
                agreement_id: target.container_id,
                addition_id: id,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CompanyRef, ProductRef, PsaKind};

    #[test]
    fn the_body_carries_product_quantity_date_bill_customer_price_and_cost() {
        let target = NewLine {
            company: CompanyRef(1),
            product: ProductRef(812),
            psa: PsaKind::Connectwise,
            container_id: 9,
            container_name: "MSA".into(),
        };
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let body = addition_body(&target, 17, day, Some(6.5), Some(3.1));
        assert_eq!(
            body,
            serde_json::json!({"product": {"id": 812}, "quantity": 17.0,
                "effectiveDate": "2026-12-07T00:00:00Z", "billCustomer": "Billable",
                "unitPrice": 6.5, "unitCost": 3.1})
        );
        let bare = addition_body(&target, 1, day, None, None);
        assert!(bare.get("unitPrice").is_none());
    }
}
