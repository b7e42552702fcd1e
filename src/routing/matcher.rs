//! Alertmanager label matchers: parsing, printing and matching, with the
//! exact semantics of Alertmanager's `pkg/labels` (anchored regexes, a
//! missing label reads as the empty string, Go-style escapes in values).

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;

/// The labels of one alert.
pub type Labels = BTreeMap<String, String>;

/// How a matcher compares: the same four operators as PromQL's label
/// matchers, so the one enum is the PromQL facade's.
pub use crate::promql::MatchOp;

/// One label matcher such as `severity="critical"` or `alertname=~"A|B"`.
#[derive(Debug, Clone)]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Comparison.
    pub op: MatchOp,
    /// Value or regex, unescaped.
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

impl Eq for Matcher {}

impl Matcher {
    /// A matcher; fails when a regex does not compile.
    pub fn new(
        name: impl Into<String>,
        op: MatchOp,
        value: impl Into<String>,
    ) -> Result<Matcher, String> {
        let value = value.into();
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => {
                Some(Regex::new(&format!("^(?:{value})$")).map_err(|e| {
                    // The regex crate's message spans several lines; its last says what is wrong.
                    let text = e.to_string();
                    let what = text.lines().last().unwrap_or_default();
                    let what = what.trim().trim_start_matches("error: ");
                    format!("invalid regex `{value}`: {what}")
                })?)
            }
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Matcher {
            name: name.into(),
            op,
            value,
            regex,
        })
    }

    /// An `=` matcher.
    pub fn equal(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            op: MatchOp::Equal,
            value: value.into(),
            regex: None,
        }
    }

    /// A `=~` matcher for any of `values`, written as an alternation of
    /// escaped literals.
    pub fn any_of<S: AsRef<str>>(name: impl Into<String>, values: &[S]) -> Matcher {
        let pattern = values
            .iter()
            .map(|v| regex::escape(v.as_ref()))
            .collect::<Vec<_>>()
            .join("|");
        // An alternation of escaped literals always parses; only its size
        // can pass the default limit (very long names), which Alertmanager
        // does not have: compile it without that limit.
        let regex = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(usize::MAX >> 2)
            .dfa_size_limit(usize::MAX >> 2)
            .build()
            .ok();
        Matcher {
            name: name.into(),
            op: MatchOp::Regex,
            value: pattern,
            regex,
        }
    }

    /// Whether the matcher accepts `labels` (a missing label is the empty string).
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.name).map_or("", String::as_str);
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            (_, None) => false,
        }
    }

    /// Parse one matcher string as Alertmanager does: `{a="b", c=~"d"}` or
    /// `a="b",c=~"d"` (braces optional, values quoted or not).
    pub fn parse_list(input: &str) -> Result<Vec<Matcher>, String> {
        let s = input.trim();
        let s = s.strip_prefix('{').unwrap_or(s);
        let s = s.strip_suffix('}').unwrap_or(s);
        let mut tokens = Vec::new();
        let mut token = String::new();
        let (mut inside_quotes, mut escaped) = (false, false);
        for c in s.chars() {
            match c {
                ',' if !inside_quotes => {
                    tokens.push(std::mem::take(&mut token));
                    continue;
                }
                ',' => {}
                '"' => {
                    if escaped {
                        escaped = false;
                    } else {
                        inside_quotes = !inside_quotes;
                    }
                }
                '\\' => escaped = !escaped,
                _ => escaped = false,
            }
            token.push(c);
        }
        if !token.trim().is_empty() {
            tokens.push(token);
        }
        tokens.iter().map(|t| Matcher::parse(t)).collect()
    }

    /// Parse a single matcher such as `severity="critical"`.
    pub fn parse(input: &str) -> Result<Matcher, String> {
        let s = input.trim();
        let name_len = s
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit()))
            })
            .map_or(s.len(), |(i, _)| i);
        let bad = || format!("bad matcher format: {input}");
        if name_len == 0 {
            return Err(bad());
        }
        let name = &s[..name_len];
        let rest = s[name_len..].trim_start();
        let (op, raw) = [
            ("=~", MatchOp::Regex),
            ("!=", MatchOp::NotEqual),
            ("!~", MatchOp::NotRegex),
            ("=", MatchOp::Equal),
        ]
        .into_iter()
        .find_map(|(text, op)| rest.strip_prefix(text).map(|r| (op, r.trim())))
        .ok_or_else(bad)?;
        let (raw, mut expect_quote) = match raw.strip_prefix('"') {
            Some(r) => (r, true),
            None => (raw, false),
        };
        let mut value = String::new();
        let mut escaped = false;
        let chars: Vec<char> = raw.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let last = i + 1 == chars.len();
            if escaped {
                escaped = false;
                match c {
                    'n' => value.push('\n'),
                    '"' | '\\' => value.push(c),
                    _ => {
                        value.push('\\');
                        value.push(c);
                    }
                }
                continue;
            }
            match c {
                '\\' if !last => escaped = true,
                '\\' => value.push('\\'),
                '"' => {
                    if !expect_quote || !last {
                        return Err(format!(
                            "matcher value contains unescaped double quote: {input}"
                        ));
                    }
                    expect_quote = false;
                }
                c => value.push(c),
            }
        }
        if expect_quote {
            return Err(format!(
                "matcher value is missing its closing quote: {input}"
            ));
        }
        Matcher::new(name, op, value)
    }
}

impl fmt::Display for Matcher {
    /// Alertmanager's own notation: `name="value"` with `\`, `"` and newlines escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = self
            .value
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('"', "\\\"");
        write!(f, "{}{}\"{}\"", self.name, self.op.as_str(), escaped)
    }
}

/// Whether every matcher accepts `labels`.
pub fn all_match(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

/// `{a="b", c=~"d"}`, as Alertmanager prints a matcher set.
pub fn format_set(matchers: &[Matcher]) -> String {
    let inner: Vec<String> = matchers.iter().map(Matcher::to_string).collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn any_of_very_long_names_compiles() {
        let long = "a".repeat(40_000);
        let m = Matcher::any_of("alertname", &[long.clone(), format!("{long}b")]);
        let mut l = Labels::new();
        l.insert("alertname".into(), long);
        assert!(m.matches(&l));
    }

    #[test]
    fn parses_alertmanager_notation() {
        let m =
            Matcher::parse_list(r#"{severity="critical", alertname=~"A|B",team!=ops}"#).unwrap();
        assert_eq!(m.len(), 3);
        assert_eq!(m[0], Matcher::equal("severity", "critical"));
        assert_eq!(m[1].op, MatchOp::Regex);
        assert_eq!(m[2].to_string(), r#"team!="ops""#);
        let q = Matcher::parse(r#"msg="a \"quoted\", \\ value""#).unwrap();
        assert_eq!(q.value, r#"a "quoted", \ value"#);
        assert_eq!(Matcher::parse(&q.to_string()).unwrap(), q);
        assert!(Matcher::parse("=x").is_err());
        assert!(Matcher::parse(r#"a="x"y""#).is_err());
        assert!(Matcher::parse(r#"a="x"#).is_err());
        assert!(Matcher::parse("a=~(").is_err());
    }

    #[test]
    fn matches_like_alertmanager() {
        let l = labels(&[("alertname", "AB"), ("severity", "warning")]);
        assert!(Matcher::any_of("alertname", &["A", "AB"]).matches(&l));
        assert!(!Matcher::any_of("alertname", &["A"]).matches(&l));
        assert!(Matcher::parse(r#"team="""#).unwrap().matches(&l));
        assert!(Matcher::parse("team!~.+").unwrap().matches(&l));
        assert!(!Matcher::parse("severity=~warn").unwrap().matches(&l));
        assert_eq!(Matcher::any_of("a", &["x.y"]).to_string(), r#"a=~"x\\.y""#);
    }
}
