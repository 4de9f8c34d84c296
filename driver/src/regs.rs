//! The device's registers, generated from `cdm_regmap::device_map()` into
//! `generated/regs.rs` (see `cdm_regmap::gen::driver` for the naming scheme).
//!
//! Per block a module with the block's `BASE`, `COUNT` and `STRIDE`; per register
//! `Name` (implements [`Register`](crate::Register)) and `NameValue`, e.g.
//! [`global::Ctrl`] and [`global::CtrlValue`]:
//!
//! ```
//! use cdm_driver::regs::global::CtrlValue;
//! let v = CtrlValue::RESET.with_enable(true);
//! assert!(v.enable());
//! assert_eq!(v.bits() & CtrlValue::ENABLE_MASK, CtrlValue::ENABLE_MASK);
//! ```

include!("generated/regs.rs");
