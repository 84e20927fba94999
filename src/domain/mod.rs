//! Knowledge of the domain: aliases of countries, organisations and places (query expansion),
//! the entities and signatories that articles mention (facets), and quotations with their
//! speakers, and near-duplicate articles.

mod alias_rows;
mod aliases;
mod duplicates;
mod entities;
pub(crate) mod facet;
mod quotes;

pub use aliases::{AliasGroup, AliasMatch, Aliases, EntityKind, Strength};
pub use duplicates::fingerprints;
pub(crate) use duplicates::{
    MAX_SHARED, MIN_FINGERPRINTS, fingerprints_of, near_duplicates, own_key,
};
pub use entities::{Mention, article_facets, mentions, passage_facets};
pub(crate) use entities::{article_facets_of, mentions_in};
pub use facet::Facet;
pub use quotes::{MAX_QUOTATION_BYTES, Quotation, quotations};
