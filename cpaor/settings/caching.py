"""Public pages for anonymous readers: compressed, cached whole and revalidated."""
