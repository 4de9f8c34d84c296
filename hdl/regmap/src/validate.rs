//! Checks a register map before anything is generated from it.
//!
//! Build scripts call [`RegMap::validate`] and turn an error into a failed build, so a
//! mistake in the map (overlap, bad reset, duplicate name) never reaches hardware or driver.

use std::collections::HashMap;
use std::fmt;

use crate::model::{Access, RegMap};

/// A defect in the register map, naming the culprit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapError {
    /// Path of the offending item (`BLOCK`, `BLOCK.REG` or `BLOCK.REG.FIELD`).
    pub culprit: String,
    pub problem: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.culprit, self.problem)
    }
}

impl std::error::Error for MapError {}

fn err(culprit: impl Into<String>, problem: impl Into<String>) -> MapError {
    MapError {
        culprit: culprit.into(),
        problem: problem.into(),
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn check_name(path: &str, name: &str) -> Result<(), MapError> {
    if is_identifier(name) {
        Ok(())
    } else {
        Err(err(
            path,
            format!("name `{name}` must be UPPER_SNAKE_CASE starting with a letter"),
        ))
    }
}

fn check_unique<'a>(scope: &str, names: impl Iterator<Item = &'a str>) -> Result<(), MapError> {
    let mut seen = HashMap::new();
    for name in names {
        if seen.insert(name, ()).is_some() {
            return Err(err(format!("{scope}{name}"), "duplicate name"));
        }
    }
    Ok(())
}

impl RegMap {
    /// Checks names, field placement, reset values, enums, locks and address overlaps.
    pub fn validate(&self) -> Result<(), MapError> {
        if !self.size.is_power_of_two() || self.size < 4 {
            return Err(err(
                &self.name,
                "map size must be a power of two of at least 4",
            ));
        }
        check_unique("", self.blocks.iter().map(|b| b.name.as_str()))?;
        for block in &self.blocks {
            let bp = block.name.as_str();
            check_name(bp, bp)?;
            if block.count == 0 {
                return Err(err(bp, "an array needs at least one instance"));
            }
            if block.count > 1 && block.stride == 0 {
                return Err(err(bp, "an array of several instances needs a stride"));
            }
            check_unique(
                &format!("{bp}."),
                block.registers.iter().map(|r| r.name.as_str()),
            )?;
            for reg in &block.registers {
                let rp = format!("{bp}.{}", reg.name);
                check_name(&rp, &reg.name)?;
                if reg.offset % 4 != 0 {
                    return Err(err(
                        &rp,
                        format!("offset {:#x} is not 4-byte aligned", reg.offset),
                    ));
                }
                if block.is_array() && reg.offset + 4 > block.stride {
                    return Err(err(
                        &rp,
                        format!(
                            "offset {:#x} does not fit in the stride {:#x}",
                            reg.offset, block.stride
                        ),
                    ));
                }
                if reg.fields.is_empty() {
                    return Err(err(&rp, "a register needs at least one field"));
                }
                check_unique(
                    &format!("{rp}."),
                    reg.fields.iter().map(|f| f.name.as_str()),
                )?;
                for field in &reg.fields {
                    let fp = format!("{rp}.{}", field.name);
                    check_name(&fp, &field.name)?;
                    if field.width == 0 || field.lsb + field.width > 32 {
                        return Err(err(
                            &fp,
                            format!(
                                "bits {}..{} lie outside the 32-bit register",
                                field.lsb,
                                field.lsb + field.width
                            ),
                        ));
                    }
                    if field.reset & !field.value_mask() != 0 {
                        return Err(err(
                            &fp,
                            format!(
                                "reset value {:#x} does not fit in {} bits",
                                field.reset, field.width
                            ),
                        ));
                    }
                    if field.constant && field.access != Access::RO {
                        return Err(err(&fp, "only RO fields can be constants"));
                    }
                    if field.hw_clear && field.access != Access::W1S {
                        return Err(err(&fp, "only W1S fields have a hardware clear"));
                    }
                    if matches!(field.access, Access::W1P | Access::W1C | Access::WO)
                        && field.reset != 0
                    {
                        return Err(err(&fp, "W1P, W1C and WO fields reset to 0"));
                    }
                    check_unique(
                        &format!("{fp}."),
                        field.values.iter().map(|v| v.name.as_str()),
                    )?;
                    for value in &field.values {
                        check_name(&format!("{fp}.{}", value.name), &value.name)?;
                        if value.value & !field.value_mask() != 0 {
                            return Err(err(
                                format!("{fp}.{}", value.name),
                                format!(
                                    "value {:#x} does not fit in {} bits",
                                    value.value, field.width
                                ),
                            ));
                        }
                    }
                }
                for (i, a) in reg.fields.iter().enumerate() {
                    for b in &reg.fields[i + 1..] {
                        if a.mask() & b.mask() != 0 {
                            return Err(err(
                                format!("{rp}.{}", b.name),
                                format!("overlaps field {} (bits {}..={})", a.name, a.lsb, a.msb()),
                            ));
                        }
                    }
                }
                if let Some(lock) = &reg.locked_by {
                    if self.field(lock).is_some_and(|(b, _, _)| b.is_array()) {
                        return Err(err(
                            &rp,
                            format!(
                                "lock {lock} lies in an array block; a lock must be a single bit"
                            ),
                        ));
                    }
                    match self.field(lock) {
                        Some((_, _, f))
                            if f.access == Access::W1S && f.width == 1 && !f.hw_clear => {}
                        Some(_) => {
                            return Err(err(
                                &rp,
                                format!(
                                "lock {lock} must be a one-bit W1S field without hardware clear"
                            ),
                            ))
                        }
                        None => return Err(err(&rp, format!("lock {lock} names no field"))),
                    }
                }
            }
        }
        let mut by_address: HashMap<u32, String> = HashMap::new();
        for inst in self.instances() {
            if inst.address >= self.size {
                return Err(err(
                    inst.path(),
                    format!(
                        "address {:#x} lies outside the {:#x}-byte map",
                        inst.address, self.size
                    ),
                ));
            }
            if let Some(other) = by_address.insert(inst.address, inst.path()) {
                return Err(err(
                    inst.path(),
                    format!("address {:#x} overlaps {other}", inst.address),
                ));
            }
        }
        Ok(())
    }
}
