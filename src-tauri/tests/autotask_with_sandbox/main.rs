//! The Autotask client against the in-process simulated Autotask (`psa-bridge-sandbox`, the
//! `demo` feature) over loopback: batched writes, read faults and the tenant's time zone. The
//! client's single requests are unit tests against mockito in `src/autotask/tests/`.

mod batch;
mod read_faults;
mod time_zone;

/// The recorded requests checked against the reduced Swagger, the same check the mockito tests
/// use (one file, included by path).
#[path = "../../src/autotask/tests/spec_check.rs"]
#[allow(dead_code)] // `run_validator` is used only by the unit tests' own check of the validator
mod spec_check;
