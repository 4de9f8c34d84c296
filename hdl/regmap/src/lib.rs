//! The register map of the coherent device memory controller, as plain Rust data.
//!
//! This crate has no hardware dependency, so the generators that write the CSR block of
//! `cdm-hdl` and the register module of `cdm-driver` (committed, see
//! [`gen::committed`]) and the tools can all read the one map.
//! [`device_map`] is the map; [`RegMap::validate`] rejects a broken one with a message
//! naming the culprit.

pub mod coherent;
pub mod descriptor;
mod device;
pub mod gen;
mod model;
mod validate;

pub use device::*;
pub use model::*;
pub use validate::MapError;

/// Converts `UPPER_SNAKE` to `lower_snake` (Rust items, HDL ports).
pub fn snake(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Converts `UPPER_SNAKE` to `UpperCamel` (Rust types).
pub fn camel(name: &str) -> String {
    name.split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut s = p[..1].to_string();
            s.push_str(&p[1..].to_ascii_lowercase());
            s
        })
        .collect()
}

#[cfg(test)]
mod tests;
