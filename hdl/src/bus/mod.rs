//! AXI bundles and the blocks on the device's buses: [`axi_lite`] and [`axi4`], the
//! signal bundles every block uses, and the beats of its data and response channels;
//! [`axi4_split`], one AXI4 master to a host and a device memory port by address,
//! registered on every channel.

pub mod axi4;
pub mod axi4_split;
pub mod axi_lite;
