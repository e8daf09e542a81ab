DROP TABLE media_variants;
DROP TABLE media_tags;
DROP TABLE media_items;
DROP TABLE media_category_seeds;
DROP TABLE media_categories;
DROP TABLE personas;
