//! Today's date for the terminal's note on stale reference data: `XJSCAN_TODAY` (YYYY-MM-DD)
//! when set, so a run can be reproduced byte for byte on another day, else the system clock.

use anyhow::{Context, Result, anyhow};

use crate::model::IsoDate;

/// How old reference data may be before the terminal says so.
pub const STALE_AFTER_DAYS: i64 = 90;

/// Today in UTC, or the date `XJSCAN_TODAY` names.
pub fn today() -> Result<IsoDate> {
    match std::env::var("XJSCAN_TODAY") {
        Ok(raw) => {
            let date: IsoDate = raw
                .parse()
                .map_err(|e: String| anyhow!(e))
                .context("XJSCAN_TODAY")?;
            if !date.is_complete() {
                return Err(anyhow!("XJSCAN_TODAY: `{raw}` needs a day (YYYY-MM-DD)"));
            }
            Ok(date)
        }
        Err(_) => {
            let (date, _) = crate::reference::update::now_utc();
            date.parse()
                .map_err(|e: String| anyhow!("the system clock gave {e}"))
        }
    }
}

/// The note for data `as_of` that is more than [`STALE_AFTER_DAYS`] old on `today`.
pub fn staleness(as_of: &str, today: &IsoDate) -> Option<String> {
    let as_of: IsoDate = as_of.parse().ok()?;
    let age = today.days() - as_of.days();
    (age > STALE_AFTER_DAYS).then(|| {
        format!(
            "the reference data is {age} days old (as of {as_of}); the lists change every few months: refresh it with `xjscan mappings update`"
        )
    })
}
