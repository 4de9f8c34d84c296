//! A bus over an array of words that records every access.

use std::vec::Vec;

use crate::io::{BusError, BusErrorKind, Offset, RegisterIo};
use crate::regs::SIZE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Read(usize),
    Write(usize, u32),
}

pub struct Fake {
    pub words: [u32; SIZE / 4],
    pub log: Vec<Op>,
    /// Accesses to this offset answer with this error.
    pub fail: Option<(usize, BusErrorKind)>,
}

impl Fake {
    pub fn new() -> Fake {
        Fake {
            words: [0; SIZE / 4],
            log: Vec::new(),
            fail: None,
        }
    }

    pub fn writes(&self) -> Vec<(usize, u32)> {
        self.log
            .iter()
            .filter_map(|op| match *op {
                Op::Write(offset, value) => Some((offset, value)),
                Op::Read(_) => None,
            })
            .collect()
    }

    fn check(&self, offset: Offset) -> Result<usize, BusError> {
        match self.fail {
            Some((at, kind)) if at == offset.get() => Err(BusError {
                offset: offset.get(),
                kind,
            }),
            _ => Ok(offset.word()),
        }
    }
}

impl RegisterIo for Fake {
    type Error = BusError;

    fn read32(&mut self, offset: Offset) -> Result<u32, BusError> {
        self.log.push(Op::Read(offset.get()));
        let word = self.check(offset)?;
        Ok(self.words[word])
    }

    fn write32(&mut self, offset: Offset, value: u32) -> Result<(), BusError> {
        self.log.push(Op::Write(offset.get(), value));
        let word = self.check(offset)?;
        self.words[word] = value;
        Ok(())
    }
}
