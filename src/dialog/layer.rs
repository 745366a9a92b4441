//! The editable layer of a snapshot: per tenant, the questions of the packs it uses.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::tokenizer::TextAnalyzer;

use crate::config::Config;
use crate::content::{Catalog, CustomAnswer, PackError, PackLibrary};
use crate::search::{PackIndex, Target};
use crate::text::Synonyms;

/// Custom answers and, per tenant, the index over its packs' questions.
#[derive(Debug, Default)]
pub struct Layer {
    /// Every custom answer of every pack in use; [`Target::Answer`] points into this list.
    pub answers: Vec<CustomAnswer>,
    /// Per tenant; tenants with the same packs share one index.
    by_tenant: HashMap<String, Arc<(PackIndex, Synonyms)>>,
    empty: PackIndex,
    shipped: Synonyms,
}

impl Layer {
    /// Resolves each tenant's packs from `library` and indexes their questions with the
    /// catalogue's `analyzer`. Refused, with every mistake, when a tenant names a pack the
    /// library lacks or a pack names a service the catalogue lacks.
    pub fn build(
        catalog: &Catalog,
        library: &PackLibrary,
        config: &Config,
        analyzer: &TextAnalyzer,
        synonyms: &Synonyms,
    ) -> Result<Layer, Vec<PackError>> {
        let mut layer = Layer {
            shipped: synonyms.clone(),
            ..Layer::default()
        };
        let mut errors = Vec::new();
        // Each pack's answers are added once, however many tenants use it.
        let mut first_answer: HashMap<&str, usize> = HashMap::new();
        // Tenants with the same list of packs share one question index (built once).
        let mut built: HashMap<&[String], Arc<(PackIndex, Synonyms)>> = HashMap::new();
        for tenant in &config.tenants {
            if let Some(shared) = built.get(tenant.packs.as_slice()) {
                for name in &tenant.packs {
                    if library.get(name).is_none() {
                        errors.push(missing_pack(&tenant.id, name, library));
                    }
                }
                layer
                    .by_tenant
                    .insert(tenant.id.clone(), Arc::clone(shared));
                continue;
            }
            let mut packs = Vec::new();
            let mut tenant_synonyms = synonyms.clone();
            tenant_synonyms.extend(library.synonyms());
            for name in &tenant.packs {
                match library.get(name) {
                    Some(pack) => {
                        tenant_synonyms.extend(&pack.synonyms);
                        packs.push(pack);
                    }
                    None => errors.push(missing_pack(&tenant.id, name, library)),
                }
            }
            // The same question or id in two packs is no mistake: a tenant's own pack
            // answers it in place of the shared one (see `Engine`'s precedence).
            let mut questions: Vec<(Target, &str)> = Vec::new();
            for pack in &packs {
                let start = *first_answer.entry(&pack.name).or_insert_with(|| {
                    let start = layer.answers.len();
                    layer.answers.extend(pack.answers.iter().cloned());
                    start
                });
                for (i, answer) in pack.answers.iter().enumerate() {
                    for question in &answer.questions {
                        questions.push((Target::Answer(start + i), question.text.as_str()));
                    }
                }
                for service in &pack.services {
                    let Some(ordinal) = catalog.ordinal(&service.service_id) else {
                        errors.push(PackError {
                            origin: service.origin.clone(),
                            message: format!(
                                "service {:?} is not in the catalogue (or not shown to citizens)",
                                service.service_id
                            ),
                        });
                        continue;
                    };
                    for question in &service.questions {
                        questions.push((Target::Service(ordinal), question.text.as_str()));
                    }
                }
            }
            let index = PackIndex::build(questions, analyzer, &tenant_synonyms);
            let entry = Arc::new((index, tenant_synonyms));
            built.insert(&tenant.packs, Arc::clone(&entry));
            layer.by_tenant.insert(tenant.id.clone(), entry);
        }
        if errors.is_empty() {
            Ok(layer)
        } else {
            Err(errors)
        }
    }

    /// The question index of a tenant (empty for a tenant without packs).
    pub fn questions(&self, tenant: &str) -> &PackIndex {
        self.by_tenant
            .get(tenant)
            .map_or(&self.empty, |entry| &entry.0)
    }

    /// The synonym rules for a tenant: the shipped ones and those of its packs.
    pub fn synonyms(&self, tenant: &str) -> &Synonyms {
        self.by_tenant
            .get(tenant)
            .map_or(&self.shipped, |entry| &entry.1)
    }
}

/// The error for a tenant naming a pack the library lacks.
fn missing_pack(tenant: &str, name: &str, library: &PackLibrary) -> PackError {
    PackError {
        origin: Default::default(),
        message: format!(
            "tenant `{tenant}` uses pack `{name}`, which does not exist (packs: {})",
            library.names().collect::<Vec<_>>().join(", ")
        ),
    }
}
