//! Unit tests: the generated registers against the register map, the accessor
//! against a fake bus, and the generator's corners on a synthetic map.

mod accessor;
mod bounds;
mod cdm;
mod device;
mod fake;
mod generator;
mod mmio;
mod waits;
