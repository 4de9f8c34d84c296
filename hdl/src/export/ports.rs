//! Top-level ports of a block as plain values, so that testbenches and bus models
//! work on any simulator backend (the rust-hdl model or a model of its Verilog).
//!
//! A top lists its ports once with [`port_map!`](crate::port_map); names are the
//! Verilog names rust-hdl gives them (`axil$awaddr` for field `awaddr` of `axil`).

use rust_hdl::prelude::*;

/// Direction of a top-level port, seen from the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortDir {
    Input,
    Output,
}

/// One top-level port: name, width, direction and accessors on the design.
pub struct Port<U> {
    pub name: String,
    pub width: usize,
    pub dir: PortDir,
    /// Sets an input from little-endian 64-bit words.
    pub set: fn(&mut U, &[u64]),
    /// Reads a port into little-endian 64-bit words.
    pub get: fn(&U, &mut [u64]),
}

/// A design whose top-level ports can be driven and read as plain values.
pub trait PortMap: Block + Default {
    /// Short name of the top (`csr`, `device`): names its models and artefacts.
    const NAME: &'static str;
    /// Exported behind the standard-port wrapper (`crate::export::wrapper`): the device top,
    /// which users instantiate; blocks tested on their own are exported as `top`.
    const WRAPPED: bool = false;
    /// The clock every port is synchronous to.
    fn clock(&mut self) -> &mut Signal<In, Clock>;
    /// Every top-level port except the clock, in declaration order.
    fn ports() -> Vec<Port<Self>>;
}

/// Conversion of a signal value to and from little-endian 64-bit words.
pub trait PortValue: Synth {
    fn from_words(words: &[u64]) -> Self;
    fn to_words(&self, words: &mut [u64]);
}

impl PortValue for bool {
    fn from_words(words: &[u64]) -> Self {
        words[0] & 1 != 0
    }
    fn to_words(&self, words: &mut [u64]) {
        words[0] = *self as u64;
    }
}

impl<const N: usize> PortValue for Bits<N> {
    fn from_words(words: &[u64]) -> Self {
        if N <= 64 {
            Bits::from(words[0])
        } else {
            (0..N)
                .filter(|i| (words[i / 64] >> (i % 64)) & 1 != 0)
                .fold(Bits::default(), |acc, i| acc.replace_bit(i, true))
        }
    }
    fn to_words(&self, words: &mut [u64]) {
        if N <= 64 {
            words[0] = self.to_u64();
        } else {
            words.iter_mut().for_each(|w| *w = 0);
            for i in (0..N).filter(|&i| self.get_bit(i)) {
                words[i / 64] |= 1 << (i % 64);
            }
        }
    }
}

/// Width in bits of the value a signal carries.
pub fn width_of<D: Direction, T: Synth>(_: &Signal<D, T>) -> usize {
    T::BITS
}

/// The Verilog name of a port path as `stringify!` spells it: `window [0] . ctrl_enable`
/// becomes `window$0$ctrl_enable`.
pub fn verilog_name(path: &str) -> String {
    path.replace(' ', "")
        .replace('[', "$")
        .replace(']', "")
        .replace('.', "$")
}

/// Implements [`PortMap`] for a top from its list of ports.
///
/// ```ignore
/// port_map!(CsrBlock as "csr" { clock: clock, in reset, in axil.awaddr, out window[0].ctrl_enable });
/// ```
///
/// A path step may index an array (`window[0]`); the port is then named as rust-hdl names
/// it in the Verilog, `window$0$ctrl_enable`. AXI4 bundles ([`crate::bus::axi4`]) follow in
/// an `axi4 { master m, slave dev }` list, each giving its 29 signals in channel order.
/// `port_map!(DeviceTop as "device", wrapped { ... })` sets [`PortMap::WRAPPED`].
#[macro_export]
macro_rules! port_map {
    ($top:ty as $name:literal $(, $wrapped:ident)? { clock: $clock:ident $(, $dir:ident $($path:ident $([$idx:literal])?).+ )* $(,)? }
     $(axi4 { $($side:ident $($bundle:ident).+),* $(,)? })?) => {
        impl $crate::export::ports::PortMap for $top {
            const NAME: &'static str = $name;
            $(const WRAPPED: bool = $crate::port_map!(@flag $wrapped);)?
            fn clock(&mut self) -> &mut rust_hdl::prelude::Signal<rust_hdl::prelude::In, rust_hdl::prelude::Clock> {
                &mut self.$clock
            }
            fn ports() -> Vec<$crate::export::ports::Port<Self>> {
                let probe = <$top>::default();
                #[allow(unused_mut)]
                let mut ports = vec![$($crate::port_map!(@port probe, $dir $($path $([$idx])?).+)),*];
                $($(ports.extend($crate::port_map!(@axi4 probe, $side $($bundle).+));)*)?
                ports
            }
        }
    };
    (@flag wrapped) => {
        true
    };
    (@axi4 $probe:ident, master $($b:ident).+) => {
        $crate::port_map!(@axi4 $probe, [out, in], $($b).+)
    };
    (@axi4 $probe:ident, slave $($b:ident).+) => {
        $crate::port_map!(@axi4 $probe, [in, out], $($b).+)
    };
    // `$o` is the direction of the master's outputs, `$i` of its inputs.
    (@axi4 $probe:ident, [$o:ident, $i:ident], $($b:ident).+) => {
        vec![
            $crate::port_map!(@port $probe, $o $($b).+ . awid),
            $crate::port_map!(@port $probe, $o $($b).+ . awaddr),
            $crate::port_map!(@port $probe, $o $($b).+ . awlen),
            $crate::port_map!(@port $probe, $o $($b).+ . awsize),
            $crate::port_map!(@port $probe, $o $($b).+ . awburst),
            $crate::port_map!(@port $probe, $o $($b).+ . awvalid),
            $crate::port_map!(@port $probe, $i $($b).+ . awready),
            $crate::port_map!(@port $probe, $o $($b).+ . wdata),
            $crate::port_map!(@port $probe, $o $($b).+ . wstrb),
            $crate::port_map!(@port $probe, $o $($b).+ . wlast),
            $crate::port_map!(@port $probe, $o $($b).+ . wvalid),
            $crate::port_map!(@port $probe, $i $($b).+ . wready),
            $crate::port_map!(@port $probe, $i $($b).+ . bid),
            $crate::port_map!(@port $probe, $i $($b).+ . bresp),
            $crate::port_map!(@port $probe, $i $($b).+ . bvalid),
            $crate::port_map!(@port $probe, $o $($b).+ . bready),
            $crate::port_map!(@port $probe, $o $($b).+ . arid),
            $crate::port_map!(@port $probe, $o $($b).+ . araddr),
            $crate::port_map!(@port $probe, $o $($b).+ . arlen),
            $crate::port_map!(@port $probe, $o $($b).+ . arsize),
            $crate::port_map!(@port $probe, $o $($b).+ . arburst),
            $crate::port_map!(@port $probe, $o $($b).+ . arvalid),
            $crate::port_map!(@port $probe, $i $($b).+ . arready),
            $crate::port_map!(@port $probe, $i $($b).+ . rid),
            $crate::port_map!(@port $probe, $i $($b).+ . rdata),
            $crate::port_map!(@port $probe, $i $($b).+ . rresp),
            $crate::port_map!(@port $probe, $i $($b).+ . rlast),
            $crate::port_map!(@port $probe, $i $($b).+ . rvalid),
            $crate::port_map!(@port $probe, $o $($b).+ . rready),
        ]
    };
    (@port $probe:ident, in $($path:ident $([$idx:literal])?).+) => {
        $crate::export::ports::Port {
            name: $crate::export::ports::verilog_name(stringify!($($path $([$idx])?).+)),
            width: $crate::export::ports::width_of(&$probe.$($path $([$idx])?).+),
            dir: $crate::export::ports::PortDir::Input,
            set: |u: &mut Self, w: &[u64]| u.$($path $([$idx])?).+.next = $crate::export::ports::PortValue::from_words(w),
            get: |u: &Self, w: &mut [u64]| $crate::export::ports::PortValue::to_words(&u.$($path $([$idx])?).+.val(), w),
        }
    };
    (@port $probe:ident, out $($path:ident $([$idx:literal])?).+) => {
        $crate::export::ports::Port {
            name: $crate::export::ports::verilog_name(stringify!($($path $([$idx])?).+)),
            width: $crate::export::ports::width_of(&$probe.$($path $([$idx])?).+),
            dir: $crate::export::ports::PortDir::Output,
            set: |_: &mut Self, _: &[u64]| panic!("{} is an output", stringify!($($path $([$idx])?).+)),
            get: |u: &Self, w: &mut [u64]| $crate::export::ports::PortValue::to_words(&u.$($path $([$idx])?).+.val(), w),
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_values_round_trip_through_words() {
        let words = [0x0123_4567_89ab_cdef, 0x8000_0000_0000_0001];
        let v = Bits::<128>::from_words(&words);
        assert!(v.get_bit(0) && v.get_bit(64) && v.get_bit(127) && !v.get_bit(126));
        let mut back = [0u64; 2];
        v.to_words(&mut back);
        assert_eq!(back, words);
        let mut narrow = [0u64; 1];
        Bits::<12>::from_words(&[0xfff]).to_words(&mut narrow);
        assert_eq!(narrow, [0xfff]);
        true.to_words(&mut narrow);
        assert_eq!(narrow, [1]);
    }
}
