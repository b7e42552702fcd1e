//! URLs and addresses, checked as their consumers read them.
//!
//! Alertmanager parses a webhook `url` with Go's `net/url` and then requires
//! the scheme `http` or `https` and a host; the same rule keeps `grafana_url`
//! and runbook URLs usable, since promspec writes them into `dashboard_url`
//! and `runbook_url` annotations that people click. `smtp.smarthost` is read
//! with Go's `net.SplitHostPort`, which needs a port.
//!
//! Diagnostics here never quote the value: a malformed URL may still carry a
//! credential (`admin:pw@grafana`), and the secret checks of
//! `routing/inline-secret` only see well-formed ones.

use crate::diag::Diagnostic;
use crate::spec::raw;

/// Why a URL is not an absolute http(s) URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UrlProblem {
    /// No `scheme://` at all (`grafana.example.com/...`).
    NoScheme,
    /// A scheme other than http and https.
    Scheme,
    /// `http:///path`.
    NoHost,
    /// A space, control character or a character Go refuses in the host.
    BadCharacter,
    /// A port that is not a number.
    BadPort,
    /// A query string or fragment where a base URL is needed.
    HasQuery,
}

/// Check `url` as an absolute http(s) URL with a host.
pub(super) fn absolute_url(url: &str) -> Result<(), UrlProblem> {
    if url.chars().any(|c| c.is_control()) {
        return Err(UrlProblem::BadCharacter);
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(UrlProblem::NoScheme);
    };
    let valid_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return Err(UrlProblem::NoScheme);
    }
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(UrlProblem::Scheme);
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err(UrlProblem::BadCharacter),
        },
        None => match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        },
    };
    if host.is_empty() {
        return Err(UrlProblem::NoHost);
    }
    if host.chars().any(|c| {
        c.is_whitespace() || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
    }) {
        return Err(UrlProblem::BadCharacter);
    }
    if port.is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(UrlProblem::BadPort);
    }
    Ok(())
}

/// Check `url` as a base URL that paths are appended to: absolute, without
/// a query string or fragment.
pub(super) fn base_url(url: &str) -> Result<(), UrlProblem> {
    absolute_url(url)?;
    if url.contains(['?', '#']) {
        return Err(UrlProblem::HasQuery);
    }
    Ok(())
}

/// The diagnostic for `field` (`grafana_url`, `runbook`, `url`) whose value
/// is not a usable URL; `consumer` says who breaks.
pub(super) fn invalid_url(
    value: &raw::Str,
    field: &str,
    problem: UrlProblem,
    consumer: &str,
) -> Diagnostic {
    let (label, help) = match problem {
        UrlProblem::NoScheme => (
            "no `http://` or `https://` in front",
            "write the full address, e.g. `https://grafana.example.com`",
        ),
        UrlProblem::Scheme => (
            "not an http or https URL",
            "use an `https://` (or `http://`) address",
        ),
        UrlProblem::NoHost => (
            "no host after `://`",
            "write the host name after `://`, e.g. `https://grafana.example.com`",
        ),
        UrlProblem::BadCharacter => (
            "contains a space or a character a URL cannot hold there",
            "remove the space or percent-encode it (`%20`)",
        ),
        UrlProblem::BadPort => (
            "the port is not a number",
            "write the port as digits after the host, e.g. `:3000`",
        ),
        UrlProblem::HasQuery => (
            "has a query string or fragment",
            "promspec appends `/d/<uid>/...` to this URL: give the base address only, without `?...` or `#...`",
        ),
    };
    let d = Diagnostic::error(
        "spec/invalid-url",
        format!("`{field}` is not an absolute http(s) URL; {consumer}"),
    )
    .with_label(value.span, label)
    .with_help(help);
    // `user:password@host` without a scheme is still a credential.
    if value.value.contains('@') {
        d.with_redacted(value.span)
    } else {
        d
    }
}

/// Why a `host:port` address is refused by Go's `net.SplitHostPort`.
pub(super) fn host_port(address: &str) -> Result<(), &'static str> {
    let (host, port) = match address.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6
                .split_once(']')
                .ok_or("missing `]` after an IPv6 address")?;
            let port = after.strip_prefix(':').ok_or("missing port")?;
            (host, port)
        }
        None => {
            let (host, port) = address.rsplit_once(':').ok_or("missing port")?;
            if host.contains(':') {
                return Err("too many colons");
            }
            (host, port)
        }
    };
    if host.contains(['[', ']']) {
        return Err("unexpected `[` or `]`");
    }
    if port.is_empty() {
        return Err("missing port");
    }
    Ok(())
}

/// The diagnostic for a `smarthost` that is not `host:port`.
pub(super) fn invalid_host_port(value: &raw::Str, problem: &str) -> Diagnostic {
    Diagnostic::error(
        "spec/invalid-value",
        "`smarthost` is not a `host:port` address",
    )
    .with_label(value.span, problem)
    .with_help("write the SMTP server and its port, e.g. `smtp.example.com:587`; Alertmanager refuses an address without a port")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_urls_as_alertmanager_reads_them() {
        for ok in [
            "https://grafana.example.com",
            "http://localhost:3000/grafana/",
            "HTTPS://example.com/x?token=1",
            "http://[::1]:9000/alerts",
            "https://user:pw@example.com/",
        ] {
            assert_eq!(absolute_url(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            absolute_url("grafana.example.com"),
            Err(UrlProblem::NoScheme)
        );
        assert_eq!(absolute_url("localhost:3000"), Err(UrlProblem::NoScheme));
        assert_eq!(absolute_url("ftp://example.com/x"), Err(UrlProblem::Scheme));
        assert_eq!(absolute_url("http:///x"), Err(UrlProblem::NoHost));
        assert_eq!(
            absolute_url("https://exa mple.com/"),
            Err(UrlProblem::BadCharacter)
        );
        assert_eq!(
            absolute_url("https://example.com:port/"),
            Err(UrlProblem::BadPort)
        );
        assert_eq!(
            base_url("https://g.example.com/?orgId=1"),
            Err(UrlProblem::HasQuery)
        );
    }

    #[test]
    fn host_port_as_go_splits_it() {
        assert_eq!(host_port("smtp.example.com:587"), Ok(()));
        assert_eq!(host_port("[::1]:25"), Ok(()));
        assert!(host_port("smtp.example.com").is_err());
        assert!(host_port("user:pw@smtp.example.com:587").is_err());
        assert!(host_port("smtp.example.com:").is_err());
    }
}
