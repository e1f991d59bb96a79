//! (being written; routes use full paths such as /v1.0/users)

use app::state::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
