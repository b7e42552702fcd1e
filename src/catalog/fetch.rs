//! `promspec catalog fetch`: the catalog from a running Prometheus. The one
//! place promspec talks to the network, and only when asked to: HTTP GETs
//! of `/api/v1/metadata` and `/api/v1/series`, with timeouts, read by
//! [`import`](super::import) like the same JSON saved to a file.
//!
//! Which series: the `--match` selectors, or every metric the metadata
//! names (asked in batches, so a server with many metrics answers many
//! small requests rather than one huge one). `up` is always asked for: its
//! labels are the target labels.

use std::time::Duration;

use super::import::{self, Context};
use super::{Catalog, SYNTHETIC};

/// How long one request may take, connecting included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// How long connecting may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The most bytes of one response read (a larger one is an error).
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// Metric names per `/api/v1/series` request when no `--match` is given.
const BATCH: usize = 40;

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The URL is not `http://` or `https://`.
    #[error("`{0}` is not an http:// or https:// URL")]
    Url(String),
    /// The request failed (connection, timeout, TLS, HTTP status).
    #[error("GET {url}: {message}")]
    Http {
        /// The URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The answer is not what the API returns.
    #[error("GET {url}: {source}")]
    Answer {
        /// The URL asked.
        url: String,
        /// Why it cannot be read.
        source: import::ImportError,
    },
}

/// A Prometheus server's HTTP API.
pub struct Server {
    base: String,
    agent: ureq::Agent,
}

impl Server {
    /// The server at `url` (`http://host:9090`, a path prefix allowed).
    pub fn new(url: &str) -> Result<Server, FetchError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(FetchError::Url(url.to_string()));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .http_status_as_error(false)
            .user_agent(concat!("promspec/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Server {
            base: url.trim_end_matches('/').to_string(),
            agent,
        })
    }

    /// GET `path` with `query` parameters; the body of a 2xx answer, or
    /// the API's error.
    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<String, FetchError> {
        let url = format!("{}{path}", self.base);
        let http = |message: String| FetchError::Http {
            url: url.clone(),
            message,
        };
        let mut request = self.agent.get(&url);
        for (k, v) in query {
            request = request.query(*k, *v);
        }
        let mut response = request.call().map_err(|e| http(e.to_string()))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| http(e.to_string()))?;
        if status.is_success() {
            return Ok(body);
        }
        // The API explains a 4xx/5xx in its JSON.
        let explained = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string));
        Err(http(match explained {
            Some(e) => format!("{status}: {e}"),
            None => format!("{status}"),
        }))
    }

    fn read(&self, path: &str, query: &[(&str, &str)]) -> Result<Catalog, FetchError> {
        let body = self.get(path, query)?;
        import::read_with(&body, &Context::default()).map_err(|source| FetchError::Answer {
            url: format!("{}{path}", self.base),
            source,
        })
    }

    /// The catalog of the server: the metadata of every metric, and the
    /// labels of the series that `matches` select (every metric the
    /// metadata names when `matches` is empty). With `matches`, only the
    /// metrics they select are kept.
    pub fn catalog(&self, matches: &[String]) -> Result<Catalog, FetchError> {
        let metadata = self.read("/api/v1/metadata", &[])?;
        let selectors: Vec<Vec<String>> = if matches.is_empty() {
            let names: Vec<String> = metadata
                .metrics
                .keys()
                .filter(|n| !SYNTHETIC.contains(&n.as_str()))
                .map(|n| format!("{{__name__=~\"{}\"}}", series_pattern(n)))
                .collect();
            names.chunks(BATCH).map(<[String]>::to_vec).collect()
        } else {
            vec![matches.to_vec()]
        };
        let mut seen = Catalog::default();
        for batch in selectors
            .iter()
            .chain(std::iter::once(&vec!["up".to_string()]))
        {
            let query: Vec<(&str, &str)> = batch.iter().map(|s| ("match[]", s.as_str())).collect();
            seen.merge(self.read("/api/v1/series", &query)?);
        }
        let mut catalog = if matches.is_empty() {
            metadata
        } else {
            // Only the families of the selected series.
            let mut only = Catalog::default();
            for (name, m) in metadata.metrics {
                let selected = seen.metrics.contains_key(&name)
                    || seen
                        .metrics
                        .keys()
                        .any(|s| s.strip_prefix(name.as_str()).is_some_and(is_series_suffix));
                if selected {
                    only.metrics.insert(name, m);
                }
            }
            only
        };
        catalog.merge(seen);
        Ok(catalog)
    }
}

/// The suffixes of a family's series names.
fn is_series_suffix(suffix: &str) -> bool {
    matches!(
        suffix,
        "_bucket" | "_sum" | "_count" | "_total" | "_created" | "_gsum" | "_gcount" | "_info"
    )
}

/// A regex matching the series of the family `name` (`x`, `x_bucket`...).
fn series_pattern(name: &str) -> String {
    format!(
        "{}(_bucket|_sum|_count|_total|_created|_gsum|_gcount|_info)?",
        regex::escape(name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls() {
        assert!(matches!(
            Server::new("localhost:9090"),
            Err(FetchError::Url(_))
        ));
        assert!(Server::new("http://localhost:9090/").is_ok());
    }

    #[test]
    fn a_family_pattern_matches_its_series() {
        let re = regex::Regex::new(&format!("^{}$", series_pattern("a.b_seconds"))).unwrap();
        assert!(re.is_match("a.b_seconds_bucket"));
        assert!(!re.is_match("aXb_seconds"));
    }

    #[test]
    fn nothing_listening_is_an_error_not_a_hang() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let server = Server::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let e = server.catalog(&[]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&format!("GET http://127.0.0.1:{port}/api/v1/metadata: ")),
            "{e}"
        );
    }
}
