//! The floor for the scale benchmark: how long polars takes just to read a Form 13F
//! `INFOTABLE.tsv` into memory (every column, as text, with the reader settings the scan uses),
//! and nothing else. `benches/scale.py` compares the whole scan with this.
//!
//! ```sh
//! cargo run --release --example read_floor -- target/dataset-3000000-13/INFOTABLE.tsv
//! ```

use std::time::Instant;

// The same allocator as the xjscan binary, so the floor is polars at its best.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: read_floor INFOTABLE.tsv")?;
    let start = Instant::now();
    let frame = xjscan::ingest::sec_dataset::scan_tsv(std::path::Path::new(&path))?.collect()?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "rows {} columns {} read_seconds {seconds:.3}",
        frame.height(),
        frame.width()
    );
    Ok(())
}
