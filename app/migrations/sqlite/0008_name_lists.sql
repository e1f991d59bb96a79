-- Lists at scale, the lists in name order (issue 16): catalogs, a catalog's access packages
-- and custom extensions, and apps page by key in (name any case, id) order, each through an
-- index in that order (store::name_pages); a catalog's lists start with the catalog.
CREATE INDEX catalogs_name ON catalogs(display_name COLLATE NOCASE, id);
CREATE INDEX access_packages_catalog_name ON access_packages(catalog_id, display_name COLLATE NOCASE, id);
CREATE INDEX custom_extensions_catalog_name ON custom_extensions(catalog_id, display_name COLLATE NOCASE, id);
CREATE INDEX apps_name ON apps(display_name COLLATE NOCASE, id);
-- The lists' "Access package" filter finds packages by the start of their name, in every
-- catalog for an administrator.
CREATE INDEX access_packages_name ON access_packages(display_name COLLATE NOCASE, id);
-- The Requests page's "Policy" filter finds policies by the start of their name.
CREATE INDEX policies_name ON policies(display_name COLLATE NOCASE, id);
