//! STUB — replaced by the real simulated API.

use std::sync::Arc;

use serde::Serialize;

use super::common::{Behaviour, Gate};
use super::seed::World;

#[derive(Debug, Clone, Serialize)]
pub struct Demo {
    pub url: String,
}

pub struct Handle {
    pub gate: Arc<Gate>,
    pub demo: Demo,
}

pub fn router(_world: &World, behaviour: &Behaviour, base_url: &str) -> (axum::Router, Handle) {
    let gate = Gate::new(behaviour.clone(), "", &[]);
    (
        axum::Router::new(),
        Handle { gate, demo: Demo { url: base_url.to_string() } },
    )
}
