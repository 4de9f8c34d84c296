//! The decoders of what the device writes: a passed descriptor's status
//! (`TxStatus::completed`), a halt record (`Channel::halt`), error codes, migration
//! entries and register values; and the descriptor encoder (`Channel::prep`), read
//! back as the device reads it.

#![no_main]

use arbitrary::Arbitrary;
use cdm_driver::cdm::{MigratePfn, HUGE, PAGE};
use cdm_driver::descriptor::{self, ErrorCode};
use cdm_driver::dma::{Channel, DmaError, DmaMemory, Flags, Halt, Transfer, TxStatus};
use cdm_driver::fake::{self, Engine};
use cdm_driver::regs::{self, dma};
use cdm_driver::{Register, RegisterVisitor};
use libfuzzer_sys::fuzz_target;

const CH: usize = 2;

#[derive(Arbitrary, Debug)]
struct Input {
    descriptor: [u8; descriptor::SIZE],
    /// DMA STATUS, ERR_INDEX, ERR_ADDR_LO, ERR_ADDR_HI.
    halt: [u32; 4],
    ring: u64,
    log2: u8,
    fill: bool,
    src: u64,
    dst: u64,
    len: u32,
    irq: bool,
    fence: bool,
    entry: u64,
    flags: u64,
    register: u32,
}

fn word(d: &[u8; descriptor::SIZE], at: usize) -> u32 {
    u32::from_le_bytes(d[at..at + 4].try_into().unwrap())
}

fn status(d: &[u8; descriptor::SIZE]) {
    let s = word(d, descriptor::OFFSET_STATUS);
    let code = (s & descriptor::STATUS_ERROR_MASK) >> descriptor::STATUS_ERROR_SHIFT;
    let len = word(d, descriptor::OFFSET_LEN);
    let moved = word(d, descriptor::OFFSET_BYTES);
    let expected = if code == 0 && s & descriptor::STATUS_DONE != 0 {
        Ok(TxStatus::Complete)
    } else {
        match ErrorCode::from_bits(code) {
            Some(code) => Ok(TxStatus::Error {
                code,
                residue: len.saturating_sub(moved),
            }),
            None => Err(code),
        }
    };
    assert_eq!(TxStatus::completed(d), expected);
}

fn error_code(bits: u32) {
    match ErrorCode::from_bits(bits) {
        Some(code) => {
            assert_eq!(code as u32, bits);
            assert!(!code.doc().is_empty());
        }
        None => assert!(bits > ErrorCode::Aborted as u32),
    }
}

/// A halt record in the registers, the failed descriptor's LEN in the ring.
fn halt(input: &Input) {
    let mut e = Engine::new(CH);
    let ring = input.ring & !0x1F;
    let log2 = u32::from(input.log2 % 16);
    let fits = ring.checked_add((32 << log2) - 1).is_some();
    let mut ch = match Channel::open(&mut e, CH, ring, log2) {
        Ok(ch) => ch,
        Err(err) => {
            assert_eq!((err, fits), (DmaError::AddressOverflow, false), "{ring:#x}");
            return;
        }
    };
    assert!(fits, "{ring:#x} 2^{log2}");
    let [status, index, lo, hi] = input.halt;
    *e.reg::<dma::Status>() = status;
    *e.reg::<dma::ErrIndex>() = index;
    *e.reg::<dma::ErrAddrLo>() = lo;
    *e.reg::<dma::ErrAddrHi>() = hi;
    let cookie = dma::ErrIndexValue::from(index).index() as u16;
    let slot = ring + (u64::from(cookie) & ((1 << log2) - 1)) * 32;
    let len = input.descriptor[..4].to_vec();
    DmaMemory::write(&mut e, slot + descriptor::OFFSET_LEN as u64, &len);
    let s = dma::StatusValue::from(status);
    let expected = if !s.halted() {
        Ok(None)
    } else {
        match ErrorCode::from_bits(s.error()) {
            Some(code) => Ok(Some(Halt {
                code,
                cookie: cdm_driver::dma::Cookie(cookie),
                addr: u64::from(hi) << 32 | u64::from(lo),
                residue: u32::from_le_bytes(len.try_into().unwrap()),
            })),
            None => Err(DmaError::UnknownError(s.error())),
        }
    };
    assert_eq!(ch.halt(&mut e), expected);
}

/// `prep` writes what the device reads back, or refuses with the reason.
fn encode(input: &Input) {
    let mut e = Engine::new(CH);
    e.stall = true;
    let ring = 0x1000;
    let mut ch = Channel::open(&mut e, CH, ring, 2).unwrap();
    let t = if input.fill {
        Transfer::Fill {
            pattern: input.src,
            dst: input.dst,
            len: input.len,
        }
    } else {
        Transfer::Copy {
            src: input.src,
            dst: input.dst,
            len: input.len,
        }
    };
    let flags = Flags {
        irq: input.irq,
        fence: input.fence,
    };
    let last = u64::from(input.len.max(1) - 1);
    let wraps = input.dst.checked_add(last).is_none()
        || (!input.fill && input.src.checked_add(last).is_none());
    let r = ch.prep(&mut e, t, flags);
    if input.len == 0 || input.len > descriptor::MAX_LEN {
        assert_eq!(r, Err(DmaError::InvalidLength(input.len)));
        return;
    }
    if wraps {
        assert_eq!(r, Err(DmaError::AddressOverflow));
        return;
    }
    assert_eq!(r, Ok(cdm_driver::dma::Cookie(0)));
    let mut d = [0u8; descriptor::SIZE];
    DmaMemory::read(&mut e, ring, &mut d);
    let op = if input.fill {
        descriptor::OPCODE_FILL
    } else {
        descriptor::OPCODE_COPY
    };
    let mut ctrl = op;
    if input.irq {
        ctrl |= descriptor::CTRL_IRQ;
    }
    if input.fence {
        ctrl |= descriptor::CTRL_FENCE;
    }
    assert_eq!(fake::parse(&d), (input.src, input.dst, input.len, ctrl));
    assert_eq!(
        TxStatus::completed(&d),
        Ok(TxStatus::Error {
            code: ErrorCode::None,
            residue: input.len
        }),
        "a fresh descriptor has no status"
    );
}

fn entry(addr: u64, flags: u64) {
    let e = MigratePfn::new(addr, flags);
    assert_eq!(e.addr(), addr & !(PAGE - 1));
    assert_eq!(e.flags(), flags & (PAGE - 1));
    assert_eq!(e.valid(), flags & MigratePfn::VALID != 0);
    assert_eq!(e.migrate(), flags & MigratePfn::MIGRATE != 0);
    assert_eq!(e.write(), flags & MigratePfn::WRITE != 0);
    assert_eq!(e.compound(), flags & MigratePfn::COMPOUND != 0);
    assert_eq!(e.size(), if e.compound() { HUGE } else { PAGE });
}

/// Every register's value type and field metadata on one value.
struct Fields(u32);

impl RegisterVisitor for Fields {
    fn visit<R: Register>(&mut self) {
        let bits = self.0;
        assert_eq!(R::Value::from(bits).into(), bits, "{}", R::NAME);
        let mut seen = 0;
        for f in R::FIELDS {
            assert_eq!(f.extract(bits), (bits & f.mask()) >> f.lsb, "{}", f.name);
            assert_eq!(f.mask() >> f.lsb, f.value_mask());
            assert_eq!(seen & f.mask(), 0, "{}.{} overlaps", R::NAME, f.name);
            seen |= f.mask();
        }
        assert_eq!(R::READ_MASK & !seen, 0, "{}", R::NAME);
    }
}

fuzz_target!(|input: Input| {
    status(&input.descriptor);
    error_code(input.register);
    error_code(input.halt[0] >> 4);
    halt(&input);
    encode(&input);
    entry(input.entry, input.flags);
    regs::visit(&mut Fields(input.register));
});
