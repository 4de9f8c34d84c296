//! Verilator models of the device's tops, built from the exported Verilog.
//!
//! The build script verilates every top and compiles the models in; this crate gives
//! raw access to them: ports by index, `eval`, and the clock. `cdm-sim` wraps a model
//! in its `Dut` trait. Without Verilator at build time there are no models and
//! [`Model::new`] says how to get them.

use core::ffi::c_void;
use std::fmt;

/// A top-level port of a model (the clock is driven separately).
#[derive(Clone, Copy, Debug)]
pub struct PortDesc {
    pub name: &'static str,
    pub width: usize,
    pub input: bool,
}

/// Entry points of one verilated top.
#[derive(Clone, Copy)]
pub struct VTable {
    new: unsafe extern "C" fn() -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    eval: unsafe extern "C" fn(*mut c_void),
    clock: unsafe extern "C" fn(*mut c_void, u8),
    set: unsafe extern "C" fn(*mut c_void, u32, *const u64),
    get: unsafe extern "C" fn(*mut c_void, u32, *mut u64),
}

/// A verilated top: its name and ports.
pub struct ModelInfo {
    pub name: &'static str,
    pub ports: &'static [PortDesc],
    vtable: VTable,
}

include!(concat!(env!("OUT_DIR"), "/models.rs"));

/// Why a model cannot be had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// Verilator was not installed when this crate was built.
    NoVerilator,
    /// No top of that name was verilated.
    NoSuchTop(String),
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::NoVerilator => write!(
                f,
                "the Verilator backend is unavailable: verilator was not installed when cdm-verilator \
                 was built (apt-get install -y verilator, then rebuild)"
            ),
            Unavailable::NoSuchTop(name) => write!(
                f,
                "no Verilator model of top `{name}` (verilated tops: {})",
                MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

impl std::error::Error for Unavailable {}

/// True when the models were built.
pub fn available() -> bool {
    !cfg!(cdm_no_verilator)
}

/// An instance of a verilated top.
pub struct Model {
    handle: *mut c_void,
    info: &'static ModelInfo,
}

impl Model {
    /// A fresh instance of the top called `name`, clock low, evaluated once.
    pub fn new(name: &str) -> Result<Model, Unavailable> {
        if !available() {
            return Err(Unavailable::NoVerilator);
        }
        let info = MODELS
            .iter()
            .find(|m| m.name == name)
            .ok_or_else(|| Unavailable::NoSuchTop(name.to_string()))?;
        // SAFETY: the constructor has no preconditions; the handle is freed in Drop.
        let handle = unsafe { (info.vtable.new)() };
        Ok(Model { handle, info })
    }

    pub fn ports(&self) -> &'static [PortDesc] {
        self.info.ports
    }

    /// Sets input `port` from little-endian 64-bit words.
    pub fn set(&mut self, port: usize, words: &[u64]) {
        let p = &self.info.ports[port];
        assert!(p.input, "{} is an output", p.name);
        assert!(
            words.len() >= p.width.div_ceil(64),
            "{} needs {} words",
            p.name,
            p.width.div_ceil(64)
        );
        // SAFETY: `port` indexes an input and `words` holds at least its width.
        unsafe { (self.info.vtable.set)(self.handle, port as u32, words.as_ptr()) }
    }

    /// Reads `port` into little-endian 64-bit words.
    pub fn get(&mut self, port: usize, words: &mut [u64]) {
        let p = &self.info.ports[port];
        assert!(
            words.len() >= p.width.div_ceil(64),
            "{} needs {} words",
            p.name,
            p.width.div_ceil(64)
        );
        // SAFETY: `port` is in range and `words` holds at least its width.
        unsafe { (self.info.vtable.get)(self.handle, port as u32, words.as_mut_ptr()) }
    }

    /// Drives the clock input.
    pub fn clock(&mut self, high: bool) {
        // SAFETY: the handle is live.
        unsafe { (self.info.vtable.clock)(self.handle, high as u8) }
    }

    /// Evaluates the design until it settles.
    pub fn eval(&mut self) {
        // SAFETY: the handle is live.
        unsafe { (self.info.vtable.eval)(self.handle) }
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the handle came from `new` and is freed once.
        unsafe { (self.info.vtable.free)(self.handle) }
    }
}

// SAFETY: a model is plain memory owned by its handle; it is used from one thread at a time.
unsafe impl Send for Model {}
