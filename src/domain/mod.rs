//! Knowledge of the domain: aliases of countries, organisations and places (query expansion),
//! and the entities and signatories that articles mention (facets).

mod aliases;
mod entities;

pub use aliases::{AliasGroup, AliasMatch, Aliases, EntityKind, Strength};
pub(crate) use entities::article_facets_of;
pub use entities::{Mention, article_facets, mentions, passage_facets};
