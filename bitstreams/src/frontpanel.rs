//! The driver's [`RegisterIo`] over FrontPanel: each access sets the wire-ins, pulses the
//! trigger and polls the status wire-out until `done` flips (`cdm_hdl::board::wire_csr`).

use std::fmt;

use cdm_driver::io::{BusError, BusErrorKind, Offset, RegisterIo};
use rust_hdl_ok_frontpanel_sys::{OkError, OkHandle};

use crate::endpoints as ep;

/// Polls of the status wire before an access counts as unanswered.
const POLLS: u32 = 1000;

/// The XEM7010's registers from the host PC.
pub struct FrontPanelIo {
    hnd: OkHandle,
    /// `done` as last seen.
    done: bool,
}

impl FrontPanelIo {
    /// Opens the board (by serial number, or the first one), loads `bitfile` and waits
    /// for DDR3 calibration.
    ///
    /// # Errors
    ///
    /// FrontPanel's error when the board cannot be opened or configured.
    pub fn open(bitfile: &str, serial: Option<&str>) -> Result<FrontPanelIo, OkError> {
        let hnd = OkHandle::new();
        match serial {
            Some(s) => hnd.open_with_serial(s)?,
            None => hnd.open()?,
        }
        hnd.configure_fpga(bitfile)?;
        hnd.set_wire_in(ep::CTRL, 0);
        hnd.update_wire_ins();
        let mut io = FrontPanelIo { hnd, done: false };
        for _ in 0..POLLS {
            if io.status() & ep::STATUS_CALIBRATED != 0 {
                io.done = io.status() & ep::STATUS_DONE != 0;
                return Ok(io);
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        Err(OkError { code: -1 })
    }

    fn status(&mut self) -> u16 {
        self.hnd.update_wire_outs();
        self.hnd.get_wire_out(ep::STATUS)
    }

    /// The interrupt line, as the status wire shows it.
    pub fn irq(&mut self) -> bool {
        self.status() & ep::STATUS_IRQ != 0
    }

    fn access(&mut self, at: Offset, write: Option<u32>) -> Result<u32, FrontPanelError> {
        let offset = at.get();
        let data = write.unwrap_or(0);
        self.hnd.set_wire_in(ep::ADDR, offset as u16);
        self.hnd.set_wire_in(ep::WDATA_LO, data as u16);
        self.hnd.set_wire_in(ep::WDATA_HI, (data >> 16) as u16);
        let ctrl = if write.is_some() { ep::CTRL_WRITE } else { 0 };
        self.hnd.set_wire_in(ep::CTRL, ctrl);
        self.hnd.update_wire_ins();
        self.hnd
            .activate_trigger_in(ep::GO, 0)
            .map_err(|e| FrontPanelError::Link {
                offset,
                code: e.code as i32,
            })?;
        for _ in 0..POLLS {
            let status = self.status();
            let done = status & ep::STATUS_DONE != 0;
            if done != self.done {
                self.done = done;
                let bus = |kind| FrontPanelError::Bus(BusError { offset, kind });
                return match (status >> ep::STATUS_RESP_SHIFT) & 3 {
                    0 | 1 => {
                        let lo = u32::from(self.hnd.get_wire_out(ep::RDATA_LO));
                        let hi = u32::from(self.hnd.get_wire_out(ep::RDATA_HI));
                        Ok(hi << 16 | lo)
                    }
                    2 => Err(bus(BusErrorKind::SlvErr)),
                    _ => Err(bus(BusErrorKind::DecErr)),
                };
            }
        }
        Err(FrontPanelError::NoAnswer { offset })
    }
}

/// Why a register access over FrontPanel failed: the USB link, the board's silence,
/// or the device's own AXI error response, told apart so that a driver on the PC
/// does not report a USB failure as a decode error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontPanelError {
    /// FrontPanel could not activate the access's trigger (its error code).
    Link {
        /// Byte offset of the access.
        offset: usize,
        /// FrontPanel's `ok_ErrorCode`.
        code: i32,
    },
    /// The status wire did not show the access done within its polls.
    NoAnswer {
        /// Byte offset of the access.
        offset: usize,
    },
    /// The device answered with an error response.
    Bus(BusError),
}

impl fmt::Display for FrontPanelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrontPanelError::Link { offset, code } => {
                write!(f, "FrontPanel error {code} at register offset {offset:#x}")
            }
            FrontPanelError::NoAnswer { offset } => write!(
                f,
                "no answer within {POLLS} polls at register offset {offset:#x}"
            ),
            FrontPanelError::Bus(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FrontPanelError {}

impl RegisterIo for FrontPanelIo {
    type Error = FrontPanelError;

    fn read32(&mut self, offset: Offset) -> Result<u32, FrontPanelError> {
        self.access(offset, None)
    }

    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), FrontPanelError> {
        self.access(offset, Some(value)).map(|_| ())
    }
}
