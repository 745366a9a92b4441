//! The regions a question is answered in: the tenant's region and the citizen's location.

use super::ars::{enclosing, overlaps, significant};

/// The regions (ARS) content must concern to be answered with. Content without regions
/// concerns everyone; content with regions is admitted when one of them overlaps every
/// region of the scope (contains it, or lies in it).
///
/// ```
/// use sophia::geo::Scope;
/// let hessen = Scope::new([Some("060000000000"), None]);
/// assert!(hessen.admits(&["065340000000".to_string()])); // a Kreis in Hessen
/// assert!(!hessen.admits(&["091620000000".to_string()])); // München
/// assert!(hessen.admits(&[])); // nationwide content
/// assert!(Scope::everywhere().admits(&["091620000000".to_string()]));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    regions: Vec<String>,
}

impl Scope {
    /// No restriction.
    pub fn everywhere() -> Scope {
        Scope::default()
    }

    /// The scope of the given regions; `None`s are left out.
    pub fn new<'a>(regions: impl IntoIterator<Item = Option<&'a str>>) -> Scope {
        Scope {
            regions: regions.into_iter().flatten().map(str::to_string).collect(),
        }
    }

    /// True when nothing is restricted.
    pub fn is_everywhere(&self) -> bool {
        self.regions.is_empty()
    }

    /// The regions of the scope.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// True when content for `content_regions` may be answered in this scope.
    pub fn admits(&self, content_regions: &[String]) -> bool {
        content_regions.is_empty()
            || self
                .regions
                .iter()
                .all(|s| content_regions.iter().any(|r| overlaps(r, s)))
    }

    /// For an index filter: per scope region, the significant keys content may carry to be
    /// admitted by containing it ([`enclosing`] regions), and the key it may lie in.
    /// Content admitted by `within` carries the key among its own enclosing regions.
    pub fn filter_terms(&self) -> Vec<ScopeTerms<'_>> {
        self.regions
            .iter()
            .map(|s| ScopeTerms {
                enclosing: enclosing(s),
                within: significant(s),
            })
            .collect()
    }
}

/// The index terms admitting content for one scope region (see [`Scope::filter_terms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeTerms<'a> {
    /// Content whose own significant key is one of these contains the scope region.
    pub enclosing: Vec<&'a str>,
    /// Content with this key among its enclosing regions lies in the scope region.
    pub within: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regions(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn a_citizen_in_a_gemeinde_gets_its_kreis_and_land_content() {
        let marburg = Scope::new([Some("060000000000"), Some("065340014014")]);
        assert!(marburg.admits(&regions(&["065340000000"])));
        assert!(marburg.admits(&regions(&["060000000000"])));
        assert!(marburg.admits(&regions(&["065340014014"])));
        assert!(!marburg.admits(&regions(&["065340003003"]))); // Biedenkopf
        assert!(!marburg.admits(&regions(&["064120000000"]))); // Frankfurt
    }

    #[test]
    fn content_for_several_regions_needs_one_of_them() {
        let munich = Scope::new([Some("091620000000")]);
        assert!(munich.admits(&regions(&["065340000000", "091620000000"])));
        assert!(!munich.admits(&regions(&["065340000000", "091840000000"])));
    }

    #[test]
    fn filter_terms_name_enclosing_and_own_keys() {
        let scope = Scope::new([Some("065340014014")]);
        let terms = scope.filter_terms();
        assert_eq!(
            terms[0].enclosing,
            vec!["06", "065", "06534", "065340014", "065340014014"]
        );
        assert_eq!(terms[0].within, "065340014014");
    }
}
