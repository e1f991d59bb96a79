use app::callout::keys::SigningKey;
use app::clock::Clock;
use app::state::{AppState, Settings};
use axum::body::Body;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use std::sync::OnceLock;
use tower::ServiceExt;

pub const HOST: &str = "127.0.0.1:3000";
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// One RSA key for the whole test binary: generating one takes a while.
pub fn test_key() -> SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(&mut rand::rngs::OsRng).expect("an RSA key"))
        .clone()
}

pub struct TestApp {
    pub state: AppState,
    router: Router,
    place: Place,
}

/// Where a test's database lives: a SQLite file in a temporary directory, or a scratch schema
/// of the PostgreSQL database that `LATCH_TEST_POSTGRES` names (`app::store::scratch`). It
/// outlives a [`TestApp`] that stops, for the next start.
pub struct Place {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl Place {
    /// A new, empty database on the backend the tests run on.
    pub async fn new() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let url = app::store::scratch::url(dir.path()).await;
        Place { dir, url }
    }

    /// A new SQLite database whatever the backend, for tests of the file itself.
    pub fn sqlite() -> Place {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("latch.db").display());
        Place { dir, url }
    }

    /// The database file (its write-ahead log is beside it, with `-wal` appended).
    pub fn db_file(&self) -> std::path::PathBuf {
        self.dir.path().join("latch.db")
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_settings(Settings::for_tests()).await
    }

    /// As `LATCH_TEST_CLOCK=1` runs it.
    pub async fn with_test_clock() -> TestApp {
        Self::with_settings(Settings {
            test_clock: true,
            ..Settings::for_tests()
        })
        .await
    }

    /// A fresh database without the demo data, as a new installation starts.
    pub async fn empty() -> TestApp {
        let place = Place::new().await;
        let clock = Clock::fixed(chrono::Utc::now());
        let db = app::store::connect(&place.url).await.unwrap();
        Self::on(db, Settings::for_tests(), clock, place)
    }

    /// Signs in through the real form post with this password; the session cookie, or `None`
    /// when sign-in was refused.
    pub async fn sign_in_with(&self, email: &str, password: &str) -> Option<String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("email", email)
            .append_pair("password", password)
            .append_pair("next", "/")
            .finish();
        let response = self
            .send(form_post("/api/sign_in", &body, Some(ORIGIN)))
            .await;
        assert!(
            response.status().is_redirection(),
            "{:?}",
            response.status()
        );
        response
            .headers()
            .get(header::SET_COOKIE)
            .and_then(|c| c.to_str().ok())
            .map(|c| c.split(';').next().unwrap().to_string())
    }

    /// The demo data with these settings.
    pub async fn with(settings: Settings) -> TestApp {
        Self::with_settings(settings).await
    }

    async fn with_settings(settings: Settings) -> TestApp {
        let place = Place::new().await;
        let clock = Clock::fixed(chrono::Utc::now());
        let db = app::store::connect(&place.url).await.unwrap();
        app::directory::demo::load_if_empty(&db, clock.now())
            .await
            .unwrap();
        Self::on(db, settings, clock, place)
    }

    fn on(db: app::store::Pool, settings: Settings, clock: Clock, place: Place) -> Self {
        Self::serving(AppState::new(db, settings, clock, test_key()), place)
    }

    fn serving(state: AppState, place: Place) -> Self {
        let options = LeptosOptions::builder().output_name("latch").build();
        let router = server::router(state.clone(), options);
        TestApp {
            state,
            router,
            place,
        }
    }

    /// Latch started as `main` starts it on `place`'s database, with this `LATCH_SECRET_KEY` or
    /// none: the secrets check (`server::secrets::unlock`), the demo data if the database is
    /// empty, and Latch's RSA key kept in the database. `Err` is start-up's refusal.
    pub async fn start_with_key(
        place: Place,
        key: Option<&app::store::sealed::SecretKey>,
        clock: Clock,
    ) -> Result<TestApp, (String, Place)> {
        let db = app::store::connect(&place.url).await.unwrap();
        let sealer = match server::secrets::unlock(&db, key).await {
            Ok(sealer) => sealer,
            Err(problem) => {
                db.close().await;
                return Err((problem, place));
            }
        };
        app::directory::demo::load_if_empty_sealed(&db, &sealer, clock.now())
            .await
            .unwrap();
        let keys = app::store::keys::load_or_create(&db, &sealer, clock.now())
            .await
            .unwrap();
        let state = AppState::new(db, Settings::for_tests(), clock, keys).with_sealer(sealer);
        Ok(Self::serving(state, place))
    }

    /// The process stops (its connections closed); the database stays for the next start.
    pub async fn stop(self) -> (Place, Clock) {
        self.state.writer.close().await;
        self.state.db.close().await;
        (self.place, self.state.clock.clone())
    }

    /// The database file (its write-ahead log is beside it, with `-wal` appended).
    pub fn db_file(&self) -> std::path::PathBuf {
        self.place.db_file()
    }

    /// The process stops (its connections closed, nothing in memory kept) and a new one starts
    /// on the same database file, with its clock `later` on.
    pub async fn restart(self, later: chrono::Duration) -> TestApp {
        let now = self.state.clock.now() + later;
        let settings = (*self.state.settings).clone();
        self.state.writer.close().await;
        self.state.db.close().await;
        let db = app::store::connect(&self.place.url).await.unwrap();
        Self::on(db, settings, Clock::fixed(now), self.place)
    }

    /// Serves the router on a random loopback port, for clients that speak real HTTP.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        base
    }

    pub async fn send(&self, request: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(request).await.unwrap()
    }

    /// Signs in through the real form post with the demo password and returns the session
    /// cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        self.sign_in_with(email, "latch-demo")
            .await
            .expect("a session cookie")
    }

    /// The caller as the services see them, signed in with the demo password.
    pub async fn principal(&self, email: &str) -> app::auth::authz::Principal {
        let token = app::services::session::sign_in(&self.state, email, "latch-demo", None)
            .await
            .unwrap();
        app::services::session::principal(&self.state, Some(&token))
            .await
            .unwrap()
    }

    /// Latch's published keys (`/discovery/v2.0/keys`), to verify callout tokens with.
    pub async fn jwks(&self) -> serde_json::Value {
        let response = self
            .send(
                Request::get("/discovery/v2.0/keys")
                    .header(header::HOST, HOST)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        serde_json::from_str(&text(response).await.1).unwrap()
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// A demo policy's id, by its name.
    pub async fn policy(&self, name: &str) -> app::domain::ids::PolicyId {
        let sql = format!("SELECT id FROM policies WHERE display_name = '{name}'");
        self.id_of(&sql).await.parse().unwrap()
    }

    /// A demo custom extension, by its name, now calling `url` (a receiver on loopback).
    pub async fn extension_at(&self, name: &str, url: &str) -> app::domain::ids::ExtensionId {
        sqlx::query("UPDATE custom_extensions SET endpoint_type = 'http', endpoint_url = $1 WHERE display_name = $2")
            .bind(url)
            .bind(name)
            .execute(&self.state.db)
            .await
            .unwrap();
        let sql = format!("SELECT id FROM custom_extensions WHERE display_name = '{name}'");
        self.id_of(&sql).await.parse().unwrap()
    }

    /// The policy calls these extensions at these stages, and at no other.
    pub async fn map_stages(
        &self,
        policy: app::domain::ids::PolicyId,
        stages: &[(app::domain::stage::Stage, app::domain::ids::ExtensionId)],
    ) {
        let mut conn = self.state.db.acquire().await.unwrap();
        app::store::packages::replace_stage_settings(&mut conn, policy, stages)
            .await
            .unwrap();
    }

    /// (state, status) of a request, as stored.
    pub async fn request_state(&self, id: app::domain::ids::RequestId) -> (String, String) {
        sqlx::query_as("SELECT state, status FROM requests WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// Moves the clock and runs whatever fell due, as the worker would.
    pub async fn pass(&self, by: chrono::Duration) {
        self.state.clock.advance(by);
        app::engine::worker::drain(&self.state).await.unwrap();
    }

    pub async fn id_of(&self, sql: &str) -> String {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db)
            .await
            .unwrap()
    }

    /// The database's URL.
    pub fn place_url(&self) -> String {
        self.place.url.clone()
    }

    /// Every table's name (Latch's own and the migrations' record).
    pub async fn tables(&self) -> Vec<String> {
        sqlx::query_scalar(if app::store::is_postgres(&self.state.db) {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema()"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        })
        .fetch_all(&self.state.db)
        .await
        .unwrap()
    }

    /// Rows of each of Latch's tables.
    pub async fn table_counts(&self) -> std::collections::BTreeMap<String, i64> {
        let mut counts = std::collections::BTreeMap::new();
        for table in self.tables().await {
            if !table.starts_with("_sqlx") {
                let n = self
                    .scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
                    .await;
                counts.insert(table, n);
            }
        }
        counts
    }

    /// Every row of every table as text: equal snapshots before and after a call show that it
    /// changed nothing.
    pub async fn snapshot(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let postgres = app::store::is_postgres(&self.state.db);
        let mut snapshot = std::collections::BTreeMap::new();
        for table in self.tables().await {
            let row = if postgres {
                // A row's own text form, every column quoted as needed.
                format!("\"{table}\"::text")
            } else {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(&self.state.db)
                        .await
                        .unwrap();
                columns
                    .iter()
                    .map(|c| format!("quote(\"{c}\")"))
                    .collect::<Vec<_>>()
                    .join(" || ',' || ")
            };
            let rows = sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\" ORDER BY 1"))
                .fetch_all(&self.state.db)
                .await
                .unwrap();
            snapshot.insert(table, rows);
        }
        snapshot
    }
}

/// How the database would run `sql` (`app::store::plan`).
pub async fn query_plan(db: &app::store::Pool, sql: &str) -> String {
    app::store::plan::query_plan(db, sql, &[]).await.unwrap()
}

pub fn form_post(path: &str, body: &str, origin: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html");
    if let Some(origin) = origin {
        builder = builder.header(header::ORIGIN, origin);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

pub fn json_post(path: &str, body: serde_json::Value, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body.to_string())).unwrap()
}

pub async fn text(response: Response<Body>) -> (StatusCode, String) {
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The whole router on an empty database, serving static files from `site` (tests of what
/// `TestApp` does not serve: files).
pub async fn site_router(site: &std::path::Path) -> (Router, Place) {
    let place = Place::new().await;
    let db = app::store::connect(&place.url).await.unwrap();
    let state = AppState::new(
        db,
        Settings::for_tests(),
        Clock::fixed(chrono::Utc::now()),
        test_key(),
    );
    let options = LeptosOptions::builder()
        .output_name("latch")
        .site_root(site.display().to_string())
        .build();
    (server::router(state, options), place)
}
