//! (being written)

use app::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
