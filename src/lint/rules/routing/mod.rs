//! `routing/*`: rules that compare the specs with the Alertmanager routing
//! generated from them — receivers that do not exist, are never used or
//! cannot work, notification templates that cannot render, alerts that
//! notify nobody, secrets in the specs, inhibition that compares too few
//! labels.
//!
//! Each rule is a [`Check::Workspace`](crate::lint::Check::Workspace) run
//! once per spec workspace by the engine.

pub mod incomplete_receiver;
pub mod inhibit_missing_label;
pub mod inline_secret;
pub mod notification_template;
pub mod reserved_receiver;
pub mod unknown_receiver;
pub mod unrouted_alert;
pub mod unused_receiver;
