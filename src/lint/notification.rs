//! What Alertmanager 0.25 gives a notification template: its functions, the
//! templates it defines itself (`default.tmpl`, `email.tmpl`) and the data
//! (`template.Data` and what its fields hold), as a [`Language`] for the
//! Go-template scanner in [`template`](super::template).
//!
//! Alertmanager parses and runs a receiver field's template only when it
//! sends a notification, with `missingkey=zero`: a label or annotation that
//! an alert lacks renders empty, but a function, template or struct field
//! that does not exist makes the notification fail.

use super::template::{GO_BUILTINS, Language};

/// The type of a value a template reads, as far as promspec knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Not known: every field is accepted.
    Unknown,
    /// `template.Data`, the notification.
    Notification,
    /// `.Alerts` (with the methods `Firing` and `Resolved`).
    Alerts,
    /// What `Firing` and `Resolved` return: alerts without methods.
    AlertSlice,
    /// `template.Alert`.
    Alert,
    /// `template.KV`: labels or annotations.
    Labels,
    /// `template.Pairs`.
    Pairs,
    /// `template.Pair`.
    Pair,
    /// A string.
    Str,
    /// A list of strings.
    Strs,
}

/// The functions Alertmanager 0.25 adds to Go's (`template.DefaultFuncs`).
pub const FUNCTIONS: &[&str] = &[
    "toUpper",
    "toLower",
    "title",
    "join",
    "match",
    "safeHtml",
    "reReplaceAll",
    "stringSlice",
];

/// The templates Alertmanager 0.25 defines before any template file.
pub const DEFAULT_TEMPLATES: &[&str] = &[
    "__alertmanager",
    "__alertmanagerURL",
    "__description",
    "__subject",
    "__text_alert_list",
    "discord.default.message",
    "discord.default.title",
    "email.default.html",
    "email.default.subject",
    "opsgenie.default.description",
    "opsgenie.default.message",
    "opsgenie.default.source",
    "pagerduty.default.client",
    "pagerduty.default.clientURL",
    "pagerduty.default.description",
    "pagerduty.default.instances",
    "pushover.default.message",
    "pushover.default.title",
    "pushover.default.url",
    "slack.default.callbackid",
    "slack.default.fallback",
    "slack.default.footer",
    "slack.default.iconemoji",
    "slack.default.iconurl",
    "slack.default.pretext",
    "slack.default.text",
    "slack.default.title",
    "slack.default.titlelink",
    "slack.default.username",
    "sns.default.message",
    "sns.default.subject",
    "telegram.default.message",
    "victorops.default.entity_display_name",
    "victorops.default.monitoring_tool",
    "victorops.default.state_message",
    "webex.default.message",
    "wechat.default.agent_id",
    "wechat.default.message",
    "wechat.default.to_party",
    "wechat.default.to_tag",
    "wechat.default.to_user",
];

/// A receiver field's template: `.` and `$` are the notification.
pub fn language() -> Language {
    Language {
        functions: &[GO_BUILTINS, FUNCTIONS],
        variables: &["$"],
        dot: Ty::Notification,
    }
}

/// The fields (and methods without arguments) of a value of type `ty`.
pub fn fields(ty: Ty) -> &'static [(&'static str, Ty)] {
    match ty {
        Ty::Notification => &[
            ("Receiver", Ty::Str),
            ("Status", Ty::Str),
            ("Alerts", Ty::Alerts),
            ("GroupLabels", Ty::Labels),
            ("CommonLabels", Ty::Labels),
            ("CommonAnnotations", Ty::Labels),
            ("ExternalURL", Ty::Str),
        ],
        Ty::Alerts => &[("Firing", Ty::AlertSlice), ("Resolved", Ty::AlertSlice)],
        Ty::Alert => &[
            ("Status", Ty::Str),
            ("Labels", Ty::Labels),
            ("Annotations", Ty::Labels),
            ("StartsAt", Ty::Unknown),
            ("EndsAt", Ty::Unknown),
            ("GeneratorURL", Ty::Str),
            ("Fingerprint", Ty::Str),
        ],
        Ty::Labels => &[
            ("SortedPairs", Ty::Pairs),
            ("Remove", Ty::Labels),
            ("Names", Ty::Strs),
            ("Values", Ty::Strs),
        ],
        Ty::Pairs => &[
            ("Names", Ty::Strs),
            ("Values", Ty::Strs),
            ("String", Ty::Str),
        ],
        Ty::Pair => &[("Name", Ty::Str), ("Value", Ty::Str)],
        Ty::AlertSlice | Ty::Str | Ty::Strs | Ty::Unknown => &[],
    }
}

/// The type of field `name` of a value of type `ty`; `None` when it has no
/// such field (Alertmanager fails with "can't evaluate field").
pub fn field(ty: Ty, name: &str) -> Option<Ty> {
    match ty {
        Ty::Unknown => Some(Ty::Unknown),
        // A label set is a map: any other name is a label, empty when missing.
        Ty::Labels => Some(
            fields(ty)
                .iter()
                .find(|(f, _)| *f == name)
                .map_or(Ty::Str, |(_, t)| *t),
        ),
        _ => fields(ty).iter().find(|(f, _)| *f == name).map(|(_, t)| *t),
    }
}

/// The type of `range`'s dot over a value of type `ty`.
pub fn element(ty: Ty) -> Ty {
    match ty {
        Ty::Alerts | Ty::AlertSlice => Ty::Alert,
        Ty::Pairs => Ty::Pair,
        Ty::Labels | Ty::Strs => Ty::Str,
        _ => Ty::Unknown,
    }
}

/// What a value of type `ty` is, for messages.
pub fn describe(ty: Ty) -> &'static str {
    match ty {
        Ty::Notification => "the notification",
        Ty::Alerts | Ty::AlertSlice => "a list of alerts",
        Ty::Alert => "an alert",
        Ty::Labels => "a label set",
        Ty::Pairs => "a list of label pairs",
        Ty::Pair => "a label pair",
        Ty::Str => "a string",
        Ty::Strs => "a list of strings",
        Ty::Unknown => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_model_follows_template_data() {
        assert_eq!(field(Ty::Notification, "Alerts"), Some(Ty::Alerts));
        assert_eq!(field(Ty::Notification, "Labels"), None);
        assert_eq!(field(Ty::Labels, "severity"), Some(Ty::Str));
        assert_eq!(field(Ty::Labels, "SortedPairs"), Some(Ty::Pairs));
        assert_eq!(field(Ty::Str, "x"), None);
        assert_eq!(element(Ty::Alerts), Ty::Alert);
        assert_eq!(field(Ty::Alert, "Value"), None);
    }
}
