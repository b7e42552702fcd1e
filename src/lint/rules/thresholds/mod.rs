//! `thresholds/*`: the levels of a spec threshold, judged against each other,
//! against the threshold's unit and against its query.

pub mod comparison_in_query;
pub mod for_order;
pub mod label_collision;
pub mod order;
pub mod scale_mismatch;
pub mod unit_mismatch;
pub mod unreachable;

use crate::spec::model::{LevelRule, Threshold};

/// Every pair (more severe, less severe) of levels comparing in the same direction.
pub(crate) fn pairs(t: &Threshold) -> impl Iterator<Item = (&LevelRule, &LevelRule)> {
    // `levels` is ordered critical, warning, info.
    t.levels.iter().enumerate().flat_map(move |(i, a)| {
        t.levels[i + 1..]
            .iter()
            .filter(move |b| b.direction == a.direction)
            .map(move |b| (a, b))
    })
}
