//! The register map of the device: the one source of every CSR.
//!
//! Add a register or field here and it appears in the CSR hardware, the driver's
//! `regs` module, the C header, the SVD file, the Markdown reference and the JSON.

use crate::model::{Access::*, Block, Field, RegMap, Register};

/// PCI-style vendor identifier the device reports.
pub const VENDOR_ID: u32 = 0x1CD7;
/// Device identifier within the vendor.
pub const DEVICE_ID: u32 = 0x0001;
/// Register-map version: major changes break drivers, minor ones add registers.
pub const VERSION: (u32, u32, u32) = (0, 1, 0);

/// Number of DMA address windows (a build-time parameter: the window registers and the
/// descriptor check's window ports are arrays of this size; the check takes one cycle
/// per window).
pub const WINDOWS: u32 = 4;

/// Number of DMA channels (the engine's build-time parameter).
pub const DMA_CHANNELS: u32 = 4;
/// Device memory behind the controller: the XEM7010's 512 MiB of DDR3.
pub const DEVMEM_BYTES: u64 = 512 << 20;
/// Snoop filter geometry: 2^SF_SETS_LOG2 sets of SF_WAYS ways. Both are fixed by the
/// hardware, not parameters: the filter packs its four ways into one block-RAM word and
/// asserts this geometry at build time (`cdm_hdl::coherent::snoop_filter`).
pub const SF_SETS_LOG2: u32 = 10;
/// Ways per snoop filter set; fixed, see [`SF_SETS_LOG2`].
pub const SF_WAYS: u32 = 4;
/// Width of the DMA data path in bytes (128-bit AXI4).
pub const DMA_DATA_BYTES: u32 = 16;
/// Default DMA watchdog: cycles without bus progress before a channel times out.
pub const DMA_WATCHDOG_RESET: u32 = 0x1_0000;
/// Path of the lock bit that freezes the DMA address windows.
pub const WINDOW_LOCK: &str = "GLOBAL.WINDOW_LOCK.LOCK";

fn global() -> Block {
    Block::new(
        "GLOBAL",
        0x000,
        "Identification, capabilities and global control.",
    )
    .register(
        Register::new("ID", 0x00, "Device identification.")
            .field(
                Field::new("VENDOR", 0, 16, RO, "Vendor identifier.")
                    .reset(VENDOR_ID)
                    .constant(),
            )
            .field(
                Field::new("DEVICE", 16, 16, RO, "Device identifier.")
                    .reset(DEVICE_ID)
                    .constant(),
            ),
    )
    .register(
        Register::new("VERSION", 0x04, "Register-map version.")
            .field(
                Field::new("PATCH", 0, 8, RO, "Patch level.")
                    .reset(VERSION.2)
                    .constant(),
            )
            .field(
                Field::new("MINOR", 8, 8, RO, "Minor version: registers added.")
                    .reset(VERSION.1)
                    .constant(),
            )
            .field(
                Field::new("MAJOR", 16, 8, RO, "Major version: incompatible change.")
                    .reset(VERSION.0)
                    .constant(),
            ),
    )
    .register(
        Register::new(
            "CAP_DMA",
            0x08,
            "DMA engine capabilities, fixed when the device is built.",
        )
        .field(
            Field::new("CHANNELS", 0, 8, RO, "Number of DMA channels.")
                .reset(DMA_CHANNELS)
                .constant(),
        )
        .field(
            Field::new(
                "DATA_BYTES",
                8,
                8,
                RO,
                "Width of the DMA data path in bytes.",
            )
            .reset(DMA_DATA_BYTES)
            .constant(),
        )
        .field(
            Field::new("WINDOWS", 16, 8, RO, "Number of DMA address windows.")
                .reset(WINDOWS)
                .constant(),
        ),
    )
    .register(
        Register::new(
            "CAP_DEVMEM_LO",
            0x0C,
            "Device memory size in bytes, low word.",
        )
        .field(
            Field::new("SIZE", 0, 32, RO, "Bits 31:0 of the device memory size.")
                .reset(DEVMEM_BYTES as u32)
                .constant(),
        ),
    )
    .register(
        Register::new(
            "CAP_DEVMEM_HI",
            0x10,
            "Device memory size in bytes, high word.",
        )
        .field(
            Field::new("SIZE", 0, 32, RO, "Bits 63:32 of the device memory size.")
                .reset((DEVMEM_BYTES >> 32) as u32)
                .constant(),
        ),
    )
    .register(
        Register::new(
            "SCRATCH",
            0x14,
            "Free for software: bus and driver bring-up checks.",
        )
        .field(Field::new(
            "VALUE",
            0,
            32,
            RW,
            "Any value; no effect on the device.",
        )),
    )
    .register(
        Register::new("CTRL", 0x18, "Global control.")
            .field(Field::new(
                "ENABLE",
                0,
                1,
                RW,
                "Enables the device's engines.",
            ))
            .field(Field::new(
                "SOFT_RESET",
                1,
                1,
                W1P,
                "Write 1 to reset the engines; CSRs keep their values.",
            )),
    )
    .register(
        Register::new("STATUS", 0x1C, "Global status.")
            .field(Field::new(
                "READY",
                0,
                1,
                RO,
                "The engines are out of reset and idle-capable.",
            ))
            .field(Field::new(
                "BUSY",
                1,
                1,
                RO,
                "Some engine has work in progress.",
            )),
    )
    .register(
        Register::new("WINDOW_LOCK", 0x20, "Freezes the DMA address windows.").field(Field::new(
            "LOCK",
            0,
            1,
            W1S,
            "Write 1 to lock every WINDOW register until reset.",
        )),
    )
    .register(
        Register::new(
            "DMA_WATCHDOG",
            0x24,
            "DMA watchdog: cycles without any AXI data beat or response while the engine \
             waits on the bus, before the oldest waiting channel halts with TIMEOUT.",
        )
        .field(
            Field::new(
                "CYCLES",
                0,
                32,
                RW,
                "Timeout in cycles; 0 disables the watchdog.",
            )
            .reset(DMA_WATCHDOG_RESET),
        ),
    )
    .register(devmem_word(
        "DEVMEM_BASE_LO",
        0x28,
        12,
        "Device memory window base, bits 31:12 (4 KiB aligned).",
    ))
    .register(devmem_word(
        "DEVMEM_BASE_HI",
        0x2C,
        0,
        "Device memory window base, bits 63:32.",
    ))
    .register(devmem_word(
        "DEVMEM_SIZE_LO",
        0x30,
        12,
        "Device memory window size, bits 31:12 (4 KiB granules; 0: no window).",
    ))
    .register(devmem_word(
        "DEVMEM_SIZE_HI",
        0x34,
        0,
        "Device memory window size, bits 63:32.",
    ))
}

/// A word of the device memory window: DMA addresses inside it go to the device memory
/// port, all others to the host port. Policy, so the window lock freezes it.
fn devmem_word(name: &str, offset: u32, lsb: u32, what: &str) -> Register {
    Register::new(name, offset, what)
        .field(Field::new("ADDR", lsb, 32 - lsb, RW, what))
        .locked_by(WINDOW_LOCK)
}

fn interrupts() -> Block {
    let sources = |reg: Register, access, verb: &str| {
        reg.field(Field::new(
            "DMA",
            0,
            8,
            access,
            &format!("{verb}, one bit per DMA channel."),
        ))
        .field(Field::new(
            "COHERENT",
            8,
            1,
            access,
            &format!("{verb}, coherent memory controller event."),
        ))
    };
    Block::new(
        "INTR",
        0x040,
        "Interrupt sources; the interrupt line is any(STATUS & ENABLE).",
    )
    .register(sources(
        Register::new("STATUS", 0x0, "Pending interrupts; write 1 to clear."),
        W1C,
        "Pending",
    ))
    .register(sources(
        Register::new("ENABLE", 0x4, "Interrupt enables."),
        RW,
        "Enable",
    ))
    .register(sources(
        Register::new(
            "TEST",
            0x8,
            "Raises interrupts from software to test the path to the host.",
        ),
        // A pulse: the bit sets STATUS and is gone, so it reads 0 (write-only in SVD).
        W1P,
        "Write 1 to set the STATUS bit",
    ))
}

fn windows() -> Block {
    let word = |name: &str, offset: u32, what: &str| {
        Register::new(name, offset, what)
            .field(Field::new("ADDR", 0, 32, RW, what))
            .locked_by(WINDOW_LOCK)
    };
    Block::new(
        "WINDOW",
        0x100,
        "DMA address windows: the DMA engine touches only addresses inside an enabled window.",
    )
    .array(WINDOWS, 0x20)
    .register(word(
        "BASE_LO",
        0x00,
        "First byte of the window, bits 31:0.",
    ))
    .register(word(
        "BASE_HI",
        0x04,
        "First byte of the window, bits 63:32.",
    ))
    .register(word(
        "LIMIT_LO",
        0x08,
        "Last byte of the window (inclusive), bits 31:0.",
    ))
    .register(word(
        "LIMIT_HI",
        0x0C,
        "Last byte of the window (inclusive), bits 63:32.",
    ))
    .register(
        Register::new("CTRL", 0x10, "Window enable and permissions.")
            .field(Field::new("ENABLE", 0, 1, RW, "The window is in use."))
            .field(Field::new(
                "READ",
                1,
                1,
                RW,
                "DMA may read inside the window.",
            ))
            .field(Field::new(
                "WRITE",
                2,
                1,
                RW,
                "DMA may write inside the window.",
            ))
            .locked_by(WINDOW_LOCK),
    )
}

/// One DMA channel: its descriptor ring, control, error record, interrupt coalescing and
/// counters. Indexes are free-running 16-bit counters; slot = index mod ring size.
fn dma_channels() -> Block {
    let ro32 = |name: &str, offset: u32, what: &str| {
        Register::new(name, offset, what).field(Field::new("VALUE", 0, 32, RO, what))
    };
    Block::new(
        "DMA",
        0x200,
        "DMA channels. The driver writes 32-byte descriptors into the ring, then the \
         producer index; the engine fetches, checks and executes them in order, writes each \
         status back in place and advances the consumer index.",
    )
    .array(DMA_CHANNELS, 0x40)
    .register(
        Register::new("RING_BASE_LO", 0x00, "Ring base address, bits 31:0.").field(Field::new(
            "ADDR",
            5,
            27,
            RW,
            "Bits 31:5 of the ring base (rings are 32-byte aligned).",
        )),
    )
    .register(
        Register::new("RING_BASE_HI", 0x04, "Ring base address, bits 63:32.").field(Field::new(
            "ADDR",
            0,
            32,
            RW,
            "Bits 63:32 of the ring base.",
        )),
    )
    .register(
        Register::new("RING_SIZE", 0x08, "Ring size.").field(Field::new(
            "LOG2",
            0,
            4,
            RW,
            "The ring holds 2^LOG2 descriptors (1 to 32768).",
        )),
    )
    .register(
        Register::new(
            "PRODUCER",
            0x0C,
            "Doorbell: index one past the last descriptor the driver has written.",
        )
        .field(Field::new(
            "INDEX",
            0,
            16,
            RW,
            "Producer index; at most ring size ahead of CONSUMER.",
        )),
    )
    .register(
        Register::new(
            "CONSUMER",
            0x10,
            "Index one past the last descriptor completed with its status written back.",
        )
        .field(Field::new("INDEX", 0, 16, RO, "Consumer index.")),
    )
    .register(
        Register::new("CTRL", 0x14, "Channel control.")
            .field(Field::new(
                "RUN",
                0,
                1,
                RW,
                "The channel fetches descriptors; clear to pause after those already fetched.",
            ))
            .field(Field::new(
                "RETRY",
                1,
                1,
                W1P,
                "Write 1 on a halted channel: run the failed descriptor again and resume.",
            ))
            .field(Field::new(
                "SKIP",
                2,
                1,
                W1P,
                "Write 1 on a halted channel: step past the failed descriptor and resume.",
            ))
            .field(Field::new(
                "ABORT",
                3,
                1,
                W1P,
                "Write 1 to halt the channel with error ABORTED once its bursts in flight end.",
            )),
    )
    .register(
        Register::new("STATUS", 0x18, "Channel status.")
            .field(Field::new(
                "BUSY",
                0,
                1,
                RO,
                "Descriptors are fetched, in flight or waiting for their status write.",
            ))
            .field(Field::new(
                "HALTED",
                1,
                1,
                RO,
                "Stopped on an error or an abort; see ERROR, ERR_INDEX and ERR_ADDR.",
            ))
            .field(Field::new(
                "ERROR",
                4,
                4,
                RO,
                "Error code of the halt (descriptor ErrorCode).",
            )),
    )
    .register(
        Register::new(
            "ERR_INDEX",
            0x1C,
            "Index of the descriptor that halted the channel.",
        )
        .field(Field::new(
            "INDEX",
            0,
            16,
            RO,
            "Ring index of the failed descriptor.",
        )),
    )
    .register(ro32(
        "ERR_ADDR_LO",
        0x20,
        "Faulting address of the halt, bits 31:0.",
    ))
    .register(ro32(
        "ERR_ADDR_HI",
        0x24,
        "Faulting address of the halt, bits 63:32.",
    ))
    .register(
        Register::new("COALESCE", 0x28, "Interrupt coalescing.")
            .field(
                Field::new(
                    "COUNT",
                    0,
                    8,
                    RW,
                    "Interrupt after this many completed descriptors with IRQ set (0 acts as 1).",
                )
                .reset(1),
            )
            .field(Field::new(
                "TIMER",
                16,
                16,
                RW,
                "Or this many cycles after the first uncounted one (0: no timer).",
            )),
    )
    .register(ro32(
        "BYTES_LO",
        0x2C,
        "Bytes moved by completed descriptors, bits 31:0.",
    ))
    .register(ro32(
        "BYTES_HI",
        0x30,
        "Bytes moved by completed descriptors, bits 63:32.",
    ))
    .register(ro32("DESCS", 0x34, "Descriptors completed without error."))
    .register(ro32("BUSY_CYCLES", 0x38, "Cycles the channel was busy."))
    .register(ro32(
        "STALL_CYCLES",
        0x3C,
        "Busy cycles in which no data beat moved on the engine's AXI port.",
    ))
}

/// The coherent memory controller: geometry, status and event counters.
fn coherent() -> Block {
    let count = |name: &str, offset: u32, what: &str| {
        Register::new(name, offset, what).field(Field::new("VALUE", 0, 32, RO, what))
    };
    Block::new(
        "COHERENT",
        0x300,
        "Coherent memory controller (home agent of device memory).",
    )
    .register(
        Register::new("CAP", 0x00, "Snoop filter geometry.")
            .field(
                Field::new(
                    "SF_SETS_LOG2",
                    0,
                    8,
                    RO,
                    "The snoop filter has 2^SF_SETS_LOG2 sets.",
                )
                .reset(SF_SETS_LOG2)
                .constant(),
            )
            .field(
                Field::new("SF_WAYS", 8, 8, RO, "Ways per snoop filter set.")
                    .reset(SF_WAYS)
                    .constant(),
            ),
    )
    .register(
        Register::new("STATUS", 0x04, "Controller status.")
            .field(Field::new(
                "ERROR",
                0,
                1,
                RO,
                "A memory response was an error, a host request was refused (REFUSED) or \
                 a snoop answer was stray (STRAY_ANSWERS); sticky until reset (also \
                 raises INTR.STATUS.COHERENT).",
            ))
            .field(Field::new(
                "READY",
                1,
                1,
                RO,
                "The snoop filter has swept itself empty after reset (1,024 cycles) and \
                 serves; until then host requests and DMA to device memory wait.",
            )),
    )
    .register(count(
        "HOST_READS",
        0x08,
        "Host read requests (shared, own, current).",
    ))
    .register(count(
        "HOST_WRITES",
        0x0C,
        "Host write requests (write-back, partial).",
    ))
    .register(count("SNOOPS_INV", 0x10, "SnpInv snoops sent."))
    .register(count("SNOOPS_DATA", 0x14, "SnpData snoops sent."))
    .register(count(
        "EVICTIONS",
        0x18,
        "Snoop filter victims back-invalidated to make room.",
    ))
    .register(count(
        "CONFLICTS",
        0x1C,
        "Write-backs that crossed a snoop (stale, dropped).",
    ))
    .register(count(
        "DMA_SNOOPED",
        0x20,
        "DMA lines that needed a snoop before memory.",
    ))
    .register(
        Register::new("CTRL", 0x24, "Controller control.").field(Field::new(
            "ENABLE",
            0,
            1,
            RW,
            "Serve the host coherent port; while 0, host requests wait (snoop answers \
             and DMA are served regardless).",
        )),
    )
    .register(count(
        "DMA_UNCACHED",
        0x28,
        "DMA bursts admitted on the page fast path: no line of their page in the \
         snoop filter, so no per-line lookup.",
    ))
    .register(count(
        "REFUSED",
        0x2C,
        "Host requests refused and answered Err: a reserved op, a line beyond device \
         memory, or a header whose last bit contradicts its op. Nothing else happens.",
    ))
    .register(count(
        "STRAY_ANSWERS",
        0x30,
        "Snoop answers for no outstanding snoop (none sent, or another line): taken \
         and dropped with their data.",
    ))
}

/// The device's register map.
pub fn device_map() -> RegMap {
    RegMap::new(
        "CDM",
        0x1000,
        "Coherent device memory controller with scatter-gather DMA copy engine.",
    )
    .block(global())
    .block(interrupts())
    .block(windows())
    .block(dma_channels())
    .block(coherent())
}
