//! Synthetic source series for a threshold query, and the search for input
//! values that make the query return a wanted value.
//!
//! Every selector of the query becomes one input: a counter (read through
//! `rate`, `increase` or `irate`), a gauge, or a classic histogram (its
//! buckets feed `histogram_quantile`). Labels satisfy the selector's
//! matchers, and labels used for grouping or vector matching get one shared
//! value so that joins match. One input at a time is the "knob": the others
//! stay at a baseline of 1 while the knob is moved until the query returns
//! the wanted value in steady state.

use std::collections::BTreeSet;

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::promql::MatchOp;
use crate::promql::eval::{self, Dataset, Labels, METRIC_NAME, Program, Series};

/// The value every input that is not the knob keeps.
const BASELINE: f64 = 1.0;

/// The instance label value of every synthetic series.
const INSTANCE: &str = "app-1";

/// Label values tried when a matcher excludes values or a regex gives no sample.
const FALLBACK_VALUES: &[&str] = &[
    "eth0", "sda", "200", "default", "main", "ext4", "a", "0", "x",
];

/// How an input series is read by the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// Read through a rate-like function: its value per phase is a rate per second.
    Counter,
    /// Read as is: its value per phase is the sample value.
    Gauge,
    /// Classic histogram buckets: its value per phase is where every observation falls.
    Histogram {
        /// The quantile `histogram_quantile` asks for.
        q: f64,
    },
}

/// One synthetic input.
#[derive(Debug, Clone)]
pub(super) struct Input {
    /// Labels, `__name__` included (without `le` for histograms).
    pub labels: Labels,
    /// How it is read.
    pub kind: Kind,
}

/// The inputs of a query.
#[derive(Debug, Clone)]
pub(super) struct Model {
    /// The query.
    pub program: Program,
    /// The inputs, in the order their selectors appear.
    pub inputs: Vec<Input>,
    /// The evaluation interval in milliseconds.
    pub interval_ms: i64,
}

/// A value for every input (a rate, a gauge value or an observation point).
pub(super) type Assignment = Vec<f64>;

impl Model {
    /// Build the inputs of `program`, or say why it cannot be driven from sources.
    pub fn new(program: Program, interval_ms: i64) -> Result<Model, String> {
        let selectors = program.selectors().to_vec();
        let grouping: BTreeSet<String> = program
            .grouping_labels()
            .iter()
            .filter(|l| l.as_str() != "le" && l.as_str() != METRIC_NAME)
            .cloned()
            .chain(std::iter::once("instance".to_string()))
            .collect();
        // One shared value per grouping label, satisfying every matcher on it if possible.
        let mut shared = Labels::new();
        for name in &grouping {
            let matchers: Vec<_> = selectors
                .iter()
                .flat_map(|s| s.matchers.iter().filter(|m| &m.name == name))
                .collect();
            let value = pick_value(&matchers, name == "instance")
                .unwrap_or_else(|| FALLBACK_VALUES[FALLBACK_VALUES.len() - 1].to_string());
            shared.insert(name.clone(), value);
        }
        let mut inputs: Vec<Input> = Vec::new();
        for s in &selectors {
            let Some(metric) = &s.metric else {
                return Err("a selector without a metric name".into());
            };
            let mut labels = Labels::new();
            labels.insert(METRIC_NAME.into(), metric.clone());
            let names: BTreeSet<&String> = s.matchers.iter().map(|m| &m.name).collect();
            for name in names {
                if name == "le" && s.histogram_quantile.is_some() {
                    return Err("a bucket selector that matches on `le`".into());
                }
                let ms: Vec<_> = s.matchers.iter().filter(|m| &m.name == name).collect();
                let value = match shared.get(name) {
                    Some(v) if ms.iter().all(|m| m.matches(v)) => Some(v.clone()),
                    _ => pick_value(&ms, false),
                };
                match value {
                    Some(v) if !v.is_empty() => {
                        labels.insert(name.clone(), v);
                    }
                    Some(_) => {}
                    None => {
                        return Err(format!(
                            "no value of `{name}` satisfies the matchers of `{metric}`"
                        ));
                    }
                }
            }
            for (k, v) in &shared {
                labels.entry(k.clone()).or_insert_with(|| v.clone());
            }
            let kind = match s.histogram_quantile {
                Some(q) if (0.0..=1.0).contains(&q) && q > 0.0 => Kind::Histogram { q },
                Some(_) => return Err("a histogram quantile outside (0, 1]".into()),
                None if s.counter => Kind::Counter,
                None => Kind::Gauge,
            };
            match inputs.iter_mut().find(|i| i.labels == labels) {
                Some(existing) => match (existing.kind, kind) {
                    (a, b) if a == b => {}
                    (Kind::Gauge, Kind::Counter) => existing.kind = Kind::Counter,
                    (Kind::Counter, Kind::Gauge) => {}
                    _ => {
                        return Err(format!(
                            "`{metric}` is read both as a histogram and as a plain series"
                        ));
                    }
                },
                None => inputs.push(Input { labels, kind }),
            }
        }
        if inputs.is_empty() {
            return Err("the query reads no series".into());
        }
        Ok(Model {
            program,
            inputs,
            interval_ms,
        })
    }

    /// Every input at its baseline.
    pub fn baseline(&self) -> Assignment {
        vec![BASELINE; self.inputs.len()]
    }

    /// The longest window the query reads, rounded up to whole intervals.
    pub fn window_ms(&self) -> i64 {
        let r = self.program.max_range().as_millis() as i64;
        (r + self.interval_ms - 1) / self.interval_ms * self.interval_ms
    }

    /// The query's single value in steady state under `a`, if it returns exactly one finite sample.
    pub fn steady(&self, a: &Assignment) -> Option<f64> {
        let t = self.window_ms() + self.interval_ms;
        let mut times: BTreeSet<i64> = BTreeSet::from([0, t, t - self.interval_ms]);
        for s in self.program.selectors() {
            let o = s.offset.as_millis() as i64;
            let r = s.range.map(|r| r.as_millis() as i64).unwrap_or(0);
            for ts in [t - o, t - o - r, t - o - self.interval_ms] {
                if ts >= 0 {
                    times.insert(ts);
                }
            }
        }
        let mut series = Vec::new();
        for (input, &x) in self.inputs.iter().zip(a) {
            let sample = |ts: i64, rate: f64, counter: bool| {
                if counter {
                    rate * ts as f64 / 1000.0
                } else {
                    rate
                }
            };
            match input.kind {
                Kind::Counter | Kind::Gauge => series.push(Series {
                    labels: input.labels.clone(),
                    samples: times
                        .iter()
                        .map(|&ts| (ts, sample(ts, x, input.kind == Kind::Counter)))
                        .collect(),
                }),
                Kind::Histogram { q } => {
                    let layout = Layout::new(q, &[x]);
                    for (le, text) in layout.bounds() {
                        let mut labels = input.labels.clone();
                        labels.insert("le".into(), text);
                        let rate = layout.bucket_rate(le, x);
                        series.push(Series {
                            labels,
                            samples: times
                                .iter()
                                .map(|&ts| (ts, sample(ts, rate, true)))
                                .collect(),
                        });
                    }
                }
            }
        }
        let out = self.program.eval(&Dataset::new(series), t).ok()?;
        match out.as_slice() {
            [s] if s.value.is_finite() => Some(s.value),
            _ => None,
        }
    }

    /// For every target, the value of input `knob` that makes the query
    /// return that target while the other inputs stay at the baseline.
    pub fn solve_knob(&self, knob: usize, targets: &[f64]) -> Option<Vec<f64>> {
        targets.iter().map(|&y| self.solve_one(knob, y)).collect()
    }

    fn with_knob(&self, knob: usize, x: f64) -> Assignment {
        let mut a = self.baseline();
        a[knob] = x;
        a
    }

    fn solve_one(&self, knob: usize, y: f64) -> Option<f64> {
        let f = |x: f64| self.steady(&self.with_knob(knob, x));
        let mut grid: Vec<f64> = vec![0.0];
        for e in -9..=9 {
            for m in [1.0, 2.0, 5.0] {
                grid.push(m * 10f64.powi(e));
            }
        }
        if self.inputs[knob].kind == Kind::Gauge {
            let negative: Vec<f64> = grid.iter().skip(1).map(|g| -g).collect();
            grid.extend(negative);
        }
        grid.sort_by(f64::total_cmp);
        let values: Vec<Option<f64>> = grid.iter().map(|&x| f(x)).collect();
        let close = |v: f64| (v - y).abs() <= 1e-9 * y.abs().max(1e-12);
        // A grid point that gives the value (exactly, preferably) wins over
        // bisecting towards it: bisection from a neighbour stops a hair
        // away (`-9e-22` for `0`), where noise decides a comparison.
        let hit = |exact: bool| {
            (0..grid.len())
                .find(|&i| values[i].is_some_and(|v| if exact { v == y } else { close(v) }))
        };
        if let Some(i) = hit(true).or_else(|| hit(false)) {
            return Some(grid[i]);
        }
        for i in 0..grid.len() {
            if i + 1 == grid.len() {
                break;
            }
            let (Some(va), Some(vb)) = (values[i], values[i + 1]) else {
                continue;
            };
            if (va - y).signum() == (vb - y).signum() {
                continue;
            }
            let (mut lo, mut hi, mut flo) = (grid[i], grid[i + 1], va);
            let mut found = None;
            for _ in 0..200 {
                let mid = lo + (hi - lo) / 2.0;
                let Some(fm) = f(mid) else { break };
                if close(fm) {
                    found = Some(mid);
                    break;
                }
                if (fm - y).signum() == (flo - y).signum() {
                    lo = mid;
                    flo = fm;
                } else {
                    hi = mid;
                }
                if hi - lo <= f64::EPSILON * hi.abs() {
                    found = Some(mid);
                    break;
                }
            }
            if let Some(x) = found
                && f(x).is_some_and(|v| (v - y).abs() <= 1e-6 * y.abs().max(1e-9))
            {
                return Some(x);
            }
        }
        None
    }
}

/// Round to six significant digits, so that input values stay readable.
pub(super) fn round6(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.5e}").parse().unwrap_or(v)
}

/// Classic histogram buckets around a set of observation points: each point
/// gets a narrow bucket placed so that the quantile interpolates exactly to it.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    /// `(lower, upper)` bucket bounds per point, in the order of `points`.
    around: Vec<(f64, f64, f64)>,
    /// Every bound, ascending, with its label text.
    bounds: Vec<(f64, String)>,
}

impl Layout {
    /// Buckets for observations at every one of `points`, read at quantile `q`.
    pub fn new(q: f64, points: &[f64]) -> Layout {
        let mut distinct: Vec<f64> = points.to_vec();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        let mut around = Vec::new();
        for (i, &p) in distinct.iter().enumerate() {
            let mut width = (p.abs() * 1e-3).max(1e-9);
            if i > 0 {
                width = width.min((p - distinct[i - 1]) / 3.0);
            }
            if i + 1 < distinct.len() {
                width = width.min((distinct[i + 1] - p) / 3.0);
            }
            let lower = round6_bound(p - q * width);
            let upper = round6_bound(p + (1.0 - q) * width);
            around.push((p, lower, upper));
        }
        let mut bounds: Vec<f64> = around.iter().flat_map(|&(_, l, u)| [l, u]).collect();
        bounds.sort_by(f64::total_cmp);
        bounds.dedup();
        let mut bounds: Vec<(f64, String)> =
            bounds.into_iter().map(|b| (b, format!("{b}"))).collect();
        bounds.push((f64::INFINITY, "+Inf".into()));
        Layout { around, bounds }
    }

    /// Every bucket bound with its `le` label value, ascending, `+Inf` last.
    pub fn bounds(&self) -> Vec<(f64, String)> {
        self.bounds.clone()
    }

    /// The rate (observations per second) of the bucket `le` while every
    /// observation falls at `point`: one per second from the point's bucket up.
    pub fn bucket_rate(&self, le: f64, point: f64) -> f64 {
        let upper = self
            .around
            .iter()
            .find(|(p, _, _)| *p == point)
            .map(|(_, _, u)| *u)
            .unwrap_or(f64::INFINITY);
        if le >= upper { 1.0 } else { 0.0 }
    }
}

/// Bounds keep ten significant digits: exact enough, and short as labels.
fn round6_bound(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    format!("{v:.9e}").parse().unwrap_or(v)
}

/// A label value satisfying every matcher in `matchers`, preferring
/// readable ones; `""` means the label is left out.
fn pick_value(matchers: &[&eval::LabelMatcher], instance: bool) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    if instance {
        candidates.push(INSTANCE.into());
    }
    for m in matchers {
        match m.kind {
            MatchOp::Equal => candidates.push(m.value.clone()),
            MatchOp::Regex => candidates.extend(regex_samples(&m.value)),
            MatchOp::NotEqual | MatchOp::NotRegex => {}
        }
    }
    candidates.extend(FALLBACK_VALUES.iter().map(|s| s.to_string()));
    candidates.push(String::new());
    candidates
        .into_iter()
        .find(|c| matchers.iter().all(|m| m.matches(c)))
}

/// Strings that the regex `pattern` matches, one per top-level alternative.
fn regex_samples(pattern: &str) -> Vec<String> {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Vec::new();
    };
    match hir.kind() {
        HirKind::Alternation(alts) => alts.iter().filter_map(sample).collect(),
        _ => sample(&hir).into_iter().collect(),
    }
}

/// One short string the expression matches.
fn sample(hir: &Hir) -> Option<String> {
    Some(match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => String::new(),
        HirKind::Literal(l) => String::from_utf8(l.0.to_vec()).ok()?,
        HirKind::Class(Class::Unicode(c)) => {
            let contains = |ch: char| c.ranges().iter().any(|r| r.start() <= ch && ch <= r.end());
            ['0', 'a', 'x', '-', '_']
                .into_iter()
                .find(|&ch| contains(ch))
                .or_else(|| c.ranges().first().map(|r| r.start()))?
                .to_string()
        }
        HirKind::Class(Class::Bytes(c)) => {
            let b = c.ranges().first()?.start();
            (b as char).to_string()
        }
        HirKind::Repetition(r) => sample(&r.sub)?.repeat(r.min.max(1) as usize),
        HirKind::Capture(c) => sample(&c.sub)?,
        HirKind::Concat(parts) => parts.iter().map(sample).collect::<Option<String>>()?,
        HirKind::Alternation(alts) => sample(alts.first()?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::eval::program;

    fn model(q: &str) -> Model {
        Model::new(program(q).unwrap(), 60_000).unwrap()
    }

    #[test]
    fn regex_samples_match() {
        assert_eq!(regex_samples("5.."), vec!["500"]);
        assert_eq!(regex_samples("ext4|xfs"), vec!["ext4", "xfs"]);
        assert_eq!(regex_samples("sd[a-z]+|vd[a-z]+")[0], "sda");
    }

    #[test]
    fn labels_satisfy_matchers_and_joins() {
        let m = model(
            r#"rate(rx{job="n",device!~"lo|veth.*"}[5m]) / on (instance, device) group_left () (speed{job="n"} > 0)"#,
        );
        assert_eq!(m.inputs.len(), 2);
        for i in &m.inputs {
            assert_eq!(i.labels.get("device").map(String::as_str), Some("eth0"));
            assert_eq!(i.labels.get("instance").map(String::as_str), Some("app-1"));
        }
        assert_eq!(m.inputs[0].kind, Kind::Counter);
        assert_eq!(m.inputs[1].kind, Kind::Gauge);
    }

    #[test]
    fn solves_ratios_of_rates_and_quantiles() {
        let m = model(r#"sum(rate(r_total{code=~"5.."}[5m])) / (sum(rate(r_total[5m])) > 0)"#);
        let xs = m.solve_knob(0, &[0.0475, 0.0525]).unwrap();
        let mut a = m.baseline();
        a[0] = xs[1];
        assert!((m.steady(&a).unwrap() - 0.0525).abs() < 1e-9);

        let m = model("histogram_quantile(0.95, sum by (le) (rate(d_bucket[5m])))");
        let xs = m.solve_knob(0, &[2.85, 3.15]).unwrap();
        assert!((xs[0] - 2.85).abs() < 1e-6 && (xs[1] - 3.15).abs() < 1e-6);
    }
}
