//! [`Param`]: a constant of a block that knows its own value, so the block can
//! `#[derive(Default)]` instead of spelling out every field to set one `Constant`.

use rust_hdl::prelude::*;

/// The value `V` as `Bits<N>`, readable in a kernel with `.val()` and emitted as a
/// Verilog `localparam`, exactly like the `Constant<Bits<N>>` it wraps (rust-hdl turns
/// a module constant used in a kernel into a bare identifier, so values reach the
/// Verilog only through such fields).
///
/// `V` is any constant expression: `Param<7, { MAX_READS }>`,
/// `Param<4, { ErrorCode::Aborted as u64 }>`.
#[derive(Clone, Copy, Debug)]
pub struct Param<const N: usize, const V: u64>(Constant<Bits<N>>);

impl<const N: usize, const V: u64> Default for Param<N, V> {
    fn default() -> Self {
        Param(Constant::new(V.into()))
    }
}

impl<const N: usize, const V: u64> Param<N, V> {
    /// The value, in a kernel as out of one.
    pub fn val(&self) -> Bits<N> {
        self.0.val()
    }
}

impl<const N: usize, const V: u64> Logic for Param<N, V> {
    fn update(&mut self) {}

    fn connect(&mut self) {}
}

impl<const N: usize, const V: u64> Block for Param<N, V> {
    fn connect_all(&mut self) {}

    fn update_all(&mut self) {}

    fn has_changed(&self) -> bool {
        false
    }

    fn accept(&self, name: &str, probe: &mut dyn Probe) {
        self.0.accept(name, probe);
    }
}
