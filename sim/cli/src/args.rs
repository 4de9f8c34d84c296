//! Command-line values: sizes with binary units, output files opened before any
//! simulation starts, and limits whose errors name the value.

use std::fs::File;
use std::io::Write as _;
use std::num::IntErrorKind;
use std::path::{Path, PathBuf};

use cdm_sim::bench::{micros, CLOCK_MHZ};
use cdm_sim::host::migrate_job::MAX_LATENCY;

/// A byte count: decimal or `0x`-hex, with an optional binary unit (`K`/`KiB`,
/// `M`/`MiB`, `G`/`GiB`, any case): `65536`, `64K`, `8MiB`, `0x1000`.
pub fn size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (radix, body) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, t),
    };
    let (number, unit) = body.split_at(
        body.find(|c: char| !c.is_digit(radix))
            .unwrap_or(body.len()),
    );
    let value = u64::from_str_radix(number, radix).map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow => format!("`{text}` does not fit in 64 bits"),
        _ => format!("`{text}` is not a size (examples: 65536, 64K, 8MiB, 0x1000)"),
    })?;
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (K, M or G, binary)"
            ))
        }
    };
    value
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` does not fit in 64 bits"))
}

/// A memory latency in cycles, at most [`MAX_LATENCY`].
pub fn latency(text: &str) -> Result<u64, String> {
    let cycles: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of cycles"))?;
    if cycles > MAX_LATENCY {
        return Err(format!(
            "{cycles} cycles: at most {MAX_LATENCY} ({} us at {CLOCK_MHZ} MHz); slower memory \
             would trip the DMA watchdog and fail every copy",
            micros(MAX_LATENCY)
        ));
    }
    Ok(cycles)
}

/// A file the command writes at its end, created when the command starts so that a
/// bad path fails at once, not after minutes of simulation.
pub struct Output {
    path: PathBuf,
    file: File,
}

impl Output {
    /// Creates (or truncates) `path`; the error names it.
    pub fn create(path: &Path) -> Result<Output, String> {
        let file =
            File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Output {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Opens each of `paths` that is given.
    pub fn maybe(path: Option<&PathBuf>) -> Result<Option<Output>, String> {
        path.map(|p| Output::create(p)).transpose()
    }

    /// Writes `text` and says so.
    pub fn write(mut self, text: &str) -> Result<(), String> {
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))?;
        println!("wrote {}", self.path.display());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units_and_name_bad_values() {
        for (text, want) in [
            ("65536", 65536),
            ("64K", 64 << 10),
            ("64k", 64 << 10),
            ("64KiB", 64 << 10),
            ("8M", 8 << 20),
            ("8MiB", 8 << 20),
            ("1G", 1 << 30),
            ("0x1000", 0x1000),
            ("0x1f", 0x1f),
            ("0", 0),
        ] {
            assert_eq!(size(text), Ok(want), "{text}");
        }
        for bad in ["", "K", "64X", "-1", "1.5M", "0x", "18446744073709551616"] {
            let e = size(bad).expect_err(bad);
            assert!(e.contains(&format!("`{bad}`")), "{bad}: {e}");
        }
        let e = size("18446744073709551615K").unwrap_err();
        assert!(e.contains("64 bits"), "{e}");
        let e = size("17179869184G").unwrap_err();
        assert!(e.contains("64 bits"), "{e}");
    }

    #[test]
    fn latencies_stop_below_the_watchdog() {
        assert_eq!(latency("100"), Ok(100));
        assert_eq!(latency(&MAX_LATENCY.to_string()), Ok(MAX_LATENCY));
        let e = latency("100000").unwrap_err();
        assert!(e.contains("100000 cycles") && e.contains("watchdog"), "{e}");
        assert!(latency("fast").unwrap_err().contains("`fast`"));
    }

    #[test]
    fn an_unwritable_output_is_named_at_once() {
        let dir = std::env::temp_dir().join(format!("cdm-args-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("missing").join("out.json");
        let e = Output::create(&bad)
            .err()
            .expect("a missing directory fails");
        assert!(e.contains(&bad.display().to_string()), "{e}");
        let good = Output::create(&dir.join("out.json")).unwrap();
        good.write("{}").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("out.json")).unwrap(), "{}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
