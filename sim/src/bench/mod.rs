//! Benchmarks behind `cdm bench`: [`sim`] (simulation speed of each backend), [`dma`]
//! (DMA engine bus utilization), [`coherent`] (the coherent controller under DMA and
//! host traffic) and [`migrate`] (the kernel's THP migration benchmark).

pub mod coherent;
pub mod dma;
pub mod migrate;
pub mod sim;
