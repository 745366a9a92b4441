//! The index schema: which parts of a service are searchable, and how much each counts.

use serde::{Deserialize, Serialize};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};

/// The searchable fields of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ServiceField {
    /// The official name.
    Name,
    /// The editors' keywords (alternate names).
    Keywords,
    /// Description, fees, documents and the other text sections.
    Body,
}

impl ServiceField {
    /// All fields, strongest first.
    pub const ALL: [ServiceField; 3] = [
        ServiceField::Name,
        ServiceField::Keywords,
        ServiceField::Body,
    ];

    /// The schema name of the field.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceField::Name => "name",
            ServiceField::Keywords => "keywords",
            ServiceField::Body => "body",
        }
    }
}

/// How much a match in each field counts (multiplies its BM25 score).
///
/// ```
/// let b = sophia::search::FieldBoosts::default();
/// assert!(b.name > b.body);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldBoosts {
    /// Boost of the official name.
    pub name: f32,
    /// Boost of the editors' keywords.
    pub keywords: f32,
    /// Boost of the description and other text.
    pub body: f32,
    /// Weight of a service's best matching pack question, against the best catalogue
    /// score taken as 1 (see [`crate::search::fuse`]).
    pub questions: f32,
}

impl Default for FieldBoosts {
    fn default() -> Self {
        FieldBoosts {
            name: 3.0,
            keywords: 2.0,
            body: 1.0,
            questions: 4.0,
        }
    }
}

impl FieldBoosts {
    /// All fields equal: plain BM25.
    pub const PLAIN: FieldBoosts = FieldBoosts {
        name: 1.0,
        keywords: 1.0,
        body: 1.0,
        questions: 0.0,
    };

    /// The boost of one field.
    pub fn of(&self, field: ServiceField) -> f32 {
        match field {
            ServiceField::Name => self.name,
            ServiceField::Keywords => self.keywords,
            ServiceField::Body => self.body,
        }
    }
}

/// The tantivy fields of the catalogue index.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    pub schema: Schema,
    pub ordinal: Field,
    pub name: Field,
    pub keywords: Field,
    pub body: Field,
    /// The significant keys of the service's regions ([`crate::geo::significant`]), or
    /// [`NO_REGION`] for content valid everywhere.
    pub region: Field,
    /// Every region enclosing one of the service's regions, its own included.
    pub region_within: Field,
}

/// The `region` term of content valid everywhere.
pub(crate) const NO_REGION: &str = "*";

impl Fields {
    /// Builds the schema with `tokenizer` on every text field.
    pub fn new(tokenizer: &str) -> Fields {
        let mut builder = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let ordinal = builder.add_u64_field("ordinal", FAST);
        let name = builder.add_text_field("name", text.clone());
        let keywords = builder.add_text_field("keywords", text.clone());
        let body = builder.add_text_field("body", text);
        let region = builder.add_text_field("region", STRING);
        let region_within = builder.add_text_field("region_within", STRING);
        Fields {
            schema: builder.build(),
            ordinal,
            name,
            keywords,
            body,
            region,
            region_within,
        }
    }

    /// The tantivy field of a [`ServiceField`].
    pub fn get(&self, field: ServiceField) -> Field {
        match field {
            ServiceField::Name => self.name,
            ServiceField::Keywords => self.keywords,
            ServiceField::Body => self.body,
        }
    }
}
