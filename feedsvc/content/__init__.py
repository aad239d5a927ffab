"""The content folder: site settings, articles and their sidecars, rules files, listings."""
