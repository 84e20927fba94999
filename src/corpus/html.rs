//! HTML pages (`.html`, `.htm`): the readable text of a page as an article, read with the
//! `html5ever` parser (through `scraper`) as a browser reads it.
//!
//! * **Body.** The page's `<main>` when it has one, else its only `<article>`, else its
//!   `<body>`; without what is not the statement: scripts, styles, forms, navigation (`<nav>`,
//!   `role="navigation"`), asides, footers, hidden elements, and a `<header>` that holds no
//!   paragraph (a banner). Each paragraph, list item, heading, table cell, quotation or `<pre>`
//!   block is a paragraph of the body (separated by a blank line), so passages are cut from
//!   them as from text files; a heading, being short, joins the paragraph after it. Spaces are
//!   collapsed (but in `<pre>`), `<br>` is a line break, entities are decoded.
//! * **Metadata.** The title from `<title>`, else the first `<h1>`; the language from the
//!   `lang` attribute of `<html>` (or `<body>`, or `<meta http-equiv="content-language">`);
//!   the date from `<meta property="article:published_time">` (or `name="date"`,
//!   `itemprop="datePublished"`…), else the first `<time datetime>`; the URL from
//!   `<link rel="canonical">`, else `<meta property="og:url">`; the source from
//!   `<meta name="author">`, else `<meta property="og:site_name">`.
//! * A file with no HTML element at all is not HTML: it is skipped with a message saying so.

use std::path::Path;

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node};

use super::{Article, Warning, article::parse_date};
use crate::{Error, Result};

/// Elements whose content is never part of the statement.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
    "select", "option", "textarea", "svg", "math", "iframe", "object", "embed", "canvas", "audio",
    "video", "head", "title", "menu", "dialog",
];

/// Elements that make a paragraph of their own.
const BLOCKS: &[&str] = &[
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "td",
    "th",
    "caption",
    "figcaption",
    "address",
    "div",
    "section",
    "article",
    "header",
    "main",
    "ul",
    "ol",
    "dl",
    "table",
    "tr",
    "figure",
    "hr",
    "body",
    "details",
    "summary",
    "center",
];

/// Reads an HTML page into an article whose id and path are `rel`.
pub(crate) fn parse_html(
    path: &Path,
    rel: &str,
    text: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Article> {
    let document = Html::parse_document(text);
    let root = document.root_element();
    // html5ever makes `<html>`, `<head>` and `<body>` for any input: a page has more.
    let written = root
        .descendent_elements()
        .any(|e| !matches!(e.value().name(), "html" | "head" | "body"));
    if !written {
        return Err(Error::parse(
            path,
            None,
            "not an HTML page: no HTML element in the file (rename it to .txt if it is text)",
        ));
    }
    let page = Page {
        root,
        elements: root.descendent_elements().collect(),
    };
    let mut article = Article {
        id: rel.to_string(),
        path: Some(rel.to_string()),
        title: page.title(),
        lang: page.lang(),
        url: page.url(),
        source: page
            .meta("name", &["author"])
            .or_else(|| page.meta("property", &["og:site_name"])),
        ..Article::default()
    };
    if let Some(date) = page.date() {
        match parse_date(&date) {
            Ok(_) => article.date = Some(date),
            Err(message) => warnings.push(Warning::new(path, None, message)),
        }
    }
    let mut out = Extractor::default();
    out.walk(*page.content(), false);
    out.flush();
    article.body = out.paragraphs.join("\n\n");
    if article.body.trim().is_empty() {
        return Err(Error::parse(path, None, "the HTML page has no text"));
    }
    Ok(article)
}

/// The elements of a parsed page, and where its fields are read from.
struct Page<'a> {
    root: ElementRef<'a>,
    elements: Vec<ElementRef<'a>>,
}

impl<'a> Page<'a> {
    /// The first element named `name`.
    fn find(&self, name: &str) -> Option<ElementRef<'a>> {
        self.elements
            .iter()
            .find(|e| e.value().name() == name)
            .copied()
    }

    /// The only element named `name`, if there is exactly one.
    fn one(&self, name: &str) -> Option<ElementRef<'a>> {
        let mut found = self.elements.iter().filter(|e| e.value().name() == name);
        match (found.next(), found.next()) {
            (Some(e), None) => Some(*e),
            _ => None,
        }
    }

    /// The first element named `name` with a non-empty value of `attribute`, trimmed.
    fn attr_of(&self, name: &str, attribute: &str) -> Option<String> {
        self.elements
            .iter()
            .filter(|e| e.value().name() == name)
            .find_map(|e| e.value().attr(attribute))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// The content of the first `<meta>` whose `attribute` is one of `values`.
    fn meta(&self, attribute: &str, values: &[&str]) -> Option<String> {
        self.elements
            .iter()
            .filter(|e| e.value().name() == "meta")
            .find(|e| {
                e.value()
                    .attr(attribute)
                    .is_some_and(|v| values.iter().any(|w| v.eq_ignore_ascii_case(w)))
            })
            .and_then(|e| e.value().attr("content"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// `<title>`, else the first `<h1>`.
    fn title(&self) -> Option<String> {
        let heading = |e: ElementRef<'_>| collapse(&e.text().collect::<String>());
        self.find("title")
            .map(heading)
            .filter(|t| !t.is_empty())
            .or_else(|| self.find("h1").map(heading).filter(|t| !t.is_empty()))
    }

    /// The language of `<html>` or `<body>`, else of a `content-language` header.
    fn lang(&self) -> Option<String> {
        [Some(self.root), self.find("body")]
            .into_iter()
            .flatten()
            .find_map(|e| {
                e.value()
                    .attr("lang")
                    .or_else(|| e.value().attr("xml:lang"))
            })
            .map(str::to_string)
            .or_else(|| self.meta("http-equiv", &["content-language"]))
            .and_then(|tag| crate::analysis::normalize_code(&tag))
    }

    /// The publication date as written: Open Graph, Dublin Core, schema.org, else `<time>`.
    fn date(&self) -> Option<String> {
        self.meta("property", &["article:published_time", "og:published_time"])
            .or_else(|| self.meta("name", &["date", "dc.date", "dcterms.date", "pubdate"]))
            .or_else(|| self.meta("itemprop", &["datePublished"]))
            .or_else(|| self.attr_of("time", "datetime"))
    }

    /// The canonical link, else `og:url`.
    fn url(&self) -> Option<String> {
        self.elements
            .iter()
            .filter(|e| e.value().name() == "link")
            .find(|e| {
                e.value().attr("rel").is_some_and(|r| {
                    r.split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                })
            })
            .and_then(|e| e.value().attr("href"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .or_else(|| self.meta("property", &["og:url"]))
    }

    /// The element holding the text: the only `<main>`, else the only `<article>`, else
    /// `<body>`.
    fn content(&self) -> ElementRef<'a> {
        self.one("main")
            .or_else(|| self.one("article"))
            .or_else(|| self.find("body"))
            .unwrap_or(self.root)
    }
}

/// `text` with runs of whitespace made one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The paragraphs of a page, gathered by a walk of its tree.
#[derive(Default)]
struct Extractor {
    paragraphs: Vec<String>,
    current: String,
}

impl Extractor {
    fn flush(&mut self) {
        let paragraph: Vec<&str> = self
            .current
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if !paragraph.is_empty() {
            self.paragraphs.push(paragraph.join("\n"));
        }
        self.current.clear();
    }

    fn walk(&mut self, node: NodeRef<'_, Node>, pre: bool) {
        match node.value() {
            Node::Text(text) => {
                if pre {
                    self.current.push_str(text);
                } else {
                    // Collapse whitespace as a browser does; keep one space at the edges.
                    let text: &str = text;
                    if text.starts_with(char::is_whitespace) && !self.current.ends_with(' ') {
                        self.current.push(' ');
                    }
                    let words: Vec<&str> = text.split_whitespace().collect();
                    self.current.push_str(&words.join(" "));
                    if !words.is_empty() && text.ends_with(char::is_whitespace) {
                        self.current.push(' ');
                    }
                }
            }
            Node::Element(element) => {
                let name = element.name();
                if SKIPPED.contains(&name) || hidden(element) {
                    return;
                }
                if name == "header" && !has_paragraph(node) {
                    return;
                }
                if name == "br" {
                    self.current.push('\n');
                    return;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    self.flush();
                }
                let pre = pre || name == "pre";
                for child in node.children() {
                    self.walk(child, pre);
                }
                if block {
                    self.flush();
                }
            }
            _ => {
                for child in node.children() {
                    self.walk(child, pre);
                }
            }
        }
    }
}

/// Is this element hidden, or navigation by its role?
fn hidden(element: &scraper::node::Element) -> bool {
    element.attr("hidden").is_some()
        || element
            .attr("aria-hidden")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || element
            .attr("role")
            .is_some_and(|r| matches!(r, "navigation" | "banner" | "contentinfo" | "search"))
}

/// Does this element hold a `<p>`?
fn has_paragraph(node: NodeRef<'_, Node>) -> bool {
    node.descendants()
        .any(|d| d.value().as_element().is_some_and(|e| e.name() == "p"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(html: &str) -> (Article, Vec<Warning>) {
        let mut warnings = Vec::new();
        let article = parse_html(Path::new("page.html"), "page.html", html, &mut warnings)
            .expect("an HTML page");
        (article, warnings)
    }

    #[test]
    fn press_release_page() {
        let html = r#"<!doctype html>
<html lang="fr-FR"><head>
<title>Déclaration conjointe &amp; communiqué</title>
<meta property="article:published_time" content="2024-06-14T10:00:00+02:00">
<link rel="canonical" href="https://example.org/fr/declaration">
<meta name="author" content="Ministère de l’Europe et des Affaires étrangères">
<script>var tracking = "ne pas indexer";</script>
<style>p { color: red }</style>
</head><body>
<header><a href="/">Accueil</a> <nav><a href="/fr">FR</a></nav></header>
<nav><ul><li>Menu</li><li>Recherche</li></ul></nav>
<main>
  <h1>Déclaration conjointe</h1>
  <p>La France   et l&#39;Allemagne
     condamnent l’attaque.</p>
  <ul><li>Premier point.</li><li>Second point<br>sur deux lignes.</li></ul>
  <div hidden>caché</div>
</main>
<footer>© 2024 Mentions légales</footer>
</body></html>"#;
        let (article, warnings) = read(html);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            article.title.as_deref(),
            Some("Déclaration conjointe & communiqué")
        );
        assert_eq!(article.lang.as_deref(), Some("fr"));
        assert_eq!(article.date.as_deref(), Some("2024-06-14T10:00:00+02:00"));
        assert_eq!(
            article.url.as_deref(),
            Some("https://example.org/fr/declaration")
        );
        assert_eq!(
            article.source.as_deref(),
            Some("Ministère de l’Europe et des Affaires étrangères")
        );
        assert_eq!(
            article.body,
            "Déclaration conjointe\n\nLa France et l'Allemagne condamnent l’attaque.\n\n\
             Premier point.\n\nSecond point\nsur deux lignes."
        );
    }

    #[test]
    fn title_from_h1_and_date_from_time() {
        let (article, _) = read(
            "<body><article><h1>Joint statement</h1><p>Issued <time datetime=\"2023-05-01\">May 1</time>.</p></article></body>",
        );
        assert_eq!(article.title.as_deref(), Some("Joint statement"));
        assert_eq!(article.date.as_deref(), Some("2023-05-01"));
        assert_eq!(article.lang, None);
        assert_eq!(article.body, "Joint statement\n\nIssued May 1.");
    }

    #[test]
    fn malformed_html_is_read_as_a_browser_does() {
        let (article, _) = read("<p>First <b>bold<p>Second &eacute;t&eacute; <i>unclosed");
        assert_eq!(article.body, "First bold\n\nSecond été unclosed");
    }

    #[test]
    fn unreadable_date_is_a_warning() {
        let (article, warnings) = read(
            "<html><head><meta name=\"date\" content=\"yesterday\"></head><p>Text.</p></html>",
        );
        assert_eq!(article.date, None);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("yesterday"));
    }

    #[test]
    fn text_that_is_not_html_is_refused() {
        let mut warnings = Vec::new();
        let err = parse_html(
            Path::new("notes.html"),
            "notes.html",
            "just some words, no markup",
            &mut warnings,
        )
        .unwrap_err();
        assert!(err.to_string().contains("notes.html"), "{err}");
        assert!(err.to_string().contains("not an HTML page"), "{err}");
    }

    #[test]
    fn preamble_header_is_kept_but_banner_is_not() {
        let (article, _) = read(
            "<body><header><a href=\"/\">Home</a></header><header><h2>Preamble</h2><p>Whereas recognition.</p></header><article><p>Article text.</p></article><article><p>Other.</p></article></body>",
        );
        assert_eq!(
            article.body,
            "Preamble\n\nWhereas recognition.\n\nArticle text.\n\nOther."
        );
    }
}
