//! The C header for a Linux (or any C) driver: offsets, masks, shifts, reset and
//! enumerated values as `#define`s.
//!
//! Naming, with `P` the map's name (`CDM`):
//!
//! | macro | value |
//! |---|---|
//! | `P_CSR_SIZE` | size of the CSR space in bytes |
//! | `P_<BLOCK>_BASE` | byte offset of the block (instance 0) from the start of the BAR |
//! | `P_<BLOCK>_STRIDE`, `P_<BLOCK>_COUNT` | arrays only: bytes between instances, instances |
//! | `P_<BLOCK>_<REG>_OFFSET` | byte offset of the register (instance 0) from the start of the BAR |
//! | `P_<BLOCK>_<REG>_OFFSET_N(n)` | arrays only: byte offset of the register in instance `n` |
//! | `P_<BLOCK>_<REG>_RESET` | value of the register after reset |
//! | `P_<BLOCK>_<REG>_<FIELD>_MASK` | the field's bits in place in the register |
//! | `P_<BLOCK>_<REG>_<FIELD>_SHIFT` | the field's lowest bit |
//! | `P_<BLOCK>_<REG>_<FIELD>_RESET` | the field's reset value, right-aligned |
//! | `P_<BLOCK>_<REG>_<FIELD>_<VALUE>` | a named value of the field, right-aligned |
//!
//! Joining names with `_` can make two items spell the same macro (register `A_B`
//! and field `B` of register `A` both give `..._A_B_RESET`). The generator then puts
//! an `#error` naming both into the header, so the clash fails the C build instead
//! of silently redefining a macro.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::model::{Access, Block, Field, RegMap, Register};

/// One line of the header before alignment.
enum Line {
    /// A comment, one line per element (without the comment markers).
    Comment(Vec<String>),
    /// `#define name value` with an optional trailing comment.
    Define {
        name: String,
        value: String,
        note: Option<String>,
    },
    Blank,
}

/// Makes text safe inside a `/* */` comment: no comment markers, no trigraphs.
fn comment_text(text: &str) -> String {
    let mut s = text.replace("*/", "* /").replace("/*", "/ *");
    while s.contains("??") {
        s = s.replace("??", "? ?");
    }
    s
}

/// Turns a name into a C identifier fragment (upper case, `_` for anything else).
fn c_ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// Hex digits needed for an address of the map.
fn address_digits(map: &RegMap) -> usize {
    let bits = map.address_bits().max(4) as usize;
    bits.div_ceil(4)
}

fn access_note(field: &Field) -> String {
    let mut note = field.access.name().to_string();
    match field.access {
        Access::RO => note.push_str(if field.constant { ", constant" } else { "" }),
        Access::WO => note.push_str(", reads 0"),
        Access::W1C => note.push_str(", write 1 to clear"),
        Access::W1S => note.push_str(if field.hw_clear {
            ", write 1 to set, hardware clears"
        } else {
            ", write 1 to set, only reset clears"
        }),
        Access::W1P => note.push_str(", write 1 to pulse, reads 0"),
        _ => {}
    }
    note
}

struct Header<'a> {
    prefix: String,
    digits: usize,
    lines: Vec<Line>,
    /// Macro name to the item that defined it, to catch clashes.
    defined: HashMap<String, String>,
    clashes: Vec<String>,
    map: &'a RegMap,
}

impl Header<'_> {
    fn comment(&mut self, lines: Vec<String>) {
        self.lines.push(Line::Comment(
            lines
                .iter()
                .flat_map(|l| l.lines())
                .map(comment_text)
                .collect(),
        ));
    }

    /// Records that `owner` defines the macro `name`, noting a clash.
    fn reserve(&mut self, owner: &str, name: &str) {
        if let Some(other) = self.defined.insert(name.to_string(), owner.to_string()) {
            self.clashes
                .push(format!("{name} is defined for both {other} and {owner}"));
        }
    }

    fn define(&mut self, owner: &str, name: String, value: String, note: Option<String>) {
        // A function-like macro clashes with an object-like one of the same name.
        let key = name.split('(').next().unwrap_or(&name).to_string();
        self.reserve(owner, &key);
        self.lines.push(Line::Define {
            name,
            value,
            note: note.map(|n| comment_text(&n.replace('\n', " "))),
        });
    }

    fn address(&self, value: u32) -> String {
        format!("0x{value:0w$X}u", w = self.digits)
    }

    fn block(&mut self, block: &Block) {
        let b = format!("{}_{}", self.prefix, c_ident(&block.name));
        let mut text = vec![format!("{}: {}", block.name, block.doc)];
        if block.is_array() {
            text.push(format!(
                "Array of {} instances, 0x{:X} bytes apart: instance n starts at \
                 {}_BASE + n * {}_STRIDE.",
                block.count, block.stride, b, b
            ));
        }
        self.lines.push(Line::Blank);
        self.lines.push(Line::Comment(vec!["-".repeat(70)]));
        self.comment(text);
        let base = self.address(block.base);
        self.define(&block.name, format!("{b}_BASE"), base, None);
        if block.is_array() {
            self.define(
                &block.name,
                format!("{b}_STRIDE"),
                format!("0x{:X}u", block.stride),
                None,
            );
            self.define(
                &block.name,
                format!("{b}_COUNT"),
                format!("{}u", block.count),
                None,
            );
        }
        for register in &block.registers {
            self.register(block, register, &b);
        }
    }

    fn register(&mut self, block: &Block, register: &Register, b: &str) {
        let path = format!("{}.{}", block.name, register.name);
        let r = format!("{b}_{}", c_ident(&register.name));
        let first = block.address(0, register);
        let shown = if block.is_array() {
            format!(
                "{}[n].{} (0x{:0w$X} + n * 0x{:X})",
                block.name,
                register.name,
                first,
                block.stride,
                w = self.digits
            )
        } else {
            format!("{path} (0x{first:0w$X})", w = self.digits)
        };
        let mut text = vec![format!("{shown}: {}", register.doc)];
        if let Some(lock) = &register.locked_by {
            text.push(format!(
                "Locked by {lock}: once it is set, writes are ignored until reset."
            ));
        }
        let side = register.side_effect_mask();
        if side != 0 {
            text.push(format!(
                "Read-modify-write: write 0 to bits 0x{side:08X} unless acting on them."
            ));
        }
        self.lines.push(Line::Blank);
        self.comment(text);
        let offset = self.address(first);
        self.define(&path, format!("{r}_OFFSET"), offset, None);
        if block.is_array() {
            self.define(
                &path,
                format!("{r}_OFFSET_N(n)"),
                format!("({} + 0x{:X}u * (n))", self.address(first), block.stride),
                None,
            );
        }
        self.define(
            &path,
            format!("{r}_RESET"),
            format!("0x{:08X}u", register.reset()),
            None,
        );
        for field in &register.fields {
            let fpath = format!("{path}.{}", field.name);
            let f = format!("{r}_{}", c_ident(&field.name));
            let bits = if field.width == 1 {
                format!("[{}]", field.lsb)
            } else {
                format!("[{}:{}]", field.msb(), field.lsb)
            };
            self.comment(vec![format!(
                "{} {bits} {}: {}",
                field.name,
                access_note(field),
                field.doc
            )]);
            self.define(
                &fpath,
                format!("{f}_MASK"),
                format!("0x{:08X}u", field.mask()),
                None,
            );
            self.define(&fpath, format!("{f}_SHIFT"), field.lsb.to_string(), None);
            self.define(
                &fpath,
                format!("{f}_RESET"),
                format!("0x{:X}u", field.reset),
                None,
            );
            for value in &field.values {
                let note = (!value.doc.is_empty()).then(|| value.doc.clone());
                self.define(
                    &format!("{fpath}.{}", value.name),
                    format!("{f}_{}", c_ident(&value.name)),
                    format!("0x{:X}u", value.value),
                    note,
                );
            }
        }
    }

    fn render(self, guard: &str) -> String {
        let width = self
            .lines
            .iter()
            .filter_map(|l| match l {
                Line::Define { name, .. } => Some(name.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            .min(60);
        let mut out = String::new();
        let license = env!("CARGO_PKG_LICENSE");
        if !license.is_empty() {
            let _ = writeln!(out, "/* SPDX-License-Identifier: {license} */");
        }
        let map = self.map;
        let p = &self.prefix;
        let intro = [
            format!("{} register map: {}", map.name, map.doc),
            String::new(),
            "GENERATED by cdm-regmap from the register map: DO NOT EDIT.".to_string(),
            "Change the map and regenerate instead.".to_string(),
            String::new(),
            format!(
                "The CSR space is 0x{:X} bytes. Offsets are byte offsets from the start",
                map.size
            ),
            "of the CSR BAR. Every register is 32 bits wide: use aligned 32-bit accesses"
                .to_string(),
            "(readl/writel); unmapped or misaligned accesses answer SLVERR.".to_string(),
            String::new(),
            format!("Registers: {p}_<BLOCK>_<REG>_OFFSET, _RESET; arrays add"),
            format!("{p}_<BLOCK>_BASE, _STRIDE, _COUNT and {p}_<BLOCK>_<REG>_OFFSET_N(n)."),
            format!("Fields: {p}_<BLOCK>_<REG>_<FIELD>_MASK (in place), _SHIFT, _RESET"),
            "(right-aligned) and one macro per named value (right-aligned); use them".to_string(),
            "with FIELD_GET()/FIELD_PREP() from <linux/bitfield.h>.".to_string(),
            String::new(),
            "Access kinds:".to_string(),
            "  RW   read/write".to_string(),
            "  RO   read-only; writes have no effect".to_string(),
            "  WO   write-only; reads return 0".to_string(),
            "  W1C  write 1 to clear; a hardware set in the same cycle as a software".to_string(),
            "       clear wins: no event is lost".to_string(),
            "  W1S  write 1 to set; cleared by reset (or by hardware where noted)".to_string(),
            "  W1P  write 1 to give hardware a one-cycle pulse; reads return 0".to_string(),
            "Registers marked \"locked\" ignore writes once their lock bit is set,".to_string(),
            "until reset.".to_string(),
        ];
        out.push_str("/*\n");
        for line in intro.iter().flat_map(|l| l.split('\n')) {
            let line = comment_text(line.trim_end());
            if line.is_empty() {
                out.push_str(" *\n");
            } else {
                let _ = writeln!(out, " * {line}");
            }
        }
        out.push_str(" */\n\n");
        let _ = writeln!(out, "#ifndef {guard}");
        let _ = writeln!(out, "#define {guard}");
        if !self.clashes.is_empty() {
            out.push('\n');
            for clash in &self.clashes {
                let msg = clash.replace('\\', "\\\\").replace('"', "\\\"");
                let _ = writeln!(out, "#error \"macro name clash: {msg}\"");
            }
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "#define {:width$} 0x{:X}u",
            format!("{p}_CSR_SIZE"),
            map.size
        );
        for line in &self.lines {
            match line {
                Line::Blank => out.push('\n'),
                Line::Comment(text) => {
                    if let [only] = text.as_slice() {
                        let _ = writeln!(out, "/* {only} */");
                    } else {
                        out.push_str("/*\n");
                        for t in text {
                            let _ = writeln!(out, " * {t}");
                        }
                        out.push_str(" */\n");
                    }
                }
                Line::Define { name, value, note } => {
                    let _ = write!(out, "#define {name:width$} {value}");
                    if let Some(note) = note {
                        let _ = write!(out, " /* {note} */");
                    }
                    out.push('\n');
                }
            }
        }
        let _ = writeln!(out, "\n#endif /* {guard} */");
        out
    }
}

/// The C header of `map`: see the module documentation for the macro names.
pub fn c_header(map: &RegMap) -> String {
    let prefix = c_ident(&map.name);
    let guard = format!("{prefix}_REGS_H");
    let mut header = Header {
        prefix: prefix.clone(),
        digits: address_digits(map),
        lines: Vec::new(),
        defined: HashMap::new(),
        clashes: Vec::new(),
        map,
    };
    // Written by `render`, outside `lines`.
    header.reserve("the include guard", &guard);
    header.reserve("the map size", &format!("{prefix}_CSR_SIZE"));
    for block in &map.blocks {
        header.block(block);
    }
    header.render(&guard)
}
