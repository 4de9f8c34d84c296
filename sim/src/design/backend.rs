//! Choosing a simulator backend: `CDM_SIM=native|verilator` or the `--sim` flag.
//!
//! `native` steps the rust-hdl design (the reference, and the only backend with probes
//! into the design); `verilator` runs a model of the exported Verilog, about two orders
//! of magnitude faster, for long random runs.

use std::fmt;
use std::str::FromStr;

use cdm_hdl::export::ports::PortMap;

use crate::design::dut::Dut;
use crate::design::native::Native;
use crate::design::verilator::{Unavailable, Verilated};

/// A simulator backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Native,
    Verilator,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Native, Backend::Verilator];

    /// The backend named by `CDM_SIM`, `None` when it is unset, or an error naming the
    /// bad value.
    pub fn env() -> Result<Option<Backend>, String> {
        match std::env::var("CDM_SIM") {
            Ok(name) => name.parse().map(Some).map_err(|e| format!("CDM_SIM: {e}")),
            Err(_) => Ok(None),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Native => "native",
            Backend::Verilator => "verilator",
        }
    }

    /// An instance of top `T` on this backend, out of its initial state (not reset).
    pub fn open<T: PortMap + 'static>(self) -> Result<Box<dyn Dut>, Unavailable> {
        Ok(match self {
            Backend::Native => Box::new(Native::<T>::new()),
            Backend::Verilator => Box::new(Verilated::new(T::NAME)?),
        })
    }

    /// True when the backend can run here; otherwise prints why, or panics under
    /// `CDM_REQUIRE_TOOLS=1`.
    pub fn usable(self, check: &str) -> bool {
        if self == Backend::Native || cdm_verilator::available() {
            return true;
        }
        if crate::tools::required() {
            panic!(
                "{check}: {} and CDM_REQUIRE_TOOLS=1",
                Unavailable::NoVerilator
            );
        }
        eprintln!(
            "\n*** SKIPPED {check} on Verilator: {} ***\n",
            Unavailable::NoVerilator
        );
        false
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Backend, String> {
        match s {
            "native" => Ok(Backend::Native),
            "verilator" => Ok(Backend::Verilator),
            other => Err(format!(
                "unknown simulator backend `{other}` (expected native or verilator)"
            )),
        }
    }
}
