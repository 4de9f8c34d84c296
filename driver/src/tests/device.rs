//! Every generated register against `cdm_regmap::device_map()`.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use cdm_regmap::{device_map, Access as MapAccess, RegMap};

use crate::io::Offset;
use crate::regs::{self, coherent, dma, global, intr, window};
use crate::{Access, Register, RegisterVisitor};

fn access(a: MapAccess) -> Access {
    match a {
        MapAccess::RW => Access::RW,
        MapAccess::RO => Access::RO,
        MapAccess::WO => Access::WO,
        MapAccess::W1C => Access::W1C,
        MapAccess::W1S => Access::W1S,
        MapAccess::W1P => Access::W1P,
    }
}

/// Compares each visited register type with its register in the map.
struct Check {
    map: RegMap,
    seen: Vec<String>,
}

impl RegisterVisitor for Check {
    fn visit<R: Register>(&mut self) {
        let name = R::NAME;
        let (b, r) = name.split_once('.').expect("NAME is BLOCK.REGISTER");
        let block = self.map.blocks.iter().find(|x| x.name == b).expect(name);
        let reg = block.registers.iter().find(|x| x.name == r).expect(name);

        assert_eq!(R::ADDR, block.address(0, reg) as usize, "{name} ADDR");
        assert_eq!(R::COUNT, block.count as usize, "{name} COUNT");
        assert_eq!(R::STRIDE, block.stride as usize, "{name} STRIDE");
        assert_eq!(R::RESET, reg.reset(), "{name} RESET");
        assert_eq!(R::READ_MASK, reg.read_mask(), "{name} READ_MASK");
        assert_eq!(
            R::WRITE_MASK,
            reg.mask() & !reg.access_mask(MapAccess::RO),
            "{name} WRITE_MASK"
        );
        assert_eq!(
            R::SIDE_EFFECT_MASK,
            reg.side_effect_mask(),
            "{name} SIDE_EFFECT_MASK"
        );
        assert_eq!(R::LOCKED_BY, reg.locked_by.as_deref(), "{name} LOCKED_BY");

        assert_eq!(R::FIELDS.len(), reg.fields.len(), "{name} fields");
        for (info, field) in R::FIELDS.iter().zip(&reg.fields) {
            assert_eq!(info.name, field.name, "{name} field order");
            let fname = format!("{name}.{}", field.name);
            assert_eq!(info.lsb, field.lsb, "{fname} lsb");
            assert_eq!(info.width, field.width, "{fname} width");
            assert_eq!(info.access, access(field.access), "{fname} access");
            assert_eq!(info.reset, field.reset, "{fname} reset");
            assert_eq!(info.doc, field.doc, "{fname} doc");
            assert_eq!(info.mask(), field.mask(), "{fname} mask");
            assert_eq!(info.value_mask(), field.value_mask(), "{fname} value mask");
            assert_eq!(info.extract(R::RESET), field.reset, "{fname} extract");
        }

        for index in 0..block.count {
            assert_eq!(
                R::address(index as usize),
                Offset::new(block.address(index, reg) as usize),
                "{name}[{index}]"
            );
        }
        assert_eq!(
            R::address(block.count as usize),
            None,
            "{name} past the array"
        );
        assert_eq!(R::address(usize::MAX), None, "{name} huge index");

        let value = R::Value::from(R::RESET);
        assert_eq!(value.into(), R::RESET, "{name} value round trip");

        self.seen.push(name.to_string());
    }
}

#[test]
fn every_register_matches_the_map() {
    let map = device_map();
    map.validate().unwrap();
    let mut check = Check {
        map: map.clone(),
        seen: Vec::new(),
    };
    regs::visit(&mut check);
    let expected: Vec<String> = map
        .blocks
        .iter()
        .flat_map(|b| {
            b.registers
                .iter()
                .map(move |r| format!("{}.{}", b.name, r.name))
        })
        .collect();
    assert_eq!(check.seen, expected);
}

#[test]
fn blocks_and_size_match_the_map() {
    let map = device_map();
    assert_eq!(regs::SIZE, map.size as usize);
    assert_eq!(regs::MAP_NAME, map.name);
    let blocks = [
        ("GLOBAL", global::BASE, global::COUNT, global::STRIDE),
        ("INTR", intr::BASE, intr::COUNT, intr::STRIDE),
        ("WINDOW", window::BASE, window::COUNT, window::STRIDE),
        ("DMA", dma::BASE, dma::COUNT, dma::STRIDE),
        (
            "COHERENT",
            coherent::BASE,
            coherent::COUNT,
            coherent::STRIDE,
        ),
    ];
    assert_eq!(blocks.len(), map.blocks.len());
    for ((name, base, count, stride), block) in blocks.into_iter().zip(&map.blocks) {
        assert_eq!(name, block.name);
        assert_eq!(base, block.base as usize, "{name}");
        assert_eq!(count, block.count as usize, "{name}");
        assert_eq!(stride, block.stride as usize, "{name}");
    }
}

#[test]
fn identification_resets_to_the_build_constants() {
    let id = global::IdValue::RESET;
    assert_eq!(id.vendor(), cdm_regmap::VENDOR_ID);
    assert_eq!(id.device(), cdm_regmap::DEVICE_ID);
    let v = global::VersionValue::RESET;
    assert_eq!((v.major(), v.minor(), v.patch()), cdm_regmap::VERSION);
    assert_eq!(global::CapDmaValue::RESET.windows(), cdm_regmap::WINDOWS);
    assert_eq!(window::COUNT, cdm_regmap::WINDOWS as usize);
}

#[test]
fn field_constants_match_the_map() {
    let map = device_map();
    let field = |path: &str| map.field(path).expect(path).2.clone();

    let f = field("GLOBAL.CTRL.SOFT_RESET");
    assert_eq!(global::CtrlValue::SOFT_RESET_MASK, f.mask());
    assert_eq!(global::CtrlValue::SOFT_RESET_SHIFT, f.lsb);
    assert_eq!(global::CtrlValue::SOFT_RESET_RESET, f.reset);

    let f = field("INTR.STATUS.COHERENT");
    assert_eq!(intr::StatusValue::COHERENT_MASK, f.mask());
    assert_eq!(intr::StatusValue::COHERENT_SHIFT, f.lsb);
    let f = field("INTR.STATUS.DMA");
    assert_eq!(intr::StatusValue::DMA_MASK, f.mask());

    let f = field("GLOBAL.ID.DEVICE");
    assert_eq!(global::IdValue::DEVICE_MASK, f.mask());
    assert_eq!(global::IdValue::DEVICE_SHIFT, f.lsb);
    assert_eq!(global::IdValue::DEVICE_RESET, f.reset);

    let f = field("GLOBAL.SCRATCH.VALUE");
    assert_eq!(global::ScratchValue::VALUE_MASK, f.mask());
    assert_eq!(global::ScratchValue::VALUE_MASK, u32::MAX);

    let f = field("WINDOW.CTRL.WRITE");
    assert_eq!(window::CtrlValue::WRITE_MASK, f.mask());
    assert_eq!(window::CtrlValue::WRITE_SHIFT, f.lsb);
}

#[test]
fn readers_and_writers_round_trip() {
    let v = intr::StatusValue::ZERO.with_dma(0x1A5);
    assert_eq!(v.dma(), 0xA5, "the writer masks to the field's width");
    assert!(!v.coherent());
    let v = v.with_coherent(true);
    assert!(v.coherent());
    assert_eq!(v.bits(), 0x1A5);
    assert_eq!(v.with_coherent(false).bits(), 0xA5);
    assert_eq!(v.with_dma(0).bits(), 0x100);

    let w = window::CtrlValue::ZERO.with_enable(true).with_write(true);
    assert!(w.enable() && !w.read() && w.write());
    assert_eq!(w.bits(), 0b101);
    assert_eq!(w.with_enable(false).bits(), 0b100);

    let s = global::ScratchValue::ZERO.with_value(0xDEAD_BEEF);
    assert_eq!(s.value(), 0xDEAD_BEEF);
    assert_eq!(s.with_value(7).bits(), 7);

    let c = global::CtrlValue::from_bits(0xFFFF_FFFF);
    assert!(c.enable() && c.soft_reset());
    assert_eq!(
        c.with_enable(false).bits(),
        0xFFFF_FFFE,
        "reserved bits are kept"
    );

    let raw: u32 = window::BaseLoValue::from(0x1234_5678).into();
    assert_eq!(raw, 0x1234_5678);
    assert_eq!(global::CtrlValue::default(), global::CtrlValue::RESET);
}

#[test]
fn values_print_their_fields() {
    let v = global::CtrlValue::ZERO.with_enable(true);
    assert_eq!(
        format!("{v:?}"),
        "CtrlValue { bits: 0x00000001, enable: true, soft_reset: false }"
    );
    let v = intr::StatusValue::ZERO.with_dma(0x12);
    assert_eq!(
        format!("{v:?}"),
        "StatusValue { bits: 0x00000012, dma: 18, coherent: false }"
    );
    assert_eq!(format!("{:?}", global::Id), "Id");
}
