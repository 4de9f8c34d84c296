//! The driver's [`RegisterIo`] over FrontPanel: each access sets the wire-ins, pulses the
//! trigger and polls the status wire-out until `done` flips (`cdm_hdl::board::wire_csr`).

use cdm_driver::io::{BusError, BusErrorKind, RegisterIo};
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

    fn access(&mut self, offset: usize, write: Option<u32>) -> Result<u32, BusError> {
        let fail = |kind| BusError { offset, kind };
        let data = write.unwrap_or(0);
        self.hnd.set_wire_in(ep::ADDR, offset as u16);
        self.hnd.set_wire_in(ep::WDATA_LO, data as u16);
        self.hnd.set_wire_in(ep::WDATA_HI, (data >> 16) as u16);
        let ctrl = if write.is_some() { ep::CTRL_WRITE } else { 0 };
        self.hnd.set_wire_in(ep::CTRL, ctrl);
        self.hnd.update_wire_ins();
        self.hnd
            .activate_trigger_in(ep::GO, 0)
            .map_err(|_| fail(BusErrorKind::DecErr))?;
        for _ in 0..POLLS {
            let status = self.status();
            let done = status & ep::STATUS_DONE != 0;
            if done != self.done {
                self.done = done;
                return match (status >> ep::STATUS_RESP_SHIFT) & 3 {
                    0 | 1 => {
                        let lo = u32::from(self.hnd.get_wire_out(ep::RDATA_LO));
                        let hi = u32::from(self.hnd.get_wire_out(ep::RDATA_HI));
                        Ok(hi << 16 | lo)
                    }
                    2 => Err(fail(BusErrorKind::SlvErr)),
                    _ => Err(fail(BusErrorKind::DecErr)),
                };
            }
        }
        // Nothing answered: what an interconnect says for an address nothing decodes.
        Err(fail(BusErrorKind::DecErr))
    }
}

impl RegisterIo for FrontPanelIo {
    fn read32(&mut self, offset: usize) -> Result<u32, BusError> {
        self.access(offset, None)
    }

    fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError> {
        self.access(offset, Some(value)).map(|_| ())
    }
}
