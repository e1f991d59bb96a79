//! Percentiles by the nearest-rank method: every value printed is one that was measured.
//! (`bench_wait` has the same rule in its own `stats.rs`; the two binaries share no module.)

use std::time::Duration;

/// The smallest sample with at least `p` per cent of the samples at or below it.
/// `sorted` must be ascending and not empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let n = sorted.len();
    let rank = (p.clamp(0.0, 100.0) / 100.0 * n as f64).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `min … median … max …  (n = …)`, or `no samples`.
pub fn min_median_max(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    match (sorted.first(), sorted.last()) {
        (Some(&min), Some(&max)) => format!(
            "min {}  median {}  max {}  (n = {})",
            ms(min),
            ms(percentile(&sorted, 50.0)),
            ms(max),
            sorted.len()
        ),
        _ => "no samples".to_owned(),
    }
}

/// `p50 …  p95 …  p99 …  max …  (n = …)`, or `no samples`.
pub fn spread(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    match sorted.last() {
        Some(&max) => format!(
            "p50 {}  p95 {}  p99 {}  max {}  (n = {})",
            ms(percentile(&sorted, 50.0)),
            ms(percentile(&sorted, 95.0)),
            ms(percentile(&sorted, 99.0)),
            ms(max),
            sorted.len()
        ),
        None => "no samples".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&samples, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 0.0), Duration::from_millis(1));
        let ten: Vec<Duration> = (1..=10).map(Duration::from_millis).collect();
        assert_eq!(percentile(&ten, 50.0), Duration::from_millis(5));
        assert_eq!(percentile(&ten, 95.0), Duration::from_millis(10));
        assert_eq!(spread(&[]), "no samples");
        assert_eq!(
            min_median_max(&[Duration::from_millis(3), Duration::from_millis(1)]),
            "min 1.00 ms  median 1.00 ms  max 3.00 ms  (n = 2)"
        );
    }
}
