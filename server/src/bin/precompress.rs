//! Build step of `make release` (scripts/release.sh): brotli and gzip files beside every
//! compressible file of the site, which the server then serves by `Accept-Encoding`.
//!
//! ```text
//! target/release/precompress target/release/site
//! ```

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir] = args.as_slice() else {
        eprintln!("usage: precompress SITE_ROOT");
        return ExitCode::from(2);
    };
    match server::precompress::precompress_dir(Path::new(dir)) {
        Ok(done) => {
            let size = |n: Option<u64>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
            for file in done {
                println!(
                    "{:>10} raw {:>10} gzip {:>10} brotli  {}",
                    file.raw,
                    size(file.gzip),
                    size(file.brotli),
                    file.path.display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("precompress: {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}
