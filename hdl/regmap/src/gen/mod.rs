//! Generators: each turns a validated [`RegMap`](crate::RegMap) into one artefact.
//!
//! Like a register tool of a hardware project, one description feeds every consumer;
//! the generated text is never edited by hand.

pub mod c_header;
pub mod committed;
pub mod csr_hdl;
pub mod descriptor;
pub mod driver;
pub mod markdown;
pub mod rust;
pub mod svd;

/// The map as pretty-printed JSON.
pub fn json(map: &crate::RegMap) -> String {
    serde_json::to_string_pretty(map).expect("a register map always serializes")
}
