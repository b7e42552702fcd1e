//! `routing/*`: rules that compare the specs with the Alertmanager routing
//! generated from them — receivers that do not exist, are never used or
//! cannot work, alerts that notify nobody, secrets in the specs, inhibition
//! that compares too few labels.
//!
//! Each rule is a function `check(&Workspace, &SourceMap) -> Vec<Diagnostic>`
//! run by the pipeline's check stage.

pub mod incomplete_receiver;
pub mod inhibit_missing_label;
pub mod inline_secret;
pub mod reserved_receiver;
pub mod unknown_receiver;
pub mod unrouted_alert;
pub mod unused_receiver;

use crate::diag::Diagnostic;
use crate::lint::rules::RuleDoc;
use crate::source::SourceMap;
use crate::spec::model::Workspace;

/// The documentation of every routing rule.
pub const RULES: &[RuleDoc] = &[
    incomplete_receiver::IncompleteReceiver::DOC,
    inhibit_missing_label::InhibitMissingLabel::DOC,
    inline_secret::InlineSecret::DOC,
    reserved_receiver::ReservedReceiver::DOC,
    unknown_receiver::UnknownReceiver::DOC,
    unrouted_alert::UnroutedAlert::DOC,
    unused_receiver::UnusedReceiver::DOC,
];

/// Run every routing rule.
pub fn check(ws: &Workspace, sources: &SourceMap) -> Vec<Diagnostic> {
    let checks: [fn(&Workspace, &SourceMap) -> Vec<Diagnostic>; 7] = [
        incomplete_receiver::check,
        inhibit_missing_label::check,
        inline_secret::check,
        reserved_receiver::check,
        unknown_receiver::check,
        unrouted_alert::check,
        unused_receiver::check,
    ];
    checks.iter().flat_map(|c| c(ws, sources)).collect()
}
