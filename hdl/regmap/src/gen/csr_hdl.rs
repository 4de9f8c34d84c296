//! Generates the CSR block as rust-hdl source: an AXI4-Lite slave with one storage
//! flip-flop per software-writable field and one hardware port per field.
//!
//! The output is compiled inside `cdm-hdl` (committed as `hdl/src/generated/csr_block.rs`),
//! so the simulated block and the exported Verilog come from the same kernel.
//!
//! Timing, which testbenches rely on:
//! - AW and W are accepted independently (one transaction at a time). The write takes
//!   effect in the cycle after both are held (the *commit* cycle); `BVALID` rises in the
//!   cycle after the commit.
//! - A read registers `ARADDR` in the cycle `ARVALID && ARREADY` and samples the
//!   register in the next; `RVALID` rises two cycles after that. The read mux is two
//!   stages, so no path runs from the address through the whole mux in one cycle: each
//!   group of [`READ_GROUP`] bytes of the map selects its register into a flip-flop of
//!   its own (zero unless the address is in the group), and the answer is the OR of the
//!   groups.
//! - W1C: a hardware set in the commit cycle wins over the software clear.
//! - W1S: a software set wins over a hardware clear in the same cycle.
//! - W1P: the pulse output is high during the commit cycle only.
//! - Unmapped and misaligned addresses answer `SLVERR`; a write to a locked register is
//!   ignored and answers `OKAY`.

use std::fmt::Write;

use crate::model::{Access, Block, Field, RegInstance, RegMap};
use crate::{camel, snake};

/// Bytes of the map each first-stage read mux covers (32 registers).
pub const READ_GROUP: u32 = 0x80;

/// Hardware port and storage naming for one field of one register instance.
struct FieldPort<'a> {
    inst: RegInstance<'a>,
    field: &'a Field,
    /// Flat name, the stem of the storage flip-flop: `global_ctrl_enable`,
    /// `window0_base_lo_addr`.
    base: String,
    /// Rust path of the port in `CsrBlock`: `global_ctrl_enable`, `window[0].base_lo_addr`.
    path: String,
}

impl FieldPort<'_> {
    fn ty(&self) -> String {
        if self.field.width == 1 {
            "Bit".to_string()
        } else {
            format!("Bits<{}>", self.field.width)
        }
    }

    fn storage(&self) -> Option<String> {
        let stored = match self.field.access {
            Access::RW | Access::WO | Access::W1C | Access::W1S => true,
            Access::RO | Access::W1P => false,
        };
        stored.then(|| format!("{}_q", self.base))
    }

    /// Expression for the written data of this field, already masked by WSTRB.
    fn written(&self) -> String {
        let f = self.field;
        if f.width == 1 {
            format!(
                "self.w_data.q.val().get_bit({l}) & self.w_mask.val().get_bit({l})",
                l = f.lsb
            )
        } else {
            format!(
                "self.w_data.q.val().get_bits::<{w}>({l}) & self.w_mask.val().get_bits::<{w}>({l})",
                w = f.width,
                l = f.lsb
            )
        }
    }

    /// Expression for the bytes this write touches, as a field-wide mask.
    fn strobed(&self) -> String {
        let f = self.field;
        if f.width == 1 {
            format!("self.w_mask.val().get_bit({})", f.lsb)
        } else {
            format!("self.w_mask.val().get_bits::<{}>({})", f.width, f.lsb)
        }
    }

    fn reset_literal(&self) -> String {
        if self.field.width == 1 {
            (self.field.reset != 0).to_string()
        } else {
            format!("{:#x}_u64.into()", self.field.reset)
        }
    }

    fn doc(&self) -> String {
        format!(
            "{}.{} ({}): {}",
            self.inst.path(),
            self.field.name,
            self.field.access.name(),
            self.field.doc
        )
    }
}

fn field_ports(map: &RegMap) -> Vec<FieldPort<'_>> {
    map.instances()
        .into_iter()
        .flat_map(|inst| {
            inst.register.fields.iter().map(move |field| FieldPort {
                inst,
                field,
                base: flat_name(&inst, field),
                path: rust_path(&inst, field),
            })
        })
        .collect()
}

/// `<block><index>_<register>_<field>` in lower case (`window0_base_lo_addr`).
fn flat_name(inst: &RegInstance<'_>, field: &Field) -> String {
    let block = snake(&inst.block.name);
    let register = snake(&inst.register.name);
    let field = snake(&field.name);
    if inst.block.is_array() {
        format!("{block}{}_{register}_{field}", inst.index)
    } else {
        format!("{block}_{register}_{field}")
    }
}

/// Ports of an array block live in an array of per-instance interfaces, so the logic
/// that serves the instances can loop over them: `window[0].base_lo_addr`.
fn rust_path(inst: &RegInstance<'_>, field: &Field) -> String {
    let register = snake(&inst.register.name);
    let name = snake(&field.name);
    if inst.block.is_array() {
        format!(
            "{}[{}].{register}_{name}",
            snake(&inst.block.name),
            inst.index
        )
    } else {
        flat_name(inst, field)
    }
}

/// Name of the CSR block's hardware port for `field` of register instance `inst`, as
/// the Verilog and the simulators know it: `global_ctrl_enable`, `window$0$base_lo_addr`.
pub fn field_port(inst: &RegInstance<'_>, field: &Field) -> String {
    rust_path(inst, field)
        .replace('[', "$")
        .replace(']', "")
        .replace('.', "$")
}

/// Type name of the per-instance port interface of an array block: `WindowCsr`.
pub fn array_interface(block: &Block) -> String {
    camel(&block.name) + "Csr"
}

/// Rust expression for the value a read of `inst` returns.
/// The first-stage read groups that hold a register, by number (address / READ_GROUP).
fn read_groups(insts: &[RegInstance<'_>]) -> Vec<u32> {
    let mut groups: Vec<u32> = insts.iter().map(|i| i.address / READ_GROUP).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
}

fn read_value(ports: &[FieldPort<'_>], inst: &RegInstance<'_>) -> String {
    let mut constant = 0u32;
    let mut terms = Vec::new();
    for p in ports.iter().filter(|p| p.inst.address == inst.address) {
        let f = p.field;
        let source = match (f.access, &p.storage()) {
            (Access::RO, _) if f.constant => {
                constant |= f.reset << f.lsb;
                continue;
            }
            (Access::RO, _) => format!("self.{}.val()", p.path),
            (Access::WO | Access::W1P, _) => continue,
            (_, Some(q)) => format!("self.{q}.q.val()"),
            (_, None) => unreachable!("readable fields other than RO are stored"),
        };
        let widened = match f.width {
            32 => source,
            1 => format!("bit_cast::<32, 1>({source}.into())"),
            w => format!("bit_cast::<32, {w}>({source})"),
        };
        terms.push(if f.lsb == 0 {
            widened
        } else {
            format!("({widened} << {})", f.lsb)
        });
    }
    if constant != 0 || terms.is_empty() {
        terms.push(format!("{constant:#x}"));
    }
    match terms.as_slice() {
        [only] if only.starts_with("0x") => format!("{only}_u64.into()"),
        [only] => match only.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            Some(shifted) => shifted.to_string(),
            None => only.clone(),
        },
        _ => terms.join(" | "),
    }
}

/// Declares the hardware port(s) of one field as `name`: the value, and the hardware
/// set (W1C) or clear (W1S with a hardware clear).
fn port_decl(w: &mut String, p: &FieldPort<'_>, name: &str) {
    let ty = p.ty();
    let doc = p.doc();
    match p.field.access {
        Access::RO => {
            if !p.field.constant {
                writeln!(w, "    /// {doc}\n    pub {name}: Signal<In, {ty}>,").unwrap();
            }
        }
        Access::W1P => {
            writeln!(
                w,
                "    /// {doc} One-cycle pulse.\n    pub {name}: Signal<Out, {ty}>,"
            )
            .unwrap();
        }
        access => {
            writeln!(w, "    /// {doc}\n    pub {name}: Signal<Out, {ty}>,").unwrap();
            let field = &p.field.name;
            if access == Access::W1C {
                writeln!(w, "    /// Hardware set of {field}: wins over a software clear.\n    pub {name}_set: Signal<In, {ty}>,").unwrap();
            }
            if access == Access::W1S && p.field.hw_clear {
                writeln!(w, "    /// Hardware clear of {field}: a software set wins over it.\n    pub {name}_clr: Signal<In, {ty}>,").unwrap();
            }
        }
    }
}

/// Generates the rust-hdl source of the CSR block `CsrBlock` and its port map.
pub fn rust_hdl(map: &RegMap) -> String {
    let ports = field_ports(map);
    let abits = map.address_bits();
    let insts = map.instances();
    let mut s = String::new();
    let w = &mut s;

    writeln!(
        w,
        "// @generated by cdm_regmap::gen::csr_hdl from the register map `{}`; do not edit.",
        map.name
    )
    .unwrap();
    writeln!(w).unwrap();
    writeln!(
        w,
        "/// CSR block of the `{}` register map: AXI4-Lite slave and per-field ports.",
        map.name
    )
    .unwrap();
    writeln!(w, "///").unwrap();
    writeln!(
        w,
        "/// See the module documentation for the timing of writes and reads."
    )
    .unwrap();
    for block in map.blocks.iter().filter(|b| b.is_array()) {
        writeln!(
            w,
            "/// Ports of one {} instance (see `CsrBlock`).",
            block.name
        )
        .unwrap();
        writeln!(w, "#[derive(LogicInterface, Default)]").unwrap();
        writeln!(w, "pub struct {} {{", array_interface(block)).unwrap();
        for p in ports
            .iter()
            .filter(|p| p.inst.block.name == block.name && p.inst.index == 0)
        {
            let name = p.path.rsplit('.').next().unwrap_or_default();
            port_decl(w, p, name);
        }
        writeln!(w, "}}\n").unwrap();
    }
    writeln!(w, "#[derive(LogicBlock, Default)]").unwrap();
    writeln!(w, "pub struct CsrBlock {{").unwrap();
    writeln!(w, "    pub clock: Signal<In, Clock>,").unwrap();
    writeln!(
        w,
        "    /// Synchronous reset, active high: every register returns to its reset value."
    )
    .unwrap();
    writeln!(w, "    pub reset: Signal<In, Bit>,").unwrap();
    writeln!(w, "    /// Register access from the host.").unwrap();
    writeln!(w, "    pub axil: AxiLiteSlave<{abits}>,").unwrap();
    for p in ports.iter().filter(|p| !p.inst.block.is_array()) {
        port_decl(w, p, &p.base);
    }
    for block in map.blocks.iter().filter(|b| b.is_array()) {
        writeln!(
            w,
            "    /// {} ports, one interface per instance.\n    pub {}: [{}; {}],",
            block.name,
            snake(&block.name),
            array_interface(block),
            block.count
        )
        .unwrap();
    }
    for (name, ty) in [
        ("aw_full", "Bit".to_string()),
        ("aw_addr", format!("Bits<{abits}>")),
        ("w_full", "Bit".to_string()),
        ("w_data", "Bits<32>".to_string()),
        ("w_strb", "Bits<4>".to_string()),
        ("b_valid", "Bit".to_string()),
        ("b_resp", "Bits<2>".to_string()),
        ("ar_pending", "Bit".to_string()),
        ("ar_addr", format!("Bits<{abits}>")),
        ("rd_ready", "Bit".to_string()),
        ("r_valid", "Bit".to_string()),
        ("r_data", "Bits<32>".to_string()),
        ("r_resp", "Bits<2>".to_string()),
    ] {
        writeln!(w, "    {name}: DFF<{ty}>,").unwrap();
    }
    for p in &ports {
        if let Some(q) = p.storage() {
            writeln!(w, "    {q}: DFF<{}>,", p.ty()).unwrap();
        }
    }
    let groups = read_groups(&insts);
    for g in &groups {
        writeln!(
            w,
            "    rd_group{g}: DFF<Bits<32>>,\n    rd_group{g}_hit: DFF<Bit>,"
        )
        .unwrap();
    }
    for (name, ty) in [
        ("commit", "Bit"),
        ("wr_hit", "Bit"),
        ("w_mask", "Bits<32>"),
        ("w_mask0", "Bits<32>"),
        ("w_mask1", "Bits<32>"),
        ("w_mask2", "Bits<32>"),
        ("w_mask3", "Bits<32>"),
        ("ar_take", "Bit"),
        ("rd_hit", "Bit"),
        ("rd_value", "Bits<32>"),
    ] {
        writeln!(w, "    {name}: Signal<Local, {ty}>,").unwrap();
    }
    writeln!(w, "}}\n").unwrap();

    // The kernel.
    let dffs: Vec<String> = [
        "aw_full",
        "aw_addr",
        "w_full",
        "w_data",
        "w_strb",
        "b_valid",
        "b_resp",
        "ar_pending",
        "ar_addr",
        "rd_ready",
        "r_valid",
        "r_data",
        "r_resp",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(ports.iter().filter_map(|p| p.storage()))
    .chain(
        groups
            .iter()
            .flat_map(|g| [format!("rd_group{g}"), format!("rd_group{g}_hit")]),
    )
    .collect();
    // A register's `if` inside its decode arm stays an `if`: clippy would fold it into a
    // match guard, which rust-hdl's Verilog generator silently drops.
    writeln!(w, "#[allow(clippy::collapsible_match)]").unwrap();
    writeln!(w, "impl Logic for CsrBlock {{").unwrap();
    writeln!(w, "    #[hdl_gen]").unwrap();
    writeln!(w, "    fn update(&mut self) {{").unwrap();
    writeln!(w, "        dff_setup!(self, clock, {});", dffs.join(", ")).unwrap();
    w.push_str(
        "        // Write channel: hold AW and W until both are here, then commit.
        self.axil.awready.next = !self.aw_full.q.val() & !self.b_valid.q.val();
        self.axil.wready.next = !self.w_full.q.val() & !self.b_valid.q.val();
        if self.axil.awvalid.val() & !self.aw_full.q.val() & !self.b_valid.q.val() {
            self.aw_full.d.next = true;
            self.aw_addr.d.next = self.axil.awaddr.val();
        }
        if self.axil.wvalid.val() & !self.w_full.q.val() & !self.b_valid.q.val() {
            self.w_full.d.next = true;
            self.w_data.d.next = self.axil.wdata.val();
            self.w_strb.d.next = self.axil.wstrb.val();
        }
        self.commit.next = self.aw_full.q.val() & self.w_full.q.val();
        self.w_mask0.next = 0.into();
        if self.w_strb.q.val().get_bit(0) {
            self.w_mask0.next = 0xff.into();
        }
        self.w_mask1.next = 0.into();
        if self.w_strb.q.val().get_bit(1) {
            self.w_mask1.next = 0xff00.into();
        }
        self.w_mask2.next = 0.into();
        if self.w_strb.q.val().get_bit(2) {
            self.w_mask2.next = 0xff0000.into();
        }
        self.w_mask3.next = 0.into();
        if self.w_strb.q.val().get_bit(3) {
            self.w_mask3.next = 0xff000000_u64.into();
        }
        self.w_mask.next = self.w_mask0.val() | self.w_mask1.val() | self.w_mask2.val() | self.w_mask3.val();
        self.wr_hit.next = false;
",
    );
    // Address decode as a `match` on decimal literals: rust-hdl emits a Verilog `case`,
    // which synthesizes to a parallel mux (an `if` chain would be a priority chain).
    writeln!(w, "        match self.aw_addr.q.val().index() {{").unwrap();
    for inst in &insts {
        writeln!(
            w,
            "            {} => {{\n                self.wr_hit.next = true;\n            }}",
            inst.address
        )
        .unwrap();
    }
    writeln!(w, "            _ => {{}}\n        }}").unwrap();
    w.push_str(
        "        if self.commit.val() {
            self.aw_full.d.next = false;
            self.w_full.d.next = false;
            self.b_valid.d.next = true;
            self.b_resp.d.next = 2.into();
            if self.wr_hit.val() {
                self.b_resp.d.next = 0.into();
            }
        }
        if self.b_valid.q.val() & self.axil.bready.val() {
            self.b_valid.d.next = false;
        }
        self.axil.bvalid.next = self.b_valid.q.val();
        self.axil.bresp.next = self.b_resp.q.val();
        // Hardware events.
",
    );
    for p in &ports {
        let q = p.storage();
        match (p.field.access, q) {
            (Access::W1C, Some(q)) => writeln!(
                w,
                "        self.{q}.d.next = self.{q}.q.val() | self.{b}_set.val();",
                b = p.path
            )
            .unwrap(),
            (Access::W1S, Some(q)) if p.field.hw_clear => writeln!(
                w,
                "        self.{q}.d.next = self.{q}.q.val() & !self.{b}_clr.val();",
                b = p.path
            )
            .unwrap(),
            (Access::W1P, _) => {
                let zero = if p.field.width == 1 {
                    "false"
                } else {
                    "0.into()"
                };
                writeln!(w, "        self.{}.next = {zero};", p.path).unwrap()
            }
            _ => {}
        }
    }
    w.push_str("        // Software writes.\n");
    writeln!(w, "        match self.aw_addr.q.val().index() {{").unwrap();
    for inst in insts
        .iter()
        .filter(|i| i.register.fields.iter().any(|f| f.access != Access::RO))
    {
        let lock = inst.register.locked_by.as_ref().map(|path| {
            let (block, register, field) = map.field(path).expect("validated lock");
            let lock = RegInstance {
                block,
                index: 0,
                register,
                address: block.address(0, register),
            };
            format!(" & !self.{}_q.q.val()", flat_name(&lock, field))
        });
        writeln!(w, "            {} => {{", inst.address).unwrap();
        writeln!(
            w,
            "                if self.commit.val(){} {{",
            lock.unwrap_or_default()
        )
        .unwrap();
        for p in ports.iter().filter(|p| p.inst.address == inst.address) {
            let data = p.written();
            let strobed = p.strobed();
            let b = &p.path;
            let line = match (p.field.access, p.storage()) {
                (Access::RW | Access::WO, Some(q)) => {
                    format!("self.{q}.d.next = (self.{q}.q.val() & !{strobed}) | ({data});")
                }
                (Access::W1C, Some(q)) => format!(
                    "self.{q}.d.next = (self.{q}.q.val() & !({data})) | self.{b}_set.val();"
                ),
                (Access::W1S, Some(q)) if p.field.hw_clear => format!(
                    "self.{q}.d.next = (self.{q}.q.val() & !self.{b}_clr.val()) | ({data});"
                ),
                (Access::W1S, Some(q)) => format!("self.{q}.d.next = self.{q}.q.val() | ({data});"),
                (Access::W1P, _) => format!("self.{b}.next = {data};"),
                _ => continue,
            };
            writeln!(w, "                    {line}").unwrap();
        }
        writeln!(w, "                }}\n            }}").unwrap();
    }
    writeln!(w, "            _ => {{}}\n        }}").unwrap();
    w.push_str(
        "        // Read channel: the address is registered in the AR handshake cycle; the
        // next cycle each group selects its register; the OR of the groups is the answer.
        self.axil.arready.next =
            !self.r_valid.q.val() & !self.ar_pending.q.val() & !self.rd_ready.q.val();
        self.ar_take.next = self.axil.arvalid.val() & self.axil.arready.val();
        if self.ar_take.val() {
            self.ar_pending.d.next = true;
            self.ar_addr.d.next = self.axil.araddr.val();
        }
        if self.ar_pending.q.val() {
            self.ar_pending.d.next = false;
            self.rd_ready.d.next = true;
        }
",
    );
    // Each group decodes its own register by the word index inside it, once the group
    // bits and the alignment match: a small mux per group, not one across the map.
    let word_bits = READ_GROUP.trailing_zeros() - 2;
    let group_bits = abits - READ_GROUP.trailing_zeros();
    for g in &groups {
        writeln!(
            w,
            "        self.rd_group{g}.d.next = 0.into();\n        self.rd_group{g}_hit.d.next = false;"
        )
        .unwrap();
        writeln!(
            w,
            "        if (self.ar_addr.q.val().get_bits::<{group_bits}>({}) == {g})\n            \
             & !self.ar_addr.q.val().get_bits::<2>(0).any()\n        {{",
            READ_GROUP.trailing_zeros()
        )
        .unwrap();
        writeln!(
            w,
            "            match self.ar_addr.q.val().get_bits::<{word_bits}>(2).index() {{"
        )
        .unwrap();
        for inst in insts.iter().filter(|i| i.address / READ_GROUP == *g) {
            writeln!(
                w,
                "                {} => {{",
                (inst.address % READ_GROUP) / 4
            )
            .unwrap();
            writeln!(w, "                    self.rd_group{g}_hit.d.next = true;").unwrap();
            writeln!(
                w,
                "                    self.rd_group{g}.d.next = {};",
                read_value(&ports, inst)
            )
            .unwrap();
            writeln!(w, "                }}").unwrap();
        }
        writeln!(w, "                _ => {{}}\n            }}\n        }}").unwrap();
    }
    let or = |suffix: &str, zero: &str| {
        let terms: Vec<String> = groups
            .iter()
            .map(|g| format!("self.rd_group{g}{suffix}.q.val()"))
            .collect();
        if terms.is_empty() {
            zero.to_string()
        } else {
            terms.join("\n            | ")
        }
    };
    writeln!(w, "        self.rd_value.next = {};", or("", "0.into()")).unwrap();
    writeln!(w, "        self.rd_hit.next = {};", or("_hit", "false")).unwrap();
    w.push_str(
        "        if self.rd_ready.q.val() {
            self.rd_ready.d.next = false;
            self.r_valid.d.next = true;
            self.r_data.d.next = self.rd_value.val();
            self.r_resp.d.next = 2.into();
            if self.rd_hit.val() {
                self.r_resp.d.next = 0.into();
            }
        }
        if self.r_valid.q.val() & self.axil.rready.val() {
            self.r_valid.d.next = false;
        }
        self.axil.rvalid.next = self.r_valid.q.val();
        self.axil.rdata.next = self.r_data.q.val();
        self.axil.rresp.next = self.r_resp.q.val();
        // Field values to hardware.
",
    );
    for p in &ports {
        if let Some(q) = p.storage() {
            writeln!(w, "        self.{}.next = self.{q}.q.val();", p.path).unwrap();
        }
    }
    w.push_str(
        "        // Synchronous reset.
        if self.reset.val() {
            self.aw_full.d.next = false;
            self.w_full.d.next = false;
            self.b_valid.d.next = false;
            self.ar_pending.d.next = false;
            self.rd_ready.d.next = false;
            self.r_valid.d.next = false;
",
    );
    for p in &ports {
        if let Some(q) = p.storage() {
            writeln!(w, "            self.{q}.d.next = {};", p.reset_literal()).unwrap();
        }
        if p.field.access == Access::W1P {
            let zero = if p.field.width == 1 {
                "false"
            } else {
                "0.into()"
            };
            writeln!(w, "            self.{}.next = {zero};", p.path).unwrap();
        }
    }
    writeln!(w, "        }}\n    }}\n}}\n").unwrap();

    // Port map for backend-neutral testbenches.
    writeln!(w, "crate::port_map!(CsrBlock as \"csr\" {{").unwrap();
    writeln!(w, "    clock: clock,").unwrap();
    writeln!(w, "    in reset,").unwrap();
    for (dir, sig) in [
        ("in", "awaddr"),
        ("in", "awvalid"),
        ("out", "awready"),
        ("in", "wdata"),
        ("in", "wstrb"),
        ("in", "wvalid"),
        ("out", "wready"),
        ("out", "bresp"),
        ("out", "bvalid"),
        ("in", "bready"),
        ("in", "araddr"),
        ("in", "arvalid"),
        ("out", "arready"),
        ("out", "rdata"),
        ("out", "rresp"),
        ("out", "rvalid"),
        ("in", "rready"),
    ] {
        writeln!(w, "    {dir} axil.{sig},").unwrap();
    }
    for p in &ports {
        match p.field.access {
            Access::RO => {
                if !p.field.constant {
                    writeln!(w, "    in {},", p.path).unwrap();
                }
            }
            access => {
                writeln!(w, "    out {},", p.path).unwrap();
                if access == Access::W1C {
                    writeln!(w, "    in {}_set,", p.path).unwrap();
                }
                if access == Access::W1S && p.field.hw_clear {
                    writeln!(w, "    in {}_clr,", p.path).unwrap();
                }
            }
        }
    }
    writeln!(w, "}});").unwrap();
    s
}
