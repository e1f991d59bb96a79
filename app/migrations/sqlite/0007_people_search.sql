-- Lists at scale, continued (issue 16).
-- A name or e-mail prefix is looked up as a range under the `nocase` collation
-- (store::starts_with), in the people search and the lists' person filters: the display name
-- has its index since 0003, the address gets one here.
CREATE INDEX users_upn_nocase ON users(user_principal_name COLLATE NOCASE, id);
-- An approver's waiting requests and history start from the policies they approve.
CREATE INDEX policy_approvers_user ON policy_approvers(user_id);
