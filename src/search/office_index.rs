//! Offices by name: "Bürgerbüro Pasing", "KVR Ruppertstraße", "Zulassungsstelle
//! Eichstätter Straße". Offices of one site (the same name at the same address, as the
//! teams of one Bürgerbüro are) are one [`Site`]; a question naming a site answers with it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use super::query::AnalyzedQuery;
use crate::content::{Catalog, Office};
use crate::geo::Scope;
use crate::text;

/// A word in more than this share of all sites ("München", "Straße", "KVR") tells no site
/// from another.
const GENERIC_SHARE: f32 = 0.25;
/// The weight of a generic word against a distinctive one.
const GENERIC_WEIGHT: f32 = 0.25;

/// Offices sharing a name and an address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Site {
    /// The name without the unit code ("Bürgerbüro Ruppertstraße").
    pub name: String,
    /// The offices' positions in [`Catalog::offices`], in source order.
    pub offices: Vec<usize>,
    /// The analysed words naming the site (with compound parts), as positions in
    /// [`OfficeIndex`]'s vocabulary, ascending.
    #[serde(skip)]
    tokens: Box<[u32]>,
    /// The words of its own names and street, not of keywords, unit or city: only these
    /// make a question name this site (ascending, as `tokens`).
    #[serde(skip)]
    primary: Box<[u32]>,
}

/// A site matching a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfficeHit {
    /// Position in [`OfficeIndex::sites`].
    pub site: usize,
    /// Weighted share of the question's words the site's name and address contain.
    pub coverage: f32,
    /// Number of matched words that are rare among sites (a place, a street, an office type).
    pub distinctive: usize,
}

/// The searchable names of all offices.
///
/// Each analysed word is stored once, in the vocabulary; the sites refer to it by
/// position (a Germany-wide catalogue repeats the same few thousand words over tens of
/// thousands of sites).
#[derive(Debug, Clone, Default)]
pub struct OfficeIndex {
    sites: Vec<Site>,
    /// Every analysed word of the sites: its position is its id.
    vocabulary: HashMap<Box<str>, u32>,
    /// Per word id: how many sites contain it.
    site_freq: Vec<u32>,
    /// Per word id: the sites that have it among their own names and streets, ascending.
    primary_sites: Vec<Vec<u32>>,
}

/// The site name of an office: its name without the trailing unit code in parentheses
/// ("Bürgerbüro Pasing (KVR-II/235 Team 1)" is "Bürgerbüro Pasing").
///
/// ```
/// assert_eq!(sophia::search::site_name("Bürgerbüro Pasing (KVR-II/235 Team 1)"), "Bürgerbüro Pasing");
/// assert_eq!(sophia::search::site_name("Fundbüro"), "Fundbüro");
/// ```
pub fn site_name(office_name: &str) -> &str {
    match office_name.find(" (") {
        Some(i) if office_name.trim_end().ends_with(')') => office_name[..i].trim(),
        _ => office_name.trim(),
    }
}

/// The letters of an office's unit code ("KVR" of "KVR-II/22"), a short name citizens use.
fn unit_code(office_name: &str) -> Option<&str> {
    let start = office_name.rfind('(')? + 1;
    let code = &office_name[start..];
    let end = code
        .find(|c: char| !c.is_ascii_uppercase())
        .unwrap_or(code.len());
    (end >= 2).then(|| &code[..end])
}

impl OfficeIndex {
    /// Indexes the offices of `catalog` with `analyzer` (the catalogue index's, so words
    /// are split and stemmed as in questions).
    ///
    /// ```
    /// use sophia::content::Catalog;
    /// use sophia::geo::Scope;
    /// use sophia::search::{CatalogIndex, IndexOptions, OfficeIndex};
    /// let catalog = Catalog::shipped();
    /// let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
    /// let offices = OfficeIndex::build(&catalog, index.analyzer());
    /// let query = index.analyze("Bürgerbüro Pasing", &Default::default());
    /// let best = &offices.search(&query, &catalog, &Scope::everywhere())[0];
    /// assert_eq!(offices.site(best.site).name, "Bürgerbüro Pasing");
    /// ```
    pub fn build(catalog: &Catalog, analyzer: &TextAnalyzer) -> OfficeIndex {
        let mut analyzer = analyzer.clone();
        let mut sites: Vec<Site> = Vec::new();
        // While building: per site its word ids, own names' ones flagged.
        let mut words: Vec<HashSet<(u32, bool)>> = Vec::new();
        let mut by_key: HashMap<(String, String), usize> = HashMap::new();
        let mut vocabulary: HashMap<Box<str>, u32> = HashMap::new();
        // The same texts (streets, units, cities, keywords) recur over many offices: each
        // distinct one is analysed once.
        let mut analysed: HashMap<String, Vec<u32>> = HashMap::new();
        for (ordinal, office) in catalog.offices().iter().enumerate() {
            let name = site_name(&office.name).to_string();
            let key = (
                name.to_lowercase(),
                office.address.one_line().to_lowercase(),
            );
            let site = *by_key.entry(key).or_insert_with(|| {
                sites.push(Site {
                    name: name.clone(),
                    offices: Vec::new(),
                    tokens: Box::default(),
                    primary: Box::default(),
                });
                words.push(HashSet::new());
                sites.len() - 1
            });
            sites[site].offices.push(ordinal);
            let (primary, secondary) = naming_words(office);
            let texts = primary.into_iter().map(|t| (t, true));
            for (text, own) in texts.chain(secondary.into_iter().map(|t| (t, false))) {
                if !analysed.contains_key(&text) {
                    // Numbers (house numbers, "Team 2") name no office: a citizen's "2"
                    // picks a choice.
                    let ids = text::tokens(&mut analyzer, &text)
                        .into_iter()
                        .filter(|t| !t.bytes().all(|b| b.is_ascii_digit()))
                        .map(|t| {
                            let next = vocabulary.len() as u32;
                            *vocabulary.entry(t.into_boxed_str()).or_insert(next)
                        })
                        .collect();
                    analysed.insert(text.clone(), ids);
                }
                words[site].extend(analysed[&text].iter().map(|&id| (id, own)));
            }
        }
        let mut site_freq = vec![0u32; vocabulary.len()];
        let mut primary_sites = vec![Vec::new(); vocabulary.len()];
        for (i, (site, words)) in sites.iter_mut().zip(words).enumerate() {
            let mut tokens: Vec<u32> = words.iter().map(|&(id, _)| id).collect();
            tokens.sort_unstable();
            tokens.dedup();
            let mut primary: Vec<u32> = words
                .iter()
                .filter(|&&(_, own)| own)
                .map(|&(id, _)| id)
                .collect();
            primary.sort_unstable();
            primary.dedup();
            for &id in &tokens {
                site_freq[id as usize] += 1;
            }
            for &id in &primary {
                primary_sites[id as usize].push(i as u32);
            }
            site.tokens = tokens.into_boxed_slice();
            site.primary = primary.into_boxed_slice();
        }
        OfficeIndex {
            sites,
            vocabulary,
            site_freq,
            primary_sites,
        }
    }

    /// All sites.
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// One site by its position.
    pub fn site(&self, site: usize) -> &Site {
        &self.sites[site]
    }

    /// The sites whose offices `scope` admits and whose names contain words of `query`,
    /// best first: by weighted coverage of the question's words, then by the number of
    /// distinctive words matched.
    pub fn search(
        &self,
        query: &AnalyzedQuery,
        catalog: &Catalog,
        scope: &Scope,
    ) -> Vec<OfficeHit> {
        let words = query.words();
        if words.is_empty() || self.sites.is_empty() {
            return Vec::new();
        }
        let generic_from = (self.sites.len() as f32 * GENERIC_SHARE).max(2.0);
        // Per word: the ids of its terms the sites know, and whether it names few sites.
        let word_terms: Vec<(Vec<u32>, bool)> = words
            .iter()
            .map(|&w| {
                let terms: Vec<u32> = query
                    .terms
                    .iter()
                    .filter(|t| t.word == w)
                    .filter_map(|t| self.vocabulary.get(t.text.as_str()).copied())
                    .collect();
                let freq = terms
                    .iter()
                    .map(|&t| self.site_freq[t as usize])
                    .min()
                    .unwrap_or(0);
                let distinctive = freq > 0 && (freq as f32) < generic_from;
                (terms, distinctive)
            })
            .collect();
        let total: f32 = word_terms
            .iter()
            .map(|(_, d)| if *d { 1.0 } else { GENERIC_WEIGHT })
            .sum();
        // Only a site with a distinctive word in its own names can match: those are looked
        // up, not every site of a Germany-wide catalogue.
        let mut candidates: Vec<usize> = word_terms
            .iter()
            .filter(|(_, rare)| *rare)
            .flat_map(|(terms, _)| terms)
            .flat_map(|&t| &self.primary_sites[t as usize])
            .map(|&site| site as usize)
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits: Vec<OfficeHit> = candidates
            .into_iter()
            .map(|i| (i, &self.sites[i]))
            .filter(|(_, site)| {
                site.offices.iter().any(|&o| {
                    catalog
                        .offices()
                        .get(o)
                        .is_some_and(|office| scope.admits(&office.regions))
                })
            })
            .filter_map(|(i, site)| {
                let mut covered = 0.0;
                let mut distinctive = 0;
                for (terms, rare) in &word_terms {
                    if terms.iter().any(|t| site.tokens.binary_search(t).is_ok()) {
                        covered += if *rare { 1.0 } else { GENERIC_WEIGHT };
                        let own = terms.iter().any(|t| site.primary.binary_search(t).is_ok());
                        distinctive += usize::from(*rare && own);
                    }
                }
                (distinctive > 0).then(|| OfficeHit {
                    site: i,
                    coverage: covered / total,
                    distinctive,
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.coverage
                .total_cmp(&a.coverage)
                .then(b.distinctive.cmp(&a.distinctive))
                .then(a.site.cmp(&b.site))
        });
        hits
    }
}

/// The texts that name an office: its own names (site name, short name, unit code) and
/// street, then the texts that only support them (keywords, organisation unit, city).
fn naming_words(office: &Office) -> (Vec<String>, Vec<String>) {
    let mut primary = vec![site_name(&office.name).to_string()];
    primary.extend(office.display_name.clone());
    primary.extend(unit_code(&office.name).map(str::to_string));
    primary.push(office.address.street.clone());
    let mut secondary = office.keywords.clone();
    secondary.extend(office.organization_unit.clone());
    secondary.push(office.address.city.clone());
    (primary, secondary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{CatalogIndex, IndexOptions};

    fn setup() -> (Catalog, CatalogIndex, OfficeIndex) {
        let catalog = Catalog::shipped();
        let index = CatalogIndex::build(&catalog, IndexOptions::default()).unwrap();
        let offices = OfficeIndex::build(&catalog, index.analyzer());
        (catalog, index, offices)
    }

    fn best(question: &str) -> Option<(String, f32)> {
        let (catalog, index, offices) = setup();
        let query = index.analyze(question, &Default::default());
        offices
            .search(&query, &catalog, &Scope::everywhere())
            .first()
            .map(|h| (offices.site(h.site).name.clone(), h.coverage))
    }

    #[test]
    fn units_of_one_site_are_one_site() {
        let (catalog, _, offices) = setup();
        let ruppert: Vec<&Site> = offices
            .sites()
            .iter()
            .filter(|s| s.name == "Bürgerbüro Ruppertstraße")
            .collect();
        assert_eq!(ruppert.len(), 1);
        assert!(ruppert[0].offices.len() >= 5);
        assert!(offices.sites().len() < catalog.offices().len());
    }

    #[test]
    fn names_streets_and_unit_codes_find_their_site() {
        for (question, site) in [
            ("Bürgerbüro Orleansplatz", "Bürgerbüro Orleansplatz"),
            ("buergerbuero leonrodstrasse", "Bürgerbüro Leonrodstraße"),
            (
                "Zulassungsstelle Eichstätter Straße",
                "KfZ Zulassungsstelle",
            ),
            ("Führerscheinstelle Garmischer Straße", "Führerscheinstelle"),
            ("Standesamt Pasing", "Standesamt München-Pasing"),
        ] {
            let (name, coverage) = best(question).unwrap_or_else(|| panic!("{question}"));
            assert_eq!(name, site, "{question}");
            assert!(coverage > 0.99, "{question}: {coverage}");
        }
    }

    #[test]
    fn generic_words_alone_find_no_site() {
        assert_eq!(best("München Straße"), None);
    }

    #[test]
    fn unit_codes_are_read_from_the_parentheses() {
        assert_eq!(
            unit_code("Bürgerbüro Pasing (KVR-II/235 Team 1)"),
            Some("KVR")
        );
        assert_eq!(unit_code("Mietberatung (S-III-W/M)"), None);
        assert_eq!(unit_code("Fundbüro"), None);
    }
}
