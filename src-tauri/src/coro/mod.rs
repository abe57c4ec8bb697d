//! Coro API: the wire contract (UNCONFIRMED assumptions in one place) and, later, the client.

pub mod wire;
