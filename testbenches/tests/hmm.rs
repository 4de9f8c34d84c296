//! The kernel's HMM test scenarios (`tools/testing/selftests/mm/hmm-tests.c`) that apply
//! to coherent device memory, each under the kernel test's name with its checks (data,
//! pages migrated, error codes), run by the real driver against the device top through
//! the host mm model; plus DMA failures mid-migration, CPU stores during a migration
//! and a random soak against a golden copy.
//!
//! The scenarios run on Verilator (a 2 MiB page is about 200,000 cycles, a minute and a
//! half natively); `migrate`, `anon_write` and `migrate_multiple` also run natively.
//! `CDM_SEED` reproduces a run; `CDM_HMM_OPS` sets the soak's length.

use cdm_driver::cdm::{CdmError, HUGE, PAGE};
use cdm_sim::bus::axi4_memory::{Direction, Fault, Trigger};
use cdm_sim::coherent::protocol::LINE;
use cdm_sim::host::cpu::CpuOp;
use cdm_sim::host::mm::Prot;
use cdm_sim::host::{Host, PageState, Present};
use cdm_sim::Rng;
use cdm_testbenches::hmm::{host, pattern};
use cdm_testbenches::{on_verilator, Backend};

const NPAGES: u64 = 16;
const SIZE: u64 = NPAGES * PAGE;

fn setup(backend: Backend, name: &str) -> (Host, Rng) {
    let mut rng = Rng::from_env(name);
    let h = host(backend, &mut rng);
    (h, rng)
}

/// A read-write range of `size` bytes filled by the CPU with a random pattern.
fn filled(h: &mut Host, rng: &mut Rng, size: u64, huge: bool) -> (u64, Vec<u8>) {
    let va = h.mmap(size, Prot::ReadWrite, huge);
    let data = pattern(rng, size as usize);
    h.cpu_write(va, &data).unwrap();
    (va, data)
}

fn states(h: &Host, dev: usize, va: u64, size: u64) -> Vec<Present> {
    h.snapshot(dev, va, size)
        .iter()
        .map(|s| s.present)
        .collect()
}

fn all(present: Present, size: u64) -> Vec<Present> {
    vec![present; (size / PAGE) as usize]
}

// ---- the kernel scenarios ------------------------------------------------------------

fn anon_read(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "anon_read");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    assert_eq!(h.device_read(0, va, SIZE).unwrap(), data);
    assert_eq!(states(&h, 0, va, SIZE), all(Present::System, SIZE));
}

fn anon_read_prot(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "anon_read_prot");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    h.mprotect(va, SIZE, Prot::None);
    let e = h.device_read(0, va, SIZE).unwrap_err();
    assert_eq!((e, e.errno()), (CdmError::Fault, -14));
    h.mprotect(va, SIZE, Prot::Read);
    assert_eq!(h.device_read(0, va, SIZE).unwrap(), data);
}

fn anon_write(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "anon_write");
    let va = h.mmap(SIZE, Prot::ReadWrite, false);
    let data = pattern(&mut rng, SIZE as usize);
    h.device_write(0, va, &data).unwrap();
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

fn anon_write_prot(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "anon_write_prot");
    let va = h.mmap(SIZE, Prot::Read, false);
    // A read faults in the zero page.
    assert_eq!(h.device_read(0, va, SIZE).unwrap(), vec![0; SIZE as usize]);
    assert_eq!(states(&h, 0, va, SIZE), all(Present::Zero, SIZE));
    let data = pattern(&mut rng, SIZE as usize);
    let e = h.device_write(0, va, &data).unwrap_err();
    assert_eq!((e, e.errno()), (CdmError::Permission, -1));
    h.mprotect(va, SIZE, Prot::ReadWrite);
    h.device_write(0, va, &data).unwrap();
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

fn migrate(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    let m = h.migrate_to_device(0, va, SIZE).unwrap();
    assert_eq!(m.cpages, NPAGES as usize);
    assert_eq!(m.copy.migrated, NPAGES as usize);
    assert_eq!(states(&h, 0, va, SIZE), all(Present::Local, SIZE));
    // The CPU reads device memory in place, through its cache and the coherent port.
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
    assert_eq!(h.device_read(1, va, SIZE).unwrap(), data);
}

fn migrate_fault(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_fault");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    assert_eq!(
        h.migrate_to_device(0, va, SIZE).unwrap().cpages,
        NPAGES as usize
    );
    // Coherent memory: the CPU reads half the range in place, no fault moves it back.
    let half = SIZE as usize / 2;
    assert_eq!(h.cpu_read(va, half).unwrap(), data[..half]);
    assert_eq!(states(&h, 0, va, SIZE), all(Present::Local, SIZE));
    let m = h.migrate_to_device(0, va, SIZE).unwrap();
    assert_eq!(m.cpages, NPAGES as usize);
    assert_eq!(m.copy.migrated, 0, "pages already on the device stay");
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

fn migrate_release(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_release");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    let free = h.devices[0].pages.free_pages();
    assert_eq!(
        h.migrate_to_device(0, va, SIZE).unwrap().cpages,
        NPAGES as usize
    );
    assert_eq!(h.evict(0).unwrap(), NPAGES as usize);
    assert_eq!(states(&h, 0, va, SIZE), all(Present::System, SIZE));
    assert_eq!(h.devices[0].pages.free_pages(), free);
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

fn migrate_mixed(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_mixed");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    // A protected range and a range running into a hole are rejected.
    let none = h.mmap(SIZE, Prot::None, false);
    let e = h.migrate_to_device(0, none, SIZE).unwrap_err();
    assert_eq!((e, e.errno()), (CdmError::Invalid, -22));
    assert_eq!(
        h.migrate_to_device(0, va, SIZE + PAGE).unwrap_err(),
        CdmError::Invalid
    );
    assert_eq!(states(&h, 0, va, SIZE), all(Present::System, SIZE));
    // Pages the other device owns are not taken.
    let half = SIZE / 2;
    assert_eq!(
        h.migrate_to_device(1, va, half).unwrap().cpages,
        NPAGES as usize / 2
    );
    let m = h.migrate_to_device(0, va, SIZE).unwrap();
    assert_eq!(m.cpages, NPAGES as usize / 2);
    let mut want = all(Present::Remote, half);
    want.extend(all(Present::Local, half));
    assert_eq!(states(&h, 0, va, SIZE), want);
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

fn migrate_multiple(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_multiple");
    let (va, mut data) = filled(&mut h, &mut rng, SIZE, false);
    let rounds = if backend == Backend::Native { 2 } else { 10 };
    for round in 0..rounds {
        assert_eq!(
            h.migrate_to_device(0, va, SIZE).unwrap().cpages,
            NPAGES as usize
        );
        assert_eq!(
            h.cpu_read(va, SIZE as usize).unwrap(),
            data,
            "round {round}"
        );
        // The CPU writes in place, then the range comes back.
        let at = rng.below(SIZE - 64) as usize;
        let bytes = pattern(&mut rng, 64);
        h.cpu_write(va + at as u64, &bytes).unwrap();
        data[at..at + 64].copy_from_slice(&bytes);
        assert_eq!(
            h.migrate_to_system(0, va, SIZE).unwrap().cpages,
            NPAGES as usize
        );
        assert_eq!(states(&h, 0, va, SIZE), all(Present::System, SIZE));
        assert_eq!(
            h.cpu_read(va, SIZE as usize).unwrap(),
            data,
            "round {round}"
        );
    }
}

fn anon_read_multiple(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "anon_read_multiple");
    let va = h.mmap(SIZE, Prot::ReadWrite, false);
    for round in 0..4 {
        let data = pattern(&mut rng, SIZE as usize);
        h.cpu_write(va, &data).unwrap();
        assert_eq!(h.device_read(0, va, SIZE).unwrap(), data, "round {round}");
    }
}

fn snapshot(backend: Backend) {
    let (mut h, _) = setup(backend, "snapshot");
    let va = h.mmap(7 * PAGE, Prot::ReadWrite, false);
    let p = |i: u64| va + i * PAGE;
    // 0: not present; 1: zero page; 2: read-only; 3: writable; 4 and 5 on device 0, 6
    // on device 1.
    h.cpu_read(p(1), 1).unwrap();
    h.cpu_write(p(2), &[2]).unwrap();
    h.cpu_write(p(3), &[3]).unwrap();
    h.cpu_write(p(4), &[4]).unwrap();
    h.cpu_write(p(5), &[5]).unwrap();
    h.cpu_write(p(6), &[6]).unwrap();
    h.mprotect(p(2), PAGE, Prot::Read);
    h.migrate_to_device(0, p(4), 2 * PAGE).unwrap();
    h.migrate_to_device(1, p(6), PAGE).unwrap();
    h.mprotect(p(5), PAGE, Prot::Read);
    let state = |present, write| PageState {
        present,
        write,
        huge: false,
    };
    assert_eq!(
        h.snapshot(0, va, 7 * PAGE),
        vec![
            state(Present::None, false),
            state(Present::Zero, false),
            state(Present::System, false),
            state(Present::System, true),
            state(Present::Local, true),
            state(Present::Local, false),
            state(Present::Remote, true),
        ]
    );
    assert_eq!(h.snapshot(1, p(6), PAGE)[0].present, Present::Local);
}

fn double_map(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "double_map");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    h.mprotect(va, SIZE, Prot::Read);
    assert_eq!(h.device_read(0, va, SIZE).unwrap(), data);
    assert_eq!(h.device_read(1, va, SIZE).unwrap(), data);
    assert_eq!(
        h.migrate_to_device(0, va, SIZE).unwrap().cpages,
        NPAGES as usize
    );
    // Device 1 still reads correct data, now from device 0's memory.
    assert_eq!(h.device_read(1, va, SIZE).unwrap(), data);
    assert_eq!(states(&h, 1, va, SIZE), all(Present::Remote, SIZE));
}

fn hmm_gup_test(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "hmm_gup_test");
    let (va, data) = filled(&mut h, &mut rng, 4 * PAGE, false);
    h.migrate_to_device(0, va, 4 * PAGE).unwrap();
    // A short pin leaves the page on the device; a long-term one moves it first.
    let short = h.pin(va, false).unwrap();
    let long = h.pin(va + PAGE, true).unwrap();
    let s = states(&h, 0, va, 4 * PAGE);
    assert_eq!(
        s,
        vec![
            Present::Local,
            Present::System,
            Present::Local,
            Present::Local
        ]
    );
    // A pinned page cannot migrate.
    let m = h.migrate_to_system(0, va, 4 * PAGE).unwrap();
    assert_eq!(m.copy.migrated, 2);
    assert_eq!(states(&h, 0, va, PAGE), vec![Present::Local]);
    h.unpin(short).unwrap();
    h.unpin(long).unwrap();
    assert_eq!(h.unpin(long).unwrap_err(), CdmError::Invalid);
    assert_eq!(h.migrate_to_system(0, va, PAGE).unwrap().cpages, 1);
    assert_eq!(h.cpu_read(va, 4 * PAGE as usize).unwrap(), data);
}

fn migrate_anon_huge_empty(backend: Backend) {
    let (mut h, _) = setup(backend, "migrate_anon_huge_empty");
    let va = h.mmap(HUGE, Prot::ReadWrite, true);
    let m = h.migrate_to_device(0, va, HUGE).unwrap();
    assert_eq!(m.cpages, 512);
    assert_eq!(m.copy.filled, 512);
    assert!(h.snapshot(0, va, HUGE).iter().all(|s| *s
        == PageState {
            present: Present::Local,
            write: true,
            huge: true
        }));
    assert!(h.devices[0].pages.is_huge(h.mm.pte(va).unwrap().frame));
    assert_eq!(
        h.cpu_read(va, HUGE as usize).unwrap(),
        vec![0; HUGE as usize]
    );
}

fn migrate_anon_huge_zero(backend: Backend) {
    let (mut h, _) = setup(backend, "migrate_anon_huge_zero");
    let va = h.mmap(HUGE, Prot::ReadWrite, true);
    assert_eq!(h.cpu_read(va, 8).unwrap(), vec![0; 8]);
    let s = h.snapshot(0, va, HUGE);
    assert!(s.iter().all(|s| s.present == Present::Zero && s.huge));
    let m = h.migrate_to_device(0, va, HUGE).unwrap();
    assert_eq!((m.cpages, m.copy.filled), (512, 512));
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::Local && s.huge));
    assert_eq!(
        h.cpu_read(va, HUGE as usize).unwrap(),
        vec![0; HUGE as usize]
    );
}

fn migrate_anon_huge_free(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_anon_huge_free");
    let (va, data) = filled(&mut h, &mut rng, HUGE, true);
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::System && s.huge));
    let free = h.devices[0].pages.free_pages();
    assert_eq!(h.migrate_to_device(0, va, HUGE).unwrap().cpages, 512);
    assert_eq!(h.devices[0].pages.free_pages(), free - 512);
    assert_eq!(h.cpu_read(va, 64).unwrap(), data[..64]);
    h.munmap(va, HUGE).unwrap();
    assert_eq!(
        h.devices[0].pages.free_pages(),
        free,
        "the device page is freed"
    );
    assert_eq!(h.cpu_read(va, 1).unwrap_err(), CdmError::Fault);
}

fn migrate_anon_huge_fault(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_anon_huge_fault");
    let (va, mut data) = filled(&mut h, &mut rng, HUGE, true);
    assert_eq!(h.migrate_to_device(0, va, HUGE).unwrap().cpages, 512);
    assert_eq!(h.cpu_read(va, HUGE as usize).unwrap(), data);
    let bytes = pattern(&mut rng, 4096);
    h.cpu_write(va + HUGE / 2, &bytes).unwrap();
    data[HUGE as usize / 2..][..4096].copy_from_slice(&bytes);
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::Local && s.huge));
    assert_eq!(h.migrate_to_system(0, va, HUGE).unwrap().cpages, 512);
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::System && s.huge));
    assert_eq!(h.cpu_read(va, HUGE as usize).unwrap(), data);
}

fn migrate_partial_unmap_fault(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_partial_unmap_fault");
    let free = h.devices[0].pages.free_pages();
    for offset in [0, HUGE / 4, HUGE / 2] {
        let (va, data) = filled(&mut h, &mut rng, HUGE, true);
        assert_eq!(h.migrate_to_device(0, va, HUGE).unwrap().cpages, 512);
        let cut = HUGE / 2;
        h.munmap(va + offset, cut).unwrap();
        for page in 0..HUGE / PAGE {
            let at = va + page * PAGE;
            let got = h.cpu_read(at, PAGE as usize);
            if (offset..offset + cut).contains(&(page * PAGE)) {
                assert_eq!(got.unwrap_err(), CdmError::Fault);
            } else {
                assert_eq!(
                    got.unwrap(),
                    data[(page * PAGE) as usize..][..PAGE as usize]
                );
            }
        }
        h.munmap(va, HUGE).unwrap();
        assert_eq!(h.devices[0].pages.free_pages(), free);
    }
}

fn migrate_anon_huge_err(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "migrate_anon_huge_err");
    let (va, data) = filled(&mut h, &mut rng, HUGE, true);
    h.fail_next_device_alloc(0);
    let m = h.migrate_to_device(0, va, HUGE).unwrap();
    assert_eq!((m.cpages, m.copy.split), (512, 1));
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::Local && !s.huge));
    assert_eq!(h.cpu_read(va, HUGE as usize).unwrap(), data);
}

fn migrate_anon_huge_zero_err(backend: Backend) {
    let (mut h, _) = setup(backend, "migrate_anon_huge_zero_err");
    let va = h.mmap(HUGE, Prot::ReadWrite, true);
    h.cpu_read(va, 1).unwrap();
    h.fail_next_device_alloc(0);
    let m = h.migrate_to_device(0, va, HUGE).unwrap();
    assert_eq!((m.cpages, m.copy.split, m.copy.filled), (512, 1, 512));
    assert!(h
        .snapshot(0, va, HUGE)
        .iter()
        .all(|s| s.present == Present::Local && !s.huge));
    assert_eq!(
        h.cpu_read(va, HUGE as usize).unwrap(),
        vec![0; HUGE as usize]
    );
}

/// The benchmark's round trip at one size, checked: both directions, with and
/// without huge pages (the figures come from `cdm bench migrate`).
fn benchmark_thp_migration(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "benchmark_thp_migration");
    for huge in [false, true] {
        let (va, data) = filled(&mut h, &mut rng, HUGE, huge);
        let to = h.migrate_to_device(0, va, HUGE).unwrap();
        let back = h.migrate_to_system(0, va, HUGE).unwrap();
        assert_eq!((to.cpages, back.cpages), (512, 512));
        assert_eq!(to.copy.descriptors, if huge { 1 } else { 512 });
        assert!(to.cycles >= HUGE / 16 && back.cycles >= HUGE / 16);
        assert_eq!(h.cpu_read(va, HUGE as usize).unwrap(), data);
        h.munmap(va, HUGE).unwrap();
    }
}

// ---- beyond the kernel suite ---------------------------------------------------------

/// A read error on one source page halts the channel mid-migration: that page stays in
/// system memory, every other page moves, nothing is lost, and a retry moves it.
fn dma_failure_mid_migration(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "dma_failure_mid_migration");
    let (va, data) = filled(&mut h, &mut rng, SIZE, false);
    let victim = rng.below(NPAGES);
    let frame = h.mm.pte(va + victim * PAGE).unwrap().frame;
    h.dev.port().memory.faults.push(Fault {
        direction: Direction::Read,
        trigger: Trigger::Range {
            first: frame + 100,
            last: frame + 100,
        },
        resp: 2,
    });
    let m = h.migrate_to_device(0, va, SIZE).unwrap();
    assert_eq!((m.cpages, m.copy.copy_failed), (NPAGES as usize - 1, 1));
    let s = states(&h, 0, va, SIZE);
    for (i, p) in s.iter().enumerate() {
        let want = if i as u64 == victim {
            Present::System
        } else {
            Present::Local
        };
        assert_eq!(*p, want, "page {i}");
    }
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
    h.dev.port().memory.faults.clear();
    assert_eq!(
        h.migrate_to_device(0, va, SIZE).unwrap().cpages,
        NPAGES as usize
    );
    assert_eq!(h.cpu_read(va, SIZE as usize).unwrap(), data);
}

/// A CPU thread loads and stores one device-resident range while another range
/// migrates to the device and back; every load returns the latest store, and both
/// ranges end with the right data.
fn cpu_stores_during_migration(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "cpu_stores_during_migration");
    let (a, mut a_data) = filled(&mut h, &mut rng, SIZE, false);
    let (b, b_data) = filled(&mut h, &mut rng, 4 * SIZE, false);
    h.migrate_to_device(0, a, SIZE).unwrap();
    let mut ops = Vec::new();
    for _ in 0..400 {
        let at = rng.below(SIZE / 8) * 8;
        let frame = h.mm.pte(a + at).unwrap().frame + at % PAGE - h.devmem.base;
        let store = rng.chance(50).then(|| rng.next_u64().to_le_bytes());
        ops.push((
            at,
            CpuOp {
                line: frame / LINE as u64,
                offset: (frame % LINE as u64) as usize,
                store,
            },
        ));
    }
    h.dev.regs.io_mut().peripheral().background.queue = ops.iter().map(|&(_, op)| op).collect();
    h.migrate_to_device(1, b, 4 * SIZE).unwrap();
    h.migrate_to_system(1, b, 4 * SIZE).unwrap();
    let start = h.cycle();
    while !h.dev.regs.io_mut().peripheral().background.queue.is_empty() {
        h.dev.regs.io_mut().idle(100);
        assert!(h.cycle() - start < 1_000_000, "CPU thread stuck");
    }
    let log = std::mem::take(&mut h.dev.regs.io_mut().peripheral().background.log);
    assert_eq!(log.len(), ops.len());
    let during = log.iter().filter(|d| d.cycle < start).count();
    println!(
        "{during} of {} CPU accesses ran during the migrations",
        log.len()
    );
    assert!(during > 0, "the CPU thread ran beside the migrations");
    for (done, &(at, _)) in log.iter().zip(&ops) {
        let at = at as usize;
        match done.op.store {
            Some(bytes) => a_data[at..at + 8].copy_from_slice(&bytes),
            None => assert_eq!(done.loaded, a_data[at..at + 8], "load at {at:#x}"),
        }
    }
    assert_eq!(h.cpu_read(a, SIZE as usize).unwrap(), a_data);
    assert_eq!(h.cpu_read(b, 4 * SIZE as usize).unwrap(), b_data);
}

/// Random migrations (either device, back, eviction), CPU loads and stores and device
/// reads over a small-page range and a huge-page range, against a golden copy.
fn random_soak(backend: Backend) {
    let (mut h, mut rng) = setup(backend, "random_soak");
    let default = if backend == Backend::Native { 10 } else { 150 };
    let ops = cdm_testbenches::soak_length("CDM_HMM_OPS", default);
    let (small, small_data) = filled(&mut h, &mut rng, 64 * PAGE, false);
    let (huge, huge_data) = filled(&mut h, &mut rng, HUGE, true);
    let mut ranges = [(small, small_data), (huge, huge_data)];
    for op in 0..ops {
        let r = rng.below(2) as usize;
        let (va, size) = (ranges[r].0, ranges[r].1.len() as u64);
        let first = rng.below(size / PAGE);
        let pages = 1 + rng.below((size / PAGE - first).min(64));
        let (at, len) = (va + first * PAGE, pages * PAGE);
        let dev = rng.below(2) as usize;
        match rng.below(6) {
            0 => drop(h.migrate_to_device(dev, at, len).unwrap()),
            1 => drop(h.migrate_to_system(dev, at, len).unwrap()),
            2 => {
                let off = rng.below(len - 64);
                let n = 1 + rng.below(64) as usize;
                let bytes = pattern(&mut rng, n);
                h.cpu_write(at + off, &bytes).unwrap();
                let o = (at + off - va) as usize;
                ranges[r].1[o..o + bytes.len()].copy_from_slice(&bytes);
            }
            3 => {
                let got = h.device_read(dev, at, len).unwrap();
                let o = (at - va) as usize;
                assert_eq!(
                    got,
                    ranges[r].1[o..o + len as usize],
                    "op {op}: device read"
                );
            }
            4 if rng.chance(10) => drop(h.evict(dev).unwrap()),
            _ => {
                let got = h.cpu_read(at, len as usize).unwrap();
                let o = (at - va) as usize;
                assert_eq!(got, ranges[r].1[o..o + len as usize], "op {op}: CPU read");
            }
        }
    }
    for (va, data) in &ranges {
        assert_eq!(&h.cpu_read(*va, data.len()).unwrap(), data);
    }
    let (inv, data) = h.snoops();
    println!("soak: {ops} operations, {inv} SnpInv, {data} SnpData");
}

on_verilator!(
    anon_read,
    anon_read_prot,
    anon_write,
    anon_write_prot,
    migrate,
    migrate_fault,
    migrate_release,
    migrate_mixed,
    migrate_multiple,
    anon_read_multiple,
    snapshot,
    double_map,
    hmm_gup_test,
    migrate_anon_huge_empty,
    migrate_anon_huge_zero,
    migrate_anon_huge_free,
    migrate_anon_huge_fault,
    migrate_partial_unmap_fault,
    migrate_anon_huge_err,
    migrate_anon_huge_zero_err,
    benchmark_thp_migration,
    dma_failure_mid_migration,
    cpu_stores_during_migration,
    random_soak,
);

mod native {
    use cdm_testbenches::Backend;

    #[test]
    fn migrate() {
        super::migrate(Backend::Native)
    }

    #[test]
    fn anon_write() {
        super::anon_write(Backend::Native)
    }

    #[test]
    fn migrate_multiple() {
        super::migrate_multiple(Backend::Native)
    }
}
