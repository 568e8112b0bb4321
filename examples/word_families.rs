//! Counts `data/word_families.csv`: how many listed company families each name word names, from
//! the corpus's holdings files and the A-share list (see `data/README.md`).
//!
//! ```sh
//! cargo run --release --example word_families -- ../shared/corpus \
//!     ../shared/sources/raw/reference_cn_ashare_list/stock_basic.utf8.csv > data/word_families.csv
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [corpus, ashare] = args.as_slice() else {
        eprintln!("usage: word_families CORPUS_DIR ASHARE_LIST.csv > data/word_families.csv");
        return ExitCode::from(2);
    };
    let files = xjscan::resolve::rarity::sources(corpus, ashare);
    let holdings = &files[..files.len() - 1];
    match xjscan::resolve::rarity::build(holdings, ashare) {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
