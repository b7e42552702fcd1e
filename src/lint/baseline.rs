//! Baselines: adopting `promspec lint` on a repository that already has
//! findings.
//!
//! `--write-baseline FILE` records every finding of a run; `--baseline FILE`
//! then drops the recorded ones and reports only new findings. A finding is
//! keyed by what it is about, never by where it is: the file's path, the
//! rule id, the name of the alerting or recording rule it sits in, a hash of
//! that rule's expression with the whitespace outside strings left out (of
//! the finding's own source text when it is outside any rule) and the
//! message. Moving a rule
//! within its file, reindenting or reflowing its expression keeps it
//! suppressed; editing the expression, renaming the rule or moving it to
//! another file reports it again. The same key may be recorded several
//! times; a run suppresses at most as many findings as were recorded.
//!
//! The file is JSON, one entry per key, sorted, so it diffs well and shrinks
//! as findings are fixed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::load::RuleItem;
use crate::source::SourceMap;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

/// What identifies a finding across edits that only move things.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    /// The file, as the run named it, with `/` separators.
    pub file: String,
    /// The diagnostic id, e.g. `promql/rate-on-non-counter`.
    pub rule: String,
    /// The `alert:` or `record:` name of the rule the finding is in (empty
    /// outside rules).
    pub name: String,
    /// First 16 hex digits of the SHA-256 of the rule's expression (outside
    /// rules: of the finding's source text), whitespace outside strings
    /// left out.
    pub hash: String,
    /// The message.
    pub message: String,
}

/// Recorded findings and how many of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<Key, usize>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    #[serde(flatten)]
    key: Key,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: usize,
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// Why a baseline file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BaselineError(String);

impl Baseline {
    /// Record every finding of a run.
    pub fn record<'a>(
        findings: impl IntoIterator<Item = &'a Diagnostic>,
        sources: &SourceMap,
        rules: &[RuleItem],
    ) -> Self {
        let mut entries = BTreeMap::new();
        for d in findings {
            *entries.entry(key(d, sources, rules)).or_insert(0) += 1;
        }
        Baseline { entries }
    }

    /// Number of findings recorded.
    pub fn len(&self) -> usize {
        self.entries.values().sum()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The file's text: pretty JSON, entries sorted, trailing newline.
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            findings: self
                .entries
                .iter()
                .map(|(key, &count)| Entry {
                    key: key.clone(),
                    count,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a baseline serializes");
        text.push('\n');
        text
    }

    /// Read a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, BaselineError> {
        let file: File = serde_json::from_str(text)
            .map_err(|e| BaselineError(format!("not a promspec baseline: {e}")))?;
        if file.version != VERSION {
            return Err(BaselineError(format!(
                "baseline format version {} is not supported (expected {VERSION})",
                file.version
            )));
        }
        let mut entries = BTreeMap::new();
        for e in file.findings {
            *entries.entry(e.key).or_insert(0) += e.count;
        }
        Ok(Baseline { entries })
    }

    /// Drop the recorded findings from `findings`; returns how many were dropped.
    pub fn apply(
        &self,
        findings: &mut Diagnostics,
        sources: &SourceMap,
        rules: &[RuleItem],
    ) -> usize {
        let mut left = self.entries.clone();
        let mut dropped = 0;
        findings.retain(|d| match left.get_mut(&key(d, sources, rules)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                dropped += 1;
                false
            }
            _ => true,
        });
        dropped
    }
}

/// The key of one finding.
pub fn key(d: &Diagnostic, sources: &SourceMap, rules: &[RuleItem]) -> Key {
    let Some(span) = d.primary_span() else {
        return Key {
            file: String::new(),
            rule: d.id.to_string(),
            name: String::new(),
            hash: String::new(),
            message: d.message.clone(),
        };
    };
    let file = sources
        .get(span.source)
        .path
        .to_string_lossy()
        .replace('\\', "/");
    let file = file.strip_prefix("./").unwrap_or(&file).to_string();
    let inside = rules
        .iter()
        .filter(|r| {
            r.span.source == span.source && r.span.start <= span.start && span.end <= r.span.end
        })
        .min_by_key(|r| r.span.len());
    let (name, text) = match inside {
        Some(r) => (r.name.clone(), r.expr.as_str()),
        None => (String::new(), sources.slice(span)),
    };
    Key {
        file,
        rule: d.id.to_string(),
        name,
        hash: hash(text),
        message: d.message.clone(),
    }
}

/// First 16 hex digits of the SHA-256 of `text` without the whitespace
/// outside quoted strings, so reindenting or reflowing an expression keeps
/// its hash.
fn hash(text: &str) -> String {
    let mut squeezed = String::with_capacity(text.len());
    let mut quote = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => continue,
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => {}
        }
        squeezed.push(c);
    }
    Sha256::digest(squeezed.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_does_not_change_the_hash() {
        assert_eq!(
            hash("sum(rate(x[5m]))\n  > 1"),
            hash("  sum(rate(x[5m])) > 1 ")
        );
        assert_eq!(hash("sum by (job) (\n  up\n)\n"), hash("sum by(job)(up)"));
        assert_ne!(hash("sum(rate(x[5m])) > 1"), hash("sum(rate(x[5m])) > 2"));
        assert_ne!(hash(r#"up{a="x y"}"#), hash(r#"up{a="xy"}"#));
        assert_ne!(hash(r#"up{a="x\" y"}"#), hash(r#"up{a="x\"y"}"#));
    }

    #[test]
    fn the_file_round_trips_and_rejects_other_versions() {
        let key = Key {
            file: "rules/a.yml".into(),
            rule: "promql/x".into(),
            name: "A".into(),
            hash: hash("up"),
            message: "m".into(),
        };
        let mut entries = BTreeMap::new();
        entries.insert(key, 2);
        let b = Baseline { entries };
        let text = b.to_json();
        assert_eq!(Baseline::parse(&text).unwrap(), b);
        assert_eq!(b.len(), 2);
        let other = text.replace("\"version\": 1", "\"version\": 9");
        assert!(Baseline::parse(&other).is_err());
        assert!(Baseline::parse("groups: []").is_err());
    }
}
