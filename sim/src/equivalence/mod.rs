//! Cycle equivalence of the exported Verilog with the rust-hdl model.
//!
//! A run recorded on the native backend is replayed into the exported Verilog under
//! Icarus and under Verilator; every output must match in every cycle. [`Checked`]
//! does this for any testbench: wrap the design, run the testbench, and the check runs
//! when the design is dropped. [`trace`] records a run and [`replay`] plays it into a
//! Verilog simulator.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use cdm_hdl::export::ports::PortMap;
use cdm_hdl::export::tops::Top;

use crate::design::backend::Backend;
use crate::design::dut::{Dut, PortId, PortInfo};
use crate::design::native::Native;
use crate::design::verilator::Verilated;
use crate::tools;
use trace::{first_mismatch, Recorder, Trace};

pub mod replay;
pub mod trace;

/// A fresh scratch directory for one replay.
fn scratch(top: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "cdm-equivalence-{top}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Replays `trace`, recorded on top `T`, in Icarus and in Verilator; `Err` names the
/// simulator, the first differing cycle and port, and both values. A simulator that is
/// missing is skipped with a notice (a failure under `CDM_REQUIRE_TOOLS=1`).
pub fn check<T: PortMap>(trace: &Trace) -> Result<(), String> {
    if tools::available("Icarus replay", &["iverilog", "vvp"]) {
        let dir = scratch(T::NAME);
        let outputs = replay::icarus(&Top::of::<T>(), trace, &dir)?;
        if let Some(m) = first_mismatch(trace, &outputs) {
            return Err(format!(
                "Icarus differs from the rust-hdl model of `{}`: {m} (files in {})",
                T::NAME,
                dir.display()
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    if Backend::Verilator.usable("Verilator replay") {
        let mut dut = Verilated::new(T::NAME).map_err(|e| e.to_string())?;
        let outputs = replay::on(&mut dut, trace);
        if let Some(m) = first_mismatch(trace, &outputs) {
            return Err(format!(
                "Verilator differs from the rust-hdl model of `{}`: {m}",
                T::NAME
            ));
        }
    }
    Ok(())
}

/// A native design whose whole run is checked against the Verilog when dropped.
pub struct Checked<T: PortMap> {
    recorder: Option<Recorder<Native<T>>>,
}

impl<T: PortMap> Checked<T> {
    pub fn new() -> Self {
        Checked {
            recorder: Some(Recorder::new(Native::new())),
        }
    }

    fn dut(&mut self) -> &mut Recorder<Native<T>> {
        self.recorder.as_mut().expect("live until dropped")
    }
}

impl<T: PortMap> Default for Checked<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: PortMap> Dut for Checked<T> {
    fn ports(&self) -> &[PortInfo] {
        self.recorder.as_ref().expect("live until dropped").ports()
    }
    fn set_words(&mut self, port: PortId, value: &[u64]) {
        self.dut().set_words(port, value)
    }
    fn get_words(&mut self, port: PortId, value: &mut [u64]) {
        self.dut().get_words(port, value)
    }
    fn step(&mut self) {
        self.dut().step()
    }
    fn cycle(&self) -> u64 {
        self.recorder.as_ref().expect("live until dropped").cycle()
    }
}

impl<T: PortMap> Drop for Checked<T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let trace = self.recorder.take().expect("dropped once").into_trace();
        if let Err(e) = check::<T>(&trace) {
            panic!(
                "cycle equivalence failed after {} cycles: {e}",
                trace.cycles.len()
            );
        }
    }
}
