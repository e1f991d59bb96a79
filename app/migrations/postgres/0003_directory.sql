-- The directory: what SCIM and the Users page keep about people, groups, setup links, groups in
-- policies, and the User Administrator role.

ALTER TABLE users ADD COLUMN external_id TEXT;        -- the provisioning system's id (SCIM externalId)
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN family_name TEXT;
ALTER TABLE users ADD COLUMN department TEXT;
ALTER TABLE users ADD COLUMN job_title TEXT;
ALTER TABLE users ADD COLUMN manager_id TEXT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
-- Deleted over SCIM: the row stays (requests and history name the person), SCIM no longer sees it.
ALTER TABLE users ADD COLUMN deleted_at TEXT;
ALTER TABLE users ADD COLUMN modified_at TEXT;
UPDATE users SET modified_at = created_at;
CREATE UNIQUE INDEX users_external_id ON users(external_id) WHERE external_id IS NOT NULL;
CREATE INDEX users_display_name ON users(display_name COLLATE NOCASE, id);

CREATE TABLE groups (
    id            TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    external_id   TEXT,
    created_at    TEXT NOT NULL,
    modified_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX groups_external_id ON groups(external_id) WHERE external_id IS NOT NULL;
CREATE INDEX groups_display_name ON groups(display_name COLLATE NOCASE, id);

CREATE TABLE group_members (
    group_id  TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);

-- One-time links where a person chooses a password. Only the SHA-256 of the token is kept.
CREATE TABLE setup_links (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX setup_links_user ON setup_links(user_id);

-- "Who may request" can name groups (Graph's groupMembers) beside single users.
CREATE TABLE policy_allowed_groups (
    policy_id  TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
    group_id   TEXT NOT NULL REFERENCES groups(id),
    PRIMARY KEY (policy_id, group_id)
);
CREATE INDEX policy_allowed_groups_group ON policy_allowed_groups(group_id);

-- A new tenant role, userAdministrator: SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE role_assignments_new (
    id              TEXT PRIMARY KEY,
    principal_kind  TEXT NOT NULL CHECK (principal_kind IN ('user', 'app')),
    principal_id    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('identityGovernanceAdministrator', 'userAdministrator',
                                                  'catalogOwner', 'accessPackageManager',
                                                  'accessPackageAssignmentManager')),
    catalog_id      TEXT REFERENCES catalogs(id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    CHECK ((role IN ('identityGovernanceAdministrator', 'userAdministrator')) = (catalog_id IS NULL))
);
INSERT INTO role_assignments_new SELECT id, principal_kind, principal_id, role, catalog_id, created_at
    FROM role_assignments;
DROP TABLE role_assignments;
ALTER TABLE role_assignments_new RENAME TO role_assignments;
CREATE UNIQUE INDEX role_assignments_unique
    ON role_assignments(principal_kind, principal_id, role, COALESCE(catalog_id, ''));
CREATE INDEX role_assignments_catalog ON role_assignments(catalog_id);
