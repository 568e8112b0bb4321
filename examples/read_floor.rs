//! The floor for the scale benchmarks: how long polars takes just to read a data set's big
//! table (Form 13F `INFOTABLE.tsv`, Form N-PORT `FUND_REPORTED_HOLDING.tsv`) into memory, as
//! text, with the reader settings the scan uses, and nothing else. With `--columns`, only
//! those columns are kept (the ones the scan reads), which is the faster floor.
//! `benches/scale.py` and `benches/nport_scale.py` compare the whole scan with this.
//!
//! ```sh
//! cargo run --release --example read_floor -- target/dataset-3000000-13/INFOTABLE.tsv
//! cargo run --release --example read_floor -- FUND_REPORTED_HOLDING.tsv --columns A,B,C
//! ```

use std::time::Instant;

use polars::prelude::*;

// The same allocator as the xjscan binary, so the floor is polars at its best.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: read_floor TABLE.tsv [--columns A,B,...]")?;
    let columns: Option<Vec<String>> = match (args.next().as_deref(), args.next()) {
        (Some("--columns"), Some(list)) => Some(list.split(',').map(str::to_string).collect()),
        (None, _) => None,
        _ => return Err("usage: read_floor TABLE.tsv [--columns A,B,...]".into()),
    };
    let start = Instant::now();
    let mut frame = xjscan::ingest::sec_dataset::scan_tsv(std::path::Path::new(&path))?;
    if let Some(columns) = columns {
        frame = frame.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>());
    }
    let frame = frame.collect()?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "rows {} columns {} read_seconds {seconds:.3}",
        frame.height(),
        frame.width()
    );
    Ok(())
}
