use crate::*;

fn small() -> RegMap {
    RegMap::new("T", 0x100, "test").block(
        Block::new("B", 0x0, "block").register(
            Register::new("R", 0x0, "reg")
                .field(Field::new("A", 0, 4, Access::RW, "a"))
                .field(Field::new("L", 4, 1, Access::W1S, "lock")),
        ),
    )
}

fn culprit(map: &RegMap) -> String {
    map.validate().expect_err("map should be rejected").culprit
}

#[test]
fn device_map_is_valid() {
    device_map().validate().unwrap();
}

#[test]
fn overlapping_fields_are_rejected() {
    let mut m = small();
    m.blocks[0].registers[0].fields[1].lsb = 3;
    assert_eq!(culprit(&m), "B.R.L");
}

#[test]
fn field_outside_register_is_rejected() {
    let mut m = small();
    m.blocks[0].registers[0].fields[0].lsb = 30;
    assert_eq!(culprit(&m), "B.R.A");
}

#[test]
fn reset_that_does_not_fit_is_rejected() {
    let mut m = small();
    m.blocks[0].registers[0].fields[0].reset = 0x10;
    assert_eq!(culprit(&m), "B.R.A");
}

#[test]
fn overlapping_registers_are_rejected() {
    let mut m = small();
    m.blocks.push(
        Block::new("C", 0x0, "c").register(Register::new("S", 0x0, "s").field(Field::new(
            "X",
            0,
            1,
            Access::RW,
            "x",
        ))),
    );
    let e = m.validate().unwrap_err();
    assert!(
        e.to_string().contains("overlaps B.R") || e.to_string().contains("overlaps C.S"),
        "{e}"
    );
}

#[test]
fn array_overlapping_next_block_is_rejected() {
    let mut m = small();
    m.blocks.push(
        Block::new("C", 0x10, "c")
            .array(4, 0x8)
            .register(Register::new("S", 0x0, "s").field(Field::new("X", 0, 1, Access::RW, "x"))),
    );
    m.blocks.push(
        Block::new("D", 0x20, "d").register(Register::new("S", 0x8, "s").field(Field::new(
            "X",
            0,
            1,
            Access::RW,
            "x",
        ))),
    );
    assert_eq!(culprit(&m), "D.S");
}

#[test]
fn duplicate_names_are_rejected() {
    let mut m = small();
    m.blocks[0].registers[0].fields[1].name = "A".into();
    assert_eq!(culprit(&m), "B.R.A");
    let mut m = small();
    let r = m.blocks[0].registers[0].clone();
    m.blocks[0].registers.push(Register { offset: 4, ..r });
    assert_eq!(culprit(&m), "B.R");
}

#[test]
fn misaligned_register_is_rejected() {
    let mut m = small();
    m.blocks[0].registers[0].offset = 2;
    assert_eq!(culprit(&m), "B.R");
}

#[test]
fn lock_must_name_a_lock_bit() {
    let mut m = small();
    m.blocks[0].registers[0].locked_by = Some("B.R.A".into());
    assert_eq!(culprit(&m), "B.R");
    m.blocks[0].registers[0].locked_by = Some("B.R.NOPE".into());
    assert_eq!(culprit(&m), "B.R");
    m.blocks[0].registers[0].locked_by = Some("B.R.L".into());
    m.validate().unwrap();
}

#[test]
fn enum_value_must_fit() {
    let mut m = small();
    let f = m.blocks[0].registers[0].fields.remove(0);
    m.blocks[0].registers[0]
        .fields
        .push(f.value("BIG", 16, "too big"));
    assert_eq!(culprit(&m), "B.R.A.BIG");
}

#[test]
fn masks_and_reset_compose_from_fields() {
    let map = device_map();
    let (_, id, _) = map.field("GLOBAL.ID.VENDOR").unwrap();
    assert_eq!(id.reset(), VENDOR_ID | (DEVICE_ID << 16));
    let (_, ctrl, _) = map.field("GLOBAL.CTRL.ENABLE").unwrap();
    assert_eq!(ctrl.mask(), 0b11);
    assert_eq!(ctrl.read_mask(), 0b01);
    assert_eq!(ctrl.side_effect_mask(), 0b10);
}

#[test]
fn names_convert() {
    assert_eq!(camel("CAP_DEVMEM_LO"), "CapDevmemLo");
    assert_eq!(snake("CAP_DEVMEM_LO"), "cap_devmem_lo");
}

#[test]
fn lock_in_an_array_block_is_rejected() {
    let mut m = small();
    m.blocks[0] = m.blocks[0].clone().array(2, 0x10);
    m.blocks.push(
        Block::new("C", 0x40, "c").register(
            Register::new("S", 0x0, "s")
                .field(Field::new("X", 0, 1, Access::RW, "x"))
                .locked_by("B.R.L"),
        ),
    );
    assert_eq!(culprit(&m), "C.S");
}
