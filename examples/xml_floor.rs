//! The floor for the 13F XML benchmark: how long roxmltree takes just to read a Form 13F
//! information table into memory and walk its `infoTable` elements, and nothing else.
//! `benches/xml_rows.py` compares the whole scan of the same file with this.
//!
//! ```sh
//! cargo run --release --example xml_floor -- target/xml-rows/infotable-400000-13.xml
//! ```

use std::time::Instant;

// The same allocator as the xjscan binary, so the floor is roxmltree at its best.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: xml_floor INFOTABLE.xml")?;
    let start = Instant::now();
    let text = std::fs::read_to_string(&path)?;
    // The options the scan parses with: no DTD, so no entity is ever expanded.
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, options)?;
    let rows = doc
        .root_element()
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "infoTable")
        .count();
    let seconds = start.elapsed().as_secs_f64();
    println!("rows {rows} read_seconds {seconds:.3}");
    Ok(())
}
