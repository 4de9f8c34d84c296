//! Benchmarks behind `cdm bench`: [`sim`] (simulation speed of each backend), [`dma`]
//! (DMA engine bus utilization), [`coherent`] (the coherent controller under DMA and
//! host traffic) and [`migrate`] (the kernel's THP migration benchmark).

pub mod coherent;
pub mod dma;
pub mod migrate;
pub mod sim;

use cdm_regmap::DMA_DATA_BYTES;

/// The device's clock in MHz: what every "GB/s" and "us" figure assumes, and the
/// constraint `cdm timing` checks.
pub const CLOCK_MHZ: f64 = 100.0;
/// Bytes per cycle of the data bus (the register map's `DMA_DATA_BYTES`): the physical
/// limit of every copy.
pub const BUS_BYTES: u64 = DMA_DATA_BYTES as u64;

/// The fraction of the data bus that `bytes` in `cycles` use.
pub fn utilization(bytes: u64, cycles: u64) -> f64 {
    bytes as f64 / (cycles.max(1) as f64 * BUS_BYTES as f64)
}

/// GB/s of `bytes` in `cycles` at [`CLOCK_MHZ`].
pub fn gbps(bytes: u64, cycles: u64) -> f64 {
    bytes as f64 / cycles.max(1) as f64 * CLOCK_MHZ / 1000.0
}

/// The data bus's own GB/s at [`CLOCK_MHZ`]: what a utilization of 1 is.
pub fn bus_gbps() -> f64 {
    BUS_BYTES as f64 * CLOCK_MHZ / 1000.0
}

/// Microseconds that `cycles` take at [`CLOCK_MHZ`].
pub fn micros(cycles: u64) -> f64 {
    cycles as f64 / CLOCK_MHZ
}
