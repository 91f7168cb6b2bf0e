//! In-process tests of the real router: the whole HTTP surface (layers,
//! extractors, handlers, server functions) over a temporary SQLite store and
//! the embedded example runbooks, driven with `tower::ServiceExt::oneshot`.
//! No process, no socket: what needs real processes (Prometheus,
//! Alertmanager, Chromium, SIGKILL) stays in the `tests` crate.

// Each test file compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{Method, Request, StatusCode};
use runbook_portal::config::{Config, FlagOverrides};
use serde_json::Value;
use tower::ServiceExt;

/// One portal: its router and the directory holding its database.
pub struct App {
    pub router: Router,
    _dir: tempfile::TempDir,
}

/// A response: status, headers and the body as text and (if it is) JSON.
pub struct Reply {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl App {
    /// The default configuration (loopback, anonymous writes allowed).
    pub async fn new() -> App {
        App::with(|_| {}).await
    }

    /// The default configuration changed by `change`.
    pub async fn with(change: impl FnOnce(&mut Config)) -> App {
        let dir = tempfile::tempdir().expect("temporary directory");
        let flags = FlagOverrides {
            database: Some(dir.path().join("portal.db").display().to_string()),
            ..Default::default()
        };
        let mut config = runbook_portal::config::load(None, flags).expect("configuration");
        change(&mut config);
        let core = runbook_portal::serve::build_core(&config)
            .await
            .expect("core");
        let router = runbook_portal::http::router(core, &config, Default::default());
        App { router, _dir: dir }
    }

    /// Send one request from 127.0.0.1 with the loopback Host.
    pub async fn send(&self, request: http::request::Builder, body: Body) -> Reply {
        let mut request = request
            .header(http::header::HOST, "127.0.0.1:3000")
            .body(body)
            .expect("request");
        let peer: SocketAddr = "127.0.0.1:40000".parse().expect("address");
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path), Body::empty()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send_json(Method::POST, path, body, &[]).await
    }

    /// A JSON request with extra headers.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request, Body::from(body.to_string())).await
    }
}
