//! Faults planted on purpose, to prove that the reconciliation catches a row lost or counted
//! twice: a check that cannot fail proves nothing.
//!
//! A fault is an option of the stage it breaks (`ExposureOptions::fault`); the command line
//! sets it from `XJSCAN_FAULT` only in debug builds, which is what the test suite runs, and a
//! release build never reads that variable.

/// A planted fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Fault {
    #[default]
    None,
    /// The first row is left out of its bucket.
    DropRow,
    /// The first row is added to its bucket twice.
    DoubleRow,
}

impl Fault {
    /// `XJSCAN_FAULT=drop-row|double-row` in a debug build; `Fault::None` otherwise.
    pub fn from_env() -> Fault {
        #[cfg(debug_assertions)]
        {
            match std::env::var("XJSCAN_FAULT").as_deref() {
                Ok("drop-row") => Fault::DropRow,
                Ok("double-row") => Fault::DoubleRow,
                _ => Fault::None,
            }
        }
        #[cfg(not(debug_assertions))]
        {
            Fault::None
        }
    }

    /// How many times row `index` is added to its bucket: once, unless a fault is planted on it.
    pub fn times(self, index: usize) -> u8 {
        match (self, index) {
            (Fault::DropRow, 0) => 0,
            (Fault::DoubleRow, 0) => 2,
            _ => 1,
        }
    }
}
