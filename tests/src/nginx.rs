//! A real nginx (Debian's package) as the load balancer in front of
//! several portals: round robin, one temporary prefix with its own
//! configuration, logs and temp paths, on a free 127.0.0.1 port.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use tempfile::TempDir;

use crate::process::{ChildGuard, wait_ready};

pub struct Nginx {
    pub url: String,
    dir: TempDir,
    _child: ChildGuard,
}

/// nginx's binary: on Debian it is in /usr/sbin, which a non-root PATH lacks.
fn binary() -> PathBuf {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("nginx"))
}

impl Nginx {
    /// Listen on `port` and balance over `upstreams` (`http://127.0.0.1:port`
    /// each); the portals' `--public-url` names `port`, as a team's names the
    /// balancer. Only
    /// connection failures move a request to the next replica: a POST that
    /// reached a replica which then died is not sent twice (nginx's default
    /// for non-idempotent methods), so a write is never doubled.
    pub async fn balance(port: u16, upstreams: &[&str]) -> Result<Nginx> {
        let dir = tempfile::tempdir()?;
        let servers: String = upstreams
            .iter()
            .map(|u| {
                let address = u.trim_start_matches("http://");
                format!("        server {address} max_fails=1 fail_timeout=5s;\n")
            })
            .collect();
        let prefix = dir.path().display();
        let config = format!(
            r#"daemon off;
master_process off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream portals {{
{servers}        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portals;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # Event streams pass through as they are written.
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"#
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config)?;
        let log = dir.path().join("nginx.out");
        let mut command = Command::new(binary());
        command
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.path().join("error.log"));
        let mut child = ChildGuard::spawn("nginx", &mut command, &log).context("starting nginx")?;
        let url = format!("http://127.0.0.1:{port}");
        wait_ready(
            &format!("{url}/healthz"),
            &mut child,
            &log,
            Duration::from_secs(10),
        )
        .await?;
        Ok(Nginx {
            url,
            dir,
            _child: child,
        })
    }

    /// nginx's error log (upstream failures are logged there).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}
