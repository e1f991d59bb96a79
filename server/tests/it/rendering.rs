//! Pages render to the end while other routers are built in the same process.
//!
//! Leptos's route-list generation sets a process-wide flag while it runs, and a resource first
//! polled meanwhile never loads (leptos#4773): a page rendering then hangs with nothing left to
//! wake it. Tests build a router each, in parallel with other tests' pages; `server::router`
//! generates the list once per process so that no generation overlaps a render.

use crate::harness::{text, TestApp, HOST};
use axum::body::Body;
use http::{header, Request, StatusCode};
use leptos::prelude::LeptosOptions;
use std::time::Duration;

/// Renders and routers built at once: before the fix, one render in a few stalled for good.
const ROUNDS: usize = 40;

#[tokio::test]
async fn pages_render_while_other_routers_are_built() {
    let app = TestApp::new().await;
    let cookie = app.sign_in("admin@contoso.test").await;
    let catalog = app
        .id_of("SELECT id FROM catalogs WHERE display_name = 'Marketing'")
        .await;
    let building = tokio::task::spawn_blocking({
        let state = app.state.clone();
        move || {
            for _ in 0..ROUNDS {
                let options = LeptosOptions::builder().output_name("latch").build();
                drop(server::router(state.clone(), options));
            }
        }
    });
    for round in 0..ROUNDS {
        let page = app.send(
            Request::get(format!("/catalogs/{catalog}/custom-extensions"))
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        );
        let (status, html) =
            tokio::time::timeout(Duration::from_secs(30), async { text(page.await).await })
                .await
                .unwrap_or_else(|_| panic!("round {round}: the page stalled instead of rendering"));
        assert_eq!(status, StatusCode::OK, "round {round}");
        // The rows come from the page's resource: a stalled resource never gets here.
        assert!(
            html.contains("Contoso.SodCheckProcess"),
            "round {round}: the extensions are listed"
        );
    }
    building.await.unwrap();
}
