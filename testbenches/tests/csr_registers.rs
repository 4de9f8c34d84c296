//! The CSR block through the real driver: every register, every access kind, locks,
//! bus errors, and the same-cycle rule of W1C fields.

use cdm_driver::io::{BusErrorKind, RegisterIo};
use cdm_driver::regs::{global, intr, window};
use cdm_driver::{Error, Register, RegisterVisitor, Regs};
use cdm_regmap::device_map;
use cdm_sim::bus::axil::{AxiLiteMaster, Op, Resp, Timing};
use cdm_sim::model::csr::RegModel;
use cdm_sim::{Dut, Rng};
use cdm_testbenches::{csr_block, on_each_backend, Backend, SimRegs};

fn driver(backend: Backend) -> SimRegs {
    cdm_testbenches::driver::<cdm_hdl::csr::CsrBlock>(backend, Timing::RANDOM, Rng::from_env("csr"))
}

/// Checks every register the driver knows against the map, and its reset value in hardware.
struct AgreeWithHardware<'a, IO: RegisterIo> {
    regs: &'a mut Regs<IO>,
    model: RegModel,
    seen: usize,
}

impl<IO: RegisterIo> RegisterVisitor for AgreeWithHardware<'_, IO> {
    fn visit<R: Register>(&mut self) {
        let map = device_map();
        for index in 0..R::COUNT {
            let addr = R::address(index).unwrap();
            let inst = map
                .at(addr.get() as u32)
                .unwrap_or_else(|| panic!("{} at {addr} is not in the map", R::NAME));
            assert_eq!(
                format!("{}.{}", inst.block.name, inst.register.name),
                R::NAME
            );
            assert_eq!(R::RESET, inst.register.reset(), "{}", R::NAME);
            assert_eq!(R::READ_MASK, inst.register.read_mask(), "{}", R::NAME);
            assert_eq!(
                R::SIDE_EFFECT_MASK,
                inst.register.side_effect_mask(),
                "{}",
                R::NAME
            );
            assert_eq!(R::FIELDS.len(), inst.register.fields.len(), "{}", R::NAME);
            let hw = self.regs.io_mut().read32(addr).unwrap();
            assert_eq!(
                Some(hw),
                self.model.read(addr.get() as u32),
                "{}[{index}] after reset",
                R::NAME
            );
            self.seen += 1;
        }
    }
}

fn driver_view_and_hardware_agree_on_every_register_after_reset(backend: Backend) {
    let mut regs = driver(backend);
    let mut check = AgreeWithHardware {
        regs: &mut regs,
        model: RegModel::new(&device_map()),
        seen: 0,
    };
    cdm_driver::regs::visit(&mut check);
    assert_eq!(check.seen, device_map().instances().len());
}

fn identification_reads_the_map_constants(backend: Backend) {
    let mut regs = driver(backend);
    let id = regs.read::<global::Id>().unwrap();
    assert_eq!(id.vendor(), cdm_regmap::VENDOR_ID);
    assert_eq!(id.device(), cdm_regmap::DEVICE_ID);
    let v = regs.read::<global::Version>().unwrap();
    assert_eq!((v.major(), v.minor(), v.patch()), cdm_regmap::VERSION);
}

fn rw_registers_round_trip(backend: Backend) {
    let mut regs = driver(backend);
    for value in [0xffff_ffff, 0, 0xa5a5_5a5a, 0x1234_5678] {
        regs.write::<global::Scratch>(global::ScratchValue::from_bits(value))
            .unwrap();
        assert_eq!(regs.read::<global::Scratch>().unwrap().value(), value);
    }
    for w in 0..window::COUNT {
        regs.write_at::<window::BaseLo>(w, (0x1000 * w as u32 + 7).into())
            .unwrap();
        regs.write_with_at::<window::Ctrl>(w, |v| v.with_enable(true).with_write(w % 2 == 0))
            .unwrap();
    }
    for w in 0..window::COUNT {
        assert_eq!(
            regs.read_at::<window::BaseLo>(w).unwrap().addr(),
            0x1000 * w as u32 + 7
        );
        let ctrl = regs.read_at::<window::Ctrl>(w).unwrap();
        assert!(ctrl.enable() && !ctrl.read());
        assert_eq!(ctrl.write(), w % 2 == 0);
    }
    assert!(matches!(
        regs.read_at::<window::Ctrl>(window::COUNT),
        Err(Error::NoSuchInstance { .. })
    ));
}

fn ro_registers_ignore_writes(backend: Backend) {
    let mut regs = driver(backend);
    for addr in [
        global::Id::ADDR,
        global::Version::ADDR,
        global::CapDma::ADDR,
        global::Status::ADDR,
    ] {
        let before = regs.io_mut().read_any(addr).unwrap();
        regs.io_mut().write_any(addr, !before).unwrap();
        assert_eq!(regs.io_mut().read_any(addr).unwrap(), before, "{addr:#x}");
    }
}

fn unmapped_and_misaligned_accesses_answer_slverr(backend: Backend) {
    let mut regs = driver(backend);
    for addr in [
        0x800,
        0xffc,
        0x038,
        global::Scratch::ADDR + 1,
        global::Scratch::ADDR + 2,
        0x13,
    ] {
        let e = regs.io_mut().read_any(addr).unwrap_err();
        assert_eq!((e.kind, e.offset), (BusErrorKind::SlvErr, addr));
        let e = regs.io_mut().write_any(addr, 0xffff_ffff).unwrap_err();
        assert_eq!(e.kind, BusErrorKind::SlvErr);
    }
    // A misaligned write must not reach the register it overlaps.
    assert_eq!(regs.read::<global::Scratch>().unwrap().value(), 0);
}

fn byte_strobes_select_the_bytes_written(backend: Backend) {
    let mut regs = driver(backend);
    regs.write::<global::Scratch>(0x1122_3344.into()).unwrap();
    let bridge = regs.io_mut();
    for (strb, expect) in [
        (0b0001u8, 0x1122_33aa),
        (0b0100, 0x11aa_33aa),
        (0b1010, 0xaaaa_aaaa),
    ] {
        let done = bridge.access(Op::Write {
            addr: global::Scratch::ADDR as u64,
            data: 0xaaaa_aaaa,
            strb,
        });
        assert_eq!(done.resp, Resp::Okay);
        assert_eq!(
            bridge.read_any(global::Scratch::ADDR).unwrap(),
            expect,
            "strobe {strb:#06b}"
        );
    }
}

/// Drives a W1C set input for one cycle.
fn pulse_set(
    regs: &mut Regs<cdm_sim::bus::bridge::CsrBridge<Box<dyn Dut>>>,
    port: &str,
    bits: u64,
) {
    let dut = regs.io_mut().dut();
    let p = dut.port(port).unwrap();
    dut.set(p, bits);
    regs.io_mut().idle(1);
    let dut = regs.io_mut().dut();
    dut.set(p, 0);
}

fn w1c_bits_are_set_by_hardware_and_cleared_by_writing_one(backend: Backend) {
    let mut regs = driver(backend);
    pulse_set(&mut regs, "intr_status_dma_set", 0b1011_0101);
    pulse_set(&mut regs, "intr_status_coherent_set", 1);
    let s = regs.read::<intr::Status>().unwrap();
    assert_eq!((s.dma(), s.coherent()), (0b1011_0101, true));
    // Writing 0 changes nothing; writing 1 clears exactly those bits.
    regs.write::<intr::Status>(intr::StatusValue::ZERO).unwrap();
    regs.write_with::<intr::Status>(|v| v.with_dma(0b0000_0101))
        .unwrap();
    let s = regs.read::<intr::Status>().unwrap();
    assert_eq!((s.dma(), s.coherent()), (0b1011_0000, true));
    // modify() of another field must not clear pending bits it read as 1.
    regs.modify::<intr::Status>(|v| v.with_coherent(true))
        .unwrap();
    let s = regs.read::<intr::Status>().unwrap();
    assert_eq!((s.dma(), s.coherent()), (0b1011_0000, false));
}

/// INTR.TEST is a pulse into STATUS: it reads 0 even on the CSR block alone, where
/// nothing clears it, as the SVD's write-only says.
fn intr_test_is_a_pulse_that_reads_zero(backend: Backend) {
    let mut regs = driver(backend);
    regs.write_with::<intr::Test>(|v| v.with_dma(0b11).with_coherent(true))
        .unwrap();
    // Write-only in the driver (no `read::<intr::Test>`): read the bus word.
    assert_eq!(regs.io_mut().read_any(intr::Test::ADDR).unwrap(), 0);
}

fn w1p_gives_a_one_cycle_pulse_and_reads_zero(backend: Backend) {
    let regs = driver(backend);
    let mut bridge = regs.into_inner();
    let port = bridge.dut().port("global_ctrl_soft_reset").unwrap();
    let enable = bridge.dut().port("global_ctrl_enable").unwrap();
    let mut highs = Vec::new();
    let write = |bridge: &mut cdm_sim::bus::bridge::CsrBridge<Box<dyn Dut>>, value| {
        bridge.master().push(Op::Write {
            addr: global::Ctrl::ADDR as u64,
            data: value,
            strb: 0xf,
        });
        let mut count = 0;
        for _ in 0..40 {
            bridge.tick();
            count += bridge.dut().get(port);
        }
        assert!(bridge.master().pop().is_some());
        count
    };
    highs.push(write(&mut bridge, 0b11));
    highs.push(write(&mut bridge, 0b01));
    highs.push(write(&mut bridge, 0b11));
    assert_eq!(highs, [1, 0, 1]);
    assert_eq!(
        bridge.dut().get(enable),
        1,
        "SOFT_RESET must not disturb ENABLE"
    );
    assert_eq!(bridge.read_any(global::Ctrl::ADDR).unwrap(), 0b01);
}

fn hardware_set_wins_over_software_clear_in_the_same_cycle(backend: Backend) {
    // Sweep a one-cycle hardware set around the write that clears the same bit. The
    // commit cycle is observed (BVALID rises in the next cycle), not assumed.
    let mut results = Vec::new();
    for offset in 0..5u64 {
        let mut dut = csr_block(backend);
        let set = dut.port("intr_status_coherent_set").unwrap();
        let status = dut.port("intr_status_coherent").unwrap();
        let bvalid = dut.port("axil$bvalid").unwrap();
        let mut master = AxiLiteMaster::new(&*dut, "axil$", Timing::EAGER, Rng::new(1)).unwrap();
        dut.set(set, 1);
        dut.step();
        dut.set(set, 0);
        assert_eq!(dut.get(status), 1);
        master.push(Op::Write {
            addr: intr::Status::ADDR as u64,
            data: 1 << 8,
            strb: 0xf,
        });
        let start = dut.cycle();
        let mut commit = None;
        for _ in 0..10 {
            dut.set(set, (dut.cycle() == start + offset) as u64);
            master.tick(&mut dut);
            if commit.is_none() && dut.get(bvalid) == 1 {
                commit = Some(dut.cycle() - 1);
            }
            dut.step();
        }
        assert!(master.pop().is_some_and(|c| c.resp == Resp::Okay));
        let commit = commit.expect("the write completed");
        results.push((start + offset, commit, dut.get(status)));
    }
    for &(set_cycle, commit, bit) in &results {
        let expect = if set_cycle >= commit { 1 } else { 0 };
        assert_eq!(
            bit, expect,
            "set in cycle {set_cycle}, software clear in cycle {commit}: {results:?}"
        );
    }
    assert!(
        results.iter().any(|&(s, c, _)| s == c),
        "the sweep must hit the commit cycle: {results:?}"
    );
    assert!(
        results.iter().any(|&(s, c, _)| s < c),
        "the sweep must start before the commit: {results:?}"
    );
}

fn window_lock_freezes_windows_until_reset(backend: Backend) {
    let mut regs = driver(backend);
    regs.write_at::<window::LimitHi>(1, 0xdead.into()).unwrap();
    regs.write_with_at::<window::Ctrl>(1, |v| v.with_enable(true))
        .unwrap();
    regs.write_with::<global::WindowLock>(|v| v.with_lock(true))
        .unwrap();
    // Locked: writes answer OKAY and change nothing.
    regs.write_at::<window::LimitHi>(1, 0xbeef.into()).unwrap();
    regs.write_at::<window::Ctrl>(1, window::CtrlValue::ZERO)
        .unwrap();
    assert_eq!(regs.read_at::<window::LimitHi>(1).unwrap().addr(), 0xdead);
    assert!(regs.read_at::<window::Ctrl>(1).unwrap().enable());
    // The lock cannot be undone by software.
    regs.write::<global::WindowLock>(global::WindowLockValue::ZERO)
        .unwrap();
    assert!(regs.read::<global::WindowLock>().unwrap().lock());
    // Other registers are not affected by the lock.
    regs.write::<global::Scratch>(5.into()).unwrap();
    assert_eq!(regs.read::<global::Scratch>().unwrap().value(), 5);
    // Reset unlocks and restores the reset values.
    cdm_testbenches::reset(regs.io_mut().dut());
    assert!(!regs.read::<global::WindowLock>().unwrap().lock());
    regs.write_at::<window::LimitHi>(1, 0xbeef.into()).unwrap();
    assert_eq!(regs.read_at::<window::LimitHi>(1).unwrap().addr(), 0xbeef);
}

on_each_backend!(
    driver_view_and_hardware_agree_on_every_register_after_reset,
    identification_reads_the_map_constants,
    rw_registers_round_trip,
    ro_registers_ignore_writes,
    unmapped_and_misaligned_accesses_answer_slverr,
    byte_strobes_select_the_bytes_written,
    w1c_bits_are_set_by_hardware_and_cleared_by_writing_one,
    intr_test_is_a_pulse_that_reads_zero,
    w1p_gives_a_one_cycle_pulse_and_reads_zero,
    hardware_set_wins_over_software_clear_in_the_same_cycle,
    window_lock_freezes_windows_until_reset,
);

/// The native backend's probe sees inside the design (here, a CSR field's output)
/// without going through the ports.
#[test]
fn native_probe_reads_the_design() {
    use cdm_hdl::csr::CsrBlock;
    use cdm_sim::Native;
    let mut native = Native::<CsrBlock>::new();
    cdm_testbenches::reset(&mut native);
    let mut bridge =
        cdm_sim::bus::bridge::CsrBridge::new(native, "axil$", Timing::EAGER, Rng::new(3)).unwrap();
    bridge.write_any(global::Scratch::ADDR, 0x5eed).unwrap();
    assert_eq!(
        bridge.dut().top().global_scratch_value.val().to_u64(),
        0x5eed
    );
}
