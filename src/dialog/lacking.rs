//! The administrative topics each tenant's part of the catalogue lacks ([`Topics`]): a
//! Land catalogue may hold Hundesteuer for one Kommune and not for another, so the check is
//! made per tenant region, on the services that region admits. A request's own location
//! narrows the search further but not this check: a topic the tenant's region names
//! somewhere is left to the search.

use std::collections::HashMap;

use crate::config::Config;
use crate::content::Catalog;
use crate::geo::Scope;
use crate::nlu::{Lacking, Topics};

/// Per tenant region (and for tenants without one), the topics no admitted service names.
/// Internal booking entries that are never offered to citizens (an empty "Baumschutz")
/// name nothing.
///
/// ```
/// use sophia::dialog::LackingTopics;
/// let engine = sophia::Engine::shipped();
/// let snapshot = engine.snapshot();
/// let lacking = LackingTopics::build(&snapshot.catalog, &snapshot.config);
/// let topics = sophia::nlu::Topics::shipped();
/// let elterngeld = topics.named("Elterngeld")[0].topic;
/// let munich = snapshot.config.tenant("muenchen").unwrap().region.as_deref();
/// assert!(lacking.for_region(munich).lacks(elterngeld));
/// ```
#[derive(Debug, Clone, Default)]
pub struct LackingTopics {
    by_region: HashMap<Option<String>, Lacking>,
}

impl LackingTopics {
    /// Checks the shipped topics against the services each tenant region admits.
    pub fn build(catalog: &Catalog, config: &Config) -> LackingTopics {
        let mut by_region = HashMap::new();
        let regions = config
            .tenants
            .iter()
            .map(|t| t.region.clone())
            .chain(std::iter::once(None));
        for region in regions {
            if by_region.contains_key(&region) {
                continue;
            }
            let scope = Scope::new([region.as_deref()]);
            let names = catalog
                .services()
                .iter()
                .filter(|s| s.citizen_facing && scope.admits(&s.regions))
                .flat_map(|s| std::iter::once(&s.name).chain(&s.keywords))
                .map(String::as_str);
            by_region.insert(region, Topics::shipped().lacking_in(names));
        }
        LackingTopics { by_region }
    }

    /// The topics lacking for a tenant of `region`; none when the region was not checked.
    pub fn for_region(&self, region: Option<&str>) -> &Lacking {
        static NONE: Lacking = Lacking::none();
        self.by_region
            .get(&region.map(str::to_string))
            .unwrap_or(&NONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    #[test]
    fn a_topic_named_only_in_another_region_is_lacking_here() {
        let engine = Engine::shipped();
        let snapshot = engine.snapshot();
        let lacking = LackingTopics::build(&snapshot.catalog, &snapshot.config);
        let topics = Topics::shipped();
        let hundesteuer = topics.named("Hundesteuer")[0].topic;
        // The shipped Hessen examples hold "Hund anmelden (Hundesteuer)"; Munich does not.
        let munich = snapshot
            .config
            .tenant("muenchen")
            .unwrap()
            .region
            .as_deref();
        assert!(munich.is_some());
        assert!(lacking.for_region(munich).lacks(hundesteuer));
        assert!(!lacking.for_region(None).lacks(hundesteuer));
        // Munich's "Baumschutz" is an internal booking entry without a description: it
        // offers no tree felling to citizens.
        let felling = topics.named("Baumfällgenehmigung")[0].topic;
        assert!(
            snapshot
                .catalog
                .services()
                .iter()
                .any(|s| s.name == "Baumschutz" && !s.citizen_facing)
        );
        assert!(lacking.for_region(munich).lacks(felling));
        // A region no tenant has was not checked: nothing counts as lacking there.
        assert!(!lacking.for_region(Some("010000000000")).lacks(hundesteuer));
    }
}
