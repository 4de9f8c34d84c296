//! Register access from FrontPanel-style wires (the XEM7010 board's path from the host
//! PC to the CSRs): random reads and writes through the wire bridge against a register
//! file behind a randomly stalling AXI4-Lite slave, with error responses from one
//! address; every access completes with the right data and response, and `done` flips
//! exactly once per access.

use std::collections::HashMap;

use cdm_hdl::board::wire_csr::WireCsrBench;
use cdm_sim::{Dut, PortId, Rng};
use cdm_testbenches::{on_each_backend, open, Backend};

/// Answers SLVERR.
const BAD: u64 = 0xFFC;

/// The AXI4-Lite slave: a register file, one access at a time, random ready and valid
/// delays.
struct Slave {
    regs: HashMap<u64, u64>,
    aw: Option<u64>,
    w: Option<u64>,
    b: Option<u64>,
    r: Option<(u64, u64)>,
}

fn p(dut: &dyn Dut, name: &str) -> PortId {
    dut.port(name).unwrap()
}

impl Slave {
    fn tick(&mut self, dut: &mut dyn Dut, rng: &mut Rng) {
        let awready = self.aw.is_none() && self.b.is_none() && rng.chance(60);
        let wready = self.w.is_none() && self.b.is_none() && rng.chance(60);
        let arready = self.r.is_none() && rng.chance(60);
        let bvalid = self.b.is_some() && rng.chance(70);
        let rvalid = self.r.is_some() && rng.chance(70);
        dut.set(p(dut, "axil$awready"), awready as u64);
        dut.set(p(dut, "axil$wready"), wready as u64);
        dut.set(p(dut, "axil$arready"), arready as u64);
        dut.set(p(dut, "axil$bvalid"), bvalid as u64);
        dut.set(p(dut, "axil$bresp"), self.b.unwrap_or(0));
        dut.set(p(dut, "axil$rvalid"), rvalid as u64);
        let (rdata, rresp) = self.r.unwrap_or((0, 0));
        dut.set(p(dut, "axil$rdata"), rdata);
        dut.set(p(dut, "axil$rresp"), rresp);
        let get = |dut: &mut dyn Dut, n: &str| dut.get(p(dut, n));
        if awready && get(dut, "axil$awvalid") == 1 {
            self.aw = Some(get(dut, "axil$awaddr"));
        }
        if wready && get(dut, "axil$wvalid") == 1 {
            assert_eq!(get(dut, "axil$wstrb"), 0xf, "whole-word writes");
            self.w = Some(get(dut, "axil$wdata"));
        }
        if let (Some(a), Some(d)) = (self.aw, self.w) {
            self.b = Some(if a == BAD { 2 } else { 0 });
            self.regs.insert(a, d);
            self.aw = None;
            self.w = None;
        }
        if bvalid && get(dut, "axil$bready") == 1 {
            self.b = None;
        }
        if rvalid && get(dut, "axil$rready") == 1 {
            self.r = None;
        }
        if arready && get(dut, "axil$arvalid") == 1 {
            let a = get(dut, "axil$araddr");
            let resp = if a == BAD { 2 } else { 0 };
            self.r = Some((self.regs.get(&a).copied().unwrap_or(0), resp));
        }
    }
}

fn random_accesses_complete(backend: Backend) {
    let mut rng = Rng::from_env("wire_csr");
    let mut dut = open::<WireCsrBench>(backend);
    let mut slave = Slave {
        regs: HashMap::new(),
        aw: None,
        w: None,
        b: None,
        r: None,
    };
    let mut model: HashMap<u64, u64> = HashMap::new();
    let accesses = if backend == Backend::Native {
        100
    } else {
        2000
    };
    let mut done = dut.get(p(&*dut, "done"));
    for k in 0..accesses {
        let addr = if rng.chance(10) {
            BAD
        } else {
            rng.below(16) * 4
        };
        let write = rng.chance(50);
        let data = rng.next_u32() as u64;
        dut.set(p(&*dut, "addr"), addr);
        dut.set(p(&*dut, "wdata"), data);
        dut.set(p(&*dut, "write"), write as u64);
        dut.set(p(&*dut, "go"), 1);
        slave.tick(&mut *dut, &mut rng);
        dut.step();
        dut.set(p(&*dut, "go"), 0);
        let mut waited = 0;
        while dut.get(p(&*dut, "done")) == done {
            slave.tick(&mut *dut, &mut rng);
            dut.step();
            waited += 1;
            assert!(waited < 1000, "access {k} never completed");
        }
        done ^= 1;
        let resp = dut.get(p(&*dut, "resp"));
        assert_eq!(resp, if addr == BAD { 2 } else { 0 }, "access {k} response");
        if write {
            model.insert(addr, data);
        } else {
            let want = model.get(&addr).copied().unwrap_or(0);
            assert_eq!(
                dut.get(p(&*dut, "rdata")),
                want,
                "access {k}: read {addr:#x}"
            );
        }
        // `done` flips once per access: it stays put while nothing runs.
        for _ in 0..rng.below(8) {
            slave.tick(&mut *dut, &mut rng);
            dut.step();
            assert_eq!(
                dut.get(p(&*dut, "done")),
                done,
                "access {k}: done flipped twice"
            );
        }
    }
}

on_each_backend!(random_accesses_complete);
