//! Raw → model: defaults applied, units normalised, references checked, and
//! every value an artifact carries checked with the rules of its consumer.
//!
//! The only place that turns raw types into model types. It never reads
//! files and never parses PromQL; every problem it finds keeps the span of
//! the value the operator wrote. A wrong value is still carried into the
//! model as written, so a caller that ignores the diagnostics compiles what
//! an unchecked build would have produced; the error stops `build`.
//!
//! - [`project`]: the project file (settings, priorities, severities, SMTP);
//! - [`receivers`]: receivers and their integrations;
//! - [`time`]: time intervals as Alertmanager reads them, time zones from
//!   the IANA database;
//! - [`url`]: absolute http(s) URLs and `host:port` addresses as Go parses them;
//! - [`feature`]: feature specs, thresholds and levels;
//! - [`alerts`]: the `alerts:` and `records:` sections, no-data alerts and
//!   verbatim alert names.

mod alerts;
mod feature;

pub use alerts::{DEFAULT_NO_DATA_WINDOW, is_alert_name, is_identifier_alert_name, is_record_name};

pub(super) use alerts::alert_name;
pub(super) use feature::{level_priority, level_receivers, notify_for};
mod project;
mod receivers;
mod time;
mod url;

pub use feature::resolve_feature;
pub use project::resolve_project;
pub use time::{MONTHS, WEEKDAYS};

use std::collections::BTreeMap;
use std::time::Duration;

use crate::diag::{Diagnostic, Severity};
use crate::source::Spanned;
use crate::spec::decode::{NamedMap, did_you_mean};
use crate::spec::model::*;
use crate::spec::raw;
use crate::spec::units;

/// Labels promspec sets itself; a spec may not set them.
pub const RESERVED_LABELS: [&str; 4] = ["feature", "team", "severity", "priority"];

/// Whether `s` is a valid slug (`^[a-z][a-z0-9-]*$`, not ending in `-`).
pub fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.ends_with('-')
}

pub(super) fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn invalid_slug(value: &Spanned<String>, what: &str) -> Diagnostic {
    Diagnostic::error(
        "spec/invalid-slug",
        format!("`{}` is not a valid {what}", value.value),
    )
    .with_label(value.span, "must match ^[a-z][a-z0-9-]*$")
    .with_help("use lower-case letters, digits and `-`, starting with a letter, e.g. `api-latency`")
}

/// Collects diagnostics while resolving.
pub(super) struct Resolver<'a> {
    pub(super) diagnostics: &'a mut Vec<Diagnostic>,
}

impl Resolver<'_> {
    pub(super) fn report(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub(super) fn duration(&mut self, raw: &raw::Duration) -> Option<Duration> {
        let text = &raw.0.value;
        match units::parse_duration(text) {
            Some(d) => Some(d),
            None => {
                self.report(
                    Diagnostic::error("spec/invalid-duration", format!("`{text}` is not a duration"))
                        .with_label(raw.0.span, "expected a Prometheus duration")
                        .with_help("write a number followed by ms, s, m, h, d, w or y, e.g. `30s`, `5m`, `1h30m`"),
                );
                None
            }
        }
    }

    pub(super) fn duration_or(
        &mut self,
        raw: &Option<raw::Duration>,
        default: Duration,
    ) -> Duration {
        raw.as_ref()
            .and_then(|d| self.duration(d))
            .unwrap_or(default)
    }

    pub(super) fn labels(&mut self, raw: &Option<NamedMap<raw::Str>>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in raw.iter().flat_map(|m| m.entries.iter()) {
            if !is_label_name(&k.value) {
                self.report(
                    Diagnostic::error(
                        "spec/invalid-label",
                        format!("`{}` is not a valid label name", k.value),
                    )
                    .with_label(k.span, "must match ^[a-zA-Z_][a-zA-Z0-9_]*$")
                    .with_help("use letters, digits and `_`, e.g. `service`"),
                );
                continue;
            }
            if RESERVED_LABELS.contains(&k.value.as_str()) {
                self.report(
                    Diagnostic::error(
                        "spec/reserved-label",
                        format!("label `{}` is set by promspec", k.value),
                    )
                    .with_label(k.span, "reserved label")
                    .with_help(format!(
                        "promspec sets {} itself; remove this label or use another name",
                        RESERVED_LABELS.map(|l| format!("`{l}`")).join(", ")
                    )),
                );
                continue;
            }
            out.insert(k.value.clone(), v.value.clone());
        }
        out
    }

    /// The spans of the keys of `raw` that [`Resolver::labels`] kept.
    fn label_spans(
        raw: &Option<NamedMap<raw::Str>>,
        kept: &BTreeMap<String, String>,
    ) -> BTreeMap<String, crate::source::Span> {
        raw.iter()
            .flat_map(|m| m.entries.iter())
            .filter(|(k, _)| kept.contains_key(&k.value))
            .map(|(k, _)| (k.value.clone(), k.span))
            .collect()
    }

    pub(super) fn slug(&mut self, value: &Spanned<String>, what: &str) {
        if !is_slug(&value.value) {
            self.report(invalid_slug(value, what));
        }
    }

    pub(super) fn names_exist(
        &mut self,
        refs: &[raw::Str],
        known: &[String],
        id: &'static str,
        what: &str,
        define_in: &str,
    ) -> Vec<String> {
        let plural = match what.strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{what}s"),
        };
        let mut out = Vec::new();
        for r in refs {
            if known.contains(&r.value) {
                out.push(r.value.clone());
                continue;
            }
            let mut d = Diagnostic::error(id, format!("unknown {what} `{}`", r.value))
                .with_label(r.span, format!("no {what} of this name"));
            d = match did_you_mean(&r.value, known.iter().map(String::as_str)) {
                Some(best) => d.with_help(format!(
                    "did you mean `{best}`? {what}s are defined in {define_in}"
                )),
                None if known.is_empty() => {
                    d.with_help(format!("no {what} is defined; add it to {define_in}"))
                }
                None => d.with_help(format!("known {plural}: {}", known.join(", "))),
            };
            self.report(d);
        }
        out
    }
}

/// The known receivers among `refs`, and every reference as written.
///
/// Unknown receivers are not reported here: the routing lints
/// (`routing/unknown-receiver`) judge the references kept in the model.
pub(super) fn receiver_refs(
    refs: &[raw::Str],
    known: &[String],
) -> (Vec<String>, Vec<Spanned<String>>) {
    let names = refs
        .iter()
        .filter(|r| known.contains(&r.value))
        .map(|r| r.value.clone())
        .collect();
    (names, refs.to_vec())
}

/// A lint rule severity as written in `lint.rules`: `error`, `warning`,
/// `info`, or `off` (`None`).
pub(crate) fn lint_severity(sev: &raw::Str) -> Result<Option<Severity>, Diagnostic> {
    match sev.value.as_str() {
        "off" => Ok(None),
        other => Severity::parse(other).map(Some).ok_or_else(|| {
            Diagnostic::error(
                "spec/invalid-value",
                format!("`{other}` is not a lint severity"),
            )
            .with_label(sev.span, "unknown severity")
            .with_help("choose `error`, `warning`, `info` or `off`")
        }),
    }
}

fn language(raw: &Option<raw::Str>, r: &mut Resolver) -> Option<Language> {
    let l = raw.as_ref()?;
    match l.value.as_str() {
        "en" => Some(Language::En),
        "ja" => Some(Language::Ja),
        other => {
            r.report(
                Diagnostic::error("spec/invalid-value", format!("unknown language `{other}`"))
                    .with_label(l.span, "not a supported language")
                    .with_help("choose `en` or `ja`"),
            );
            None
        }
    }
}

pub(super) fn query(e: &crate::spec::decode::Expression) -> Query {
    Query::new(e.value.clone(), e.span, e.style)
}
