//! The pack parser on arbitrary bytes: decoded as a pack file, parsed as TOML answers and
//! service questions, and as a synonym file; then both together as one pack, and the
//! conflict check across two copies of it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sophia::content::pack;
use sophia::text::Synonyms;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = pack::decode("p/a.toml", data.to_vec()) else {
        return;
    };
    let parsed = pack::parse_file("p", "p/a.toml", &text);
    let _ = Synonyms::parse("p/synonyms.txt", &text);
    let _ = pack::parse_files("p", &[("p/a.toml", &text), ("p/synonyms.txt", &text)]);
    if let Ok(parsed) = parsed {
        let copy = parsed.clone();
        let _ = pack::conflicts(&[parsed, copy]);
    }
});
