//! A small deterministic random source for stimulus, seeded from `CDM_SEED`.

/// SplitMix64: tiny, fast and good enough for stimulus; every run prints its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeds from `CDM_SEED` when set (decimal or 0x-hex); else from `CDM_SEED_BASE`
    /// mixed with `test`, so the shards of a CI matrix given one base each run distinct,
    /// reproducible seeds; else from the clock. Prints the seed so that any run can be
    /// reproduced with `CDM_SEED`.
    ///
    /// Panics on a malformed value: a typo must not silently run another seed.
    pub fn from_env(test: &str) -> Rng {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|text| parse_seed(name, &text).unwrap_or_else(|e| panic!("{test}: {e}")))
        };
        let seed = match (var("CDM_SEED"), var("CDM_SEED_BASE")) {
            (Some(seed), _) => seed,
            (None, Some(base)) => {
                // FNV-1a of the name, then one SplitMix step: nearby bases and similar
                // names still give unrelated seeds.
                let name = test.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
                });
                Rng(base ^ name).next_u64()
            }
            (None, None) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1),
        };
        eprintln!("{test}: seed {seed:#x} (reproduce with CDM_SEED={seed:#x})");
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as u64
    }
}

/// The length of a soak from the environment variable `var`, or `default`.
///
/// Panics on a malformed value: a typo must not silently run the default.
pub fn soak_length(var: &str, default: u64) -> u64 {
    match std::env::var(var) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{var}={text:?} is not a count")),
        Err(_) => default,
    }
}

/// A seed in variable `name`, written as decimal or `0x`-hex.
pub fn parse_seed(name: &str, text: &str) -> Result<u64, String> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
    .ok_or_else(|| format!("{name}={text:?} is not a 64-bit number (decimal or 0x-hex)"))
}

#[cfg(test)]
mod tests {
    use super::parse_seed;

    #[test]
    fn seeds_parse_or_name_the_bad_value() {
        assert_eq!(parse_seed("CDM_SEED", "12"), Ok(12));
        assert_eq!(parse_seed("CDM_SEED", "0x1f"), Ok(31));
        for bad in ["", "0x", "12abc", "0xfffffffffffffffff", "-1"] {
            let e = parse_seed("CDM_SEED_BASE", bad).expect_err(bad);
            assert!(e.contains(&format!("CDM_SEED_BASE={bad:?}")), "{e}");
        }
    }
}
