//! `POST /_test/clock/advance` (only with `LATCH_TEST_CLOCK`): moves Latch's clock forward and
//! runs every timer that became due before answering, so tests and demos can show a timeout
//! without waiting for it.

use app::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct Advance {
    by: String,
}

pub fn routes<S>(state: AppState) -> Router<S> {
    Router::new()
        .route("/_test/clock/advance", post(advance))
        .with_state(state)
}

/// An ISO-8601 duration of weeks, days, hours, minutes and seconds (`P16D`, `PT1H30M`, `P2W`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix(['P', 'p'])?;
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut read = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
            } else {
                let seconds = units.iter().find(|(u, _)| u.eq_ignore_ascii_case(&c))?.1;
                let n: i64 = number.parse().ok()?;
                total += Duration::seconds(n.checked_mul(seconds)?);
                number.clear();
            }
        }
        number.is_empty().then_some(())
    };
    read(date, &[('W', 604_800), ('D', 86_400)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        read(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    (total > Duration::zero()).then_some(total)
}

async fn advance(
    State(state): State<AppState>,
    Json(body): Json<Advance>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    let by = parse_duration(&body.by).ok_or_else(|| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": { "code": "BadRequest", "message": format!("Property 'by': {:?} is not an ISO-8601 duration such as P16D or PT1H.", body.by) } })),
        )
    })?;
    let now = state.clock.advance(by);
    if let Err(error) = app::engine::worker::drain(&state).await {
        tracing::error!(%error, "running the timers that fell due");
    }
    state.wake.notify_one();
    Ok(Json(
        json!({ "now": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true) }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_durations_tests_use() {
        assert_eq!(parse_duration("P16D"), Some(Duration::days(16)));
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P2W"), Some(Duration::days(14)));
        assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(parse_duration("pt61m"), Some(Duration::minutes(61)));
        for bad in ["", "P", "PT", "16D", "P1Y", "P-1D", "PT1X"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
