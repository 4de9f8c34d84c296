//! A firmware image that calls the whole public API of `cdm-driver` on values it
//! cannot know at build time (volatile reads of [`INPUT`]), so nothing is folded away.
//! Its panic handler calls a function that exists nowhere: if any panic path of the
//! driver survives optimisation, the image does not link, and the linker names
//! `a_panic_path_of_cdm_driver_survived_optimisation`.

#![no_std]
#![no_main]

use core::fmt::{self, Write};
use core::hint::black_box;
use core::ptr::{addr_of, addr_of_mut};

use cdm_driver::cdm::{
    self, CdmError, MigratePfn, PageAllocator, PageSource, Region, Window, WindowAccess,
};
use cdm_driver::descriptor::ErrorCode;
use cdm_driver::dma::{
    Bus, Channel, Cookie, DmaError, DmaMemory, Flags, Platform, Resume, Transfer, TxStatus,
};
use cdm_driver::io::{BusError, BusErrorKind, Mmio, Offset, RegisterIo};
use cdm_driver::regs::{self, coherent, dma, global, intr, window};
use cdm_driver::{Access, Error, Register, RegisterVisitor, Regs};

/// What the device, memory and caller say; written by nobody the compiler can see.
static mut INPUT: [u32; 256] = [0; 256];
/// Registers behind an [`Mmio`].
static mut MMIO: [u32; regs::SIZE / 4] = [0; regs::SIZE / 4];
/// Allocator storage.
static mut PAGES: [u16; 4096] = [0; 4096];
static mut BLOCKS: [u16; 8] = [0; 8];
static mut SRC: [MigratePfn; 1024] = [MigratePfn::EMPTY; 1024];
static mut DST: [MigratePfn; 1024] = [MigratePfn::EMPTY; 1024];

/// Word `i` of the opaque input.
fn word(i: usize) -> u32 {
    // SAFETY: in bounds (masked), aligned; nothing holds a reference to INPUT.
    unsafe { addr_of!(INPUT).cast::<u32>().add(i % 256).read_volatile() }
}

fn wide(i: usize) -> u64 {
    u64::from(word(i)) | u64::from(word(i + 1)) << 32
}

fn index(i: usize) -> usize {
    word(i) as usize
}

fn flag(i: usize) -> bool {
    word(i) & 1 != 0
}

/// A device whose every register read, memory byte and bus error is an input.
struct Device;

impl RegisterIo for Device {
    type Error = BusError;

    fn read32(&mut self, offset: Offset) -> Result<u32, BusError> {
        let offset = offset.get();
        if word(offset) == 0xDEAD {
            return Err(BusError {
                offset,
                kind: BusErrorKind::SlvErr,
            });
        }
        Ok(word(offset.wrapping_add(1)))
    }

    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), BusError> {
        let offset = offset.get();
        black_box((offset, value));
        if flag(offset) {
            Err(BusError {
                offset,
                kind: BusErrorKind::DecErr,
            })
        } else {
            Ok(())
        }
    }
}

impl DmaMemory for Device {
    fn write(&mut self, addr: u64, data: &[u8]) {
        black_box((addr, data));
    }

    fn read(&mut self, addr: u64, out: &mut [u8]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = word((addr as usize).wrapping_add(i)) as u8;
        }
    }
}

/// Pages from the input.
struct Pages;

impl PageSource for Pages {
    fn alloc(&mut self, huge: bool) -> Option<u64> {
        flag(usize::from(huge)).then(|| wide(7))
    }

    fn release(&mut self, addr: u64) {
        black_box(addr);
    }
}

/// Formats into nothing.
struct Sink;

impl Write for Sink {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        black_box(s);
        Ok(())
    }
}

/// Errors are shown with `Display` only: their derived `Debug` prints the register
/// name of [`Error::NoSuchInstance`] with `str`'s escaping, whose slicing at char
/// boundaries is core's own panic path, not the driver's.
fn show(v: &impl fmt::Display) {
    let _ = write!(Sink, "{v}");
}

/// Every register type: its metadata, an instance's address, a value's fields.
struct Visit;

impl RegisterVisitor for Visit {
    fn visit<R: Register>(&mut self) {
        black_box((
            R::NAME,
            R::ADDR,
            R::COUNT,
            R::STRIDE,
            R::RESET,
            R::LOCKED_BY,
        ));
        black_box((R::READ_MASK, R::WRITE_MASK, R::SIDE_EFFECT_MASK));
        black_box(R::address(index(3)));
        let value = R::Value::from(word(4));
        let _ = write!(Sink, "{value:?}");
        black_box(value.into());
        for f in R::FIELDS {
            black_box((f.name, f.lsb, f.width, f.reset, f.doc));
            black_box((f.mask(), f.value_mask(), f.extract(word(5))));
            black_box((f.access.readable(), f.access.write_has_side_effect()));
            black_box(f.access.name());
        }
    }
}

fn registers() {
    let mut r = Regs::new(Device);
    let _ = black_box(r.read::<global::Id>().map(|v| (v.vendor(), v.device())));
    let _ = black_box(r.read::<global::CapDma>().map(|v| v.channels()));
    let _ = r.write::<global::Ctrl>(global::CtrlValue::ZERO.with_enable(flag(6)));
    let _ = r.write_with::<global::Ctrl>(|v| v.with_enable(flag(6)));
    let _ = r.write_with_at::<dma::RingSize>(index(12), |v| v.with_log2(word(13)));
    let _ = black_box(r.read64::<global::CapDevmem>());
    let _ = black_box(r.read64_at::<dma::Bytes>(index(13)));
    let _ = r.write64::<global::DevmemBase>(wide(14));
    let _ = r.write64_at::<window::Limit>(index(9), wide(10));
    let _ = r.modify::<intr::Enable>(|v| v.with_dma(word(8)));
    let _ = r
        .read_at::<window::Ctrl>(index(9))
        .map(|v| black_box(v.read()));
    let _ = r.write_at::<window::BaseLo>(index(10), word(11).into());
    let _ = r.modify_at::<dma::Ctrl>(index(12), |v| v.with_run(true));
    let _ = black_box(r.read_at::<dma::Status>(index(13)).map(|v| v.halted()));
    let _ = black_box(r.read::<coherent::Status>().map(|v| v.ready()));
    if let Err(e) = r.read_at::<intr::Status>(index(14)) {
        show(&e);
        black_box(matches!(e, Error::NoSuchInstance { .. }));
    }
    black_box(r.io());
    black_box(r.io_mut());
    black_box(r.into_inner());
    regs::visit(&mut Visit);
    for a in [
        Access::RW,
        Access::RO,
        Access::WO,
        Access::W1C,
        Access::W1S,
        Access::W1P,
    ] {
        black_box((a.readable(), a.name()));
    }

    // SAFETY: MMIO is a static array of regs::SIZE bytes, only used through this.
    let mut m = unsafe { Mmio::new(addr_of_mut!(MMIO).cast::<u32>()) };
    black_box(m.base());
    if let Some(at) = Offset::new(index(16)) {
        let _ = m.read32(at).map(black_box);
        black_box((at.get(), at.word()));
        show(&at);
    }
    if let Some(at) = Offset::new(index(17)) {
        let _ = m.write32(at, word(18));
    }
    let mut mapped = Regs::new(m);
    let _ = mapped.modify::<global::Scratch>(|v| v.with_value(word(19)));
    let _ = black_box(mapped.read64_at::<dma::ErrAddr>(index(15)));
}

fn channel<B: Bus>(bus: &mut B) -> Result<(), DmaError<B::Error>> {
    let mut ch = Channel::open(bus, index(20), wide(21), word(23))?;
    black_box((ch.index(), ch.capacity(), ch.outstanding()));
    let t = if flag(24) {
        Transfer::Copy {
            src: wide(25),
            dst: wide(27),
            len: word(29),
        }
    } else {
        Transfer::Fill {
            pattern: wide(25),
            dst: wide(27),
            len: word(29),
        }
    };
    black_box((t.len(), t.is_empty()));
    let flags = Flags {
        irq: flag(30),
        fence: flag(31),
    };
    let c = ch.prep(bus, t, flags)?;
    ch.issue_pending(bus)?;
    black_box(ch.poll(bus)?);
    black_box(ch.tx_status(bus, c)?);
    black_box(ch.tx_status(bus, Cookie(word(32) as u16))?);
    if let Some(h) = ch.halt(bus)? {
        black_box((h.code, h.cookie, h.addr, h.residue));
    }
    let how = if flag(33) {
        Resume::Retry
    } else {
        Resume::Skip
    };
    ch.resume(bus, how)?;
    ch.wait(bus, word(34))?;
    ch.wait_for_room(bus, word(35) as u16, word(36))?;
    ch.enable_interrupt(bus, word(37) as u8, word(38) as u16)?;
    black_box(ch.take_interrupt(bus)?);
    black_box(ch.terminate_all(bus, word(39))?);
    Ok(())
}

fn decoders() {
    let mut d = [0u8; cdm_driver::descriptor::SIZE];
    for (i, b) in d.iter_mut().enumerate() {
        *b = word(40 + i) as u8;
    }
    match TxStatus::completed(&d) {
        Ok(TxStatus::Error { code, residue }) => {
            black_box((code.doc(), residue));
        }
        Ok(s) => {
            black_box(s == TxStatus::Complete);
        }
        Err(e) => show(&e),
    }
    if let Some(code) = ErrorCode::from_bits(word(72)) {
        black_box((code.doc(), code as u8));
    }
    let e = MigratePfn::new(wide(73), wide(75));
    black_box((e.addr(), e.flags(), e.valid(), e.migrate(), e.write()));
    black_box((e.compound(), e.size()));
    let _ = write!(Sink, "{e:?}");
}

fn device<B: Bus>(bus: &mut B) -> Result<(), CdmError<B::Error>> {
    let region = cdm::probe(bus, wide(80), word(82))?;
    let other = Region {
        base: wide(83),
        size: wide(85),
    };
    black_box((region.contains(wide(87), wide(89)), other.last()));
    cdm::allow_dma(bus, index(91), other)?;
    cdm::place_devmem(bus, other)?;
    let access = match word(97) % 4 {
        0 => WindowAccess::None,
        1 => WindowAccess::Read,
        2 => WindowAccess::Write,
        _ => WindowAccess::ReadWrite,
    };
    let window = Window {
        base: wide(93),
        limit: wide(95),
        access,
    };
    cdm::set_window(bus, index(92), window)?;
    black_box(Window::covering(other, access));

    // SAFETY: the storage statics are used here only, once.
    let (pages, blocks, src, dst) = unsafe {
        (
            &mut *addr_of_mut!(PAGES),
            &mut *addr_of_mut!(BLOCKS),
            &mut *addr_of_mut!(SRC),
            &mut *addr_of_mut!(DST),
        )
    };
    black_box(PageAllocator::<&mut [u16]>::storage(wide(99)));
    let n = index(101) % 1024;
    let mut a = PageAllocator::new(other, &mut pages[..], &mut blocks[..])?;
    black_box((a.region(), a.free_pages()));
    let p = a.allocate(flag(102))?;
    a.get(p)?;
    black_box((a.refcount(p), a.is_huge(p), a.put(p)?));
    a.split(wide(103))?;
    a.fail_next_alloc();
    black_box(a.alloc(flag(105)));
    a.release(wide(106));
    for (addr, huge) in a.allocated() {
        black_box((addr, huge));
    }
    for (i, s) in src.iter_mut().enumerate() {
        *s = MigratePfn::new(wide(108 + i), wide(110 + i));
    }
    let mut ch = Channel::open(bus, index(112), wide(113), word(115))?;
    let stats = if flag(116) {
        cdm::alloc_and_copy(bus, &mut ch, &mut a, &src[..n], &mut dst[..n], word(117))?
    } else {
        cdm::alloc_and_copy(bus, &mut ch, &mut Pages, &src[..], &mut dst[..n], word(117))?
    };
    black_box((
        stats.migrated,
        stats.filled,
        stats.no_memory,
        stats.copy_failed,
    ));
    black_box((stats.split, stats.descriptors));
    Ok(())
}

/// The entry point: everything, once.
#[no_mangle]
pub extern "C" fn _start() -> ! {
    registers();
    decoders();
    if let Err(e) = channel(&mut Device) {
        show(&e);
        black_box(CdmError::from(e).errno());
    }
    let mut platform = Platform {
        io: Regs::new(Device).into_inner(),
        memory: Device,
    };
    if let Err(e) = channel(&mut platform) {
        show(&e);
    }
    if let Err(e) = device(&mut Device) {
        show(&e);
        black_box(e.errno());
    }
    black_box(CdmError::from(Error::Bus(BusError {
        offset: 0,
        kind: BusErrorKind::DecErr,
    })));
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn a_panic_path_of_cdm_driver_survived_optimisation() -> !;
    }
    // SAFETY: never defined; a call that remains fails the link, as intended.
    unsafe { a_panic_path_of_cdm_driver_survived_optimisation() }
}
