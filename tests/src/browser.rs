//! Headless Chromium (Debian's `chromium`) driven through `chromedriver`.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::{Client, ClientBuilder};
use tempfile::TempDir;

use crate::process::{ChildGuard, free_port, wait_ready};

pub struct Browser {
    pub client: Client,
    _profile: TempDir,
    _driver: ChildGuard,
}

impl Browser {
    pub async fn start() -> Result<Browser> {
        let profile = tempfile::tempdir()?;
        let port = free_port();
        let log = profile.path().join("chromedriver.log");
        let mut driver = ChildGuard::spawn(
            "chromedriver",
            Command::new("chromedriver")
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1"),
            &log,
        )?;
        let url = format!("http://127.0.0.1:{port}");
        wait_ready(
            &format!("{url}/status"),
            &mut driver,
            &log,
            Duration::from_secs(20),
        )
        .await?;
        let binary = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        // Flags that keep Chromium quiet on a closed network and as root.
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,900".into(),
            format!(
                "--user-data-dir={}",
                profile.path().join("profile").display()
            ),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "chrome".into());
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": binary, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&url)
            .await
            .context("opening a WebDriver session")?;
        Ok(Browser {
            client,
            _profile: profile,
            _driver: driver,
        })
    }

    /// Make the pages see `prefers-color-scheme: dark`, as on a system in
    /// night mode (Chrome DevTools' media emulation, through chromedriver).
    pub async fn prefer_dark(&self) -> Result<()> {
        driver_command(
            &self.client,
            "goog/cdp/execute",
            serde_json::json!({
                "cmd": "Emulation.setEmulatedMedia",
                "params": {
                    "features": [{ "name": "prefers-color-scheme", "value": "dark" }]
                },
            }),
        )
        .await
        .context("emulating prefers-color-scheme: dark")?;
        Ok(())
    }

    /// Wait until the page's WASM has hydrated it (the body carries the mark).
    pub async fn wait_hydrated(&self) -> Result<()> {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(fantoccini::Locator::Css("body[data-hydrated]"))
            .await
            .context("page never hydrated")?;
        Ok(())
    }
}

/// Run `script` in the page; its answer as text (strings as they are,
/// anything else as JSON).
pub async fn js(client: &fantoccini::Client, script: &str) -> String {
    let value = client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"));
    value
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string())
}

/// Wait up to 20 s for an element matching `css`.
pub async fn wait_for(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
}

/// Wait up to 20 s for an element matching `css` that is not disabled
/// (controls stay disabled until the page has hydrated).
pub async fn enabled(client: &fantoccini::Client, css: &str) -> fantoccini::elements::Element {
    for _ in 0..200 {
        if let Ok(element) = client.find(fantoccini::Locator::Css(css)).await
            && element.attr("disabled").await.ok().flatten().is_none()
        {
            return element;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never became enabled");
}

/// Click the element matching `css` and wait for `then` to appear: how a
/// test proves a control reacts without a reload (i.e. the page hydrated).
/// The control is waited for too: `body[data-hydrated]` is set when
/// hydration starts, and a live panel's controls can be absent for a moment
/// while its suspended part hydrates (seen in about one run in a dozen).
pub async fn click_then(client: &fantoccini::Client, css: &str, then: &str) {
    wait_for(client, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    wait_for(client, then).await;
}

/// A chromedriver command outside the WebDriver standard:
/// `POST /session/{id}/{path}` with a JSON body (DevTools commands, the
/// console log).
#[derive(Debug)]
struct DriverCommand {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DriverCommand {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _url: &reqwest::Url) -> (reqwest::Method, Option<String>) {
        (reqwest::Method::POST, Some(self.body.to_string()))
    }
}

/// Send a chromedriver-specific command; its answer.
pub async fn driver_command(
    client: &fantoccini::Client,
    path: &'static str,
    body: serde_json::Value,
) -> Result<serde_json::Value> {
    Ok(client.issue_cmd(DriverCommand { path, body }).await?)
}
