//! Integration testbenches live in `tests/`; shared helpers here.
