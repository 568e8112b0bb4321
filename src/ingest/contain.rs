//! Containing the third-party readers: a damaged file must be an error naming it, never a
//! crash, even when a parser we depend on panics on it (polars on a damaged Parquet page,
//! calamine on a cell reference with too many digits).
//!
//! The read runs under `catch_unwind`; a panic becomes an [`IngestError`] naming the file and
//! what failed. While a contained read runs, the panic hook prints nothing (the error says it
//! all); outside one, the previous hook runs as before, so xjscan's own bugs still show.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::IngestError;

/// How many contained reads are running (a data set reads partitions on several threads).
static CONTAINED: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Runs `read` on `file`; a panic inside it becomes an error saying that `reader` failed.
pub fn contained<T>(
    file: &str,
    reader: &str,
    read: impl FnOnce() -> Result<T, IngestError>,
) -> Result<T, IngestError> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CONTAINED.load(Ordering::SeqCst) == 0 {
                previous(info);
            }
        }));
    });
    CONTAINED.fetch_add(1, Ordering::SeqCst);
    let outcome = catch_unwind(AssertUnwindSafe(read));
    CONTAINED.fetch_sub(1, Ordering::SeqCst);
    outcome.unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Err(IngestError::Invalid {
            file: file.to_string(),
            message: format!(
                "{reader} failed on this file ({}); the file is damaged or not what its content suggests",
                why.lines().next().unwrap_or_default()
            ),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_an_error_naming_the_file() {
        let err = contained::<()>("x.xlsx", "the workbook reader", || {
            panic!("attempt to multiply with overflow")
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.xlsx: the workbook reader failed on this file (attempt to multiply with overflow); the file is damaged or not what its content suggests"
        );
        assert_eq!(contained("x", "r", || Ok(3)).ok(), Some(3));
    }
}
