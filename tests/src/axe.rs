//! Accessibility audits with axe-core (npm's `axe-core`, pinned in
//! `tests/js`), injected into the page Chromium shows. WebDriver's scripts
//! run outside the page's Content-Security-Policy, so the portal's policy
//! needs no exception for the audit.

use std::sync::OnceLock;

use anyhow::{Context, Result};

use crate::npm;

/// One rule a page breaks, with the elements that break it.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.rule,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

const RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then(r => done(r.violations.map(v => ({
    rule: v.id, impact: v.impact || '', help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\n').slice(1, 2).join(''))
  }))))
  .catch(e => done([{ rule: 'axe-error', impact: 'critical', help: String(e), targets: [] }]));
"#;

/// axe-core's source as a script that answers once it has run; read from
/// disk once per test binary (it is 650 KB, injected into every page).
fn injection() -> Result<&'static str> {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    if let Some(script) = SCRIPT.get() {
        return Ok(script);
    }
    let source = std::fs::read_to_string(npm::package_file("axe-core/axe.min.js")?)?;
    Ok(SCRIPT.get_or_init(|| format!("{source}\nreturn true;")))
}

/// Run axe-core's WCAG 2.1 A/AA rules on the current page and return the
/// serious and critical violations.
pub async fn serious_violations(client: &fantoccini::Client) -> Result<Vec<Violation>> {
    client
        .execute(injection()?, vec![])
        .await
        .context("injecting axe-core")?;
    let found = client
        .execute_async(RUN, vec![])
        .await
        .context("running axe-core")?;
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    Ok(found
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| Violation {
            rule: text(v, "rule"),
            impact: text(v, "impact"),
            help: text(v, "help"),
            targets: v["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
        })
        .filter(|v| v.impact == "serious" || v.impact == "critical")
        .collect())
}
