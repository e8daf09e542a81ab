DROP TABLE recovery_codes;
DROP TABLE setup_tokens;
DROP TABLE invitations;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE tenants;
