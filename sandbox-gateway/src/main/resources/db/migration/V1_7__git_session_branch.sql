-- The branch a session was created with: the git proxy lets the session push to it when it lies
-- under the branch prefix (a session continuing a claude/ branch), besides the session's own
-- claude/<first 8 characters of its id> namespace. Null for the sessions created before.
ALTER TABLE git_session ADD COLUMN branch text;
