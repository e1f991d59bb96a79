//! The rig's database: the schema and demo data through the app crate, then the rig's own
//! seeding: N users (`bench-00001@contoso.test` …) inserted directly, and Marketing's
//! "All employees" policy (no approval) changed so that its only mapped stage is "Request is
//! created" → Contoso.SodCheckProcess (launch and wait, 1 hour) or, for launch and continue,
//! the demo's Welcome mail, pointed at the receiver. Both are the demo's own extensions, so
//! each keeps its behaviour and signing secret as the app wrote them.

use std::fmt;

use app::domain::ids::{ExtensionId, PolicyId, UserId};
use app::domain::stage::Stage;
use app::store;
use app::store::sealed::Sealer;
use app::store::{Conn, Pool};
use chrono::{DateTime, Utc};

/// What the created stage's extension does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    LaunchAndWait,
    LaunchAndContinue,
}

impl Behaviour {
    /// Whether a request waits for the receiver's resume.
    pub fn waits(self) -> bool {
        self == Behaviour::LaunchAndWait
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Behaviour::LaunchAndWait => "launch and wait",
            Behaviour::LaunchAndContinue => "launch and continue",
        })
    }
}

/// The policy the load requests under.
pub const POLICY: &str = "All employees";
/// The extension its created stage calls, by what the extension does.
pub fn extension(behaviour: Behaviour) -> &'static str {
    match behaviour {
        Behaviour::LaunchAndWait => "Contoso.SodCheckProcess",
        Behaviour::LaunchAndContinue => "Welcome mail",
    }
}

/// What the driver needs to know about the seeded database.
pub struct Seeded {
    pub policy: PolicyId,
    pub package: String,
    pub users: Vec<UserId>,
    /// The extension's signing secret, for the receiver to verify signatures with.
    pub signing_secret: String,
}

fn failed(step: &str) -> impl Fn(sqlx::Error) -> String + '_ {
    move |e| format!("seeding: {step}: {e}")
}

/// A new database at `url` with the schema and the demo data, through the app crate.
pub async fn demo_database(url: &str, now: DateTime<Utc>) -> Result<Pool, String> {
    let db = store::connect(url).await.map_err(failed("connect"))?;
    if !app::directory::demo::load_if_empty(&db, now)
        .await
        .map_err(failed("demo data"))?
    {
        return Err(format!("seeding: {url} was not empty"));
    }
    Ok(db)
}

/// Points the demo extension called `name` at `endpoint` (plain HTTP on loopback); its id.
pub async fn repoint_extension(
    conn: &mut Conn,
    name: &str,
    endpoint: &str,
) -> Result<ExtensionId, String> {
    let extension: String =
        sqlx::query_scalar("SELECT id FROM custom_extensions WHERE display_name = $1")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .map_err(failed("the extension"))?;
    sqlx::query(
        "UPDATE custom_extensions SET endpoint_type = 'http', endpoint_url = $1 WHERE id = $2",
    )
    .bind(endpoint)
    .bind(&extension)
    .execute(&mut *conn)
    .await
    .map_err(failed("repoint the extension"))?;
    extension.parse().map_err(|e| format!("seeding: {e}"))
}

pub async fn seed(
    url: &str,
    users: usize,
    behaviour: Behaviour,
    endpoint: &str,
) -> Result<Seeded, String> {
    let now = Utc::now();
    let db = demo_database(url, now).await?;

    let mut tx = store::write_tx(&db).await.map_err(failed("begin"))?;
    let mut ids = Vec::with_capacity(users);
    for i in 1..=users {
        let id = UserId::new();
        store::users::insert(
            &mut tx,
            id,
            &format!("bench-{i:05}@contoso.test"),
            &format!("Bench user {i}"),
            None,
            now,
        )
        .await
        .map_err(failed("users"))?;
        ids.push(id);
    }

    let (policy, package): (String, String) =
        sqlx::query_as("SELECT id, access_package_id FROM policies WHERE display_name = $1")
            .bind(POLICY)
            .fetch_one(&mut *tx)
            .await
            .map_err(failed("the policy"))?;
    let extension = repoint_extension(&mut tx, extension(behaviour), endpoint).await?;
    let policy: PolicyId = policy.parse().map_err(|e| format!("seeding: {e}"))?;
    // The rig's own database, seeded without LATCH_SECRET_KEY: the secret is read back
    // through the store, which would name the setting if it were sealed.
    let signing_secret =
        store::extensions::signing_secrets(&mut tx, &Sealer::none(), extension, now)
            .await
            .map_err(failed("the signing secret"))?
            .remove(0);
    let stages = [(Stage::AssignmentRequestCreated, extension)];
    store::packages::replace_stage_settings(&mut tx, policy, &stages)
        .await
        .map_err(failed("set the created stage"))?;
    tx.commit().await.map_err(failed("commit"))?;
    db.close().await;
    Ok(Seeded {
        policy,
        package,
        users: ids,
        signing_secret,
    })
}

/// `INSERT INTO <head> VALUES <row>, <row>, …` with `rows` copies of `row`: a benchmark's
/// bulk rows, a few hundred a statement.
pub fn statement(head: &str, row: &str, rows: usize) -> String {
    let mut sql = format!("INSERT INTO {head} VALUES ");
    sql.push_str(&vec![row; rows].join(", "));
    sql
}

/// A connection of its own for a benchmark's bulk rows on SQLite: a 64 MiB page cache and no
/// syncing while it writes (set-up, not what is measured; the measured server's pool is the
/// app's own). Checkpoint and sync the file before measuring.
pub async fn bulk_connection(url: &str) -> Result<sqlx::SqliteConnection, String> {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::Connection;
    use std::str::FromStr;
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("seeding: options: {e}"))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Off)
        .foreign_keys(true)
        .pragma("cache_size", "-65536");
    sqlx::SqliteConnection::connect_with(&options)
        .await
        .map_err(|e| format!("seeding: bulk connection: {e}"))
}
