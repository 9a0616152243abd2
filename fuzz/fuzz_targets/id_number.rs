//! The ID-number parser: any text gives a number or a clean error, and an accepted number parses
//! again to itself. Seeds: `crates/shouwang-core/tests/corpus`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shouwang_core::id_number::{IdKind, PersonId};
use shouwang_core::Date;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(today) = Date::new(2025, 11, 23) else {
        return;
    };
    for kind in [IdKind::ResidentId, IdKind::DisabilityCard, IdKind::Other] {
        if let Ok(id) = PersonId::parse(kind, text, today) {
            assert_eq!(PersonId::parse(kind, &id.number, today).ok(), Some(id));
        }
    }
});
