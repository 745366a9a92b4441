//! The DLDB importer on arbitrary JSON: the input is a services export, or, when it holds
//! a NUL byte, a services export and a locations export (before and after the first NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sophia::content::dldb;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (services, locations) = match text.split_once('\0') {
        Some((services, locations)) => (services, Some(("locations.json", locations))),
        None => (text, None),
    };
    if let Ok(import) = dldb::import(("services.json", services), locations, "Fuzz") {
        // Every id an office lists is a service that was imported or skipped, never empty.
        for record in &import.services {
            assert!(!record.service.id.is_empty());
        }
    }
});
