//! Fuzz target of the ID-number parser, as a property test: the seeds of
//! `tests/corpus/id_numbers.txt`, mutated, and arbitrary text give a number or a clean error,
//! never a panic; and what is accepted is accepted again as it was normalised, whatever kind.

use proptest::prelude::*;
use shouwang_core::id_number::{IdKind, IdNumber, PersonId};
use shouwang_core::Date;

fn today() -> Date {
    Date::new(2025, 11, 23).unwrap()
}

fn seeds() -> Vec<String> {
    let text = include_str!("corpus/id_numbers.txt");
    text.lines().map(String::from).collect()
}

const KINDS: [IdKind; 3] = [IdKind::ResidentId, IdKind::DisabilityCard, IdKind::Other];

/// Parses `text` as every kind; an accepted number parses again to itself.
fn check(text: &str) -> Result<(), TestCaseError> {
    for kind in KINDS {
        if let Ok(id) = PersonId::parse(kind, text, today()) {
            let again = PersonId::parse(kind, &id.number, today());
            prop_assert_eq!(again.as_ref().ok(), Some(&id));
            if let Some(resident) = &id.resident {
                prop_assert_eq!(resident.as_str().len(), 18);
                let _ = (resident.birth_date(), resident.sex(), resident.area());
            }
        }
    }
    if let Ok(id) = IdNumber::parse(text, today()) {
        prop_assert!(id.birth_date() <= today());
    }
    Ok(())
}

/// One change to a seed: a character replaced, inserted or removed.
fn mutate(seed: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for (at, op, c) in edits {
        let n = chars.len();
        match op % 3 {
            0 if n > 0 => chars[at % n] = *c,
            1 => chars.insert(at % (n + 1), *c),
            _ if n > 0 => {
                chars.remove(at % n);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('0', '9'),
        prop::char::range('０', '９'),
        prop::sample::select(vec![
            'X', 'x', 'Ｘ', 'ｘ', ' ', '\t', '\u{3000}', '-', 'é', '户', '\u{0}'
        ]),
        any::<char>(),
    ]
}

/// Cases per target: a few hundred with the other tests; set `PROPTEST_CASES` for a long run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_seeds_parse_or_fail_cleanly(
        seed in 0usize..64,
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), interesting_char()), 0..6)
    ) {
        let seeds = seeds();
        check(&mutate(&seeds[seed % seeds.len()], &edits))?;
    }

    #[test]
    fn arbitrary_text_parses_or_fails_cleanly(text in "\\PC{0,40}|[0-9Xx ]{0,24}") {
        check(&text)?;
    }
}

#[test]
fn the_seeds_hold_valid_numbers_of_every_kind() {
    let seeds = seeds();
    assert!(PersonId::parse(IdKind::ResidentId, &seeds[0], today()).is_ok());
    assert!(PersonId::parse(IdKind::ResidentId, &seeds[3], today()).is_ok()); // full-width
    assert!(PersonId::parse(IdKind::DisabilityCard, "51082119520611124X11", today()).is_ok());
    assert!(PersonId::parse(IdKind::Other, "AB-12345-CD", today()).is_ok());
}
