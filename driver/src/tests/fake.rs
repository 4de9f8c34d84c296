//! A bus over an array of words that records every access.

use std::vec::Vec;

use crate::io::{BusError, BusErrorKind, RegisterIo};
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

    fn check(&self, offset: usize) -> Result<usize, BusError> {
        assert_eq!(offset % 4, 0, "misaligned offset {offset:#x}");
        assert!(
            offset < SIZE,
            "offset {offset:#x} outside the register space"
        );
        match self.fail {
            Some((at, kind)) if at == offset => Err(BusError { offset, kind }),
            _ => Ok(offset / 4),
        }
    }
}

impl RegisterIo for Fake {
    fn read32(&mut self, offset: usize) -> Result<u32, BusError> {
        self.log.push(Op::Read(offset));
        let word = self.check(offset)?;
        Ok(self.words[word])
    }

    fn write32(&mut self, offset: usize, value: u32) -> Result<(), BusError> {
        self.log.push(Op::Write(offset, value));
        let word = self.check(offset)?;
        self.words[word] = value;
        Ok(())
    }
}
