//! `rules/*`: rule files, groups and recording rules.

pub mod duplicate;
pub mod empty_group;
pub mod group_interval;
pub mod recording_name;
pub mod template_in_record;
