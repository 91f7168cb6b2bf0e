//! Local targets for network checks, on 127.0.0.1: a small HTTP server
//! (healthy, failing, redirecting, slow and silent paths) and a DNS server
//! that answers A queries from a fixed table. Both stop when dropped.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::Result;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

/// Aborts its task when dropped.
pub struct Served {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// HTTP on 127.0.0.1:
/// - `/healthz` → 200 `ok`; `/fail` → 503 `down`;
/// - `/redirect-in` → 302 to `/healthz`; `/redirect-out` → 302 to `http://192.0.2.10/`;
/// - `/slow` → 200 after 2 s; `/silent` → never answers.
pub async fn http() -> Result<Served> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream));
        }
    });
    Ok(Served { addr, task })
}

async fn answer(mut stream: TcpStream) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (status, headers, body) = match path.as_str() {
        "/healthz" => ("200 OK", String::new(), "ok"),
        "/fail" => ("503 Service Unavailable", String::new(), "down"),
        "/redirect-in" => ("302 Found", "Location: /healthz\r\n".into(), ""),
        "/redirect-out" => ("302 Found", "Location: http://192.0.2.10/\r\n".into(), ""),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            ("200 OK", String::new(), "ok")
        }
        "/silent" => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return;
        }
        _ => ("404 Not Found", String::new(), "no such path"),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
}

/// DNS over UDP on 127.0.0.1: A queries for a name in `records` get its
/// address; other names get NXDOMAIN; other types an empty answer.
pub async fn dns(records: &[(&str, Ipv4Addr)]) -> Result<Served> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let addr = socket.local_addr()?;
    let records: HashMap<String, Ipv4Addr> = records
        .iter()
        .map(|(name, ip)| (name.trim_end_matches('.').to_lowercase(), *ip))
        .collect();
    let task = tokio::spawn(async move {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            if let Some(reply) = dns_reply(&buf[..n], &records) {
                let _ = socket.send_to(&reply, peer).await;
            }
        }
    });
    Ok(Served { addr, task })
}

/// The reply to one query (RFC 1035 §4.1): the header with QR/RA set and
/// the question echoed, plus one A record pointing back at the question.
fn dns_reply(query: &[u8], records: &HashMap<String, Ipv4Addr>) -> Option<Vec<u8>> {
    if query.len() < 12 {
        return None;
    }
    let mut at = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*query.get(at)?);
        at += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_lowercase());
        at += len;
    }
    let qtype = u16::from_be_bytes([*query.get(at)?, *query.get(at + 1)?]);
    let question_end = at + 4;
    let name = labels.join(".");
    let answer = records.get(&name).filter(|_| qtype == 1);
    let mut reply = query.get(..question_end)?.to_vec();
    reply[2] = 0x80 | (query[2] & 0x01); // QR, keep RD
    reply[3] = 0x80 | if records.contains_key(&name) { 0 } else { 3 }; // RA, NOERROR or NXDOMAIN
    reply[4..12].copy_from_slice(&[0, 1, 0, u8::from(answer.is_some()), 0, 0, 0, 0]);
    if let Some(ip) = answer {
        reply.extend_from_slice(&[0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
        reply.extend_from_slice(&ip.octets());
    }
    Some(reply)
}
