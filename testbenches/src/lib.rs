//! Shared set-up of the integration testbenches in `tests/`.
//!
//! Every testbench takes a [`Backend`] and runs on both: [`on_each_backend!`] turns
//! each into a `native::<name>` and a `verilator::<name>` test. With `CDM_EQUIV=1` the
//! native runs are also replayed into the exported Verilog under Icarus and Verilator
//! and compared cycle by cycle (see `cdm_sim::equivalence`).

use cdm_driver::Regs;
use cdm_hdl::csr::CsrBlock;
use cdm_hdl::export::ports::PortMap;
use cdm_sim::bus::axil::Timing;
use cdm_sim::bus::bridge::CsrBridge;
use cdm_sim::equivalence::Checked;
use cdm_sim::{Dut, Rng};

pub use cdm_sim::rng::soak_length;
pub use cdm_sim::Backend;

pub mod dma;
pub mod hmm;

/// The README, whose driver quick start runs here as a doctest against the simulated
/// device, so it cannot drift from the driver's API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The real driver over a simulated CSR port.
pub type SimRegs = Regs<CsrBridge<Box<dyn Dut>>>;

/// True when `CDM_EQUIV=1` asks for every native run to be checked against the Verilog.
pub fn equivalence_requested() -> bool {
    std::env::var("CDM_EQUIV").is_ok_and(|v| v == "1")
}

/// Top `T` on `backend`, out of reset.
pub fn open<T: PortMap + 'static>(backend: Backend) -> Box<dyn Dut> {
    if backend == Backend::Native && equivalence_requested() {
        return open_checked::<T>();
    }
    let mut dut = backend.open::<T>().unwrap_or_else(|e| panic!("{e}"));
    reset(&mut dut);
    dut
}

/// Top `T` natively, out of reset, its whole run replayed into the Verilog and compared
/// when it is dropped, whatever `CDM_EQUIV` says.
pub fn open_checked<T: PortMap + 'static>() -> Box<dyn Dut> {
    let mut dut: Box<dyn Dut> = Box::new(Checked::<T>::new());
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

/// Shards a long soak takes on Verilator: the tests `verilator_shards::<name>::shard_<k>`,
/// which the test harness runs in parallel on one machine and cargo-nextest's
/// `--partition hash:M/N` spreads over N machines.
pub const SHARDS: u32 = 4;

/// A long soak's share of the work: shard `index` of `of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub of: u32,
}

impl Shard {
    /// The whole soak in one piece.
    pub const WHOLE: Shard = Shard { index: 0, of: 1 };

    /// This shard's part of `total` (the first shards take the remainder).
    pub fn share(self, total: u64) -> u64 {
        total / self.of as u64 + u64::from((self.index as u64) < total % self.of as u64)
    }

    /// The random source of this shard of `test`: its own seed from `CDM_SEED_BASE`
    /// (or the clock), printed; `CDM_SEED` reproduces the shard.
    pub fn rng(self, test: &str) -> Rng {
        if self == Shard::WHOLE {
            Rng::from_env(test)
        } else {
            Rng::from_env(&format!("{test} shard {}/{}", self.index, self.of))
        }
    }
}

/// Runs the soak `fn name(backend: Backend, shard: Shard)` natively in one piece
/// (`soak::native::<name>`, replayed under `CDM_EQUIV=1` like every native run) and on
/// Verilator in [`SHARDS`] shards (`soak::verilator_shards::<name>::shard_<k>`).
#[macro_export]
macro_rules! soak_on_each_backend {
    ($name:ident) => {
        mod soak {
            mod native {
                #[test]
                fn $name() {
                    super::super::$name($crate::Backend::Native, $crate::Shard::WHOLE)
                }
            }
            mod verilator_shards {
                mod $name {
                    const _: () = assert!($crate::SHARDS == 4, "one test per shard below");
                    fn shard(index: u32) {
                        if $crate::Backend::Verilator.usable(stringify!($name)) {
                            let shard = $crate::Shard {
                                index,
                                of: $crate::SHARDS,
                            };
                            super::super::super::$name($crate::Backend::Verilator, shard)
                        }
                    }
                    #[test]
                    fn shard_0() {
                        shard(0)
                    }
                    #[test]
                    fn shard_1() {
                        shard(1)
                    }
                    #[test]
                    fn shard_2() {
                        shard(2)
                    }
                    #[test]
                    fn shard_3() {
                        shard(3)
                    }
                }
            }
        }
    };
}
