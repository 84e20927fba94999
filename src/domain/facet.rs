//! Facet keys: what an article is counted and filtered by (`country:RUS`, `org:UNSC`,
//! `signatory:FRA`, `source:VOA`, `year:2024`), one type for building them and reading them back.

use std::fmt;
use std::str::FromStr;

use super::aliases::{AliasGroup, EntityKind};
use crate::Error;

/// One facet of an article or passage. Its text form (`kind:value`, from [`fmt::Display`],
/// read back by [`FromStr`]) is what the index stores and filters on.
///
/// # Example
/// ```
/// use communique::domain::Facet;
///
/// let facet: Facet = "country:RUS".parse()?;
/// assert_eq!(facet, Facet::Country("RUS".into()));
/// assert_eq!(Facet::Year(None).to_string(), "year:undated");
/// assert!("planet:Mars".parse::<Facet>().is_err());
/// # Ok::<(), communique::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Facet {
    /// A country mentioned, by its ISO alpha-3 code.
    Country(String),
    /// An organisation mentioned, by its id in the alias table.
    Org(String),
    /// A country or organisation that signed a joint statement.
    Signatory(String),
    /// The source that published the article.
    Source(String),
    /// The year of publication; `None` for an undated article.
    Year(Option<i16>),
    /// The article's language code (`en`, `ru`; `und` when unknown).
    Lang(String),
}

impl Facet {
    /// The facet of a mention of this alias group: its country or organisation (places are not
    /// facets).
    pub fn of_group(group: &AliasGroup) -> Option<Facet> {
        match group.kind {
            EntityKind::Country => Some(Facet::Country(group.id.clone())),
            EntityKind::Org => Some(Facet::Org(group.id.clone())),
            EntityKind::Place => None,
        }
    }
}

impl fmt::Display for Facet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Facet::Country(id) => write!(f, "country:{id}"),
            Facet::Org(id) => write!(f, "org:{id}"),
            Facet::Signatory(id) => write!(f, "signatory:{id}"),
            Facet::Source(name) => write!(f, "source:{name}"),
            Facet::Year(Some(year)) => write!(f, "year:{year:04}"),
            Facet::Year(None) => f.write_str("year:undated"),
            Facet::Lang(code) => write!(f, "lang:{code}"),
        }
    }
}

impl FromStr for Facet {
    type Err = Error;

    fn from_str(text: &str) -> Result<Facet, Error> {
        let invalid = || {
            Error::InvalidArgument(format!(
                "`{text}` is not a facet: expected country:, org:, signatory:, source:, year: or \
                 lang: and a value"
            ))
        };
        let (kind, value) = text.split_once(':').ok_or_else(invalid)?;
        if value.is_empty() {
            return Err(invalid());
        }
        let value = value.to_string();
        Ok(match kind {
            "country" => Facet::Country(value),
            "org" => Facet::Org(value),
            "signatory" => Facet::Signatory(value),
            "source" => Facet::Source(value),
            "year" if value == "undated" => Facet::Year(None),
            "year" => Facet::Year(Some(value.parse().map_err(|_| invalid())?)),
            "lang" => Facet::Lang(value),
            _ => return Err(invalid()),
        })
    }
}

/// Counts, most frequent first, ties by key: the order of every count listing (facets, sources,
/// term expansions).
pub(crate) fn by_count<K: Ord>(counts: impl IntoIterator<Item = (K, u64)>) -> Vec<(K, u64)> {
    let mut counts: Vec<(K, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for facet in [
            Facet::Country("PRK".into()),
            Facet::Org("UNSC".into()),
            Facet::Signatory("EU".into()),
            Facet::Source("Voice of America: News".into()),
            Facet::Year(Some(2024)),
            Facet::Year(Some(812)),
            Facet::Year(None),
        ] {
            let text = facet.to_string();
            assert_eq!(text.parse::<Facet>().unwrap(), facet, "{text}");
        }
        assert_eq!(Facet::Year(Some(812)).to_string(), "year:0812");
        for bad in ["RUS", "country:", "year:soon", "place:Kyiv", ""] {
            let error = bad.parse::<Facet>().unwrap_err().to_string();
            assert!(error.contains(&format!("`{bad}`")), "{error}");
        }
    }

    #[test]
    fn groups_give_countries_and_organisations_not_places() {
        let aliases = crate::domain::Aliases::builtin();
        let kinds: Vec<Option<Facet>> = ["PRK", "UNSC"]
            .iter()
            .map(|id| aliases.groups().iter().find(|g| g.id == *id).unwrap())
            .map(Facet::of_group)
            .collect();
        assert_eq!(
            kinds,
            [
                Some(Facet::Country("PRK".into())),
                Some(Facet::Org("UNSC".into()))
            ]
        );
        let place = aliases
            .groups()
            .iter()
            .find(|g| g.kind == EntityKind::Place)
            .unwrap();
        assert_eq!(Facet::of_group(place), None);
    }
}
