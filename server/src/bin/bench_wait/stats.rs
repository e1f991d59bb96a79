//! Percentiles of a set of latencies, by the nearest-rank method (no interpolation: every value
//! printed is one that was measured).

/// p50, p95 and p99 of some samples, in the samples' unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// The smallest sample with at least `p` per cent of the samples at or below it; `None` for no
/// samples. `sorted` must be in ascending order; `p` is clamped to 0..=100.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let rank = (p.clamp(0.0, 100.0) / 100.0 * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

/// p50, p95 and p99 of `samples` (any order; NaNs are dropped).
pub fn spread(mut samples: Vec<f64>) -> Option<Spread> {
    samples.retain(|s| !s.is_nan());
    samples.sort_by(f64::total_cmp);
    Some(Spread {
        count: samples.len(),
        p50: percentile(&samples, 50.0)?,
        p95: percentile(&samples, 95.0)?,
        p99: percentile(&samples, 99.0)?,
    })
}

/// One line: `p50 12.3 ms  p95 45.6 ms  p99 78.9 ms  (n = 10000)`, or why there is none.
pub fn line(spread: Option<Spread>) -> String {
    match spread {
        Some(s) => format!(
            "p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  (n = {})",
            s.p50, s.p95, s.p99, s.count
        ),
        None => "no samples".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_on_one_to_a_hundred() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&samples, 50.0), Some(50.0));
        assert_eq!(percentile(&samples, 95.0), Some(95.0));
        assert_eq!(percentile(&samples, 99.0), Some(99.0));
        assert_eq!(percentile(&samples, 100.0), Some(100.0));
        assert_eq!(
            percentile(&samples, 0.0),
            Some(1.0),
            "the smallest, not out of range"
        );
    }

    #[test]
    fn small_and_empty_sets() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(spread(Vec::new()), None);
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        // Ten samples: p95 and p99 are both the largest; p50 the fifth.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 50.0), Some(5.0));
        assert_eq!(percentile(&ten, 95.0), Some(10.0));
        assert_eq!(percentile(&ten, 99.0), Some(10.0));
        assert_eq!(percentile(&ten, 250.0), Some(10.0), "clamped");
    }

    #[test]
    fn spread_sorts_and_drops_nan() {
        let s = spread(vec![3.0, f64::NAN, 1.0, 2.0]).unwrap();
        assert_eq!(s.count, 3);
        assert_eq!((s.p50, s.p95, s.p99), (2.0, 3.0, 3.0));
        assert_eq!(line(Some(s)), "p50 2.0 ms  p95 3.0 ms  p99 3.0 ms  (n = 3)");
        assert_eq!(line(None), "no samples");
    }
}
