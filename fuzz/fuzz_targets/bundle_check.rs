//! Arbitrary bytes → a bundle of 2–3 `.sop` files, so that cross-file name
//! resolution, duplicates and call cycles are fuzzed.
//!
//! The input is split on the byte 0xFF (never part of UTF-8) into at most
//! three files; without a separator it is split in the middle. Each part is
//! decoded lossily, so stray invalid bytes become U+FFFD.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

/// Separates the files of a bundle in the fuzz input.
const SEPARATOR: u8 = 0xFF;

fuzz_target!(|data: &[u8]| {
    let mut parts: Vec<&[u8]> = data.splitn(3, |&b| b == SEPARATOR).collect();
    if parts.len() == 1 {
        let (a, b) = data.split_at(data.len() / 2);
        parts = vec![a, b];
    }
    let mut sources = sopflow::SourceMap::new();
    for (i, part) in parts.iter().enumerate() {
        sources.add(
            format!("f{i}.sop"),
            String::from_utf8_lossy(part).into_owned(),
        );
    }
    let first = common::exercise(&sources);
    // Checking is pure: a second run gives exactly the same diagnostics.
    let second = sopflow::check_sources(&sources, &sopflow::CheckConfig::default());
    assert_eq!(
        first.diagnostics, second.diagnostics,
        "checking is not deterministic"
    );
});
