//! The real corpus (`RUNBOOK_CORPUS_DIR`, ~900 srerun runbooks): every page is
//! requested over HTTP from the running binary. CI points the variable at
//! `../shared/corpus`; without it the test says so and checks nothing.

use std::collections::HashMap;
use std::path::PathBuf;

use portal_tests::Portal;
use reqwest::StatusCode;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("RUNBOOK_CORPUS_DIR")?);
    // Accept the corpus root or its runbooks/ directory.
    Some(if dir.join("runbooks").is_dir() {
        dir
    } else {
        dir.parent()?.to_path_buf()
    })
}

/// `{{% rule "file" "Alert" %}}` in a runbook's source, if any.
fn rule_reference(source: &str) -> Option<(String, String)> {
    let start = source.find("{{% rule ")?;
    let rest = &source[start + 9..];
    let mut quoted = rest.split('"').skip(1).step_by(2);
    Some((quoted.next()?.to_string(), quoted.next()?.to_string()))
}

#[tokio::test]
async fn every_corpus_page_renders() {
    let Some(corpus) = corpus() else {
        println!("RUNBOOK_CORPUS_DIR is not set: corpus test skipped");
        return;
    };
    let runbooks_dir = corpus.join("runbooks");
    let rules_dir = corpus.join("rules");
    let portal = Portal::start(
        &[
            "--runbooks",
            runbooks_dir.to_str().unwrap(),
            "--rules",
            rules_dir.to_str().unwrap(),
        ],
        &[],
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let list: Vec<serde_json::Value> = client
        .get(format!("{}/api/v1/runbooks", portal.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let files = walk(&runbooks_dir);
    let expected = files.iter().filter(|p| !p.ends_with("_index.md")).count();
    assert_eq!(list.len(), expected, "every non-_index file is a runbook");

    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut failures = Vec::new();
    let pages = futures_pages(&client, &portal.url, &list).await;
    for (item, (status, page)) in list.iter().zip(pages) {
        let key = item["key"].as_str().unwrap();
        let source =
            std::fs::read_to_string(runbooks_dir.join(format!("{key}.md"))).unwrap_or_default();
        let broken = item["broken"].as_bool().unwrap();
        if broken {
            *counts.entry("broken").or_default() += 1;
            if status != StatusCode::INTERNAL_SERVER_ERROR {
                failures.push(format!("{key}: broken but answered {status}"));
            }
            continue;
        }
        if status != StatusCode::OK {
            failures.push(format!("{key}: {status}"));
            continue;
        }
        *counts.entry("rendered").or_default() += 1;
        if source.trim().is_empty() {
            *counts.entry("empty").or_default() += 1;
        }
        let title = item["title"].as_str().unwrap();
        let escaped_title = title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        if !page.contains(&format!("<h1>{escaped_title}</h1>")) {
            failures.push(format!("{key}: title {title:?} missing"));
        }
        for section in ["Meaning", "Impact", "Diagnosis", "Mitigation"] {
            if source.contains(&format!("\n## {section}"))
                && !page.contains(&format!("id=\"{}\"", section.to_lowercase()))
            {
                failures.push(format!("{key}: section {section} missing"));
            }
        }
        if page.contains("{{%") {
            failures.push(format!("{key}: raw shortcode on the page"));
        }
        if let Some((file, alert)) = rule_reference(&source) {
            let in_file = std::fs::read_to_string(rules_dir.join(&file))
                .map(|text| {
                    text.lines()
                        .any(|l| l.trim().trim_start_matches("- ") == format!("alert: {alert}"))
                })
                .unwrap_or(false);
            let (want, counter) = if in_file {
                ("rule-file", "rule from file")
            } else {
                ("comment-copy", "rule from comment copy")
            };
            if page.contains(&format!("data-source=\"{want}\"")) {
                *counts.entry(counter).or_default() += 1;
            } else if !in_file && page.contains("rule-box missing") {
                *counts.entry("rule missing everywhere").or_default() += 1;
            } else {
                failures.push(format!("{key}: expected rule source {want}"));
            }
        }
    }
    let fallback = list
        .iter()
        .find(|i| i["key"] == "node-exporter/HostContextSwitchingHigh");
    if fallback.is_some() {
        let page = client
            .get(format!(
                "{}/runbooks/node-exporter/HostContextSwitchingHigh",
                portal.url
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("data-source=\"comment-copy\""),
            "HostContextSwitchingHigh uses the comment's copy"
        );
    }
    let mut summary: Vec<_> = counts.into_iter().collect();
    summary.sort();
    println!("corpus: {} runbooks; {summary:?}", list.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\nportal log (tail):\n{}",
        failures.len(),
        failures.join("\n"),
        portal.log()
    );
    assert!(
        !portal.log().contains("panicked"),
        "the server panicked:\n{}",
        portal.log()
    );
}

/// Fetch every page, eight at a time.
async fn futures_pages(
    client: &reqwest::Client,
    base: &str,
    list: &[serde_json::Value],
) -> Vec<(StatusCode, String)> {
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(8));
    let mut tasks = Vec::new();
    for item in list {
        let key = item["key"].as_str().unwrap().to_string();
        let url = format!("{base}/runbooks/{}", encode(&key));
        let client = client.clone();
        let semaphore = semaphore.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.unwrap();
            let response = client.get(&url).send().await.unwrap();
            let status = response.status();
            (status, response.text().await.unwrap())
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

fn encode(key: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    key.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
    out
}
