//! The driver's DMA layer on the device top: a scatter-gather list of copies and fills
//! against the reference model, completion by interrupt, a window error resumed by
//! retry after the window is fixed, and `terminate_all` with transfers in flight (the
//! protocol checkers on both memory ports see no transaction left half done).

use cdm_driver::cdm::{self, Region, Window, WindowAccess};
use cdm_driver::descriptor::ErrorCode;
use cdm_driver::dma::{Channel, DmaError, Flags, Resume, Transfer, TxStatus};
use cdm_regmap::descriptor::Descriptor;
use cdm_sim::bus::axi4_memory::{MemoryTiming, SparseMemory};
use cdm_sim::host::device::{apply, DmaDevice};
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{dma, on_each_backend, Backend};

const RING: u64 = 0x6000_0000;
const POLLS: u32 = 100_000;

fn device(backend: Backend, name: &str) -> (DmaDevice, Rng) {
    let mut rng = Rng::from_env(name);
    let dev = dma::device(backend, MemoryTiming::random(20), &mut rng);
    (dev, rng)
}

fn descriptor(t: Transfer) -> Descriptor {
    match t {
        Transfer::Copy { src, dst, len } => Descriptor::copy(src, dst, len),
        Transfer::Fill { pattern, dst, len } => Descriptor::fill(pattern, dst, len),
    }
}

fn sg_list_matches_the_reference(backend: Backend) {
    let (mut dev, mut rng) = device(backend, "sg_list_matches_the_reference");
    let before: Vec<u8> = (0..0x4000).map(|_| rng.next_u64() as u8).collect();
    dev.mem().write(0x10_0000, &before);
    let mut reference = dev.mem().clone();
    let bus = dev.regs.io_mut();
    let mut ch = Channel::open(bus, 2, RING, 3).unwrap();
    let mut cookies = Vec::new();
    for k in 0..20u64 {
        let len = 1 + rng.below(700) as u32;
        let dst = 0x20_0000 + k * 0x400 + rng.below(64);
        let t = if rng.chance(30) {
            Transfer::Fill {
                pattern: rng.next_u64(),
                dst,
                len,
            }
        } else {
            Transfer::Copy {
                src: 0x10_0000 + rng.below(0x3000),
                dst,
                len,
            }
        };
        let snapshot: SparseMemory = reference.clone();
        apply(&mut reference, &snapshot, &descriptor(t));
        let c = loop {
            match ch.prep(bus, t, Flags::default()) {
                Ok(c) => break c,
                Err(DmaError::RingFull) => {
                    ch.issue_pending(bus).unwrap();
                    ch.wait_for_room(bus, 4, POLLS).unwrap();
                }
                Err(e) => panic!("{e}"),
            }
        };
        cookies.push(c);
    }
    ch.issue_pending(bus).unwrap();
    ch.wait(bus, POLLS).unwrap();
    assert_eq!(
        ch.tx_status(bus, *cookies.last().unwrap()).unwrap(),
        TxStatus::Complete
    );
    assert_eq!(
        ch.tx_status(bus, cookies[0]).unwrap_err(),
        DmaError::Expired(cookies[0]),
        "a ring of 8 has reused the first slot"
    );
    let got = dev.mem().read_vec(0x20_0000, 0x5400);
    assert_eq!(got, reference.read_vec(0x20_0000, 0x5400));
}

fn completion_by_interrupt(backend: Backend) {
    let (mut dev, _) = device(backend, "completion_by_interrupt");
    let irq = dev.regs.io_mut().dut().port("irq").unwrap();
    let bus = dev.regs.io_mut();
    let mut ch = Channel::open(bus, 1, RING, 4).unwrap();
    ch.enable_interrupt(bus, 2, 0).unwrap();
    let t = Transfer::Fill {
        pattern: 0x55,
        dst: 0x3000,
        len: 256,
    };
    let irq_on = Flags {
        irq: true,
        fence: false,
    };
    ch.prep(bus, t, irq_on).unwrap();
    ch.issue_pending(bus).unwrap();
    bus.idle(2_000);
    assert_eq!(bus.dut().get(irq), 0, "one completion of two coalesced");
    assert!(!ch.take_interrupt(bus).unwrap());
    ch.prep(bus, t, irq_on).unwrap();
    ch.issue_pending(bus).unwrap();
    let mut waited = 0;
    while bus.dut().get(irq) == 0 {
        bus.idle(1);
        waited += 1;
        assert!(waited < 10_000, "no interrupt");
    }
    assert!(ch.take_interrupt(bus).unwrap());
    assert_eq!(ch.poll(bus).unwrap(), 0);
    bus.idle(4);
    assert_eq!(bus.dut().get(irq), 0, "acknowledged");
}

fn window_error_resumed_by_retry(backend: Backend) {
    let (mut dev, _) = device(backend, "window_error_resumed_by_retry");
    dev.window(
        0,
        Window {
            base: 0,
            limit: 0xFFFF_FFFF,
            access: WindowAccess::ReadWrite,
        },
    );
    dev.mem().write(0x1000, &[7; 64]);
    let bus = dev.regs.io_mut();
    let mut ch = Channel::open(bus, 0, RING, 4).unwrap();
    let outside = 0x2_0000_0000;
    let c = ch
        .prep(
            bus,
            Transfer::Copy {
                src: 0x1000,
                dst: outside,
                len: 64,
            },
            Flags::default(),
        )
        .unwrap();
    ch.issue_pending(bus).unwrap();
    let h = match ch.wait(bus, POLLS) {
        Err(DmaError::Halted(h)) => h,
        other => panic!("expected a halt, got {other:?}"),
    };
    assert_eq!(
        (h.code, h.cookie, h.addr, h.residue),
        (ErrorCode::DestinationWindow, c, outside, 64)
    );
    cdm::allow_dma(
        bus,
        1,
        Region {
            base: outside,
            size: 4096,
        },
    )
    .unwrap();
    ch.resume(bus, Resume::Retry).unwrap();
    ch.wait(bus, POLLS).unwrap();
    assert_eq!(ch.tx_status(bus, c).unwrap(), TxStatus::Complete);
    assert_eq!(dev.mem().read_vec(outside, 64), vec![7; 64]);
}

fn terminate_all_with_transfers_in_flight(backend: Backend) {
    let (mut dev, _) = device(backend, "terminate_all_with_transfers_in_flight");
    let bus = dev.regs.io_mut();
    let mut ch = Channel::open(bus, 3, RING, 4).unwrap();
    for k in 0..8 {
        let t = Transfer::Copy {
            src: 0x10_0000,
            dst: 0x40_0000 + k * 0x1_0000,
            len: 0x1_0000,
        };
        ch.prep(bus, t, Flags::default()).unwrap();
    }
    ch.issue_pending(bus).unwrap();
    bus.idle(300);
    let dropped = ch.terminate_all(bus, POLLS).unwrap();
    assert!(dropped > 0 && dropped <= 8, "dropped {dropped}");
    assert_eq!(ch.outstanding(), 0);
    assert!(ch.halt(bus).unwrap().is_none(), "the channel runs again");
    // The channel takes new work at once.
    let t = Transfer::Fill {
        pattern: 0x0102_0304_0506_0708,
        dst: 0x9000,
        len: 64,
    };
    let c = ch.prep(bus, t, Flags::default()).unwrap();
    ch.issue_pending(bus).unwrap();
    ch.wait(bus, POLLS).unwrap();
    assert_eq!(ch.tx_status(bus, c).unwrap(), TxStatus::Complete);
    assert_eq!(dev.mem().read_vec(0x9000, 2), vec![8, 7]);
}

on_each_backend!(
    sg_list_matches_the_reference,
    completion_by_interrupt,
    window_error_resumed_by_retry,
    terminate_all_with_transfers_in_flight,
);
