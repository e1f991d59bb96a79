-- Keyset pages of the request and assignment lists, newest first, with and without a filter
-- (issue 16): each filter's rows in (created_at, id) order, so a page is one index range.
CREATE INDEX requests_created ON requests(created_at, id);
CREATE INDEX requests_state_created ON requests(state, created_at, id);
CREATE INDEX requests_status_created ON requests(status, created_at, id);
CREATE INDEX requests_policy_created ON requests(policy_id, created_at, id);
CREATE INDEX requests_requestor ON requests(requestor_id, created_at);
CREATE INDEX assignments_created ON assignments(created_at, id);
CREATE INDEX assignments_target ON assignments(target_id, created_at);
CREATE INDEX assignments_package ON assignments(access_package_id, created_at);
