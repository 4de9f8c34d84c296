//! The descriptor format (`crate::descriptor`) as constants for the `no_std` driver,
//! which cannot link this crate at run time.

use std::fmt::Write;

use crate::descriptor::{ctrl, offset, status, ErrorCode, Opcode, MAX_LEN, SIZE};

/// Rust source of the driver's `descriptor` module body.
pub fn rust_descriptor() -> String {
    let mut s = String::from("// Generated from cdm_regmap::descriptor; do not edit.\n\n");
    let mut konst = |doc: &str, name: &str, ty: &str, value: u64| {
        writeln!(s, "/// {doc}\npub const {name}: {ty} = {value:#x};").unwrap();
    };
    konst("Size of a descriptor in bytes.", "SIZE", "usize", SIZE);
    konst("Largest LEN of one descriptor.", "MAX_LEN", "u32", MAX_LEN);
    for (name, value) in [
        ("SRC", offset::SRC),
        ("DST", offset::DST),
        ("LEN", offset::LEN),
        ("CTRL", offset::CTRL),
        ("STATUS", offset::STATUS),
        ("BYTES", offset::BYTES),
    ] {
        konst(
            &format!("Byte offset of `{name}`."),
            &format!("OFFSET_{name}"),
            "usize",
            value,
        );
    }
    for (doc, name, value) in [
        ("CTRL: the opcode.", "CTRL_OPCODE_MASK", ctrl::OPCODE_MASK),
        (
            "CTRL: raise the completion interrupt.",
            "CTRL_IRQ",
            ctrl::IRQ,
        ),
        (
            "CTRL: start after every earlier descriptor has completed.",
            "CTRL_FENCE",
            ctrl::FENCE,
        ),
        (
            "CTRL: bits that must be 0.",
            "CTRL_RESERVED",
            ctrl::RESERVED,
        ),
        (
            "CTRL opcode: copy SRC to DST.",
            "OPCODE_COPY",
            Opcode::Copy as u32,
        ),
        (
            "CTRL opcode: tile DST with the 64-bit pattern in SRC.",
            "OPCODE_FILL",
            Opcode::Fill as u32,
        ),
        (
            "STATUS: the descriptor completed.",
            "STATUS_DONE",
            status::DONE,
        ),
        (
            "STATUS: the error code.",
            "STATUS_ERROR_MASK",
            status::ERROR_MASK,
        ),
        (
            "STATUS: position of the error code.",
            "STATUS_ERROR_SHIFT",
            status::ERROR_SHIFT,
        ),
    ] {
        konst(doc, name, "u32", u64::from(value));
    }
    s.push_str(
        "\n/// Why a descriptor failed: its STATUS error code, and the channel's STATUS.ERROR.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[repr(u8)]\npub enum ErrorCode {\n",
    );
    for e in ErrorCode::ALL {
        writeln!(s, "    /// {}\n    {e:?} = {},", e.doc(), e as u32).unwrap();
    }
    s.push_str("}\n\nimpl ErrorCode {\n    /// The code of `bits`, if it is one.\n    #[must_use]\n    pub const fn from_bits(bits: u32) -> Option<ErrorCode> {\n        match bits {\n");
    for e in ErrorCode::ALL {
        writeln!(s, "            {} => Some(ErrorCode::{e:?}),", e as u32).unwrap();
    }
    s.push_str("            _ => None,\n        }\n    }\n\n    /// What the code means.\n    #[must_use]\n    pub const fn doc(self) -> &'static str {\n        match self {\n");
    for e in ErrorCode::ALL {
        writeln!(s, "            ErrorCode::{e:?} => {:?},", e.doc()).unwrap();
    }
    s.push_str("        }\n    }\n}\n");
    s
}
