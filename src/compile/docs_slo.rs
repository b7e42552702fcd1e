//! The SLO tables of a feature's runbook (`docs/<feature>.md`): per SLO its
//! objective, period, error budget in minutes and indicator, and one row per
//! burn-rate tier (windows, factor, the error ratio both windows must
//! exceed, the share of the budget spent when it fires, `for`, severity,
//! channels, response time), in the feature's language.
//!
//! The values are the ones the alert rules compare with: both come from
//! the same resolved [`BurnTier`]s. [`super::docs`] calls [`render`].

use std::fmt::Write as _;

use crate::compile::conventions as names;
use crate::compile::markdown;
use crate::compile::words;
use crate::spec::model::{Feature, Language, Project};
use crate::spec::slo::model::{BurnTier, Sli, Slo};
use crate::spec::units::{self, Unit, format_duration, format_number};

struct Words {
    objective: &'static str,
    period: &'static str,
    budget: &'static str,
    minutes: &'static str,
    sli: &'static str,
    tier: &'static str,
    windows: &'static str,
    factor: &'static str,
    threshold: &'static str,
    consumed: &'static str,
    duration: &'static str,
    severity: &'static str,
    alert: &'static str,
    no_alert: &'static str,
    intro: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            objective: "目標",
            period: "期間",
            budget: "エラーバジェット",
            minutes: "分",
            sli: "SLI",
            tier: "ティア",
            windows: "ウィンドウ (短 / 長)",
            factor: "バーンレート",
            threshold: "閾値 (エラー率)",
            consumed: "発報時の消費バジェット",
            duration: "継続時間",
            severity: "重大度",
            alert: "アラート",
            no_alert: "バーンレートアラートなし（記録ルールのみ）",
            intro: "短いウィンドウと長いウィンドウの両方でエラー率が閾値（バーンレート × エラーバジェット）を超えると発報します。速いティアの発報中は、同じSLOの遅いティアの通知を抑制します。",
        },
        Language::En => Words {
            objective: "Objective",
            period: "Period",
            budget: "Error budget",
            minutes: " min",
            sli: "SLI",
            tier: "Tier",
            windows: "Windows (short / long)",
            factor: "Burn rate",
            threshold: "Threshold (error ratio)",
            consumed: "Budget spent when it fires",
            duration: "Duration",
            severity: "Severity",
            alert: "Alert",
            no_alert: "No burn-rate alert (recording rules only)",
            intro: "A tier fires when the error ratio is above its threshold (burn rate × error budget) over both its short and its long window. While a faster tier fires, the slower tiers of the same SLO are muted.",
        },
    }
}

fn sli_text(slo: &Slo, lang: Language) -> String {
    match (&slo.sli, lang) {
        (Sli::Events { .. }, Language::Ja) => "イベント (エラー / 全体)".into(),
        (Sli::Events { .. }, Language::En) => "events (errors / total)".into(),
        (
            Sli::Latency {
                threshold_written, ..
            },
            Language::Ja,
        ) => format!(
            "レイテンシ ({} を超えたリクエストの割合)",
            threshold_written.trim()
        ),
        (
            Sli::Latency {
                threshold_written, ..
            },
            Language::En,
        ) => format!(
            "latency (share of requests slower than {})",
            threshold_written.trim()
        ),
        (Sli::Availability { .. }, Language::Ja) => "可用性 (0/1 ゲージ)".into(),
        (Sli::Availability { .. }, Language::En) => "availability (0/1 gauge)".into(),
        (Sli::ErrorRatio { .. }, Language::Ja) => "エラー率クエリ".into(),
        (Sli::ErrorRatio { .. }, Language::En) => "error ratio query".into(),
    }
}

/// The SLO section of `feature`'s runbook (empty without SLOs).
pub fn render(
    out: &mut String,
    project: &Project,
    feature: &Feature,
    channels: &dyn Fn(&[String]) -> String,
) {
    let lang = feature.docs_language;
    let w = words(lang);
    for slo in &feature.slos {
        let _ = writeln!(out, "\n## SLO: {}\n", markdown::cell(&slo.title));
        if let Some(d) = &slo.description {
            let _ = writeln!(out, "{}\n", d.trim());
        }
        let budget = slo.error_budget();
        let budget_minutes = budget * slo.period.as_secs_f64() / 60.0;
        let _ = writeln!(out, "- {}: {}", w.objective, slo.objective_written.trim());
        let _ = writeln!(out, "- {}: {}", w.period, format_duration(slo.period));
        let _ = writeln!(
            out,
            "- {}: {} ({}{})",
            w.budget,
            units::humanize(budget, Unit::Ratio),
            format_number((budget_minutes * 10.0).round() / 10.0),
            w.minutes
        );
        let _ = writeln!(out, "- {}: {}", w.sli, sli_text(slo, lang));
        let _ = writeln!(
            out,
            "- {}: {}",
            w.alert,
            markdown::code(&names::slo_alert_name(feature, slo))
        );
        if slo.tiers.is_empty() {
            let _ = writeln!(out, "\n{}", w.no_alert);
            continue;
        }
        let _ = writeln!(out, "\n{}\n", w.intro);
        let head = [
            w.tier,
            w.windows,
            w.factor,
            w.threshold,
            w.consumed,
            w.duration,
            w.severity,
            crate::compile::docs::channel_word(lang),
            crate::compile::docs::response_word(lang),
        ];
        markdown::header(out, &head);
        for tier in &slo.tiers {
            markdown::row(out, cells(project, tier, lang, channels));
        }
    }
}

fn cells(
    project: &Project,
    tier: &BurnTier,
    lang: Language,
    channels: &dyn Fn(&[String]) -> String,
) -> Vec<String> {
    let a = &tier.alert;
    vec![
        format!("`{}`", tier.kind.as_str()),
        format!(
            "{} / {}",
            format_duration(tier.window.short),
            format_duration(tier.window.long)
        ),
        format!("{}×", format_number(tier.factor)),
        format!("> {}", units::humanize(a.value, Unit::Ratio)),
        units::humanize(tier.window.budget_consumed, Unit::Ratio),
        format_duration(a.for_),
        words::level(a.level, lang).to_string(),
        channels(&a.receivers),
        match project.priority(&a.priority) {
            Some(p) => format!("{} {}", p.name, words::within(p.response_time, lang)),
            None => a.priority.clone(),
        },
    ]
}
