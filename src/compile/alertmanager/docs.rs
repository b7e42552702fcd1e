//! `docs/routing.md`: every alert and where it goes, for people reviewing
//! a change to the specs.

use std::fmt::Write;

use crate::compile::alertmanager::alerts::Alert;
use crate::compile::alertmanager::routes::receiver_hours;
use crate::compile::conventions as names;
use crate::compile::markdown::{self, header, row};
use crate::routing::config::Config;
use crate::routing::matcher::format_set;
use crate::spec::model::{Integration, Language, Level, Project, TimeInterval};
use crate::spec::units::format_duration;

struct Words {
    title: &'static str,
    intro: &'static str,
    columns: [&'static str; 8],
    always: &'static str,
    except: &'static str,
    nobody: &'static str,
    defaults: &'static str,
    defaults_intro: &'static str,
    defaults_columns: [&'static str; 5],
    unrouted: [&'static str; 2],
    receivers: &'static str,
    receivers_columns: [&'static str; 3],
    intervals: &'static str,
    intervals_columns: [&'static str; 2],
    inhibition: &'static str,
}

const EN: Words = Words {
    title: "Alert routing",
    intro: "Every alert the generated rules can fire, and the Alertmanager receivers it reaches, \
            in delivery order. Ask about any label set with `promspec routes test LABEL=VALUE...` or \
            `amtool config routes test --config.file=alertmanager/alertmanager.yml LABEL=VALUE...`.",
    columns: [
        "Feature",
        "Alert",
        "Severity",
        "Receivers",
        "Priority",
        "Response time",
        "Active hours",
        "Muted by",
    ],
    always: "always",
    except: "except",
    nobody: "nobody",
    defaults: "Alerts no spec defines",
    defaults_intro: "Alerts with a `severity` label but no threshold in the specs (hand-written rules, \
                     other features) reach the project's receivers of their severity:",
    defaults_columns: [
        "Severity",
        "Receivers",
        "Priority",
        "Response time",
        "Active hours",
    ],
    unrouted: [
        "Alerts with none of these severities reach",
        ", which notifies nobody.",
    ],
    receivers: "Receivers",
    receivers_columns: ["Receiver", "Integrations", "Own hours"],
    intervals: "Time intervals",
    intervals_columns: ["Name", "When"],
    inhibition: "Inhibition",
};

const JA: Words = Words {
    title: "アラートのルーティング",
    intro: "生成されたルールが発報しうるすべてのアラートと、その通知先 (Alertmanager の receiver、通知順)。\
            任意のラベルの通知先は `promspec routes test LABEL=VALUE...` または \
            `amtool config routes test --config.file=alertmanager/alertmanager.yml LABEL=VALUE...` で確認できます。",
    columns: [
        "機能",
        "アラート",
        "重大度",
        "通知先",
        "優先度",
        "対応時間",
        "通知時間帯",
        "抑制元",
    ],
    always: "常時",
    except: "除外",
    nobody: "なし",
    defaults: "スペックにないアラート",
    defaults_intro: "`severity` ラベルを持つがスペックに閾値のないアラート (手書きのルール、他の機能) は、\
                     重大度ごとのプロジェクト既定の通知先に届きます:",
    defaults_columns: ["重大度", "通知先", "優先度", "対応時間", "通知時間帯"],
    unrouted: [
        "重大度がこれらのいずれでもないアラートは",
        " に届き、誰にも通知されません。",
    ],
    receivers: "通知先",
    receivers_columns: ["receiver", "連携", "個別の通知時間帯"],
    intervals: "時間帯",
    intervals_columns: ["名前", "時間"],
    inhibition: "抑制",
};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", cell(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn hours(w: &Words, active: &[String], mute: &[String]) -> String {
    let mut out = if active.is_empty() {
        w.always.to_string()
    } else {
        code_list(active)
    };
    if !mute.is_empty() {
        out.push_str(&format!(" ({} {})", w.except, code_list(mute)));
    }
    out
}

/// The hours of `receivers` for alerts of `level`: one entry when they
/// share their hours, else the hours of each group of receivers.
fn delivery_hours(w: &Words, project: &Project, level: Level, receivers: &[String]) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for r in receivers {
        let (active, mute) = receiver_hours(project, level, r);
        let text = hours(w, &active, &mute);
        match groups.iter_mut().find(|(t, _)| *t == text) {
            Some((_, names)) => names.push(r.clone()),
            None => groups.push((text, vec![r.clone()])),
        }
    }
    match groups.as_slice() {
        [] => "—".into(),
        [(text, _)] => text.clone(),
        many => many
            .iter()
            .map(|(text, names)| format!("{text}: {}", code_list(names)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn priority_cells(project: &Project, name: &str) -> (String, String) {
    match project.priority(name) {
        Some(p) => (
            match &p.title {
                Some(t) => format!("{} ({})", p.name, cell(t)),
                None => p.name.clone(),
            },
            format_duration(p.response_time),
        ),
        None => (name.to_string(), String::new()),
    }
}

fn integration(i: &Integration) -> String {
    match i {
        Integration::Slack { channel, .. } => format!("Slack `{}`", cell(channel)),
        Integration::Email { to, .. } => format!("email `{}`", cell(to)),
        Integration::Pagerduty { .. } => "PagerDuty".into(),
        Integration::Opsgenie { .. } => "Opsgenie".into(),
        Integration::Webhook { url, .. } => match url {
            Some(u) => format!("webhook `{}`", cell(u)),
            None => "webhook".into(),
        },
    }
}

fn when(t: &TimeInterval) -> String {
    t.ranges
        .iter()
        .map(|r| {
            let mut parts: Vec<String> = Vec::new();
            for list in [&r.years, &r.months, &r.days_of_month, &r.weekdays] {
                if !list.is_empty() {
                    parts.push(list.join(", "));
                }
            }
            if !r.times.is_empty() {
                parts.push(
                    r.times
                        .iter()
                        .map(|(s, e)| format!("{s}–{e}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            parts.push(r.location.clone().unwrap_or_else(|| "UTC".into()));
            cell(&parts.join(" "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The routing table of `alerts`.
pub fn render(project: &Project, config: &Config, alerts: &[Alert]) -> String {
    let w = match project.docs_language {
        Language::En => &EN,
        Language::Ja => &JA,
    };
    let mut out = names::markdown_header(names::ALL_SPECS_SOURCE);
    let _ = writeln!(out, "\n# {}\n\n{}\n", w.title, w.intro);
    header(&mut out, &w.columns);
    let inhibits = !config.inhibit_rules.is_empty();
    for a in alerts {
        let (priority, response) = priority_cells(project, &a.level.priority);
        let muted_by = match (a.threshold, a.slo) {
            (Some(t), _)
                if inhibits
                    && !a.no_data
                    && a.level.level != Level::Critical
                    && t.levels.iter().any(|l| l.level == Level::Critical) =>
            {
                format!("`{}`", names::severity_value(Level::Critical))
            }
            (_, Some((slo, Some(tier)))) if inhibits => {
                let faster: Vec<String> = slo
                    .tiers
                    .iter()
                    .filter(|t| t.kind < tier)
                    .map(|t| format!("`{}`", t.kind.as_str()))
                    .collect();
                if faster.is_empty() {
                    "—".into()
                } else {
                    faster.join(", ")
                }
            }
            _ => "—".into(),
        };
        let receivers = if a.receivers.is_empty() {
            format!("{} (`{}`)", w.nobody, names::UNROUTED_RECEIVER)
        } else {
            code_list(&a.receivers)
        };
        row(
            &mut out,
            [
                format!("`{}`", a.feature.slug),
                match a.slo {
                    Some((_, Some(tier))) => {
                        format!("{} (`{}`)", markdown::code(&a.alertname), tier.as_str())
                    }
                    _ => markdown::code(&a.alertname),
                },
                names::severity_value(a.level.level).to_string(),
                receivers,
                priority,
                response,
                delivery_hours(w, project, a.level.level, &a.receivers),
                muted_by,
            ],
        );
    }

    let _ = writeln!(out, "\n## {}\n\n{}\n", w.defaults, w.defaults_intro);
    header(&mut out, &w.defaults_columns);
    for s in &project.severities {
        let (priority, response) = priority_cells(project, &s.priority);
        row(
            &mut out,
            [
                names::severity_value(s.level).to_string(),
                if s.receivers.is_empty() {
                    format!("{} (`{}`)", w.nobody, names::UNROUTED_RECEIVER)
                } else {
                    code_list(&s.receivers)
                },
                priority,
                response,
                if s.receivers.is_empty() {
                    hours(w, &s.active_time_intervals, &s.mute_time_intervals)
                } else {
                    delivery_hours(w, project, s.level, &s.receivers)
                },
            ],
        );
    }
    let _ = writeln!(
        out,
        "\n{} `{}`{}",
        w.unrouted[0],
        names::UNROUTED_RECEIVER,
        w.unrouted[1]
    );

    let _ = writeln!(out, "\n## {}\n", w.receivers);
    header(&mut out, &w.receivers_columns);
    for r in &config.receivers {
        let integrations: Vec<String> = r.integrations.iter().map(integration).collect();
        row(
            &mut out,
            [
                format!("`{}`", r.name),
                if integrations.is_empty() {
                    w.nobody.to_string()
                } else {
                    integrations.join(", ")
                },
                match project.receiver(&r.name) {
                    Some(own)
                        if !own.active_time_intervals.is_empty()
                            || !own.mute_time_intervals.is_empty() =>
                    {
                        hours(w, &own.active_time_intervals, &own.mute_time_intervals)
                    }
                    _ => "—".into(),
                },
            ],
        );
    }

    if !config.time_intervals.is_empty() {
        let _ = writeln!(out, "\n## {}\n", w.intervals);
        header(&mut out, &w.intervals_columns);
        for t in &config.time_intervals {
            row(&mut out, [format!("`{}`", t.name), when(t)]);
        }
    }

    if !config.inhibit_rules.is_empty() {
        let _ = writeln!(out, "\n## {}\n", w.inhibition);
        for r in &config.inhibit_rules {
            let (source, target) = (
                format_set(&r.source_matchers),
                format_set(&r.target_matchers),
            );
            let equal = code_list(&r.equal);
            let _ = match project.docs_language {
                Language::En => writeln!(
                    out,
                    "- While an alert matching `{source}` fires, the alerts matching `{target}` \
                     with the same {equal} are muted."
                ),
                Language::Ja => writeln!(
                    out,
                    "- `{source}` に一致するアラートの発報中は、{equal} が同じで `{target}` に一致する\
                     アラートの通知を抑制します。"
                ),
            };
        }
    }
    out
}
