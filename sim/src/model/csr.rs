//! Reference model of the CSR block, derived from the register map alone.
//!
//! Testbenches compare the hardware against it: it knows nothing of the generated RTL,
//! only the access semantics of each field, so a disagreement is a bug in one of them.

use cdm_regmap::gen::csr_hdl::field_port;
use cdm_regmap::{Access, Field, RegMap};

/// State of one field of one register instance.
#[derive(Clone, Debug)]
pub struct FieldState {
    /// Hardware port name of the field.
    pub port: String,
    pub address: u32,
    pub field: Field,
    /// Stored value (RW, WO, W1C, W1S) or last hardware input (RO).
    pub value: u32,
    /// Register this field's register is locked by, as an index into the fields.
    lock: Option<usize>,
}

/// The register state a correct CSR block holds.
#[derive(Clone, Debug)]
pub struct RegModel {
    pub fields: Vec<FieldState>,
}

impl RegModel {
    pub fn new(map: &RegMap) -> RegModel {
        let mut fields: Vec<FieldState> = map
            .instances()
            .iter()
            .flat_map(|inst| {
                inst.register.fields.iter().map(move |f| FieldState {
                    port: field_port(inst, f),
                    address: inst.address,
                    field: f.clone(),
                    value: f.reset,
                    lock: None,
                })
            })
            .collect();
        let locks: Vec<Option<usize>> = map
            .instances()
            .iter()
            .flat_map(|inst| {
                let lock = inst.register.locked_by.as_ref().map(|path| {
                    let (block, register, field) = map.field(path).expect("validated lock");
                    let address = block.address(0, register);
                    fields_index(&fields, address, &field.name)
                });
                inst.register.fields.iter().map(move |_| lock)
            })
            .collect();
        for (f, lock) in fields.iter_mut().zip(locks) {
            f.lock = lock;
        }
        RegModel { fields }
    }

    /// Returns every field to its reset value.
    pub fn reset(&mut self) {
        for f in &mut self.fields {
            if f.field.access != Access::RO {
                f.value = f.field.reset;
            }
        }
    }

    pub fn field(&self, port: &str) -> Option<&FieldState> {
        self.fields.iter().find(|f| f.port == port)
    }

    fn field_mut(&mut self, port: &str) -> &mut FieldState {
        self.fields
            .iter_mut()
            .find(|f| f.port == port)
            .unwrap_or_else(|| panic!("no field port {port}"))
    }

    /// Records the value a hardware-driven RO field has now.
    pub fn set_input(&mut self, port: &str, value: u32) {
        let f = self.field_mut(port);
        f.value = value & f.field.value_mask();
    }

    /// A hardware set of W1C bits.
    pub fn hw_set(&mut self, port: &str, bits: u32) {
        self.field_mut(port).value |= bits;
    }

    /// A hardware clear of W1S bits.
    pub fn hw_clear(&mut self, port: &str, bits: u32) {
        self.field_mut(port).value &= !bits;
    }

    fn mapped(&self, address: u32) -> bool {
        self.fields.iter().any(|f| f.address == address)
    }

    /// What a read returns: `None` is `SLVERR`.
    pub fn read(&self, address: u32) -> Option<u32> {
        if !self.mapped(address) {
            return None;
        }
        Some(
            self.fields
                .iter()
                .filter(|f| f.address == address && f.field.access.readable())
                .fold(0, |acc, f| acc | (f.value << f.field.lsb)),
        )
    }

    fn locked(&self, f: &FieldState) -> bool {
        f.lock.is_some_and(|l| self.fields[l].value != 0)
    }

    /// Applies a write; returns `None` for `SLVERR`, otherwise the W1P pulses it gives
    /// as (port, bits).
    pub fn write(&mut self, address: u32, data: u32, strb: u8) -> Option<Vec<(String, u32)>> {
        if !self.mapped(address) {
            return None;
        }
        let mask = (0..4).fold(0u32, |m, b| {
            if strb & (1 << b) != 0 {
                m | (0xff << (8 * b))
            } else {
                m
            }
        });
        let mut pulses = Vec::new();
        let targets: Vec<usize> = (0..self.fields.len())
            .filter(|&i| self.fields[i].address == address && !self.locked(&self.fields[i]))
            .collect();
        for i in targets {
            let f = &mut self.fields[i];
            let fm = f.field.value_mask();
            let strobed = (mask >> f.field.lsb) & fm;
            let written = (data >> f.field.lsb) & strobed;
            match f.field.access {
                Access::RW | Access::WO => f.value = (f.value & !strobed) | written,
                Access::W1C => f.value &= !written,
                Access::W1S => f.value |= written,
                Access::W1P => pulses.push((f.port.clone(), written)),
                Access::RO => {}
            }
        }
        Some(pulses)
    }
}

fn fields_index(fields: &[FieldState], address: u32, name: &str) -> usize {
    fields
        .iter()
        .position(|f| f.address == address && f.field.name == name)
        .expect("lock field exists")
}
