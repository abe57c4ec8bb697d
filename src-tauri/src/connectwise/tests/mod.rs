//! Mock-server tests.
