//! The XZuFi 2.2 importer on arbitrary XML: one file, or two when the input holds a NUL
//! byte (a leistung in one file and its organisationseinheit in the other).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sophia::content::xzufi;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files: Vec<(&str, &str)> = match text.split_once('\0') {
        Some((a, b)) => vec![("a.xml", a), ("b.xml", b)],
        None => vec![("a.xml", text)],
    };
    let _ = xzufi::import_files(&files, "Fuzz");
});
