//! Arbitrary bytes → (if UTF-8) one `.sop` file, parsed, checked and rendered.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = sopflow::SourceMap::new();
    sources.add("fuzz.sop", text);
    common::exercise(&sources);
});
