//! Full-text search over the runbooks: a tantivy index in RAM, rebuilt with
//! every new runbook index. Queries are typo-tolerant (Levenshtein distance
//! 1–2 by term length), prefix-aware, and rank a name match above a body match.

use portal_types::SearchResult;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, STORED, STRING, Schema, TEXT, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};

use crate::error::{Error, Result};

/// What one runbook contributes to the index.
pub struct SearchDoc<'a> {
    pub key: &'a str,
    pub alert: &'a str,
    pub group: &'a str,
    pub title: &'a str,
    pub tags: &'a [String],
    pub description: &'a str,
    pub body: &'a str,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    alert: Field,
    group: Field,
    title: Field,
    tags: Field,
    description: Field,
    body: Field,
}

pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
}

/// Picks one field out of [`Fields`].
type FieldOf = fn(&Fields) -> Field;

/// Field weights: a name match beats a tag match beats a body match.
const BOOSTS: [(FieldOf, f32); 6] = [
    (|f| f.alert, 6.0),
    (|f| f.title, 4.0),
    (|f| f.tags, 3.0),
    (|f| f.group, 2.0),
    (|f| f.description, 1.5),
    (|f| f.body, 1.0),
];

impl SearchIndex {
    pub fn build<'a>(docs: impl IntoIterator<Item = SearchDoc<'a>>) -> Result<SearchIndex> {
        let mut schema = Schema::builder();
        let fields = Fields {
            key: schema.add_text_field("key", STRING | STORED),
            alert: schema.add_text_field("alert", TEXT | STORED),
            group: schema.add_text_field("group", TEXT | STORED),
            title: schema.add_text_field("title", TEXT | STORED),
            tags: schema.add_text_field("tags", TEXT),
            description: schema.add_text_field("description", TEXT),
            body: schema.add_text_field("body", TEXT | STORED),
        };
        let index = Index::create_in_ram(schema.build());
        let mut writer = index
            .writer_with_num_threads(1, 50_000_000)
            .map_err(search_error)?;
        for d in docs {
            writer
                .add_document(doc!(
                    fields.key => d.key,
                    fields.alert => format!("{} {}", d.alert, split_words(d.alert)),
                    fields.group => format!("{} {}", d.group, split_words(d.group)),
                    // Two spaces end the title proper: results show only that part.
                    fields.title => format!("{}  {}", d.title, split_words(d.title)),
                    fields.tags => d.tags.join(" "),
                    fields.description => d.description,
                    fields.body => d.body,
                ))
                .map_err(search_error)?;
        }
        writer.commit().map_err(search_error)?;
        let reader = index.reader().map_err(search_error)?;
        Ok(SearchIndex { reader, fields })
    }

    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>> {
        let terms = tokens(query);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let query = self.query(&terms);
        let searcher = self.reader.searcher();
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.clamp(1, 100)))
            .map_err(search_error)?;
        let mut snippets =
            SnippetGenerator::create(&searcher, &query, self.fields.body).map_err(search_error)?;
        snippets.set_max_num_chars(180);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let first_word = |s: String| s.split(' ').next().unwrap_or_default().to_string();
            let snippet = snippets.snippet_from_doc(&doc);
            hits.push(SearchResult {
                key: text(self.fields.key),
                alert: first_word(text(self.fields.alert)),
                group: first_word(text(self.fields.group)),
                title: text(self.fields.title)
                    .split(' ')
                    .take_while(|w| !w.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                snippet_html: snippet.to_html(),
                score,
            });
        }
        Ok(hits)
    }

    /// Every term must match some field; per field, an exact match scores
    /// more than a prefix match, which scores more than a near miss.
    fn query(&self, terms: &[String]) -> BooleanQuery {
        let per_term = terms
            .iter()
            .map(|token| {
                let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for (field, boost) in BOOSTS {
                    let term = Term::from_field_text(field(&self.fields), token);
                    let mut push = |query: Box<dyn Query>, weight: f32| {
                        alternatives.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(query, boost * weight)),
                        ));
                    };
                    push(
                        Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                        1.0,
                    );
                    if token.chars().count() >= 2 {
                        push(
                            Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, false)),
                            0.7,
                        );
                    }
                    let distance = match token.chars().count() {
                        0..=3 => 0,
                        4..=7 => 1,
                        _ => 2,
                    };
                    if distance > 0 {
                        push(Box::new(FuzzyTermQuery::new(term, distance, true)), 0.4);
                    }
                }
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>,
                )
            })
            .collect();
        BooleanQuery::new(per_term)
    }
}

fn search_error(e: tantivy::TantivyError) -> Error {
    Error::Internal(format!("search index: {e}"))
}

/// Lower-cased words as the default tokenizer makes them.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 40)
        .map(str::to_lowercase)
        .take(16)
        .collect()
}

pub use portal_types::words::split_words;

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex {
        let tags = vec!["traefik".to_string()];
        let none: Vec<String> = Vec::new();
        SearchIndex::build([
            SearchDoc {
                key: "traefik/TraefikServiceDown",
                alert: "TraefikServiceDown",
                group: "traefik",
                title: "TraefikServiceDown",
                tags: &tags,
                description: "All Traefik services are down",
                body: "Check the traefik pods and their health.",
            },
            SearchDoc {
                key: "node/HostOutOfDiskSpace",
                alert: "HostOutOfDiskSpace",
                group: "node",
                title: "HostOutOfDiskSpace",
                tags: &none,
                description: "Disk almost full",
                body: "Traefik is not involved here; the disk is down to 5% free.",
            },
        ])
        .unwrap()
    }

    #[test]
    fn typo_and_prefix_find_the_alert_and_name_beats_body() {
        let index = index();
        let hits = index.search("trafik down", 10).unwrap();
        assert_eq!(hits[0].key, "traefik/TraefikServiceDown", "{hits:?}");
        // The title as written, not with the words the index adds to it.
        assert_eq!(hits[0].title, "TraefikServiceDown");
        let hits = index.search("Traef", 10).unwrap();
        assert_eq!(hits[0].key, "traefik/TraefikServiceDown");
        assert!(
            hits.len() == 2,
            "body mention also found, ranked lower: {hits:?}"
        );
        assert!(
            index.search("disk", 5).unwrap()[0]
                .snippet_html
                .contains("<b>disk</b>")
        );
        assert!(index.search("   ", 5).unwrap().is_empty());
    }

    #[test]
    fn splits_camel_case() {
        assert_eq!(split_words("TraefikServiceDown"), "Traefik Service Down");
        assert_eq!(split_words("HTTPProbeFailed"), "HTTP Probe Failed");
        assert_eq!(split_words("Ssl7Days"), "Ssl 7 Days");
    }
}
