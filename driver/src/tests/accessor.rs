//! `Regs` against the fake bus: offsets, read-modify-write, instances, errors.

use core::convert::Infallible;
use std::format;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

use super::fake::{Fake, Op};
use crate::io::{BusError, BusErrorKind, Offset, RegisterIo};
use crate::regs::{dma, global, intr, window};
use crate::{Error, Register, Regs};

fn word(regs: &Regs<Fake>, offset: usize) -> u32 {
    regs.io().words[offset / 4]
}

#[test]
fn read_and_write_use_the_register_offset() {
    let mut regs = Regs::new(Fake::new());
    regs.io_mut().words[global::Scratch::ADDR / 4] = 0xCAFE_F00D;
    assert_eq!(regs.read::<global::Scratch>().unwrap().value(), 0xCAFE_F00D);
    regs.write::<global::Ctrl>(global::CtrlValue::ZERO.with_enable(true))
        .unwrap();
    assert_eq!(
        regs.io().log,
        vec![Op::Read(0x14), Op::Write(0x18, 0x1)],
        "SCRATCH at 0x14, CTRL at 0x18"
    );
}

#[test]
fn modify_does_not_write_back_w1c_bits_it_read() {
    let mut regs = Regs::new(Fake::new());
    let status = intr::Status::ADDR;
    regs.io_mut().words[status / 4] = 0x1FF; // everything pending

    regs.modify::<intr::Status>(|v| {
        assert_eq!(v.bits(), 0, "the closure sees W1C bits as 0");
        v.with_dma(1 << 2)
    })
    .unwrap();
    assert_eq!(
        regs.io().writes(),
        vec![(status, 0x004)],
        "acknowledges channel 2 only"
    );

    regs.io_mut().log.clear();
    regs.modify::<intr::Status>(|v| v).unwrap();
    assert_eq!(
        regs.io().writes(),
        vec![(status, 0)],
        "an identity modify clears nothing"
    );
}

#[test]
fn modify_keeps_rw_fields_and_drops_pulses_and_sets() {
    let mut regs = Regs::new(Fake::new());
    let ctrl = global::Ctrl::ADDR;
    regs.io_mut().words[ctrl / 4] = 0x3; // ENABLE, and SOFT_RESET as if it read back 1
    regs.modify::<global::Ctrl>(|v| v).unwrap();
    assert_eq!(word(&regs, ctrl), 0x1, "ENABLE kept, no soft-reset pulse");
    regs.modify::<global::Ctrl>(|v| v.with_soft_reset(true))
        .unwrap();
    assert_eq!(
        word(&regs, ctrl),
        0x3,
        "a pulse the closure asks for is written"
    );

    let lock = global::WindowLock::ADDR;
    regs.io_mut().words[lock / 4] = 0x1;
    regs.modify::<global::WindowLock>(|v| v).unwrap();
    assert_eq!(word(&regs, lock), 0, "W1S bit not written back");

    let enable = intr::Enable::ADDR;
    regs.io_mut().words[enable / 4] = 0x105;
    regs.modify::<intr::Enable>(|v| v.with_coherent(false))
        .unwrap();
    assert_eq!(word(&regs, enable), 0x005);
}

#[test]
fn array_instances_are_addressed_by_index() {
    let mut regs = Regs::new(Fake::new());
    for i in 0..window::COUNT {
        let value = window::CtrlValue::ZERO
            .with_read(true)
            .with_enable(i % 2 == 0);
        regs.write_at::<window::Ctrl>(i, value).unwrap();
        regs.write_at::<window::LimitHi>(
            i,
            window::LimitHiValue::ZERO.with_addr(i.try_into().unwrap()),
        )
        .unwrap();
    }
    for i in 0..window::COUNT {
        let ctrl = window::BASE + i * window::STRIDE + 0x10;
        assert_eq!(
            word(&regs, ctrl),
            0b10 | u32::from(i % 2 == 0),
            "window {i}"
        );
        assert_eq!(
            regs.read_at::<window::LimitHi>(i).unwrap().addr() as usize,
            i
        );
    }
    regs.modify_at::<window::Ctrl>(3, |v| v.with_write(true))
        .unwrap();
    assert_eq!(word(&regs, 0x170), 0b110);
}

#[test]
fn an_index_past_the_array_is_an_error_without_bus_access() {
    let mut regs = Regs::new(Fake::new());
    let err = Error::NoSuchInstance {
        register: "WINDOW.CTRL",
        index: 4,
        count: 4,
    };
    assert_eq!(regs.read_at::<window::Ctrl>(4), Err(err));
    assert_eq!(
        regs.write_at::<window::Ctrl>(4, window::CtrlValue::ZERO),
        Err(err)
    );
    assert_eq!(regs.modify_at::<window::Ctrl>(4, |v| v), Err(err));
    assert_eq!(
        regs.read_at::<global::Scratch>(1),
        Err(Error::NoSuchInstance {
            register: "GLOBAL.SCRATCH",
            index: 1,
            count: 1
        })
    );
    assert!(regs.read_at::<window::BaseLo>(usize::MAX).is_err());
    assert!(regs.io().log.is_empty());
    assert_eq!(
        err.to_string(),
        "WINDOW.CTRL: no instance 4 (the block has 4)"
    );
}

#[test]
fn bus_errors_are_passed_on() {
    let mut regs = Regs::new(Fake::new());
    let enable = intr::Enable::ADDR;
    regs.io_mut().fail = Some((enable, BusErrorKind::SlvErr));
    let bus = BusError {
        offset: enable,
        kind: BusErrorKind::SlvErr,
    };
    assert_eq!(regs.read::<intr::Enable>(), Err(Error::Bus(bus)));
    assert_eq!(
        regs.modify::<intr::Enable>(|v| v.with_dma(1)),
        Err(Error::Bus(bus))
    );
    assert_eq!(regs.io().writes(), vec![], "a failed read writes nothing");
    assert_eq!(
        regs.write::<intr::Enable>(intr::EnableValue::ZERO),
        Err(Error::Bus(bus))
    );
    assert_eq!(
        format!("{}", Error::Bus(bus)),
        "bus error SLVERR at register offset 0x44"
    );
    let fake = regs.into_inner();
    assert_eq!(fake.log.len(), 3);
}

#[test]
fn regs_works_over_a_borrowed_bus() {
    let mut fake = Fake::new();
    {
        let mut regs = Regs::new(&mut fake);
        regs.write::<global::Scratch>(0x55.into()).unwrap();
    }
    assert_eq!(fake.words[global::Scratch::ADDR / 4], 0x55);
}

#[test]
fn write_with_starts_from_the_reset_value_without_side_effects() {
    let mut regs = Regs::new(Fake::new());
    regs.io_mut().words[dma::Coalesce::ADDR / 4] = 0xFFFF_FFFF;
    regs.write_with::<dma::Coalesce>(|v| v.with_timer(5))
        .unwrap();
    assert_eq!(
        regs.io().writes(),
        vec![(dma::Coalesce::ADDR, 5 << 16 | 1)],
        "TIMER as asked, COUNT at its reset value 1, no read"
    );
    regs.io_mut().log.clear();
    regs.write_with::<global::Ctrl>(|v| v).unwrap();
    assert_eq!(
        regs.io().writes(),
        vec![(global::Ctrl::ADDR, 0)],
        "no soft-reset pulse unless asked for"
    );
    regs.write_with_at::<window::Ctrl>(2, |v| v.with_enable(true))
        .unwrap();
    assert_eq!(word(&regs, window::Ctrl::ADDR + 2 * window::STRIDE), 1);
}

#[test]
fn a_64_bit_value_is_written_low_half_first() {
    let mut regs = Regs::new(Fake::new());
    regs.write64_at::<window::Limit>(1, 0x1234_5678_9ABC_DEF0)
        .unwrap();
    let lo = window::LimitLo::ADDR + window::STRIDE;
    let hi = window::LimitHi::ADDR + window::STRIDE;
    assert_eq!(
        regs.io().writes(),
        vec![(lo, 0x9ABC_DEF0), (hi, 0x1234_5678)]
    );
    assert_eq!(
        regs.read64_at::<window::Limit>(1),
        Ok(0x1234_5678_9ABC_DEF0)
    );
    assert_eq!(
        regs.read64_at::<window::Limit>(window::COUNT),
        Err(Error::NoSuchInstance {
            register: "WINDOW.LIMIT_LO",
            index: window::COUNT,
            count: window::COUNT
        })
    );
}

/// Channel 0's byte counter `DMA.BYTES`, counting `step` bytes after every read of
/// either half, as a running transfer does between the reads.
struct RunningCounter {
    value: u64,
    step: u64,
    reads: Vec<&'static str>,
}

impl RegisterIo for RunningCounter {
    type Error = Infallible;

    fn read32(&mut self, offset: Offset) -> Result<u32, Infallible> {
        let half = if Some(offset) == dma::BytesHi::address(0) {
            self.reads.push("hi");
            (self.value >> 32) as u32
        } else {
            assert_eq!(Some(offset), dma::BytesLo::address(0));
            self.reads.push("lo");
            self.value as u32
        };
        self.value += self.step;
        Ok(half)
    }

    fn write32(&mut self, _: Offset, _: u32) -> Result<(), Infallible> {
        unreachable!("a read writes nothing")
    }
}

#[test]
fn a_64_bit_read_is_never_torn_by_a_carry() {
    // The low half wraps between the low read and the second high read: a plain
    // high-then-low read would give 0x1_FFFF_FFF0, ahead of anything the counter held.
    let mut regs = Regs::new(RunningCounter {
        value: 0xFFFF_FFE0,
        step: 0x10,
        reads: Vec::new(),
    });
    assert_eq!(regs.read64::<dma::Bytes>(), Ok(0x1_0000_0010));
    assert_eq!(regs.io().reads, ["hi", "lo", "hi", "lo"]);

    let mut still = Regs::new(RunningCounter {
        value: 0x7_0000_0000,
        step: 0,
        reads: Vec::new(),
    });
    assert_eq!(still.read64::<dma::Bytes>(), Ok(0x7_0000_0000));
    assert_eq!(
        still.io().reads,
        ["hi", "lo", "hi"],
        "no carry, no fourth read"
    );
}
