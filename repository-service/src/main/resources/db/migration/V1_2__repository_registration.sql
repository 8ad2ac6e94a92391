-- Registration: the forge, when the credential was set and the last change, and the normalized URL
-- a user may register once (https://GitHub.com/a/b.git and https://github.com/a/b are one).
ALTER TABLE repository ADD COLUMN forge TEXT;
ALTER TABLE repository ADD COLUMN credential_set_at TIMESTAMPTZ;
ALTER TABLE repository ADD COLUMN updated_at TIMESTAMPTZ;
ALTER TABLE repository ADD COLUMN normalized_url TEXT;
UPDATE repository
   SET forge = 'GITHUB',
       updated_at = created_at,
       normalized_url = url,
       credential_set_at = CASE WHEN sealed_credential IS NULL THEN NULL ELSE created_at END;
ALTER TABLE repository ALTER COLUMN forge SET NOT NULL;
ALTER TABLE repository ALTER COLUMN updated_at SET NOT NULL;
ALTER TABLE repository ALTER COLUMN normalized_url SET NOT NULL;
CREATE UNIQUE INDEX repository_owner_normalized_url ON repository (owner_id, normalized_url);
CREATE INDEX repository_owner_created ON repository (owner_id, created_at DESC, id);
