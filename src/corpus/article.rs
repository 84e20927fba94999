//! The article: what the corpus yields and the index stores, with its stable id and metadata.

use serde::{Deserialize, Serialize};

/// One article: a statement, a speech, a press release or a news report.
///
/// `body` is the text as read (front matter removed, BOM stripped, line endings made `\n`);
/// the byte ranges of passages and highlights refer to it.
///
/// # Example
/// ```
/// let article = communique::Article::new("g7/2024-06-14", "Leaders met in Apulia.")
///     .with_title("G7 summit in Apulia")
///     .with_date("2024-06-14")?;
/// assert_eq!(article.display_title(), "G7 summit in Apulia");
/// assert_eq!(article.timestamp().unwrap().to_string(), "2024-06-14T00:00:00Z");
/// # Ok::<(), communique::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id: the `id` field when the source has one, else the corpus-relative path (with
    /// `#LINE` for a JSON Lines record).
    pub id: String,
    /// Title, when the source gives one.
    pub title: Option<String>,
    /// Date or date-time as written in the source (RFC 3339 / ISO 8601), when it is readable.
    pub date: Option<String>,
    /// Who issued or published it.
    pub source: Option<String>,
    /// Where it was published.
    pub url: Option<String>,
    /// The corpus-relative path of the file it came from (`/`-separated), if any.
    pub path: Option<String>,
    /// The language the source declares (`lang` or `language` field, front matter, HTML
    /// `lang` attribute), as a code ([`crate::analysis::normalize_code`]). When it is `None`,
    /// the index detects the language from the text: see [`Article::language`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// The text.
    pub body: String,
    /// Other fields of the source (front matter keys, JSON fields), kept as they were.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

impl Article {
    /// An article with an id and a body and nothing else.
    pub fn new(id: impl Into<String>, body: impl Into<String>) -> Article {
        Article {
            id: id.into(),
            body: body.into(),
            ..Article::default()
        }
    }

    /// Sets the title.
    pub fn with_title(mut self, title: impl Into<String>) -> Article {
        self.title = Some(title.into());
        self
    }

    /// Sets the date, which must be readable by [`parse_date`].
    pub fn with_date(mut self, date: impl Into<String>) -> crate::Result<Article> {
        let date = date.into();
        parse_date(&date).map_err(crate::Error::InvalidArgument)?;
        self.date = Some(date.trim().to_string());
        Ok(self)
    }

    /// Sets the language, a code such as `fr` or a tag such as `zh-Hans` (normalised by
    /// [`crate::analysis::normalize_code`]); an unreadable tag leaves it to detection.
    pub fn with_lang(mut self, lang: impl AsRef<str>) -> Article {
        self.lang = crate::analysis::normalize_code(lang.as_ref());
        self
    }

    /// The article's language: the declared one, else the one detected from its body (and
    /// title), else `None`.
    ///
    /// # Example
    /// ```
    /// use communique::Article;
    /// let article = Article::new("a", "Все люди рождаются свободными и равными в своем достоинстве и правах.");
    /// assert_eq!(article.language().as_deref(), Some("ru"));
    /// assert_eq!(article.with_lang("uk").language().as_deref(), Some("uk"));
    /// ```
    pub fn language(&self) -> Option<String> {
        if let Some(lang) = &self.lang {
            return Some(lang.clone());
        }
        crate::analysis::detect(&self.body)
    }

    /// Sets the source.
    pub fn with_source(mut self, source: impl Into<String>) -> Article {
        self.source = Some(source.into());
        self
    }

    /// Sets the URL.
    pub fn with_url(mut self, url: impl Into<String>) -> Article {
        self.url = Some(url.into());
        self
    }

    /// The date as an instant (midnight UTC for a plain date), if there is a readable date.
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        self.date.as_deref().and_then(|d| parse_date(d).ok())
    }

    /// The title, or the first words of the lead when there is none.
    pub fn display_title(&self) -> String {
        match self.title.as_deref().map(str::trim) {
            Some(title) if !title.is_empty() => title.to_string(),
            _ => lead(&self.body, 12),
        }
    }

    /// A hash of everything the index stores about this article, to tell whether it changed.
    pub(crate) fn content_hash(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        // Each field length-prefixed, so that no two different articles hash the same input.
        let mut field = |value: Option<&str>| match value {
            Some(text) => {
                hasher.update(&(text.len() as u64 + 1).to_le_bytes());
                hasher.update(text.as_bytes());
            }
            None => {
                hasher.update(&0u64.to_le_bytes());
            }
        };
        field(Some(&self.id));
        field(self.title.as_deref());
        field(self.date.as_deref());
        field(self.source.as_deref());
        field(self.url.as_deref());
        field(self.path.as_deref());
        field(Some(&self.body));
        if let Some(lang) = &self.lang {
            field(Some(&format!("lang:{lang}")));
        }
        if !self.metadata.is_empty() {
            let metadata = serde_json::Value::Object(self.metadata.clone()).to_string();
            field(Some(&metadata));
        }
        hasher.finalize().to_hex().to_string()
    }
}

/// The first `max_words` words of `text`, with `…` when there are more.
pub(crate) fn lead(text: &str, max_words: usize) -> String {
    let mut words = text.split_whitespace();
    let head: Vec<&str> = words.by_ref().take(max_words).collect();
    let mut out = head.join(" ");
    if words.next().is_some() {
        out.push('…');
    }
    out
}

/// Reads a date or date-time: `2024-12-16`, `2024-12`, `2024`, `2022-03-01T02:29:37+00:00`,
/// `2024-12-16T10:00:00Z`, `2024-12-16 10:00` (no offset means UTC).
///
/// # Example
/// ```
/// let t = communique::corpus::parse_date("2022-03-01T02:29:37+01:00").unwrap();
/// assert_eq!(t.to_string(), "2022-03-01T01:29:37Z");
/// assert!(communique::corpus::parse_date("March 2022").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<jiff::Timestamp, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t);
    }
    if let Ok(dt) = text.parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    let padded = match text.len() {
        4 if text.bytes().all(|b| b.is_ascii_digit()) => format!("{text}-01-01"),
        7 if text.as_bytes()[4] == b'-' => format!("{text}-01"),
        _ => text.to_string(),
    };
    padded
        .parse::<jiff::civil::Date>()
        .map_err(|_| {
            format!("`{text}` is not a date (expected RFC 3339 or ISO 8601, e.g. 2024-12-16 or 2024-12-16T10:00:00Z)")
        })
        .and_then(|d| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| e.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_form() {
        let day = "2024-12-16T00:00:00Z";
        for text in [
            "2024-12-16",
            " 2024-12-16 ",
            "2024-12-16T00:00:00Z",
            "2024-12-16T01:00:00+01:00",
            "2024-12-16 00:00",
            "2024-12-16T00:00:00",
        ] {
            assert_eq!(parse_date(text).unwrap().to_string(), day, "{text}");
        }
        assert_eq!(
            parse_date("2024-12").unwrap().to_string(),
            "2024-12-01T00:00:00Z"
        );
        assert_eq!(
            parse_date("2024").unwrap().to_string(),
            "2024-01-01T00:00:00Z"
        );
        for bad in ["16/12/2024", "yesterday", "2024-13-01", "", "2024-02-30"] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lead_titles() {
        let article = Article::new(
            "x",
            "Ten countries and the European Union called North Korea's growing involvement a danger.",
        );
        assert_eq!(
            article.display_title(),
            "Ten countries and the European Union called North Korea's growing involvement a…"
        );
        assert_eq!(lead("Short lead.", 12), "Short lead.");
    }

    #[test]
    fn content_hash_changes_with_content() {
        let a = Article::new("x", "body");
        let b = Article::new("x", "body!");
        assert_ne!(a.content_hash(), b.content_hash());
        assert_eq!(a.content_hash(), a.clone().content_hash());
    }
}
