-- Personas and the media vault. Times are unix milliseconds. A persona's settings (voice,
-- boundaries, disclosures, character card, attestation, consent) are one JSON document; the
-- columns beside it are what queries filter on. Media bytes live in the blob store; rows name
-- them by blob key ("<tenant>/<sha256>").
CREATE TABLE personas (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  display_name_key TEXT NOT NULL,
  status TEXT NOT NULL,
  kind TEXT NOT NULL,
  document TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CONSTRAINT personas_name_unique UNIQUE (tenant_id, display_name_key),
  CHECK (id <> ''),
  CHECK (display_name <> ''),
  CHECK (status IN ('draft', 'active', 'inactive')),
  CHECK (kind IN ('fictional', 'real_adult_with_consent')),
  CHECK (revision >= 1)
);
CREATE INDEX personas_tenant ON personas (tenant_id, created_at, id);

-- A tenant's vault categories (a free list, seeded with the roadmap's categories once).
CREATE TABLE media_categories (
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name),
  CHECK (name <> '')
);
CREATE TABLE media_category_seeds (
  tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  seeded_at BIGINT NOT NULL
);

CREATE TABLE media_items (
  id TEXT NOT NULL PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  persona_id TEXT NULL REFERENCES personas (id),
  kind TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  original_name TEXT NOT NULL DEFAULT '',
  size_bytes BIGINT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL,
  category TEXT NULL,
  rating TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  phash BIGINT NULL,
  source TEXT NOT NULL,
  generator TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  CHECK (id <> ''),
  CHECK (kind IN ('image', 'document')),
  CHECK (rating IN ('sfw', 'suggestive', 'explicit')),
  CHECK (source IN ('upload', 'generation')),
  CHECK (size_bytes >= 0)
);
CREATE INDEX media_items_tenant ON media_items (tenant_id, created_at, id);
CREATE INDEX media_items_persona ON media_items (tenant_id, persona_id, created_at);
CREATE INDEX media_items_sha ON media_items (tenant_id, sha256);

CREATE TABLE media_tags (
  tenant_id TEXT NOT NULL,
  media_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (media_id, tag)
);
CREATE INDEX media_tags_tag ON media_tags (tenant_id, tag);

-- The stored renditions of an item: "original" (metadata stripped, provenance written),
-- "thumbnail", and one per platform preset.
CREATE TABLE media_variants (
  tenant_id TEXT NOT NULL,
  media_id TEXT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  blob_key TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  size_bytes BIGINT NOT NULL,
  PRIMARY KEY (media_id, name)
);
CREATE INDEX media_variants_blob ON media_variants (tenant_id, blob_key);
