//! Every top-level design of the project: what gets a Verilator model, lint, synthesis
//! and equivalence checks. A new top is one line in [`all`].

use crate::export::ports::{PortDir, PortMap};
use crate::export::wrapper;

/// A top's exported Verilog and its port list (clock excluded, port-map order).
pub struct Top {
    pub name: &'static str,
    pub verilog: String,
    /// The module users instantiate: `top`, or the device's standard-port wrapper.
    pub module: &'static str,
    /// Its clock port.
    pub clock: &'static str,
    /// Ports by their rust-hdl names (what testbenches use), widths and directions.
    pub ports: Vec<(String, usize, PortDir)>,
    /// The same ports' names on `module`.
    pub names: Vec<String>,
}

impl Top {
    /// Top `T` as exported: behind the standard-port wrapper ([`wrapper`]) when its
    /// port map says `wrapped` (the device), else as rust-hdl's module `top`.
    pub fn of<T: PortMap>() -> Top {
        let ports: Vec<(String, usize, PortDir)> = T::ports()
            .iter()
            .map(|p| (p.name.clone(), p.width, p.dir))
            .collect();
        let verilog = crate::verilog::<T>();
        if T::WRAPPED {
            Top {
                name: T::NAME,
                verilog: format!("{verilog}\n{}", wrapper::wrapper(&ports)),
                module: wrapper::MODULE,
                clock: wrapper::CLOCK,
                names: ports.iter().map(|p| wrapper::standard_name(&p.0)).collect(),
                ports,
            }
        } else {
            Top {
                name: T::NAME,
                verilog,
                module: "top",
                clock: "clock",
                names: ports.iter().map(|p| p.0.clone()).collect(),
                ports,
            }
        }
    }
}

/// All tops, smallest first.
pub fn all() -> Vec<Top> {
    vec![
        Top::of::<crate::queue::fifo::Fifo16>(),
        Top::of::<crate::queue::registered_fifo::RegisteredFifo16>(),
        Top::of::<crate::dma::burst::PageBursts>(),
        Top::of::<crate::dma::burst::WriteBursts>(),
        Top::of::<crate::bus::axi4_split::Axi4Split>(),
        Top::of::<crate::csr::CsrBlock>(),
        Top::of::<crate::device::DeviceTop>(),
        Top::of::<crate::dma::channel::DmaChannel>(),
        Top::of::<crate::dma::check::DescriptorCheck>(),
        Top::of::<crate::dma::realign::Realigner>(),
        Top::of::<crate::dma::read::DmaReadTop>(),
        Top::of::<crate::dma::write::DmaWriteTop>(),
        Top::of::<crate::dma::mover::DmaMover>(),
        Top::of::<crate::coherent::snoop_filter::SnoopFilter>(),
        Top::of::<crate::coherent::home_agent::HomeAgent>(),
        Top::of::<crate::board::mig_bridge::MigBridge>(),
        Top::of::<crate::board::bram_memory::BramMemory>(),
        Top::of::<crate::board::wire_csr::WireCsrBench>(),
    ]
}
