//! Coro wire contract: placeholder.
