-- PostgreSQL's spelling of the SQLite migration of the same number: row ids are identity
-- columns, and `nocase` is a case-insensitive collation so that the queries' `COLLATE NOCASE`
-- reads the same on both backends (ICU's ordering, where SQLite folds ASCII case only).
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- The whole Latch data model. Later changes add behaviour, not a new model.
-- Portable SQL: ids are TEXT (UUIDs), times are TEXT in one fixed UTC format
-- ("YYYY-MM-DDTHH:MM:SS.ffffffZ", so text order is time order), booleans are INTEGER 0/1.
-- Append-only logs (history, audit, attempts, jobs) use an INTEGER key for their order.

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    user_principal_name  TEXT NOT NULL UNIQUE,  -- stored lower-case
    display_name         TEXT NOT NULL,
    enabled              INTEGER NOT NULL DEFAULT 1,
    password_hash        TEXT,                  -- argon2id PHC string; NULL: no local sign-in
    created_at           TEXT NOT NULL
);

CREATE TABLE apps (
    id            TEXT PRIMARY KEY,             -- the client id
    display_name  TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE app_secrets (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL,                 -- argon2id; the secret is shown once
    hint         TEXT NOT NULL,                 -- first characters, to tell secrets apart
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);
CREATE INDEX app_secrets_app ON app_secrets(app_id);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,             -- SHA-256 of the cookie value
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE catalogs (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    modified_at   TEXT NOT NULL
);

-- Roles go to users and apps alike; tenant roles have no catalog.
CREATE TABLE role_assignments (
    id              TEXT PRIMARY KEY,
    principal_kind  TEXT NOT NULL CHECK (principal_kind IN ('user', 'app')),
    principal_id    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('identityGovernanceAdministrator', 'catalogOwner',
                                                  'accessPackageManager', 'accessPackageAssignmentManager')),
    catalog_id      TEXT REFERENCES catalogs(id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    CHECK ((role = 'identityGovernanceAdministrator') = (catalog_id IS NULL))
);
CREATE UNIQUE INDEX role_assignments_unique
    ON role_assignments(principal_kind, principal_id, role, COALESCE(catalog_id, ''));
CREATE INDEX role_assignments_catalog ON role_assignments(catalog_id);

CREATE TABLE access_packages (
    id            TEXT PRIMARY KEY,
    catalog_id    TEXT NOT NULL REFERENCES catalogs(id),
    display_name  TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    is_hidden     INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    modified_at   TEXT NOT NULL
);
CREATE INDEX access_packages_catalog ON access_packages(catalog_id);

CREATE TABLE policies (
    id                         TEXT PRIMARY KEY,
    access_package_id          TEXT NOT NULL REFERENCES access_packages(id),
    display_name               TEXT NOT NULL,
    description                TEXT NOT NULL DEFAULT '',
    allowed_target_scope       TEXT NOT NULL DEFAULT 'allMemberUsers'
                               CHECK (allowed_target_scope IN ('allMemberUsers', 'specificDirectoryUsers')),
    is_approval_required       INTEGER NOT NULL DEFAULT 0,
    approval_timeout           TEXT NOT NULL DEFAULT 'P14D',   -- durationBeforeAutomaticDenial
    expiration_type            TEXT NOT NULL DEFAULT 'noExpiration'
                               CHECK (expiration_type IN ('noExpiration', 'afterDuration', 'afterDateTime')),
    expiration_duration        TEXT,                           -- ISO-8601, with afterDuration
    expiration_end             TEXT,                           -- with afterDateTime
    created_at                 TEXT NOT NULL,
    modified_at                TEXT NOT NULL
);
CREATE INDEX policies_package ON policies(access_package_id);

CREATE TABLE policy_allowed_targets (
    policy_id  TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (policy_id, user_id)
);

CREATE TABLE policy_approvers (
    policy_id  TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (policy_id, user_id)
);

CREATE TABLE custom_extensions (
    id                       TEXT PRIMARY KEY,
    catalog_id               TEXT NOT NULL REFERENCES catalogs(id),
    display_name             TEXT NOT NULL,
    description              TEXT NOT NULL DEFAULT '',
    kind                     TEXT NOT NULL CHECK (kind IN ('assignmentRequest', 'preExpiration', 'legacy')),
    behaviour                TEXT NOT NULL CHECK (behaviour IN ('launchAndContinue', 'launchAndWait')),
    wait_timeout_amount      INTEGER,
    wait_timeout_unit        TEXT CHECK (wait_timeout_unit IN ('minutes', 'hours', 'days')),
    endpoint_type            TEXT NOT NULL CHECK (endpoint_type IN ('logicApp', 'http')),
    subscription_id          TEXT,
    resource_group_name      TEXT,
    logic_app_workflow_name  TEXT,
    endpoint_url             TEXT NOT NULL,   -- a secret when it carries a SAS signature
    resource_id              TEXT,            -- legacy Bearer token audience
    timeout_ms               INTEGER NOT NULL DEFAULT 1000,
    maximum_retries          INTEGER NOT NULL DEFAULT 3,
    signing_secret           TEXT NOT NULL,
    previous_signing_secret  TEXT,            -- still signs beside the new one until it expires
    previous_secret_until    TEXT,
    created_by               TEXT NOT NULL,
    last_modified_by         TEXT NOT NULL,
    created_at               TEXT NOT NULL,
    modified_at              TEXT NOT NULL,
    last_test_at             TEXT,
    last_test_ok             INTEGER,
    last_test_http_status    INTEGER,
    last_test_latency_ms     INTEGER,
    last_test_error          TEXT,
    CHECK ((behaviour = 'launchAndWait') = (wait_timeout_amount IS NOT NULL))
);
CREATE INDEX custom_extensions_catalog ON custom_extensions(catalog_id);

-- customExtensionStageSettings: one extension per stage per policy.
CREATE TABLE policy_stage_settings (
    policy_id            TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    stage                TEXT NOT NULL CHECK (stage IN ('assignmentRequestCreated', 'assignmentRequestApproved',
                                                        'assignmentRequestGranted', 'assignmentRequestRemoved',
                                                        'assignmentFourteenDaysBeforeExpiration',
                                                        'assignmentOneDayBeforeExpiration')),
    custom_extension_id  TEXT NOT NULL REFERENCES custom_extensions(id),
    PRIMARY KEY (policy_id, stage)
);
CREATE INDEX policy_stage_settings_extension ON policy_stage_settings(custom_extension_id);

CREATE TABLE requests (
    id                 TEXT PRIMARY KEY,
    request_type       TEXT NOT NULL CHECK (request_type IN ('userAdd', 'adminAdd', 'userRemove', 'adminRemove', 'systemRemove')),
    state              TEXT NOT NULL CHECK (state IN ('submitted', 'pendingApproval', 'delivering', 'delivered',
                                                      'deliveryFailed', 'denied', 'canceled')),
    status             TEXT NOT NULL,
    access_package_id  TEXT NOT NULL REFERENCES access_packages(id),
    policy_id          TEXT NOT NULL REFERENCES policies(id),
    requestor_kind     TEXT NOT NULL CHECK (requestor_kind IN ('user', 'app', 'system')),
    requestor_id       TEXT,
    target_id          TEXT NOT NULL REFERENCES users(id),
    assignment_id      TEXT,
    justification      TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    completed_at       TEXT,
    approval_due_at    TEXT
);
-- One open add-request per target and package.
CREATE UNIQUE INDEX requests_one_open ON requests(target_id, access_package_id)
    WHERE state IN ('submitted', 'pendingApproval', 'delivering')
      AND request_type IN ('userAdd', 'adminAdd');
CREATE INDEX requests_target ON requests(target_id, created_at);
CREATE INDEX requests_package ON requests(access_package_id, created_at);

CREATE TABLE assignments (
    id                      TEXT PRIMARY KEY,
    access_package_id       TEXT NOT NULL REFERENCES access_packages(id),
    policy_id               TEXT NOT NULL REFERENCES policies(id),
    target_id               TEXT NOT NULL REFERENCES users(id),
    request_id              TEXT NOT NULL REFERENCES requests(id),
    state                   TEXT NOT NULL CHECK (state IN ('delivering', 'delivered', 'expired', 'deliveryFailed')),
    status                  TEXT NOT NULL,
    start_at                TEXT NOT NULL,
    expires_at              TEXT,
    expired_at              TEXT,
    fourteen_days_fired_at  TEXT,   -- pre-expiry markers: each trigger fires once
    one_day_fired_at        TEXT,
    created_at              TEXT NOT NULL
);
CREATE UNIQUE INDEX assignments_one_active ON assignments(target_id, access_package_id)
    WHERE state IN ('delivering', 'delivered');
CREATE INDEX assignments_expiry ON assignments(expires_at) WHERE state = 'delivered';

CREATE TABLE callout_instances (
    id                       TEXT PRIMARY KEY,   -- customExtensionStageInstanceId, webhook-id
    request_id               TEXT REFERENCES requests(id),
    assignment_id            TEXT REFERENCES assignments(id),
    custom_extension_id      TEXT NOT NULL REFERENCES custom_extensions(id),
    stage                    TEXT NOT NULL,
    behaviour                TEXT NOT NULL CHECK (behaviour IN ('launchAndContinue', 'launchAndWait')),
    config_snapshot          TEXT NOT NULL,      -- JSON: endpoint, client config, timeout at start
    status                   TEXT NOT NULL CHECK (status IN ('calloutSent', 'callbackReceived', 'calloutFailed',
                                                             'callbackTimedOut', 'waitingForCallback', 'pending')),
    detail                   TEXT,
    external_correlation_id  TEXT,
    resume_source            TEXT,
    resume_outcome           TEXT CHECK (resume_outcome IN ('continue', 'denied')),
    resumed_at               TEXT,
    wait_deadline            TEXT,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE INDEX callout_instances_request ON callout_instances(request_id);
CREATE INDEX callout_instances_assignment ON callout_instances(assignment_id);

CREATE TABLE callout_attempts (
    id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    instance_id       TEXT NOT NULL REFERENCES callout_instances(id),
    attempt_number    INTEGER NOT NULL,
    started_at        TEXT NOT NULL,
    http_status       INTEGER,
    latency_ms        INTEGER NOT NULL,
    error             TEXT,
    response_excerpt  TEXT,               -- first 4 KiB of the body
    UNIQUE (instance_id, attempt_number)
);

CREATE TABLE request_history (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    request_id   TEXT NOT NULL REFERENCES requests(id),
    at           TEXT NOT NULL,
    event        TEXT NOT NULL,           -- submitted, calloutSent, waitingForCallback, resumed, approved, …
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('user', 'app', 'system', 'workflow')),
    actor_id     TEXT,
    actor_name   TEXT NOT NULL,
    detail       TEXT
);
CREATE INDEX request_history_request ON request_history(request_id, id);

CREATE TABLE audit_events (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_kind   TEXT NOT NULL CHECK (actor_kind IN ('user', 'app', 'system')),
    actor_id     TEXT,
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_kind  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    summary      TEXT NOT NULL DEFAULT '{}'   -- JSON: before / after
);
CREATE INDEX audit_events_object ON audit_events(object_kind, object_id);
CREATE INDEX audit_events_at ON audit_events(at);

-- Timers and durable work: every deadline, retry and trigger is a row here.
CREATE TABLE jobs (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    dedupe_key   TEXT UNIQUE,             -- a timer set twice is one row
    due_at       TEXT NOT NULL,
    lease_until  TEXT,                    -- claimed until; an expired lease is claimable again
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs(due_at);

-- Latch's own RS256 keys (PoP tokens, API tokens), created on first start.
CREATE TABLE signing_keys (
    kid              TEXT PRIMARY KEY,
    private_key_pem  TEXT NOT NULL,
    public_jwk       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    retired_at       TEXT
);
