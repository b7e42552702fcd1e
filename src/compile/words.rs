//! The words generated artifacts show people, in the spec's language.
//!
//! Dashboards and runbook tables say the same things (level names, "above
//! 3s for 2m", response times); they take the words from here so the two
//! never drift apart. Values are always shown as the spec writes them.

use std::time::Duration;

use crate::spec::model::{Direction, Language, Level, LevelRule};
use crate::spec::units::format_duration;

/// The name of a level (`危険`, `Warning`).
pub fn level(level: Level, lang: Language) -> &'static str {
    match (lang, level) {
        (Language::Ja, Level::Critical) => "危険",
        (Language::Ja, Level::Warning) => "警告",
        (Language::Ja, Level::Info) => "情報",
        (Language::En, Level::Critical) => "Critical",
        (Language::En, Level::Warning) => "Warning",
        (Language::En, Level::Info) => "Info",
    }
}

/// The comparison as a table cell: `> 3s`, `< 10%`.
pub fn comparison(rule: &LevelRule) -> String {
    format!("{} {}", rule.direction.operator(), rule.written.trim())
}

/// When a level fires, in a sentence: `3s を超えた状態が 2m 続くと発報`.
pub fn condition(rule: &LevelRule, lang: Language) -> String {
    let value = rule.written.trim();
    let for_ = format_duration(rule.for_);
    match (lang, rule.direction) {
        (Language::Ja, Direction::Above) => {
            format!("{value} を超えた状態が {for_} 続くと発報")
        }
        (Language::Ja, Direction::Below) => {
            format!("{value} を下回った状態が {for_} 続くと発報")
        }
        (Language::En, Direction::Above) => format!("fires when above {value} for {for_}"),
        (Language::En, Direction::Below) => format!("fires when below {value} for {for_}"),
    }
}

/// A response deadline: `1時間以内`, `within 1h`.
pub fn within(d: Duration, lang: Language) -> String {
    match lang {
        Language::Ja => format!("{}以内", duration_ja(d)),
        Language::En => format!("within {}", format_duration(d)),
    }
}

/// A duration in Japanese units: `1時間30分`, `1週間`.
pub fn duration_ja(d: Duration) -> String {
    let mut ms = d.as_millis();
    if ms == 0 {
        return "0秒".into();
    }
    let mut out = String::new();
    for (unit, factor) in [
        ("年", 31_536_000_000u128),
        ("週間", 604_800_000),
        ("日", 86_400_000),
        ("時間", 3_600_000),
        ("分", 60_000),
        ("秒", 1000),
        ("ミリ秒", 1),
    ] {
        if ms >= factor {
            out.push_str(&format!("{}{unit}", ms / factor));
            ms %= factor;
        }
    }
    out
}

/// "Runbook" in the spec's language.
pub fn runbook(lang: Language) -> &'static str {
    match lang {
        Language::Ja => "手順書",
        Language::En => "Runbook",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_durations() {
        assert_eq!(duration_ja(Duration::from_secs(900)), "15分");
        assert_eq!(duration_ja(Duration::from_secs(5400)), "1時間30分");
        assert_eq!(duration_ja(Duration::from_secs(604_800)), "1週間");
        assert_eq!(within(Duration::from_secs(86_400), Language::Ja), "1日以内");
        assert_eq!(within(Duration::from_secs(3600), Language::En), "within 1h");
    }
}
