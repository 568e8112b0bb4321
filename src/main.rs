//! The `xjscan` binary: parses the command line and runs it; all logic is in the library.

// polars allocates and frees millions of small strings per data set; mimalloc does that much
// faster than the system allocator (see benches/scale.py). The read-floor example uses it too,
// so the comparison stays fair.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    xjscan::cli::main()
}
