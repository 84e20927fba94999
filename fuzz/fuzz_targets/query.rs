//! Arbitrary bytes as a query: parsing must never panic, and a query that parses must search a
//! small index without panicking (errors are fine).
#![no_main]

use std::sync::OnceLock;

use communique::{Article, Index, Query, SearchOptions};
use libfuzzer_sys::fuzz_target;

const ARTICLES: &[(&str, &str, &str)] = &[
    (
        "kursk-statement",
        "Joint statement on North Korean troops",
        "Ten countries and the European Union condemned the deployment of troops.\n\n\
         North Korean troops were killed or wounded in the Kursk region, Ukraine said.\n\n\
         The transfers of ballistic missiles violate United Nations Security Council \
         resolutions 1718 (2006) and 2270 (2016), the statement said.",
    ),
    (
        "un-veto",
        "Russia vetoes the renewal of the U.N. Panel of Experts",
        "The U.N. Security Council failed on 28 March 2024 to renew the mandate of the Panel of \
         Experts. Mr. Nebenzia said the “sanctions regime” had lost its relevance; the U.S. \
         ambassador called the veto ‘reckless’.\n\nThirteen members voted in favour, China \
         abstained and Russia voted against. The panel’s mandate expires on 30 April.",
    ),
    (
        "cote-divoire",
        "Côte d’Ivoire: French forces hand over Port-Bouët",
        "ABIDJAN\n\nFrance handed over the military camp of Port-Bouët to Côte d’Ivoire on 20 \
         February 2025. Les autorités ivoiriennes ont salué « un nouveau partenariat ». \
         Zürich-based analysts and São Tomé officials noted the 1,000-strong contingent's \
         withdrawal.\n\nThe G7 and NATO allies welcomed the step; ECOWAS said nothing.",
    ),
    (
        "grain",
        "Black Sea Grain Initiative signed in Istanbul",
        "Russia and Ukraine signed parallel agreements with Türkiye and the United Nations on \
         22 July 2022 to reopen three Ukrainian ports — Odesa, Chornomorsk and Pivdennyi — \
         for grain exports of about 20 million tonnes.\n\nSecretary-General António Guterres \
         called it “a beacon of hope”. Shipments of 25.5m t followed by 2023.",
    ),
];

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = Index::in_memory().expect("in-memory index");
        let mut writer = index.writer().expect("writer");
        for (id, title, body) in ARTICLES {
            writer
                .add(
                    &Article::new(*id, *body)
                        .with_title(*title)
                        .with_source("Fuzz desk"),
                )
                .expect("add");
        }
        writer.commit().expect("commit");
        index
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let index = index();
    let options = SearchOptions::new();
    if let Ok(query) = Query::parse(s) {
        let _ = query.bare_words();
        let _ = query.root();
        let _ = index.search(&query, &options);
    }
    if let Ok(query) = Query::words(s) {
        let _ = index.search(&query, &options);
    }
});
