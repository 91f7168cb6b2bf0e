//! A small Server-Sent Events reader for tests: reads the stream chunk by
//! chunk and yields complete events (comments, i.e. keep-alives, are counted).

use std::time::Duration;

use anyhow::{Context, Result};

#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: String,
    pub data: serde_json::Value,
}

pub struct SseClient {
    response: reqwest::Response,
    buffer: String,
    /// Keep-alive comments seen so far.
    pub comments: usize,
}

impl SseClient {
    /// Open `url`, optionally resuming after `last_event_id`.
    pub async fn connect(
        http: &reqwest::Client,
        url: &str,
        last_event_id: Option<&str>,
    ) -> Result<SseClient> {
        let mut request = http.get(url).header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await?;
        anyhow::ensure!(
            response.status().is_success(),
            "stream refused: {}",
            response.status()
        );
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        anyhow::ensure!(kind.starts_with("text/event-stream"), "content type {kind}");
        Ok(SseClient {
            response,
            buffer: String::new(),
            comments: 0,
        })
    }

    /// The next event, or `None` when `timeout` passes first.
    pub async fn next(&mut self, timeout: Duration) -> Result<Option<SseEvent>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = self.parse(&block)? {
                    return Ok(Some(event));
                }
                continue;
            }
            let chunk = match tokio::time::timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return Ok(None),
                Ok(chunk) => chunk?.context("stream ended")?,
            };
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event of kind `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str, timeout: Duration) -> Result<Option<SseEvent>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await? {
                Some(e) if e.event == kind => return Ok(Some(e)),
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    fn parse(&mut self, block: &str) -> Result<Option<SseEvent>> {
        let (mut event, mut id, mut data) = (String::from("message"), String::new(), String::new());
        let mut any = false;
        for line in block.lines() {
            if line.starts_with(':') {
                self.comments += 1;
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            any = true;
            match field {
                "event" => event = value.to_string(),
                "id" => id = value.to_string(),
                "data" => {
                    if !data.is_empty() {
                        data.push('\n');
                    }
                    data.push_str(value);
                }
                _ => {}
            }
        }
        if !any {
            return Ok(None);
        }
        let data = serde_json::from_str(&data).with_context(|| format!("event data {data:?}"))?;
        Ok(Some(SseEvent { event, id, data }))
    }
}
