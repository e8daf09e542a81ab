DROP TABLE tenant_content_settings;
DROP TABLE captions;
