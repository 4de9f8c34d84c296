//! Shared set-up of the integration testbenches in `tests/`.
//!
//! Every testbench takes a [`Backend`] and runs on both: [`on_each_backend!`] turns
//! each into a `native::<name>` and a `verilator::<name>` test. With `CDM_EQUIV=1` the
//! native runs are also replayed into the exported Verilog under Icarus and Verilator
//! and compared cycle by cycle (see `cdm_sim::equivalence`).

use cdm_driver::Regs;
use cdm_hdl::csr::CsrBlock;
use cdm_hdl::ports::PortMap;
use cdm_sim::axil::Timing;
use cdm_sim::bridge::CsrBridge;
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};

pub use cdm_sim::Backend;

pub mod dma;
pub mod hmm;

/// The real driver over a simulated CSR port.
pub type SimRegs = Regs<CsrBridge<Box<dyn Dut>>>;

/// True when `CDM_EQUIV=1` asks for every native run to be checked against the Verilog.
pub fn equivalence_requested() -> bool {
    std::env::var("CDM_EQUIV").is_ok_and(|v| v == "1")
}

/// Top `T` on `backend`, out of reset.
pub fn open<T: PortMap + 'static>(backend: Backend) -> Box<dyn Dut> {
    let mut dut: Box<dyn Dut> = if backend == Backend::Native && equivalence_requested() {
        Box::new(Checked::<T>::new())
    } else {
        backend.open::<T>().unwrap_or_else(|e| panic!("{e}"))
    };
    reset(&mut dut);
    dut
}

/// The CSR block on `backend`, out of reset.
pub fn csr_block(backend: Backend) -> Box<dyn Dut> {
    open::<CsrBlock>(backend)
}

/// Holds `reset` high for two cycles.
pub fn reset(dut: &mut dyn Dut) {
    dut.reset();
}

/// The real driver's register interface over top `T` (AXI4-Lite port `axil`).
pub fn driver<T: PortMap + 'static>(backend: Backend, timing: Timing, rng: Rng) -> SimRegs {
    Regs::new(
        CsrBridge::new(open::<T>(backend), "axil$", timing, rng)
            .expect("top has an AXI4-Lite port"),
    )
}

/// Runs each named testbench `fn name(backend: Backend)` as a test on each backend:
/// `native::name` and `verilator::name`. The Verilator tests skip with a notice when
/// the backend was not built (a failure under `CDM_REQUIRE_TOOLS=1`).
#[macro_export]
macro_rules! on_each_backend {
    ($($name:ident),* $(,)?) => {
        mod native {
            $(
                #[test]
                fn $name() {
                    super::$name($crate::Backend::Native)
                }
            )*
        }
        $crate::on_verilator!($($name),*);
    };
}

/// Runs each named testbench `fn name(backend: Backend)` as a test on Verilator only,
/// `verilator::<name>` (for runs too long to simulate natively), skipped loudly without
/// Verilator and failing under `CDM_REQUIRE_TOOLS=1`.
#[macro_export]
macro_rules! on_verilator {
    ($($name:ident),* $(,)?) => {
        mod verilator {
            $(
                #[test]
                fn $name() {
                    if $crate::Backend::Verilator.usable(stringify!($name)) {
                        super::$name($crate::Backend::Verilator)
                    }
                }
            )*
        }
    };
}
