//! Runbook threshold tables: `docs/<feature>.md`, the monitoring section
//! of a feature's runbook.
//!
//! One table per threshold group with the columns the operations runbooks
//! use (metric, warning, critical, info, duration, channel, response time,
//! action), values as the spec writes them, headings in the feature's
//! language (`docs_language`: `ja` follows the runbooks' own wording). The
//! metric links to its Grafana panel, the action to the runbook. The levels
//! are the ones the alert rules and the dashboard lines use: all three come
//! from the same [`LevelRule`]s.

use std::fmt::Write as _;

use crate::compile::Output;
use crate::compile::conventions as names;
use crate::compile::docs_alerts;
use crate::compile::docs_slo;
use crate::compile::grafana::feature::{Section, layout};
use crate::compile::markdown;
use crate::compile::words;
use crate::spec::model::{Feature, Integration, Language, Level, LevelRule, Project, Threshold};
use crate::spec::units::format_duration;

/// The order of the level columns: as the runbooks write them.
const LEVEL_COLUMNS: [Level; 3] = [Level::Warning, Level::Critical, Level::Info];

/// What a cell shows when a level is not set.
const NONE: &str = "-";

struct Words {
    title: &'static str,
    metric: &'static str,
    duration: &'static str,
    channel: &'static str,
    response: &'static str,
    action: &'static str,
    ungrouped: &'static str,
    team: &'static str,
    dashboard: &'static str,
    intro: &'static str,
    priorities: &'static str,
    priority: &'static str,
    class: &'static str,
    description: &'static str,
}

fn words(lang: Language) -> Words {
    match lang {
        Language::Ja => Words {
            title: "監視",
            metric: "メトリクス",
            duration: "継続時間",
            channel: "通知先",
            response: "対応時間",
            action: "対応",
            ungrouped: "監視項目",
            team: "チーム",
            dashboard: "ダッシュボード",
            intro: "閾値はアラートルールとダッシュボードの閾値線と同じ値です。継続時間はその状態が続くと発報するまでの時間です。",
            priorities: "重大度レベル",
            priority: "優先度",
            class: "分類",
            description: "説明",
        },
        Language::En => Words {
            title: "monitoring",
            metric: "Metric",
            duration: "Duration",
            channel: "Channel",
            response: "Response time",
            action: "Action",
            ungrouped: "Thresholds",
            team: "Team",
            dashboard: "Dashboard",
            intro: "The thresholds are the values the alert rules compare with and the dashboard draws as lines. The duration is how long the condition holds before the alert fires.",
            priorities: "Priorities",
            priority: "Priority",
            class: "Class",
            description: "Description",
        },
    }
}

/// The runbook table of every feature.
pub fn compile(project: &Project, features: &[Feature]) -> Vec<Output> {
    features
        .iter()
        .map(|f| Output {
            path: names::docs_path(f),
            content: render(project, f),
        })
        .collect()
}

/// The monitoring section of `feature`'s runbook, header included.
pub fn render(project: &Project, feature: &Feature) -> String {
    let lang = feature.docs_language;
    let w = words(lang);
    let mut out = names::markdown_header(&names::spec_path(&feature.slug));
    let _ = writeln!(out, "\n# {}: {}\n", feature.title, w.title);
    if let Some(d) = &feature.description {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    let _ = writeln!(out, "- {}: {}", w.team, feature.team);
    let _ = writeln!(
        out,
        "- Grafana: [{}]({})",
        w.dashboard,
        names::feature_dashboard_url(&project.grafana_url, feature)
    );
    if let Some(runbook) = &feature.runbook {
        let _ = writeln!(out, "- {}: <{runbook}>", words::runbook(lang));
    }
    if feature.evaluation_interval != project.evaluation_interval {
        let _ = writeln!(out, "- {}", evaluation_interval(project, feature));
    }
    let _ = writeln!(out, "\n{}", w.intro);

    let info = feature
        .thresholds
        .iter()
        .any(|t| t.levels.iter().any(|l| l.level == Level::Info));
    let levels: Vec<Level> = LEVEL_COLUMNS
        .into_iter()
        .filter(|l| *l != Level::Info || info)
        .collect();
    for Section { group, thresholds } in layout(feature) {
        let _ = writeln!(out, "\n## {}\n", group.unwrap_or(w.ungrouped));
        let mut head = vec![w.metric];
        head.extend(levels.iter().map(|l| words::level(*l, lang)));
        head.extend([w.duration, w.channel, w.response, w.action]);
        markdown::header(&mut out, &head);
        for (index, threshold) in thresholds {
            markdown::row(&mut out, cells(project, feature, index, threshold, &levels));
        }
    }
    docs_alerts::render(&mut out, project, feature, &|r| channels(project, r));
    docs_slo::render(&mut out, project, feature, &|r| channels(project, r));
    priorities(&mut out, project, feature);
    out
}

/// The line of a feature evaluated at its own interval: durations in the
/// tables count from evaluations that far apart.
fn evaluation_interval(project: &Project, feature: &Feature) -> String {
    let own = format_duration(feature.evaluation_interval);
    let shared = format_duration(project.evaluation_interval);
    match feature.docs_language {
        Language::Ja => format!("評価間隔: {own}（プロジェクトの既定は {shared}）"),
        Language::En => format!("Evaluated every {own} (the project's default is {shared})"),
    }
}

/// The "channel" column heading.
pub fn channel_word(lang: Language) -> &'static str {
    words(lang).channel
}

/// The "response time" column heading.
pub fn response_word(lang: Language) -> &'static str {
    words(lang).response
}

fn cells(
    project: &Project,
    feature: &Feature,
    index: usize,
    threshold: &Threshold,
    levels: &[Level],
) -> Vec<String> {
    let lang = feature.docs_language;
    let rule = |level: Level| threshold.levels.iter().find(|l| l.level == level);
    let mut cells = vec![format!(
        "[{}]({})",
        markdown::cell(&threshold.title),
        names::dashboard_url(&project.grafana_url, feature, index)
    )];
    cells.extend(
        levels
            .iter()
            .map(|l| rule(*l).map_or(NONE.to_string(), words::comparison)),
    );
    let by_level = |f: &dyn Fn(&LevelRule) -> String| -> String {
        per_level(
            LEVEL_COLUMNS
                .iter()
                .filter_map(|l| rule(*l))
                .map(|r| (r.level, f(r)))
                .collect(),
            lang,
        )
    };
    cells.push(by_level(&|r| format_duration(r.for_)));
    cells.push(by_level(&|r| channels(project, &r.receivers)));
    cells.push(by_level(&|r| match project.priority(&r.priority) {
        Some(p) => format!("{} {}", p.name, words::within(p.response_time, lang)),
        None => r.priority.clone(),
    }));
    let mut action = threshold
        .action
        .as_deref()
        .map(markdown::cell)
        .unwrap_or_default();
    if let Some(url) = &threshold.runbook {
        let link = format!("[{}]({url})", words::runbook(lang));
        action = if action.is_empty() {
            link
        } else {
            format!("{action} ({link})")
        };
    }
    if action.is_empty() {
        action = NONE.into();
    }
    cells.push(action);
    cells
}

/// One value when every level agrees, else `警告 2m / 危険 5m`.
fn per_level(values: Vec<(Level, String)>, lang: Language) -> String {
    match values.first() {
        None => NONE.into(),
        Some((_, first)) if values.iter().all(|(_, v)| v == first) => first.clone(),
        Some(_) => values
            .iter()
            .map(|(l, v)| format!("{} {v}", words::level(*l, lang)))
            .collect::<Vec<_>>()
            .join(" / "),
    }
}

/// Where notifications go: Slack channels, mail addresses, pagers.
fn channels(project: &Project, receivers: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    for name in receivers {
        let Some(receiver) = project.receiver(name) else {
            out.push(format!("`{name}`"));
            continue;
        };
        for integration in &receiver.integrations {
            let text = match integration {
                Integration::Slack { channel, .. } => format!("Slack {channel}"),
                Integration::Email { to, .. } => format!("Email {to}"),
                Integration::Pagerduty { .. } => format!("PagerDuty `{name}`"),
                Integration::Opsgenie { .. } => format!("Opsgenie `{name}`"),
                Integration::Webhook { .. } => format!("Webhook `{name}`"),
            };
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    if out.is_empty() {
        return NONE.into();
    }
    markdown::cell(&out.join(", "))
}

/// The priorities the feature's levels use, as the runbooks list them.
fn priorities(out: &mut String, project: &Project, feature: &Feature) {
    let w = words(feature.docs_language);
    let used: Vec<_> = project
        .priorities
        .iter()
        .filter(|p| {
            feature
                .thresholds
                .iter()
                .flat_map(|t| &t.levels)
                .chain(
                    feature
                        .slos
                        .iter()
                        .flat_map(|s| s.tiers.iter().map(|t| &t.alert)),
                )
                .chain(
                    feature
                        .thresholds
                        .iter()
                        .flat_map(|t| t.no_data.iter().map(|n| &n.alert)),
                )
                .chain(feature.alerts.iter().map(|a| &a.level))
                .any(|l| l.priority == p.name)
        })
        .collect();
    if used.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {}\n", w.priorities);
    markdown::header(out, &[w.priority, w.class, w.response, w.description]);
    for p in used {
        markdown::row(
            out,
            [
                p.name.clone(),
                p.title.as_deref().map_or(NONE.into(), markdown::cell),
                words::within(p.response_time, feature.docs_language),
                p.description.as_deref().map_or(NONE.into(), markdown::cell),
            ],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::testing::load;

    #[test]
    fn the_page_says_when_a_feature_runs_at_its_own_interval() {
        let threshold = "thresholds:\n  - id: queue\n    query: max(queue_depth)\n    warning: {above: 10, for: 1m}\n";
        let fast = format!("feature: fast\nteam: ops\nevaluation_interval: 30s\n{threshold}");
        let same = format!("feature: same\nteam: ops\nevaluation_interval: 1m\n{threshold}");
        let (ws, _) = load(&[("fast", &fast), ("same", &same)]);
        let page = |slug: &str| {
            let f = ws.features.iter().find(|f| f.slug == slug).unwrap();
            super::render(&ws.project, f)
        };
        assert!(
            page("fast").contains("\n- Evaluated every 30s (the project's default is 1m)\n"),
            "{}",
            page("fast")
        );
        assert!(
            !page("same").contains("Evaluated every"),
            "{}",
            page("same")
        );
    }
}
