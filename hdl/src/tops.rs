//! Every top-level design of the project: what gets a Verilator model, lint, synthesis
//! and equivalence checks. A new top is one line in [`all`].

use crate::ports::{PortDir, PortMap};

/// A top's exported Verilog and its port list (clock excluded, port-map order).
pub struct Top {
    pub name: &'static str,
    pub verilog: String,
    pub ports: Vec<(String, usize, PortDir)>,
}

impl Top {
    pub fn of<T: PortMap>() -> Top {
        Top {
            name: T::NAME,
            verilog: crate::verilog::<T>(),
            ports: T::ports()
                .iter()
                .map(|p| (p.name.clone(), p.width, p.dir))
                .collect(),
        }
    }
}

/// All tops, smallest first.
pub fn all() -> Vec<Top> {
    vec![
        Top::of::<crate::csr::CsrBlock>(),
        Top::of::<crate::top::DeviceTop>(),
        Top::of::<crate::dma::check::DescriptorCheck>(),
        Top::of::<crate::dma::realign::Realigner>(),
        Top::of::<crate::dma::mover::DmaMover>(),
        Top::of::<crate::coherent::snoop_filter::SnoopFilter>(),
        Top::of::<crate::coherent::home_agent::HomeAgent>(),
    ]
}
