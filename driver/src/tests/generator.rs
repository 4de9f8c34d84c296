//! The generator's corners, on `cdm_regmap::gen::committed::corner_map` (`corner_regs.rs`):
//! enumerations, keyword names, full-width fields, arrays, every access kind.

use core::convert::TryFrom;

use super::fake::Fake;
use crate::{Access, Readable, Register, Regs, Writable};

#[allow(dead_code)] // not every generated item is used by the tests
mod corner_regs {
    include!("../generated/corner_regs.rs");
}

use corner_regs::r#type::{Lock, Match, MatchLoop, MatchMode, MatchType, MatchValue, OptionValue};
use corner_regs::{chan, r#type};

fn readable<R: Readable>() {}
fn writable<R: Writable>() {}

#[test]
fn keyword_names_are_escaped() {
    assert_eq!(r#type::BASE, 0);
    assert_eq!(corner_regs::SIZE, 0x100);
    let v = MatchValue::ZERO.with_self(true).with_crate(0x1F);
    assert!(v.self_());
    assert_eq!(v.crate_(), 0xF, "masked to 4 bits");
    assert_eq!(v.bits(), 0xF100);
    assert_eq!(MatchValue::RESET.r#fn(), 0xBEEF);
    assert_eq!(MatchValue::ZERO.with_fn(0x1_2345).r#fn(), 0x2345);
    assert_eq!(MatchValue::FN_SHIFT, 16);
    assert_eq!(MatchValue::SELF_MASK, 0x100);
}

#[test]
fn exhaustive_enumerations_read_as_the_enum() {
    assert_eq!(MatchValue::RESET.mode(), MatchMode::Run);
    for mode in [
        MatchMode::Idle,
        MatchMode::Run,
        MatchMode::Self_,
        MatchMode::Halt,
    ] {
        let v = MatchValue::RESET.with_mode(mode);
        assert_eq!(v.mode(), mode);
        assert_eq!(v.mode_bits(), mode as u32);
        assert_eq!(MatchMode::try_from(mode.bits()), Ok(mode));
        assert_eq!(u32::from(mode), mode.bits());
    }
    assert_eq!(MatchMode::try_from(4), Err(4));
    assert_eq!(MatchMode::from_bits(2), Some(MatchMode::Self_));
    assert_eq!(
        MatchValue::ZERO.with_mode_bits(7).mode(),
        MatchMode::Halt,
        "masked"
    );

    assert_eq!(MatchValue::ZERO.r#loop(), MatchLoop::Off);
    assert_eq!(MatchValue::from_bits(0x80).r#loop(), MatchLoop::On);
    assert_eq!(MatchValue::from_bits(0x80).loop_bits(), 1);
}

#[test]
fn partial_enumerations_read_as_result() {
    assert_eq!(MatchValue::RESET.r#type(), Ok(MatchType::B));
    assert_eq!(MatchValue::RESET.type_bits(), 5);
    let v = MatchValue::RESET.with_type_bits(3);
    assert_eq!(v.r#type(), Err(3));
    assert_eq!(v.with_type(MatchType::A).r#type(), Ok(MatchType::A));
    assert_eq!(MatchValue::TYPE_MASK, 0x70);
    assert_eq!(MatchValue::TYPE_RESET, 5);
    assert_eq!(MatchType::try_from(1), Err(1));
}

#[test]
fn masks_follow_the_access_kinds() {
    // MODE RW 1:0, TYPE RW 6:4, LOOP RO 7, SELF W1P 8, CRATE WO 15:12, FN RW 31:16.
    assert_eq!(Match::READ_MASK, 0xFFFF_00F3);
    assert_eq!(Match::WRITE_MASK, 0xFFFF_F173);
    assert_eq!(Match::SIDE_EFFECT_MASK, 0x100);
    assert_eq!(Match::RESET, 0xBEEF_0051);
    assert_eq!(Match::FIELDS[2].access, Access::RO);
    assert_eq!(<chan::Events as Register>::SIDE_EFFECT_MASK, 0x7);
    assert_eq!(<chan::Events as Register>::RESET, 0x300);
    assert_eq!(<Lock as Register>::SIDE_EFFECT_MASK, 0x1);
    readable::<Match>();
    writable::<Match>();
    writable::<chan::Push>();
    readable::<chan::Events>();
}

#[test]
fn full_width_fields_and_prelude_names() {
    assert_eq!(OptionValue::RESET.word(), 0xDEAD_BEEF);
    assert_eq!(OptionValue::ZERO.with_word(u32::MAX).bits(), u32::MAX);
    assert_eq!(OptionValue::WORD_MASK, u32::MAX);
    assert_eq!(<r#type::Option as Register>::NAME, "TYPE.OPTION");
}

#[test]
fn arrays_and_locks() {
    assert_eq!((chan::BASE, chan::COUNT, chan::STRIDE), (0x40, 3, 0x10));
    assert_eq!(<chan::Cfg as Register>::LOCKED_BY, Some("TYPE.LOCK.LOCK"));
    assert_eq!(<chan::Push as Register>::ADDR, 0x48);
    assert_eq!(<chan::Push as Register>::READ_MASK, 0);
    assert_eq!(
        chan::CfgValue::ZERO.with_size(0x0FFF_FFFF).bits(),
        0xFFFF_FFF0
    );

    let mut regs = Regs::new(Fake::new());
    regs.io_mut().words[(0x40 + 2 * 0x10 + 4) / 4] = 0x307; // DONE, ERR, KICK, LEVEL 3
    regs.modify_at::<chan::Events>(2, |v| {
        assert_eq!(v.level(), 3);
        v.with_err(true)
    })
    .unwrap();
    assert_eq!(regs.io().writes(), std::vec![(0x64, 0x302)]);
    regs.write_at::<chan::Push>(1, chan::PushValue::ZERO.with_data(0xABCD))
        .unwrap();
    assert!(regs
        .write_at::<chan::Push>(3, chan::PushValue::ZERO)
        .is_err());
}
