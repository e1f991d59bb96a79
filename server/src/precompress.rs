//! Build step of `make release`: writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip,
//! level 9) beside every compressible file of the site, so the server sends the smallest
//! encoding the browser accepts without compressing anything per request (see
//! `static_files`). Compressing this hard takes seconds for the wasm: affordable once per
//! build, not per answer.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Extensions worth compressing: text and wasm. Images, fonts and archives already are.
const COMPRESSIBLE: &[&str] = &[
    "wasm", "js", "mjs", "css", "svg", "json", "html", "txt", "map",
];

/// What was written for one file.
#[derive(Debug, PartialEq, Eq)]
pub struct Compressed {
    pub path: PathBuf,
    pub raw: u64,
    /// `None` when the encoding did not make the file smaller (no file is written then).
    pub gzip: Option<u64>,
    pub brotli: Option<u64>,
}

/// Compresses every compressible file under `dir` (recursively), replacing earlier `.br` and
/// `.gz` files. Returns what it did, in path order.
pub fn precompress_dir(dir: &Path) -> io::Result<Vec<Compressed>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    files.iter().map(|path| precompress_file(path)).collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e))
        {
            files.push(path);
        }
    }
    Ok(())
}

fn precompress_file(path: &Path) -> io::Result<Compressed> {
    let raw = std::fs::read(path)?;
    let gzip = write_if_smaller(path, "gz", raw.len(), gzip(&raw)?)?;
    let brotli = write_if_smaller(path, "br", raw.len(), brotli(&raw)?)?;
    Ok(Compressed {
        path: path.to_path_buf(),
        raw: raw.len() as u64,
        gzip,
        brotli,
    })
}

fn write_if_smaller(path: &Path, ext: &str, raw: usize, data: Vec<u8>) -> io::Result<Option<u64>> {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    let target = PathBuf::from(name);
    if data.len() >= raw {
        // A stale variant from an earlier build would be served instead of the file.
        match std::fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        return Ok(None);
    }
    std::fs::write(&target, &data)?;
    Ok(Some(data.len() as u64))
}

pub fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

pub fn brotli(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_both_encodings_beside_compressible_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        std::fs::create_dir(&pkg).unwrap();
        let js = "export function hydrate() { return 'hydrate'; }\n".repeat(50);
        std::fs::write(pkg.join("latch.abc.js"), &js).unwrap();
        std::fs::write(dir.path().join("photo.png"), [0u8; 4096]).unwrap();
        // Too small to gain: no variant, and a stale one goes.
        std::fs::write(dir.path().join("tiny.svg"), "<svg/>").unwrap();
        std::fs::write(dir.path().join("tiny.svg.br"), "stale").unwrap();

        let done = precompress_dir(dir.path()).unwrap();
        assert_eq!(done.len(), 2, "{done:?}");

        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&std::fs::read(pkg.join("latch.abc.js.gz")).unwrap()[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, js);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(
            &mut &std::fs::read(pkg.join("latch.abc.js.br")).unwrap()[..],
            &mut unbrotlied,
        )
        .unwrap();
        assert_eq!(unbrotlied, js.as_bytes());

        assert!(!dir.path().join("photo.png.br").exists());
        assert!(!dir.path().join("tiny.svg.br").exists());
        assert!(!dir.path().join("tiny.svg.gz").exists());
    }
}
