//! Lenient matching of what a caller said against names: case, umlauts (`ä` = `ae`), filler words
//! and small slips of the tongue or transcription.

/// Folds text for comparison: lowercase, `ä`→`ae`, `ß`→`ss`, accents dropped, punctuation turned
/// into single spaces.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let mapped: &str = match c {
            'ä' => "ae",
            'ö' => "oe",
            'ü' => "ue",
            'ß' => "ss",
            'á' | 'à' | 'â' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
            'ó' | 'ò' | 'ô' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' => "u",
            'ç' => "c",
            'ñ' => "n",
            'ğ' => "g",
            'ş' => "s",
            c if c.is_alphanumeric() => {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
                continue;
            }
            _ => {
                pending_space = true;
                continue;
            }
        };
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push_str(mapped);
    }
    out
}

/// How well a query matches a candidate name (higher is better).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Score {
    /// A slip: one or two letters off in a long word.
    Close,
    /// The query contains the name as whole words, or the name starts with the query.
    Partial,
    /// Equal after folding.
    Exact,
}

/// Scores a folded `query` against a folded `name`.
pub fn score(query: &str, name: &str) -> Option<Score> {
    if query.is_empty() || name.is_empty() {
        return None;
    }
    if query == name {
        return Some(Score::Exact);
    }
    let padded_query = format!(" {query} ");
    if padded_query.contains(&format!(" {name} ")) || (query.len() >= 4 && name.starts_with(query)) {
        return Some(Score::Partial);
    }
    let limit = match name.len() {
        0..=4 => 0,
        5..=9 => 1,
        _ => 2,
    };
    (limit > 0 && query.split(' ').chain(std::iter::once(query)).any(|w| edit_distance(w, name) <= limit))
        .then_some(Score::Close)
}

/// The result of looking a name up among candidates.
#[derive(Debug, PartialEq, Eq)]
pub enum Match<T> {
    /// Exactly one best candidate.
    One(T),
    /// Several candidates match equally well.
    Ambiguous(Vec<T>),
    /// Nothing matches.
    None,
}

/// Picks the best-scoring candidates; `names` yields the folded names each candidate answers to.
pub fn best<T: Copy + PartialEq, I: IntoIterator<Item = String>>(
    query: &str,
    candidates: impl IntoIterator<Item = T>,
    names: impl Fn(T) -> I,
) -> Match<T> {
    let query = fold(query);
    let mut best_score = None;
    let mut winners: Vec<T> = Vec::new();
    for candidate in candidates {
        let Some(s) = names(candidate).into_iter().filter_map(|n| score(&query, &n)).max() else {
            continue;
        };
        match best_score {
            Some(b) if s < b => {}
            Some(b) if s == b => {
                if !winners.contains(&candidate) {
                    winners.push(candidate);
                }
            }
            _ => {
                best_score = Some(s);
                winners = vec![candidate];
            }
        }
    }
    match winners.len() {
        0 => Match::None,
        1 => Match::One(winners[0]),
        _ => Match::Ambiguous(winners),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Färben"), "faerben");
        assert_eq!(fold("  Haare   FÄRBEN! "), "haare faerben");
        assert_eq!(fold("Mehmet Yılmaz"), "mehmet yilmaz");
        assert_eq!(fold("check-up"), "check up");
    }

    #[test]
    fn scoring() {
        assert_eq!(score("faerben", "faerben"), Some(Score::Exact));
        assert_eq!(score("einen herrenhaarschnitt bitte", "herrenhaarschnitt"), Some(Score::Partial));
        assert_eq!(score("herrenhaarschnit", "herrenhaarschnitt"), Some(Score::Partial));
        assert_eq!(score("herenhaarschnitt", "herrenhaarschnitt"), Some(Score::Close));
        assert_eq!(score("farbe", "faerben"), None);
        assert_eq!(score("cut", "cat"), None);
    }

    #[test]
    fn best_reports_ties() {
        let names = |n: &'static str| vec![fold(n)];
        assert_eq!(best("anna", ["Anna", "Lena"], names), Match::One("Anna"));
        assert_eq!(best("xyz", ["Anna", "Lena"], names), Match::None);
        assert_eq!(
            best("haarschnitt", ["Haarschnitt", "haarschnitt"], names),
            Match::Ambiguous(vec!["Haarschnitt", "haarschnitt"])
        );
    }
}
