//! A CMSIS-SVD 1.3 description of the map, for register viewers and `svd2rust`-style
//! tools.
//!
//! The device has one peripheral, the CSR space, at base address 0: the CSR BAR is
//! placed by the host, so every address is an offset from the start of the BAR.
//! Each block is a `<cluster>`; an array block is a cluster array (`NAME[%s]` with
//! `<dim>` and `<dimIncrement>`; the specification forbids `<dimIndex>` with `[%s]`).
//! Access kinds map to SVD as follows:
//!
//! | kind | `<access>` | `<modifiedWriteValues>` |
//! |---|---|---|
//! | RW | read-write | |
//! | RO | read-only | |
//! | WO | write-only | |
//! | W1C | read-write | oneToClear |
//! | W1S | read-write | oneToSet |
//! | W1P | write-only | (none; the description says a 1 pulses) |
//!
//! No register has read side effects, so no `<readAction>` is given (SVD has no
//! `none` value: absence means none).

use std::fmt::Write as _;

use crate::model::{Access, Block, Field, RegMap, Register};

/// Escapes text for XML element content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all become spaces.
            c => {
                if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                    out.push(' ')
                } else {
                    out.push(c)
                }
            }
        }
    }
    out
}

/// Turns a name into an SVD identifier (`[_A-Za-z0-9]`).
fn ident(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

fn hex(value: u32) -> String {
    format!("0x{value:X}")
}

fn hex8(value: u32) -> String {
    format!("0x{value:08X}")
}

fn field_access(access: Access) -> &'static str {
    match access {
        Access::RO => "read-only",
        Access::WO | Access::W1P => "write-only",
        Access::RW | Access::W1C | Access::W1S => "read-write",
    }
}

fn register_access(register: &Register) -> &'static str {
    let readable = register.fields.iter().any(|f| f.access.readable());
    let writable = register.fields.iter().any(|f| f.access != Access::RO);
    match (readable, writable) {
        (true, false) => "read-only",
        (false, true) => "write-only",
        _ => "read-write",
    }
}

/// The field's description with the behaviour its access kind implies.
fn field_description(field: &Field) -> String {
    let mut text = field.doc.trim().to_string();
    let note = match field.access {
        Access::RO => field
            .constant
            .then_some("Constant: fixed when the device is built."),
        Access::WO => Some("Write-only: reads return 0."),
        Access::W1C => Some(
            "Write 1 to clear. A hardware set in the same cycle as a software clear wins: \
             no event is lost.",
        ),
        Access::W1S => Some(if field.hw_clear {
            "Write 1 to set; hardware clears it."
        } else {
            "Write 1 to set; only reset clears it."
        }),
        Access::W1P => Some(
            "Write 1 to give hardware a one-cycle pulse; writing 0 does nothing; reads return 0.",
        ),
        _ => None,
    };
    if let Some(note) = note {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(note);
    }
    text
}

fn register_description(register: &Register) -> String {
    let mut text = register.doc.trim().to_string();
    if let Some(lock) = &register.locked_by {
        if !text.is_empty() {
            text.push(' ');
        }
        let _ = write!(
            text,
            "Locked by {lock}: once that bit is set, writes are ignored until reset."
        );
    }
    text
}

/// Writes `<tag>text</tag>` on its own line, skipping empty text (SVD strings are
/// non-empty).
fn element(out: &mut String, indent: usize, tag: &str, text: &str) {
    if !text.is_empty() {
        let _ = writeln!(out, "{:indent$}<{tag}>{}</{tag}>", "", esc(text));
    }
}

fn field(out: &mut String, field: &Field) {
    let i = 14;
    let _ = writeln!(out, "{:i$}<field>", "");
    element(out, i + 2, "name", &ident(&field.name));
    element(out, i + 2, "description", &field_description(field));
    element(out, i + 2, "bitOffset", &field.lsb.to_string());
    element(out, i + 2, "bitWidth", &field.width.to_string());
    element(out, i + 2, "access", field_access(field.access));
    match field.access {
        Access::W1C => element(out, i + 2, "modifiedWriteValues", "oneToClear"),
        Access::W1S => element(out, i + 2, "modifiedWriteValues", "oneToSet"),
        _ => {}
    }
    if !field.values.is_empty() {
        let usage = match field.access {
            Access::RO => "read",
            Access::WO | Access::W1P => "write",
            _ => "read-write",
        };
        let _ = writeln!(out, "{:w$}<enumeratedValues>", "", w = i + 2);
        element(out, i + 4, "usage", usage);
        for value in &field.values {
            let _ = writeln!(out, "{:w$}<enumeratedValue>", "", w = i + 4);
            element(out, i + 6, "name", &ident(&value.name));
            element(out, i + 6, "description", value.doc.trim());
            element(out, i + 6, "value", &hex(value.value));
            let _ = writeln!(out, "{:w$}</enumeratedValue>", "", w = i + 4);
        }
        let _ = writeln!(out, "{:w$}</enumeratedValues>", "", w = i + 2);
    }
    let _ = writeln!(out, "{:i$}</field>", "");
}

fn register(out: &mut String, register: &Register) {
    let i = 10;
    let _ = writeln!(out, "{:i$}<register>", "");
    element(out, i + 2, "name", &ident(&register.name));
    element(out, i + 2, "description", &register_description(register));
    element(out, i + 2, "addressOffset", &hex(register.offset));
    element(out, i + 2, "size", "32");
    element(out, i + 2, "access", register_access(register));
    element(out, i + 2, "resetValue", &hex8(register.reset()));
    element(out, i + 2, "resetMask", "0xFFFFFFFF");
    let _ = writeln!(out, "{:w$}<fields>", "", w = i + 2);
    for f in &register.fields {
        field(out, f);
    }
    let _ = writeln!(out, "{:w$}</fields>", "", w = i + 2);
    let _ = writeln!(out, "{:i$}</register>", "");
}

fn block(out: &mut String, block: &Block) {
    let i = 8;
    let _ = writeln!(out, "{:i$}<cluster>", "");
    let mut description = block.doc.trim().to_string();
    let name = if block.is_array() {
        element(out, i + 2, "dim", &block.count.to_string());
        element(out, i + 2, "dimIncrement", &hex(block.stride));
        let _ = write!(
            description,
            " Array of {} instances, {} bytes apart.",
            block.count,
            hex(block.stride)
        );
        format!("{}[%s]", ident(&block.name))
    } else {
        ident(&block.name)
    };
    element(out, i + 2, "name", &name);
    // `description` is mandatory for a cluster (and may be empty).
    let _ = writeln!(
        out,
        "{:w$}<description>{}</description>",
        "",
        esc(description.trim()),
        w = i + 2
    );
    element(out, i + 2, "addressOffset", &hex(block.base));
    for r in &block.registers {
        register(out, r);
    }
    let _ = writeln!(out, "{:i$}</cluster>", "");
}

/// The version of the map: `GLOBAL.VERSION`'s MAJOR.MINOR.PATCH reset values when the
/// map has them, else the crate's version.
fn map_version(map: &RegMap) -> String {
    let part = |name: &str| {
        map.field(&format!("GLOBAL.VERSION.{name}"))
            .map(|(_, _, f)| f.reset)
    };
    match (part("MAJOR"), part("MINOR"), part("PATCH")) {
        (Some(major), Some(minor), Some(patch)) => format!("{major}.{minor}.{patch}"),
        _ => env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The CMSIS-SVD 1.3 file of `map`.
pub fn svd(map: &RegMap) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str(
        "<!-- GENERATED by cdm-regmap from the register map: DO NOT EDIT. Change the map and regenerate. -->\n",
    );
    out.push_str(
        "<!-- The CSR BAR is placed by the host: baseAddress is 0 and every address is an\n     \
         offset from the start of the BAR. No register has read side effects, hence no readAction. -->\n",
    );
    out.push_str(
        "<device schemaVersion=\"1.3\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xs:noNamespaceSchemaLocation=\"CMSIS-SVD.xsd\">\n",
    );
    element(&mut out, 2, "name", &ident(&map.name));
    element(&mut out, 2, "version", &map_version(map));
    let description = if map.doc.trim().is_empty() {
        map.name.clone()
    } else {
        map.doc.trim().to_string()
    };
    element(&mut out, 2, "description", &description);
    element(&mut out, 2, "addressUnitBits", "8");
    element(&mut out, 2, "width", "32");
    element(&mut out, 2, "size", "32");
    element(&mut out, 2, "access", "read-write");
    element(&mut out, 2, "resetValue", "0x00000000");
    element(&mut out, 2, "resetMask", "0xFFFFFFFF");
    out.push_str("  <peripherals>\n    <peripheral>\n");
    element(&mut out, 6, "name", "CSR");
    element(
        &mut out,
        6,
        "description",
        &format!(
            "Control and status registers of {}. The base address is 0: the CSR BAR is \
             placed by the host, so addresses are offsets from the start of the BAR. \
             Registers are 32 bits wide and need aligned 32-bit accesses; unmapped or \
             misaligned accesses answer SLVERR.",
            map.name
        ),
    );
    element(&mut out, 6, "baseAddress", "0x0");
    out.push_str("      <addressBlock>\n");
    element(&mut out, 8, "offset", "0x0");
    element(&mut out, 8, "size", &hex(map.size));
    element(&mut out, 8, "usage", "registers");
    out.push_str("      </addressBlock>\n      <registers>\n");
    for b in &map.blocks {
        block(&mut out, b);
    }
    out.push_str("      </registers>\n    </peripheral>\n  </peripherals>\n</device>\n");
    out
}
