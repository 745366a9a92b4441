//! Variants of one service in the catalogue: services whose names share most of their
//! words ("Beglaubigung von bis zu 5 / bis zu 20 / mehr als 20 Dokumenten",
//! "Altersrente (Vor-Ort-Termin)" / "(Telefon-Termin)"), or the head before a dash in a
//! small family ("Notfall-Hilfe Aufenthaltstitel – Studierende, …" / "– Beschäftigte, …").

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Names sharing at least this share of the lighter name's weight are variants.
pub const MIN_NAME_OVERLAP: f32 = 0.6;
/// At most this many services sharing a name head are variants of one service.
pub const MAX_HEAD_FAMILY: usize = 4;
/// A word in more names than this says nothing about kinship ("Erlaubnis", "Antrag").
const MAX_WORD_SPREAD: usize = 200;

/// An analysed name: its words with their weights (rarity in the catalogue).
pub type WeightedName = [(String, f32)];

/// True when two analysed names are variants of one service: the words they share carry
/// most of the weight of the lighter name. Common words ("Termin", "vor", "Ort") weigh
/// little, so "Altersrente (Vor-Ort-Termin)" is no variant of "Auskunft zur Rente
/// (Vor-Ort-Termin)", while "(Telefon-Termin)" is.
///
/// ```
/// use sophia::search::variants::are_variants;
/// let name = |words: &[(&str, f32)]| words.iter().map(|(w, x)| (w.to_string(), *x)).collect::<Vec<_>>();
/// let five = name(&[("beglaub", 4.0), ("bis", 1.0), ("5", 2.2), ("dokument", 2.0)]);
/// let more = name(&[("beglaub", 4.0), ("mehr", 1.0), ("20", 2.3), ("dokument", 2.0)]);
/// assert!(are_variants(&five, &more));
/// assert!(!are_variants(&five, &name(&[("reisepass", 3.0)])));
/// ```
pub fn are_variants(a: &WeightedName, b: &WeightedName) -> bool {
    let weight = |n: &WeightedName| n.iter().map(|(_, w)| w).sum::<f32>();
    let lighter = weight(a).min(weight(b));
    if lighter <= 0.0 {
        return false;
    }
    let shared: f32 = a
        .iter()
        .filter(|(t, _)| b.iter().any(|(u, _)| u == t))
        .map(|(_, w)| w)
        .sum();
    shared >= MIN_NAME_OVERLAP * lighter
}

/// The head of a service name that names its variant after a dash ("Aufenthaltserlaubnis
/// – Au-pair" → "Aufenthaltserlaubnis"), or the whole name when it has no such dash: the
/// general service whose variants carry the dash ("Wohnsitzanmeldung" and "Wohnsitzanmeldung
/// – Familie"). Compared normalised.
///
/// ```
/// use sophia::search::variants::name_head;
/// assert_eq!(name_head("Aufenthaltserlaubnis – Au-pair"), "aufenthaltserlaubnis");
/// assert_eq!(name_head("Wohnsitzanmeldung"), "wohnsitzanmeldung");
/// assert_eq!(name_head("Duldung - Ausbildung (§ 60c AufenthG)"), "duldung");
/// assert_eq!(name_head("Waffen- bzw. Munitionsabgabe"), "waffen- bzw. munitionsabgabe");
/// ```
pub fn name_head(name: &str) -> String {
    let head = [" – ", " — ", " - "]
        .iter()
        .filter_map(|dash| name.find(dash))
        .min()
        .map_or(name, |end| &name[..end]);
    crate::text::normalize_word(head.trim())
}

/// For every service (by position in the catalogue), its variants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Variants {
    of: Vec<Vec<usize>>,
}

impl Variants {
    /// Finds the variants among the services with `names`; only services with
    /// `eligible[i]` take part.
    pub fn build(names: &[Vec<(String, f32)>], eligible: &[bool]) -> Variants {
        Self::build_within(names, eligible, &[], &[])
    }

    /// Like [`Variants::build`], but services are variants only within their group
    /// (`groups[i]`, 0 when missing): in a national catalogue, the copies of one service for
    /// other authorities are no variants of it, and a word's spread counts per group.
    /// Services whose names share their head ([`name_head`]: "Notfall-Hilfe Aufenthaltstitel
    /// – Studierende" and "– Beschäftigte") are variants too, however much their qualifiers
    /// weigh, when at most [`MAX_HEAD_FAMILY`] eligible services of their group share it (the
    /// 25 "Aufenthaltserlaubnis – …" are distinct services); `heads[i]` is that head, when
    /// known.
    ///
    /// ```
    /// use sophia::search::variants::Variants;
    /// let name = |w: &str| vec![(w.to_string(), 1.0), ("antrag".to_string(), 0.1)];
    /// let names = [name("reisepass"), name("reisepass"), name("reisepass")];
    /// let v = Variants::build_within(&names, &[true; 3], &[1, 2, 1], &[]);
    /// assert_eq!(v.of(0), [2]);
    /// assert!(v.of(1).is_empty());
    /// ```
    pub fn build_within(
        names: &[Vec<(String, f32)>],
        eligible: &[bool],
        groups: &[usize],
        heads: &[Option<String>],
    ) -> Variants {
        let group_of = |i: usize| groups.get(i).copied().unwrap_or(0);
        let head = |i: usize| heads.get(i).and_then(Option::as_deref);
        // Per group and head, how many eligible services share it: a large family is one of
        // distinct services, not one service in variants.
        let mut family: HashMap<(usize, &str), usize> = HashMap::new();
        for i in 0..names.len() {
            if let Some(h) = head(i)
                && eligible.get(i).copied().unwrap_or(false)
            {
                *family.entry((group_of(i), h)).or_default() += 1;
            }
        }
        let same_head = |a: usize, b: usize| match (head(a), head(b)) {
            (Some(x), Some(y)) if x == y => {
                family.get(&(group_of(a), x)).copied().unwrap_or(0) <= MAX_HEAD_FAMILY
            }
            _ => false,
        };
        let mut by_word: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
        for (i, name) in names.iter().enumerate() {
            if eligible.get(i).copied().unwrap_or(false) {
                let group = groups.get(i).copied().unwrap_or(0);
                for (word, _) in name {
                    let list = by_word.entry((group, word.as_str())).or_default();
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
        let mut of = vec![Vec::new(); names.len()];
        for list in by_word.values().filter(|l| l.len() <= MAX_WORD_SPREAD) {
            for (k, &a) in list.iter().enumerate() {
                for &b in &list[k + 1..] {
                    if !of[a].contains(&b)
                        && (same_head(a, b) || are_variants(&names[a], &names[b]))
                    {
                        of[a].push(b);
                        of[b].push(a);
                    }
                }
            }
        }
        for list in &mut of {
            list.sort_unstable();
        }
        Variants { of }
    }

    /// The variants of the service at `ordinal`.
    pub fn of(&self, ordinal: usize) -> &[usize] {
        self.of.get(ordinal).map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names with made-up weights: rare words weigh more, as in the catalogue.
    fn names(list: &[&str]) -> Vec<Vec<(String, f32)>> {
        let weight = |w: &str| match w {
            "bis" | "mehr" | "sb" => 0.5,
            "5" | "20" | "dokument" => 2.0,
            _ => 4.0,
        };
        list.iter()
            .map(|n| {
                n.split_whitespace()
                    .map(|w| (w.to_string(), weight(w)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn names_sharing_a_head_are_variants_whatever_their_qualifiers_weigh() {
        let n = names(&[
            "notfall studier hochschul",
            "notfall beschaftigt angehorig",
            "reisepass",
        ]);
        // By their words alone, the heavy qualifiers keep them apart.
        assert!(Variants::build(&n, &[true; 3]).of(0).is_empty());
        let head = |h: &str| Some(h.to_string());
        let heads = [head("notfall-hilfe"), head("notfall-hilfe"), None];
        let v = Variants::build_within(&n, &[true; 3], &[], &heads);
        assert_eq!(v.of(0), [1]);
        assert_eq!(v.of(1), [0]);
        assert!(v.of(2).is_empty());
    }

    #[test]
    fn a_large_family_sharing_a_head_is_no_set_of_variants() {
        let n = names(&[
            "titel au",
            "titel schul",
            "titel arbeit",
            "titel studi",
            "titel asyl",
        ]);
        let head = Some("aufenthaltserlaubnis".to_string());
        let at_cap = vec![head.clone(); MAX_HEAD_FAMILY];
        let v = Variants::build_within(&n, &[true; 5], &[], &at_cap);
        assert_eq!(v.of(0).len(), MAX_HEAD_FAMILY - 1);
        let over = vec![head.clone(); MAX_HEAD_FAMILY + 1];
        assert!(
            Variants::build_within(&n, &[true; 5], &[], &over)
                .of(0)
                .is_empty()
        );
        // Counted per group and among the eligible only: copies for another authority or
        // services not facing citizens do not grow the family.
        let groups = [0, 0, 0, 1, 1];
        let v = Variants::build_within(&n, &[true; 5], &groups, &over);
        assert_eq!(v.of(0), [1, 2]);
        assert_eq!(v.of(3), [4]);
        let eligible = [true, true, false, true, true];
        let v = Variants::build_within(&n, &eligible, &[], &over);
        assert_eq!(v.of(0), [1, 3, 4]);
    }

    #[test]
    fn variants_are_found_both_ways() {
        let n = names(&[
            "beglaub bis 5 dokument",
            "beglaub bis 20 dokument",
            "beglaub mehr 20 dokument",
            "reisepass",
        ]);
        let v = Variants::build(&n, &[true; 4]);
        assert_eq!(v.of(0), [1, 2]);
        assert_eq!(v.of(2), [0, 1]);
        assert!(v.of(3).is_empty());
    }

    #[test]
    fn sharing_only_common_words_does_not_make_variants() {
        let n = names(&["altersrent vor ort termin", "auskunft rent vor ort termin"]);
        let weighted: Vec<Vec<(String, f32)>> = n
            .into_iter()
            .map(|name| {
                name.into_iter()
                    .map(|(w, x)| {
                        let x = if ["vor", "ort", "termin"].contains(&w.as_str()) {
                            0.5
                        } else {
                            x
                        };
                        (w, x)
                    })
                    .collect()
            })
            .collect();
        assert!(!are_variants(&weighted[0], &weighted[1]));
    }

    #[test]
    fn hidden_services_are_nobody_s_variant() {
        let n = names(&["reisepass", "sb reisepass"]);
        let v = Variants::build(&n, &[true, false]);
        assert!(v.of(0).is_empty());
    }
}
