//! Generates the CSR block as rust-hdl source: an AXI4-Lite slave with one storage
//! flip-flop per software-writable field and one hardware port per field.
//!
//! The output is compiled inside `cdm-hdl` (committed as `hdl/src/generated/csr_block.rs`),
//! so the simulated block and the exported Verilog come from the same kernel.
//!
//! Timing, which testbenches rely on:
//! - AW and W are accepted independently (one transaction at a time). The write takes
//!   effect in the cycle after both are held (the *commit* cycle); `BVALID` rises in the
//!   cycle after the commit. `AWADDR` is decoded as it is taken, into one flip-flop per
//!   register, so the commit's write enables compare no address.
//! - A read registers `ARADDR` in the cycle `ARVALID && ARREADY` and samples the
//!   register in the next; `RVALID` rises two cycles after that. The read mux is two
//!   stages, so no path runs from the address through the whole mux in one cycle: each
//!   group of [`READ_GROUP`] bytes of the map selects its register into a flip-flop of
//!   its own (zero unless the address is in the group, which is decoded into a flip-flop
//!   per group as `ARADDR` is taken), and the answer is the OR of the groups.
//! - W1C: a hardware set in the commit cycle wins over the software clear.
//! - W1S: a software set wins over a hardware clear in the same cycle.
//! - W1P: the pulse output is high during the commit cycle only.
//! - Unmapped and misaligned addresses answer `SLVERR`; a write to a locked register is
//!   ignored and answers `OKAY`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust::{doc, hex, ident, int, render};
use crate::model::{Access, Block, Field, RegInstance, RegMap};
use crate::{camel, snake};

/// Bytes of the map each first-stage read mux covers (16 registers: a 16:1 mux of
/// 32-bit words fits the cycle with the group decode, where 32:1 did not).
pub const READ_GROUP: u32 = 0x40;

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
    fn ty(&self) -> TokenStream {
        match self.field.width {
            1 => quote!(Bit),
            w => {
                let w = int(w.into());
                quote!(Bits<#w>)
            }
        }
    }

    fn storage(&self) -> Option<TokenStream> {
        let stored = match self.field.access {
            Access::RW | Access::WO | Access::W1C | Access::W1S => true,
            Access::RO | Access::W1P => false,
        };
        let q = format_ident!("{}_q", self.base);
        stored.then(|| quote!(#q))
    }

    /// The port in `CsrBlock` with `suffix` on its name: `window[0].status_done_set`.
    fn port(&self, suffix: &str) -> TokenStream {
        let (array, name) = match self.path.split_once('.') {
            Some((array, name)) => (Some(array), name),
            None => (None, self.path.as_str()),
        };
        let name = format_ident!("{name}{suffix}");
        match array.and_then(|a| a.strip_suffix(']')?.split_once('[')) {
            Some((block, index)) => {
                let block = ident(block);
                let index = int(index.parse().expect("an instance index"));
                quote!(#block[#index].#name)
            }
            None => quote!(#name),
        }
    }

    /// The bits of this field in `word`.
    fn bits_of(&self, word: TokenStream) -> TokenStream {
        let f = self.field;
        let lsb = int(f.lsb.into());
        if f.width == 1 {
            quote!(#word.get_bit(#lsb))
        } else {
            let w = int(f.width.into());
            quote!(#word.get_bits::<#w>(#lsb))
        }
    }

    /// Expression for the written data of this field, already masked by WSTRB.
    fn written(&self) -> TokenStream {
        let data = self.bits_of(quote!(self.w_data.q.val()));
        let mask = self.strobed();
        quote!(#data & #mask)
    }

    /// Expression for the bytes this write touches, as a field-wide mask.
    fn strobed(&self) -> TokenStream {
        self.bits_of(quote!(self.w_mask.val()))
    }

    fn reset_literal(&self) -> TokenStream {
        if self.field.width == 1 {
            let reset = self.field.reset != 0;
            quote!(#reset)
        } else {
            let reset = wide_hex(self.field.reset.into());
            quote!(#reset.into())
        }
    }

    /// The value of a pulse between pulses.
    fn idle(&self) -> TokenStream {
        if self.field.width == 1 {
            quote!(false)
        } else {
            quote!(0.into())
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

/// The flip-flops of first-stage read group `g`: its value and whether it holds the
/// register read.
fn read_group(g: u32) -> (proc_macro2::Ident, proc_macro2::Ident) {
    (
        format_ident!("rd_group{g}"),
        format_ident!("rd_group{g}_hit"),
    )
}

/// The flip-flop that selects read group `g` for the read in flight: the group's
/// address bits and the alignment decoded as the address is taken.
fn read_select(g: u32) -> proc_macro2::Ident {
    format_ident!("rd_sel{g}")
}

/// A hex literal typed `u64`, for constants `.into()` turns into `Bits` of any width.
fn wide_hex(v: u64) -> TokenStream {
    let v: proc_macro2::Literal = format!("{v:#x}_u64").parse().expect("a literal");
    quote!(#v)
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

fn read_value(ports: &[FieldPort<'_>], inst: &RegInstance<'_>) -> TokenStream {
    let mut constant = 0u32;
    let mut terms = Vec::new();
    for p in ports.iter().filter(|p| p.inst.address == inst.address) {
        let f = p.field;
        let source = match (f.access, p.storage()) {
            (Access::RO, _) if f.constant => {
                constant |= f.reset << f.lsb;
                continue;
            }
            (Access::RO, _) => {
                let port = p.port("");
                quote!(self.#port.val())
            }
            (Access::WO | Access::W1P, _) => continue,
            (_, Some(q)) => quote!(self.#q.q.val()),
            (_, None) => unreachable!("readable fields other than RO are stored"),
        };
        let widened = match f.width {
            32 => source,
            1 => quote!(bit_cast::<32, 1>(#source.into())),
            w => {
                let w = int(w.into());
                quote!(bit_cast::<32, #w>(#source))
            }
        };
        terms.push((widened, f.lsb));
    }
    let shifted = |(widened, lsb): &(TokenStream, u32)| match lsb {
        0 => widened.clone(),
        lsb => {
            let lsb = int((*lsb).into());
            quote!(#widened << #lsb)
        }
    };
    match terms.as_slice() {
        [] => {
            let constant = wide_hex(constant.into());
            quote!(#constant.into())
        }
        [only] if constant == 0 => shifted(only),
        _ => {
            let mut terms: Vec<TokenStream> = terms
                .iter()
                .map(|t| match t.1 {
                    0 => shifted(t),
                    _ => {
                        let t = shifted(t);
                        quote!((#t))
                    }
                })
                .collect();
            if constant != 0 {
                let constant = hex(constant.into());
                terms.push(quote!(#constant));
            }
            quote!(#(#terms)|*)
        }
    }
}

/// Declares the hardware port(s) of one field as `name`: the value, and the hardware
/// set (W1C) or clear (W1S with a hardware clear).
fn port_decl(p: &FieldPort<'_>, name: &str) -> TokenStream {
    let ty = p.ty();
    let field = &p.field.name;
    let (value, set, clr) = (
        format_ident!("{name}"),
        format_ident!("{name}_set"),
        format_ident!("{name}_clr"),
    );
    match p.field.access {
        Access::RO if p.field.constant => quote!(),
        Access::RO => {
            let doc = doc(&p.doc());
            quote!(#doc pub #value: Signal<In, #ty>,)
        }
        Access::W1P => {
            let doc = doc(&format!("{} One-cycle pulse.", p.doc()));
            quote!(#doc pub #value: Signal<Out, #ty>,)
        }
        access => {
            let doc = doc(&p.doc());
            let mut decl = quote!(#doc pub #value: Signal<Out, #ty>,);
            if access == Access::W1C {
                let doc = doc_of_hw("set", field, "wins over a software clear");
                decl.extend(quote!(#doc pub #set: Signal<In, #ty>,));
            }
            if access == Access::W1S && p.field.hw_clear {
                let doc = doc_of_hw("clear", field, "a software set wins over it");
                decl.extend(quote!(#doc pub #clr: Signal<In, #ty>,));
            }
            decl
        }
    }
}

fn doc_of_hw(what: &str, field: &str, rule: &str) -> TokenStream {
    doc(&format!("Hardware {what} of {field}: {rule}."))
}

/// The port map's entries for one field: its value, and its hardware set or clear.
fn port_map_entries(p: &FieldPort<'_>) -> TokenStream {
    let (value, set, clr) = (p.port(""), p.port("_set"), p.port("_clr"));
    match p.field.access {
        Access::RO if p.field.constant => quote!(),
        Access::RO => quote!(in #value,),
        access => {
            let mut entries = quote!(out #value,);
            if access == Access::W1C {
                entries.extend(quote!(in #set,));
            }
            if access == Access::W1S && p.field.hw_clear {
                entries.extend(quote!(in #clr,));
            }
            entries
        }
    }
}

/// The AXI4-Lite handshake and the read pipeline's flip-flops, with their types.
fn channel_registers(abits: u32) -> Vec<(&'static str, TokenStream)> {
    let abits = int(abits.into());
    vec![
        ("aw_full", quote!(Bit)),
        ("wr_hit", quote!(Bit)),
        ("w_full", quote!(Bit)),
        ("w_data", quote!(Bits<32>)),
        ("w_strb", quote!(Bits<4>)),
        ("b_valid", quote!(Bit)),
        ("b_resp", quote!(Bits<2>)),
        ("ar_pending", quote!(Bit)),
        ("ar_addr", quote!(Bits<#abits>)),
        ("rd_ready", quote!(Bit)),
        ("r_valid", quote!(Bit)),
        ("r_data", quote!(Bits<32>)),
        ("r_resp", quote!(Bits<2>)),
    ]
}

/// The flip-flop that selects register `inst` for the write in flight:
/// `wr_window0_base_lo`.
fn write_select(inst: &RegInstance<'_>) -> proc_macro2::Ident {
    let register = snake(&inst.register.name);
    let block = snake(&inst.block.name);
    if inst.block.is_array() {
        format_ident!("wr_{block}{}_{register}", inst.index)
    } else {
        format_ident!("wr_{block}_{register}")
    }
}

/// The commit of a write to register `inst`, field by field; a locked register ignores it.
fn register_write(map: &RegMap, ports: &[FieldPort<'_>], inst: &RegInstance<'_>) -> TokenStream {
    let lock = inst.register.locked_by.as_ref().map(|path| {
        let (block, register, field) = map.field(path).expect("validated lock");
        let lock = RegInstance {
            block,
            index: 0,
            register,
            address: block.address(0, register),
        };
        let q = format_ident!("{}_q", flat_name(&lock, field));
        quote!(& !self.#q.q.val())
    });
    let fields = ports
        .iter()
        .filter(|p| p.inst.address == inst.address)
        .map(|p| {
            let (data, strobed) = (p.written(), p.strobed());
            let (port, set, clr) = (p.port(""), p.port("_set"), p.port("_clr"));
            match (p.field.access, p.storage()) {
                (Access::RW | Access::WO, Some(q)) => {
                    quote!(self.#q.d.next = (self.#q.q.val() & !#strobed) | (#data);)
                }
                (Access::W1C, Some(q)) => {
                    quote!(self.#q.d.next = (self.#q.q.val() & !(#data)) | self.#set.val();)
                }
                (Access::W1S, Some(q)) if p.field.hw_clear => {
                    quote!(self.#q.d.next = (self.#q.q.val() & !self.#clr.val()) | (#data);)
                }
                (Access::W1S, Some(q)) => quote!(self.#q.d.next = self.#q.q.val() | (#data);),
                (Access::W1P, _) => quote!(self.#port.next = #data;),
                _ => quote!(),
            }
        });
    let select = write_select(inst);
    quote! {
        if self.commit.val() & self.#select.q.val() #lock {
            #(#fields)*
        }
    }
}

/// The per-instance port interfaces of the map's array blocks (`WindowCsr`).
fn array_interfaces(map: &RegMap, ports: &[FieldPort<'_>]) -> TokenStream {
    let interfaces: Vec<TokenStream> = map
        .blocks
        .iter()
        .filter(|b| b.is_array())
        .map(|block| {
            let doc = doc(&format!(
                "Ports of one {} instance (see `CsrBlock`).",
                block.name
            ));
            let name = format_ident!("{}", array_interface(block));
            let decls = ports
                .iter()
                .filter(|p| p.inst.block.name == block.name && p.inst.index == 0)
                .map(|p| port_decl(p, p.path.rsplit('.').next().unwrap_or_default()));
            quote! {
                #doc
                #[derive(LogicInterface, Default)]
                pub struct #name { #(#decls)* }
            }
        })
        .collect();
    quote!(#(#interfaces)*)
}

/// The block's field ports: plain blocks' fields flat, array blocks' as an array of
/// their interfaces.
fn port_decls(map: &RegMap, ports: &[FieldPort<'_>]) -> TokenStream {
    let scalar_ports = ports
        .iter()
        .filter(|p| !p.inst.block.is_array())
        .map(|p| port_decl(p, &p.base));
    let array_ports = map.blocks.iter().filter(|b| b.is_array()).map(|block| {
        let doc = doc(&format!(
            "{} ports, one interface per instance.",
            block.name
        ));
        let (name, ty) = (
            ident(&snake(&block.name)),
            format_ident!("{}", array_interface(block)),
        );
        let count = int(block.count.into());
        quote!(#doc pub #name: [#ty; #count],)
    });
    quote!(#(#scalar_ports)* #(#array_ports)*)
}

/// The read channel's part of the kernel: the group selects set as `ARADDR` is taken,
/// the first stage (each group's word mux) and the second (the OR of the groups).
struct ReadStages {
    selects: TokenStream,
    groups: TokenStream,
    value: TokenStream,
    hit: TokenStream,
}

fn read_stages(
    ports: &[FieldPort<'_>],
    insts: &[RegInstance<'_>],
    groups: &[u32],
    abits: u32,
) -> ReadStages {
    // Each group decodes its own register by the word index inside it, once the group
    // bits and the alignment match: a small mux per group, not one across the map.
    let word_bits = int((READ_GROUP.trailing_zeros() - 2).into());
    let group_bits = int((abits - READ_GROUP.trailing_zeros()).into());
    let group_lsb = int(READ_GROUP.trailing_zeros().into());
    let reads = groups.iter().map(|g| {
        let (value, hit) = read_group(*g);
        let arms = insts
            .iter()
            .filter(|i| i.address / READ_GROUP == *g)
            .map(|inst| {
                let word = int(((inst.address % READ_GROUP) / 4).into());
                let read = read_value(ports, inst);
                quote! {
                    #word => {
                        self.#hit.d.next = true;
                        self.#value.d.next = #read;
                    }
                }
            });
        let select = read_select(*g);
        quote! {
            self.#value.d.next = 0.into();
            self.#hit.d.next = false;
            if self.#select.q.val() {
                match self.ar_addr.q.val().get_bits::<#word_bits>(2).index() {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    });
    let selections = groups.iter().map(|g| {
        let (select, g) = (read_select(*g), int((*g).into()));
        quote! {
            self.#select.d.next = (self.axil.araddr.val().get_bits::<#group_bits>(#group_lsb) == #g)
                & !self.axil.araddr.val().get_bits::<2>(0).any();
        }
    });
    let (group_values, group_hits): (Vec<_>, Vec<_>) =
        groups.iter().map(|g| read_group(*g)).unzip();
    let (rd_value, rd_hit) = if groups.is_empty() {
        (quote!(0.into()), quote!(false))
    } else {
        (
            quote!(#(self.#group_values.q.val())|*),
            quote!(#(self.#group_hits.q.val())|*),
        )
    };

    ReadStages {
        selects: quote!(#(#selections)*),
        groups: quote!(#(#reads)*),
        value: rd_value,
        hit: rd_hit,
    }
}

/// The port map, for backend-neutral testbenches.
fn port_map(ports: &[FieldPort<'_>]) -> TokenStream {
    let port_map = ports.iter().map(port_map_entries);
    let axil_ports = [
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
    ]
    .map(|(dir, sig)| {
        let (dir, sig) = (format_ident!("{dir}"), format_ident!("{sig}"));
        quote!(#dir axil.#sig,)
    });

    quote! {
        crate::port_map!(CsrBlock as "csr" {
            clock: clock,
            in reset,
            #(#axil_ports)*
            #(#port_map)*
        });
    }
}

/// Generates the rust-hdl source of the CSR block `CsrBlock` and its port map.
pub fn rust_hdl(map: &RegMap) -> String {
    let ports = field_ports(map);
    let abits = map.address_bits();
    let insts = map.instances();
    let groups = read_groups(&insts);
    let channel = channel_registers(abits);
    let writable: Vec<&RegInstance<'_>> = insts
        .iter()
        .filter(|i| i.register.fields.iter().any(|f| f.access != Access::RO))
        .collect();
    let selects: Vec<_> = writable.iter().map(|i| write_select(i)).collect();
    // The write decode: every mapped register answers OKAY, a writable one is selected.
    let decode = insts.iter().map(|inst| {
        let address = int(inst.address.into());
        let select = writable
            .iter()
            .any(|w| w.address == inst.address)
            .then(|| write_select(inst));
        let select = select.map(|s| quote!(self.#s.d.next = true;));
        quote! {
            #address => {
                self.wr_hit.d.next = true;
                #select
            }
        }
    });

    let channel_dffs = channel.iter().map(|(name, ty)| {
        let name = format_ident!("{name}");
        quote!(#name: DFF<#ty>,)
    });
    let select_dffs = selects.iter().map(|s| quote!(#s: DFF<Bit>,));
    let storage = ports.iter().filter_map(|p| {
        let (q, ty) = (p.storage()?, p.ty());
        Some(quote!(#q: DFF<#ty>,))
    });
    let group_dffs = groups.iter().map(|g| {
        let (value, hit) = read_group(*g);
        let select = read_select(*g);
        quote!(#select: DFF<Bit>, #value: DFF<Bits<32>>, #hit: DFF<Bit>,)
    });

    // The kernel's flip-flops, in `dff_setup!` order.
    let dffs: Vec<TokenStream> = channel
        .iter()
        .map(|(name, _)| {
            let name = format_ident!("{name}");
            quote!(#name)
        })
        .chain(selects.iter().map(|s| quote!(#s)))
        .chain(ports.iter().filter_map(|p| p.storage()))
        .chain(groups.iter().flat_map(|g| {
            let (value, hit) = read_group(*g);
            let select = read_select(*g);
            [quote!(#select), quote!(#value), quote!(#hit)]
        }))
        .collect();

    // Hardware events: a W1C set or a W1S clear from hardware, and pulses back to idle.
    let events = ports.iter().map(|p| {
        let (set, clr) = (p.port("_set"), p.port("_clr"));
        match (p.field.access, p.storage()) {
            (Access::W1C, Some(q)) => quote!(self.#q.d.next = self.#q.q.val() | self.#set.val();),
            (Access::W1S, Some(q)) if p.field.hw_clear => {
                quote!(self.#q.d.next = self.#q.q.val() & !self.#clr.val();)
            }
            (Access::W1P, _) => {
                let (port, idle) = (p.port(""), p.idle());
                quote!(self.#port.next = #idle;)
            }
            _ => quote!(),
        }
    });

    // Software writes, register by register, each selected by its own flip-flop.
    let writes = writable
        .iter()
        .map(|inst| register_write(map, &ports, inst));

    let outputs = ports.iter().filter_map(|p| {
        let (q, port) = (p.storage()?, p.port(""));
        Some(quote!(self.#port.next = self.#q.q.val();))
    });
    let resets = ports.iter().map(|p| {
        let mut reset = quote!();
        if let Some(q) = p.storage() {
            let value = p.reset_literal();
            reset.extend(quote!(self.#q.d.next = #value;));
        }
        if p.field.access == Access::W1P {
            let (port, idle) = (p.port(""), p.idle());
            reset.extend(quote!(self.#port.next = #idle;));
        }
        reset
    });
    let ReadStages {
        selects: read_selects,
        groups: read_groups,
        value: rd_value,
        hit: rd_hit,
    } = read_stages(&ports, &insts, &groups, abits);
    let (interfaces, ports_decl, port_map) = (
        array_interfaces(map, &ports),
        port_decls(map, &ports),
        port_map(&ports),
    );
    let map_doc = doc(&format!(
        "CSR block of the `{}` register map: AXI4-Lite slave and per-field ports.\n\n\
         See the module documentation for the timing of writes and reads.",
        map.name
    ));
    let abits = int(abits.into());
    render(
        &format!(
            "// @generated by cdm_regmap::gen::csr_hdl from the register map `{}`; do not edit.\n",
            map.name
        ),
        quote! {
            #interfaces

            #map_doc
            #[derive(LogicBlock, Default)]
            pub struct CsrBlock {
                pub clock: Signal<In, Clock>,
                /// Synchronous reset, active high: every register returns to its reset value.
                pub reset: Signal<In, Bit>,
                /// Register access from the host.
                pub axil: AxiLiteSlave<#abits>,
                #ports_decl
                #(#channel_dffs)*
                #(#select_dffs)*
                #(#storage)*
                #(#group_dffs)*
                commit: Signal<Local, Bit>,
                w_mask: Signal<Local, Bits<32>>,
                w_mask0: Signal<Local, Bits<32>>,
                w_mask1: Signal<Local, Bits<32>>,
                w_mask2: Signal<Local, Bits<32>>,
                w_mask3: Signal<Local, Bits<32>>,
                ar_take: Signal<Local, Bit>,
                rd_hit: Signal<Local, Bit>,
                rd_value: Signal<Local, Bits<32>>,
                /// The AXI responses: OKAY for a mapped, aligned address, SLVERR otherwise.
                okay: crate::param::Param<2, { crate::bus::axi4::resp::OKAY }>,
                slverr: crate::param::Param<2, { crate::bus::axi4::resp::SLVERR }>,
            }

            impl Logic for CsrBlock {
                #[hdl_gen]
                fn update(&mut self) {
                    dff_setup!(self, clock, #(#dffs),*);
                    // Write channel: hold AW and W until both are here, then commit.
                    self.axil.awready.next = !self.aw_full.q.val() & !self.b_valid.q.val();
                    self.axil.wready.next = !self.w_full.q.val() & !self.b_valid.q.val();
                    // The address is decoded as it is taken, into one flip-flop per
                    // register, so a commit's enables need no address compare. The decode
                    // is a `match` on decimal literals: rust-hdl emits a Verilog `case`, a
                    // parallel mux (an `if` chain would be a priority chain).
                    if self.axil.awvalid.val() & !self.aw_full.q.val() & !self.b_valid.q.val() {
                        self.aw_full.d.next = true;
                        self.wr_hit.d.next = false;
                        #(self.#selects.d.next = false;)*
                        match self.axil.awaddr.val().index() {
                            #(#decode)*
                            _ => {}
                        }
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
                    self.w_mask.next = self.w_mask0.val()
                        | self.w_mask1.val()
                        | self.w_mask2.val()
                        | self.w_mask3.val();
                    if self.commit.val() {
                        self.aw_full.d.next = false;
                        self.w_full.d.next = false;
                        self.b_valid.d.next = true;
                        self.b_resp.d.next = self.slverr.val();
                        if self.wr_hit.q.val() {
                            self.b_resp.d.next = self.okay.val();
                        }
                    }
                    if self.b_valid.q.val() & self.axil.bready.val() {
                        self.b_valid.d.next = false;
                    }
                    self.axil.bvalid.next = self.b_valid.q.val();
                    self.axil.bresp.next = self.b_resp.q.val();
                    // Hardware events.
                    #(#events)*
                    // Software writes.
                    #(#writes)*
                    // Read channel: the address is registered in the AR handshake cycle,
                    // its group decoded into one flip-flop per group; the next cycle each
                    // group selects its register; the OR of the groups is the answer.
                    self.axil.arready.next =
                        !self.r_valid.q.val() & !self.ar_pending.q.val() & !self.rd_ready.q.val();
                    self.ar_take.next = self.axil.arvalid.val() & self.axil.arready.val();
                    if self.ar_take.val() {
                        self.ar_pending.d.next = true;
                        self.ar_addr.d.next = self.axil.araddr.val();
                        #read_selects
                    }
                    if self.ar_pending.q.val() {
                        self.ar_pending.d.next = false;
                        self.rd_ready.d.next = true;
                    }
                    #read_groups
                    self.rd_value.next = #rd_value;
                    self.rd_hit.next = #rd_hit;
                    if self.rd_ready.q.val() {
                        self.rd_ready.d.next = false;
                        self.r_valid.d.next = true;
                        self.r_data.d.next = self.rd_value.val();
                        self.r_resp.d.next = self.slverr.val();
                        if self.rd_hit.val() {
                            self.r_resp.d.next = self.okay.val();
                        }
                    }
                    if self.r_valid.q.val() & self.axil.rready.val() {
                        self.r_valid.d.next = false;
                    }
                    self.axil.rvalid.next = self.r_valid.q.val();
                    self.axil.rdata.next = self.r_data.q.val();
                    self.axil.rresp.next = self.r_resp.q.val();
                    // Field values to hardware.
                    #(#outputs)*
                    // Synchronous reset.
                    if self.reset.val() {
                        self.aw_full.d.next = false;
                        self.w_full.d.next = false;
                        self.b_valid.d.next = false;
                        self.ar_pending.d.next = false;
                        self.rd_ready.d.next = false;
                        self.r_valid.d.next = false;
                        #(#resets)*
                    }
                }
            }

            #port_map
        },
    )
}
