//! Compiles the numbering plan's patterns for ASCII digits, for a tenth of the memory.
//!
//! The `phonenumber` crate keeps every pattern of its metadata as source text and compiles it on
//! first use into a shared cache keyed by that text. It compiles with Unicode on, where `\d` is
//! every decimal digit of every script: one country's validation patterns (Germany's fixed-line
//! pattern alone is 473 characters of `\d{n,m}` ranges) then take about 1.7 MB, which is most of
//! an idle server's heap.
//!
//! The patterns only ever see a national number the library has already reduced to ASCII digits
//! (it stores it as an integer), so for them `\d` and `[0-9]` cannot differ. Putting our own
//! ASCII-compiled regex into the cache under the same source text before the library looks makes
//! it use that one: same answers, about a tenth of the memory (about 0.1 MB per country).
//!
//! This is only an optimisation, done once per country code. If an entry cannot be built this
//! way, or the cache (it holds 100, eight countries' worth) evicts it later, the library compiles
//! its own as before: the same answers, the old memory.

use std::sync::atomic::{AtomicBool, Ordering};

use phonenumber::metadata::{DATABASE, Descriptor, Metadata};
use regex_cache::RegexCache;

/// Country codes (1 to 999) whose patterns [`prepare`] has put into the cache. Checked first so
/// that validating a number costs one atomic load here, not a lock and a dozen hashed lookups
/// (those doubled the time of a validation).
static PREPARED: [AtomicBool; 1000] = [const { AtomicBool::new(false) }; 1000];

/// Compiles, unless already cached, the validation patterns of the country behind `code`: its
/// only region, or its main one where regions share a code (`US` for +1, `GB` for +44). The other
/// regions of a shared code are left to the library, so that a call never compiles more than a
/// dozen patterns.
pub(super) fn prepare(code: u16) {
    let Some(prepared) = PREPARED.get(usize::from(code)) else { return };
    if prepared.load(Ordering::Acquire) {
        return;
    }
    if let Ok(mut cache) = DATABASE.cache().lock() {
        compile_into(&mut cache, code);
    }
    // Marked only once the patterns are in: a thread that sees the mark finds them there.
    prepared.store(true, Ordering::Release);
}

/// [`prepare`]'s work, into a cache already locked.
fn compile_into(cache: &mut RegexCache, code: u16) {
    let Some(regions) = DATABASE.by_code(&code) else { return };
    let single = regions.len() == 1;
    for meta in regions.into_iter().filter(|m| single || m.is_main_country_for_code()) {
        for source in validation_sources(meta) {
            // An error leaves the entry out; the library then compiles the pattern itself.
            let _ = cache.configure(source, |b| b.ignore_whitespace(true).unicode(false));
        }
    }
}

/// The pattern sources that validating a number of `meta`'s region and telling its type reads.
fn validation_sources(meta: &Metadata) -> impl Iterator<Item = &str> {
    let d = meta.descriptors();
    let types = [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.personal_number(),
        d.voip(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ];
    std::iter::once(d.general())
        .chain(types.into_iter().flatten())
        .map(|desc: &Descriptor| desc.national_number().as_str())
        .chain(meta.leading_digits().map(|p| p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::E164;

    /// Every region of the numbering plan, with its country code.
    fn regions() -> impl Iterator<Item = &'static Metadata> {
        (1..1000u16).filter_map(|code| DATABASE.by_code(&code)).flatten()
    }

    /// Digit strings near `example`: itself, every digit changed, shortened and lengthened.
    fn neighbours(example: &str) -> Vec<String> {
        let mut out = vec![example.to_owned(), format!("{example}0"), format!("{example}99")];
        for cut in 1..example.len() {
            out.push(example[..cut].to_owned());
        }
        for (i, _) in example.char_indices() {
            for d in ['0', '5', '9'] {
                let mut s = example.to_owned();
                s.replace_range(i..=i, &d.to_string());
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn ascii_and_unicode_patterns_agree_on_digits() {
        let mut compared = 0;
        for meta in regions() {
            let d = meta.descriptors();
            let examples: Vec<&str> = [d.fixed_line(), d.mobile(), d.toll_free(), d.premium_rate(), d.voip()]
                .into_iter()
                .flatten()
                .filter_map(|desc| desc.example())
                .collect();
            for source in validation_sources(meta) {
                let unicode = regex::RegexBuilder::new(source).ignore_whitespace(true).build().unwrap();
                let ascii = regex::RegexBuilder::new(source).ignore_whitespace(true).unicode(false).build().unwrap();
                for text in examples.iter().flat_map(|e| neighbours(e)) {
                    let at_start = |r: &regex::Regex| r.find(&text).map(|m| m.start());
                    assert_eq!(at_start(&unicode), at_start(&ascii), "{} `{source}` on {text}", meta.id());
                    compared += 1;
                }
            }
        }
        assert!(compared > 100_000, "only {compared} comparisons: the region walk found too little");
    }

    #[test]
    fn prepared_patterns_are_compiled_for_ascii_digits() {
        let de = DATABASE.by_id("DE").unwrap();
        let source = de.descriptors().general().national_number().as_str();
        // `3` and six Arabic-Indic digits: a national number only to a pattern compiled with
        // Unicode, whose `\d` takes every script's digits.
        let text = "3\u{661}\u{662}\u{663}\u{664}\u{665}\u{666}";
        let unicode = regex::RegexBuilder::new(source).ignore_whitespace(true).build().unwrap();
        assert!(unicode.is_match(text));
        // Under one lock, so that no other test's validation can put its own build in between;
        // released before asserting, since a lock poisoned by a panic would fail every other test.
        let cache = DATABASE.cache();
        let mut cache = cache.lock().unwrap();
        cache.remove(source);
        compile_into(&mut cache, 49);
        let matched = cache.configure(source, |b| b).unwrap().is_match(text);
        drop(cache);
        assert!(!matched, "the library's cache holds the Unicode build of DE's pattern");
    }

    #[test]
    fn numbers_validate_and_are_typed_through_the_prepared_patterns() {
        let cases = [
            ("+493033081738", true, false),
            ("+491604366218", true, true),
            ("+4930330817", true, false),
            ("+49301", false, false),
            ("+12125550142", true, true), // North America does not tell mobiles apart
            ("+15145550123", true, true), // Canada, the second region of +1
            ("+447400123456", true, true),
            ("+442079460000", true, false),
            ("+33612345678", true, true),
            ("+33142685300", true, false),
            ("+436641234567", true, true),
            ("+41781234567", true, true),
        ];
        for (raw, valid, mobile) in cases {
            match E164::parse_strict(raw) {
                Ok(n) => {
                    assert!(valid, "{raw} accepted");
                    assert_eq!(n.is_mobile(), mobile, "{raw}");
                }
                Err(e) => assert!(!valid, "{raw}: {e}"),
            }
        }
    }
}
