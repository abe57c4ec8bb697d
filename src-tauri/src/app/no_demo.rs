//! Demo mode in a build without the `demo` feature: there is none, and asking for it says so
//! (the same names as `demo.rs`, so callers need no `cfg`).

use std::path::PathBuf;

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};

/// Nothing can be a demo in this build.
pub enum Demo {}

/// Refuses: this build has no sandbox to run.
pub fn open(_data_dir_flag: Option<PathBuf>) -> Result<(AppContext, Demo), ApiError> {
    Err(ApiError::new(
        ErrorCode::InvalidInput,
        "this build of PSA Bridge has no demo mode (it was built without the `demo` feature)",
    ))
}

impl Demo {
    pub fn defaults(&self) -> crate::views::SandboxDefaults {
        match *self {}
    }
}
